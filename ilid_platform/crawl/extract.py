"""Read one product out of a catalog page, whatever markup the shop happens to use.

Order of trust: per-source selectors, then schema.org data (JSON-LD, microdata, RDFa), then
OpenGraph and Twitter product tags, then a heuristic that only fires on pages that look like a
single product. The page is decoded and parsed once; every reader shares the lxml tree.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import extruct
import lxml.etree
import lxml.html
from extruct.uniform import flatten_dict
from extruct.w3cmicrodata import MicrodataExtractor
from parsel import Selector
from w3lib.encoding import html_body_declared_encoding, read_bom, resolve_encoding
from w3lib.html import strip_html5_whitespace

logger = logging.getLogger(__name__)

SCHEMA_CONTEXT = "http://schema.org"
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
OG_PRODUCT_TYPES = {"product", "product.item", "product.group", "og:product"}
APP_ROOT_IDS = {"app", "root", "__next", "__nuxt", "svelte", "main-app", "application"}
_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
_NON_CONTENT_TAGS = ("script", "style", "noscript", "template")
_NOT_CONTENT = " or ".join(f"ancestor::{tag}" for tag in _NON_CONTENT_TAGS)
_CHROME = "ancestor::nav or ancestor::header or ancestor::footer"
_NOT_PROSE = (
    f"{_NOT_CONTENT} or ancestor::table or ancestor::dl or ancestor::form or ancestor::button"
    " or ancestor::select or ancestor::h1 or ancestor::h2 or ancestor::h3 or ancestor::h4"
)
# Compiled once: these run for every cell, crumb and block of every page.
_TEXT_NODES = lxml.etree.XPath(f".//text()[not({_NOT_CONTENT})]")
_PROSE_NODES = lxml.etree.XPath(f".//text()[not({_NOT_PROSE})]")
# Every spec-bearing block in one scan of the document, rather than one scan per element type.
_SPEC_BLOCKS = lxml.etree.XPath(f"(//table | //dl | //ul | //ol)[not({_CHROME})]")
_DEFINITION_TERMS = lxml.etree.XPath("./dt | ./div/dt")
_NEXT_DEFINITION = lxml.etree.XPath("following-sibling::dd[1]")
_LIST_ITEMS = lxml.etree.XPath("./li")
_IMAGE_LINKS = lxml.etree.XPath(f"//a[@href and .//img][not({_CHROME})]")
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg|bmp|tiff?)(?:$|\?)", re.I)
_DECORATIVE = re.compile(r"logo|icon|sprite|spinner|placeholder|pixel|badge|avatar|banner", re.I)
# Containers on product pages whose cards are other products, not a listing.
_RELATED = re.compile(
    r"related|similar|recommend|upsell|up-sell|cross-?sell|also[-_]?(bought|viewed)|accessor", re.I
)
_GALLERY = re.compile(
    r"gallery|carousel|slider|swiper|slick|thumbnail|product[-_]?(image|media|photo)|images|photos",
    re.I,
)
_NOT_DESCRIPTION = re.compile(r"cookie|consent|newsletter|banner|review|shipping|delivery", re.I)
# Description containers, most specific first.
_DESCRIPTION_BLOCKS = (
    re.compile(r"description|beschreibung", re.I),
    re.compile(r"product[-_]?details|overview|product[-_]?info|details|about", re.I),
)
_SPEC_CONTAINER = re.compile(
    r"spec|attribute|technical|propert|characteristic|feature|datasheet|merkmal", re.I
)
_BUY_BUTTON = re.compile(r"add to (cart|basket|bag)|in den warenkorb|buy now|kaufen", re.I)
_NOT_SPEC_LABEL = re.compile(r"price|preis|availability|stock|verfügbar", re.I)
_SEPARATORS = {">", "/", "›", "»", "|", "→", "-", "\\"}
_PATH_SPLIT = re.compile(r"\s+[>›»|→]\s+|\s+/\s+")
_CDATA_OPEN = re.compile(r"^(?://\s*)?(?:<!--|<!\[CDATA\[)")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CONCATENATED = re.compile(r"}\s*{")
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20)])


@dataclass
class Extraction:
    """One page's outcome: its product, or why there is none, plus defects it survived.

    `tree` is the parsed page, handed back so the caller can follow links without parsing the
    page a second time.
    """

    tree: lxml.etree._Element | None
    product: dict[str, Any] | None = None
    reason: str | None = None
    issues: list[str] = field(default_factory=list)
    script_rendered: bool = False


def extract_product(
    html: str | bytes,
    url: str,
    selectors: Mapping[str, str] | None = None,
    declared_encoding: str | None = None,
) -> Extraction:
    """The product on a page, as ProductRecord fields without fetch metadata.

    Bytes are decoded with `decode_html`, trusting `declared_encoding` (the HTTP charset) only
    as far as the bytes agree. Without a product, `reason` says why: `malformed_html` (nothing
    or too little could be parsed), `invalid_jsonld` (the only product data was unreadable) or
    `not_product` (listings, home pages and other non-product pages).
    """
    issues: list[str] = []
    if isinstance(html, bytes):
        html, issues = decode_html(html, declared_encoding)
    tree, complete = _parse_html(html)
    if tree is None:  # a charset problem of bytes that are no HTML at all is beside the point
        return Extraction(tree=None, reason="malformed_html")
    if not complete:
        issues.append("malformed_html")
    base = _base_url(tree, url)
    listing = cache(partial(_looks_like_listing, tree))  # asked for only when it decides
    jsonld, jsonld_valid = _jsonld_nodes(tree)
    if not jsonld_valid:
        issues.append("invalid_jsonld")
    # Attribute names are case-insensitive and never entity-encoded: a page without the word
    # has no such markup, and skips the reader and its scan of the whole document.
    markup = html.lower()
    microdata = _microdata_nodes(tree, base) if "itemscope" in markup else []
    rdfa = _rdfa_nodes(tree, base) if "typeof" in markup else []
    meta = _meta_tags(tree)
    found = [
        ("json-ld", _pick_product(jsonld, url, listing, tree)),
        ("microdata", _pick_product(microdata, url, listing, tree)),
        ("rdfa", _pick_product(rdfa, url, listing, tree)),
        ("opengraph", _from_opengraph(meta)),
        ("twitter", _from_twitter(meta)),
    ]
    found = [(method, product) for method, product in found if product and product.get("name")]
    if found:
        method, product = found[0]
        for _, other in found[1:]:
            _fill_missing(product, other)
    elif _looks_like_product(tree, base):
        method, product = "heuristic", _heuristic(tree, base)
    else:
        method, product = "", {}

    if product:
        _fill_from_page(product, tree, base, [*jsonld, *microdata, *rdfa])
    if selectors:
        overridden = _apply_selectors(tree, base, selectors, product)
        if overridden and not method and product.get("name"):
            method = "selectors"
        elif overridden and method:
            method += "+selectors"

    if not method or not product.get("name"):
        reason = next((i for i in issues if i in ("malformed_html", "invalid_jsonld")), None)
        if reason is None or listing():
            reason = "not_product"
        return Extraction(tree, reason=reason, issues=issues, script_rendered=_app_shell(tree))
    record = {
        "url": url,
        "name": product["name"],
        "description": product["description"],
        "specs": product["specs"],
        "breadcrumbs": product["breadcrumbs"] or product["category"],
        "image_urls": _absolute_urls(product["image_urls"], base),
        "sku": product["sku"],
        "brand": product["brand"],
        "extraction": method,
    }
    return Extraction(tree, product=record, issues=issues)


@dataclass
class PageReading:
    """What a crawler needs from a page: its extraction, the links to follow and the
    rel=canonical url, without the parsed tree, so that it can come back from a worker process.
    """

    product: dict[str, Any] | None
    reason: str | None
    issues: list[str]
    script_rendered: bool
    links: list[str]
    canonical: str


def read_page(
    html: str | bytes,
    url: str,
    selectors: Mapping[str, str] | None = None,
    declared_encoding: str | None = None,
) -> PageReading:
    """`extract_product` plus `page_links` and, for a product, `canonical_link`."""
    result = extract_product(html, url, selectors, declared_encoding)
    tree = result.tree
    return PageReading(
        product=result.product,
        reason=result.reason,
        issues=result.issues,
        script_rendered=result.script_rendered,
        links=[] if tree is None else page_links(tree, url),
        canonical=canonical_link(tree, url) if tree is not None and result.product else "",
    )


def decode_html(body: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """Text of a page whose charset may be undeclared or declared wrongly, plus what was wrong.

    A byte-order mark wins. Non-ASCII bytes that are valid UTF-8 are UTF-8 whatever the page
    claims (legacy text almost never is valid UTF-8 by chance). Otherwise the HTTP charset and
    then the <meta> charset are tried strictly, and windows-1252 is the last resort, as in
    browsers. Issues: `charset_mismatch` (a declaration the bytes contradict) and
    `charset_missing` (non-ASCII text with no declaration).
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        return body[len(bom) :].decode(bom_encoding, "replace"), []
    if body.isascii():
        return body.decode("ascii"), []
    labels = [declared, html_body_declared_encoding(body)]
    candidates = list(dict.fromkeys(resolve_encoding(label) or label for label in labels if label))
    # Bytes that are not BOM-marked UTF-16/32 are no UTF-16/32, whatever a label says.
    candidates = [c for c in candidates if not c.lower().startswith(("utf-16", "utf-32"))]
    issues = [] if candidates else ["charset_missing"]
    decoded = ((e, _strict_decode(body, e)) for e in ("utf-8", *candidates))
    chosen, text = next(((e, t) for e, t in decoded if t is not None), ("cp1252", None))
    if candidates and chosen != candidates[0]:
        issues.append("charset_mismatch")
    return text if text is not None else body.decode("cp1252", "replace"), issues


def page_links(tree: lxml.etree._Element, url: str) -> list[str]:
    """Absolute http(s) urls a crawler may follow: <a>, <area> and rel=next, minus nofollow.

    Read from the tree extraction already parsed, rather than by parsing the page again.
    """
    base = _base_url(tree, url)
    links: dict[str, None] = {}
    for element in tree.iter("a", "area", "link"):
        href, rel = element.get("href"), element.get("rel", "")
        if href is None or "nofollow" in rel.lower():
            continue
        if element.tag == "link" and "next" not in rel:
            continue
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        absolute = _join(base, href)
        if absolute.startswith(("http://", "https://")):
            links[absolute] = None
    return list(links)


def canonical_link(tree: lxml.etree._Element, url: str) -> str:
    """The page's rel=canonical url made absolute, or empty when it has none.

    Joined against the document's base like every other url here, rather than through
    Scrapy's `response.urljoin`, which decodes the whole body again to look for a <base>.
    """
    href = next(
        (
            link.get("href")
            for link in tree.iter("link")
            if link.get("rel", "").lower() == "canonical" and link.get("href") is not None
        ),
        "",
    ).strip()
    return _join(_base_url(tree, url), href) if href else ""


def validate_selector(query: str) -> None:
    """Raise ValueError for a CSS or XPath selector that cannot run, before any page is fetched."""
    try:
        _select(Selector(text="<html></html>"), query)
    except (ValueError, SyntaxError) as exc:
        raise ValueError(f"invalid selector {query!r}: {exc}") from exc


# ---------------------------------------------------------------- decoding and small helpers


def _parse_html(html: str) -> tuple[lxml.etree._Element | None, bool]:
    """An lxml document (None for an empty or binary body), and whether libxml2 read it all.

    Deep nesting is allowed (`huge_tree`): thousands of unclosed tags are a common defect, and
    libxml2 would otherwise stop at level 256. Where it still gives up, the part before that
    point is kept and the page is flagged.
    """
    if not html or not html.strip():
        return None, True
    head = html[:2048]
    encoded = head.encode("utf-8", "surrogatepass")  # control characters are single bytes
    if len(encoded) - len(encoded.translate(None, _CONTROL_BYTES)) > 0.05 * len(head):
        return None, True
    parser = lxml.etree.HTMLParser(encoding="utf-8", huge_tree=True)
    data = html.replace("\x00", "").encode("utf-8", "surrogatepass")
    try:
        tree = lxml.etree.fromstring(data, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None, True
    if tree is None:
        return None, True
    return tree, not any(error.level_name == "FATAL" for error in parser.error_log)


def _strict_decode(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _base_url(tree: lxml.etree._Element, url: str) -> str:
    href = next((b.get("href") for b in tree.iter("base") if b.get("href") is not None), "")
    href = href.strip()
    return (_join(url, href) or url) if href else url


def _join(base: str, href: str) -> str:
    """`href` made absolute; empty for a url that cannot be parsed (a broken IPv6 host).

    An absolute or path-absolute href depends on nothing of the base but its origin, and a
    catalog's navigation and image urls repeat on every page: joined once against the origin,
    it is looked up after that.
    """
    if href.startswith(("/", "http://", "https://")):
        origin = _origin(base)
        if origin:
            return _join_origin(origin, href)
    return _urljoin(base, href)


def _urljoin(base: str, href: str) -> str:
    try:
        return urljoin(base, href)
    except ValueError:
        return ""


@lru_cache(maxsize=1024)
def _origin(base: str) -> str:
    """`scheme://host:port/` of an http(s) url, else empty."""
    if not base.startswith(("http://", "https://")):
        return ""
    try:
        parts = urlsplit(base)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}/" if parts.netloc else ""


@lru_cache(maxsize=65536)
def _join_origin(origin: str, href: str) -> str:
    return _urljoin(origin, href)


def _clean(value: Any) -> str:
    """Plain single-spaced text from a structured value (entities decoded, stray HTML dropped)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        value = value.get("@value", value.get("name", ""))
    if isinstance(value, list):
        value = next((v for v in value if _clean(v)), "")
        return _clean(value)
    text = str(value)
    if "&" in text:
        text = html_lib.unescape(text)
    if "<" in text and _TAG.search(text):
        try:
            text = lxml.html.fromstring(f"<div>{text}</div>").text_content()
        except (lxml.etree.ParserError, ValueError):
            text = _TAG.sub(" ", text)
    return " ".join(text.split())


def _text(element: Any) -> str:
    """Text without scripts and styles; the common cases, with none near, skip XPath."""
    if next(element.iterancestors(*_NON_CONTENT_TAGS), None) is None:
        if not len(element) and element.tag not in _NON_CONTENT_TAGS:  # a cell, a link, a crumb
            return " ".join((element.text or "").split())
        if next(element.iter(*_NON_CONTENT_TAGS), None) is None:
            return " ".join(" ".join(element.itertext()).split())
    return " ".join(" ".join(_TEXT_NODES(element)).split())


def _prose(element: Any) -> str:
    """Running text of a block, without its headings, tables, forms and scripts."""
    return " ".join(" ".join(_PROSE_NODES(element)).split())


def _hint(element: Any) -> str:
    return f"{element.get('id', '')} {element.get('class', '')}"


def _listify(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _short_type(value: Any) -> set[str]:
    return {_short_name(str(t)) for t in _listify(value)}


@lru_cache(maxsize=1024)
def _short_name(type_name: str) -> str:
    """`Product` for `https://schema.org/Product`, `schema:Product` or `Product`."""
    return re.split(r"[/#:]", type_name)[-1]


def _same_page(a: str, b: str) -> bool:
    def key(u: str) -> str:
        try:
            parts = urlsplit(urldefrag(u)[0])
        except ValueError:  # structured data carries broken urls as often as pages do
            return u
        return f"{parts.netloc.lower()}{parts.path.rstrip('/')}?{parts.query}"

    return key(a) == key(b)


def _empty_product() -> dict[str, Any]:
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


def _fill_missing(product: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if key == "specs":
            for spec, spec_value in value.items():
                product["specs"].setdefault(spec, spec_value)
        elif not product.get(key) and value:
            product[key] = value


def _fill_from_page(
    product: dict[str, Any],
    tree: lxml.etree._Element,
    base: str,
    nodes: list[Mapping[str, Any]],
) -> None:
    """Complete structured data from the page itself: spec tables, crumbs, text, photos."""
    for key, value in _spec_rows(tree):
        product["specs"].setdefault(key, value)
    if not product["breadcrumbs"]:
        product["breadcrumbs"] = _breadcrumbs_structured(nodes) or _breadcrumbs_nav(tree)
    if not product["description"]:
        product["description"] = _description(tree)
    if not product["image_urls"]:
        product["image_urls"] = _gallery(tree, base)


def _absolute_urls(urls: Iterable[str], base: str) -> list[str]:
    result: list[str] = []
    for raw in urls:
        raw = (raw or "").strip()
        if not raw or raw.startswith("data:"):
            continue
        absolute = _join(base, raw)
        if "#" in absolute:
            absolute = urldefrag(absolute)[0]
        if absolute[:8].lower().startswith(("http://", "https://")) and absolute not in result:
            result.append(absolute)
    return result


def _split_path(value: Any) -> list[str]:
    """A category path given as one string ("Tools > Fasteners") or as a list."""
    parts: list[str] = []
    for item in _listify(value):
        text = _clean(item)
        parts += [p.strip() for p in _PATH_SPLIT.split(text) if p.strip()] if text else []
    return list(dict.fromkeys(parts))


# ---------------------------------------------------------------- schema.org (all syntaxes)
# Structured data is what json.loads and extruct build, dicts and lists, so type checks test
# for dict: a tenth of the cost of the Mapping ABC, on every value of every block.


def _image_urls(value: Any) -> list[str]:
    urls: list[str] = []
    for item in _listify(value):
        if isinstance(item, str):
            urls.append(item)
        elif isinstance(item, dict):
            urls.extend(_image_urls(item.get("contentUrl") or item.get("url") or item.get("@id")))
    return urls


def _quantity(value: Any) -> str:
    if isinstance(value, dict) and "value" in value:
        unit = _clean(value.get("unitText") or value.get("unitCode"))
        return " ".join(p for p in (_clean(value["value"]), unit) if p)
    return _clean(value)


def _schema_specs(node: Mapping[str, Any]) -> dict[str, str]:
    specs: dict[str, str] = {}
    for prop in _listify(node.get("additionalProperty")):
        name = _clean(prop.get("name")) if isinstance(prop, dict) else ""
        if name and "value" in prop:
            value = _quantity(prop)
            if value:
                specs[name] = value
    for prop, label in SCHEMA_SPEC_PROPERTIES.items():
        values = [_quantity(v) for v in _listify(node.get(prop))]
        values = [v for v in values if v]
        if values and label not in specs:
            specs[label] = ", ".join(dict.fromkeys(values))
    return specs


def _offers(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Offers at any depth: AggregateOffer.offers and offers of offers are common."""
    found: list[Mapping[str, Any]] = []
    pending = [o for o in _listify(node.get("offers")) if isinstance(o, dict)]
    while pending and len(found) < 50:
        offer = pending.pop(0)
        found.append(offer)
        pending += [o for o in _listify(offer.get("offers")) if isinstance(o, dict)]
    return found


def _schema_product(node: Mapping[str, Any]) -> dict[str, Any]:
    product = _empty_product()
    product["name"] = _clean(node.get("name"))
    product["description"] = _clean(node.get("description"))
    product["image_urls"] = _image_urls(node.get("image"))
    offers = _offers(node)
    sku_candidates = [node.get("sku"), node.get("mpn"), node.get("productID")]
    sku_candidates += [o.get("sku") for o in offers]
    product["sku"] = next((_clean(s) for s in sku_candidates if _clean(s)), None)
    product["brand"] = _clean(node.get("brand")) or _clean(node.get("manufacturer")) or None
    product["specs"] = _schema_specs(node)
    product["category"] = _split_path(node.get("category"))
    for offer in offers:
        product["image_urls"] += _image_urls(offer.get("image"))

    variants = [v for v in _listify(node.get("hasVariant")) if isinstance(v, dict)]
    if variants:
        if not product["sku"]:
            product["sku"] = _clean(node.get("productGroupID")) or None
        for variant in variants:
            _fill_missing(product, _schema_product(variant))
            product["image_urls"] += _image_urls(variant.get("image"))
    parent = node.get("isVariantOf")
    if isinstance(parent, dict):
        parent_product = _schema_product({k: v for k, v in parent.items() if k != "hasVariant"})
        _fill_missing(product, parent_product)
    return product


def _resolve_refs(node: Any, index: Mapping[str, Any], depth: int = 0) -> Any:
    """Inline `{"@id": ...}` references to other @graph nodes, so offers/brand read directly."""
    if depth > 6:
        return node
    if isinstance(node, list):
        return [_resolve_refs(v, index, depth + 1) for v in node]
    if isinstance(node, dict):
        if set(node) == {"@id"} and node["@id"] in index:
            return _resolve_refs(index[node["@id"]], index, depth + 1)
        return {k: _resolve_refs(v, index, depth + 1) for k, v in node.items()}
    return node


def _top_nodes(items: Iterable[Any]) -> Iterator[Mapping[str, Any]]:
    for item in items:
        if isinstance(item, list):
            yield from _top_nodes(item)
        elif isinstance(item, dict):
            if "@graph" in item:
                yield from _top_nodes(_listify(item["@graph"]))
            yield item
            for key in ("mainEntity", "mainEntityOfPage", "itemOffered"):
                if isinstance(item.get(key), dict | list):
                    yield from _top_nodes(_listify(item[key]))


def _pick_product(
    nodes: list[Mapping[str, Any]],
    url: str,
    listing: Callable[[], bool],
    tree: lxml.etree._Element,
) -> dict[str, Any] | None:
    """The page's own product.

    Several unrelated products mean a listing, unless exactly one of them is a ProductGroup or
    carries the page's h1 as its name. On a page with a card grid, a product whose url points
    at another page is one of the cards, not this page's product. Blocks that repeat the same
    product (one from a reviews plugin, one from the shop) are merged.
    """
    products = [n for n in nodes if _short_type(n.get("@type")) & PRODUCT_TYPES]
    on_page = [p for p in products if any(_same_page(str(u), url) for u in _page_refs(p))]
    candidates = on_page or [p for p in products if not _page_refs(p) or not listing()]
    if not candidates:
        return None
    if len({_clean(p.get("name")).lower() for p in candidates}) > 1:
        groups = [p for p in candidates if "ProductGroup" in _short_type(p.get("@type"))]
        h1 = next(tree.iter("h1"), None)
        heading = _text(h1).lower() if h1 is not None else ""
        titled = [p for p in candidates if heading and _clean(p.get("name")).lower() == heading]
        if len(groups) == 1:
            candidates = groups
        elif titled:
            candidates = titled
        else:
            return None
    product = _schema_product(candidates[0])
    for other in candidates[1:]:
        _fill_missing(product, _schema_product(other))
    return product


def _page_refs(node: Mapping[str, Any]) -> list[Any]:
    return _listify(node.get("url")) + _listify(node.get("@id"))


def _load_jsonld(script: str) -> Any:
    """JSON-LD as shops really write it: CDATA/comment wrappers, raw newlines in strings,
    trailing commas, several objects in one block."""
    text = _CDATA_OPEN.sub("", script.strip(), count=1)
    if text.endswith(("-->", "]]>")):  # a closing `// -->` or `]]>`, cut without a regex scan
        text = text[:-3].rstrip().removesuffix("//")
    text = text.strip()
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    repaired = _TRAILING_COMMA.sub(r"\1", text)
    try:
        return json.loads(repaired, strict=False)
    except ValueError:
        return json.loads("[" + _CONCATENATED.sub("},{", repaired) + "]", strict=False)


def _jsonld_nodes(tree: lxml.etree._Element) -> tuple[list[Mapping[str, Any]], bool]:
    """Every JSON-LD block parsed on its own, so one broken block does not hide the others.

    The flag is False if any block could not be read even after the usual repairs.
    """
    items: list[Any] = []
    valid = True
    for script in tree.iter("script"):
        if script.get("type", "").strip().lower() != "application/ld+json":
            continue
        text = "".join(script.itertext())
        if not text.strip():
            continue
        try:
            items.append(_load_jsonld(text))
        except ValueError as exc:
            valid = False
            logger.debug("skipping invalid JSON-LD block: %s", exc)
    nodes = list(_top_nodes(items))
    index = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 1}
    return [_resolve_refs(n, index) for n in nodes] if index else nodes, valid


# The microdata spec's url-valued elements and the attribute that holds the url.
_MICRODATA_URL_ATTRIBUTES = {
    **dict.fromkeys(("audio", "embed", "iframe", "img", "source", "track", "video"), "src"),
    **dict.fromkeys(("a", "area", "link"), "href"),
    "object": "data",
}


class _MicrodataExtractor(MicrodataExtractor):
    """extruct's microdata reader for one document, with three shortcuts.

    A text property is read straight from its element: extruct cleans a deep copy of it with
    lxml's Cleaner and lays it out with html_text, about a tenth of a microdata page's
    extraction. The element's text without scripts and styles is the spec's textContent, and
    `_clean` spaces it anyway. A url property is joined by `_join`, once per origin, and a
    broken url no longer fails the page's whole microdata. And one walk of the document finds
    every item and, by nearest enclosing item, its properties; extruct finds the items with two
    XPath scans and each item's properties with a set-difference XPath that walks its whole
    subtree twice, and its nested items' subtrees again.
    """

    def extract_items(self, document: lxml.etree._Element, base_url: str) -> list[Any]:
        self.properties: dict[lxml.etree._Element, list[lxml.etree._Element]] = {}
        items: list[lxml.etree._Element] = []
        for element in document.iter():
            if element.get("itemprop") is not None:
                scope = element.getparent()
                while scope is not None and scope.get("itemscope") is None:
                    scope = scope.getparent()
                if scope is not None:
                    self.properties.setdefault(scope, []).append(element)
            if element.get("itemscope") is not None:
                items.append(element)
        itemids = {item: number for number, item in enumerate(items, 1)}
        items_seen: set[Any] = set()
        extracted = (
            self._extract_item(item, items_seen=items_seen, base_url=base_url, itemids=itemids)
            for item in items
        )
        return [item for item in extracted if item]

    def _extract_properties(
        self, node: lxml.etree._Element, items_seen: set[Any], base_url: str, itemids: Any
    ) -> Iterator[tuple[str, Any]]:
        for prop in self.properties.get(node, ()):
            yield from self._extract_property(
                prop, items_seen=items_seen, base_url=base_url, itemids=itemids
            )

    def _extract_property_value(
        self,
        node: lxml.etree._Element,
        items_seen: set[Any],
        base_url: str,
        itemids: Any,
        force: bool = False,
    ) -> Any:
        attribute = _MICRODATA_URL_ATTRIBUTES.get(node.tag)
        if attribute and (force or node.get("itemscope") is None):
            return _join(base_url, strip_html5_whitespace(node.get(attribute, "")))
        return super()._extract_property_value(node, items_seen, base_url, itemids, force)

    def _extract_textContent(self, node: lxml.etree._Element) -> str:
        return _text(node)


def _microdata_nodes(tree: lxml.etree._Element, base: str) -> list[Mapping[str, Any]]:
    try:
        items = _MicrodataExtractor().extract_items(tree, base_url=base)
    except Exception as exc:  # malformed itemscope trees
        logger.debug("microdata extraction failed: %s", exc)
        return []
    return [flatten_dict(item, SCHEMA_CONTEXT, True) for item in items]


def _compact_rdfa(items: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Expanded RDFa JSON-LD in the compact shape the other syntaxes use (short keys, values)."""
    index = {item["@id"]: item for item in items if "@id" in item}
    referenced: set[str] = set()

    def compact(node: Mapping[str, Any], depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {"@type": sorted(_short_type(node.get("@type")))}
        if "@id" in node:
            out["@id"] = node["@id"]
        for key, values in node.items():
            if key.startswith("@"):
                continue
            plain = []
            for value in _listify(values):
                if "@value" in value:
                    plain.append(value["@value"])
                elif value.get("@id") in index and depth < 4:
                    referenced.add(value["@id"])
                    plain.append(compact(index[value["@id"]], depth + 1))
                elif "@id" in value:
                    plain.append(value["@id"])
            out[re.split(r"[/#]", key)[-1]] = plain[0] if len(plain) == 1 else plain
        return out

    compacted = [compact(item, 0) for item in items]
    return [c for c in compacted if c.get("@id") not in referenced]


def _rdfa_nodes(tree: lxml.etree._Element, base: str) -> list[dict[str, Any]]:
    """RDFa through extruct; it needs a DOM of its own, so only pages using `typeof` pay."""
    markup = lxml.html.tostring(tree, encoding="unicode")
    try:
        data = extruct.extract(markup, base_url=base, syntaxes=["rdfa"])
    except Exception as exc:  # rdflib is strict about odd markup
        logger.debug("rdfa extraction failed: %s", exc)
        return []
    return _compact_rdfa(data.get("rdfa", []))


# ---------------------------------------------------------------- OpenGraph and Twitter cards


def _meta_tags(tree: lxml.etree._Element) -> dict[str, list[str]]:
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


def _first(tags: Mapping[str, list[str]], *keys: str) -> str:
    return next((_clean(tags[k][0]) for k in keys if tags.get(k)), "")


def _from_opengraph(tags: Mapping[str, list[str]]) -> dict[str, Any] | None:
    og_type = _first(tags, "og:type").lower()
    product_tags = any(k.startswith(("product:", "og:price")) for k in tags)
    if og_type not in OG_PRODUCT_TYPES and not (not og_type and product_tags):
        return None
    product = _empty_product()
    product["name"] = _first(tags, "og:title")
    product["description"] = _first(tags, "og:description")
    for key in ("og:image", "og:image:url", "og:image:secure_url"):
        product["image_urls"] += tags.get(key, [])
    product["brand"] = _first(tags, "product:brand", "og:brand") or None
    product["sku"] = (
        _first(tags, "product:retailer_item_id", "product:sku", "og:sku", "product:mfr_part_no")
        or None
    )
    product["category"] = _split_path(tags.get("product:category", []))
    for key, label in (
        ("product:material", "Material"),
        ("product:color", "Color"),
        ("product:pattern", "Pattern"),
    ):
        if _first(tags, key):
            product["specs"][label] = _first(tags, key)
    return product


def _from_twitter(tags: Mapping[str, list[str]]) -> dict[str, Any] | None:
    """A Twitter `product` card: title, text, image and up to a few label/data pairs."""
    if _first(tags, "twitter:card").lower() != "product":
        return None
    product = _empty_product()
    product["name"] = _first(tags, "twitter:title")
    product["description"] = _first(tags, "twitter:description")
    product["image_urls"] = tags.get("twitter:image", []) + tags.get("twitter:image:src", [])
    for n in range(1, 5):
        label, data = _first(tags, f"twitter:label{n}"), _first(tags, f"twitter:data{n}")
        if label and data and not _NOT_SPEC_LABEL.search(label):
            product["specs"][label] = data
    return product


# ---------------------------------------------------------------- breadcrumbs and spec tables


def _breadcrumb_names(node: Mapping[str, Any]) -> list[str]:
    elements = [e for e in _listify(node.get("itemListElement")) if isinstance(e, dict)]
    elements.sort(key=lambda e: float(e.get("position") or 0))
    names = []
    for element in elements:
        item = element.get("item")
        name = _clean(element.get("name")) or (
            _clean(item.get("name")) if isinstance(item, dict) else ""
        )
        if name:
            names.append(name)
    return names


def _breadcrumbs_structured(nodes: list[Mapping[str, Any]]) -> list[str]:
    """A BreadcrumbList anywhere in the data, else a WebPage's `breadcrumb` written as text."""

    def search(root: Any) -> Iterator[Mapping[str, Any]]:
        """Dicts in document order (depth first), without a generator per leaf value."""
        pending = [root]
        while pending:
            node = pending.pop()
            if isinstance(node, dict):
                if "BreadcrumbList" in _short_type(node.get("@type")):
                    yield node
                node = node.values()
            pending.extend(v for v in reversed(node) if isinstance(v, dict | list))

    for node in search(nodes):
        names = _breadcrumb_names(node)
        if names:
            return names
    for node in nodes:
        if isinstance(node.get("breadcrumb"), str):
            return _split_path(node["breadcrumb"])
    return []


def _breadcrumbs_nav(tree: lxml.etree._Element) -> list[str]:
    containers = tree.xpath(
        "//*[contains(translate(@aria-label, 'BREADCRUMB', 'breadcrumb'), 'breadcrumb')"
        " or contains(translate(@class, 'BREADCRUMB', 'breadcrumb'), 'breadcrumb')"
        " or contains(translate(@id, 'BREADCRUMB', 'breadcrumb'), 'breadcrumb')]"
    )
    for container in containers:
        parts = container.xpath(".//li") or container.xpath(".//a | .//span[not(.//a)]")
        names = [_text(p) for p in parts]
        names = [n for n in dict.fromkeys(names) if n and n not in _SEPARATORS]
        if names:
            return names
    return []


def _spec_rows(tree: lxml.etree._Element) -> list[tuple[str, str]]:
    """Key/value rows from two-column tables, definition lists and spec lists outside chrome."""
    rows: list[tuple[str, str]] = []
    blocks: dict[str, list[Any]] = {"table": [], "dl": [], "ul": []}
    for block in _SPEC_BLOCKS(tree):
        blocks["ul" if block.tag == "ol" else block.tag].append(block)
    for table in blocks["table"]:
        cells_per_row = [[c for c in tr if c.tag in ("th", "td")] for tr in table.iter("tr")]
        cells_per_row = [cells for cells in cells_per_row if cells]
        pairs = [cells for cells in cells_per_row if len(cells) == 2]
        if not pairs or len(pairs) < 0.6 * len(cells_per_row):
            continue
        # A row of two <th> is the table's header ("Property | Value"), not a spec.
        rows += [(_text(k), _text(v)) for k, v in pairs if (k.tag, v.tag) != ("th", "th")]
    for dl in blocks["dl"]:
        for dt in _DEFINITION_TERMS(dl):
            dd = _NEXT_DEFINITION(dt)
            if dd:
                rows.append((_text(dt), _text(dd[0])))
    for spec_list in blocks["ul"]:
        if not _SPEC_CONTAINER.search(_hint(spec_list) + _hint(spec_list.getparent())):
            continue
        for item in _LIST_ITEMS(spec_list):
            cells = [c for c in item if isinstance(c.tag, str)]
            if len(cells) == 2:
                rows.append((_text(cells[0]), _text(cells[1])))
            else:
                key, sep, value = _text(item).partition(":")
                if sep:
                    rows.append((key, value.strip()))
    return [
        (key.rstrip(":").strip(), value)
        for key, value in rows
        if key.rstrip(":").strip() and value and len(key) <= 80 and len(value) <= 500
    ]


# ---------------------------------------------------------------- heuristic fallback


@dataclass
class _Image:
    url: str
    area: int
    order: int
    element: Any


def _dimension(value: str | None) -> int:
    match = re.fullmatch(r"\s*(\d+)(?:\.\d+)?\s*(?:px)?\s*", value or "")
    return int(match.group(1)) if match else 0


def _largest_srcset(srcset: str) -> tuple[str, int]:
    """The widest candidate of a srcset ("a.jpg 400w, b.jpg 800w") and its width (0 if none)."""
    best, best_width = "", -1
    for candidate in srcset.split(","):
        parts = candidate.split()
        if not parts:
            continue
        width = _dimension(parts[1][:-1]) if len(parts) > 1 and parts[1].endswith("w") else 0
        if width > best_width:
            best, best_width = parts[0], width
    return best, max(best_width, 0)


def _content_images(tree: lxml.etree._Element, base: str) -> list[_Image]:
    """Images that could be this product's photos, in document order.

    Skipped: page chrome, icons and logos, images under 64 px, and images inside links to
    other pages (product cards) or inside related-products blocks. A thumbnail that links to an
    image file stands for that (larger) file.
    """
    images: list[_Image] = []
    for order, img in enumerate(tree.xpath(f"//img[not({_CHROME})]")):
        link = img.xpath("ancestor::a[@href][1]/@href")
        zoom = link[0].strip() if link and _IMAGE_FILE.search(link[0]) else ""
        if link and not zoom and not link[0].strip().startswith(("#", "javascript:")):
            continue
        if any(_RELATED.search(_hint(a)) for a in img.iterancestors()):
            continue
        src = (
            img.get("data-zoom-image")
            or img.get("data-large")
            or img.get("data-src")
            or img.get("data-lazy-src")
            or img.get("data-original")
            or img.get("src")
            or ""
        ).strip()
        srcset = img.get("data-srcset") or img.get("srcset") or ""
        widest, srcset_width = _largest_srcset(srcset) if srcset else ("", 0)
        if widest and (not src or src.startswith("data:") or srcset_width):
            src = widest
        hint = " ".join([src, img.get("class", ""), img.get("alt", ""), img.get("id", "")])
        if not src or src.startswith("data:") or src.lower().endswith(".svg"):
            continue
        if _DECORATIVE.search(hint):
            continue
        width, height = _dimension(img.get("width")), _dimension(img.get("height"))
        if not zoom and ((width and width < 64) or (height and height < 64)):
            continue
        width = width or srcset_width
        area = width * (height or width)
        url = _join(base, zoom or src)
        if url:
            images.append(_Image(url, area, order, img))
    return images


def _gallery(tree: lxml.etree._Element, base: str) -> list[str]:
    """Main photo first (largest declared size, else the first), then the rest of its gallery.

    The gallery is the nearest enclosing gallery/carousel/thumbnails container of the main
    photo; without one, the main photo stands alone rather than pulling in unrelated images.
    """
    images = _content_images(tree, base)
    if not images:
        return []
    main = max(images, key=lambda image: (image.area, -image.order))
    urls = [main.url]
    for depth, ancestor in enumerate(main.element.iterancestors()):
        if depth >= 5 or ancestor.tag in ("main", "body", "article"):
            break
        if _GALLERY.search(_hint(ancestor)):
            inside = set(ancestor.iter("img"))
            urls += [image.url for image in images if image.element in inside]
            break
    return list(dict.fromkeys(urls))


def _looks_like_listing(tree: lxml.etree._Element) -> bool:
    """Many distinct links wrapping a thumbnail: a category grid, not a product.

    Cards inside related-products blocks do not count, so a product page with a "you may also
    like" strip stays a product page.
    """
    hrefs = set()
    for link in _IMAGE_LINKS(tree):
        href = link.get("href")
        if _IMAGE_FILE.search(href) or any(_RELATED.search(_hint(a)) for a in link.iterancestors()):
            continue
        hrefs.add(href)
    return len(hrefs) >= 4


def _looks_like_product(tree: lxml.etree._Element, base: str) -> bool:
    """One h1, a photo that is not a link to another page, and specs or a buy button."""
    h1 = next(tree.iter("h1"), None)
    if h1 is None or not _text(h1) or not _content_images(tree, base):
        return False
    if len(_spec_rows(tree)) >= 2:
        return True
    labels = [_text(b) for b in tree.xpath("//button")]
    labels += tree.xpath("//input[@type='submit']/@value")
    return any(_BUY_BUTTON.search(label) for label in labels)


def _description(tree: lxml.etree._Element) -> str:
    """The description block: marked-up or class-named first, else the largest run of prose.

    Blocks that contain the h1 are whole product panels, not descriptions; cookie banners,
    reviews and shipping notes are skipped.
    """
    for block in tree.xpath("//*[@itemprop='description']"):
        text = block.get("content") if block.tag == "meta" else _prose(block)
        if text and len(text) >= 20:
            return " ".join(text.split())
    # Elements, not their id()s: lxml wraps a node anew once its wrapper is gone, and a freed
    # wrapper's id() is soon another's.
    panels = {a for h1 in tree.iter("h1") for a in h1.iterancestors()}
    named = [
        element
        for element in tree.xpath(f"//*[@id or @class][not({_CHROME})]")
        if element.tag not in ("meta", "link", "img", "script", "style", "body", "html")
        and not _NOT_DESCRIPTION.search(_hint(element))
        and element not in panels
    ]
    for pattern in _DESCRIPTION_BLOCKS:
        for element in named:
            if pattern.search(_hint(element)):
                text = _prose(element)
                if len(text) >= 20:
                    return text
    runs: dict[Any, list[str]] = {}
    for paragraph in tree.xpath(
        f"//p[not({_CHROME} or ancestor::aside or ancestor::form or ancestor::a)]"
    ):
        if any(
            _NOT_DESCRIPTION.search(_hint(a)) or _RELATED.search(_hint(a))
            for a in paragraph.iterancestors()
        ):
            continue
        text = _text(paragraph)
        if len(text) >= 20:
            runs.setdefault(paragraph.getparent(), []).append(text)
    if runs:
        best = max(runs.values(), key=lambda texts: sum(map(len, texts)))
        if sum(map(len, best)) >= 40:
            return " ".join(best)
    return _clean(tree.xpath("string(//meta[@name='description']/@content)"))


def _heuristic(tree: lxml.etree._Element, base: str) -> dict[str, Any]:
    product = _empty_product()
    product["name"] = _text(next(tree.iter("h1")))
    product["image_urls"] = _gallery(tree, base)
    product["description"] = _description(tree)
    return product


def _app_shell(tree: lxml.etree._Element) -> bool:
    """A page a browser would have to render: it has scripts and, outside header, navigation
    and footer, next to no text, or an app root that holds only a loading placeholder."""
    if not tree.xpath("//script"):
        return False
    content = " ".join(tree.xpath(f"//body//text()[not({_NOT_CONTENT} or {_CHROME})]"))
    if len(" ".join(content.split())) < 200:
        return True
    return any(
        element.get("id").lower() in APP_ROOT_IDS and len(_text(element)) < 40
        for element in tree.xpath("//*[@id]")
    )


# ---------------------------------------------------------------- per-source selectors


def _select(root: Selector, query: str) -> list[Selector]:
    """`xpath:` / `css:` prefixes are explicit; otherwise a path-like query is XPath."""
    query = query.strip()
    if query.startswith("xpath:"):
        return list(root.xpath(query[6:].strip()))
    if query.startswith("css:"):
        return list(root.css(query[4:].strip()))
    if query.startswith(("/", "(", "./")):
        return list(root.xpath(query))
    return list(root.css(query))


def _selected_text(match: Selector) -> str:
    if isinstance(match.root, str):
        return " ".join(match.root.split())
    if match.root.tag == "meta":
        return " ".join(match.root.get("content", "").split())
    return _text(match.root)


def _selected_image(match: Selector) -> str:
    if isinstance(match.root, str):
        return match.root.strip()
    element = match.root
    srcset = element.get("srcset") or element.get("data-srcset")
    return (
        element.get("data-src")
        or element.get("src")
        or element.get("href")
        or element.get("content")
        or (_largest_srcset(srcset)[0] if srcset else "")
    )


def _selected_spec(match: Selector) -> tuple[str, str] | None:
    if isinstance(match.root, str):
        key, sep, value = match.root.partition(":")
        return (key.strip(), value.strip()) if sep else None
    element = match.root
    if element.tag == "dt":
        dd = element.xpath("following-sibling::dd[1]")
        return (_text(element), _text(dd[0])) if dd else None
    cells = element.xpath("./th|./td") or [c for c in element if isinstance(c.tag, str)]
    if len(cells) >= 2:
        return _text(cells[0]), _text(cells[1])
    key, sep, value = _text(element).partition(":")
    return (key.strip(), value.strip()) if sep else None


def _apply_selectors(
    tree: lxml.etree._Element, base: str, selectors: Mapping[str, str], product: dict[str, Any]
) -> bool:
    """Overwrite fields the source pins with selectors; True if any selector matched."""
    root = Selector(root=tree, type="html")
    values: dict[str, Any] = {}
    for field_name, query in selectors.items():
        matches = _select(root, query)
        if not matches:
            continue
        if field_name in ("name", "sku", "brand"):
            values[field_name] = _selected_text(matches[0]) or None
        elif field_name == "description":
            values[field_name] = " ".join(t for t in map(_selected_text, matches) if t)
        elif field_name == "breadcrumbs":
            names = [_selected_text(m) for m in matches]
            values[field_name] = [n for n in names if n and n not in _SEPARATORS]
        elif field_name == "image":
            values["image_urls"] = [u for u in map(_selected_image, matches) if u]
        elif field_name == "specs_rows":
            rows = [row for row in map(_selected_spec, matches) if row and row[0] and row[1]]
            values["specs"] = dict(rows)
    values = {k: v for k, v in values.items() if v}
    if not values:
        return False
    if not product:
        if "name" not in values or not ({"image_urls", "specs", "sku"} & set(values)):
            return False
        product.update(_empty_product())
        product["breadcrumbs"] = _breadcrumbs_nav(tree)
    if "specs" in values:
        values["specs"] = {**product["specs"], **values["specs"]}
    product.update(values)
    return True
