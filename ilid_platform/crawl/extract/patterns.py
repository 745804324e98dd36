"""Patterns that tell a page's parts apart, shared by the page readers: chrome, sidebars,
related-product blocks, decorative images, galleries and product markup."""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import Any

import lxml.etree

from ilid_platform.crawl.extract.html import NON_CONTENT_TAGS

ASCII_FOLDS = str.maketrans({"İ": "i", "ı": "i", "ſ": "s", "\u212a": "k"})
"""The only characters other than ASCII that re.I matches to ASCII letters (and the Kelvin
sign)."""


class FoldedPattern:
    """A case-insensitive pattern of lowercase words, searched as fast as a case-sensitive
    one: under re.I, Python's engine tries every alternative at every position (65 us for a
    120-character image label against DECORATIVE), while ASCII text, lowercased, matches the
    same words case-sensitively in a tenth of that. Other text, in which re.I also folds
    letters such as 'ſ' into 's', is searched with re.I itself. The pattern is written in
    lower case, and none of its other letters folds into an ASCII one ('ı' would match 'I').

    `words`, where given: every match in ASCII text holds one of them (and in any text, for a
    pattern of ASCII only). Text that holds none is not searched: a lookbehind in front of an
    alternative keeps the engine from skipping to the positions where a word may start, and a
    substring test is many times cheaper."""

    def __init__(self, pattern: str, words: tuple[str, ...] = ()) -> None:
        others = "".join(sorted(set(pattern) - set(string.printable)))
        folds = bool(others) and re.search(f"[{re.escape(others)}]", string.ascii_letters, re.I)
        if pattern != pattern.lower() or folds:
            raise ValueError(f"not a lower-case pattern that folds only ASCII: {pattern!r}")
        if any(word != word.lower() or not word.isascii() for word in words):
            raise ValueError(f"not lower-case ASCII words: {words!r}")
        self.pattern = pattern
        self.words = words
        self._lower = re.compile(pattern)
        self._ignore_case = re.compile(pattern, re.I)

    def search(self, text: str) -> re.Match[str] | None:
        """As `re.search` with re.I; on ASCII text the match is of the lowercased text."""
        if text.isascii():
            return self._search_ascii(text.lower())
        return self._search_other(text)

    def search_lowered(self, text: str, lowered: str | None) -> re.Match[str] | None:
        """`search`, given `text.lower()` for ASCII text (None for other text): one lowering
        for several patterns."""
        if lowered is not None:
            return self._search_ascii(lowered)
        return self._search_other(text)

    def _search_ascii(self, lowered: str) -> re.Match[str] | None:
        if self.words and not any(word in lowered for word in self.words):
            return None
        return self._lower.search(lowered)

    def _search_other(self, text: str) -> re.Match[str] | None:
        if self.words and self.pattern.isascii():
            folded = text.translate(ASCII_FOLDS).lower()
            if not any(word in folded for word in self.words):
                return None
        return self._ignore_case.search(text)


# Containers on product pages whose cards are other products, not a listing.
RELATED = FoldedPattern(
    r"related|similar|recommend|upsell|up-sell|cross-?sell|also[-_]?(bought|viewed)|accessor"
)

DECORATIVE = FoldedPattern(
    # ASP.NET names every element of a page's content after the master page's slot
    # ("ctl00_ContentPlaceHolder1_imgProduct"): that is no placeholder image; nor is a gallery's
    # placeholder, the first photo a script-fed gallery shows before it runs (Magento 2).
    r"logo|sprite|spinner|(?<!content)(?<!gallery[-_])placeholder|badge|avatar|banner"
    r"|payment|social|whatsapp|facebook|twitter|instagram|youtube"
    # Words that product words hold (silicone, wheelbarrow, operating) count at the start of a
    # word only; a star alone ("stars_4.png", not a star washer, not a starter), a loader
    # alone or an ajax one (not a wheel loader).
    r"|(?<![a-z])(?:icon|pixel|arrow|flag|rating)|(?<![a-z])stars?(?![a-z-])"
    r"|(?<![a-z-])(?:ajax[-_]?)?loader(?![a-z])",
    words=(
        *("logo", "sprite", "spinner", "placeholder", "badge", "avatar", "banner", "payment"),
        *("social", "whatsapp", "facebook", "twitter", "instagram", "youtube", "icon"),
        *("pixel", "arrow", "flag", "rating", "star", "loader"),
    ),
)
IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp|tiff?)(?:$|\?)", re.I)
DOCUMENT_FILE = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|odt|ods|zip|rar|7z|dwg|dxf|stp|step|igs)(?:$|[?#])", re.I
)
"""A download (a datasheet, a drawing): a link to it leads to no other page."""

GALLERY = FoldedPattern(
    r"gallery|carousel|slider|swiper|slick|thumbnail|product[-_]?(image|img|media|photo|pic)"
    r"|images|photos|zoom|lightbox|fotorama|main[-_]?image|featured[-_]?image|wp-post-image"
)

PRODUCT_MARKUP = re.compile(
    r"single[-_]product|product[-_]?(detail|info|view|page|single|main|summary|essential"
    r"|shop|full|gallery|image|img|description|name|title|card|wrap|data|content|top)"
    r"|catalog-product-view|product-template|type-product|view-product|productFull",
    re.I,
)

DIGITS = re.compile(r"\d+")
_GENERATED = re.compile(r"(?<=[-_])[a-z]*\d[a-z\d]*(?=\s|$)", re.I)
"""A class's last part with a digit in it: a number, or an id a page builder generates per
element (elementor-element-3cfd5e2, wp-container-7f3a), which differs from page to page."""


@lru_cache(maxsize=65536)
def node_label(tag: str, classes: str, identifier: str) -> str:
    """An element's tag, sorted classes and id with digits and generated ids dropped
    (post-123 and post-456 agree, so do elementor-element-3cfd5e2 and elementor-element-a1b2):
    where it sits in a template. Cached, as a site's pages repeat their elements."""
    classes = " ".join(sorted(DIGITS.sub("", _GENERATED.sub("", classes)).split()))
    return f"{tag}.{classes}#{DIGITS.sub('', identifier)}"


LISTING_CARDS = 4

_SECTIONS = frozenset(("main", "article", "section"))
"""A <header> inside these heads its section (a product's name and photo), not the site."""

_SIDEBAR_HINT = FoldedPattern(
    r"(?<!no[-_])(?<!has[-_])(?<!with[-_])(?<!without[-_])(sidebar|side-bar)|\bcol-(left|right)\b",
    words=("sidebar", "side-bar", "col-left", "col-right"),
)
"""A sidebar block; "no-sidebar", "has-sidebar", "with-sidebar" name a layout, not a block."""


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


_PICTURE_TEXT = 80
"""At most a caption's characters: a block with no more text is a picture block."""


def _picture_block(element: lxml.etree._Element) -> bool:
    """Whether a block shows pictures and nothing else: no more text than a caption, and no
    link to a page (a zoom link to the image file, or an anchor without href, leads nowhere).
    A sidebar is menus, widgets and linked banners; a picture block named like one is the
    photo column beside a product's text (`p_sidebar` next to `p_container`)."""
    if next(element.iter("img"), None) is None or _chars(element) > _PICTURE_TEXT:
        return False
    for link in element.iter("a"):
        href = (link.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:")) and not IMAGE_FILE.search(href):
            return False
    return True


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
            # The <body>'s classes name the layout ("sidebar_right": the page has one), never a
            # block of it.
            if (names or element.get("id")) and tag not in ("body", "html"):
                label = f"{element.get('id', '')} {names or ''}"
                lowered = label.lower() if label.isascii() else None
                if not mark & self.CHROME and _SIDEBAR_HINT.search_lowered(label, lowered):
                    mark |= self._named(tree, element, parent, _SIDEBAR_HINT, label, self.CHROME)
                if not mark & self.RELATED and RELATED.search_lowered(label, lowered):
                    mark |= self._named(tree, element, parent, RELATED, label, self.RELATED)
            if self._page_words and parent in self._page_words:
                self._page_words.setdefault(element, self._page_words[parent])
            flags[element] = mark

    def _named(
        self,
        tree: Any,
        element: Any,
        parent: Any,
        pattern: re.Pattern[str] | FoldedPattern,
        label: str,
        flag: int,
    ) -> int:
        """`flag` for a block named like a sidebar or related products, unless it holds the
        page or is a part, named after it, of a block that does."""
        word = pattern.search(label).group(0).lower()
        inherited = self._page_words.get(parent, frozenset())
        if word in inherited:
            return 0  # a part of the block that is the page (accessories__content)
        if flag == self.CHROME and _picture_block(element):
            return 0
        self._total = self._total or _content_text(tree)
        if _holds_page(element, self._total):
            self._page_words[element] = inherited | {word}
            return 0
        return flag

    def has(self, element: Any, mask: int) -> bool:
        return bool(self.flags.get(element, 0) & mask)
