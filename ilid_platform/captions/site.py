"""What one catalog's product pages share, read from all of them before any is captioned.

A page's own text is what the site does not repeat. A sentence that several products'
descriptions hold (the shop's template text, a company blurb, a list of other products, text
copied from another product) says nothing about any one of them: it is never a description and
never states a material. And a word that opens nearly every product name of a site whose names
put their head last ("Gain stirrer", "Gain pump", "Woo single") is the site's brand or line,
not part of a product type.

Sentences are compared with their numbers blanked, so spec lines that differ only in sizes
("Size: 390x90x190 mm") count as the same text.

The site's texts also tell which longer phrases of a name are a kind of product the site
speaks of: "pressure reducing valve" in other products' descriptions makes that a type of
three words, where "sipper aviation hose", said nowhere else, is an "aviation hose".
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ilid_platform.captions.page_text import normalise, sentences
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
    phrases: frozenset[str] = frozenset()
    """`phrase_key`s of the names' three- and four-word runs that the descriptions of two or
    more products use in prose (each without its own name)."""
    home: frozenset[str] = frozenset()
    """Case-folded breadcrumbs that open nearly every trail of the site (before more crumbs):
    its home link, whatever it is called ("Home", "Главная", the company's name)."""

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
        """`name` without the site's leading word, unless that is all of it."""
        words = name.split()
        if len(words) > 1 and words[0].casefold().strip(",;:") in self.leading_words:
            return " ".join(words[1:])
        return name

    def digest(self) -> str:
        parts = (self.repeated, self.sitewide, self.leading_words, self.phrases, self.home)
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
        phrases=said,
        home=_home(products),
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
