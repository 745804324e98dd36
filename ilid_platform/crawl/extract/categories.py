"""The category a site lists a product under, for product pages that show no breadcrumbs.

A listing page that links to a few product pages (with thumbnails or from its content) names
what they have in common in its heading ("Motores Enduro 2 Tiempos", "Knives"): the site's
own, language-independent word for their kind. The most specific such listing (the one that
links to the fewest products, at least two, and not most of the catalog) gives each product
its category. Headings that
many pages share (the site's name, a menu title) name no category, nor do sentences and
slogans ("Step 1", "What is …?"), the home page's showcase or a product page that links to
others (related products).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from ilid_platform.crawl.extract.naming import page_key, text_key
from ilid_platform.crawl.extract.reading import PageReading
from ilid_platform.crawl.urls import canonical_url

# A heading on more than this share of the site's pages (and on three or more) is the site's.
_SHARED = 0.2
# A listing of more than this share of the products (and of four or more) is the whole catalog.
_ALL = 0.6
_MAX_HEADING_CHARS = 80
_MAX_WORDS = 6
_HOME = {"", "index.html", "index.htm", "index.php", "default.html", "default.htm", "default.aspx"}
_SENTENCE = re.compile(r"[.!?。！？]\s*$|[?？]|\b(?:step|шаг|schritt|étape|paso)\s*\d", re.I)


def _names_a_category(text: str) -> bool:
    """A short title, not a sentence or slogan ("Step 1", "What is …?", "We do our best.")."""
    words = text.split()
    return 0 < len(words) <= _MAX_WORDS and not _SENTENCE.search(text)


def _heading(reading: PageReading, shared: set[str]) -> str:
    """The listing's own first main heading (h1-h3), if it names a category."""
    features = reading.features
    if features is None:
        return ""
    for heading in sorted(features.headings, key=lambda h: h["order"]):
        text = " ".join(heading["text"].split())
        own = text and len(text) <= _MAX_HEADING_CHARS and text_key(text) not in shared
        if heading["level"] <= 3 and own:
            return text if _names_a_category(text) else ""
    return ""


def _key(url: str) -> str:
    """A link and the page it fetched as one key: a listing's link may carry tracking
    parameters or a fragment that the crawl dropped."""
    try:
        return page_key(canonical_url(url))
    except ValueError:
        return page_key(url)


def _linked(reading: PageReading) -> set[str]:
    features = reading.features
    if features is None:
        return set()
    return {_key(url) for url, _ in features.cards} | {_key(url) for url in features.content_links}


def listing_categories(readings: Sequence[PageReading], products: Iterable[str]) -> dict[str, str]:
    """By product page url (as in `products`): the heading of the most specific listing that
    links to it."""
    products = list(products)
    by_key = {_key(url): url for url in products}
    on_pages = Counter(
        key
        for reading in readings
        if reading.features is not None
        for key in {text_key(h["text"]) for h in reading.features.headings}
    )
    most = max(3, _SHARED * len(readings))
    shared = {key for key, count in on_pages.items() if count >= most}
    best: dict[str, tuple[int, str]] = {}
    for reading in readings:
        if _key(reading.url) in by_key or urlsplit(reading.url).path.strip("/") in _HOME:
            continue  # a product's related products, or the home page's showcase
        linked = _linked(reading) & by_key.keys()
        if len(linked) < 2 or len(linked) > max(3, _ALL * len(by_key)):
            continue  # one product is no category, and nearly all of them are the catalog
        heading = _heading(reading, shared)
        if not heading:
            continue
        for key in linked:
            if key not in best or len(linked) < best[key][0]:
                best[key] = (len(linked), heading)
    return {url: best[_key(url)][1] for url in products if _key(url) in best}
