"""What one catalog's product pages share, read from all of them before any is captioned.

A page's own text is what the site does not repeat. A sentence that several products'
descriptions hold (the shop's template text, a company blurb, a list of other products, text
copied from another product) says nothing about any one of them: it is never a description and
never states a material. And a word that opens nearly every product name of a site whose names
put their head last ("Gain stirrer", "Gain pump", "Woo single") is the site's brand or line,
not part of a product type. So is a word that half the names hold anywhere but last and that
the site's texts write only capitalised, after a lower-case word too ("the Argon ONE is …",
"Argon Fan HAT", "Argon IR Remote"): a proper name, where a kind of product the texts name
("hex nuts lock bolts") is written in lower case.

Sentences are compared with their numbers blanked, so spec lines that differ only in sizes
("Size: 390x90x190 mm") count as the same text.

The site's texts also tell which longer phrases of a name are a kind of product the site
speaks of: "pressure reducing valve" in other products' descriptions makes that a type of
three words, where "sipper aviation hose", said nowhere else, is an "aviation hose".
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ilid_platform.captions.crumbs import url_listing
from ilid_platform.captions.language import guess_language
from ilid_platform.captions.lexicon import lexicon
from ilid_platform.captions.morphology import is_english
from ilid_platform.captions.page_text import normalise, sentences
from ilid_platform.captions.part_type import cut_clause
from ilid_platform.captions.schema import ProductText

# A sentence is the site's, not a product's, when this many products' texts hold it.
REPEATED_ON = 2
# A leading word is the site's brand or line when at least this share of names opens with it
# (and the site has at least `_MIN_NAMES` products).
_AFFIX_SHARE = 0.8
_MIN_NAMES = 3
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_FIRST_WORD = re.compile(r"^\s*([^\W\d_][\w'’-]*)")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Phrase lengths a name's type may have beyond its last two words.
_PHRASE_SIZES = (3, 4)
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# A sentence naming this many of the site's other products is a list of them.
_LISTED_NAMES = 3


def phrase_key(words: Sequence[str]) -> str:
    """A phrase as compared across texts: case-folded, its last word in either number."""
    folded = [w.casefold() for w in words]
    return " ".join([*folded[:-1], folded[-1].rstrip("s")]) if folded else ""


def phrases(text: str, prose: bool = False) -> set[str]:
    """`phrase_key`s of every run of three or four words in `text`; with `prose`, only runs
    written in lower case, as prose names a kind of product (a list of product names is
    title case)."""
    words = _WORD.findall(normalise(text))
    if prose:
        return {
            phrase_key(words[i : i + n])
            for n in _PHRASE_SIZES
            for i in range(len(words) - n + 1)
            if all(w.islower() for w in words[i : i + n])
        }
    return {phrase_key(words[i : i + n]) for n in _PHRASE_SIZES for i in range(len(words) - n + 1)}


def sentence_key(sentence: str) -> str:
    """A sentence as compared across pages: case, spacing and numbers do not count."""
    return _DIGITS.sub("0", normalise(sentence).casefold()).strip(" .,;:!?。")


@dataclass(frozen=True)
class SiteText:
    """The text and name words one source's products share (see the module docstring)."""

    repeated: frozenset[str] = frozenset()
    """`sentence_key`s of sentences found in the descriptions of `REPEATED_ON` or more
    products."""
    sitewide: frozenset[str] = frozenset()
    """`sentence_key`s of sentences on half or more of the site's product pages (and at least
    three): a statement there ("Materials: brass") is the company's, not a product's."""
    leading_words: frozenset[str] = frozenset()
    """Case-folded words that open nearly every product name of the site."""
    proper_words: frozenset[str] = frozenset()
    """Case-folded words of half the names that the texts write only as a proper name."""
    phrases: frozenset[str] = frozenset()
    """`phrase_key`s of the names' three- and four-word runs that the descriptions of two or
    more products use in prose (each without its own name)."""
    title_brands: frozenset[str] = frozenset()
    """Case-folded words that open nearly every page title and end none: the site's brand,
    dropped from a name even where nothing else is left of it ("Apollo 1502 DI")."""
    listings: frozenset[str] = frozenset()
    """The URL directories (`crumbs.url_listing`) the site's pages sit in, where they sit in
    two or more: then a directory sorts products, as a category does."""
    line_words: frozenset[str] = frozenset()
    """Case-folded first words of names whose rest (two words or more) another name repeats
    after another first word, and that the texts never write in lower case ("Mexxsun …" and
    "Tommatech Şarj Kontrol Cihazları"): brands or lines before a kind the site sells in each."""
    language: str = ""
    """The language most of the site's pages are written in (`language.guess_language`)."""
    home: frozenset[str] = frozenset()
    """Case-folded breadcrumbs that open nearly every trail of the site (before more crumbs):
    its home link, whatever it is called ("Home", "Главная", the company's name)."""
    names: frozenset[str] = frozenset()
    """The products' names, case-folded: a sentence naming several others is a menu of them."""

    def lists_products(self, sentence: str, own_name: str) -> bool:
        """Whether `sentence` names `_LISTED_NAMES` or more of the site's other products: a
        menu or a block of related products, not text about this one."""
        folded, own = normalise(sentence).casefold(), normalise(own_name).casefold()
        named = (
            name
            for name in self.names
            if name != own and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded)
        )
        return sum(1 for _ in itertools.islice(named, _LISTED_NAMES)) >= _LISTED_NAMES

    def says(self, own_text: str) -> Callable[[str], bool]:
        """Whether `own_text` (a page's text without its name) or the site's prose uses a
        phrase (a single word: whether `own_text` does)."""
        own = phrases(own_text)
        words = {w.casefold() for w in _WORD.findall(normalise(own_text))}

        def said(phrase: str) -> bool:
            if len(phrase.split()) == 1:  # a single word: the page's own text uses it
                return phrase.casefold() in words
            key = phrase_key(phrase.split())
            return key in self.phrases or key in own

        return said

    def is_repeated(self, sentence: str) -> bool:
        return sentence_key(sentence) in self.repeated

    def without_sitewide(self, text: str) -> str:
        """`text` without the sentences on most of the site's product pages."""
        return " ".join(s for s in sentences(text) if sentence_key(s) not in self.sitewide)

    def without_leading_word(self, name: str) -> str:
        """`name` without the site's leading word, unless that is all of it, and without its
        proper names before the last word."""
        words = name.split()
        first = words[0].casefold().strip(",;:") if len(words) > 1 else ""
        if first in self.leading_words or first in self.line_words:
            words = words[1:]
        words = [w for w in words if w.casefold().strip(",;:") not in self.title_brands]
        if not words:
            return ""
        last = words[-1:]
        kept = [w for w in words[:-1] if w.casefold().strip(",;:") not in self.proper_words]
        return " ".join(kept + last)

    def digest(self) -> str:
        parts = (self.repeated, self.sitewide, self.leading_words, self.phrases, self.home)
        if self.proper_words:  # (digests of sites without any stay as they were)
            parts = (*parts, self.proper_words)
        if self.title_brands:
            parts = (*parts, self.title_brands)
        if self.listings:
            parts = (*parts, self.listings)
        if self.language:
            parts = (*parts, frozenset({self.language}))
        if self.line_words:
            parts = (*parts, self.line_words)
        if self.names:
            parts = (*parts, self.names)
        payload = "\n--\n".join("\n".join(sorted(part)) for part in parts)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]


EMPTY = SiteText()


def read_site(products: Iterable[ProductText]) -> SiteText:
    """The shared sentences and leading name words of one source's products."""
    products = list(products)
    counts: Counter[str] = Counter()
    for product in products:
        counts.update({sentence_key(s) for s in sentences(product.description)} - {""})
    repeated = frozenset(key for key, count in counts.items() if count >= REPEATED_ON)
    most = max(_MIN_NAMES, len(products) / 2)
    sitewide = frozenset(key for key, count in counts.items() if count >= most)
    firsts = Counter(
        match.group(1).casefold()
        for match in (_FIRST_WORD.match(normalise(p.name)) for p in products)
        if match
    )
    leading: frozenset[str] = frozenset()
    if len(products) >= _MIN_NAMES:
        leading = frozenset(
            word for word, count in firsts.items() if count >= _AFFIX_SHARE * len(products)
        )
    named = set().union(*(phrases(p.name) for p in products)) if products else set()
    used: Counter[str] = Counter()
    for product in products:
        own = re.sub(
            rf"(?<!\w){re.escape(product.name)}(?!\w)", " ", product.description, flags=re.I
        )
        used.update(phrases(own, prose=True) & named)
    said = frozenset(key for key, count in used.items() if count >= 2)
    return SiteText(
        repeated=repeated,
        sitewide=sitewide,
        leading_words=leading,
        proper_words=_proper_words(products),
        title_brands=_title_brand(products),
        listings=_listings(products),
        line_words=_line_words(products),
        language=_language(products),
        phrases=said,
        home=_home(products),
        names=frozenset(normalise(p.name).casefold() for p in products if p.name.strip()),
    )


def _language(products: list[ProductText]) -> str:
    if len(products) < _MIN_NAMES:
        return ""
    guesses = Counter(guess_language(f"{p.name} {p.description}") for p in products)
    return guesses.most_common(1)[0][0]


def _listings(products: list[ProductText]) -> frozenset[str]:
    found = {url_listing(p.url) for p in products}
    found.discard("")
    return frozenset(found) if len(found) >= 2 else frozenset()


def _title_brand(products: list[ProductText]) -> frozenset[str]:
    """The word that opens nearly every page title of the site ("Apollo Chaff Cutter
    Implement", "Apollo 1502 DI Tractor") and ends none: the site's brand, in any name."""
    titles = [normalise(p.title) for p in products if p.title]
    if len(titles) < _MIN_NAMES or len(titles) < len(products) / 2:
        return frozenset()
    firsts = Counter(m.group(1).casefold() for m in map(_FIRST_WORD.match, titles) if m)
    lasts = {w[-1].casefold() for w in (_WORD.findall(t) for t in titles) if w}
    return frozenset(
        word
        for word, count in firsts.items()
        if count >= _AFFIX_SHARE * len(titles) and word not in lasts
    )


_AFTER_LOWER = re.compile(r"(?<![.!?])\s[^\W\d_A-ZА-ЯЁ][\w-]*\s+$")


def _proper_words(products: list[ProductText]) -> frozenset[str]:
    """Words of half the names (never a name's last) that the descriptions write only
    capitalised, at least once after a lower-case word: a brand or line, not a kind."""
    if len(products) < _MIN_NAMES:
        return frozenset()
    counts: Counter[str] = Counter()
    last: set[str] = set()
    for product in products:
        name = normalise(_BRACKETED.sub(" ", product.name))
        counts.update({w.casefold() for w in _WORD.findall(name)})
        head = _WORD.findall(cut_clause(name))  # "… Case for Raspberry Pi 4": its head is "Case"
        last.update(w.casefold() for w in head[-1:])
    text = " ".join(normalise(p.description) for p in products)
    acronyms = lexicon().acronyms
    proper = set()
    for word, count in counts.items():
        if count < len(products) / 2 or len(word) < 2 or word in last or word.upper() in acronyms:
            continue
        uses = list(re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE))
        in_lower_case = any(use.group(0).islower() for use in uses)
        before = (text[max(0, use.start() - 40) : use.start()] for use in uses)
        after_lower = any(_AFTER_LOWER.search(preceding) for preceding in before)
        if after_lower and not in_lower_case:
            proper.add(word)
    return frozenset(proper)


def _line_words(products: list[ProductText]) -> frozenset[str]:
    """First words that vary before one repeated rest of two or more words (`line_words`)."""
    firsts_of: dict[str, set[str]] = {}
    for product in products:
        name = normalise(_BRACKETED.sub(" ", product.name))
        words = [w for w in name.split() if not _DIGITS.search(w) and _WORD.fullmatch(w)]
        if len(words) >= 3:
            rest = " ".join(words[1:]).casefold()
            firsts_of.setdefault(rest, set()).add(words[0])
    varying = {w for firsts in firsts_of.values() if len(firsts) >= 2 for w in firsts}
    if not varying:
        return frozenset()
    text = " ".join(normalise(p.description) for p in products)
    lower = {w for w in _WORD.findall(text) if w.islower()}
    # (an English word qualifies the kind: "Wafer" and "Flanged End Butterfly Valve")
    return frozenset(
        w.casefold()
        for w in varying
        if w[:1].isupper() and w.casefold() not in lower and not is_english(w.casefold())
    )


def _home(products: list[ProductText]) -> frozenset[str]:
    """The first crumb of nearly every trail of two or more crumbs."""
    trails = [p.breadcrumbs for p in products if len(p.breadcrumbs) >= 2]
    if len(trails) < _MIN_NAMES:
        return frozenset()
    firsts = Counter(normalise(trail[0]).strip(" />»›|").casefold() for trail in trails)
    return frozenset(c for c, n in firsts.items() if c and n >= _AFFIX_SHARE * len(trails))


def read_sites(products: Iterable[ProductText]) -> dict[str, SiteText]:
    """`read_site` per source."""
    by_source: dict[str, list[ProductText]] = {}
    for product in products:
        by_source.setdefault(product.source, []).append(product)
    return {source: read_site(group) for source, group in by_source.items()}
