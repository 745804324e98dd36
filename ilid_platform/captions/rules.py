"""Offline, deterministic captions from a real product page, for runs without an LLM.

The rules do what ILID asked the LLM to do, only more literally, in the languages catalogs are
written in:

* label_short: the product type (`part_type`): a type the page states, the head of the
  cleaned name in its language's word order, or the most specific breadcrumb (or stated
  category) when the name does not say the kind of product (a model or project name). Never
  a brand, code or number.
* label_long: the cleaned name, with the stated material where the spec table gives one.
* material, material_finish (`materials`): as the page states them, else None.
* description (`page_text`): the page's own text without shop, theme or template sentences,
  at most 30 words, else None.

`prepare` reads what a source's pages share (`site`) before any is captioned: text the site
repeats is no product's own, and a word opening nearly every name is the site's brand.

A field the page does not state stays None; the post-filter then keeps the caption (as ILID
does) or rejects it if label_short or label_long is missing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator

from ilid_platform.captions.crumbs import crumb_type
from ilid_platform.captions.filters import trade_name_pattern
from ilid_platform.captions.framing import framed_type
from ilid_platform.captions.language import HEAD_LAST, guess_language, name_language
from ilid_platform.captions.lexicon import lexicon
from ilid_platform.captions.materials import finish, material
from ilid_platform.captions.page_text import (
    is_cjk,
    real_description,
    real_text,
    sentences,
    spec_value,
    stated_in_text,
)
from ilid_platform.captions.part_type import (
    LABEL_WORDS,
    clean_name,
    head_phrase,
    is_generic,
    looks_like_a_proper_name,
    mentions,
    shares_word,
)
from ilid_platform.captions.part_type import singular as _singular
from ilid_platform.captions.schema import CaptionOutcome, ProductText
from ilid_platform.captions.site import EMPTY, SiteText, read_sites

RULES_VERSION = "rules-v6"


def singular(phrase: str) -> str:
    """English singular of a phrase's last word: 'hex nuts' -> 'hex nut'."""
    words = phrase.split()
    return " ".join([*words[:-1], _singular(words[-1], "en")]) if words else phrase


def strip_codes(text: str, trade_names: re.Pattern[str] | None = None) -> str:
    """Text without trade names, article numbers, standards, sizes or other numbers."""
    return clean_name(text, trade_names)


def _brands(product: ProductText, regex: str | None) -> re.Pattern[str] | None:
    """The source's trade names, the record's brand and the brand its spec table states."""
    brand = product.brand or spec_value(product.specs, "brand") or None
    pattern = trade_name_pattern(regex, brand)
    stated = spec_value(product.specs, "brand")
    if stated and stated != brand:
        extra = re.compile(r"\b" + re.escape(stated) + r"\b", re.IGNORECASE)
        return re.compile(f"{pattern.pattern}|{extra.pattern}", re.IGNORECASE) if pattern else extra
    return pattern


def _head_noun(phrase: str, language: str) -> str:
    words = phrase.split()
    return (words[-1] if language in HEAD_LAST else words[0]) if words else ""


def _read_kind(phrase: str, language: str) -> str:
    return head_phrase(clean_name(phrase, None, language), language)


def part_type(product: ProductText, title: str, language: str, site: SiteText = EMPTY) -> str:
    stated = stated_in_text(product.description, "type") or spec_value(product.specs, "type")
    if stated:
        head = head_phrase(clean_name(stated.split("/")[0]), language)
        if head:
            return head
    text = real_text(product.description, site)
    about = re.sub(rf"(?<!\w){re.escape(product.name)}(?!\w)", " ", text, flags=re.I)
    head = head_phrase(title, language, next(iter(sentences(text)), ""), site.says(about))
    # A category the page states ("Categories: Door phones, …") is its own breadcrumb.
    category = stated_in_text(product.description, "category").split(",")[0].strip()
    crumbs = (*product.breadcrumbs, category) if category else product.breadcrumbs
    listed = crumb_type(crumbs, product.name, language, site.home)
    crumb = listed.kind
    # a registered trade name (®, ™) is a proper name whatever its words
    trade_name = re.search(r"[®™]", product.name) is not None
    if not head or trade_name or looks_like_a_proper_name(product.name, text, head):
        # the frame is read in the text's language (a proper name has none of its own)
        framed = framed_type(product.name, text, guess_language(text), _read_kind)
        if framed:
            return framed
    if not head and not crumb:  # the name says nothing: the text's first words may
        opening = next(iter(sentences(about)), "")
        kind = head_phrase(clean_name(opening, None, language), language) if opening else ""
        return kind if len(kind) > 3 or is_cjk(kind) else ""  # "es", "это": a verb
    if not crumb or (head and shares_word(head, crumb)):
        return head or crumb
    if not head or is_generic(head):
        return crumb
    # The name names no kind of product when it reads like a proper name, or when the text
    # speaks of the breadcrumb's kind and never of the name's head; so only under a listing
    # of one kind ("Happy Ninja" under "Hoodies"): a singular heading may name a field of use
    # ("Pressure Gauge" in "Drip Irrigation", whose text speaks of irrigation).
    if listed.listing and (
        looks_like_a_proper_name(product.name, text, head)
        or (mentions(about, crumb) and not mentions(about, _head_noun(head, language)))
    ):
        return crumb
    return head


class RuleCaptioner:
    """Deterministic captions; `trade_name_regex` names the source's own brands and lines."""

    name = "rules"
    prompt_version = RULES_VERSION

    def __init__(self, trade_name_regex: str | None = None) -> None:
        self.trade_name_regex = trade_name_regex
        trade_name_pattern(trade_name_regex)  # a broken regex fails here, not mid-run
        self.sites: dict[str, SiteText] = {}
        self.model = self._identity()

    def _identity(self) -> str:
        """The trade-name regex and what the site's pages share change the output, so they
        are part of the model identity (and so of every input hash)."""
        parts = []
        if self.trade_name_regex:
            digest = hashlib.sha256(self.trade_name_regex.encode("utf-8")).hexdigest()[:12]
            parts.append(f"tn-{digest}")
        if self.sites:
            joined = ",".join(f"{k}:{v.digest()}" for k, v in sorted(self.sites.items()))
            parts.append(f"site-{hashlib.sha256(joined.encode('utf-8')).hexdigest()[:12]}")
        return "+".join([RULES_VERSION, *parts])

    def prepare(self, products: Iterable[ProductText]) -> None:
        """Reads what each source's products share (`site.read_site`) from all its live
        products, before any of them is captioned."""
        self.sites = read_sites(products)
        self.model = self._identity()

    def caption(self, product: ProductText) -> CaptionOutcome:
        site = self.sites.get(product.source, EMPTY)
        trade_names = _brands(product, self.trade_name_regex)
        context = " ".join([*product.breadcrumbs, product.description])
        language = name_language(lexicon().name_noise.sub(" ", product.name), context)
        title = clean_name(product.name, trade_names, language)
        if language in HEAD_LAST:  # a word before the head that opens every name: the brand
            title = site.without_leading_word(title)
        label_short = " ".join(part_type(product, title, language, site).split()[:LABEL_WORDS])
        stated_material = material(product, site, label_short)
        label_long = title.casefold() or label_short
        stated_in_specs = stated_material and spec_value(product.specs, "material")
        if stated_in_specs and stated_material.casefold() not in label_long:
            label_long = f"{label_long}, {stated_material}" if label_long else stated_material
        fields = {
            "label_short": label_short,
            "label_long": label_long,
            "description": real_description(product.description, product.name, trade_names, site),
            "material": stated_material,
            "material_finish": finish(product, site),
        }
        return CaptionOutcome(fields=fields)

    def caption_many(
        self, products: Iterable[ProductText]
    ) -> Iterator[tuple[ProductText, CaptionOutcome]]:
        for product in products:
            yield product, self.caption(product)
