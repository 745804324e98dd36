"""The HTML layer: bytes to text whatever the charset, text to an lxml tree, urls made absolute,
and the text of an element as a reader sees it.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.etree
import lxml.html
from w3lib.encoding import html_body_declared_encoding, read_bom, resolve_encoding

TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
NON_CONTENT_TAGS = ("script", "style", "noscript", "template")
NOT_CONTENT = " or ".join(f"ancestor::{tag}" for tag in NON_CONTENT_TAGS)
CHROME = "ancestor::nav or ancestor::header or ancestor::footer"
NOT_PROSE = (
    f"{NOT_CONTENT} or ancestor::table or ancestor::dl or ancestor::form or ancestor::button"
    " or ancestor::select or ancestor::h1 or ancestor::h2 or ancestor::h3 or ancestor::h4"
)
# Compiled once: these run for every cell, crumb and block of every page. Plain strings, not
# lxml's "smart" ones that know their parent element: the texts are only joined.
_TEXT_NODES = lxml.etree.XPath(f".//text()[not({NOT_CONTENT})]", smart_strings=False)
_PROSE_NODES = lxml.etree.XPath(f".//text()[not({NOT_PROSE})]", smart_strings=False)
_PATH_SPLIT = re.compile(r"\s+[>›»|→]\s+|\s+/\s+")
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20)])


def decode_html(body: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """Text of a page whose charset may be undeclared or declared wrongly, plus what was wrong.

    A byte-order mark wins. Non-ASCII bytes that are valid UTF-8 are UTF-8 whatever the page
    claims (legacy text almost never is valid UTF-8 by chance). Otherwise the HTTP charset and
    then the <meta> charset are tried strictly, and windows-1252 is the last resort, as in
    browsers. Issues: `charset_mismatch` (a declaration the bytes contradict) and
    `charset_missing` (non-ASCII text with no declaration).
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        return body[len(bom) :].decode(bom_encoding, "replace"), []
    if body.isascii():
        return body.decode("ascii"), []
    labels = [declared, html_body_declared_encoding(body)]
    candidates = list(dict.fromkeys(resolve_encoding(label) or label for label in labels if label))
    # Bytes that are not BOM-marked UTF-16/32 are no UTF-16/32, whatever a label says.
    candidates = [c for c in candidates if not c.lower().startswith(("utf-16", "utf-32"))]
    issues = [] if candidates else ["charset_missing"]
    decoded = ((e, strict_decode(body, e)) for e in ("utf-8", *candidates))
    chosen, text = next(((e, t) for e, t in decoded if t is not None), ("cp1252", None))
    if candidates and chosen != candidates[0]:
        issues.append("charset_mismatch")
    return text if text is not None else body.decode("cp1252", "replace"), issues


def page_links(tree: lxml.etree._Element, url: str) -> list[str]:
    """Absolute http(s) urls a crawler may follow: <a>, <area> and rel=next, minus nofollow;
    the pages of frames and iframes, a meta refresh's target and the page a script opens
    from an `onclick` or a `javascript:` link (old sites reach their catalog only through a
    frameset, a start page that refreshes to the language's index, or pop-up windows).

    Read from the tree extraction already parsed, rather than by parsing the page again.
    """
    base = base_url(tree, url)
    links: dict[str, None] = {}
    for element in tree.iter("a", "area", "link", "frame", "iframe", "meta"):
        tag = element.tag
        if tag in ("frame", "iframe"):
            href, rel = element.get("src"), ""
        elif tag == "meta":
            href, rel = _refresh_target(element), ""
        else:
            href, rel = link_href(element), element.get("rel", "")
        if href is None or "nofollow" in rel.lower():
            continue
        if tag == "link" and "next" not in rel:
            continue
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        absolute = join(base, href)
        if absolute.startswith(("http://", "https://")):
            links[absolute] = None
    for script in tree.xpath("//@onclick"):
        href = _scripted_target(script)
        if href and (absolute := join(base, href)).startswith(("http://", "https://")):
            links[absolute] = None
    return list(links)


_SCRIPTED = re.compile(
    r"""(?:location(?:\.href)?\s*=|location\.(?:assign|replace)\s*\(|window\.open\s*\()"""
    r"""\s*['"]([^'"\s]+)['"]""",
    re.I,
)


def _scripted_target(script: str) -> str | None:
    """The page a script opens: `window.open('p1.htm', ...)`, `location.href='p1.htm'`."""
    found = _SCRIPTED.search(script)
    return found.group(1) if found and not found.group(1).startswith("#") else None


def link_href(link: lxml.etree._Element) -> str:
    """Where a link leads: its href, else the page its script opens (`href="javascript:
    window.open('p1.htm')"`, `onclick="location.href='p1.htm'"`)."""
    href = (link.get("href") or "").strip()
    if href.startswith("javascript:") or (not href or href == "#") and link.get("onclick"):
        return _scripted_target(href) or _scripted_target(link.get("onclick") or "") or ""
    return href


_REFRESH_URL = re.compile(r"""^\s*\d*(?:\.\d*)?\s*[;,]?\s*url\s*=\s*['"]?([^'"\s]+)""", re.I)


def _refresh_target(meta: lxml.etree._Element) -> str | None:
    """The url of `<meta http-equiv="refresh" content="0; URL=en/index.htm">`."""
    if (meta.get("http-equiv") or "").strip().lower() != "refresh":
        return None
    found = _REFRESH_URL.match(meta.get("content") or "")
    return found.group(1) if found else None


def canonical_link(tree: lxml.etree._Element, url: str) -> str:
    """The page's rel=canonical url made absolute, or empty when it has none.

    Joined against the document's base like every other url here, rather than through
    Scrapy's `response.urljoin`, which decodes the whole body again to look for a <base>.
    """
    href = next(
        (
            link.get("href")
            for link in tree.iter("link")
            if link.get("rel", "").lower() == "canonical" and link.get("href") is not None
        ),
        "",
    ).strip()
    return join(base_url(tree, url), href) if href else ""


def parse_html(html: str) -> tuple[lxml.etree._Element | None, bool]:
    """An lxml document (None for an empty or binary body), and whether libxml2 read it all.

    Deep nesting is allowed (`huge_tree`): thousands of unclosed tags are a common defect, and
    libxml2 would otherwise stop at level 256. Where it still gives up, the part before that
    point is kept and the page is flagged.
    """
    if not html or not html.strip():
        return None, True
    head = html[:2048]
    encoded = head.encode("utf-8", "surrogatepass")  # control characters are single bytes
    if len(encoded) - len(encoded.translate(None, _CONTROL_BYTES)) > 0.05 * len(head):
        return None, True
    parser = lxml.etree.HTMLParser(encoding="utf-8", huge_tree=True)
    data = html.replace("\x00", "").encode("utf-8", "surrogatepass")
    try:
        tree = lxml.etree.fromstring(data, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None, True
    if tree is None:
        return None, True
    _unwrap_swallowing_sections(tree)
    return tree, not any(error.level_name == "FATAL" for error in parser.error_log)


def _unwrap_swallowing_sections(tree: lxml.etree._Element) -> None:
    """A header, navigation, footer or aside that holds most of the page becomes a plain
    block: libxml2 keeps such an element open past its end tag when a child inside it was left
    unclosed (`<header><div>...</header>`), where a browser closes both, and what follows is
    the page, not its chrome."""
    sections = list(tree.iter("header", "nav", "footer", "aside"))
    if not sections:
        return
    total = sum(1 for _ in tree.iter())
    for element in sections:
        if 2 * sum(1 for _ in element.iter()) > total:
            element.tag = "div"


def strict_decode(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def base_url(tree: lxml.etree._Element, url: str) -> str:
    href = next((b.get("href") for b in tree.iter("base") if b.get("href") is not None), "")
    href = href.strip()
    return (join(url, href) or url) if href else url


def join(base: str, href: str) -> str:
    """`href` made absolute; empty for a url that cannot be parsed (a broken IPv6 host).

    An absolute or path-absolute href depends on nothing of the base but its origin, and a
    catalog's navigation and image urls repeat on every page: joined once against the origin,
    it is looked up after that. Backslashes before the query are slashes, as browsers read
    http(s) urls (WHATWG URL).
    """
    if "\\" in href:
        cut = min((i for i in (href.find("?"), href.find("#")) if i >= 0), default=len(href))
        href = href[:cut].replace("\\", "/") + href[cut:]
    if href.startswith(("/", "http://", "https://")):
        root = origin(base)
        if root:
            return _join_origin(root, href)
    return _urljoin(base, href)


def _urljoin(base: str, href: str) -> str:
    try:
        return urljoin(base, href)
    except ValueError:
        return ""


@lru_cache(maxsize=1024)
def origin(base: str) -> str:
    """`scheme://host:port/` of an http(s) url, else empty."""
    if not base.startswith(("http://", "https://")):
        return ""
    try:
        parts = urlsplit(base)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}/" if parts.netloc else ""


@lru_cache(maxsize=65536)
def _join_origin(root: str, href: str) -> str:
    if _plain_absolute(href):
        return href
    return _urljoin(root, href)


def _plain_absolute(href: str) -> bool:
    """An http(s) url with a host that urljoin would give back unchanged: printable ASCII
    without spaces (nothing it strips, no host to normalise), no IPv6 brackets (which it
    validates), no parameters or fragment and no empty query (whose separators it drops)."""
    return (
        href.startswith(("http://", "https://"))
        and href.partition("://")[2][:1] not in ("", "/", "?")
        and href.isascii()
        and href.isprintable()
        and not any(c in href for c in " []#;")
        and not href.endswith("?")
    )


def clean(value: Any) -> str:
    """Plain single-spaced text from a structured value (entities decoded, stray HTML dropped)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        value = value.get("@value", value.get("name", ""))
    if isinstance(value, list):
        value = next((v for v in value if clean(v)), "")
        return clean(value)
    text = str(value)
    if "&" in text:
        text = html_lib.unescape(text)
    if "<" in text and TAG.search(text):
        try:
            text = lxml.html.fromstring(f"<div>{text}</div>").text_content()
        except (lxml.etree.ParserError, ValueError):
            text = TAG.sub(" ", text)
    return " ".join(text.split())


def text_of(element: Any) -> str:
    """Text without scripts and styles; the common cases, with none near, skip XPath."""
    if next(element.iterancestors(*NON_CONTENT_TAGS), None) is None:
        if not len(element) and element.tag not in NON_CONTENT_TAGS:  # a cell, a link, a crumb
            return " ".join((element.text or "").split())
        if next(element.iter(*NON_CONTENT_TAGS), None) is None:
            return " ".join(" ".join(element.itertext()).split())
    return " ".join(" ".join(_TEXT_NODES(element)).split())


def prose(element: Any) -> str:
    """Running text of a block, without its headings, tables, forms and scripts."""
    return " ".join(" ".join(_PROSE_NODES(element)).split())


def hint(element: Any) -> str:
    return f"{element.get('id', '')} {element.get('class', '')}"


def listify(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def absolute_urls(urls: Iterable[str], base: str) -> list[str]:
    result: list[str] = []
    for raw in urls:
        raw = (raw or "").strip()
        if not raw or raw.startswith("data:"):
            continue
        absolute = join(base, raw)
        if "#" in absolute:
            absolute = urldefrag(absolute)[0]
        if absolute[:8].lower().startswith(("http://", "https://")) and absolute not in result:
            result.append(absolute)
    return result


def split_path(value: Any) -> list[str]:
    """A category path given as one string ("Tools > Fasteners") or as a list."""
    parts: list[str] = []
    for item in listify(value):
        text = clean(item)
        parts += [p.strip() for p in _PATH_SPLIT.split(text) if p.strip()] if text else []
    return list(dict.fromkeys(parts))
