"""scripts/audit.py: its verdict on pip-audit's report (pip-audit itself is replaced by a stand-in printing a
canned report, since no vulnerability service is reachable from the build machines)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO

pytestmark = pytest.mark.slow  # every test runs scripts/audit.py in a subprocess

SCRIPT = REPO / "scripts" / "audit.py"


def run_audit(tmp_path: Path, report: object, *flags: str) -> subprocess.CompletedProcess[str]:
    stand_in = tmp_path / "pip_audit"
    stand_in.mkdir(exist_ok=True)
    (stand_in / "__init__.py").write_text("", encoding="utf-8")
    body = report if isinstance(report, str) else json.dumps(report)
    (stand_in / "__main__.py").write_text(f"print({body!r})\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run([sys.executable, str(SCRIPT), *flags], capture_output=True, text=True, env=env,
                          timeout=60, check=False)


AUDITED = {"dependencies": [{"name": "fastapi", "version": "0.1", "vulns": []},
                            {"name": "jinja2", "version": "2.0", "vulns": []}]}
VULNERABLE = {"dependencies": [{"name": "jinja2", "version": "2.0",
                                "vulns": [{"id": "GHSA-xxxx", "fix_versions": ["3.1.4"]}]}]}
UNKNOWN = {"dependencies": [{"name": "fastapi", "version": "0.1", "skip_reason": "Dependency not found on PyPI"}]}


def test_a_clean_audit_passes(tmp_path: Path) -> None:
    done = run_audit(tmp_path, AUDITED, "--strict")
    assert done.returncode == 0
    assert "2 of 2 packages audited, 0 with known vulnerabilities" in done.stdout


def test_a_known_vulnerability_fails_and_names_the_fix(tmp_path: Path) -> None:
    done = run_audit(tmp_path, VULNERABLE)
    assert done.returncode == 1
    assert "jinja2 2.0: GHSA-xxxx (fixed in 3.1.4)" in done.stdout


@pytest.mark.parametrize(("flags", "code"), [((), 0), (("--strict",), 1)])
def test_packages_nobody_audited_are_reported_not_passed(tmp_path: Path, flags: tuple[str, ...], code: int) -> None:
    done = run_audit(tmp_path, UNKNOWN, *flags)
    assert done.returncode == code
    assert "0 of 1 packages audited" in done.stdout and "1 NOT audited" in done.stdout


def test_an_unreachable_service_is_reported(tmp_path: Path) -> None:
    done = run_audit(tmp_path, "ConnectionError: Failed to resolve 'api.osv.dev'", "--strict")
    assert done.returncode == 1
    assert "NOT audited" in done.stdout
