"""The crawl's address guard: no page request reaches an address its source did not allow.

Two parts, because a check and a connection must see the same address:

* `GuardedResolver` (Scrapy's DNS_RESOLVER) refuses a name whose address the policy refuses.
  Twisted connects to the address this resolver returned, so the check is pinned to the
  connection, for every request, start urls, robots.txt, sitemaps and redirect hops included.
* `AddressGuardMiddleware` asks that same resolver before a request is sent (and first among
  the downloader middlewares, so not even robots.txt is asked of a refused host) and turns a
  refusal into the reject `blocked_address` with its reason.

A rendered page's requests are checked by the browser download handler (see `spider`):
Chromium resolves names itself, so there the check precedes the connection but is not pinned.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from ilid_platform.addresses import AddressPolicy, BlockedAddress, IPAddress

SETTING = "ILID_ALLOW_PRIVATE_ADDRESSES"
BLOCKED = "blocked_address"
"""Reject reason, and the prefix of the IgnoreRequest message that carries it."""


def policy_from(settings: Any) -> AddressPolicy:
    value = settings.get(SETTING, False)
    return AddressPolicy(value if isinstance(value, bool) else list(value))


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver that fails a lookup answering with a refused address."""

    policy = AddressPolicy()

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.policy = policy_from(crawler.settings)
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()) -> Deferred[str]:  # noqa: N802
        return super().getHostByName(name, timeout).addCallback(self._check, name)

    def _check(self, address: str, name: str) -> str:
        checked: IPAddress = ipaddress.ip_address(address)
        self.policy.check(name if isinstance(name, str) else name.decode(), [checked])
        return address


class AddressGuardMiddleware:
    """Rejects a request whose host the source's address policy refuses, before sending it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.policy = policy_from(crawler.settings)
        self.verdicts: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = (urlsplit(request.url).hostname or "").lower()
        if not host or request.url.startswith(("data:", "file:")):
            return None
        if host not in self.verdicts:
            self.verdicts[host] = await self._verdict(host)
        problem = self.verdicts[host]
        if problem:
            raise IgnoreRequest(f"{BLOCKED}: {problem}")
        return None

    async def _verdict(self, host: str) -> str | None:
        problem = self.policy.literal_problem(host)
        if problem or ":" in host:  # an IPv6 literal needs no resolver, and this one has none
            return problem
        from twisted.internet import reactor

        try:
            await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined]
        except BlockedAddress as exc:
            return str(exc)
        except Exception:  # an unknown name fails its download as usual, with its own reason
            return None
        return None
