"""Where a page sits in its site's folders: a catalog files its products under their
category's folder (`/bellows/hot/`, `/bellows/covers/` below `/bellows/`), so a folder's own page
that links to product pages inside it is their category, however much it looks like a product
page (a long text with a photo of the line)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from ilid_platform.crawl.extract.naming import page_key
from ilid_platform.crawl.extract.reading import PageReading

_FOLDER_PAGE = re.compile(r"/(?:index\.(?:html?|php))?$")


def _folder_links(reading: PageReading) -> tuple[str, set[str]]:
    """The folder a page's url names (with its trailing slash) and the pages its content links."""
    inside = page_key(reading.url).split("?")[0] + "/"
    return inside, {page_key(u) for u in reading.features.content_links}


def folder_categories(readings: Sequence[PageReading], products: Sequence[bool]) -> list[int]:
    """Indices of the pages read as products that are a folder's own page (`/x/`,
    `/x/index.html`, not the site's root) and link from their content to a product page
    inside that folder."""
    keys = {page_key(r.url) for r, found in zip(readings, products, strict=True) if found}
    found: list[int] = []
    for index, (reading, product) in enumerate(zip(readings, products, strict=True)):
        if not product or reading.features is None:
            continue
        try:
            path = urlsplit(reading.url).path
        except ValueError:
            continue
        if not _FOLDER_PAGE.search(path) or path.strip("/") in ("", "index.html", "index.htm"):
            continue
        inside, links = _folder_links(reading)
        if any(key.startswith(inside) and key in keys for key in links):
            found.append(index)
    return found


def filed_under(
    readings: Sequence[PageReading], category: int, products: Sequence[bool]
) -> list[int]:
    """Indices of the pages not read as products inside the folder of page `category` that it
    links from its content: the rest of its products, which show less evidence of their own."""
    inside, links = _folder_links(readings[category])
    return [
        index
        for index, (reading, product) in enumerate(zip(readings, products, strict=True))
        if not product
        and reading.features is not None
        and not reading.features.negative
        and page_key(reading.url) in links
        and page_key(reading.url).startswith(inside)
    ]
