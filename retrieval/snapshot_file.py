"""The vector snapshot on disk: built once per catalog generation, then memory-mapped by every process.

Building a snapshot reads every vector from SQLite and computes both calibrations: about 10 s at 150k records
on two cores, paid by every `ttc serve` start and by every worker process. Stored as two files named for the
catalog generation (which changes with every write that changes what the snapshot holds), a later start
loads it in well under a second, and the vectors, a read-only memory map, sit once in the page cache however
many worker processes search them. Writes are atomic (temporary file, then rename); a stale or damaged file
is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np

from retrieval.snapshot import VectorSnapshot

__all__ = ["load_snapshot", "save_snapshot"]


def _paths(directory: Path, model: str, generation: int) -> tuple[Path, Path]:
    stem = f"snapshot-{model}-{generation}"
    return directory / f"{stem}.vectors.npy", directory / f"{stem}.state.npz"


def load_snapshot(directory: Path, model: str, generation: int) -> VectorSnapshot | None:
    """The stored snapshot of this generation, or None when there is none (or it cannot be read)."""
    vectors_path, state_path = _paths(directory, model, generation)
    if not state_path.exists():
        return None
    try:
        vectors = np.load(vectors_path, mmap_mode="r")
        with np.load(state_path, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
        return VectorSnapshot.restore(vectors, arrays)
    except (OSError, ValueError, KeyError, EOFError):
        return None


def save_snapshot(snapshot: VectorSnapshot, directory: Path, model: str, generation: int) -> None:
    """Store `snapshot` as this generation's files and remove older generations' (best effort: a full disk or
    a read-only directory only costs the next start its rebuild)."""
    vectors_path, state_path = _paths(directory, model, generation)
    vectors, arrays = snapshot.state()
    suffix = f".tmp-{os.getpid()}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with open(f"{vectors_path}{suffix}", "wb") as handle:
            np.save(handle, np.ascontiguousarray(vectors, dtype=np.float32))
        with open(f"{state_path}{suffix}", "wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]  # numpy's stub mistakes ** for allow_pickle
        os.replace(f"{vectors_path}{suffix}", vectors_path)
        os.replace(f"{state_path}{suffix}", state_path)  # last: its presence means the pair is complete
    except OSError:
        for leftover in (f"{vectors_path}{suffix}", f"{state_path}{suffix}"):
            with contextlib.suppress(OSError):
                os.unlink(leftover)
        return
    prefix = f"snapshot-{model}-"
    for old in directory.glob(f"{prefix}*"):
        stored = old.name[len(prefix):].split(".", 1)[0]
        if stored.isdigit() and int(stored) < generation and ".tmp-" not in old.name:
            with contextlib.suppress(OSError):  # a process still mapping it keeps its pages until it lets go
                old.unlink()
