"""Dependency audit: pip-audit over the project's environment, and an honest verdict when it cannot audit.

pip-audit asks a vulnerability service (PyPI's JSON API, or OSV) about every installed package. Where the
machine reaches only a package mirror, as our build machines do, PyPI answers "not found" for each package and
pip-audit exits 0 having audited nothing; this script reports that as "not audited" instead of a pass.

    python scripts/audit.py            # fails on a known vulnerability; warns when nothing could be audited
    python scripts/audit.py --strict   # also fails when packages could not be audited (a networked CI)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strict", action="store_true", help="fail when any package could not be audited")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before giving up (default 300)")
    args = parser.parse_args()
    command = [sys.executable, "-m", "pip_audit", "--progress-spinner", "off", "--format", "json", "--local"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout, check=False)
    except subprocess.TimeoutExpired:
        print(f"audit: pip-audit did not finish in {args.timeout:.0f} s; dependencies NOT audited")
        return 1 if args.strict else 0
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"audit: pip-audit could not reach a vulnerability service ({reason[:200]}); dependencies NOT audited")
        return 1 if args.strict else 0
    packages = report.get("dependencies", [])
    skipped = [p for p in packages if "skip_reason" in p]
    vulnerable = [p for p in packages if p.get("vulns")]
    for package in vulnerable:
        ids = ", ".join(v["id"] + (f" (fixed in {', '.join(v['fix_versions'])})" if v.get("fix_versions") else "")
                        for v in package["vulns"])
        print(f"audit: {package['name']} {package['version']}: {ids}")
    audited = len(packages) - len(skipped)
    print(f"audit: {audited} of {len(packages)} packages audited, {len(vulnerable)} with known vulnerabilities"
          + (f"; {len(skipped)} NOT audited (the vulnerability service did not know them or was unreachable)"
             if skipped else ""))
    if vulnerable:
        return 1
    return 1 if args.strict and skipped else 0


if __name__ == "__main__":
    sys.exit(main())
