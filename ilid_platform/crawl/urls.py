"""Urls as the crawl compares them: one spelling per page, scope by host name, and the paths
and extensions that never lead to a product page."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit, urlunsplit

from scrapy.linkextractors import IGNORED_EXTENSIONS
from w3lib.url import canonicalize_url

TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|gclid|gbraid|wbraid|dclid|fbclid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid"
    r"|ref_src|srsltid|_hsenc|_hsmi|mkt_tok|phpsessid|jsessionid|sessionid|sid)$",
    re.I,
)
_PATH_SESSION = re.compile(r";jsessionid=[^/?#]*", re.I)
# Paths that never lead to products, and query parameters that only re-sort the same listing
# (with a value: a blank one, as shop systems write into every product link, sorts nothing).
NON_CATALOG = re.compile(
    r"/(cart|basket|checkout|login|logout|signin|sign-in|register|account|my-account|wishlist"
    r"|compare)(/|$|\?)|add[-_]to[-_]cart|[?&](sort|orderby|order_by|view|mode)=[^&#]",
    re.I,
)
NON_HTML_EXTENSIONS = {f".{e}" for e in [*IGNORED_EXTENSIONS, "xml", "json", "txt", "gz", "csv"]}


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
