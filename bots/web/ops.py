"""Operator routes: liveness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from bots.web.deps import ServicesDep
from bots.web.metrics import CONTENT_TYPE, Metrics

__all__ = ["router"]

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness, record count and dense backfill progress",
            responses={503: {"description": "Warming: the node is still filling its caches from the shared stores"}})
async def healthz(services: ServicesDep) -> Any:
    """`{"status":"ok","records":N,"pending_vectors":P}`: P records are searchable lexically only, until
    `ttc embed` (or an ingest) has computed their vectors. A node over a shared record store adds `replica`
    (`state`: warming, stale or ready; the feed generations applied and written; warm-up `progress`) and answers
    503 with `"status":"warming"` until its caches hold the shared corpus, so that a load balancer sends it
    nothing before."""
    counts = await run_in_threadpool(services.records.counts)
    body: dict[str, Any] = {"status": "ok", "records": counts.records, "pending_vectors": counts.pending_vectors}
    replica = await run_in_threadpool(services.records.replication)
    if replica is None:
        return body
    body["replica"] = replica
    if replica["state"] == "warming":
        return JSONResponse({**body, "status": "warming"}, status_code=503)
    return body


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
async def metrics(request: Request, services: ServicesDep) -> Response:
    """Request counts and latency histograms by route template and status, and the records gauge."""
    registry: Metrics = request.app.state.metrics
    counts = await run_in_threadpool(services.records.counts)
    return Response(registry.render(counts.records, counts.pending_vectors), media_type=CONTENT_TYPE)
