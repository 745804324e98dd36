"""Offline, deterministic captions from name, specs and breadcrumbs, for runs without an LLM.

The rules do what ILID asked the LLM to do, only more literally: trade names, article numbers,
standards, sizes and other numbers are cut from the title; the part type is the title's head
noun phrase, checked against the breadcrumbs; material and finish come from the spec table or,
failing that, from known words in the text. Fields the rules cannot find stay empty, so the
post-filter rejects the product with a reason instead of the rules inventing an answer.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping

from ilid_platform.captions.filters import trade_name_pattern
from ilid_platform.captions.schema import WORD_LIMITS, CaptionOutcome, ProductText

RULES_VERSION = "rules-v1"

MATERIALS = (
    "stainless steel", "carbon steel", "alloy steel", "tool steel", "spring steel",
    "galvanised steel", "galvanized steel", "cast iron", "steel", "aluminium", "aluminum",
    "brass", "bronze", "copper", "titanium", "zinc", "nickel", "iron", "polyamide", "nylon",
    "polypropylene", "polyethylene", "polycarbonate", "polyurethane", "pvc", "ptfe", "pom",
    "abs", "plastic", "rubber", "nbr", "epdm", "silicone", "wood", "glass", "ceramic", "carbide",
)  # fmt: skip
FINISHES = (
    "hot-dip galvanised", "hot-dip galvanized", "hot dip galvanised", "hot dip galvanized",
    "zinc plated", "zinc-plated", "nickel plated", "chrome plated", "black oxide",
    "powder coated", "anodised", "anodized", "galvanised", "galvanized", "polished", "brushed",
    "painted", "lacquered", "passivated", "sandblasted", "blackened", "plain", "bright",
    "matte", "matt", "glossy", "satin",
)  # fmt: skip
COLOURS = (
    "black", "white", "red", "blue", "green", "yellow", "orange", "grey", "gray", "silver",
    "gold", "brown", "transparent",
)  # fmt: skip

_MATERIAL_KEY = re.compile(r"material|werkstoff|made of|composition", re.IGNORECASE)
_FINISH_KEY = re.compile(r"finish|surface|coating|plating|treatment", re.IGNORECASE)
_COLOUR_KEY = re.compile(r"colou?r", re.IGNORECASE)
# Breadcrumbs that name the shop's navigation rather than a kind of part.
_NOT_PART_TYPE = frozenset(
    {
        "home", "start", "shop", "store", "products", "all products", "catalog", "catalogue",
        "sale", "new", "offers",
    }
)  # fmt: skip

# Marketing words that say nothing about the part type.
_NOT_DESCRIPTIVE = re.compile(
    r"(?<!\w)(?:premium|professional|pro|new|original|genuine|quality|high-quality|classic)(?!\w)"
)
# Words that only make sense next to a number: "8 mm", "20 teeth", "module 2", "pack of 10".
# The number itself goes with _HAS_DIGIT.
_NUMBER_WITH_UNIT = re.compile(
    r"\d+(?:[.,/]\d+)*\s+(?:mm|cm|µm|m|in|inch|inches|kg|g|nm|kn|n|v|w|kw|bar|psi|mpa|l|ml"
    r"|teeth|pcs|pieces|holes)\b"
    r"|\b(?:module|size|length|width|height|diameter|dia|thread|pack of)\s+(?=\S*\d)",
    re.IGNORECASE,
)
_CODE_WORD = re.compile(
    r"\b(?:DIN|ISO|EN|ANSI|ASME|ASTM|AISI|SAE|JIS|RAL|UNC|UNF|NPT|BSP|SKU|EAN|GTIN|MPN)\b"
    r"|\b(?i:art\.?[- ]?(?:no|nr)|item no|part no|ref)\b\.?:?"
)


@functools.lru_cache(maxsize=64)
def _any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """Whole-phrase alternation, longest first so 'stainless steel' wins over 'steel'."""
    alternation = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)


_FINISH_WORDS = _any_of(FINISHES)
_MATERIAL_OR_FINISH = _any_of((*MATERIALS, *FINISHES, *COLOURS))
_HAS_DIGIT = re.compile(r"[^\s,;()\[\]]*\d[^\s,;()\[\]]*")
# Where a title's part type ends and its attributes or accessories begin.
_HEAD_END = re.compile(
    r",|;| - | with | for | (?:module|type|size|series|class|grade|length|diameter|width|pack)\b"
    r"| \S+-type\b"
)
_WITH_CLAUSE = re.compile(r"\bwith\b[^,;.]*", re.IGNORECASE)
_LONE_X = re.compile(r"(?<!\w)[x×](?!\w)", re.IGNORECASE)
_SEPARATORS = re.compile(r"[,;/|()\[\]]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _squash(text: str) -> str:
    """Collapse the holes that removed tokens leave behind."""
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    text = re.sub(r"\s*\|\s*|\s+[-–]\s+", ", ", text)
    text = re.sub(r"\s+([,;.:])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"\s+", " ", text)
    return text.strip(" ,;:-/|")


def strip_codes(text: str, trade_names: re.Pattern[str] | None = None) -> str:
    """Text without trade names, article numbers, standards, sizes or other numbers."""
    if trade_names is not None:
        text = trade_names.sub(" ", text)
    text = _NUMBER_WITH_UNIT.sub(" ", text)
    text = _HAS_DIGIT.sub(" ", text)
    text = _CODE_WORD.sub(" ", text)
    text = _LONE_X.sub(" ", text)
    return _squash(text)


def singular(phrase: str) -> str:
    """English singular of a phrase's last word: 'hex nuts' -> 'hex nut'."""
    words = phrase.split()
    if not words:
        return phrase
    last = words[-1]
    if len(last) > 4 and last.endswith("ies"):
        last = last[:-3] + "y"
    elif re.search(r"(ch|sh|x|ss|z)es$", last):
        last = last[:-2]
    elif last.endswith("s") and not re.search(r"(ss|us|is)$", last):
        last = last[:-1]
    return " ".join([*words[:-1], last])


def _contains(text: str, phrase: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text) is not None


def _first_known(text: str, vocabulary: tuple[str, ...]) -> str:
    """The known phrase mentioned first in the text (the longest one at that position)."""
    found = _any_of(vocabulary).search(text)
    return found.group(0).casefold() if found else ""


def _limit_words(text: str, limit: int) -> str:
    return " ".join(text.split()[:limit])


def _spec_value(specs: Mapping[str, str], key: re.Pattern[str]) -> str:
    return next((value for name, value in specs.items() if key.search(name) and value), "")


def _from_spec(value: str, vocabulary: tuple[str, ...], limit: int) -> str:
    """A spec value's first clause without grades or codes, or its best-known word if too long."""
    clause = next((c for c in _SEPARATORS.split(strip_codes(value)) if c.strip()), "")
    clause = _squash(clause).casefold()
    if clause and len(clause.split()) <= limit:
        return clause
    return _first_known(value, vocabulary)


class RuleCaptioner:
    """Deterministic captions; `trade_name_regex` names the source's own brands and lines."""

    name = "rules"
    prompt_version = RULES_VERSION

    def __init__(self, trade_name_regex: str | None = None) -> None:
        self.trade_name_regex = trade_name_regex
        trade_name_pattern(trade_name_regex)  # a broken regex fails here, not mid-run
        # The regex changes the output, so it is part of the model identity (and input hash).
        self.model = RULES_VERSION
        if trade_name_regex:
            digest = hashlib.sha256(trade_name_regex.encode("utf-8")).hexdigest()[:12]
            self.model = f"{RULES_VERSION}+tn-{digest}"

    def caption(self, product: ProductText) -> CaptionOutcome:
        trade_names = trade_name_pattern(self.trade_name_regex, product.brand)
        title = strip_codes(product.name, trade_names)
        material = self._material(product)
        finish = self._finish(product)
        label_short = self._part_type(product, title, material, finish)
        label_long = title.casefold() or label_short
        if material and not _first_known(label_long, (material, *MATERIALS)):
            label_long = f"{label_long}, {material}" if label_long else material
        fields = {
            "label_short": label_short,
            "label_long": label_long,
            "description": self._description(product, trade_names, label_short, material, finish),
            "material": material,
            "material_finish": finish,
        }
        return CaptionOutcome(fields=fields)

    def caption_many(
        self, products: Iterable[ProductText]
    ) -> Iterator[tuple[ProductText, CaptionOutcome]]:
        for product in products:
            yield product, self.caption(product)

    @staticmethod
    def _material(product: ProductText) -> str:
        spec = _spec_value(product.specs, _MATERIAL_KEY)
        if spec:
            return _from_spec(spec, MATERIALS, WORD_LIMITS["material"])
        # "zinc plated" is a finish and "with rubber insert" an accessory, not the material.
        for text in (product.name, product.description):
            found = _first_known(_WITH_CLAUSE.sub(" ", _FINISH_WORDS.sub(" ", text)), MATERIALS)
            if found:
                return found
        return ""

    @staticmethod
    def _finish(product: ProductText) -> str:
        limit = WORD_LIMITS["material_finish"]
        spec = _spec_value(product.specs, _FINISH_KEY) or _spec_value(product.specs, _COLOUR_KEY)
        if spec:
            return _from_spec(spec, FINISHES + COLOURS, limit)
        for text in (product.name, product.description):
            found = _first_known(text, FINISHES) or _first_known(text, COLOURS)
            if found:
                return found
        return ""

    @staticmethod
    def _part_type(product: ProductText, title: str, material: str, finish: str) -> str:
        """The title's head noun phrase where it ends in a breadcrumb ('compression spring'
        under 'Springs'), else the most specific breadcrumb the title mentions, else the head
        phrase, else the most specific breadcrumb."""
        limit = WORD_LIMITS["label_short"]
        lowered = title.casefold()
        name = product.name.strip().casefold()
        crumbs = [
            singular(c.strip().casefold())
            for c in reversed(product.breadcrumbs)
            if c.strip()
            and c.strip().casefold() not in _NOT_PART_TYPE
            and c.strip().casefold() != name
            and not _HAS_DIGIT.search(c)
        ]
        crumbs = [c for c in crumbs if len(c.split()) <= limit]
        head = _HEAD_END.split(lowered, maxsplit=1)[0]
        for value in (material, finish):
            if value:
                head = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", head)
        head = _NOT_DESCRIPTIVE.sub(" ", _MATERIAL_OR_FINISH.sub(" ", head))
        head = singular(" ".join(head.split()[-limit:]))
        for crumb in crumbs:
            if _contains(lowered, crumb):
                return head if f" {head}".endswith(f" {crumb}") else crumb
        return head or next(iter(crumbs), "")

    @staticmethod
    def _description(
        product: ProductText,
        trade_names: re.Pattern[str] | None,
        label_short: str,
        material: str,
        finish: str,
    ) -> str:
        """The leading sentences that fit in the word limit, without trade names; a sentence
        built from the other fields when the page has no text."""
        limit = WORD_LIMITS["description"]
        text = product.description
        if trade_names is not None:
            text = _squash(trade_names.sub(" ", text))
        text = " ".join(text.split())
        if not text:
            if not (label_short and material):
                return ""
            built = f"{label_short} made of {material}" + (f", {finish} finish." if finish else ".")
            return built[0].upper() + built[1:]
        kept: list[str] = []
        for sentence in _SENTENCE_END.split(text):
            if len((" ".join([*kept, sentence])).split()) > limit:
                break
            kept.append(sentence)
        result = " ".join(kept) or _limit_words(text, limit)
        return result[0].upper() + result[1:]
