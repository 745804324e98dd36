"""A stand-in LLM server for the demo, the tests and the throughput benchmark.

It speaks both chat APIs the captioners use: Ollama's (`/api/tags`, `/api/chat`) and the
OpenAI-compatible one (`/v1/models`, `/v1/chat/completions`). Its capacity is known by
construction: `slots` requests are served in parallel, each takes `latency_s`, and the rest
wait in line, as on a vLLM or llama.cpp server with that many slots. The answer is the rule
captioner's caption of the product in the last user message, so captions are realistic and
pass validation; it counts every chat request, so a test can check that a re-run asks nothing.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ilid_platform.captions.rules import RuleCaptioner
from ilid_platform.captions.schema import ProductText

DEFAULT_MODEL = "stand-in:latest"
KEEP_BODIES = 50

Script = Callable[[dict, int], "tuple[int, str] | None"]
"""Given a chat body and its 0-based number, (HTTP status, answer content) to reply instead of
the caption, or None for the caption: how tests stage failures."""


def product_from_prompt(prompt: str) -> ProductText:
    """The product back from `captions.prompt.product_prompt`'s text."""
    fields: dict[str, object] = {"name": "", "description": "", "breadcrumbs": (), "brand": None}
    specs: dict[str, str] = {}
    for line in prompt.splitlines():
        key, _, value = line.partition(": ")
        if key == "Title":
            fields["name"] = value
        elif key == "Page title":
            fields["title"] = value
        elif key == "Category":
            fields["breadcrumbs"] = tuple(value.split(" > "))
        elif key.startswith("Brand"):
            fields["brand"] = value
        elif key == "Text":
            fields["description"] = value
        elif line.startswith("- ") and ": " in line:
            spec, _, spec_value = line[2:].partition(": ")
            specs[spec] = spec_value
    return ProductText(source="llm", url="", specs=specs, **fields)  # type: ignore[arg-type]


@dataclass
class LlmServer:
    """A running stand-in: its base URL and what it was asked."""

    url: str
    slots: int
    latency_s: float
    model: str
    requests: Counter = field(default_factory=Counter)
    max_in_flight: int = 0
    bodies: list[dict] = field(default_factory=list)
    """The last chat request bodies (at most `KEEP_BODIES`), for tests to inspect."""

    @property
    def capacity_per_s(self) -> float:
        return self.slots / self.latency_s if self.latency_s > 0 else float("inf")

    @property
    def chats(self) -> int:
        return self.requests["ollama_chat"] + self.requests["openai_chat"]


@contextmanager
def running_llm_server(
    slots: int = 4,
    latency_s: float = 0.05,
    model: str = DEFAULT_MODEL,
    script: Script | None = None,
) -> Iterator[LlmServer]:
    """Serve on 127.0.0.1 (a free port) until the block ends."""
    if slots < 1 or latency_s < 0:
        raise ValueError("slots must be >= 1 and latency_s >= 0")
    gate = threading.BoundedSemaphore(slots)
    lock = threading.Lock()
    captioner = RuleCaptioner()
    state = LlmServer(url="", slots=slots, latency_s=latency_s, model=model)
    in_flight = 0

    def answer(body: dict) -> str:
        nonlocal in_flight
        # the product is the last user turn with a title (a retry adds a rejection note after)
        users = [m["content"] for m in body["messages"] if m["role"] == "user"]
        prompt = next((u for u in reversed(users) if u.startswith("Title: ")), users[-1])
        outcome = captioner.caption(product_from_prompt(prompt))
        with gate:  # a slot is busy for exactly latency_s
            with lock:
                in_flight += 1
                state.max_in_flight = max(state.max_in_flight, in_flight)
            time.sleep(latency_s)
            with lock:
                in_flight -= 1
        return json.dumps(outcome.fields or {})

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers and pooled clients use

        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/api/tags":
                self._send(200, {"models": [{"name": model, "model": model, "size": 1}]})
            elif self.path == "/v1/models":
                self._send(200, {"object": "list", "data": [_model_card(model)]})
            else:
                self._send(404, {"error": f"no route {self.path}"})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if body.get("model") != model:
                self._send(404, {"error": f"model {body.get('model')!r} not found"})
                return
            api = {"/api/chat": "ollama", "/v1/chat/completions": "openai"}.get(self.path)
            if api is None:
                self._send(404, {"error": f"no route {self.path}"})
                return
            with lock:
                number = state.chats
                state.requests[f"{api}_chat"] += 1
                state.bodies = [*state.bodies[-KEEP_BODIES + 1 :], body]
            staged = script(body, number) if script else None
            status, content = staged if staged else (200, answer(body))
            if status != 200:
                self._send(
                    status, {"error": content} if api == "ollama" else _openai_error(content)
                )
            elif api == "ollama":
                self._send(200, _ollama_reply(model, content))
            else:
                self._send(200, _openai_reply(model, content))

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _model_card(model: str) -> dict:
    return {"id": model, "object": "model", "created": 0, "owned_by": "ilid"}


def _ollama_reply(model: str, content: str) -> dict:
    return {
        "model": model,
        "created_at": "2026-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": content},
        "done": True,
        "done_reason": "stop",
    }


def _openai_reply(model: str, content: str) -> dict:
    return {
        "id": "chatcmpl-ilid",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _openai_error(message: str) -> dict:
    return {"error": {"message": message, "type": "server_error", "param": None, "code": None}}
