"""<meta> tags: OpenGraph and Twitter product cards, and the page's title and site name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import lxml.etree

from ilid_platform.crawl.extract.html import clean, split_path
from ilid_platform.crawl.extract.schema_org import empty_product

OG_PRODUCT_TYPES = {"product", "product.item", "product.group", "og:product"}
_NOT_SPEC_LABEL = re.compile(r"price|preis|availability|stock|verfügbar", re.I)


def meta_tags(tree: lxml.etree._Element) -> dict[str, list[str]]:
    """<meta> values by lower-cased key, anywhere in the page.

    Read directly rather than through extruct's OpenGraph reader, which only looks at
    `property=` tags in <head>: shops just as often write `name="og:title"`, Twitter cards use
    `name=`, and broken markup moves tags into <body>.
    """
    tags: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        value = meta.get("content", "").strip()
        if key and value:
            tags.setdefault(key, []).append(value)
    return tags


def first(tags: Mapping[str, list[str]], *keys: str) -> str:
    return next((clean(tags[k][0]) for k in keys if tags.get(k)), "")


def from_opengraph(tags: Mapping[str, list[str]]) -> dict[str, Any] | None:
    og_type = first(tags, "og:type").lower()
    product_tags = any(k.startswith(("product:", "og:price")) for k in tags)
    if og_type not in OG_PRODUCT_TYPES and not (not og_type and product_tags):
        return None
    product = empty_product()
    product["name"] = first(tags, "og:title")
    product["description"] = first(tags, "og:description")
    for key in ("og:image", "og:image:url", "og:image:secure_url"):
        product["image_urls"] += tags.get(key, [])
    product["brand"] = first(tags, "product:brand", "og:brand") or None
    product["sku"] = (
        first(tags, "product:retailer_item_id", "product:sku", "og:sku", "product:mfr_part_no")
        or None
    )
    product["category"] = split_path(tags.get("product:category", []))
    for key, label in (
        ("product:material", "Material"),
        ("product:color", "Color"),
        ("product:pattern", "Pattern"),
    ):
        if first(tags, key):
            product["specs"][label] = first(tags, key)
    return product


def from_twitter(tags: Mapping[str, list[str]]) -> dict[str, Any] | None:
    """A Twitter `product` card: title, text, image and up to a few label/data pairs."""
    if first(tags, "twitter:card").lower() != "product":
        return None
    product = empty_product()
    product["name"] = first(tags, "twitter:title")
    product["description"] = first(tags, "twitter:description")
    product["image_urls"] = tags.get("twitter:image", []) + tags.get("twitter:image:src", [])
    for n in range(1, 5):
        label, data = first(tags, f"twitter:label{n}"), first(tags, f"twitter:data{n}")
        if label and data and not _NOT_SPEC_LABEL.search(label):
            product["specs"][label] = data
    return product
