"""Per-source CSS or XPath selectors: what a user pins when the generic reading is wrong.

Selectors run in the worker on the parsed page and yield field values; the site-level pass
lets them win over every other reading (`apply_selected`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import lxml.etree
from parsel import Selector

from ilid_platform.crawl.extract.html import text_of
from ilid_platform.crawl.extract.images import largest_srcset
from ilid_platform.crawl.extract.page import SEPARATORS
from ilid_platform.crawl.extract.schema_org import empty_product


def validate_selector(query: str) -> None:
    """Raise ValueError for a CSS or XPath selector that cannot run, before any page is fetched."""
    try:
        select(Selector(text="<html></html>"), query)
    except (ValueError, SyntaxError) as exc:
        raise ValueError(f"invalid selector {query!r}: {exc}") from exc


def select(root: Selector, query: str) -> list[Selector]:
    """`xpath:` / `css:` prefixes are explicit; otherwise a path-like query is XPath."""
    query = query.strip()
    if query.startswith("xpath:"):
        return list(root.xpath(query[6:].strip()))
    if query.startswith("css:"):
        return list(root.css(query[4:].strip()))
    if query.startswith(("/", "(", "./")):
        return list(root.xpath(query))
    return list(root.css(query))


def selected_text(match: Selector) -> str:
    if isinstance(match.root, str):
        return " ".join(match.root.split())
    if match.root.tag == "meta":
        return " ".join(match.root.get("content", "").split())
    return text_of(match.root)


def selected_image(match: Selector) -> str:
    if isinstance(match.root, str):
        return match.root.strip()
    element = match.root
    srcset = element.get("srcset") or element.get("data-srcset")
    return (
        element.get("data-src")
        or element.get("src")
        or element.get("href")
        or element.get("content")
        or (largest_srcset(srcset)[0] if srcset else "")
    )


def selected_spec(match: Selector) -> tuple[str, str] | None:
    if isinstance(match.root, str):
        key, sep, value = match.root.partition(":")
        return (key.strip(), value.strip()) if sep else None
    element = match.root
    if element.tag == "dt":
        dd = element.xpath("following-sibling::dd[1]")
        return (text_of(element), text_of(dd[0])) if dd else None
    cells = element.xpath("./th|./td") or [c for c in element if isinstance(c.tag, str)]
    if len(cells) >= 2:
        return text_of(cells[0]), text_of(cells[1])
    key, sep, value = text_of(element).partition(":")
    return (key.strip(), value.strip()) if sep else None


def selected_values(tree: lxml.etree._Element, selectors: Mapping[str, str]) -> dict[str, Any]:
    """The values the source's selectors pick on this page, by product field."""
    root = Selector(root=tree, type="html")
    values: dict[str, Any] = {}
    for field_name, query in selectors.items():
        matches = select(root, query)
        if not matches:
            continue
        if field_name in ("name", "sku", "brand"):
            values[field_name] = selected_text(matches[0]) or None
        elif field_name == "description":
            values[field_name] = " ".join(t for t in map(selected_text, matches) if t)
        elif field_name == "breadcrumbs":
            names = [selected_text(m) for m in matches]
            values[field_name] = [n for n in names if n and n not in SEPARATORS]
        elif field_name == "image":
            values["image_urls"] = [u for u in map(selected_image, matches) if u]
        elif field_name == "specs_rows":
            rows = [row for row in map(selected_spec, matches) if row and row[0] and row[1]]
            values["specs"] = dict(rows)
    return {k: v for k, v in values.items() if v}


def apply_selected(
    values: Mapping[str, Any], product: dict[str, Any], breadcrumbs: list[str]
) -> bool:
    """Overwrite fields the source pins; True if any selector matched. Alone, selectors make
    a product from a name plus an image, specs or a sku."""
    if not values:
        return False
    values = dict(values)
    if not product:
        if "name" not in values or not ({"image_urls", "specs", "sku"} & set(values)):
            return False
        product.update(empty_product())
        product["breadcrumbs"] = list(breadcrumbs)
    if "specs" in values:
        values["specs"] = {**product["specs"], **values["specs"]}
    product.update(values)
    return True
