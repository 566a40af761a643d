"""Loopback load test: a mixed chat / search / inquiries load at a target rate against `ttc serve`.

Starts `ttc serve --workers N` in a subprocess on a free 127.0.0.1 port with the rate limiter off
(TTC_RATE_LIMIT_PER_MINUTE=0), then sends requests *open loop*: request n is due at start + n / rate whatever the
server does, so a slow server shows up as latency (measured from the due time, which avoids coordinated omission)
rather than as a politely lower rate. In-flight requests are bounded (`--max-inflight`); a request due while the
bound is reached counts as an error ("backlog"). The RSS of every server process (the supervisor and each worker)
is sampled from /proc throughout, and their CPU time is read at the start and the end of the measured window.

    python -m benchmarks.load_test --data-dir /tmp/loadidx --workers 2            # 100 req/s for 60 s
    python -m benchmarks.load_test --data-dir /tmp/loadidx --rate 50 --duration 30
    python -m benchmarks.soak --data-dir /tmp/loadidx                              # 10 minutes, RSS every 10 s

The index is written to (inquiries, sessions): the run serves a fresh copy of it unless `--in-place`.
Results: benchmarks/results/load-<label>.json and .md (or in --results-dir).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from benchmarks import web_latency
from benchmarks.harness import (
    add_label,
    add_results_dir,
    add_source,
    cpu_seconds,
    load_average,
    parser,
    percentiles,
    rss_mb,
    serve,
    server_processes,
    write_results,
)

QUESTIONS = [
    *web_latency.QUESTIONS,
    "solar cell efficiency", "太阳能电池技术", "Кто может помочь перевести медицинские технологии в практику?",
    "satellite orbit determination software", "biodegradable packaging materials", "railway track inspection",
    "teknologi pengolahan air limbah", "การเกษตรอัจฉริยะ", "energy storage for microgrids", "fuel cell catalysts",
]
INQUIRIES = [
    "We are looking for a partner to license a solar panel cleaning technology.",
    "Нам нужна технология очистки сточных вод для молочного завода.",
    "我们公司希望引进无人机巡检技术，请帮助联系。",
    "Buscamos inversión para escalar nuestra planta de biogás.",
    "Could you introduce us to the team behind the hydrogen storage project?",
]
MIX = {"search": 0.5, "chat": 0.3, "inquiries": 0.2}


@contextmanager
def served(data_dir: Path, embedder: str | None, workers: int = 1, in_place: bool = False) -> Iterator[tuple[str, int]]:
    """`ttc serve --workers N` on a free port over a copy of `data_dir`; yields (base URL, pid)."""
    with tempfile.TemporaryDirectory(prefix="ttc-load-") as scratch:
        if not in_place:
            copy = Path(scratch) / "data"
            shutil.copytree(data_dir, copy)
            data_dir = copy
        with serve(data_dir, env={"TTC_EMBEDDER": embedder} if embedder else None, workers=workers,
                   every_worker=True, timeout=180, poll=0.3) as server:
            yield server.url, server.pid


class Load:
    """One run: schedules, sends and records requests; samples the RSS of every server process."""

    def __init__(self, url: str, pid: int, rate: float, duration: float, max_inflight: int, rss_every: float,
                 seed: int, workers: int = 1) -> None:
        self.url, self.pid, self.rate, self.duration = url, pid, rate, duration
        self.max_inflight, self.rss_every, self.workers = max_inflight, rss_every, workers
        self.random = random.Random(seed)
        self.latencies: dict[str, list[float]] = {name: [] for name in MIX}
        self.statuses: dict[str, Counter[str]] = {name: Counter() for name in MIX}
        self.rss: list[dict[str, Any]] = []
        self.inflight = 0
        self.max_lag_ms = 0.0
        self.wall = 0.0
        self.cpu: dict[int, tuple[str, float | None, float | None]] = {}
        self.client_cpu = 0.0
        self.loadavg: dict[str, list[float]] = {}

    def _request(self, n: int) -> tuple[str, str, str, dict[str, Any]]:
        kind = self.random.choices(list(MIX), weights=list(MIX.values()))[0]
        question = QUESTIONS[n % len(QUESTIONS)]
        if kind == "search":
            return kind, "GET", "/v1/search", {"params": {"q": question, "k": 10}}
        if kind == "chat":
            return kind, "POST", "/v1/chat", {"json": {"message": question}}
        # distinct contacts, so that each inquiry is new rather than merged into an earlier one
        return kind, "POST", "/v1/inquiries", {"json": {"message": INQUIRIES[n % len(INQUIRIES)],
                                                        "contact": f"load-{n}@example.org"}}

    async def _one(self, client: httpx.AsyncClient, n: int, due: float) -> None:
        kind, method, path, options = self._request(n)
        if self.inflight >= self.max_inflight:
            self.statuses[kind]["backlog"] += 1
            return
        self.inflight += 1
        try:
            response = await client.request(method, path, **options)
            status = str(response.status_code)
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        finally:
            self.inflight -= 1
        self.statuses[kind][status] += 1
        if status in ("200", "201"):
            self.latencies[kind].append((time.perf_counter() - due) * 1000)

    def _rss_sample(self, started: float) -> dict[str, Any]:
        processes = server_processes(self.pid) if self.pid else {}
        sizes = {f"{pid} {role}": rss_mb(pid) for pid, role in sorted(processes.items())}
        total = round(sum(v for v in sizes.values() if v is not None), 1) if sizes else None
        return {"t_s": round(time.perf_counter() - started, 1), "rss_mb": total, "processes": sizes,
                "loadavg_1m": load_average()[0]}

    async def _sample_rss(self, started: float, stop: asyncio.Event) -> None:
        while True:
            self.rss.append(self._rss_sample(started))
            try:
                await asyncio.wait_for(stop.wait(), self.rss_every)
                return
            except TimeoutError:
                continue

    async def _warm_up(self) -> None:
        """Model load and query caches, not counted: on several connections at once, so that each worker (the
        kernel gives a connection to whichever is idle) gets its share."""
        async def one(client: httpx.AsyncClient) -> None:
            for question in QUESTIONS:
                await client.get("/v1/search", params={"q": question, "k": 10})
                await client.post("/v1/chat", json={"message": question})

        clients = [httpx.AsyncClient(base_url=self.url, timeout=60) for _ in range(2 * self.workers)]
        try:
            await asyncio.gather(*(one(client) for client in clients))
        finally:
            await asyncio.gather(*(client.aclose() for client in clients))

    async def run(self) -> None:
        await self._warm_up()
        limits = httpx.Limits(max_connections=self.max_inflight, max_keepalive_connections=self.max_inflight)
        async with httpx.AsyncClient(base_url=self.url, timeout=30, limits=limits) as client:
            stop = asyncio.Event()
            processes = server_processes(self.pid) if self.pid else {}
            cpu_before = {pid: cpu_seconds(pid) for pid in processes}
            client_before = time.process_time()
            self.loadavg["start"] = load_average()
            started = time.perf_counter()
            sampler = asyncio.create_task(self._sample_rss(started, stop))
            tasks = []
            for n in itertools.count():
                due = started + n / self.rate
                if due - started >= self.duration:
                    break
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                self.max_lag_ms = max(self.max_lag_ms, (time.perf_counter() - due) * 1000)
                tasks.append(asyncio.create_task(self._one(client, n, due)))
            await asyncio.gather(*tasks)
            self.wall = time.perf_counter() - started
            self.client_cpu = time.process_time() - client_before
            self.loadavg["end"] = load_average()
            self.cpu = {pid: (role, cpu_before[pid], cpu_seconds(pid)) for pid, role in processes.items()}
            stop.set()
            await sampler
            self.rss.append(self._rss_sample(started))

    def _cpu_report(self) -> dict[str, Any]:
        by_process = {}
        for pid, (role, before, after) in sorted(self.cpu.items()):
            if before is not None and after is not None:
                by_process[f"{pid} {role}"] = {"cpu_s": round(after - before, 1),
                                               "cores": round((after - before) / self.wall, 2)}
        total = sum(p["cpu_s"] for p in by_process.values())
        ok = sum(len(v) for v in self.latencies.values())
        return {"server_cpu_s": round(total, 1), "server_cores": round(total / self.wall, 2) if self.wall else None,
                "server_cpu_ms_per_ok_request": round(1000 * total / ok, 2) if ok else None,
                "by_process": by_process, "load_generator_cores": round(self.client_cpu / self.wall, 2),
                "cpus": os.cpu_count(), "loadavg": self.loadavg}

    def report(self) -> dict[str, Any]:
        endpoints: dict[str, dict[str, Any]] = {}
        for kind in MIX:
            ok = len(self.latencies[kind])
            sent = sum(self.statuses[kind].values())
            endpoints[kind] = {"requests": sent, "ok": ok, "errors": sent - ok,
                               "statuses": dict(self.statuses[kind]), **percentiles(self.latencies[kind])}
        every = [value for values in self.latencies.values() for value in values]
        sent = sum(e["requests"] for e in endpoints.values())
        return {
            "target_rate_rps": self.rate, "duration_s": self.duration, "workers": self.workers,
            "sent": sent, "achieved_rate_rps": round(sent / self.wall, 1),
            "completed_ok_rps": round(len(every) / self.wall, 1),
            "errors": sent - len(every), "max_scheduling_lag_ms": round(self.max_lag_ms, 1),
            "latency_from_due_time": percentiles(every), "endpoints": endpoints, "cpu": self._cpu_report(),
            "rss_mb": rss_summary(self.rss),
        }


def rss_summary(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """First, last and largest RSS of the whole server and of each of its processes."""
    totals = [s["rss_mb"] for s in samples if s["rss_mb"] is not None]
    names = dict.fromkeys(name for s in samples for name in s["processes"])
    per_process = {}
    for name in names:
        values = [s["processes"][name] for s in samples if s["processes"].get(name) is not None]
        per_process[name] = {"first": values[0], "last": values[-1], "max": max(values)} if values else {}
    return {"start": totals[0] if totals else None, "end": totals[-1] if totals else None,
            "max": max(totals) if totals else None, "by_process": per_process, "samples": samples}


def markdown(report: dict[str, Any], title: str) -> str:
    """The headline numbers of a run, as a Markdown page."""
    latency, cpu, rss = report["latency_from_due_time"], report["cpu"], report["rss_mb"]
    lines = [f"# {title}", "",
             f"Target {report['target_rate_rps']:g} req/s for {report['duration_s']:g} s, "
             f"`ttc serve --workers {report['workers']}`, mix {MIX}; latency from each request's due time.", "",
             "| achieved req/s | ok req/s | errors | p50 ms | p95 ms | p99 ms | max ms | server cores | "
             "CPU ms / request | load avg (start → end) |", "|---|---|---|---|---|---|---|---|---|---|",
             f"| {report['achieved_rate_rps']} | {report['completed_ok_rps']} | {report['errors']} | "
             f"{latency['p50_ms']} | {latency['p95_ms']} | {latency['p99_ms']} | {latency['max_ms']} | "
             f"{cpu['server_cores']} | {cpu['server_cpu_ms_per_ok_request']} | "
             f"{cpu['loadavg'].get('start')} → {cpu['loadavg'].get('end')} |", "",
             "| endpoint | requests | errors | statuses | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {kind} | {e['requests']} | {e['errors']} | {e['statuses']} | {e['p50_ms']} | {e['p95_ms']} | "
              f"{e['p99_ms']} |" for kind, e in report["endpoints"].items()]
    lines += ["", "| process | CPU s | cores | RSS first MB | RSS last MB | RSS max MB |", "|---|---|---|---|---|---|"]
    for name, sizes in rss["by_process"].items():
        used = cpu["by_process"].get(name, {})
        lines.append(f"| {name} | {used.get('cpu_s', '')} | {used.get('cores', '')} | {sizes.get('first')} | "
                     f"{sizes.get('last')} | {sizes.get('max')} |")
    lines += ["", f"Load generator: {cpu['load_generator_cores']} cores; machine: {cpu['cpus']} CPUs, shared "
              "(the load average counts everything running on it)."]
    return "\n".join(lines) + "\n"


def add_load_options(options: argparse.ArgumentParser, *, rate: float, rss_every: float) -> None:
    """The options of the load itself, shared with the soak (which has its own defaults)."""
    options.add_argument("--embedder", help="TTC_EMBEDDER for the server (default: the index's)")
    options.add_argument("--rate", type=float, default=rate, help=f"requests per second (default {rate:g})")
    options.add_argument("--rss-every", type=float, default=rss_every,
                         help=f"seconds between RSS samples (default {rss_every:g})")
    options.add_argument("--max-inflight", type=int, default=200, help="bound on requests in flight (default 200)")
    options.add_argument("--seed", type=int, default=9, help="seed of the request mix")


def main() -> None:
    options = parser(__doc__)
    add_source(options, "an index to serve (copied first unless --in-place)",
               "load a running server instead (RSS and CPU need --pid)")
    options.add_argument("--pid", type=int, help="with --url: the server's pid, for RSS and CPU")
    options.add_argument("--workers", type=int, default=1, help="`ttc serve --workers` (default 1)")
    options.add_argument("--in-place", action="store_true", help="serve --data-dir itself, not a copy")
    options.add_argument("--duration", type=float, default=60.0, help="seconds (default 60)")
    add_load_options(options, rate=100.0, rss_every=5.0)
    add_label(options, help="results file name: load-<label>.json (default rate-<rate>rps-<duration>s)")
    add_results_dir(options)
    args = options.parse_args()
    report = run(args, args.duration, args.rss_every)
    label = args.label or f"rate-{args.rate:g}rps-{args.duration:g}s"
    title = f"Load: {args.rate:g} req/s for {args.duration:g} s, {args.workers} worker{'s' if args.workers > 1 else ''}"
    path = write_results(args.results_dir, f"load-{label}", report, markdown(report, title))
    print(path.read_text(encoding="utf-8"))


def run(args: argparse.Namespace, duration: float, rss_every: float) -> dict[str, Any]:
    """Serve (unless --url), load, and return the report with its setup."""
    def measure(url: str, pid: int) -> dict[str, Any]:
        load = Load(url, pid, args.rate, duration, args.max_inflight, rss_every, args.seed, args.workers)
        asyncio.run(load.run())
        return load.report()

    if args.url:
        report = measure(args.url, args.pid or 0)
    else:
        with served(args.data_dir, args.embedder, args.workers, args.in_place) as (url, pid):
            report = measure(url, pid)
    report["setup"] = {"mix": MIX, "max_inflight": args.max_inflight, "cpus": os.cpu_count(),
                       "source": str(args.url or args.data_dir), "embedder": args.embedder or "index default",
                       "llm": "none (offline composer)", "rate_limit": "off",
                       "note": "questions cycle through a pool of 20, so query embeddings are mostly cached"}
    return report


if __name__ == "__main__":
    main()
