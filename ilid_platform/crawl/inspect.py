"""`ilid inspect URL`: how one page is read, why it is or is not a product, and selectors a user
can paste into the source's `selectors:` to fix a field that comes out wrong.

A crawl decides every page with the statistics of the whole site (what repeats across pages
is chrome: the logo, menus, a category's heading). Inspect fetches pages the page links to
and pages those link to (its siblings) and decides it with them (`--context`, default 16);
with `--context 0` or a saved file the page is judged alone, which can differ from the crawl.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
from parsel import Selector

from ilid_platform.crawl.extract import (
    Extraction,
    PageReading,
    decide_pages,
    extract_product,
    read_page,
)
from ilid_platform.crawl.extract.html import text_of
from ilid_platform.crawl.settings import user_agent
from ilid_platform.crawl.sources import Source
from ilid_platform.images.config import IngestConfig
from ilid_platform.images.fetch import Fetcher, FetchFailure

_NOT_PAGES = {"jpg", "jpeg", "png", "gif", "webp", "svg", "pdf", "zip", "css", "js", "xml"}


class InspectError(RuntimeError):
    """The page could not be fetched; the message says why."""


@dataclass
class Inspection:
    url: str
    extraction: Extraction
    suggested: dict[str, str]
    """Field to a CSS selector that picks what the reading found, for the source's
    `selectors:` (to keep it when the page changes, or as a start to correct it)."""


def fetch_page(url: str, source: Source | None) -> tuple[bytes, str | None]:
    """The page's bytes and declared charset, fetched as the crawl would: same user agent,
    same address policy, same size and time limits."""
    politeness = source.politeness if source else Source(name="x", start_urls=[url]).politeness
    config = IngestConfig(
        timeout_s=politeness.timeout_s,
        retries=1,
        max_redirects=politeness.max_redirects,
        user_agent=user_agent(politeness),
        allow_private_addresses=_allowed(source),
    )
    fetcher = Fetcher(config)
    try:
        fetched = fetcher.fetch_document(url, politeness.max_page_bytes)
    finally:
        fetcher.close()
    if isinstance(fetched, FetchFailure):
        raise InspectError(f"cannot fetch {url}: {fetched.status}: {fetched.reason}")
    return fetched.body, fetched.charset


def _allowed(source: Source | None) -> bool | tuple[str, ...]:
    value = source.allow_private_addresses if source else False
    return value if isinstance(value, bool) else tuple(value)


def context_pages(
    reading: PageReading, source: Source | None, limit: int
) -> list[tuple[bytes, str, str | None]]:
    """Up to `limit` pages of the page's own host, fetched for the site-level statistics:
    half of them among the pages it links to, the rest among the pages those link to (its
    siblings, which a category links), as the crawl would see them; pages that fail are left
    out."""
    host = urlsplit(reading.url).hostname
    pages: list[tuple[bytes, str, str | None]] = []
    seen = {reading.url}
    levels = [list(reading.links), []]
    for level, quota in ((0, max(1, limit // 2)), (1, limit)):
        for link in levels[level]:
            if len(pages) >= quota:
                break
            parts = urlsplit(link)
            extension = parts.path.rsplit(".", 1)[-1].lower() if "." in parts.path else ""
            if parts.hostname != host or link in seen or extension in _NOT_PAGES:
                continue
            seen.add(link)
            try:
                body, charset = fetch_page(link, source)
            except InspectError:
                continue
            pages.append((body, link, charset))
            if level == 0:
                levels[1] += read_page(body, link, None, charset).links
    return pages


def inspect_page(
    html: bytes | str,
    url: str,
    source: Source | None = None,
    charset: str | None = None,
    context: Sequence[tuple[bytes, str, str | None]] = (),
) -> Inspection:
    """The page's reading and decision, decided together with `context` pages of its site
    when given (as the crawl decides it), else alone."""
    selectors = source.selectors if source else None
    extraction = extract_product(html, url, selectors, charset)
    if context and extraction.reading is not None:
        others = [read_page(body, link, selectors, cs) for body, link, cs in context]
        decision = decide_pages([extraction.reading, *others])[0]
        extraction.product, extraction.reason = decision.product, decision.reason
        extraction.evidence = [*decision.evidence, f"decided with {len(others)} pages of the site"]
    suggested: dict[str, str] = {}
    if extraction.tree is not None and extraction.product:
        suggested = suggest_selectors(extraction.tree, extraction.product)
    return Inspection(url, extraction, suggested)


def suggest_selectors(tree: lxml.etree._Element, product: dict[str, Any]) -> dict[str, str]:
    """CSS selectors, unique in the page, for the elements the name and main image came from."""
    suggested: dict[str, str] = {}
    name = product.get("name", "")
    for tags in (("h1", "h2", "h3", "h4"), ("div", "span", "p", "td", "strong", "header")):
        element = next(
            (
                e
                for e in tree.iter(*tags)
                if text_of(e) == name and not any(text_of(c) == name for c in e)
            ),
            None,
        )
        if element is not None:
            suggested["name"] = css_path(tree, element)
            break
    images = product.get("image_urls") or []
    if images:
        tail = images[0].rsplit("/", 1)[-1]
        for img in tree.iter("img"):
            values = [img.get(a, "") for a in ("src", "data-src", "data-original", "srcset")]
            if any(tail and tail in value for value in values):
                attribute = "src" if tail in img.get("src", "") else "data-src"
                if tail in img.get("data-original", ""):
                    attribute = "data-original"
                suggested["image"] = f"{css_path(tree, img)}::attr({attribute})"
                break
    return suggested


def css_path(tree: lxml.etree._Element, element: lxml.etree._Element) -> str:
    """The shortest selector of tag, id and classes, with ancestors as needed, that picks
    `element` first in the page."""
    document = Selector(root=tree, type="html")
    parts: list[str] = []
    node: lxml.etree._Element | None = element
    while node is not None and node.tag not in ("html", "body"):
        parts.insert(0, _simple_selector(node))
        query = " > ".join(parts)
        matches = document.css(query)
        if matches and matches[0].root is element:
            return query
        node = node.getparent()
    return " > ".join(parts)


def _simple_selector(element: lxml.etree._Element) -> str:
    if element.get("id") and element.get("id").replace("-", "").replace("_", "").isalnum():
        return f"{element.tag}#{element.get('id')}"
    classes = [c for c in element.get("class", "").split() if c.replace("-", "").isalnum()]
    return element.tag + "".join(f".{c}" for c in classes[:3])


def render(inspection: Inspection) -> str:
    """The report, as text for a terminal."""
    extraction, lines = inspection.extraction, [f"page: {inspection.url}"]
    reading = extraction.reading
    if reading is None or reading.features is None:
        lines.append(f"decision: not a product ({extraction.reason}): the page could not be read")
        return "\n".join(lines)
    structured = reading.structured
    lines.append("\nstructured data:")
    if structured:
        hidden = ("specs", "description", "relation")
        shown = {k: v for k, v in structured.items() if v and k not in hidden}
        lines.append(f"  {json.dumps(shown, ensure_ascii=False)[:600]}")
    else:
        lines.append("  none (no Product in JSON-LD, microdata or RDFa; no product meta tags)")
    features = reading.features
    lines.append("\npage:")
    lines.append(f"  title: {features.title!r}")
    for heading in features.headings[:8]:
        marker = " (named like a product name)" if heading["hinted"] else ""
        lines.append(f"  heading, level {heading['level']:g}: {heading['text']!r}{marker}")
    for image in features.images[:8]:
        tags = [t for t in ("hinted", "tile") if image.get(t)]
        area = f"{image['area']} px" if image["area"] else "size not declared"
        lines.append(f"  image: {image['url']} ({area}{', ' if tags else ''}{', '.join(tags)})")
    lines.append(
        f"  cues: buy controls {features.buy}, price {'yes' if features.price else 'no'},"
        f" product markup {'yes' if features.product_markup else 'no'},"
        f" spec rows {len(features.specs)}, cards {len(features.cards)},"
        f" kind {features.negative or '-'}"
        + (f" (h1 {features.negative_heading!r})" if features.negative_heading else "")
    )
    lines.append("\ndecision:")
    if extraction.product:
        product = extraction.product
        lines.append(f"  product, read by {product['extraction']}")
    else:
        lines.append(f"  not a product ({extraction.reason})")
    lines += [f"  - {reason}" for reason in extraction.evidence]
    if extraction.product:
        product = extraction.product
        lines.append("\nrecord:")
        lines.append(f"  name: {product['name']!r}")
        lines.append(f"  images: {product['image_urls'][:4]}")
        lines.append(f"  description: {product['description'][:160]!r}")
        lines.append(f"  specs: {dict(list(product['specs'].items())[:6])}")
        lines.append(f"  breadcrumbs: {product['breadcrumbs']}")
    if inspection.suggested:
        lines.append(
            "\nselectors (paste into the source's `selectors:` to pin or correct a field):"
        )
        lines.append("  selectors:")
        for field, query in inspection.suggested.items():
            lines.append(f"    {field}: {json.dumps(query)}")
    return "\n".join(lines)
