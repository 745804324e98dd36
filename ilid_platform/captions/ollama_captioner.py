"""Captions from an Ollama server with structured JSON output (ILID's LLM step).

Every request carries `Caption.model_json_schema()` as `format`, so the server constrains the
answer to the five fields; the answer is still validated because word limits and "no digits"
are beyond a JSON schema. Transient failures (timeouts, 5xx, malformed or invalid answers) are
retried with exponential backoff; a product that still fails is reported as an `llm_error`
outcome instead of raising, so one bad product never stops a run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

import httpx
import ollama
from pydantic import ValidationError

from ilid_platform.captions.prompt import PROMPT_VERSION, chat_messages
from ilid_platform.captions.schema import Caption, CaptionOutcome, ProductText, validation_reason

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "llama3.1:8b-instruct-q4_K_M"


class CaptionerUnavailable(RuntimeError):
    """The server is unreachable or lacks the model: nothing can be captioned."""


class _Retryable(Exception):
    """A failed attempt worth repeating; a rejected `answer` is shown to the model next time."""

    def __init__(self, reason: str, answer: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.answer = answer


class OllamaCaptioner:
    name = "ollama"
    prompt_version = PROMPT_VERSION

    def __init__(
        self,
        host: str = "http://127.0.0.1:11434",
        model: str = DEFAULT_MODEL,
        timeout_s: float = 60.0,
        concurrency: int = 4,
        retries: int = 2,
        temperature: float = 0.0,
        backoff_s: float = 1.0,
        trade_name_regex: str | None = None,
    ) -> None:
        if concurrency < 1 or retries < 0:
            raise ValueError("concurrency must be >= 1 and retries >= 0")
        self.host = host
        self.model = model
        self.timeout_s = timeout_s
        self.concurrency = concurrency
        self.retries = retries
        self.temperature = temperature
        self.backoff_s = backoff_s
        self.trade_name_regex = trade_name_regex
        # One httpx-backed client is thread-safe and pools connections for all workers.
        self._client = ollama.Client(host=host, timeout=timeout_s)

    def check_available(self) -> None:
        """Fail fast, before a run, when the server or the model is missing."""
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

    def caption(self, product: ProductText) -> CaptionOutcome:
        messages = chat_messages(product)
        reason = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                caption = self._ask(messages)
            except _Retryable as failure:
                reason = failure.reason
                logger.debug("%s attempt %d failed: %s", product.url, attempt + 1, reason)
                if failure.answer is not None:
                    messages = chat_messages(product) + [
                        {"role": "assistant", "content": failure.answer},
                        {
                            "role": "user",
                            "content": f"That answer was rejected ({reason}). "
                            "Answer again with corrected JSON only.",
                        },
                    ]
                continue
            except ollama.ResponseError as error:
                return CaptionOutcome(error=f"llm_http_{error.status_code}: {error.error}")
            return CaptionOutcome(fields=caption.model_dump())
        return CaptionOutcome(error=f"{reason} (after {self.retries + 1} attempts)")

    def _ask(self, messages: list[dict[str, str]]) -> Caption:
        try:
            response = self._client.chat(
                model=self.model,
                messages=messages,
                format=Caption.model_json_schema(),
                options={"temperature": self.temperature},
            )
        except httpx.TimeoutException as error:
            raise _Retryable(f"llm_timeout: no answer within {self.timeout_s}s") from error
        except (ConnectionError, httpx.TransportError) as error:
            raise _Retryable(f"llm_unreachable: {error}") from error
        except ollama.ResponseError as error:
            if error.status_code >= 500 or error.status_code == 429:
                raise _Retryable(f"llm_http_{error.status_code}: {error.error}") from error
            raise
        answer = response.message.content or ""
        try:
            return Caption.model_validate_json(answer)
        except ValidationError as error:
            if any(item["type"] == "json_invalid" for item in error.errors()):
                raise _Retryable(f"llm_invalid_json: {answer[:200]!r}", answer) from error
            raise _Retryable(validation_reason(error, "llm_invalid"), answer) from error

    def caption_many(
        self, products: Iterable[ProductText]
    ) -> Iterator[tuple[ProductText, CaptionOutcome]]:
        """Captions in completion order, with at most `concurrency` requests in flight and a
        short queue, so a consumer that writes in batches loses little when killed."""
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="ollama") as pool:
            pending: dict[Future[CaptionOutcome], ProductText] = {}
            for product in products:
                pending[pool.submit(self.caption, product)] = product
                if len(pending) >= 2 * self.concurrency:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield pending.pop(future), future.result()
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield pending.pop(future), future.result()

    def __repr__(self) -> str:
        return f"OllamaCaptioner(host={self.host!r}, model={self.model!r})"
