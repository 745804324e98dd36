"""The one generic product spider, its settings and its JSON-lines item pipeline.

Everything that differs between catalogs comes from the `Source`; nothing here is shop-specific.
"""

from __future__ import annotations

import asyncio
import ctypes
import hashlib
import json
import logging
import os
import pickle
import re
import struct
import sys
import zlib
from collections.abc import AsyncIterator, Coroutine, Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit, urlunsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from pydantic import ValidationError
from scrapy import Request, Spider, signals
from scrapy.core.downloader import Downloader, Slot
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    DropItem,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse, XmlResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.settings import BaseSettings
from scrapy.settings.default_settings import DOWNLOAD_TIMEOUT, RETRY_EXCEPTIONS, RETRY_HTTP_CODES
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.request import RequestFingerprinter
from scrapy.utils.response import response_from_dict
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.page import PageMethod
from twisted.internet.defer import Deferred
from twisted.internet.error import TCPTimedOutError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding
from w3lib.url import canonicalize_url

from ilid_platform.addresses import BlockedAddress
from ilid_platform.crawl.extract import PageReading
from ilid_platform.crawl.guard import BLOCKED, SETTING, policy_from
from ilid_platform.crawl.records import ProductRecord, utc_now_iso
from ilid_platform.crawl.sources import Politeness, Source
from ilid_platform.crawl.store import load_records
from ilid_platform.crawl.workers import WorkerCrashed, WorkerError, WorkerPool, WorkerTimeout

logger = logging.getLogger(__name__)

TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|gclid|gbraid|wbraid|dclid|fbclid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid"
    r"|ref_src|srsltid|_hsenc|_hsmi|mkt_tok|phpsessid|jsessionid|sessionid|sid)$",
    re.I,
)
_PATH_SESSION = re.compile(r";jsessionid=[^/?#]*", re.I)
# Paths that never lead to products, and query parameters that only re-sort the same listing.
NON_CATALOG = re.compile(
    r"/(cart|basket|checkout|login|logout|signin|sign-in|register|account|my-account|wishlist"
    r"|compare)(/|$|\?)|add[-_]to[-_]cart|[?&](sort|orderby|order_by|view|mode)=",
    re.I,
)
NON_HTML_EXTENSIONS = {f".{e}" for e in [*IGNORED_EXTENSIONS, "xml", "json", "txt", "gz", "csv"]}
PLAYWRIGHT_HANDLER = "ilid_platform.crawl.spider.BrowserDownloadHandler"
_CLONE_NEWUSER = 0x10000000
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Sitemaps and robots.txt may 404; that is no reject, just nothing to discover. They go first,
# so sitemap <lastmod> is known before the pages it describes are fetched.
SITEMAP_META = {"handle_httpstatus_all": True}
SITEMAP_PRIORITY = 10
# Responses a retry may turn around; caching them would replay the failure to the retry.
RETRYABLE_STATUSES = sorted(RETRY_HTTP_CODES)


@lru_cache(maxsize=65536)
def canonical_url(url: str) -> str:
    """One spelling per page: no fragment, tracking or session parameters or default port,
    sorted query. Raises ValueError for what is no valid URL (a bad port, a broken IPv6 host).
    """
    parts = urlsplit(urldefrag(url)[0])
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAMS.match(key)
    ]
    netloc = parts.netloc
    if (parts.scheme, parts.port) in (("http", 80), ("https", 443)):
        netloc = netloc.rsplit(":", 1)[0]
    path = _PATH_SESSION.sub("", parts.path)
    canonical = parts._replace(netloc=netloc, path=path, query=urlencode(query))
    return canonicalize_url(urlunsplit(canonical))


def in_domains(url: str, domains: list[str]) -> bool:
    """Host-based match (ports ignored, subdomains allowed), unlike scrapy's netloc-based helper."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith(f".{d}") for d in domains)


def chromium_sandbox_possible() -> bool:
    """Whether Chromium can keep its sandbox: not as root (Chromium refuses to start), and only
    where this process may create a user namespace, which Debian's Chromium needs (it has no
    setuid helper): kernels and container runtimes (Docker's default seccomp profile) forbid
    it in many ways, so a forked child tries. `$ILID_CHROMIUM_SANDBOX=off` turns it off."""
    if os.environ.get("ILID_CHROMIUM_SANDBOX", "").strip().lower() in ("off", "0", "false"):
        return False
    if os.geteuid() == 0 or not sys.platform.startswith("linux"):
        return False
    pid = os.fork()
    if pid == 0:  # the probe: no Python code beyond this call, then out
        code = ctypes.CDLL(None, use_errno=True).unshare(_CLONE_NEWUSER)
        os._exit(0 if code == 0 else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def chromium_args() -> list[str]:
    return CHROMIUM_ARGS if chromium_sandbox_possible() else ["--no-sandbox", *CHROMIUM_ARGS]


def user_agent(politeness: Politeness) -> str:
    """The configured agent with `{contact}` filled in from ILID_CRAWL_CONTACT.

    Site operators look for a way to reach whoever runs a crawler; without a configured contact
    the agent says so instead of pretending to be a browser.
    """
    contact = os.environ.get("ILID_CRAWL_CONTACT", "").strip() or "contact: set ILID_CRAWL_CONTACT"
    return politeness.user_agent.replace("{contact}", contact)


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


def _playwright_selector(query: str) -> str:
    query = re.sub(r"::(text|attr\([^)]*\))\s*$", "", query.strip())
    if query.startswith("xpath:"):
        return f"xpath={query[6:].strip()}"
    if query.startswith("css:"):
        return query[4:].strip()
    return f"xpath={query}" if query.startswith(("/", "(", "./")) else query


class RenderAwareFingerprinter:
    """Scrapy's fingerprint, kept apart for rendered fetches.

    In `auto` mode the browser re-fetches a url already fetched raw; in the resume cache the
    two are different documents and must not answer for each other.
    """

    def __init__(self, crawler: Crawler | None = None) -> None:
        self._default = RequestFingerprinter(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderAwareFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        fingerprint = self._default.fingerprint(request)
        if request.meta.get("playwright"):
            return hashlib.sha1(fingerprint + b"rendered").digest()
        return fingerprint


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


class ResumeCacheStorage:
    """Every response of the running job, so a crawl killed with SIGKILL resumes without
    fetching its finished pages again.

    One append-only log per job: each entry is a compressed pickle (HTML shrinks about fivefold
    at zlib's fastest level, and a big catalog's job holds every page) behind a header with its
    key, length and CRC, appended in a single write. A kill in the middle of a write leaves a
    torn last entry, which the next run's scan drops and cuts off before appending. Lookups go
    through an in-memory index of offsets, so a page costs one write and no file creation.
    (Scrapy's file storage writes seven files per entry, and an entry cut short reads back as a
    truncated page.)
    """

    HEADER = struct.Struct("<BII")  # key length, data length, CRC-32 of the data

    def __init__(self, settings: BaseSettings) -> None:
        self.path = Path(settings["HTTPCACHE_DIR"]) / "responses.log"
        self.index: dict[bytes, tuple[int, int]] = {}
        self.size = 0
        self.fd = -1

    def open_spider(self, spider: Spider) -> None:
        self.fingerprint = spider.crawler.request_fingerprinter.fingerprint
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        self._scan()

    def _scan(self) -> None:
        """Index the complete entries of an earlier attempt and cut off a torn last one."""
        log = self.path.read_bytes()
        offset, header = 0, self.HEADER
        while offset + header.size <= len(log):
            key_size, data_size, crc = header.unpack_from(log, offset)
            start = offset + header.size + key_size
            end = start + data_size
            if end > len(log) or zlib.crc32(log[start:end]) != crc:
                break
            self.index[log[offset + header.size : start]] = (start, data_size)
            offset = end
        if offset < len(log):
            os.truncate(self.fd, offset)
        self.size = offset

    def close_spider(self, spider: Spider) -> None:
        """Nothing is buffered: every entry is complete on disk once stored."""
        os.close(self.fd)

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        entry = self.index.get(self.fingerprint(request))
        if entry is None:
            return None
        start, size = entry
        data = os.pread(self.fd, size, start)
        return response_from_dict(pickle.loads(zlib.decompress(data)))  # this job's own log

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        key = self.fingerprint(request)
        pickled = pickle.dumps(response.to_dict(), protocol=pickle.HIGHEST_PROTOCOL)
        data = zlib.compress(pickled, 1)
        entry = memoryview(self.HEADER.pack(len(key), len(data), zlib.crc32(data)) + key + data)
        written = 0
        while written < len(entry):
            written += os.write(self.fd, entry[written:])
        self.index[key] = (self.size + self.HEADER.size + len(key), len(data))
        self.size += len(entry)


def crawl_settings(
    source: Source, out_jsonl: Path, job_dir: Path, previous_jsonl: Path | None = None
) -> dict[str, Any]:
    """Scrapy settings for one source.

    The job dir holds the resume cache: every response of the running job, replayed when a
    killed crawl is run again. `previous_jsonl` is the last finished crawl's output, whose
    validators make this crawl's requests conditional.
    """
    politeness = source.politeness
    settings: dict[str, Any] = {
        "BOT_NAME": "ilid_platform",
        "USER_AGENT": user_agent(politeness),
        "ROBOTSTXT_OBEY": politeness.obey_robots,
        "DOWNLOAD_DELAY": politeness.download_delay,
        "CONCURRENT_REQUESTS": max(16, politeness.concurrency_per_domain),
        "CONCURRENT_REQUESTS_PER_DOMAIN": politeness.concurrency_per_domain,
        "AUTOTHROTTLE_ENABLED": politeness.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(politeness.download_delay, 0.1),
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": politeness.target_concurrency,
        "DOWNLOAD_TIMEOUT": politeness.timeout_s,
        "DOWNLOAD_MAXSIZE": politeness.max_page_bytes,
        "DOWNLOAD_WARNSIZE": politeness.max_page_bytes // 2,
        "REDIRECT_MAX_TIMES": politeness.max_redirects,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 2,
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_DIR": str((job_dir / "cache").resolve()),
        "HTTPCACHE_STORAGE": "ilid_platform.crawl.spider.ResumeCacheStorage",
        "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.DummyPolicy",
        "HTTPCACHE_IGNORE_HTTP_CODES": RETRYABLE_STATUSES,
        # Items go through one synchronous pipeline, so Scrapy's default of 100 concurrent
        # items only starts 100 idle tasks for every response.
        "CONCURRENT_ITEMS": 1,
        # Scrapy's check re-reads and re-parses `parse`'s source for nearly every response (its
        # cache holds bound methods weakly, and each request has its own); the spider's
        # generator callbacks return no values.
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        "REQUEST_FINGERPRINTER_CLASS": "ilid_platform.crawl.spider.RenderAwareFingerprinter",
        "DOWNLOADER": "ilid_platform.crawl.spider.PoliteDownloader",
        "ITEM_PIPELINES": {"ilid_platform.crawl.spider.JsonLinesPipeline": 300},
        "ILID_OUT_JSONL": str(out_jsonl),
        "ILID_PREVIOUS_JSONL": str(previous_jsonl) if previous_jsonl else "",
        # Addresses: checked before each request is sent, pinned when it connects.
        "DOWNLOADER_MIDDLEWARES": {"ilid_platform.crawl.guard.AddressGuardMiddleware": 50},
        "DNS_RESOLVER": "ilid_platform.crawl.guard.GuardedResolver",
        SETTING: source.allow_private_addresses,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "LOGSTATS_INTERVAL": 15.0,
    }
    if source.browser != "never":
        settings.update(
            {
                "DOWNLOAD_HANDLERS": {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER},
                "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
                "PLAYWRIGHT_BROWSER_TYPE": "chromium",
                "PLAYWRIGHT_LAUNCH_OPTIONS": {
                    "executable_path": os.environ.get("ILID_CHROMIUM", "/usr/bin/chromium"),
                    "headless": True,
                    "args": chromium_args(),
                },
                "PLAYWRIGHT_ABORT_REQUEST": "ilid_platform.crawl.spider.abort_heavy_request",
                "PLAYWRIGHT_MAX_CONTEXTS": 2,
                # Open pages are bounded by the download concurrency. scrapy-playwright's own
                # page limit only adds a wait for pages still closing, and a request waiting
                # there when the browser crashes waits forever: keep it out of reach.
                "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2 * settings["CONCURRENT_REQUESTS"],
                "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": politeness.timeout_s * 1000,
                # A crashed browser is relaunched on the next page; the pages it took down
                # with it are retried like any dropped connection.
                "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
                "RETRY_EXCEPTIONS": [*RETRY_EXCEPTIONS, PlaywrightError],
            }
        )
    return settings


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


class ProductSpider(Spider):
    """Discovers pages from sitemaps and links, and yields one item per product page.

    With the previous crawl's records it revalidates instead of refetching: a page whose
    sitemap <lastmod> is unchanged is not requested at all, and other known pages are asked for
    with If-None-Match / If-Modified-Since; either way an unchanged product is re-emitted as it
    was, with the same record_hash.
    """

    name = "ilid_products"

    def __init__(
        self,
        source: Source,
        readers: WorkerPool,
        previous: dict[str, ProductRecord] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=f"ilid_{source.name}", **kwargs)
        self.source = source
        self.readers = readers
        self.allowed_domains = list(source.allowed_domains)
        self.previous = previous or {}
        self.lastmods: dict[str, str] = {}
        self.redirects: dict[str, str] = {}
        self.emitted: set[str] = set()
        self.requested: set[str] = set()
        name_selector = source.selectors.get("name")
        self.wait_selector = _playwright_selector(name_selector) if name_selector else None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ProductSpider:
        path = crawler.settings.get("ILID_PREVIOUS_JSONL")
        if path and Path(path).exists():
            kwargs["previous"] = {r.url: r for r in load_records(path)}
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        origins = {
            urlsplit(u)._replace(path="/robots.txt", query="", fragment="")
            for u in self.source.start_urls
        }
        for url in [*self.source.sitemap_urls, *sorted(urlunsplit(o) for o in origins)]:
            yield self.sitemap_request(url)
        for url in self.source.start_urls:
            yield self.page_request(url)

    def sitemap_request(self, url: str) -> Request:
        return Request(
            url,
            callback=self.parse_sitemap,
            errback=self.on_error,
            meta=SITEMAP_META,
            priority=SITEMAP_PRIORITY,
        )

    def page_request(self, url: str, browser: bool | None = None) -> Request:
        """A page fetch; `browser=True` forces a rendered re-fetch of a page already seen raw.

        A page the previous crawl read from raw HTML is requested conditionally; a rendered
        one is not, because its shell's validators say nothing about the data rendered into it.
        """
        url = canonical_url(url)
        self.requested.add(url)
        rendered = self.source.browser == "always" if browser is None else browser
        meta: dict[str, Any] = {}
        headers: dict[str, str] = {}
        if rendered:
            timeout_ms = self.source.politeness.timeout_s * 1000 / 2
            meta = {
                "playwright": True,
                "playwright_page_methods": [
                    PageMethod(wait_until_rendered, self.wait_selector, timeout_ms)
                ],
            }
        previous = self.previous.get(url)
        if previous and not rendered and not previous.rendered:
            if previous.etag:
                headers["If-None-Match"] = previous.etag
            if previous.last_modified:
                headers["If-Modified-Since"] = previous.last_modified
            if headers:
                meta["handle_httpstatus_list"] = [304]
        return Request(
            url,
            callback=self.parse,
            errback=self.on_error,
            meta=meta,
            headers=headers or None,
            dont_filter=browser is True,
        )

    def parse_sitemap(self, response: Response) -> Iterator[Request | dict[str, Any]]:
        if response.status != 200:
            return
        if urlsplit(response.url).path == "/robots.txt":
            for url in sitemap_urls_from_robots(response.body, base_url=response.url):
                yield self.sitemap_request(url)
            return
        body = self._sitemap_body(response)
        sitemap = Sitemap(body) if body else None
        if sitemap is None or sitemap.type not in ("sitemapindex", "urlset"):
            logger.warning("ignoring invalid sitemap %s", response.url)
            self.crawler.stats.inc_value("ilid/rejects/invalid_sitemap")
            return
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                yield self.sitemap_request(loc)
            elif in_domains(loc, self.allowed_domains):
                try:
                    url = canonical_url(loc)
                except ValueError:
                    logger.info("skipping invalid sitemap url %r in %s", loc, response.url)
                    continue
                yield from self._sitemap_page(url, entry.get("lastmod"))

    def _sitemap_page(self, url: str, lastmod: str | None) -> Iterator[Request | dict[str, Any]]:
        """Fetch a sitemap page, unless its <lastmod> says it has not changed since last time."""
        if lastmod:
            self.lastmods[url] = lastmod.strip()
        previous = self.previous.get(url)
        if lastmod and previous and previous.lastmod == lastmod.strip():
            if url not in self.emitted:
                self.emitted.add(url)
                self.crawler.stats.inc_value("ilid/incremental/lastmod_unchanged")
                yield self._reissue(previous, fetched_at=utc_now_iso())
            return
        if url not in self.emitted and url not in self.requested:
            yield self.page_request(url)

    def _sitemap_body(self, response: Response) -> bytes | None:
        if gzip_magic_number(response):
            try:
                return gunzip(response.body, max_size=self.source.politeness.max_page_bytes)
            except Exception as exc:  # truncated archive or over the size limit
                logger.warning("cannot gunzip sitemap %s: %s", response.url, exc)
                return None
        if isinstance(response, XmlResponse) or response.body.lstrip()[:5] == b"<?xml":
            return response.body
        return None

    async def parse(self, response: Response) -> AsyncIterator[Request | dict[str, Any]]:
        stats = self.crawler.stats
        if response.status == 304:
            for record in self._not_modified(response):
                yield record
            return
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or "html" not in (content_type or "html"):
            stats.inc_value("ilid/rejects/not_html")
            return
        rendered = bool(response.meta.get("playwright"))
        # A rendered page was serialised by the browser as UTF-8; raw bytes are decoded here,
        # because Scrapy trusts a declared charset even when the bytes contradict it.
        page = response.text if rendered else response.body
        result = await self._read(page, response.url, http_content_type_encoding(content_type))
        if result is None:
            return
        for issue in result.issues:
            if issue != result.reason:
                stats.inc_value(f"ilid/issues/{issue}")
        if result.product:
            url = self._canonical_of(response, result.canonical)
            self.emitted.add(url)
            result.product.update(
                url=url,
                rendered=rendered,
                http_status=response.status,
                fetched_at=utc_now_iso(),
                etag=None if rendered else _header(response, b"ETag"),
                last_modified=None if rendered else _header(response, b"Last-Modified"),
                lastmod=self.lastmods.get(url) or self.lastmods.get(canonical_url(response.url)),
            )
            yield result.product
        elif self.source.browser == "auto" and not rendered and result.script_rendered:
            stats.inc_value("ilid/browser_retries")
            yield self.page_request(response.url, browser=True)
            return
        elif result.reason == "not_product":
            stats.inc_value("ilid/non_product_pages")
        else:
            stats.inc_value(f"ilid/rejects/{result.reason}")
        for request in self._follow(result.links):
            yield request

    async def _read(self, page: str | bytes, url: str, encoding: str | None) -> PageReading | None:
        """The page read in a worker; None, with the reject counted, when that failed.

        One odd page must cost a record, not the crawl: whether extraction raised, crashed its
        worker or ran past the time limit.
        """
        try:
            return await self.readers.run(page, url, self.source.selectors, encoding)
        except WorkerError as exc:
            logger.error("extraction failed on %s:\n%s", url, exc)
            reason = "extraction_error"
        except WorkerCrashed as exc:
            logger.error("extraction crashed its worker on %s: %s", url, exc)
            reason = "extraction_crashed"
        except WorkerTimeout as exc:
            logger.error("extraction timed out on %s: %s", url, exc)
            reason = "extraction_timeout"
        self.crawler.stats.inc_value(f"ilid/rejects/{reason}")
        return None

    def _not_modified(self, response: Response) -> Iterator[dict[str, Any]]:
        """Re-emit the previous record of a page the server says has not changed."""
        previous = self.previous.get(canonical_url(response.request.url))
        if previous is None:
            self.crawler.stats.inc_value("ilid/rejects/unexpected_304")
            return
        self.crawler.stats.inc_value("ilid/incremental/not_modified")
        self.emitted.add(previous.url)
        yield self._reissue(
            previous,
            fetched_at=utc_now_iso(),
            http_status=304,
            etag=_header(response, b"ETag") or previous.etag,
            last_modified=_header(response, b"Last-Modified") or previous.last_modified,
            lastmod=self.lastmods.get(previous.url) or previous.lastmod,
        )

    @staticmethod
    def _reissue(previous: ProductRecord, **changes: Any) -> dict[str, Any]:
        return {**previous.model_dump(exclude={"source", "record_hash"}), **changes}

    def _follow(self, links: list[str]) -> Iterator[Request]:
        """Requests for catalog links not requested or emitted yet.

        Checked here, before a Request exists: a product page links the whole navigation, and
        sending those through the scheduler's duplicate filter costs more than the page.
        """
        for link in links:
            try:
                url = canonical_url(link)
            except ValueError:  # pages do link to nonsense; it cannot lead to a product
                continue
            if url in self.requested or url in self.emitted:
                continue
            path = urlsplit(url).path.lower()
            if (
                in_domains(url, self.allowed_domains)
                and not NON_CATALOG.search(url)
                and os.path.splitext(path)[1] not in NON_HTML_EXTENSIONS
            ):
                yield self.page_request(url)

    def _canonical_of(self, response: TextResponse, link: str) -> str:
        """rel=canonical when it stays inside the catalog, else the fetched url, canonicalised."""
        if link:
            try:
                candidate = canonical_url(link)
            except ValueError:
                candidate = ""
            if candidate and in_domains(candidate, self.allowed_domains):
                return candidate
        return canonical_url(response.url)

    def on_error(self, failure: Failure) -> None:
        reason = classify_failure(failure)
        self.crawler.stats.inc_value(f"ilid/rejects/{reason}")
        logger.info("rejected %s (%s): %s", failure.request.url, reason, failure.getErrorMessage())

    def request_dropped(self, request: Request, spider: Spider) -> None:
        """Record redirect loops, which Scrapy's duplicate filter drops without a word.

        A redirect to an already seen url is dropped as a duplicate. That is harmless when the
        target was crawled on its own, but a loop when the redirects known so far lead from the
        target back into the dropped request's own chain (a -> b -> a).
        """
        chain = request.meta.get("redirect_urls")
        if not chain:
            return
        self.redirects.update(zip(chain, [*chain[1:], request.url], strict=True))
        url, hops = request.url, 0
        while url not in chain and url in self.redirects and hops < len(self.redirects):
            url, hops = self.redirects[url], hops + 1
        if url in chain:
            self.crawler.stats.inc_value("ilid/rejects/redirect_loop")
            logger.info("rejected %s (redirect_loop): %s", chain[0], " -> ".join(chain))


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else None


class JsonLinesPipeline:
    """Validates items into ProductRecords and appends each canonical url once.

    Each line is flushed as it is written, so a crawl killed at any moment keeps every finished
    record but the one being written. A resumed job keeps the complete lines and treats their
    urls as done; the resume cache replays those pages, and their records are not written again.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = Path(crawler.settings["ILID_OUT_JSONL"])
        self.kept: set[str] = set()
        self.seen: set[str] = set()
        self.file: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JsonLinesPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            self._keep_complete_lines()
        self.crawler.stats.set_value("ilid/products_resumed", len(self.kept))
        self.file = self.path.open("a", encoding="utf-8")

    def _keep_complete_lines(self) -> None:
        """A crawl killed mid-write leaves a partial last line; drop it before appending."""
        kept = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                self.kept.add(json.loads(line)["url"])
                kept.append(line)
            except (ValueError, KeyError, TypeError):
                logger.warning("dropping unreadable line from %s: %.80s", self.path, line)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
        os.replace(tmp, self.path)

    def close_spider(self) -> None:
        if self.file:
            self.file.close()

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        stats = self.crawler.stats
        spider = self.crawler.spider
        try:
            record = ProductRecord.model_validate({**item, "source": spider.source.name})
        except ValidationError as exc:
            stats.inc_value("ilid/rejects/invalid_record")
            raise DropItem(f"invalid record from {item.get('url')}: {exc}") from exc
        if record.url in self.kept:
            raise DropItem(f"written before the resume: {record.url}", log_level="DEBUG")
        if record.url in self.seen:
            stats.inc_value("ilid/rejects/duplicate")
            raise DropItem(f"duplicate product url {record.url}", log_level="INFO")
        self.seen.add(record.url)
        assert self.file is not None
        self.file.write(record.model_dump_json() + "\n")
        self.file.flush()
        if len(self.seen) % 25 == 0:
            logger.info("products written: %d", len(self.seen))
        return item
