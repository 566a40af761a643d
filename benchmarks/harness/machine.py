"""The machine a run measured, for the first line of its report: architecture, cores, Python, load."""

from __future__ import annotations

import os
import platform
from pathlib import Path

__all__ = ["cpu_model", "load_average", "load_text", "machine"]


def machine() -> str:
    """Architecture, core count and Python, e.g. "x86_64, 2 cores, Python 3.11.7, Linux"."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def cpu_model() -> str:
    """CPU model, CPU count and Python, e.g. "AMD EPYC 7B13, 2 CPUs, Python 3.11.7, Linux"."""
    info = Path("/proc/cpuinfo")
    cpu = next((line.split(":", 1)[1].strip() for line in info.read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if info.is_file() else ""
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (other jobs on a shared machine show there)."""
    return [round(x, 2) for x in os.getloadavg()]


def load_text(separator: str = " / ", digits: int = 1) -> str:
    """The load averages as text, e.g. "1.2 / 0.9 / 0.7"."""
    return separator.join(f"{x:.{digits}f}" for x in os.getloadavg())
