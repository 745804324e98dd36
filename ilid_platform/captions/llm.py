"""What every LLM captioner shares, whatever API its server speaks.

Each request carries `Caption.model_json_schema()` as the structured-output grammar, and the
answer is still validated, because word limits and "no digits" are beyond a JSON schema.
Transient failures (timeouts, 429/5xx, malformed or invalid answers) are retried with
exponential backoff, and a rejected answer is shown to the model with the reason; a product that
still fails becomes an error outcome instead of raising, so one bad product never stops a run.
`caption_many` keeps at most `concurrency` requests in flight: set it to the server's parallel
slots to run the server at capacity.

A client subclass only sends one chat request (`_ask`) and checks the server (`check_available`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from pydantic import ValidationError

from ilid_platform.captions.prompt import PROMPT_VERSION, chat_messages
from ilid_platform.captions.schema import Caption, CaptionOutcome, ProductText, validation_reason

logger = logging.getLogger(__name__)

Messages = list[dict[str, str]]


class CaptionerUnavailable(RuntimeError):
    """The server is unreachable or lacks the model: nothing can be captioned."""


class RetryableFailure(Exception):
    """A failed attempt worth repeating; a rejected `answer` is shown to the model next time."""

    def __init__(self, reason: str, answer: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.answer = answer


class RequestRejected(Exception):
    """The server refused the request for good (a 4xx other than 429): retrying cannot help."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LlmCaptioner:
    """Retries, validation and bounded concurrency around one client's `_ask`."""

    name = "llm"
    prompt_version = PROMPT_VERSION

    def __init__(
        self,
        model: str,
        timeout_s: float = 60.0,
        concurrency: int = 4,
        retries: int = 2,
        temperature: float = 0.0,
        backoff_s: float = 1.0,
        trade_name_regex: str | None = None,
    ) -> None:
        if concurrency < 1 or retries < 0:
            raise ValueError("concurrency must be >= 1 and retries >= 0")
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self.model = model
        self.timeout_s = timeout_s
        self.concurrency = concurrency
        self.retries = retries
        self.temperature = temperature
        self.backoff_s = backoff_s
        self.trade_name_regex = trade_name_regex

    def check_available(self) -> None:
        """Fail fast, before a run, when the server or the model is missing."""
        raise NotImplementedError

    def _ask(self, messages: Messages) -> str:
        """Send one chat request constrained to the caption schema; return the raw answer.
        Raise `RetryableFailure` for what a retry may fix, `RequestRejected` otherwise."""
        raise NotImplementedError

    def caption(self, product: ProductText) -> CaptionOutcome:
        messages = chat_messages(product)
        reason = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                caption = self._validated(self._ask(messages))
            except RetryableFailure as failure:
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
            except RequestRejected as rejected:
                return CaptionOutcome(error=rejected.reason)
            return CaptionOutcome(fields=caption.model_dump())
        return CaptionOutcome(error=f"{reason} (after {self.retries + 1} attempts)")

    @staticmethod
    def _validated(answer: str) -> Caption:
        try:
            return Caption.model_validate_json(answer)
        except ValidationError as error:
            if any(item["type"] == "json_invalid" for item in error.errors()):
                raise RetryableFailure(f"llm_invalid_json: {answer[:200]!r}", answer) from error
            raise RetryableFailure(validation_reason(error, "llm_invalid"), answer) from error

    def caption_many(
        self, products: Iterable[ProductText]
    ) -> Iterator[tuple[ProductText, CaptionOutcome]]:
        """Captions in completion order, with at most `concurrency` requests in flight and a
        short queue, so a consumer that writes in batches loses little when killed."""
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix=self.name) as pool:
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


def retryable_status(status: int) -> bool:
    return status == 429 or status >= 500
