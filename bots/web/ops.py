"""Operator routes: liveness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from bots.web.deps import ServicesDep
from bots.web.metrics import CONTENT_TYPE, Metrics

__all__ = ["router"]

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness, record count and dense backfill progress")
async def healthz(services: ServicesDep) -> dict[str, Any]:
    """`{"status":"ok","records":N,"pending_vectors":P}`: P records are searchable lexically only, until
    `ttc embed` (or an ingest) has computed their vectors."""
    counts = await run_in_threadpool(services.records.counts)
    return {"status": "ok", "records": counts.records, "pending_vectors": counts.pending_vectors}


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
async def metrics(request: Request, services: ServicesDep) -> Response:
    """Request counts and latency histograms by route template and status, and the records gauge."""
    registry: Metrics = request.app.state.metrics
    counts = await run_in_threadpool(services.records.counts)
    return Response(registry.render(counts.records, counts.pending_vectors), media_type=CONTENT_TYPE)
