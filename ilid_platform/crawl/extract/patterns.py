"""Patterns that tell a page's parts apart, shared by the page readers: chrome, sidebars,
related-product blocks, decorative images, galleries and product markup."""

from __future__ import annotations

import re
from typing import Any

import lxml.etree

from ilid_platform.crawl.extract.html import NON_CONTENT_TAGS

# Containers on product pages whose cards are other products, not a listing.
RELATED = re.compile(
    r"related|similar|recommend|upsell|up-sell|cross-?sell|also[-_]?(bought|viewed)|accessor", re.I
)

DECORATIVE = re.compile(
    r"logo|icon|sprite|spinner|placeholder|pixel|badge|avatar|banner|arrow|loader|flag"
    r"|payment|rating|star|social|whatsapp|facebook|twitter|instagram|youtube",
    re.I,
)
IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp|tiff?)(?:$|\?)", re.I)
DOCUMENT_FILE = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|odt|ods|zip|rar|7z|dwg|dxf|stp|step|igs)(?:$|[?#])", re.I
)
"""A download (a datasheet, a drawing): a link to it leads to no other page."""

GALLERY = re.compile(
    r"gallery|carousel|slider|swiper|slick|thumbnail|product[-_]?(image|img|media|photo|pic)"
    r"|images|photos|zoom|lightbox|fotorama|main[-_]?image|featured[-_]?image|wp-post-image",
    re.I,
)

PRODUCT_MARKUP = re.compile(
    r"single[-_]product|product[-_]?(detail|info|view|page|single|main|summary|essential"
    r"|shop|full|gallery|image|img|description|name|title|card|wrap|data|content|top)"
    r"|catalog-product-view|product-template|type-product|view-product|productFull",
    re.I,
)

DIGITS = re.compile(r"\d+")

LISTING_CARDS = 4

_SECTIONS = frozenset(("main", "article", "section"))
"""A <header> inside these heads its section (a product's name and photo), not the site."""

_SIDEBAR_HINT = re.compile(r"sidebar|side-bar|\bcol-(left|right)\b", re.I)


def _chars(element: lxml.etree._Element) -> int:
    """Characters of an element's text other than white space, scripts and styles (counted
    in C: the text as `html.text_of` reads it, for comparing blocks, is much slower)."""
    count = len("".join("".join(element.itertext()).split()))
    for hidden in element.iter(*NON_CONTENT_TAGS):
        count -= len("".join("".join(hidden.itertext()).split()))
    return count


def _content_text(tree: lxml.etree._Element) -> int:
    """Characters of the page's text outside navigation, header, footer and aside elements."""
    outside = sum(
        _chars(element)
        for element in tree.iter("nav", "header", "footer", "aside")
        if next(element.iterancestors("nav", "header", "footer", "aside"), None) is None
    )
    return max(_chars(tree) - outside, 1)


def _holds_page(element: lxml.etree._Element, content_text: int) -> bool:
    """Whether a block holds most of the page's text, and that text is mostly not links (a
    menu in a sidebar is links; boilerplate detection's link density)."""
    text = _chars(element)
    if 2 * text <= content_text:
        return False
    links = sum(_chars(a) for a in element.iter("a"))
    return 2 * links < text


class Marks:
    """Where each element of one page sits, from one walk of the tree, so that the readers ask
    a dict instead of evaluating ancestor XPaths for every element: inside navigation, a
    footer, an aside or a sidebar (CHROME), the site's <header> (HEADER; one inside main,
    article or section heads that section), a link (LINK), a related-products block
    (RELATED) or a script or style (HIDDEN). `order` is each element's position in document
    order.

    A block named like a sidebar or a related-products block that holds most of the page's
    text, and that text mostly not links, is the page itself (themes call their content
    wrapper `sidebar-page-container`, shops put a product's category, `product_cat-accessories`,
    on its page's wrapper), as a header that swallowed the page is no header
    (`html.parse_html`); and so are the blocks inside it named after it
    (`accessories__content`)."""

    CHROME, HEADER, LINK, RELATED, HIDDEN = 1, 2, 4, 8, 16
    _SECTION = 32  # inside main, article or section

    def __init__(self, tree: lxml.etree._Element) -> None:
        self.flags: dict[Any, int] = {}
        self.order: dict[Any, int] = {}
        flags, order = self.flags, self.order
        self._total = 0
        self._page_words: dict[Any, frozenset[str]] = {}  # names of blocks that hold the page
        for position, element in enumerate(tree.iter()):
            order[element] = position
            parent = element.getparent()
            mark = flags.get(parent, 0) if parent is not None else 0
            tag = element.tag
            if not isinstance(tag, str):
                flags[element] = mark | self.HIDDEN
                continue
            if tag in ("nav", "footer", "aside"):
                mark |= self.CHROME
            elif tag == "header" and not mark & self._SECTION:
                mark |= self.HEADER
            elif tag in NON_CONTENT_TAGS:
                mark |= self.HIDDEN
            elif tag == "a" and element.get("href"):
                mark |= self.LINK
            elif tag in _SECTIONS:
                mark |= self._SECTION
            names = element.get("class")
            if names or element.get("id"):
                label = f"{element.get('id', '')} {names or ''}"
                if not mark & self.CHROME and _SIDEBAR_HINT.search(label):
                    mark |= self._named(tree, element, parent, _SIDEBAR_HINT, label, self.CHROME)
                if not mark & self.RELATED and RELATED.search(label):
                    mark |= self._named(tree, element, parent, RELATED, label, self.RELATED)
            if self._page_words and parent in self._page_words:
                self._page_words.setdefault(element, self._page_words[parent])
            flags[element] = mark

    def _named(
        self, tree: Any, element: Any, parent: Any, pattern: re.Pattern[str], label: str, flag: int
    ) -> int:
        """`flag` for a block named like a sidebar or related products, unless it holds the
        page or is a part, named after it, of a block that does."""
        word = pattern.search(label).group(0).lower()
        inherited = self._page_words.get(parent, frozenset())
        if word in inherited:
            return 0  # a part of the block that is the page (accessories__content)
        self._total = self._total or _content_text(tree)
        if _holds_page(element, self._total):
            self._page_words[element] = inherited | {word}
            return 0
        return flag

    def has(self, element: Any, mask: int) -> bool:
        return bool(self.flags.get(element, 0) & mask)
