"""Loopback load test: a mixed chat / search / inquiries load at a target rate against `ttc serve`.

Starts `ttc serve` in a subprocess on a free 127.0.0.1 port with the rate limiter off (TTC_RATE_LIMIT_PER_MINUTE=0),
then sends requests *open loop*: request n is due at start + n / rate whatever the server does, so a slow server
shows up as latency (measured from the due time, which avoids coordinated omission) rather than as a politely
lower rate. In-flight requests are bounded (`--max-inflight`); a request due while the bound is reached counts as
an error ("backlog"). The server's RSS is sampled from /proc throughout.

    python benchmarks/load_test.py --data-dir /tmp/loadidx                         # 100 req/s for 60 s
    python benchmarks/load_test.py --data-dir /tmp/loadidx --rate 50 --duration 30
    python benchmarks/load_test.py --data-dir /tmp/loadidx --rate 20 --soak 600    # 10 minutes, RSS every 10 s

The index is written to (inquiries, sessions): point it at a copy. Results: benchmarks/results/load-<label>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

RESULTS = Path(__file__).parent / "results"
QUESTIONS = [
    "Who offers drone technology for remote areas?", "recycled carbon fibre composites for wind turbines",
    "AI solutions for monitoring soil and crops", "光伏组件寿命预测技术", "Технологии переработки отходов",
    "tecnologia de baterias para armazenamento de energia", "soluciones de inteligencia artificial para hospitales",
    "capteurs pour la maintenance ferroviaire", "تقنيات تحلية المياه", "hydrogen storage tanks",
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float | None:
    """Resident set size of a process, from /proc (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


@contextmanager
def served(data_dir: Path, embedder: str | None) -> Iterator[tuple[str, int]]:
    """`ttc serve` on a free port with the rate limit off; yields (base URL, pid)."""
    port = free_port()
    env = {**os.environ, "TTC_RATE_LIMIT_PER_MINUTE": "0"}
    if embedder:
        env["TTC_EMBEDDER"] = embedder
    process = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(port),
                                "--data-dir", str(data_dir)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise SystemExit(f"server exited: {process.stderr.read().decode()[-2000:] if process.stderr else ''}")
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server did not become healthy in 120 s")
            time.sleep(0.2)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def percentiles(values: list[float]) -> dict[str, float | None]:
    ordered = sorted(values)

    def pct(p: float) -> float | None:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1) if ordered else None

    return {"p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "max_ms": round(ordered[-1], 1) if ordered else None}


class Load:
    """One run: schedules, sends and records requests; samples RSS."""

    def __init__(self, url: str, pid: int, rate: float, duration: float, max_inflight: int, rss_every: float,
                 seed: int) -> None:
        self.url, self.pid, self.rate, self.duration = url, pid, rate, duration
        self.max_inflight, self.rss_every = max_inflight, rss_every
        self.random = random.Random(seed)
        self.latencies: dict[str, list[float]] = {name: [] for name in MIX}
        self.statuses: dict[str, Counter[str]] = {name: Counter() for name in MIX}
        self.rss: list[dict[str, float | None]] = []
        self.inflight = 0
        self.max_lag_ms = 0.0

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

    async def _sample_rss(self, started: float, stop: asyncio.Event) -> None:
        while True:
            self.rss.append({"t_s": round(time.perf_counter() - started, 1), "rss_mb": rss_mb(self.pid)})
            try:
                await asyncio.wait_for(stop.wait(), self.rss_every)
                return
            except TimeoutError:
                continue

    async def run(self) -> None:
        limits = httpx.Limits(max_connections=self.max_inflight, max_keepalive_connections=self.max_inflight)
        async with httpx.AsyncClient(base_url=self.url, timeout=30, limits=limits) as client:
            for question in QUESTIONS:  # warm-up (model load, query caches); not counted
                await client.get("/v1/search", params={"q": question, "k": 10})
                await client.post("/v1/chat", json={"message": question})
            stop = asyncio.Event()
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
            stop.set()
            await sampler
            self.rss.append({"t_s": round(time.perf_counter() - started, 1), "rss_mb": rss_mb(self.pid)})

    def report(self) -> dict[str, Any]:
        endpoints = {}
        for kind in MIX:
            ok = len(self.latencies[kind])
            sent = sum(self.statuses[kind].values())
            endpoints[kind] = {"requests": sent, "ok": ok, "errors": sent - ok,
                               "statuses": dict(self.statuses[kind]), **percentiles(self.latencies[kind])}
        every = [value for values in self.latencies.values() for value in values]
        sent = sum(e["requests"] for e in endpoints.values())
        samples = [s["rss_mb"] for s in self.rss if s["rss_mb"] is not None]
        return {
            "target_rate_rps": self.rate, "duration_s": self.duration,
            "sent": sent, "achieved_rate_rps": round(sent / self.wall, 1),
            "completed_ok_rps": round(len(every) / self.wall, 1),
            "errors": sent - len(every), "max_scheduling_lag_ms": round(self.max_lag_ms, 1),
            "latency_from_due_time": percentiles(every), "endpoints": endpoints,
            "rss_mb": {"start": samples[0] if samples else None, "end": samples[-1] if samples else None,
                       "max": max(samples) if samples else None, "samples": self.rss},
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data-dir", type=Path, help="an index to serve (a copy: the run writes inquiries)")
    source.add_argument("--url", help="load a running server instead (RSS needs --pid)")
    parser.add_argument("--pid", type=int, help="with --url: the server's pid, for RSS")
    parser.add_argument("--embedder", help="TTC_EMBEDDER for the server (default: the index's)")
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second (default 100)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--soak", type=float, metavar="SECONDS", help="a soak run this long; RSS every 10 s")
    parser.add_argument("--rss-every", type=float, default=5.0, help="seconds between RSS samples (default 5)")
    parser.add_argument("--max-inflight", type=int, default=200, help="bound on requests in flight (default 200)")
    parser.add_argument("--seed", type=int, default=9, help="seed of the request mix")
    parser.add_argument("--label", help="results file name: load-<label>.json")
    args = parser.parse_args()
    duration = args.soak or args.duration
    rss_every = 10.0 if args.soak else args.rss_every

    def measure(url: str, pid: int) -> dict[str, Any]:
        load = Load(url, pid, args.rate, duration, args.max_inflight, rss_every, args.seed)
        asyncio.run(load.run())
        return load.report()

    if args.url:
        report = measure(args.url, args.pid or 0)
    else:
        with served(args.data_dir, args.embedder) as (url, pid):
            report = measure(url, pid)
    report["setup"] = {"mix": MIX, "max_inflight": args.max_inflight, "cpus": os.cpu_count(),
                       "source": str(args.url or args.data_dir), "embedder": args.embedder or "index default",
                       "llm": "none (offline composer)", "rate_limit": "off",
                       "note": "questions cycle through a pool of 20, so query embeddings are mostly cached"}
    print(json.dumps({k: v for k, v in report.items() if k != "rss_mb"} | {
        "rss_mb": {k: v for k, v in report["rss_mb"].items() if k != "samples"}}, indent=2))
    RESULTS.mkdir(exist_ok=True)
    label = args.label or f"{'soak' if args.soak else 'rate'}-{args.rate:g}rps-{duration:g}s"
    (RESULTS / f"load-{label}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
