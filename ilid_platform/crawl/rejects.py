"""Why a request yielded no page: the crawl's reject reason for each kind of failure, as
reported in CrawlStats.rejects."""

from __future__ import annotations

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import TCPTimedOutError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from ilid_platform.crawl.guard import BLOCKED


def classify_failure(failure: Failure) -> str:
    """Reject reason for a failed request, as reported in CrawlStats.rejects."""
    if failure.check(HttpError):
        return f"http_{failure.value.response.status // 100}xx"
    if failure.check(IgnoreRequest):
        message = failure.getErrorMessage()
        if message.startswith(f"{BLOCKED}:"):
            return BLOCKED
        if "robots.txt" in message:
            return "robots"
        if "max redirections" in message:
            return "too_many_redirects"  # a true loop is recorded as redirect_loop on its own
        if "DOWNLOAD_MAXSIZE" in message:
            return "too_large"  # a compressed body that inflates past the page size limit
        return "ignored"
    if failure.check(
        DownloadTimeoutError, TwistedTimeoutError, TCPTimedOutError, PlaywrightTimeoutError
    ):
        return "timeout"
    if failure.check(DownloadCancelledError):
        # While crawling, Scrapy cancels a download only for DOWNLOAD_MAXSIZE: announced by
        # Content-Length ("max size" message) or reached while streaming (no message).
        return "too_large"
    if failure.check(ResponseDataLossError):
        return "truncated"
    if failure.check(PlaywrightError):
        return "browser_error"
    return "download_error"
