"""An OpenAI-compatible chat endpoint on 127.0.0.1 that plays a model which understands every need perfectly:
asked to rewrite a question (prompts/rewrite.txt), it answers with the English summary a person wrote for it;
asked to judge records (prompts/judge.txt), it gives each the relevance grade a person judged it (0 when unjudged);
asked to answer, it cites the records it is given, in their order. It bounds what the model path can add to
retrieval, with the model's own skill taken out; it is not a measurement of any real model."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["oracle_model"]

_RECORD = re.compile(r'<record id="([^"]+)"')
_REQUEST = re.compile(r"<request>\n(.*)\n</request>", re.DOTALL)


def _reply(summaries: Mapping[str, str], content: str, cite: int,
           grades: Mapping[str, Mapping[str, int]] | None = None) -> str:
    asked = _REQUEST.search(content)
    if asked and "<records>" in content:
        known = (grades or {}).get(" ".join(asked.group(1).split()), {})
        verdicts = [{"id": i, "fit": min(int(known.get(i, 0)), 2), "reason": "judged relevant" if known.get(i) else ""}
                    for i in _RECORD.findall(content)]
        return json.dumps({"records": sorted(verdicts, key=lambda v: -int(v["fit"]))})
    if asked:
        question = " ".join(asked.group(1).split())
        return json.dumps({"query": summaries.get(question, "")})
    return " ".join(f"[{record_id}]" for record_id in _RECORD.findall(content)[:cite]) or "Nothing fits."


@contextmanager
def oracle_model(summaries: Mapping[str, str], cite: int = 5,
                 grades: Mapping[str, Mapping[str, int]] | None = None) -> Iterator[str]:
    """Serve the model until the block ends; yields its base URL (…/v1). `summaries` maps each question (its
    whitespace collapsed, with < and > as the prompt fences them) to the query to rewrite it as, `grades` each
    question to its records' relevance grades."""
    def fence(question: str) -> str:
        return " ".join(question.replace("<", "‹").replace(">", "›").split())

    fenced = {fence(q): s for q, s in summaries.items()}
    graded = {fence(q): g for q, g in (grades or {}).items()}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            text = _reply(fenced, request["messages"][-1]["content"], cite, graded)
            if request.get("stream"):
                chunk = {"id": "o", "object": "chat.completion.chunk", "created": 0, "model": "oracle",
                         "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": "stop"}]}
                body = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
                content_type = "text/event-stream"
            else:
                body = json.dumps({"id": "o", "object": "chat.completion", "created": 0, "model": "oracle",
                                   "choices": [{"index": 0, "finish_reason": "stop",
                                                "message": {"role": "assistant", "content": text}}]}).encode()
                content_type = "application/json"
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
