"""What one catalog's product pages share, read from all of them before any is captioned.

A page's own text is what the site does not repeat. A sentence that several products'
descriptions hold (the shop's template text, a company blurb, a list of other products, text
copied from another product) says nothing about any one of them: it is never a description and
never states a material. And a word that opens nearly every product name of a site whose names
put their head last ("Gain stirrer", "Gain pump", "Woo single") is the site's brand or line,
not part of a product type.

Sentences are compared with their numbers blanked, so spec lines that differ only in sizes
("Size: 390x90x190 mm") count as the same text.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
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


def sentence_key(sentence: str) -> str:
    """A sentence as compared across pages: case, spacing and numbers do not count."""
    return _DIGITS.sub("0", normalise(sentence).casefold()).strip(" .,;:!?。")


@dataclass(frozen=True)
class SiteText:
    """The text and name words one source's products share (see the module docstring)."""

    repeated: frozenset[str] = frozenset()
    """`sentence_key`s of sentences found in the descriptions of `REPEATED_ON` or more
    products."""
    leading_words: frozenset[str] = frozenset()
    """Case-folded words that open nearly every product name of the site."""

    def is_repeated(self, sentence: str) -> bool:
        return sentence_key(sentence) in self.repeated

    def digest(self) -> str:
        payload = "\n".join([*sorted(self.repeated), "--", *sorted(self.leading_words)])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]


EMPTY = SiteText()


def read_site(products: Iterable[ProductText]) -> SiteText:
    """The shared sentences and leading name words of one source's products."""
    products = list(products)
    counts: Counter[str] = Counter()
    for product in products:
        counts.update({sentence_key(s) for s in sentences(product.description)} - {""})
    repeated = frozenset(key for key, count in counts.items() if count >= REPEATED_ON)
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
    return SiteText(repeated=repeated, leading_words=leading)


def read_sites(products: Iterable[ProductText]) -> dict[str, SiteText]:
    """`read_site` per source."""
    by_source: dict[str, list[ProductText]] = {}
    for product in products:
        by_source.setdefault(product.source, []).append(product)
    return {source: read_site(group) for source, group in by_source.items()}
