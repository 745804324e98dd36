"""schema.org data as nodes, from each syntax shops use: JSON-LD (as shops really write it),
microdata and RDFa."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

import extruct
import lxml.etree
import lxml.html
from extruct.uniform import flatten_dict
from extruct.w3cmicrodata import MicrodataExtractor
from w3lib.html import strip_html5_whitespace

from ilid_platform.crawl.extract.html import join, listify, text_of

logger = logging.getLogger(__name__)

SCHEMA_CONTEXT = "http://schema.org"
_CDATA_OPEN = re.compile(r"^(?://\s*)?(?:<!--|<!\[CDATA\[)")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CONCATENATED = re.compile(r"}\s*{")


def short_type(value: Any) -> set[str]:
    return {_short_name(str(t)) for t in listify(value)}


@lru_cache(maxsize=1024)
def _short_name(type_name: str) -> str:
    """`Product` for `https://schema.org/Product`, `schema:Product` or `Product`."""
    return re.split(r"[/#:]", type_name)[-1]


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
                yield from _top_nodes(listify(item["@graph"]))
            yield item
            for key in ("mainEntity", "mainEntityOfPage", "itemOffered"):
                if isinstance(item.get(key), dict | list):
                    yield from _top_nodes(listify(item[key]))


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


def jsonld_nodes(tree: lxml.etree._Element) -> tuple[list[Mapping[str, Any]], bool]:
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
            return join(base_url, strip_html5_whitespace(node.get(attribute, "")))
        return super()._extract_property_value(node, items_seen, base_url, itemids, force)

    def _extract_textContent(self, node: lxml.etree._Element) -> str:
        return text_of(node)


def microdata_nodes(tree: lxml.etree._Element, base: str) -> list[Mapping[str, Any]]:
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
        out: dict[str, Any] = {"@type": sorted(short_type(node.get("@type")))}
        if "@id" in node:
            out["@id"] = node["@id"]
        for key, values in node.items():
            if key.startswith("@"):
                continue
            plain = []
            for value in listify(values):
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


def rdfa_nodes(tree: lxml.etree._Element, base: str) -> list[dict[str, Any]]:
    """RDFa through extruct; it needs a DOM of its own, so only pages using `typeof` pay."""
    markup = lxml.html.tostring(tree, encoding="unicode")
    try:
        data = extruct.extract(markup, base_url=base, syntaxes=["rdfa"])
    except Exception as exc:  # rdflib is strict about odd markup
        logger.debug("rdfa extraction failed: %s", exc)
        return []
    return _compact_rdfa(data.get("rdfa", []))
