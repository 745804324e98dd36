"""What the page itself shows, read without structured data: its headings and images (the
candidates for a product's name and photo), spec rows, description, breadcrumbs, and the cues
that tell a product page from a listing, a contact page or a shopping cart.

Nothing here decides on its own: the site-level pass (`site`) weighs these features across
all pages of a catalog, where a heading or an image that repeats on every page is chrome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import lxml.etree

from ilid_platform.crawl.extract.cues import (
    buy_controls,
    card_links,
    content_links,
    has_price,
    has_product_markup,
    template_signature,
)
from ilid_platform.crawl.extract.html import CHROME, hint, prose, text_of
from ilid_platform.crawl.extract.html import clean as clean_text
from ilid_platform.crawl.extract.images import content_images, photo_elements, tile_blocks
from ilid_platform.crawl.extract.page_kinds import negative_heading, negative_kind
from ilid_platform.crawl.extract.patterns import RELATED, Marks

SEPARATORS = {">", "/", "›", "»", "|", "→", "-", "\\"}

_SPEC_BLOCKS = lxml.etree.XPath(f"(//table | //dl | //ul | //ol)[not({CHROME})]")

_DEFINITION_TERMS = lxml.etree.XPath("./dt | ./div/dt")

_NEXT_DEFINITION = lxml.etree.XPath("following-sibling::dd[1]")

_LIST_ITEMS = lxml.etree.XPath("./li")

_BREADCRUMB_CASE = str.maketrans("BREADCRUMB", "breadcrumb")

_HEADINGS = {"h1": 1.0, "h2": 2.0, "h3": 3.0, "h4": 3.8, "h5": 4.6, "h6": 4.7}
"""Heading levels; an h4 names a page only where no h1-h3 or titled element does (hand-written
catalogs that put the product's name in an h4 under a slogan)."""

_TITLE_CLASS = re.compile(r"(^|[\s_-])(title|heading\d?|headline|caption)($|[\s_-])", re.I)

_PRODUCT_NAME = re.compile(r"product[-_]?(full)?[-_]?(name|title)|item[-_]?(name|title)", re.I)

_NOT_DESCRIPTION = re.compile(r"cookie|consent|newsletter|banner|review|shipping|delivery", re.I)
# Description containers, most specific first.

_DESCRIPTION_BLOCKS = (
    re.compile(r"description|beschreibung", re.I),
    re.compile(r"product[-_]?details|overview|product[-_]?info|details|about", re.I),
)

_SPEC_CONTAINER = re.compile(
    r"spec|attribute|technical|propert|characteristic|feature|datasheet|merkmal", re.I
)
# Pages that are never a product page, by the last segment of their url's path (or a folder).


@dataclass
class PageFeatures:
    """A page's features; plain data, so that it pickles cheaply and serialises as JSON."""

    title: str
    headings: list[dict[str, Any]]
    """Name candidates: {text, level, order, hinted}; level 1-3 for h1-h3, 3.8 for h4, 2.5 for other
    elements named like a product name, minus 1 when the element is so named."""
    images: list[dict[str, Any]]
    """Photo candidates outside chrome, links to other pages and related-product blocks:
    {url, area, order, hinted, gallery, tile}: gallery is the index of its gallery block,
    tile whether it is one of several like blocks that each show a photo and a distinct name
    (a grid of other products, linked or not; a gallery's slides carry no names)."""
    specs: list[tuple[str, str]]
    description: str
    breadcrumbs: list[str]
    buy: int
    """Buy controls (add to cart, in the page's language or markup): one on a product page,
    one per card on many listings."""
    price: bool
    product_markup: bool
    cards: list[list[str]]
    """[url, text] of pages this one links to with a thumbnail (outside related-product
    blocks): a listing has many; the site-level pass drops those that every page links (menus,
    sidebars), and reads the others as evidence and names for the pages they link to."""
    content_links: list[str]
    """Pages this one links to from its content (not from header, navigation, footer, sidebars
    or related-product blocks): a category links many products, a product few."""
    negative: str
    """What kind of non-product page the url says it is ("contact", "cart"), else empty."""
    template: list[int]
    """A MinHash of the page's content structure (`template_signature`)."""
    negative_heading: str = ""
    """The h1, where it names a kind of page that is no product ("Contact us"): the page's
    kind, unless many pages of the site show it (`SiteStats.negative`)."""


def read_features(
    tree: lxml.etree._Element,
    url: str,
    base: str,
    marks: Marks | None = None,
    photos: list[tuple[Any, bool]] | None = None,
    tiles: dict[Any, Any] | None = None,
) -> PageFeatures:
    """`photos` and `tiles`: the page's `images.photo_elements` and `images.tile_blocks`,
    where the caller has them already (the listing check needs them too)."""
    marks = marks or Marks(tree)
    photos = photo_elements(tree, marks) if photos is None else photos
    tiles = tile_blocks(tree, marks, photos) if tiles is None else tiles
    return PageFeatures(
        title=clean_text(next((text_of(t) for t in tree.iter("title")), "")),
        headings=headings(tree, marks),
        images=content_images(tree, base, marks, url, tiles, photos),
        specs=spec_rows(tree),
        description=description(tree, marks),
        breadcrumbs=breadcrumbs_nav(tree),
        buy=buy_controls(tree, marks),
        price=has_price(tree, marks),
        product_markup=has_product_markup(tree, marks),
        cards=card_links(tree, base, marks, url, tiles),
        content_links=content_links(tree, base, marks),
        negative=negative_kind(tree, url),
        negative_heading=negative_heading(tree),
        template=template_signature(tree, marks),
    )


# ---------------------------------------------------------------- name candidates


def headings(tree: lxml.etree._Element, marks: Marks) -> list[dict[str, Any]]:
    """h1-h4 and elements marked or named as a product's name, in document order.

    A <header> holds the site's logo and menu, or a section's own title (HTML's sectioning):
    headings in it stay candidates, and those that repeat on every page are dropped site-wide.
    """
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    skipped = Marks.CHROME | Marks.HIDDEN | Marks.LINK | Marks.RELATED
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str) or tag in ("body", "html", "meta"):
            continue
        if tag not in _HEADINGS and not (
            element.get("class") or element.get("id") or element.get("itemprop") == "name"
        ):
            continue
        if marks.has(element, skipped):
            continue
        order = marks.order[element]
        parent = element.getparent()
        named = bool(_PRODUCT_NAME.search(hint(element))) or element.get("itemprop") == "name"
        named = named or (parent is not None and bool(_PRODUCT_NAME.search(hint(parent))))
        titled = tag not in _HEADINGS and bool(_TITLE_CLASS.search(hint(element)))
        if tag not in _HEADINGS and not named and not titled:
            continue
        if titled and not named and (len(element) > 2 or element.tag in ("html", "body")):
            continue  # a titled container, not a title
        value = text_of(element)
        if not value or len(value) > 200 or value.endswith(":") or value in seen:
            continue
        seen.add(value)
        level = _HEADINGS.get(tag, 3.5 if titled else 2.5)
        level -= 1.0 if named else 0.0
        found.append({"text": value, "level": level, "order": order, "hinted": named})
    return found


# ---------------------------------------------------------------- photo candidates


def breadcrumbs_nav(tree: lxml.etree._Element) -> list[str]:
    # XPath's translate() on three attributes of every element took twice as long as this.
    containers = (
        element
        for element in tree.iter()
        if isinstance(element.tag, str)
        and any(
            "breadcrumb" in (element.get(name) or "").translate(_BREADCRUMB_CASE)
            for name in ("aria-label", "class", "id")
        )
    )
    for container in containers:
        parts = container.xpath(".//li") or container.xpath(".//a | .//span[not(.//a)]")
        names = [text_of(p) for p in parts]
        names = [n for n in dict.fromkeys(names) if n and n not in SEPARATORS]
        if names:
            return names
    return []


def spec_rows(tree: lxml.etree._Element) -> list[tuple[str, str]]:
    """Key/value rows from two-column tables, definition lists and spec lists outside chrome."""
    rows: list[tuple[str, str]] = []
    blocks: dict[str, list[Any]] = {"table": [], "dl": [], "ul": []}
    for block in _SPEC_BLOCKS(tree):
        blocks["ul" if block.tag == "ol" else block.tag].append(block)
    for table in blocks["table"]:
        cells_per_row = [[c for c in tr if c.tag in ("th", "td")] for tr in table.iter("tr")]
        cells_per_row = [cells for cells in cells_per_row if cells]
        pairs = [cells for cells in cells_per_row if len(cells) == 2]
        if not pairs or len(pairs) < 0.6 * len(cells_per_row):
            continue
        # A row of two <th> is the table's header ("Property | Value"), not a spec.
        rows += [(text_of(k), text_of(v)) for k, v in pairs if (k.tag, v.tag) != ("th", "th")]
    for dl in blocks["dl"]:
        for dt in _DEFINITION_TERMS(dl):
            dd = _NEXT_DEFINITION(dt)
            if dd:
                rows.append((text_of(dt), text_of(dd[0])))
    for spec_list in blocks["ul"]:
        if not _SPEC_CONTAINER.search(hint(spec_list) + hint(spec_list.getparent())):
            continue
        for item in _LIST_ITEMS(spec_list):
            cells = [c for c in item if isinstance(c.tag, str)]
            if len(cells) == 2:
                rows.append((text_of(cells[0]), text_of(cells[1])))
            else:
                key, sep, value = text_of(item).partition(":")
                if sep:
                    rows.append((key, value.strip()))
    return [
        (key.rstrip(":").strip(), value)
        for key, value in rows
        if key.rstrip(":").strip() and value and len(key) <= 80 and len(value) <= 500
    ]


def description(tree: lxml.etree._Element, marks: Marks | None = None) -> str:
    """The description block: marked-up or class-named first, else the largest run of prose.

    Blocks that contain the h1 are whole product panels, not descriptions; cookie banners,
    reviews and shipping notes are skipped.
    """
    for block in tree.xpath("//*[@itemprop='description']"):
        value = block.get("content") if block.tag == "meta" else prose(block)
        if value and len(value) >= 20:
            return " ".join(value.split())
    # Elements, not their id()s: lxml wraps a node anew once its wrapper is gone, and a freed
    # wrapper's id() is soon another's.
    panels = {a for h1 in tree.iter("h1") for a in h1.iterancestors()}
    named = [
        element
        for element in tree.xpath(f"//*[@id or @class][not({CHROME})]")
        if element.tag not in ("meta", "link", "img", "script", "style", "body", "html")
        and not _NOT_DESCRIPTION.search(hint(element))
        and element not in panels
    ]
    for pattern in _DESCRIPTION_BLOCKS:
        for element in named:
            if pattern.search(hint(element)):
                value = prose(element)
                if len(value) >= 20:
                    return value
    runs: dict[Any, list[str]] = {}
    for paragraph in tree.xpath(
        f"//p[not({CHROME} or ancestor::aside or ancestor::form or ancestor::a)]"
    ):
        if marks is not None and marks.has(paragraph, Marks.RELATED | Marks.CHROME):
            continue
        if any(
            _NOT_DESCRIPTION.search(hint(a)) or (marks is None and RELATED.search(hint(a)))
            for a in paragraph.iterancestors()
        ):
            continue
        value = text_of(paragraph)
        if len(value) >= 20:
            runs.setdefault(paragraph.getparent(), []).append(value)
    if runs:
        best = max(runs.values(), key=lambda texts: sum(map(len, texts)))
        if sum(map(len, best)) >= 40:
            return " ".join(best)
    return clean_text(tree.xpath("string(//meta[@name='description']/@content)"))


# ---------------------------------------------------------------- what kind of page
