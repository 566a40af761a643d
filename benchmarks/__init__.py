"""Reproducible quality and latency benchmarks, run as modules from the repository root:
`python -m benchmarks.<name> --help`. Results go to benchmarks/results/ unless `--results-dir` (or, where a
benchmark has always had it, `--out`) says otherwise; what they share is in `benchmarks.harness`."""
