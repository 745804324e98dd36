"""robots.txt as RFC 9309 reads it, for the crawl and the image ingest alike.

* Size: a crawler must parse at least the first 500 KiB (section 2.5). Both fetchers keep that
  prefix of a larger file and stop reading, rather than failing the fetch as too large: a
  failed fetch would be read as "no robots.txt" and allow everything, although the file's
  first lines are usually its most important ones. A line cut at the limit is dropped.
* Status (section 2.3.1): a success is parsed; "unavailable" (4xx, or more redirects than a
  crawler follows) allows everything; "unreachable" (5xx, a network error) disallows everything.

Rules are read with protego, the parser Scrapy uses.
"""

from __future__ import annotations

from protego import Protego

MAX_BYTES = 500 * 1024
"""How much of a robots.txt is read (RFC 9309 section 2.5: at least 500 kibibytes)."""

_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


def parse_rules(body: bytes) -> Protego:
    """The rules of a robots.txt body, of at most its first `MAX_BYTES` (a line cut there is
    dropped); UTF-8 (a byte-order mark skipped), undecodable bytes replaced."""
    if len(body) > MAX_BYTES:
        body = body[:MAX_BYTES]
        body = body[: body.rfind(b"\n") + 1]
    return Protego.parse(body.decode("utf-8-sig", errors="replace"))


def rules_for(status: int, body: bytes) -> Protego:
    """The rules a response of this status gives: parsed on success, everything allowed when
    unavailable (4xx, and any other status below 500), nothing allowed when unreachable (5xx)."""
    if 200 <= status < 300:
        return parse_rules(body)
    if status >= 500:
        return disallow_all()
    return allow_all()


def allow_all() -> Protego:
    return Protego.parse("")


def disallow_all() -> Protego:
    return Protego.parse(_DISALLOW_ALL)
