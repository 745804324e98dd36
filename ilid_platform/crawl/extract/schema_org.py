"""schema.org Product data, whatever syntax it came in (`syntaxes`): the page's own product
and its fields.

Structured data is what json.loads and extruct build, dicts and lists, so type checks test for
dict: a tenth of the cost of the Mapping ABC, on every value of every block.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urldefrag, urlsplit

from ilid_platform.crawl.extract.html import clean, join, listify, split_path
from ilid_platform.crawl.extract.syntaxes import short_type

logger = logging.getLogger(__name__)

PRODUCT_TYPES = {"Product", "ProductGroup", "IndividualProduct", "ProductModel", "SomeProducts"}
# schema.org properties that carry what ILID captions need (material, finish) into specs.
SCHEMA_SPEC_PROPERTIES = {
    "material": "Material",
    "color": "Color",
    "pattern": "Pattern",
    "weight": "Weight",
    "width": "Width",
    "height": "Height",
    "depth": "Depth",
    "model": "Model",
    "mpn": "MPN",
}


def empty_product() -> dict[str, Any]:
    return {
        "name": "",
        "description": "",
        "specs": {},
        "breadcrumbs": [],
        "category": [],
        "image_urls": [],
        "sku": None,
        "brand": None,
    }


def fill_missing(product: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if key == "specs":
            for spec, spec_value in value.items():
                product["specs"].setdefault(spec, spec_value)
        elif not product.get(key) and value:
            product[key] = value


def image_urls(value: Any) -> list[str]:
    urls: list[str] = []
    for item in listify(value):
        if isinstance(item, str):
            urls.append(item)
        elif isinstance(item, dict):
            urls.extend(image_urls(item.get("contentUrl") or item.get("url") or item.get("@id")))
    return urls


def _quantity(value: Any) -> str:
    if isinstance(value, dict) and "value" in value:
        unit = clean(value.get("unitText") or value.get("unitCode"))
        return " ".join(p for p in (clean(value["value"]), unit) if p)
    return clean(value)


def _schema_specs(node: Mapping[str, Any]) -> dict[str, str]:
    specs: dict[str, str] = {}
    for prop in listify(node.get("additionalProperty")):
        name = clean(prop.get("name")) if isinstance(prop, dict) else ""
        if name and "value" in prop:
            value = _quantity(prop)
            if value:
                specs[name] = value
    for prop, label in SCHEMA_SPEC_PROPERTIES.items():
        values = [_quantity(v) for v in listify(node.get(prop))]
        values = [v for v in values if v]
        if values and label not in specs:
            specs[label] = ", ".join(dict.fromkeys(values))
    return specs


def _offers(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Offers at any depth: AggregateOffer.offers and offers of offers are common."""
    found: list[Mapping[str, Any]] = []
    pending = [o for o in listify(node.get("offers")) if isinstance(o, dict)]
    while pending and len(found) < 50:
        offer = pending.pop(0)
        found.append(offer)
        pending += [o for o in listify(offer.get("offers")) if isinstance(o, dict)]
    return found


def schema_product(node: Mapping[str, Any]) -> dict[str, Any]:
    product = empty_product()
    product["name"] = clean(node.get("name"))
    product["description"] = clean(node.get("description"))
    product["image_urls"] = image_urls(node.get("image"))
    offers = _offers(node)
    sku_candidates = [node.get("sku"), node.get("mpn"), node.get("productID")]
    sku_candidates += [o.get("sku") for o in offers]
    product["sku"] = next((clean(s) for s in sku_candidates if clean(s)), None)
    product["brand"] = clean(node.get("brand")) or clean(node.get("manufacturer")) or None
    product["specs"] = _schema_specs(node)
    product["category"] = split_path(node.get("category"))
    for offer in offers:
        product["image_urls"] += image_urls(offer.get("image"))

    variants = [v for v in listify(node.get("hasVariant")) if isinstance(v, dict)]
    if variants:
        if not product["sku"]:
            product["sku"] = clean(node.get("productGroupID")) or None
        for variant in variants:
            fill_missing(product, schema_product(variant))
            product["image_urls"] += image_urls(variant.get("image"))
    parent = node.get("isVariantOf")
    if isinstance(parent, dict):
        parent_product = schema_product({k: v for k, v in parent.items() if k != "hasVariant"})
        fill_missing(product, parent_product)
    return product


def pick_product(
    nodes: list[Mapping[str, Any]],
    url: str,
    listing: Callable[[], bool],
    names_on_page: Iterable[str],
) -> dict[str, Any] | None:
    """The page's own product among the structured data's Product nodes, or None.

    A node's url or @id tells whose product it is. One naming this page is its product. One
    naming another page of this host is a card on a listing (unless the page is no listing).
    One naming another host with this page's path, or only another host, is how mirrors,
    www and apex, http and https, and CDN or alternate domains look: it is this page's product
    when it is the only one or its name is the page's heading or title. Several unrelated
    products mean a listing, unless exactly one is a ProductGroup or carries a heading or the
    title as its name. Blocks that repeat the same product (a reviews plugin's and the shop's)
    are merged.
    """
    products = [n for n in nodes if short_type(n.get("@type")) & PRODUCT_TYPES]
    if not products:
        return None
    names = {name.lower() for name in names_on_page if name}

    def titled(node: Mapping[str, Any]) -> bool:
        name = clean(node.get("name")).lower()
        return bool(name) and (name in names or any(name in n for n in names if len(name) > 3))

    related = [(p, _relation(p, url)) for p in products]
    candidates = [p for p, relation in related if relation == "this"]
    if not candidates:
        elsewhere = [p for p, relation in related if relation == "elsewhere"]
        distinct = {clean(p.get("name")).lower() for p, _ in related}
        if elsewhere and (len(distinct) == 1 or any(titled(p) for p in elsewhere)):
            candidates = [p for p in elsewhere if len(distinct) == 1 or titled(p)]
        else:
            candidates = [p for p, relation in related if relation == "none"]
            if not listing():
                candidates += [p for p, relation in related if relation == "other"]
    if not candidates:
        return None
    if len({clean(p.get("name")).lower() for p in candidates}) > 1:
        groups = [p for p in candidates if "ProductGroup" in short_type(p.get("@type"))]
        named = [p for p in candidates if titled(p)]
        if len(groups) == 1:
            candidates = groups
        elif named:
            candidates = named
        else:
            return None
    product = schema_product(candidates[0])
    for other in candidates[1:]:
        fill_missing(product, schema_product(other))
    relations = {_relation(p, url) for p in candidates}
    product["relation"] = "this" if "this" in relations else sorted(relations)[0]
    return product


def _relation(node: Mapping[str, Any], url: str) -> str:
    """Whose product a node says it is: "this" page's, an "other" page's of this host, one
    "elsewhere" (another host), or "none" said."""
    refs = [str(ref) for ref in page_refs(node) if isinstance(ref, str) and ref.strip()]
    refs = [ref for ref in refs if "/" in ref and not ref.startswith("#")]  # not "#product"
    if not refs:
        return "none"
    here = _url_key(url)
    keys = [_url_key(join(url, ref)) for ref in refs]
    if any(key == here for key in keys):
        return "this"
    if any(key[0] == here[0] for key in keys):
        return "other"
    if any(key[1] == here[1] for key in keys):
        return "this"  # the same path on another host: a mirror, or www and apex
    return "elsewhere"


def _url_key(url: str) -> tuple[str, str]:
    """(host, path?query) of an url, without fragment, port, index page or trailing slash."""
    try:
        parts = urlsplit(urldefrag(url)[0])
        host = (parts.hostname or "").lower().removeprefix("www.")
    except ValueError:  # structured data carries broken urls as often as pages do
        return (url, url)
    path = re.sub(r"/index\.(?:html?|php)$", "/", parts.path).rstrip("/")
    return host, f"{path}?{parts.query}"


def page_refs(node: Mapping[str, Any]) -> list[Any]:
    return listify(node.get("url")) + listify(node.get("@id"))


def _breadcrumb_names(node: Mapping[str, Any]) -> list[str]:
    elements = [e for e in listify(node.get("itemListElement")) if isinstance(e, dict)]
    elements.sort(key=lambda e: float(e.get("position") or 0))
    names = []
    for element in elements:
        item = element.get("item")
        name = clean(element.get("name")) or (
            clean(item.get("name")) if isinstance(item, dict) else ""
        )
        if name:
            names.append(name)
    return names


def breadcrumbs_structured(nodes: list[Mapping[str, Any]]) -> list[str]:
    """A BreadcrumbList anywhere in the data, else a WebPage's `breadcrumb` written as text."""

    def search(root: Any) -> Iterator[Mapping[str, Any]]:
        """Dicts in document order (depth first), without a generator per leaf value."""
        pending = [root]
        while pending:
            node = pending.pop()
            if isinstance(node, dict):
                if "BreadcrumbList" in short_type(node.get("@type")):
                    yield node
                node = node.values()
            pending.extend(v for v in reversed(node) if isinstance(v, dict | list))

    for node in search(nodes):
        names = _breadcrumb_names(node)
        if names:
            return names
    for node in nodes:
        if isinstance(node.get("breadcrumb"), str):
            return split_path(node["breadcrumb"])
    return []
