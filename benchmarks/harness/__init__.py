"""What the benchmarks share: paths, common options, starting servers, timing summaries and results files."""

from benchmarks.harness.backends import chroma_server, postgres_server
from benchmarks.harness.machine import cpu_model, load_average, load_text, machine
from benchmarks.harness.options import add_data_dir, add_label, add_results_dir, add_source, parser
from benchmarks.harness.paths import RESULTS, ROOT, SAMPLE_DIR, SAMPLE_FILES, SHARED_EVAL, shared_eval
from benchmarks.harness.processes import cpu_seconds, memory_mb, rss_mb, server_processes
from benchmarks.harness.results import write_json, write_results
from benchmarks.harness.server import Server, free_port, running, serve, stop, wait_http
from benchmarks.harness.timing import max_ms, mean_ms, ms_since, pct, percentiles

__all__ = [
    "RESULTS", "ROOT", "SAMPLE_DIR", "SAMPLE_FILES", "SHARED_EVAL", "Server", "add_data_dir", "add_label",
    "add_results_dir", "add_source", "chroma_server", "cpu_model", "cpu_seconds", "free_port", "load_average",
    "load_text", "machine", "max_ms", "mean_ms", "memory_mb", "ms_since", "parser", "pct", "percentiles",
    "postgres_server", "rss_mb", "running", "serve", "server_processes", "shared_eval", "stop", "wait_http",
    "write_json", "write_results",
]
