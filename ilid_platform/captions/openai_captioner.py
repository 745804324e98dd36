"""Captions from any OpenAI-compatible chat server (vLLM, llama.cpp's server, SGLang, OpenAI).

These servers batch requests across parallel slots, so they caption at their capacity when
`concurrency` matches their slots. Each request asks for `response_format` = the caption's JSON
schema; retries, validation and concurrency are `LlmCaptioner`'s.
"""

from __future__ import annotations

import os

import openai

from ilid_platform.captions.llm import (
    CaptionerUnavailable,
    LlmCaptioner,
    Messages,
    RequestRejected,
    RetryableFailure,
    retryable_status,
)
from ilid_platform.captions.schema import Caption

DEFAULT_BASE_URL = "http://127.0.0.1:8000/v1"
# Local servers accept any key; the client library insists on one.
LOCAL_API_KEY = "not-needed"

RESPONSE_FORMAT = {
    "type": "json_schema",
    "json_schema": {"name": "ilid_caption", "schema": Caption.model_json_schema(), "strict": True},
}


class OpenAICaptioner(LlmCaptioner):
    name = "openai"

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        model: str = "Qwen/Qwen2.5-7B-Instruct",
        api_key: str | None = None,
        **options,
    ) -> None:
        super().__init__(model, **options)
        self.base_url = base_url
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or os.environ.get("OPENAI_API_KEY") or LOCAL_API_KEY,
            timeout=self.timeout_s,
            max_retries=0,  # LlmCaptioner retries, with the rejected answer shown
        )

    def check_available(self) -> None:
        try:
            listed = [m.id for m in self._client.models.list()]
        except openai.APIStatusError as error:
            raise CaptionerUnavailable(
                f"OpenAI-compatible server at {self.base_url} refused to list models "
                f"(HTTP {error.status_code}); check the base URL and the API key"
            ) from error
        except openai.APIError as error:
            raise CaptionerUnavailable(
                f"OpenAI-compatible server at {self.base_url} is not reachable ({error}); start "
                "it (e.g. `vllm serve MODEL`) or point the captioner at another base URL"
            ) from error
        if self.model not in listed:
            raise CaptionerUnavailable(
                f"OpenAI-compatible server at {self.base_url} does not serve {self.model!r} "
                f"(it serves {sorted(listed) or 'nothing'})"
            )

    def _ask(self, messages: Messages) -> str:
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                response_format=RESPONSE_FORMAT,  # type: ignore[arg-type]
                temperature=self.temperature,
            )
        except openai.APITimeoutError as error:
            raise RetryableFailure(f"llm_timeout: no answer within {self.timeout_s}s") from error
        except openai.APIConnectionError as error:
            raise RetryableFailure(f"llm_unreachable: {error}") from error
        except openai.APIStatusError as error:
            reason = f"llm_http_{error.status_code}: {error.message}"
            if retryable_status(error.status_code):
                raise RetryableFailure(reason) from error
            raise RequestRejected(reason) from error
        if not response.choices:
            raise RetryableFailure("llm_empty: the server returned no choice")
        return response.choices[0].message.content or ""

    def __repr__(self) -> str:
        return f"OpenAICaptioner(base_url={self.base_url!r}, model={self.model!r})"
