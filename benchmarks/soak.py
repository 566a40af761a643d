"""Soak: the load test's mixed chat / search / inquiries load at a moderate rate for a long time against
`ttc serve --workers N`, sampling the RSS of every server process every 10 s, to show whether memory grows.

    python -m benchmarks.soak --data-dir /tmp/loadidx                      # 50 req/s for 600 s, 2 workers
    python -m benchmarks.soak --data-dir /tmp/loadidx --seconds 60 --rate 20

The server runs on a copy of the index (the load writes inquiries and chat sessions). Results:
benchmarks/results/soak-<seconds>s.json and .md (or in --results-dir): RSS over time per process, first / last /
max and the fitted growth per process, errors, latency percentiles, and the load average (other work on the
machine shows there).
"""

from __future__ import annotations

from typing import Any

from benchmarks.harness import add_data_dir, add_results_dir, parser, write_results
from benchmarks.load_test import add_load_options, markdown, run


def slope_mb_per_min(points: list[tuple[float, float]]) -> float | None:
    """Least-squares growth of RSS in MB per minute."""
    if len(points) < 2:
        return None
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if not spread:
        return None
    return round(60 * sum((t - mean_t) * (v - mean_v) for t, v in points) / spread, 3)


def growth(report: dict[str, Any]) -> dict[str, float | None]:
    """Fitted RSS growth (MB per minute) of each process over the second half of the run, after warm-up effects."""
    samples = report["rss_mb"]["samples"]
    half = report["duration_s"] / 2
    names = report["rss_mb"]["by_process"]
    return {name: slope_mb_per_min([(s["t_s"], s["processes"][name]) for s in samples
                                    if s["t_s"] >= half and s["processes"].get(name) is not None])
            for name in names}


def rss_table(report: dict[str, Any]) -> str:
    """RSS of each process at every sample, as a Markdown table."""
    names = list(report["rss_mb"]["by_process"])
    lines = ["| t (s) | " + " | ".join(names) + " | total MB | load avg 1 min |",
             "|---" * (len(names) + 3) + "|"]
    for sample in report["rss_mb"]["samples"]:
        sizes = [str(sample["processes"].get(name, "")) for name in names]
        lines.append(f"| {sample['t_s']} | " + " | ".join(sizes) + f" | {sample['rss_mb']} | "
                     f"{sample['loadavg_1m']} |")
    return "\n".join(lines)


def main() -> None:
    options = parser(__doc__)
    add_data_dir(options, "an index to serve (copied first)", required=True)
    options.add_argument("--workers", type=int, default=2, help="`ttc serve --workers` (default 2)")
    options.add_argument("--seconds", type=float, default=600.0, help="length of the soak (default 600)")
    add_load_options(options, rate=50.0, rss_every=10.0)
    add_results_dir(options)
    args = options.parse_args()
    args.url = args.pid = None
    args.in_place = False
    report = run(args, args.seconds, args.rss_every)
    report["rss_growth_mb_per_min_second_half"] = growth(report)
    name = f"soak-{args.seconds:g}s"
    title = f"Soak: {args.rate:g} req/s for {args.seconds:g} s, {args.workers} workers"
    page = markdown(report, title) + "\n## RSS growth\n\nFitted over the second half of the run, MB per minute: " + \
        ", ".join(f"{k}: {v}" for k, v in report["rss_growth_mb_per_min_second_half"].items()) + \
        "\n\n## RSS over time (MB)\n\n" + rss_table(report) + "\n"
    write_results(args.results_dir, name, report, page)
    print(page)


if __name__ == "__main__":
    main()
