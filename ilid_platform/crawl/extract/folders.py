"""Where a page sits in its site's folders and breadcrumbs: a catalog files its products under
their category's folder (`/bellows/hot/`, `/bellows/covers/` below `/bellows/`), so a folder's
own page that links to product pages inside it is their category, however much it looks like a
product page (a long text with a photo of the line); so is a page whose breadcrumb trail the
trails of pages it links to, and that link back to it, continue (Products / Mixers on the page
that links Products / Mixers / Electric mixers and is linked back from it)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from ilid_platform.crawl.extract.naming import page_key, text_key
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


def _trail(reading: PageReading) -> tuple[str, ...]:
    return tuple(text_key(c) for c in reading.features.breadcrumbs) if reading.features else ()


def crumb_children(
    readings: Sequence[PageReading],
    parent: int,
    links_of: dict[str, set[str]],
    by_key: dict[str, list[int]] | None = None,
) -> list[int]:
    """Indices of the pages that page `parent` links from its content, that link back to it
    and whose breadcrumb trail continues its own (`links_of`: `SiteStats.links_of`; `by_key`:
    the indices of the pages by their key, where the caller has them)."""
    trail = _trail(readings[parent])
    if not trail:
        return []
    if by_key is None:
        by_key = _by_key(readings)
    key = page_key(readings[parent].url)
    return sorted(
        index
        for child in links_of.get(key, set())
        if key in links_of.get(child, set())
        for index in by_key.get(child, ())
        if index != parent
        and len(child_trail := _trail(readings[index])) > len(trail)
        and child_trail[: len(trail)] == trail
    )


def _by_key(readings: Sequence[PageReading]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for index, reading in enumerate(readings):
        found.setdefault(page_key(reading.url), []).append(index)
    return found


def crumb_categories(
    readings: Sequence[PageReading], products: Sequence[bool], links_of: dict[str, set[str]]
) -> dict[int, list[int]]:
    """The pages read as products whose breadcrumb children (`crumb_children`) include a
    product page, with those children."""
    by_key = _by_key(readings)
    found: dict[int, list[int]] = {}
    for index, product in enumerate(products):
        if product:
            children = crumb_children(readings, index, links_of, by_key)
            if any(products[child] for child in children):
                found[index] = children
    return found
