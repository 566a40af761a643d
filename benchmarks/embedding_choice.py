"""One way to fill the dense index (`Choice`) and the choices the embedding benchmark compares."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CHOICES", "FRACTIONS", "FULL", "Choice"]

FULL = 1_000_000
"""A lead this long is the whole description."""
FRACTIONS = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Choice:
    """One way to fill the dense index: embedder, lead length, and (throughput only) how the cores are used."""

    name: str
    embedder: str
    lead_chars: int
    threads: int | None = None
    processes: int = 1

    @property
    def quality_run(self) -> bool:
        """Thread and process variants compute the same vectors as their one-process choice: no quality run."""
        return self.threads is None and self.processes == 1


CHOICES = {c.name: c for c in (
    Choice("e5-200", "e5", 200), Choice("e5-400", "e5", 400), Choice("e5-1000", "e5", 1000),
    Choice("e5-full", "e5", FULL), Choice("use-400", "use", 400),
    Choice("e5-400-1thread", "e5", 400, threads=1), Choice("e5-400-2x1thread", "e5", 400, threads=1, processes=2),
)}
