"""What kind of page it is: cards and links to other pages, buy controls, prices, product
markup, a script-rendered shell, and its template (the kind a url or heading names is
`page_kinds`)."""

from __future__ import annotations

import re
import zlib
from functools import lru_cache
from typing import Any

import lxml.etree
import numpy as np

from ilid_platform.crawl.extract.html import (
    CHROME,
    NON_CONTENT_TAGS,
    NOT_CONTENT,
    hint,
    join,
    link_href,
    text_of,
)
from ilid_platform.crawl.extract.images import image_source, shows_photo, tile_blocks
from ilid_platform.crawl.extract.naming import page_key
from ilid_platform.crawl.extract.patterns import (
    DECORATIVE,
    DIGITS,
    DOCUMENT_FILE,
    IMAGE_FILE,
    LISTING_CARDS,
    PRODUCT_MARKUP,
    FoldedPattern,
    Marks,
    node_label,
)

_OUTSIDE_CONTENT = Marks.CHROME | Marks.HEADER
_ACTION_LINK = re.compile(r"[/?&](remove|delete|compare|wishlist|add|cart)\b", re.I)

_BUY_TEXT = FoldedPattern(
    r"add to (cart|basket|bag)|buy now|buy it now|order now|in den warenkorb|warenkorb|kaufen"
    r"|bestellen|ajouter au panier|panier|añadir al carrito|carrito|comprar|aggiungi al carrello"
    r"|carrello|carrinho|adicionar|в корзину|купить|корзин|заказать|do koszyka|kup teraz"
    r"|in winkelwagen|winkelwagen|köp|osta|lägg i varukorg|mua ngay|thêm vào giỏ|giỏ hàng"
    r"|カートに入れる|购买|加入购物车"
)

_BUY_ATTRIBUTE = FoldedPattern(r"add[-_]?to[-_]?cart|addtocart|buy[-_]?now|cart/add|add-cart")

_PRICE = re.compile(
    r"(?:[$€£¥₹₽₫]|\b(?:usd|eur|gbp|chf|rub|руб|р\.|aud|cad|nzd|vnd|đ|aed|zł|pln|brl|r\$|kr|sek|"
    r"dkk|nok|czk|huf|inr|jpy|cny|грн|uah|byn)\b)\s?\d|\d[\d\s.,']*\s?(?:[$€£¥₹₽₫]|\b(?:usd|eur|"
    r"gbp|chf|rub|руб|р\.|aud|cad|vnd|đ|aed|zł|pln|brl|kr|sek|dkk|nok|czk|грн|uah|byn)(?=\W|$))",
    re.I,
)

_MERSENNE = np.uint64((1 << 31) - 1)

_MINHASH_A = np.random.default_rng(7).integers(1, (1 << 31) - 1, 32, dtype=np.uint64)

_MINHASH_B = np.random.default_rng(8).integers(0, (1 << 31) - 1, 32, dtype=np.uint64)

APP_ROOT_IDS = {"app", "root", "__next", "__nuxt", "svelte", "main-app", "application"}

# Compiled once; plain strings, not lxml's "smart" ones that know their parent element.
_CONTENT_TEXT = lxml.etree.XPath(
    f"//body//text()[not({NOT_CONTENT} or {CHROME})]", smart_strings=False
)
_WITH_ID = lxml.etree.XPath("//*[@id]")
_NOT_CONTENT_TAGS = (*NON_CONTENT_TAGS, "nav", "header", "footer")


CardCandidates = tuple[list[tuple[Any, str, list[Any]]], list[tuple[Any, list[str]]]]
"""A page's links that wrap a thumbnail, each with its href and <img>s, and its grid tiles
that lead somewhere, each with its links' hrefs (`card_candidates`)."""


def card_candidates(
    tree: lxml.etree._Element, marks: Marks, tiles: dict[Any, Any] | None = None
) -> CardCandidates:
    """What `card_links` reads of the page whatever the base url: one walk for both the
    listing check and the page's cards."""
    skip = _OUTSIDE_CONTENT | Marks.RELATED
    linked = []
    for link in tree.iter("a"):
        if marks.has(link, skip):
            continue
        href = _page_href(link)
        if not href:
            continue
        images = [img for img in link.iter("img") if not DECORATIVE.search(_label(img))]
        if images or any(shows_photo(e) for e in link.iter("*") if e.tag != "img"):
            linked.append((link, href, images))
    tiles = tile_blocks(tree, marks) if tiles is None else tiles
    tiled = [
        (block, [h for h in map(_page_href, block.iter("a")) if h])
        for img, block in tiles.items()
        if not marks.has(img, skip) and not DECORATIVE.search(_label(img))
    ]
    return linked, tiled


def card_links(
    tree: lxml.etree._Element,
    base: str,
    marks: Marks | None = None,
    url: str = "",
    tiles: dict[Any, Any] | None = None,
    texts: bool = True,
    candidates: CardCandidates | None = None,
) -> list[list[str]]:
    """Distinct other pages linked with a thumbnail that is no icon, outside chrome and related
    blocks, each with the card's text (the link's, else its image's alt); and the tiles of a
    grid (`images.tile_blocks`) that link one page from their text ("View product"), with the
    tile's text. `texts=False` leaves the texts empty, for callers that only count the cards
    (which pages are linked does not depend on them). `candidates`: the page's
    `card_candidates`, where the caller has them already."""
    if candidates is None:
        candidates = card_candidates(tree, marks or Marks(tree), tiles)
    linked, tiled = candidates
    own_key = page_key(url) if url else ""
    hrefs: dict[str, str] = {}
    for link, href, images in linked:
        absolute = join(base, href)
        if absolute and own_key and page_key(absolute) == own_key:
            continue  # a photo that links to its own page
        if absolute and not hrefs.get(absolute):
            words = ""
            if texts:
                words = text_of(link) or next((i.get("alt", "") for i in images), "")
            hrefs[absolute] = " ".join(words.split())[:120]
    for block, block_hrefs in tiled:
        targets = {join(base, h) for h in block_hrefs} - {""}
        targets = {t for t in targets if not own_key or page_key(t) != own_key}
        if len(targets) == 1 and not any(t in hrefs for t in targets):
            hrefs[targets.pop()] = text_of(block)[:120] if texts else ""
    return [[href, words] for href, words in hrefs.items()]


def card_thumbnails(candidates: CardCandidates, base: str, url: str = "") -> list[list[str]]:
    """[page url, image url] of each link to another page that wraps an <img>: the thumbnail
    a listing shows for a page, which is that page's main photo (`SiteStats.card_photos`)."""
    own_key = page_key(url) if url else ""
    found: dict[tuple[str, str], None] = {}
    for _, href, images in candidates[0]:
        target = join(base, href)
        if images and target and page_key(target) != own_key:
            src = join(base, image_source(images[0])[0])
            if src:
                found[(target, src)] = None
    return [list(pair) for pair in found][:500]


def _page_href(link: Any) -> str:
    """The href of a link to a page: not to a fragment, a script, an image file, a download
    (a variant's datasheet) or an action (add to cart, compare)."""
    href = link_href(link)
    if not href or href.startswith(("#", "javascript:")) or IMAGE_FILE.search(href):
        return ""
    if DOCUMENT_FILE.search(href):
        return ""
    return "" if _ACTION_LINK.search(href) else href


def page_links(
    tree: lxml.etree._Element, base: str, marks: Marks
) -> tuple[list[str], list[list[str]]]:
    """The pages this one links to from its content, and [url, text] of its text links
    anywhere outside related-product blocks (a site-wide menu's, where an old site's only
    path to its products may be), in one walk."""
    links: dict[str, None] = {}
    texts: dict[str, str] = {}
    for link in tree.iter("a"):
        if marks.has(link, Marks.RELATED):
            continue
        href = link_href(link)
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        if IMAGE_FILE.search(href):
            continue
        absolute = join(base, href)
        if not absolute:
            continue
        if not marks.has(link, _OUTSIDE_CONTENT):
            links[absolute.split("#", 1)[0]] = None
        if len(texts) < _TEXT_LINKS and absolute not in texts:
            texts[absolute] = text_of(link)[:120]
    return list(links)[:2000], [[url, text] for url, text in texts.items() if text]


_TEXT_LINKS = 400


def looks_like_listing(
    tree: lxml.etree._Element,
    marks: Marks | None = None,
    tiles: dict[Any, Any] | None = None,
    candidates: CardCandidates | None = None,
) -> bool:
    """Many distinct links wrapping a thumbnail: a category grid, not a product (the page
    alone; the site-level pass also discounts links every page has). `tiles` and
    `candidates`: the page's `images.tile_blocks` and `card_candidates`, where the caller has
    them already."""
    cards = card_links(tree, "", marks, tiles=tiles, texts=False, candidates=candidates)
    return len(cards) >= LISTING_CARDS


def _label(img: Any) -> str:
    return " ".join([img.get("src", ""), hint(img), img.get("alt", "")])


def buy_controls(tree: lxml.etree._Element, marks: Marks) -> int:
    """Buttons, submits, links or forms that put a product in a cart, in the page's language or
    in its markup (WooCommerce, Shopify, Magento and most themes name them add-to-cart);
    outside chrome and related-product blocks."""
    count = 0
    for element in tree.iter("button", "input", "a", "form"):
        if marks.has(element, _OUTSIDE_CONTENT | Marks.RELATED):
            continue
        if element.tag == "input" and element.get("type") not in ("submit", "button"):
            continue
        attributes = " ".join(
            element.get(name, "") for name in ("class", "id", "name", "action", "href", "value")
        )
        found = bool(_BUY_ATTRIBUTE.search(attributes))
        if not found and (
            element.tag in ("button", "input") or (element.tag == "a" and "btn" in hint(element))
        ):
            label = element.get("value", "") if element.tag == "input" else text_of(element)
            found = bool(label) and len(label) < 40 and bool(_BUY_TEXT.search(label))
        if found:
            count += 1
            if element.tag == "form":  # its own button is counted as well; one control
                count -= sum(1 for b in element.iter("button", "input") if b is not element) > 0
    return count


def has_price(tree: lxml.etree._Element, marks: Marks) -> bool:
    """A price outside chrome: an element named price, or an amount with a currency."""
    seen = 0
    for element in tree.iter():
        if marks.has(element, _OUTSIDE_CONTENT | Marks.HIDDEN) or not isinstance(element.tag, str):
            continue
        if "price" in element.get("class", "") or element.get("itemprop") == "price":
            return True
        text = element.text
        # Every amount holds a digit; the search for one is many times cheaper than _PRICE's.
        if text and len(text) < 60 and DIGITS.search(text) and _PRICE.search(text):
            return True
        seen += 1
        if seen > 3000:
            break
    return False


def has_product_markup(tree: lxml.etree._Element, marks: Marks) -> bool:
    """Markup that themes and shop engines put on a single product's page: a product-named
    container outside chrome, cards and related blocks, or schema.org's Product type."""
    body = next(tree.iter("body"), None)
    if body is not None and PRODUCT_MARKUP.search(hint(body)):
        return True
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        label = f"{element.get('id', '')} {element.get('class', '')}"
        itemtype = element.get("itemtype", "")
        if "roduct" not in label and "schema.org/Product" not in itemtype:
            continue
        if marks.has(element, _OUTSIDE_CONTENT | Marks.LINK | Marks.RELATED):
            continue
        if "schema.org/Product" in itemtype or PRODUCT_MARKUP.search(label):
            return True
    return False


def app_shell(tree: lxml.etree._Element) -> bool:
    """A page a browser would have to render: it has scripts and, outside header, navigation
    and footer, next to no text, or an app root that holds only a loading placeholder."""
    if next(tree.iter("script"), None) is None:
        return False
    if _content_length(tree, 200) < 200:
        return True
    return any(
        element.get("id").lower() in APP_ROOT_IDS and len(text_of(element)) < 40
        for element in _WITH_ID(tree)
    )


def _content_length(tree: lxml.etree._Element, enough: int) -> int:
    """The length of the body's text outside scripts, styles, navigation, header and footer,
    its text nodes joined by spaces and white space collapsed, or a length of at least `enough`
    once that much is found. A walk that does not enter those subtrees: an XPath that tests
    each text node's ancestors, or the body's text less theirs (inline scripts are long), cost
    several times as much."""
    bodies = list(tree.iter("body"))
    if len(bodies) != 1:  # none, or nested: the XPath itself
        return len(" ".join(" ".join(_CONTENT_TEXT(tree)).split()))
    if next(bodies[0].iterancestors(*_NOT_CONTENT_TAGS), None) is not None:
        return 0
    texts, stack, walked = [], bodies[0:1], 0
    while stack:  # the order of the texts does not change their words
        element = stack.pop()
        walked += 1
        if walked % 16 == 0 and len(" ".join(" ".join(texts).split())) >= enough:
            break  # more text only adds to it
        texts.append(element.text or "")
        for child in element:
            if isinstance(child.tag, str) and child.tag not in _NOT_CONTENT_TAGS:
                stack.append(child)  # a comment's text is none, its tail is
            texts.append(child.tail or "")
    return len(" ".join(" ".join(texts).split()))


def template_signature(tree: lxml.etree._Element, marks: Marks) -> list[int]:
    """A MinHash of the page's content structure, for grouping pages by template.

    The tokens are each element's tag with its classes (digits dropped, so post-123 and
    post-456 agree) outside header, navigation, footer and sidebars, which every template of a
    site shares; the share of equal entries of two signatures estimates the tokens' Jaccard
    similarity.
    """
    body = next(tree.iter("body"), None)
    if body is None:
        return []
    tokens: set[int] = set()
    flags, skip = marks.flags, _OUTSIDE_CONTENT | Marks.HIDDEN  # `marks.has`, without a call
    for element in body.iter():
        if flags.get(element, 0) & skip:
            continue
        tag = element.tag
        if not isinstance(tag, str) or tag == "svg":
            continue
        tokens.add(_token(tag, element.get("class", ""), element.get("id", "")))
        if len(tokens) >= 4000:
            break
    if not tokens:
        return []
    values = np.fromiter(tokens, dtype=np.uint64, count=len(tokens))
    hashed = (values[None, :] * _MINHASH_A[:, None] + _MINHASH_B[:, None]) % _MERSENNE
    return [int(v) for v in hashed.min(axis=1)]


@lru_cache(maxsize=65536)
def _token(tag: str, classes: str, identifier: str) -> int:
    return zlib.crc32(node_label(tag, classes, identifier).encode())
