"""Downloading: Scrapy's downloader with its per-domain limit enforced, and the browser
download handler for pages that need rendering, with a deadline and the address guard."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from scrapy import Request, Spider
from scrapy.core.downloader import Downloader, Slot
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadTimeoutError
from scrapy.http import Response
from scrapy.settings.default_settings import DOWNLOAD_TIMEOUT
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from twisted.internet.defer import Deferred

from ilid_platform.addresses import BlockedAddress
from ilid_platform.crawl.guard import BLOCKED, policy_from

logger = logging.getLogger(__name__)


def abort_heavy_request(request: Any) -> bool:
    """Rendering needs the DOM, not pixels: skip images, fonts and media in the browser."""
    return request.resource_type in ("image", "font", "media")


async def wait_until_rendered(page: Page, selector: str | None, timeout_ms: float) -> None:
    """Return once the source's product selector is in the DOM or the network has gone idle.

    Racing the two keeps product pages fast and lets listing pages, which lack the selector,
    finish at network idle. A timeout is not fatal: pages that keep polling never go idle, and
    the DOM rendered so far is still worth extracting.
    """
    waits = [page.wait_for_load_state("networkidle", timeout=timeout_ms)]
    if selector:
        waits.append(page.wait_for_selector(selector, state="attached", timeout=timeout_ms))
    tasks = [asyncio.ensure_future(w) for w in waits]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    error = next(iter(done)).exception()
    if isinstance(error, PlaywrightTimeoutError):
        logger.debug("%s: not fully rendered after %.0f ms", page.url, timeout_ms)
    elif error:
        raise error


def playwright_selector(query: str) -> str:
    query = re.sub(r"::(text|attr\([^)]*\))\s*$", "", query.strip())
    if query.startswith("xpath:"):
        return f"xpath={query[6:].strip()}"
    if query.startswith("css:"):
        return query[4:].strip()
    return f"xpath={query}" if query.startswith(("/", "(", "./")) else query


class PoliteDownloader(Downloader):
    """Scrapy's downloader with its per-domain concurrency limit actually enforced.

    Scrapy (2.19) hands a slot's queued requests out in a loop that stops when the slot has no
    free transfer places, but under the asyncio reactor a request only counts as transferring
    once its download task starts, after the loop: every queued request goes out at once and
    CONCURRENT_REQUESTS_PER_DOMAIN is not a limit. Counting the request when it is handed out
    restores it; the download itself removes it again when done.
    """

    def _wait_for_download(
        self, slot: Slot, request: Request, queue_dfd: Deferred[Response]
    ) -> Coroutine[Any, Any, None]:
        slot.transferring.add(request)
        return super()._wait_for_download(slot, request, queue_dfd)


class BrowserDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright with a deadline on every rendered fetch.

    A page opened just as its browser dies can wait forever for a reply that never comes
    (seen with scrapy-playwright 0.0.48 and a killed Chromium), and Scrapy's DOWNLOAD_TIMEOUT
    does not reach into the browser: one such page would hold the crawl open for good. Past
    twice the download timeout (navigation plus render wait fit well inside), the fetch fails
    as a timeout and the retry middleware sends it again.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.address_policy = policy_from(crawler.settings)
        self.address_verdicts: dict[str, str | None] = {}
        self.abort_heavy = self.abort_request
        self.abort_request = self._abort

    async def _abort(self, request: Any) -> bool:
        """Heavy resources, and any request of the page (its navigation, redirects, scripts,
        XHR) to a host the source's address policy refuses."""
        if self.abort_heavy and self.abort_heavy(request):
            return True
        host = (urlsplit(request.url).hostname or "").lower()
        if not host or request.url.startswith(("data:", "blob:", "about:")):
            return False
        if host not in self.address_verdicts:
            self.address_verdicts[host] = await asyncio.get_running_loop().run_in_executor(
                None, self._address_problem, host
            )
        problem = self.address_verdicts[host]
        if problem:
            logger.warning("browser request refused (%s): %s", BLOCKED, problem)
        return problem is not None

    def _address_problem(self, host: str) -> str | None:
        try:
            self.address_policy.resolve(host)
        except BlockedAddress as exc:
            return str(exc)
        except OSError:
            return None  # an unknown name fails in the browser with its own error
        return None

    async def _download_request(self, request: Request, spider: Spider | None = None) -> Response:
        deadline = 2 * float(request.meta.get("download_timeout", DOWNLOAD_TIMEOUT))
        try:
            return await asyncio.wait_for(super()._download_request(request, spider), deadline)
        except TimeoutError as exc:
            raise DownloadTimeoutError(
                f"rendering {request.url} took over {deadline:.0f} s"
            ) from exc
