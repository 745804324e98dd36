"""Read products out of catalog pages, whatever markup the shops happen to use.

Two steps. `read_page` runs on each page (in the crawl's worker processes): it parses the page
once and reads the structured data (JSON-LD, microdata, RDFa, then OpenGraph and Twitter
product tags), the page's own features (headings, images, specs, cues; `page`) and the
source's selectors. The site-level pass (`site.decide_pages`) then decides every page with the
statistics of all of them. `extract_product` does both for one page alone.

Modules: `html` (charset, parsing, urls, text), `schema_org`, `meta`, `page`, `site`,
`selectors`, and `reading` (the PageReading that travels between the two steps).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

import lxml.etree

from ilid_platform.crawl.extract.cues import app_shell, card_candidates, looks_like_listing
from ilid_platform.crawl.extract.decision import Decision
from ilid_platform.crawl.extract.html import (
    base_url,
    canonical_link,
    decode_html,
    page_links,
    parse_html,
    text_of,
)
from ilid_platform.crawl.extract.images import photo_elements, tile_blocks
from ilid_platform.crawl.extract.meta import first, from_opengraph, from_twitter, meta_tags
from ilid_platform.crawl.extract.page import read_features
from ilid_platform.crawl.extract.patterns import Marks
from ilid_platform.crawl.extract.reading import PageReading
from ilid_platform.crawl.extract.schema_org import (
    breadcrumbs_structured,
    fill_missing,
    pick_product,
)
from ilid_platform.crawl.extract.selectors import selected_values, validate_selector
from ilid_platform.crawl.extract.site import decide_pages
from ilid_platform.crawl.extract.syntaxes import jsonld_nodes, microdata_nodes, rdfa_nodes

__all__ = [
    "Decision",
    "Extraction",
    "PageReading",
    "canonical_link",
    "decide_pages",
    "decode_html",
    "extract_product",
    "page_links",
    "read_page",
    "read_page_json",
    "validate_selector",
]


@dataclass
class Extraction:
    """One page's outcome on its own: its product, or why there is none, plus defects it
    survived. `tree` is the parsed page, for callers that read more of it."""

    tree: lxml.etree._Element | None
    product: dict[str, Any] | None = None
    reason: str | None = None
    issues: list[str] = field(default_factory=list)
    script_rendered: bool = False
    reading: PageReading | None = None
    evidence: list[str] = field(default_factory=list)


def read_page(
    html: str | bytes,
    url: str,
    selectors: Mapping[str, str] | None = None,
    declared_encoding: str | None = None,
) -> PageReading:
    """What the site-level pass needs from one page; see `PageReading`."""
    return _read(html, url, selectors, declared_encoding)[1]


def read_page_json(
    html: str | bytes,
    url: str,
    selectors: Mapping[str, str] | None = None,
    declared_encoding: str | None = None,
) -> dict[str, Any]:
    """`read_page` as the JSON-ready dict a crawl stores: made in the worker process, so the
    crawl process only passes it on."""
    return read_page(html, url, selectors, declared_encoding).to_json()


def extract_product(
    html: str | bytes,
    url: str,
    selectors: Mapping[str, str] | None = None,
    declared_encoding: str | None = None,
) -> Extraction:
    """The product on a page judged alone, as ProductRecord fields without fetch metadata.

    Bytes are decoded with `decode_html`, trusting `declared_encoding` (the HTTP charset) only
    as far as the bytes agree. Without a product, `reason` says why: `malformed_html` (nothing
    or too little could be parsed), `invalid_jsonld` (the only product data was unreadable) or
    `not_product` (listings, home pages and other non-product pages).
    """
    tree, reading = _read(html, url, selectors, declared_encoding)
    decision = decide_pages([reading])[0]
    return Extraction(
        tree=tree,
        product=decision.product,
        reason=decision.reason,
        issues=reading.issues,
        script_rendered=reading.script_rendered and decision.product is None,
        reading=reading,
        evidence=decision.evidence,
    )


def _read(
    html: str | bytes,
    url: str,
    selectors: Mapping[str, str] | None,
    declared_encoding: str | None,
) -> tuple[lxml.etree._Element | None, PageReading]:
    issues: list[str] = []
    if isinstance(html, bytes):
        html, issues = decode_html(html, declared_encoding)
    tree, complete = parse_html(html)
    if tree is None:  # a charset problem of bytes that are no HTML at all is beside the point
        return None, PageReading(url=url, base=url, reason="malformed_html")
    if not complete:
        issues.append("malformed_html")
    base = base_url(tree, url)
    marks = Marks(tree)
    # The tiles of grids: both the listing check and the page's features need them.
    photos = photo_elements(tree, marks)
    tiles = tile_blocks(tree, marks, photos)
    cards = card_candidates(tree, marks, tiles)  # the listing check's and the page's cards
    listing = cache(partial(looks_like_listing, tree, marks, tiles, cards))  # when it decides
    jsonld, jsonld_valid = jsonld_nodes(tree)
    if not jsonld_valid:
        issues.append("invalid_jsonld")
    # Attribute names are case-insensitive and never entity-encoded: a page without the word
    # has no such markup, and skips the reader and its scan of the whole document.
    markup = html.lower()
    microdata = microdata_nodes(tree, base) if "itemscope" in markup else []
    rdfa = rdfa_nodes(tree, base) if "typeof" in markup else []
    meta = meta_tags(tree)
    names = [text_of(h) for h in tree.iter("h1")]
    names += [text_of(t) for t in tree.iter("title")] + [first(meta, "og:title")]
    found = [
        ("json-ld", pick_product(jsonld, url, listing, names)),
        ("microdata", pick_product(microdata, url, listing, names)),
        ("rdfa", pick_product(rdfa, url, listing, names)),
        ("opengraph", from_opengraph(meta)),
        ("twitter", from_twitter(meta)),
    ]
    found = [(method, product) for method, product in found if product and product.get("name")]
    structured = None
    if found:
        method, structured = found[0]
        for _, other in found[1:]:
            fill_missing(structured, other)
        structured["method"] = method
    reason = next((i for i in issues if i in ("malformed_html", "invalid_jsonld")), None)
    reading = PageReading(
        url=url,
        base=base,
        reason=reason,
        issues=issues,
        script_rendered=app_shell(tree),
        links=page_links(tree, url),
        canonical=canonical_link(tree, url),
        structured=structured,
        structured_breadcrumbs=breadcrumbs_structured([*jsonld, *microdata, *rdfa]),
        site_name=first(meta, "og:site_name"),
        features=read_features(tree, url, base, marks, photos, tiles, cards),
        selected=selected_values(tree, selectors) if selectors else {},
    )
    return tree, reading
