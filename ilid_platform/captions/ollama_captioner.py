"""Captions from an Ollama server with structured JSON output (ILID's LLM step).

Every request carries the caption's JSON schema as `format`; retries, validation and
concurrency are `LlmCaptioner`'s.
"""

from __future__ import annotations

import httpx
import ollama

from ilid_platform.captions.llm import (
    CaptionerUnavailable,
    LlmCaptioner,
    Messages,
    RequestRejected,
    RetryableFailure,
    retryable_status,
)
from ilid_platform.captions.schema import Caption

DEFAULT_MODEL = "llama3.1:8b-instruct-q4_K_M"

__all__ = ["DEFAULT_MODEL", "CaptionerUnavailable", "OllamaCaptioner"]


class OllamaCaptioner(LlmCaptioner):
    name = "ollama"

    def __init__(
        self, host: str = "http://127.0.0.1:11434", model: str = DEFAULT_MODEL, **options
    ) -> None:
        super().__init__(model, **options)
        self.host = host
        # One httpx-backed client is thread-safe and pools connections for all workers.
        self._client = ollama.Client(host=host, timeout=self.timeout_s)

    def check_available(self) -> None:
        try:
            listed = self._client.list()
        except (ConnectionError, httpx.HTTPError, ollama.ResponseError) as error:
            raise CaptionerUnavailable(
                f"Ollama server at {self.host} is not reachable ({error}); start it with "
                "`ollama serve` or point the captioner at another host"
            ) from error
        names = {m.model for m in listed.models if m.model}
        wanted = self.model if ":" in self.model else f"{self.model}:latest"
        if wanted not in names:
            raise CaptionerUnavailable(
                f"Ollama server at {self.host} has no model {self.model!r} "
                f"(it has {sorted(names) or 'none'}); run `ollama pull {self.model}`"
            )

    def _ask(self, messages: Messages) -> str:
        try:
            response = self._client.chat(
                model=self.model,
                messages=messages,
                format=Caption.model_json_schema(),
                options={"temperature": self.temperature},
            )
        except httpx.TimeoutException as error:
            raise RetryableFailure(f"llm_timeout: no answer within {self.timeout_s}s") from error
        except (ConnectionError, httpx.TransportError) as error:
            raise RetryableFailure(f"llm_unreachable: {error}") from error
        except ollama.ResponseError as error:
            reason = f"llm_http_{error.status_code}: {error.error}"
            if retryable_status(error.status_code):
                raise RetryableFailure(reason) from error
            raise RequestRejected(reason) from error
        return response.message.content or ""

    def __repr__(self) -> str:
        return f"OllamaCaptioner(host={self.host!r}, model={self.model!r})"
