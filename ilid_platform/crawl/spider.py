"""The one generic product spider: it discovers a catalog's pages and reads each one.

Everything that differs between catalogs comes from the `Source`; nothing here is shop-specific.
Each page read becomes a reading item; the pipeline (`pipelines`) decides the products from all
of them when the crawl ends.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse, XmlResponse
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap
from scrapy_playwright.page import PageMethod
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding

from ilid_platform.crawl.downloader import playwright_selector, wait_until_rendered
from ilid_platform.crawl.extract import PageReading, decide_pages
from ilid_platform.crawl.pipelines import load_reading_items
from ilid_platform.crawl.records import ProductRecord, utc_now_iso
from ilid_platform.crawl.rejects import classify_failure
from ilid_platform.crawl.robots import ROBOTS_HEADERS, ROBOTS_META
from ilid_platform.crawl.sources import Source
from ilid_platform.crawl.store import load_records
from ilid_platform.crawl.urls import NON_CATALOG, NON_HTML_EXTENSIONS, canonical_url, in_domains
from ilid_platform.crawl.workers import WorkerCrashed, WorkerError, WorkerPool, WorkerTimeout
from ilid_platform.robots import parse_rules

logger = logging.getLogger(__name__)

# Sitemaps and robots.txt may 404; that is no reject, just nothing to discover. They go first,
# so sitemap <lastmod> is known before the pages it describes are fetched.
SITEMAP_META = {"handle_httpstatus_all": True}
SITEMAP_PRIORITY = 10


class ProductSpider(Spider):
    """Discovers pages from sitemaps and links, and yields one reading item per page read.

    With the previous crawl's records and readings it revalidates instead of refetching: a
    product page whose sitemap <lastmod> is unchanged is not requested at all, and other known
    product pages are asked for with If-None-Match / If-Modified-Since; either way the page's
    previous reading is re-emitted, and an unchanged product keeps its record_hash.
    """

    name = "ilid_products"

    def __init__(
        self,
        source: Source,
        readers: WorkerPool,
        previous: dict[str, ProductRecord] | None = None,
        previous_readings: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=f"ilid_{source.name}", **kwargs)
        self.source = source
        self.readers = readers
        self.allowed_domains = list(source.allowed_domains)
        self.previous_readings = previous_readings or {}
        # Only pages whose reading was kept can be revalidated instead of read again.
        self.previous = {
            url: record for url, record in (previous or {}).items() if url in self.previous_readings
        }
        self.lastmods: dict[str, str] = {}
        self.redirects: dict[str, str] = {}
        self.emitted: set[str] = set()
        self.requested: set[str] = set()
        name_selector = source.selectors.get("name")
        self.wait_selector = playwright_selector(name_selector) if name_selector else None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ProductSpider:
        path = crawler.settings.get("ILID_PREVIOUS_JSONL")
        if path and Path(path).exists():
            kwargs["previous"] = {r.url: r for r in load_records(path)}
        readings = crawler.settings.get("ILID_PREVIOUS_READINGS")
        if readings and Path(readings).exists():
            kwargs["previous_readings"] = _readings_by_url(load_reading_items(readings))
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        """Declared sitemaps, then the start urls. robots.txt is read once per host, by the
        robots middleware, which passes its Sitemap lines on (`robots_parsed`); a crawl that
        ignores robots.txt fetches the start urls' robots.txt for them itself."""
        origins = {
            urlsplit(u)._replace(path="/robots.txt", query="", fragment="")
            for u in self.source.start_urls
        }
        robots = [] if self.settings.getbool("ROBOTSTXT_OBEY") else sorted(map(urlunsplit, origins))
        for url in [*self.source.sitemap_urls, *robots]:
            yield self.sitemap_request(url)
        for url in self.source.start_urls:
            yield self.page_request(url)

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        """A catalog host's robots.txt was read: its sitemaps are crawled."""
        rules = getattr(robotparser, "rules", None)
        if rules is None or not self.in_catalog(request.url):
            return
        robots_url = urljoin(request.url, "/robots.txt")
        for url in rules.sitemaps:
            self.crawler.engine.crawl(self.sitemap_request(urljoin(robots_url, url)))

    def sitemap_request(self, url: str) -> Request:
        robots = urlsplit(url).path == "/robots.txt"
        return Request(
            url,
            callback=self.parse_sitemap,
            errback=self.on_error,
            meta={**SITEMAP_META, **ROBOTS_META} if robots else SITEMAP_META,
            headers=ROBOTS_HEADERS if robots else None,
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
            for url in parse_rules(response.body).sitemaps:
                yield self.sitemap_request(response.urljoin(url))
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
                yield {**self.previous_readings[url], "fetched_at": utc_now_iso()}
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
        if (
            self.source.browser == "auto"
            and not rendered
            and result["script_rendered"]
            and decide_pages([PageReading.from_json(result)])[0].product is None
        ):
            stats.inc_value("ilid/browser_retries")
            yield self.page_request(response.url, browser=True)
            return
        url = canonical_url(response.url)
        canonical = self._canonical_of(result["canonical"])
        self.emitted.add(url)
        if canonical and _same_slug(url, canonical):
            # Not fetched again under its canonical url. A canonical that names another page
            # (a <head> copied from the home page or a category) is no reason to skip that
            # page: whether it was requested yet depends on the order pages arrive in.
            self.emitted.add(canonical)
        yield {
            "url": url,
            "reading": result,
            "rendered": rendered,
            "http_status": response.status,
            "fetched_at": utc_now_iso(),
            "etag": None if rendered else _header(response, b"ETag"),
            "last_modified": None if rendered else _header(response, b"Last-Modified"),
            "lastmod": self.lastmods.get(canonical) or self.lastmods.get(url),
        }
        for request in self._follow(result["links"]):
            yield request

    async def _read(
        self, page: str | bytes, url: str, encoding: str | None
    ) -> dict[str, Any] | None:
        """The page read in a worker (`read_page_json`); None, with the reject counted, when
        that failed.

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
        """Re-emit the previous reading of a page the server says has not changed."""
        url = canonical_url(response.request.url)
        previous = self.previous.get(url)
        if previous is None:
            self.crawler.stats.inc_value("ilid/rejects/unexpected_304")
            return
        self.crawler.stats.inc_value("ilid/incremental/not_modified")
        self.emitted.add(previous.url)
        item = self.previous_readings[url]
        yield {
            **item,
            "fetched_at": utc_now_iso(),
            "http_status": 304,
            "etag": _header(response, b"ETag") or item.get("etag"),
            "last_modified": _header(response, b"Last-Modified") or item.get("last_modified"),
            "lastmod": self.lastmods.get(previous.url) or item.get("lastmod"),
        }

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

    def _canonical_of(self, link: str) -> str:
        """rel=canonical, canonicalised, when it stays inside the catalog; else empty."""
        if link:
            try:
                candidate = canonical_url(link)
            except ValueError:
                candidate = ""
            if candidate and self.in_catalog(candidate):
                return candidate
        return ""

    def in_catalog(self, url: str) -> bool:
        return in_domains(url, self.allowed_domains)

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


def _same_slug(url: str, other: str) -> bool:
    """Whether two urls end in the same path segment (`/c/x/products/y` and `/products/y`,
    `/p/1?ref=a` and `/p/1`): one page under two addresses, as far as a url can say."""
    first, second = urlsplit(url).path.rstrip("/"), urlsplit(other).path.rstrip("/")
    return first.rsplit("/", 1)[-1] == second.rsplit("/", 1)[-1]


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else None


def _readings_by_url(items: Iterator[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Previous reading items by the url they were fetched at and by their rel=canonical."""
    by_url: dict[str, dict[str, Any]] = {}
    for item in items:
        by_url.setdefault(item["url"], item)
        canonical = item["reading"].get("canonical")
        if canonical:
            with contextlib.suppress(ValueError):
                by_url.setdefault(canonical_url(canonical), item)
    return by_url
