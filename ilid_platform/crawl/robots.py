"""robots.txt in the crawl: Scrapy's RobotsTxtMiddleware, read as RFC 9309 says.

Where Scrapy (2.x) falls short, as measured with a local server:

* A robots.txt larger than DOWNLOAD_MAXSIZE (a 5.4 MiB file whose first lines disallow
  `/private`) is cancelled, the middleware logs the error and then allows everything. Here
  robots.txt is requested without that limit and stopped after its first 500 KiB (Scrapy's
  own way to keep a prefix: StopDownload from a `bytes_received` handler), which
  `ilid_platform.robots` parses.
* A 5xx answer (after its retries) is parsed as if it were the file, and a timeout or a refused
  connection allows everything, so a start url the file would forbid is requested anyway.
  RFC 9309 reads both as "unreachable": nothing may be crawled. Such pages are rejected as
  `robots`, with the reason in the log.

`PrefixDownloads` keeps the prefix for any request that asks for one in `request.meta`: the
middleware's robots.txt and the spider's own, which it reads for sitemaps.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from protego import Protego
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from ilid_platform.robots import MAX_BYTES, allow_all, disallow_all, rules_for

logger = logging.getLogger(__name__)

PREFIX_META = "ilid_prefix_bytes"
"""Request meta: keep only about this many bytes of the body, then stop the download."""

ROBOTS_META = {PREFIX_META: MAX_BYTES, "download_maxsize": 0, "download_warnsize": 0}
"""How robots.txt is requested: no size limit, the first 500 KiB kept."""
ROBOTS_HEADERS = {"Accept-Encoding": "identity"}
"""A compressed robots.txt would be inflated whole, with no size limit to stop it."""


class RobotsRules:
    """Scrapy's RobotParser interface over protego rules; `unreachable` says why a host's
    robots.txt could not be read (and so nothing is allowed)."""

    def __init__(self, rules: Protego, unreachable: str = "") -> None:
        self.rules = rules
        self.unreachable = unreachable

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        url = url.decode() if isinstance(url, bytes) else url
        agent = user_agent.decode() if isinstance(user_agent, bytes) else user_agent
        return self.rules.can_fetch(url, agent)

    def crawl_delay(self, user_agent: str | bytes) -> float | None:
        agent = user_agent.decode() if isinstance(user_agent, bytes) else user_agent
        delay = self.rules.crawl_delay(agent)
        return None if delay is None else float(delay)


class RobotsMiddleware(RobotsTxtMiddleware):
    """Scrapy's RobotsTxtMiddleware with RFC 9309's size limit and status rules."""

    async def robot_parser(self, request: Request) -> RobotsRules | None:
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            scheme = urlparse_cached(request).scheme
            robots_request = Request(
                f"{scheme}://{netloc}/robots.txt",
                priority=self.DOWNLOAD_PRIORITY,
                meta={"dont_obey_robotstxt": True, **ROBOTS_META},
                headers=ROBOTS_HEADERS,
                callback=NO_CALLBACK,
            )
            try:
                response = await self.crawler.engine.download_async(robots_request)
                await self._parse_robots(response, netloc, request)
            except Exception as exc:  # noqa: BLE001 - every failure is "unreachable"
                self._robots_error(exc, netloc)
            self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        self._stats.inc_value("robotstxt/response_count")
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        why = f"robots.txt of {netloc} unreachable (HTTP {response.status})"
        rules = RobotsRules(
            rules_for(response.status, response.body), why if response.status >= 500 else ""
        )
        await self.crawler.signals.send_catch_log_async(
            signal=signals.robots_parsed, robotparser=rules, request=request
        )
        self._settle(netloc, rules)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        message = str(exc) or type(exc).__name__
        if isinstance(exc, IgnoreRequest) and "max redirections" in message:
            rules = RobotsRules(allow_all())  # RFC 9309 2.3.1.2: too many redirects, unavailable
        else:
            self._stats.inc_value(f"robotstxt/exception_count/{type(exc).__name__}")
            why = f"robots.txt of {netloc} unreachable ({message})"
            logger.warning("%s: every page of it is disallowed", why)
            rules = RobotsRules(disallow_all(), why)
        self._settle(netloc, rules)

    def _settle(self, netloc: str, rules: RobotsRules) -> None:
        waiting = self._parsers[netloc]
        self._parsers[netloc] = rules
        if isinstance(waiting, Deferred):
            waiting.callback(rules)

    def process_request_2(self, rp: Any, request: Request) -> None:
        if isinstance(rp, RobotsRules) and rp.unreachable:
            self._stats.inc_value("robotstxt/forbidden")
            raise IgnoreRequest(f"Forbidden by robots.txt: {rp.unreachable}")
        super().process_request_2(rp, request)


class PrefixDownloads:
    """Stops a download once it has the bytes its request's meta asks for (`PREFIX_META`);
    the response keeps them, flagged `download_stopped`."""

    def __init__(self) -> None:
        self.received: weakref.WeakKeyDictionary[Request, int] = weakref.WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrefixDownloads:
        extension = cls()
        crawler.signals.connect(extension.bytes_received, signal=signals.bytes_received)
        return extension

    def bytes_received(self, data: bytes, request: Request, spider: Spider) -> None:
        limit = request.meta.get(PREFIX_META)
        if not limit:
            return
        received = self.received[request] = self.received.get(request, 0) + len(data)
        if received >= limit:
            raise StopDownload(fail=False)
