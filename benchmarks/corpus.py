"""A synthetic corpus for scale benchmarks, recombined from the real sample records (never shipped as data).

Each synthetic record takes the title of one real record and the first sentences of its description, adds
sentences from one to three other real records of the same field and language, and the organization and
country of yet another record of that field and language; keywords, TRL, IP status and cooperation come from
records of the same field. Ids are `synth-a-000001` / `synth-d-000001`, `source` is "synthetic". The output is
deterministic for a given N and seed: two runs write byte-identical files.

BENCHMARK DEVICE, NOT DATA: with `--vectors`, a seed vector file `vectors.e5.npz` is written beside the JSONL.
Each synthetic record's "vector" is a normalised mix of the real e5 vectors of its source records
(`data/sample/vectors.e5.npz`) plus small noise, keyed by the hash of the record's embedding text, so
`ttc ingest` seeds its vector cache from it and dense search can be measured at 150k records without hours of
e5. These vectors are not what e5 would compute; they only give dense search a realistic shape and cost.

    python -m benchmarks.corpus --n 150000 --out /tmp/ttc-bench/synthetic-150000 --vectors
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.harness import SAMPLE_DIR, parser
from retrieval.record import FIELDS, Record

__all__ = ["generate", "load_sample", "synthetic_vectors", "text_hash", "write_corpus"]

LEAD_CHARS = 400
_SENTENCE = re.compile(r"(?<=[.!?。！？；;])\s*")
_NOISE = 0.02


def text_hash(text: str) -> str:
    """The vector-cache key of an embedding text (as `retrieval.vectorizer.text_hash`)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def load_sample(folder: Path = SAMPLE_DIR) -> list[dict[str, Any]]:
    """The real sample records, in file order."""
    rows: list[dict[str, Any]] = []
    for name in ("achievements.jsonl", "demands.jsonl"):
        with (folder / name).open(encoding="utf-8") as handle:
            rows.extend(json.loads(line) for line in handle if line.strip())
    return rows


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _joiner(language: str) -> str:
    return "" if language in ("zh", "ja", "th") else " "


class _Pools:
    """Real records grouped by (kind, field, language), with fallbacks so that every field has both kinds."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.by_group: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        self.by_field_language: dict[tuple[str, str], list[int]] = defaultdict(list)
        for n, row in enumerate(rows):
            field, language = row.get("field") or "other", row.get("language") or "en"
            self.by_group[(row["kind"], field, language)].append(n)
            self.by_field_language[(field, language)].append(n)
        self.languages = sorted({lang for _, lang in self.by_field_language})
        # the (field, language) cells of each kind with their weights: the sample's own mix, every field present
        self.cells: dict[str, list[tuple[str, str]]] = {}
        self.weights: dict[str, list[float]] = {}
        for kind in ("achievement", "demand"):
            cells, weights = [], []
            for (field, language), members in sorted(self.by_field_language.items()):
                own = len(self.by_group.get((kind, field, language), []))
                cells.append((field, language))
                weights.append(own + 0.1 * len(members) + 1.0)
            self.cells[kind], self.weights[kind] = cells, weights

    def sources(self, kind: str, field: str, language: str) -> list[int]:
        own = self.by_group.get((kind, field, language), [])
        return own if len(own) >= 3 else self.by_field_language[(field, language)]


def generate(n: int, seed: int = 0,
             rows: list[dict[str, Any]] | None = None) -> Iterator[tuple[dict[str, Any], list[int]]]:
    """(synthetic record, indices of its source records: title source first) for n records, 2/3 achievements."""
    pools = _Pools(rows if rows is not None else load_sample())
    rng = random.Random(seed)
    achievements = n - n // 3
    counters = {"achievement": 0, "demand": 0}
    for number in range(n):
        kind = "achievement" if number % 3 != 2 or counters["demand"] >= n // 3 else "demand"
        if counters["achievement"] >= achievements:
            kind = "demand"
        counters[kind] += 1
        field, language = rng.choices(pools.cells[kind], weights=pools.weights[kind])[0]
        members = pools.sources(kind, field, language)
        base_index = rng.choice(members)
        base = pools.rows[base_index]
        others = [rng.choice(members) for _ in range(rng.randint(1, 3))]
        owner = pools.rows[rng.choice(pools.by_field_language[(field, language)])]
        extra = pools.rows[rng.choice(members)]
        sentences = _sentences(base["description"])[:1]
        for index in others:
            picked = _sentences(pools.rows[index]["description"])
            if picked:
                start = rng.randrange(len(picked))
                sentences.extend(picked[start:start + 2])
        description = _joiner(language).join(sentences)[:4000] or base["description"][:4000]
        keywords = list(dict.fromkeys((base.get("keywords") or [])[:4] + (extra.get("keywords") or [])[:3]))
        record = {
            "id": f"synth-{kind[0]}-{counters[kind]:06d}",
            "kind": kind,
            "title": base["title"][:500],
            "description": description,
            "field": field if field in FIELDS else "other",
            "keywords": keywords,
            "country": owner.get("country"),
            "organization": owner.get("organization"),
            "language": language,
            "trl": extra.get("trl"),
            "ip_status": extra.get("ip_status"),
            "cooperation": extra.get("cooperation") or [],
            "contact": None,
            "url": None,
            "date": base.get("date"),
            "source": "synthetic",
        }
        yield record, [base_index, *others]


def synthetic_vectors(sources: list[list[int]], rows: list[dict[str, Any]], seed: int = 0,
                      folder: Path = SAMPLE_DIR) -> np.ndarray:
    """One unit vector per synthetic record: 0.6 x its title source + 0.4 x the mean of its sentence sources,
    plus N(0, 0.02²) noise, from the real e5 vectors of the sample (a benchmark device, see the module doc)."""
    with np.load(folder / "vectors.e5.npz") as data:
        known = {str(h): n for n, h in enumerate(data["hashes"])}
        table = np.asarray(data["vectors"], dtype=np.float32)
    row_vectors = np.zeros((len(rows), table.shape[1]), dtype=np.float32)
    for n, row in enumerate(rows):
        key = text_hash(Record.model_validate(row).embedding_text(LEAD_CHARS))
        if key in known:
            row_vectors[n] = table[known[key]]
    rng = np.random.default_rng(seed)
    out = np.empty((len(sources), table.shape[1]), dtype=np.float32)
    for n, picked in enumerate(sources):
        mix = 0.6 * row_vectors[picked[0]] + 0.4 * row_vectors[picked[1:]].mean(axis=0)
        out[n] = mix
    out += rng.normal(0.0, _NOISE, size=out.shape).astype(np.float32)
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out


def write_corpus(out_dir: Path, n: int, *, seed: int = 0, vectors: bool = False) -> Path:
    """Write `records.jsonl` (and with `vectors`, the seed file `vectors.e5.npz`) into out_dir; returns the JSONL."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = load_sample()
    path = out_dir / "records.jsonl"
    hashes: list[str] = []
    sources: list[list[int]] = []
    with path.open("w", encoding="utf-8") as handle:
        for record, picked in generate(n, seed, rows):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            if vectors:
                hashes.append(text_hash(Record.model_validate(record).embedding_text(LEAD_CHARS)))
                sources.append(picked)
    if vectors:
        matrix = synthetic_vectors(sources, rows, seed)
        np.savez(out_dir / "vectors.e5.npz", hashes=np.array(hashes), vectors=matrix.astype(np.float16))
    return path


def main() -> None:
    options = parser(__doc__)
    options.add_argument("--n", type=int, default=150_000, help="how many records (default 150,000)")
    options.add_argument("--out", type=Path, required=True, help="work directory (never inside data/)")
    options.add_argument("--seed", type=int, default=0)
    options.add_argument("--vectors", action="store_true", help="also write the synthetic seed vectors.e5.npz")
    args = options.parse_args()
    path = write_corpus(args.out, args.n, seed=args.seed, vectors=args.vectors)
    print(json.dumps({"records": args.n, "file": str(path),
                      "vectors": str(args.out / "vectors.e5.npz") if args.vectors else None}))


if __name__ == "__main__":
    main()
