"""Reproducible quality and latency benchmarks, run as modules from the repository root:
`python -m benchmarks.<name> --help`. Results go to benchmarks/results/ (`--results-dir` elsewhere)."""
