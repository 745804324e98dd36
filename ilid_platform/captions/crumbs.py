"""The kind of product a page's breadcrumbs (or its stated category) name.

The most specific crumb that is no navigation ("Home", "Каталог", the site's own name that
opens every trail: `site.SiteText.home`), no brand on a page in another script, not the
product's own name and not a generic heading ("Accessories") names the kind, in its base form.

Whether it is written in the plural matters: a listing titled in the plural ("Hoodies", "Nos
bouteilles de vin", "Задвижки") holds products of that one kind, while a singular heading in a
language that marks the plural ("Drip Irrigation", "Трубопроводная арматура") may name a field
of use that holds valves, filters and gauges alike, and so does not outweigh what the
product's own name says.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from dataclasses import dataclass

from ilid_platform.captions.language import BY_SCRIPT, CYRILLIC, HEAD_LAST, guess_language
from ilid_platform.captions.lexicon import lexicon
from ilid_platform.captions.morphology import is_plural, russian_type, singular
from ilid_platform.captions.page_text import is_cjk, normalise
from ilid_platform.captions.part_type import HAS_DIGIT, LABEL_WORDS, is_attribute

_DETERMINERS = frozenset(
    {"nos", "notre", "our", "all", "the", "les", "unsere", "alle", "nuestros", "nuestras",
     "todos", "nossos", "наши", "все"}
)  # fmt: skip
_GENERIC = frozenset(
    {"accessories", "accessory", "spares", "spare parts", "parts", "other", "others", "misc",
     "zubehör", "ersatzteile", "accessoire", "accessoires", "pièces détachées", "accesorios",
     "repuestos", "acessórios", "аксессуары", "запчасти", "комплектующие", "разное", "配件",
     "phụ kiện", "products", "new arrivals", "featured", "sale", "uncategorized", "series",
     "serie", "série", "серия", "model", "модель", "系列"}
)  # fmt: skip


@dataclass(frozen=True)
class Crumb:
    kind: str = ""
    """The crumb's product type, singular, lower case ("" when no crumb names one)."""
    listing: bool = False
    """Written in the plural, or in a language that does not mark it: a listing of one kind."""


def crumb_type(
    crumbs: tuple[str, ...], name: str, language: str, home: Collection[str] = ()
) -> Crumb:
    """The most specific breadcrumb that names a kind of product; `home` holds the site's
    trail openers (case-folded)."""
    lex = lexicon()
    name_key = normalise(name).casefold()
    for crumb in reversed(crumbs):
        written = normalise(crumb).strip(" />»›|")
        text = written.casefold()
        if not text or text in lex.navigation or text in home or text == name_key:
            continue
        if language in ("ru", "zh", "ko") and not (CYRILLIC.search(text) or is_cjk(text)):
            continue  # a Latin crumb on a Russian or Chinese page names a brand or line
        if name_key.startswith(text) or text.startswith(name_key):
            continue
        # a category titled with a figure ("Motores Enduro 2 Tiempos") up to the figure
        written = HAS_DIGIT.split(written)[0].strip()
        words = written.split()
        while words and words[0].casefold() in _DETERMINERS:
            words = words[1:]
        text = " ".join(words).casefold()
        if not words or text in _GENERIC or len(words) > LABEL_WORDS:
            continue
        # a crumb in a script of its own (Vietnamese on a page named in Latin) has its own
        script = guess_language(text)
        listing = is_plural(words, script if script in BY_SCRIPT else language)
        if language == "ru":
            words = russian_type(words, lambda word: not is_attribute(word))
        elif language in HEAD_LAST:
            words[-1] = singular(words[-1], language)
        else:
            # a head-first noun keeps the lower-case words after it ("coffrets dégustation");
            # capitalised ones are a line's name ("Motores Enduro")
            rest = list(itertools.takewhile(lambda w: w[:1].islower(), words[1:]))
            words = [singular(words[0], language), *rest]
        return Crumb(" ".join(words).casefold(), listing)
    return Crumb()
