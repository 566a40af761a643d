"""What a server's processes use, read from /proc (Linux): resident memory, proportional memory, CPU time."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cpu_seconds", "memory_mb", "rss_mb", "server_processes"]


def rss_mb(pid: int) -> float | None:
    """Resident set size of a process in MB; None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far; None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_processes(pid: int) -> dict[int, str]:
    """pid → role of a server and its descendants: "server" (one process), "supervisor", "worker", or
    "helper" (multiprocessing's resource tracker)."""
    found: dict[int, str] = {}
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            cmdline = Path(f"/proc/{current}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            children = [int(c) for task in Path(f"/proc/{current}/task").iterdir()
                        for c in (task / "children").read_text().split()]
        except OSError:
            continue
        found[current] = "worker" if "spawn_main" in cmdline else "helper" if "resource_tracker" in cmdline else ""
        pending.extend(children)
    found[pid] = "supervisor" if "worker" in found.values() else "server"
    return found


def memory_mb(pid: int) -> dict[str, float]:
    """RSS summed over a server's processes, and PSS (shared pages, such as the memory-mapped vectors, split
    between the processes that map them: the memory the server really takes)."""
    rss = pss = 0.0
    for member in server_processes(pid):
        rss += rss_mb(member) or 0.0
        try:
            lines = Path(f"/proc/{member}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        pss += sum(int(line.split()[1]) / 1024 for line in lines if line.startswith("Pss:"))
    return {"rss_mb": round(rss, 1), "pss_mb": round(pss, 1)}
