"""What the page itself shows, read without structured data: its headings and images (the
candidates for a product's name and photo), breadcrumbs, the product's own text (`page_text`: spec
rows, description), and the cues that tell a product page from a listing, a contact page or a
shopping cart.

Nothing here decides on its own: the site-level pass (`site`) weighs these features across
all pages of a catalog, where a heading or an image that repeats on every page is chrome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import lxml.etree

from ilid_platform.crawl.extract.cues import (
    CardCandidates,
    buy_controls,
    card_candidates,
    card_links,
    card_thumbnails,
    has_price,
    has_product_markup,
    page_links,
    template_signature,
)
from ilid_platform.crawl.extract.html import NON_CONTENT_TAGS, hint, text_of
from ilid_platform.crawl.extract.html import clean as clean_text
from ilid_platform.crawl.extract.images import (
    content_images,
    dimension,
    photo_elements,
    tile_blocks,
)
from ilid_platform.crawl.extract.page_kinds import crumb_kind, negative_heading, negative_kind
from ilid_platform.crawl.extract.page_text import description, spec_rows
from ilid_platform.crawl.extract.patterns import FoldedPattern, Marks

SEPARATORS = {">", "/", "›", "»", "|", "→", "-", "\\"}

_BREADCRUMB_CASE = str.maketrans("BREADCRUMB", "breadcrumb")

_YOU_ARE_HERE = re.compile(
    r"\s*(当前位置|您的位置|你的位置|您现在的位置|现在位置|you are here|current location"
    r"|вы здесь|вы находитесь|sie sind hier)\s*[:：]",
    re.I,
)
"""The words that open a trail of links without a breadcrumb class (Chinese CMS templates)."""

_HEADINGS = {"h1": 1.0, "h2": 2.0, "h3": 3.0, "h4": 3.8, "h5": 4.6, "h6": 4.7}
"""Heading levels; an h4 names a page only where no h1-h3 or titled element does (hand-written
catalogs that put the product's name in an h4 under a slogan)."""

EMPHASIS = 4.9
_LARGE_FONT = {"4", "5", "6", "7"}
"""The level of a bold or large-font run on a page without headings (`emphasised`)."""

_TITLE_CLASS = FoldedPattern(
    r"(^|[\s_-])(title|heading\d?|headline|caption)($|[\s_-])",
    words=("title", "heading", "headline", "caption"),
)

_PRODUCT_NAME = FoldedPattern(r"product[-_]?(full)?[-_]?(name|title)|item[-_]?(name|title)")

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
    card_photos: list[list[str]] = field(default_factory=list)
    text_links: list[list[str]] = field(default_factory=list)
    """[url, text] of its text links outside related-product blocks (`menus`)."""
    """[url, image url] of the thumbnails of its cards (`cues.card_thumbnails`)."""
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
    cards: CardCandidates | None = None,
) -> PageFeatures:
    """`photos`, `tiles` and `cards`: the page's `images.photo_elements`,
    `images.tile_blocks` and `cues.card_candidates`, where the caller has them already (the
    listing check needs them too)."""
    marks = marks or Marks(tree)
    photos = photo_elements(tree, marks) if photos is None else photos
    tiles = tile_blocks(tree, marks, photos) if tiles is None else tiles
    crumbs = breadcrumbs_nav(tree)
    cards = card_candidates(tree, marks, tiles) if cards is None else cards
    links, texts = page_links(tree, base, marks)
    return PageFeatures(
        title=clean_text(next((text_of(t) for t in tree.iter("title")), "")),
        headings=headings(tree, marks),
        images=content_images(tree, base, marks, url, tiles, photos),
        specs=spec_rows(tree),
        description=description(tree, marks),
        breadcrumbs=crumbs,
        buy=buy_controls(tree, marks),
        price=has_price(tree, marks),
        product_markup=has_product_markup(tree, marks),
        cards=card_links(tree, base, marks, url, tiles, candidates=cards),
        card_photos=card_thumbnails(cards, base, url),
        content_links=links,
        text_links=texts,
        negative=negative_kind(tree, url) or crumb_kind(crumbs),
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
        value = heading_text(element)
        if not value or len(value) > 200 or value.endswith(":") or value in seen:
            continue
        seen.add(value)
        level = _HEADINGS.get(tag, 3.5 if titled else 2.5)
        level -= 1.0 if named else 0.0
        found.append({"text": value, "level": level, "order": order, "hinted": named})
    return found or emphasised(tree, marks)


_GLUE = "\x00"


def heading_text(element: Any) -> str:
    """A heading's text; a superscript or subscript joins the word it marks, as it reads
    ("EL85i<sup>2</sup>" is EL85i2, "4000<sup>®</sup>" 4000®), where other inline elements
    are words of their own."""
    if next(element.iter("sup", "sub"), None) is None:
        return text_of(element)
    pieces: list[str] = []

    def walk(node: Any) -> None:
        if node.text:
            pieces.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and child.tag not in NON_CONTENT_TAGS:
                glued = child.tag in ("sup", "sub")
                if glued:
                    pieces.append(_GLUE)
                walk(child)
                if glued:
                    pieces.append(_GLUE)
            if child.tail:
                pieces.append(child.tail)

    walk(element)
    return " ".join(" ".join(pieces).replace(f" {_GLUE} ", "").replace(_GLUE, "").split())


def emphasised(tree: lxml.etree._Element, marks: Marks) -> list[dict[str, Any]]:
    """On a page without headings (FrontPage tables), its short bold or large-font runs, at
    `EMPHASIS` level: below every heading, for a title that is only an item code to give way
    to (`names.heading_name`)."""
    found: list[dict[str, Any]] = []
    skipped = Marks.CHROME | Marks.HIDDEN | Marks.LINK | Marks.RELATED
    for element in tree.iter("b", "strong", "font", "img"):
        if element.tag == "img":
            drawn = _drawn_title(element, marks)
            if drawn and all(h["text"] != drawn for h in found):
                found.append(
                    {"text": drawn, "level": _DRAWN, "order": marks.order[element], "hinted": False}
                )
            continue
        size = (element.get("size") or "").strip().lstrip("+")
        if element.tag == "font" and size not in _LARGE_FONT:
            continue
        if marks.has(element, skipped):
            continue
        value = text_of(element)
        if not value or len(value) > 80 or value.endswith(":") or len(value.split()) > 8:
            continue
        if any(h["text"] == value for h in found):
            continue
        found.append(
            {"text": value, "level": EMPHASIS, "order": marks.order[element], "hinted": False}
        )
    return found


_DRAWN = _HEADINGS["h4"]
"""A title drawn as a picture names its page as an h4 would: where nothing else heads it."""


def _drawn_title(img: Any, marks: Marks) -> str:
    """The alt text of a picture of text, a title banner (declared five times as wide as
    high, and low): what old pages without headings draw their heading as. A link's picture
    is a button or a card, not a title."""
    width, height = dimension(img.get("width")), dimension(img.get("height"))
    if not height or height > 80 or width < 5 * height:
        return ""
    if marks.has(img, Marks.CHROME | Marks.HIDDEN | Marks.LINK | Marks.RELATED):
        return ""
    alt = " ".join((img.get("alt") or "").split())
    if len(alt) > 80 or len(alt.split()) < 2 or not _WORDY.search(alt):
        return ""
    return alt


_WORDY = re.compile(r"[^\W\d_]{3}")


# ---------------------------------------------------------------- photo candidates


def breadcrumbs_nav(tree: lxml.etree._Element) -> list[str]:
    # XPath's translate() on three attributes of every element took twice as long as this.
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        get = element.get
        # One string for the three attributes: "breadcrumb" holds no space, so it is found in
        # it only where one of them holds it.
        label = f"{get('aria-label') or ''} {get('class') or ''} {get('id') or ''}"
        if "breadcrumb" not in label.translate(_BREADCRUMB_CASE) and not (
            # or a trail that opens with "当前位置：" (in this walk, which costs less than
            # an XPath text search)
            element.text and _YOU_ARE_HERE.match(element.text)
        ):
            continue
        parts = element.xpath(".//li") or element.xpath(".//a | .//span[not(.//a)]")
        names = [text_of(p) for p in parts]
        names = [n for n in dict.fromkeys(names) if n and n not in SEPARATORS]
        if names:
            return names
    return []


# ---------------------------------------------------------------- what kind of page
