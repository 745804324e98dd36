"""A page's photo candidates: every way pages show a product's photo, minus what cannot be
one (chrome, cards to other pages, related-product blocks, icons, the tiles of a grid)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import lxml.etree

from ilid_platform.crawl.extract.html import hint, join, text_of
from ilid_platform.crawl.extract.naming import page_key
from ilid_platform.crawl.extract.patterns import (
    DECORATIVE,
    DIGITS,
    DOCUMENT_FILE,
    GALLERY,
    IMAGE_FILE,
    LISTING_CARDS,
    PRODUCT_MARKUP,
    FoldedPattern,
    Marks,
    node_label,
)

_BACKGROUND_ATTRIBUTES = (
    "data-original",
    "data-bg",
    "data-background",
    "data-background-image",
    "data-bg-src",
    "data-src",
    "data-lazy",
    "data-lazy-src",
    "data-image",
    "data-img",
    "background",  # HTML 4's <td background="photo.jpg"> of table-layout pages
)
_LAZY = frozenset(_BACKGROUND_ATTRIBUTES)
_CLONED = re.compile(r"cloned|duplicate", re.I)
"""Carousel slides a script copied (slick-cloned, swiper-slide-duplicate): the first slide in
the document is then a copy of the last."""
_PICTURE_SOURCES = lxml.etree.XPath("ancestor::picture[1]/source/@srcset")

OWN_PHOTO_WIDTH = 300
"""Declared this wide, an image linked to a picture of another name is a photo in its own
right, not a thumbnail of that picture."""

PHOTO_AREA = 150 * 150
"""Declared at least this size, an image is a photo whatever its alt text says."""

_HEADING_TAGS = ("h1", "h2", "h3")

_CHART = FoldedPattern(
    r"(?<![a-zа-яё])(table|tablica|tabelle|tabla|tabela|таблиц|chart|diagram|drawing|scheme"
    r"|schema|схема|чертеж|чертёж|dimension|размер|zeichnung|尺寸|图纸|参数)",
    words=("tab", "chart", "diagram", "drawing", "schem", "dimension", "zeichnung"),
)
"""Words an image's alt text, title or file name uses for a size table or a drawing: it shows
the product's figures, not the product (`photos.choose_photos` puts it after a photo)."""

_LARGER = (
    "data-zoom-image",
    "data-large_image",
    "data-large",
    "data-full",
    "data-src",
    "data-lazy-src",
    "data-original",
)
"""Zoom and lazy-load attributes that name an image's full file, before its `src`."""

_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", re.I)


def dimension(value: str | None) -> int:
    match = re.fullmatch(r"\s*(\d+)(?:\.\d+)?\s*(?:px)?\s*", value or "")
    return int(match.group(1)) if match else 0


def largest_srcset(srcset: str) -> tuple[str, int]:
    """The widest candidate of a srcset ("a.jpg 400w, b.jpg 800w") and its width (0 if none)."""
    best, best_width = "", -1
    for candidate in srcset.split(","):
        parts = candidate.split()
        if not parts:
            continue
        width = dimension(parts[1][:-1]) if len(parts) > 1 and parts[1].endswith("w") else 0
        if width > best_width:
            best, best_width = parts[0], width
    return best, max(best_width, 0)


def image_source(img: Any) -> tuple[str, int]:
    """The url of an <img> at its largest (zoom and lazy-load attributes, srcset, <picture>),
    and the width a srcset declares for it. A bare file name in such an attribute beside a
    `src` in a folder is a name the page's script places somewhere, not a url."""
    shown = (img.get("src") or "").strip()
    src = next(
        (
            value
            for name in _LARGER
            if (value := (img.get(name) or "").strip())
            and ("/" in value or "/" not in shown or shown.startswith("data:"))
        ),
        shown,
    )
    srcset = img.get("data-srcset") or img.get("srcset") or img.get("data-lazy-srcset") or ""
    if not srcset and (not src or src.startswith("data:")):
        srcset = next(iter(_PICTURE_SOURCES(img)), "")
    widest, width = largest_srcset(srcset) if srcset else ("", 0)
    if widest and (not src or src.startswith("data:") or width):
        src = widest
    return src, width


def _caption(element: Any) -> str:
    """The short text just before an image, within its next four containers: what pages
    without headings write above a product's photo."""
    node = element
    for _ in range(4):
        sibling = node.getprevious()
        while sibling is not None:
            if isinstance(sibling.tag, str) and sibling.tag not in ("script", "style", "br"):
                words = text_of(sibling) if sibling.tag != "img" else ""
                if words:
                    short = 2 <= len(words) <= 120 and sibling.tag != "a"
                    return words if short and not _text_box(sibling) else ""
                if sibling.tag == "img" or sibling.xpath(".//img"):
                    return ""
            sibling = sibling.getprevious()
        words = (node.getparent().text or "").strip() if node.getparent() is not None else ""
        if words:
            return words if 2 <= len(words) <= 120 else ""
        node = node.getparent()
        if node is None or node.tag in ("body", "main"):
            break
    return ""


_TEXT_BLOCKS = frozenset({"p", "div", "ul", "ol", "table", "dl"})


def _text_box(element: Any) -> bool:
    """A box of two or more blocks of text (a name over its description, as page layout
    programs place them): no caption, whose text is one line."""
    return sum(1 for child in element if child.tag in _TEXT_BLOCKS and text_of(child)) >= 2


def _excluded(element: Any, marks: Marks, base: str, own_key: str) -> bool:
    """Inside a link to another page (a card; a link to the page itself, to the image file or
    to a download is none), or a related-products block."""
    if marks.has(element, Marks.RELATED):
        return True
    if not marks.has(element, Marks.LINK):
        return False
    for ancestor in element.iterancestors("a"):
        href = (ancestor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:")) or DOCUMENT_FILE.search(href):
            continue
        if not IMAGE_FILE.search(href):
            return page_key(join(base, href)) != own_key
    return False


def shows_photo(element: Any) -> bool:
    """An element that shows a picture other than an <img>: a CSS background, a lazy-load
    photo attribute."""
    attributes = element.attrib
    return "url(" in attributes.get("style", "") or any(
        name in _LAZY for name in attributes if attributes[name]
    )


def photo_elements(tree: lxml.etree._Element, marks: Marks) -> list[tuple[Any, bool]]:
    """<img>s, and other elements with a CSS background or lazy-load photo attribute, outside
    chrome, in document order; True marks the latter."""
    found = []
    flags, skip = marks.flags, Marks.CHROME | Marks.HEADER  # `marks.has`, without a call
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str) or flags.get(element, 0) & skip:
            continue
        attributes = element.attrib
        if tag == "img":
            found.append((element, False))
        elif shows_photo(element):
            found.append((element, True))
        else:
            continue
        parent = element.getparent()
        if _CLONED.search(attributes.get("class", "")) or (
            parent is not None and _CLONED.search(parent.get("class", ""))
        ):
            found.pop()
    return found


def _zoom_link(element: Any) -> str:
    link = next(element.iterancestors("a"), None)
    href = (link.get("href") or "").strip() if link is not None else ""
    return href if IMAGE_FILE.search(href) else ""


def _file_stem(url: str) -> str:
    return url.split("?")[0].rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _same_picture(src: str, link: str) -> bool:
    """Whether a linked image file is the shown one at another size: the same file name, or
    one name the other's with a size, prefix or suffix added (`x-600x600.jpg` and `x.jpg`,
    `thumb_x.jpg`, a cache folder's copy). A file of another name is another picture."""
    shown, linked = _file_stem(src), _file_stem(link)
    return shown in linked or linked in shown


def _gallery_of(element: Any) -> tuple[Any | None, bool]:
    """The nearest gallery-like container (five levels up), and whether one is product-named."""
    for depth, ancestor in enumerate(element.iterancestors()):
        if depth >= 5 or ancestor.tag in ("main", "body", "article"):
            break
        if GALLERY.search(hint(ancestor)) or PRODUCT_MARKUP.search(hint(ancestor)):
            return ancestor, True
    return None, False


def tile_blocks(
    tree: lxml.etree._Element, marks: Marks, elements: list[tuple[Any, bool]] | None = None
) -> dict[Any, Any]:
    """The <img>s that sit in a group of at least LISTING_CARDS like blocks (same tag and
    class, or same tag and parent), each block holding a photo and its own text, and some
    leading somewhere (a link, a button): the tiles of a grid of other things, each with its
    block. A grid whose blocks lead nowhere shows the page's own pictures (its variants by
    size, a captioned gallery)."""
    groups: dict[tuple[Any, str], dict[Any, tuple[Any, str]]] = {}
    actionable: dict[tuple[Any, str], int] = {}
    texts: dict[Any, str] = {}  # the photos of a gallery climb to the same blocks
    for img, background in photo_elements(tree, marks) if elements is None else elements:
        if background:
            continue
        block = img
        for _ in range(4):
            block = block.getparent()
            if block is None or block.tag in ("body", "main"):
                break
            words = texts.get(block)
            if words is None:
                words = texts[block] = text_of(block)
            if words:
                # Like blocks: the same tag and classes, or the same tag under one parent (a
                # row of cards whose classes differ by a spacing class).
                parent = block.getparent()
                alike = DIGITS.sub("", block.get("class", ""))
                if not alike and parent is not None:  # classless: alike under like parents
                    alike = f">{parent.tag}.{DIGITS.sub('', parent.get('class', ''))}"
                for key in ((block.tag, alike), (parent, block.tag)):
                    groups.setdefault(key, {})[img] = (block, words[:80])
                    actionable[key] = actionable.get(key, 0) + _actionable(block)
                break
    tiles: dict[Any, Any] = {}
    for key, members in groups.items():
        if len({words for _, words in members.values()}) >= LISTING_CARDS and actionable[key]:
            tiles.update((img, block) for img, (block, _) in members.items())
    return tiles


def _actionable(block: Any) -> bool:
    """Whether a tile leads somewhere, as a listing's items do: a link to a page (not to an
    image file, which shows the photo larger, nor to a download such as the datasheet of a
    variant), or a button."""
    if next(block.iter("button"), None) is not None:
        return True
    for link in (*block.iter("a"), *block.iterancestors("a")):
        href = (link.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:")):
            continue
        if not IMAGE_FILE.search(href) and not DOCUMENT_FILE.search(href):
            return True
    return False


def _icon_size(width: int, height: int) -> bool:
    """Declared under 64 px either way: an icon, a bullet, a rule or a strip of lettering;
    a small photo of a photo's proportions (109 x 59, at most twice as wide as high, 48 px
    or more either way) is no icon."""
    if not (width and width < 64) and not (height and height < 64):
        return False
    small, large = sorted((width, height))
    return not (small >= 48 and small * large >= 64 * 64 and large <= 2 * small)


def _slot(element: Any, background: bool) -> str:
    """Where an image sits in its page's structure: its tag and classes and those of three
    ancestors other than paragraphs, digits dropped. The same place on the pages of one
    template holds the same kind of picture (each page's own photo, a banner, a drawing)."""
    parts = []
    node = element
    while len(parts) < 4:
        if node is None or not isinstance(node.tag, str) or node.tag in ("body", "html"):
            break
        # A rich-text editor wraps a photo in a paragraph or leaves it bare in the text, at
        # the writer's whim: the same place of the template either way.
        if node is element or node.tag != "p":
            parts.append(node_label(node.tag, node.get("class", ""), node.get("id", "")))
        node = node.getparent()
    return ">".join(reversed(parts)) + ("::background" if background else "")


def _grid_spans(orders: list[int]) -> list[tuple[int, int]]:
    """The stretches of the document the tiles at these (sorted) positions cover, one per grid:
    a grid's tiles follow each other at about one card's length, so a gap over twice the
    usual one is the page between two grids (a sidebar's cards, then the product's own photo
    and text, then a footer's), not a card."""
    if not orders:
        return []
    gaps = sorted(b - a for a, b in zip(orders, orders[1:], strict=False))
    usual = gaps[len(gaps) // 2] if gaps else 0
    spans = [[orders[0], orders[0]]]
    for order in orders[1:]:
        if order - spans[-1][1] > 2 * usual + 4:
            spans.append([order, order])
        else:
            spans[-1][1] = order
    return [(start, end) for start, end in spans]


def content_images(
    tree: lxml.etree._Element,
    base: str,
    marks: Marks | None = None,
    url: str = "",
    tiles: dict[Any, Any] | None = None,
    elements: list[tuple[Any, bool]] | None = None,
) -> list[dict[str, Any]]:
    """Images that could be this product's photos, in document order.

    Read from <img> (src, lazy-load and zoom attributes, srcset, <picture> sources; a thumbnail
    that links to an image file stands for that file) and from elements whose photo is a CSS
    background or a lazy-load attribute. Skipped: chrome, cards and related-product blocks,
    icons and logos, SVGs and images declared under 64 px (`_icon_size`).
    """
    marks = marks or Marks(tree)
    images: list[dict[str, Any]] = []
    galleries: dict[Any, int] = {}
    elements = photo_elements(tree, marks) if elements is None else elements
    order_of = marks.order
    tiles = tile_blocks(tree, marks, elements) if tiles is None else tiles
    own_key = page_key(url or base)
    for element, background in elements:
        if _excluded(element, marks, base, own_key):
            continue
        width = height = srcset_width = 0
        if background:
            if next(element.iter(*_HEADING_TAGS), None) is not None:
                continue  # the backdrop of a heading (a page header's banner), not a photo
            style = _CSS_URL.search(element.get("style") or "")
            lazy = next((element.get(n) for n in _BACKGROUND_ATTRIBUTES if element.get(n)), "")
            src = (lazy or (style.group(1) if style else "")).strip()
            src = (_CSS_URL.search(src).group(1) if src.startswith("url(") else src).strip()
            if not IMAGE_FILE.search(src):
                continue
        else:
            src, srcset_width = image_source(element)
            width, height = dimension(element.get("width")), dimension(element.get("height"))
        zoom = _zoom_link(element)
        if not src or src.startswith("data:") or src.lower().split("?")[0].endswith(".svg"):
            continue
        if DECORATIVE.search(f"{src} {hint(element)}") or (
            # An alt text is often a template's leftover ("feature banner" on every product's
            # photo): it rules out only an image not declared at a photo's size.
            DECORATIVE.search(element.get("alt", "")) and (width * (height or width) < PHOTO_AREA)
        ):
            continue
        if not zoom and _icon_size(width, height):
            continue
        width = width or srcset_width
        url = join(base, src)
        if zoom and width >= OWN_PHOTO_WIDTH and not _same_picture(src, zoom):
            zoom = ""  # a photo in its own right, linked to another picture (a brochure page)
        if zoom:  # the larger file, unless only a mirror's dead link to its original host
            zoomed = join(base, zoom)
            if zoomed and (not url or urlsplit(zoomed).netloc == urlsplit(url).netloc):
                url = zoomed
        if not url:
            continue
        gallery, named = _gallery_of(element)
        caption = _caption(element)
        chart = _CHART.search(
            f"{element.get('alt', '')} {element.get('title', '')} {src.rsplit('/', 1)[-1]}"
        )
        if gallery is not None:
            galleries.setdefault(gallery, len(galleries))
        images.append(
            {
                "url": url,
                "area": width * (height or width),
                "order": order_of.get(element, 0),
                "hinted": named or element.get("itemprop") == "image",
                "gallery": galleries.get(gallery, -1) if gallery is not None else -1,
                "tile": element in tiles,
                "caption": caption,
                "chart": chart.group(1).lower() if chart else "",
                "slot": _slot(element, background),
            }
        )
    # A badge or overlay between a grid's tiles belongs to the grid, not to the page.
    spans = _grid_spans(sorted(order_of[element] for element in tiles))
    for image in images:
        if any(start <= image["order"] <= end for start, end in spans):
            image["tile"] = True
    unique: dict[str, dict[str, Any]] = {}
    for image in images:
        unique.setdefault(image["url"], image)
    return list(unique.values())


# ---------------------------------------------------------------- specs, text, crumbs
