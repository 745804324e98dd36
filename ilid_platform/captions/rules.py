"""Offline, deterministic captions from a real product page, for runs without an LLM.

The rules do what ILID asked the LLM to do, only more literally, in the languages catalogs are
written in:

* label_short: the product type (`part_type`): a type the page states, the head of the
  cleaned name in its language's word order, or the most specific breadcrumb (or stated
  category) when the name does not say the kind of product (a model or project name). Never
  a brand, code or number.
* label_long: the cleaned name, with the stated material where the spec table gives one.
* material, material_finish (`materials`, `finishes`): as the page states them, else None.
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

from ilid_platform.captions.crumbs import crumb_type, url_listing
from ilid_platform.captions.filters import trade_name_pattern
from ilid_platform.captions.finishes import finish
from ilid_platform.captions.framing import framed_type
from ilid_platform.captions.kinds import (
    is_shouting,
    looks_like_a_proper_name,
    mentions,
    shares_word,
)
from ilid_platform.captions.language import (
    BY_SCRIPT,
    HEAD_LAST,
    OWN_SCRIPT,
    foreign_brand,
    guess_language,
    is_little_text,
    name_language,
)
from ilid_platform.captions.lexicon import lexicon
from ilid_platform.captions.materials import material
from ilid_platform.captions.morphology import is_agent_noun, is_english
from ilid_platform.captions.morphology import singular as _singular
from ilid_platform.captions.page_text import (
    is_cjk,
    real_description,
    real_text,
    sentences,
    spec_value,
    stated_in_text,
)
from ilid_platform.captions.part_type import LABEL_WORDS, clean_name, head_phrase, is_generic
from ilid_platform.captions.schema import CaptionOutcome, ProductText
from ilid_platform.captions.site import EMPTY, SiteText, read_sites
from ilid_platform.captions.titles import is_brand_and_code, title_kind, title_rest

RULES_VERSION = "rules-v15"


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


# "Questo sollevatore è …", "This mixer is …": the noun after it opens the text.
_DEMONSTRATIVE = re.compile(
    r"^\s*(?:this|these|questo|questa|questi|queste|este|esta|estos|estas|ce|cet|cette|ces"
    r"|dieser|diese|dieses|deze|dit|este|esta|tento|tato|toto|этот|эта|это)\s+",
    re.IGNORECASE,
)


def _head_noun(phrase: str, language: str) -> str:
    words = phrase.split()
    return (words[-1] if language in HEAD_LAST else words[0]) if words else ""


def _read_kind(phrase: str, language: str) -> str:
    return head_phrase(clean_name(phrase, None, language), language)


def _brand_before(head: str, crumb: str) -> bool:
    """ "kstar ups" under "Online UPS": the name and its breadcrumb end in one kind, and the
    name's word before it is one the dictionary does not know, where the crumb qualifies the
    kind with known words: a brand before the kind ("apfc panel" under "Panels" keeps its
    qualifier: the crumb says no more)."""
    words, listed = head.split(), crumb.split()
    return (
        len(words) >= 2
        and len(listed) >= 2
        and words[-1] == listed[-1]
        and not is_english(words[0])
        and all(is_english(w) for w in listed)
    )


def _title_read(segment: str, language: str) -> str:
    """A title segment's kind, in its own script's language where that decides."""
    own = guess_language(segment)
    return _read_kind(segment, own if own in BY_SCRIPT else language)


def part_type(product: ProductText, title: str, language: str, site: SiteText = EMPTY) -> str:
    stated = stated_in_text(product.description, "type") or spec_value(product.specs, "type")
    if stated:
        head = head_phrase(clean_name(stated.split("/")[0]), language)
        if head:
            return head
    text = real_text(product.description, site)
    about = re.sub(rf"(?<!\w){re.escape(product.name)}(?!\w)", " ", text, flags=re.I)
    # which part of the name the text speaks of: the page's own text, else the text it shares
    # with its variants ("EU Plug - … Power Supply" and "UK Plug - …" share one)
    family = real_text(site.without_sitewide(product.description))
    opening = next(iter(sentences(text or family)), "")
    # (the page's text and title tell where the words of a Vietnamese name end)
    own = " . ".join([about, product.title, *product.breadcrumbs])
    head = head_phrase(title, language, opening, site.says(about), own)
    # A category the page states ("Categories: Door phones, …") is its own breadcrumb.
    category = stated_in_text(product.description, "category").split(",")[0].strip()
    crumbs = (*product.breadcrumbs, category) if category else product.breadcrumbs
    if not crumbs and url_listing(product.url) in site.listings:  # the directory it is filed in
        crumbs = (url_listing(product.url),)
    listed = crumb_type(crumbs, product.name, language, site.home)
    crumb = listed.kind
    # a registered trade name (®, ™) is a proper name whatever its words
    trade_name = re.search(r"[®™]", product.name) is not None
    # an English name on a page in another script ("Glass Railings" over Greek text) names
    # its kind in English: the text cannot be expected to use its words
    translated = language == "en" and guess_language(text) in OWN_SCRIPT
    # (an English head that names a doer, "Chaff Cutter", "Sprayer", is a kind whatever its case)
    doer = language == "en" and bool(head) and not crumb and is_agent_noun(head.split()[-1])
    proper = not translated and not doer and looks_like_a_proper_name(product.name, text, head)
    if not head or trade_name or proper:
        # the frame is read in the text's language (a proper name has none of its own)
        framed = framed_type(product.name, text, guess_language(text), _read_kind)
        if framed:
            return framed
    # the page title names the kind where the name is only a code or a brand and a code
    # ("HOTS-PH001", "1998 KOMATSU PW130-6"), or puts a noun before a name whose one word
    # does not say it ("Extintor Multipropósito 20 lbs") in a language whose head comes first
    rest = title_rest(product.title, product.name)
    if not head or is_brand_and_code(product.name, head):
        kind = title_kind(rest, lambda s: _title_read(s, language))
        if kind:
            return kind
    # (a word in capitals there is a code or a brand: "TWS 300" for "Trunz Water Systems 300")
    before = rest.before if not is_shouting(rest.before) else ""
    # (one word, or one linked to its complement: "Agua a presión")
    single = len(head.split()) == 1 or head.split()[1:2] in (["a"], ["à"])
    if before and single and language not in (*HEAD_LAST, *BY_SCRIPT):
        kind = _title_read(before, language) if len(before.split()) <= 2 else ""
        if kind and not shares_word(kind, head):
            return kind
    if not head and not crumb:  # the name says nothing: the text's first words may
        opening = _DEMONSTRATIVE.sub("", next(iter(sentences(about)), ""))
        if ":" in opening:  # a spec row or heading ("Technische Eigenschaften: Leistung …")
            return ""
        kind = head_phrase(clean_name(opening, None, language), language) if opening else ""
        return kind if len(kind) > 3 or is_cjk(kind) else ""  # "es", "это": a verb
    if head and crumb and language == "en" and _brand_before(head, crumb):
        return crumb
    if not crumb or (head and shares_word(head, crumb)):
        return head or crumb
    if not head or is_generic(head):
        return crumb
    # The name names no kind of product when it reads like a proper name, or when the text
    # speaks of the breadcrumb's kind and never of the name's head; so only under a listing
    # of one kind ("Happy Ninja" under "Hoodies"): a singular heading may name a field of use
    # ("Pressure Gauge" in "Drip Irrigation", whose text speaks of irrigation).
    if (
        listed.listing
        and not translated
        and (proper or (mentions(about, crumb) and not mentions(about, _head_noun(head, language))))
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
        # a page whose text is all the site's (an address) is in the site's language
        own_text = real_text(product.description, site)
        site_language = site.language if is_little_text(own_text) else ""
        language = name_language(
            lexicon().name_noise.sub(" ", product.name), context, site_language
        )
        title = clean_name(product.name, trade_names, language)
        if foreign_brand(title, language, context):
            title, language = "", guess_language(context)
        if language in HEAD_LAST:  # a word before the head that opens every name: the brand
            title = site.without_leading_word(title)
        label_short = " ".join(part_type(product, title, language, site).split()[:LABEL_WORDS])
        stated_material = material(product, site, label_short)
        label_long = title.casefold() or label_short
        stated_in_specs = stated_material and spec_value(product.specs, "material")
        # a grade ("EN 19", "SS-304") would put digits in label_long, which the filter rejects
        graded = re.search(r"\d", stated_material or "") is not None
        if stated_in_specs and not graded and stated_material.casefold() not in label_long:
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
