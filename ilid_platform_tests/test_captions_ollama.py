"""OllamaCaptioner against a real local HTTP server that speaks Ollama's REST API."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ilid_platform.captions.ollama_captioner import CaptionerUnavailable, OllamaCaptioner
from ilid_platform.captions.schema import Caption, ProductText

MODEL = "llama3.1:8b-instruct-q4_K_M"
VALID = {
    "label_short": "hex nut",
    "label_long": "hexagon nut, stainless steel",
    "description": "Hexagon nut for machine screws and threaded rod.",
    "material": "stainless steel",
    "material_finish": "polished",
}
PRODUCT = ProductText(
    source="acme",
    url="http://shop.example/p/1",
    name="FixMaster Pro Hex Nut M8 DIN 934, stainless steel A2",
    description="Hexagon nut for machine screws.",
    specs={"Material": "Stainless steel A2", "Finish": "Polished"},
    breadcrumbs=("Home", "Fasteners", "Hex nuts"),
    image_urls=("http://shop.example/i/1.jpg",),
)


@dataclass
class Reply:
    content: str = json.dumps(VALID)
    status: int = 200
    delay_s: float = 0.0


@dataclass
class OllamaStub:
    """Answers /api/tags with `models` and /api/chat with `script(body, n)` for the n-th chat."""

    script: Callable[[dict, int], Reply] = lambda body, n: Reply()
    models: tuple[str, ...] = (MODEL,)
    chats: list[dict] = field(default_factory=list)
    max_in_flight: int = 0
    url: str = ""
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def ollama_stub(stub: OllamaStub) -> Iterator[OllamaStub]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _send(self, status: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path != "/api/tags":
                self._send(404, {"error": "not found"})
                return
            self._send(200, {"models": [{"name": m, "model": m, "size": 1} for m in stub.models]})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with stub._lock:
                stub.chats.append(body)
                n = len(stub.chats)
                stub._in_flight += 1
                stub.max_in_flight = max(stub.max_in_flight, stub._in_flight)
            try:
                reply = stub.script(body, n)
                time.sleep(reply.delay_s)
                if reply.status != 200:
                    self._send(reply.status, {"error": f"stub error {reply.status}"})
                    return
                self._send(
                    200,
                    {
                        "model": body["model"],
                        "created_at": "2024-05-01T00:00:00Z",
                        "message": {"role": "assistant", "content": reply.content},
                        "done": True,
                        "done_reason": "stop",
                    },
                )
            finally:
                with stub._lock:
                    stub._in_flight -= 1

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address) -> None:
            pass  # a client that timed out closed the socket under a slow reply

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


def _captioner(stub: OllamaStub, **options) -> OllamaCaptioner:
    settings = {"model": MODEL, "timeout_s": 5, "concurrency": 1, "retries": 2, "backoff_s": 0.01}
    return OllamaCaptioner(host=stub.url, **{**settings, **options})


def test_valid_answer_is_ok_and_request_carries_schema_and_prompt():
    with ollama_stub(OllamaStub()) as stub:
        outcome = _captioner(stub).caption(PRODUCT)
    assert outcome.error is None
    assert outcome.fields == VALID
    [body] = stub.chats
    assert body["format"] == Caption.model_json_schema()
    assert body["model"] == MODEL
    assert body["options"]["temperature"] == 0
    assert body["stream"] is False
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert PRODUCT.name in body["messages"][-1]["content"]
    assert "Material: Stainless steel A2" in body["messages"][-1]["content"]


def test_malformed_json_then_valid_on_retry_with_feedback():
    script = lambda body, n: Reply('{"label_short": "hex nut", ') if n == 1 else Reply()  # noqa: E731
    with ollama_stub(OllamaStub(script)) as stub:
        outcome = _captioner(stub).caption(PRODUCT)
    assert outcome.fields == VALID
    assert len(stub.chats) == 2
    retry = stub.chats[1]["messages"]
    assert retry[-2] == {"role": "assistant", "content": '{"label_short": "hex nut", '}
    assert "llm_invalid_json" in retry[-1]["content"]


def test_invalid_caption_is_retried_then_reported():
    digits = json.dumps({**VALID, "label_long": "hex nut M8 DIN 934"})
    with ollama_stub(OllamaStub(lambda body, n: Reply(digits))) as stub:
        outcome = _captioner(stub, retries=1).caption(PRODUCT)
    assert outcome.fields is None
    assert outcome.error.startswith("llm_invalid_label_long: must not contain digits")
    assert outcome.error.endswith("(after 2 attempts)")
    assert len(stub.chats) == 2


def test_always_malformed_is_an_llm_error_not_an_exception():
    with ollama_stub(OllamaStub(lambda body, n: Reply("not json at all"))) as stub:
        outcome = _captioner(stub).caption(PRODUCT)
    assert outcome.fields is None
    assert outcome.error.startswith("llm_invalid_json")
    assert len(stub.chats) == 3


def test_slow_reply_times_out_without_hanging():
    with ollama_stub(OllamaStub(lambda body, n: Reply(delay_s=3.0))) as stub:
        started = time.monotonic()
        outcome = _captioner(stub, timeout_s=0.3, retries=1).caption(PRODUCT)
        elapsed = time.monotonic() - started
    assert outcome.error.startswith("llm_timeout: no answer within 0.3s")
    assert len(stub.chats) == 2
    assert elapsed < 2.0


def test_server_errors_are_retried_then_reported():
    with ollama_stub(OllamaStub(lambda body, n: Reply(status=500))) as stub:
        outcome = _captioner(stub).caption(PRODUCT)
    assert outcome.error.startswith("llm_http_500: stub error 500")
    assert len(stub.chats) == 3

    script = lambda body, n: Reply(status=503) if n == 1 else Reply()  # noqa: E731
    with ollama_stub(OllamaStub(script)) as stub:
        assert _captioner(stub).caption(PRODUCT).fields == VALID


def test_client_errors_are_not_retried():
    with ollama_stub(OllamaStub(lambda body, n: Reply(status=404))) as stub:
        outcome = _captioner(stub).caption(PRODUCT)
    assert outcome.error == "llm_http_404: stub error 404"
    assert len(stub.chats) == 1


def test_caption_many_keeps_concurrency_bounded():
    products = [ProductText("acme", f"http://shop.example/p/{i}", f"Nut {i}") for i in range(8)]
    with ollama_stub(OllamaStub(lambda body, n: Reply(delay_s=0.15))) as stub:
        results = list(_captioner(stub, concurrency=3).caption_many(products))
    assert sorted(p.url for p, _ in results) == sorted(p.url for p in products)
    assert all(outcome.fields == VALID for _, outcome in results)
    assert stub.max_in_flight == 3


def test_check_available():
    with ollama_stub(OllamaStub(models=(MODEL, "llama3:latest"))) as stub:
        _captioner(stub).check_available()
        _captioner(stub, model="llama3").check_available()
        with pytest.raises(CaptionerUnavailable, match="ollama pull qwen2.5:7b"):
            _captioner(stub, model="qwen2.5:7b").check_available()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with pytest.raises(CaptionerUnavailable, match="not reachable"):
        OllamaCaptioner(host=closed, timeout_s=2).check_available()
