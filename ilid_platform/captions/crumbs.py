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
import re
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ilid_platform.captions.greek import greek_type
from ilid_platform.captions.heads import LABEL_WORDS, is_attribute
from ilid_platform.captions.language import (
    BY_SCRIPT,
    HEAD_LAST,
    OTHER_ALPHABET,
    OWN_SCRIPT,
    guess_language,
)
from ilid_platform.captions.lexicon import lexicon
from ilid_platform.captions.morphology import is_plural, russian_type, singular
from ilid_platform.captions.page_text import is_cjk, normalise
from ilid_platform.captions.part_type import HAS_DIGIT, fold

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


# A page that is its directory's own ("/productos/panel-x/index.html").
_INDEX_PAGE = re.compile(r"^(?:index|default)\.\w+$", re.IGNORECASE)
_SLUG_SPLIT = re.compile(r"[-_+.\s]+")


def url_listing(url: str) -> str:
    """The words of the directory a page's URL puts it in ("/d400-manhole-cover/qd-204.html"
    gives "manhole cover"): a catalog files a product under its category. Words with digits
    (sizes, load classes, codes) go; "" when the page sits at the root."""
    segments = [unquote(s) for s in urlsplit(url).path.split("/")]
    if segments and (not segments[-1] or _INDEX_PAGE.match(segments[-1])):
        segments = segments[:-1]  # "/x/" and "/x/index.html" are the page "x"
    if len(segments) < 3:  # "", the directory, the page
        return ""
    words = [w for w in _SLUG_SPLIT.split(segments[-2]) if w and not HAS_DIGIT.search(w)]
    return " ".join(words)


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
        own_script = OTHER_ALPHABET.search(text) or is_cjk(text)
        if language in OWN_SCRIPT and not own_script:
            continue  # a Latin crumb on a Russian, Greek or Chinese page names a brand or line
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
        # (a heading that joins two kinds, "Gaskets & Seals", lists more than one)
        # (and one that enumerates them, "Панно, филенки, фризы")
        joins = any(w.casefold() in ("&", "and", "und", "et", "y", "e", "и", "ve") for w in words)
        joins = joins or "," in written
        listing = not joins and is_plural(words, script if script in BY_SCRIPT else language)
        if language == "ru":
            words = russian_type(words, lambda word: not is_attribute(word))
        elif script == "el":  # (a Greek crumb over a name in Latin letters too)
            words = greek_type(words)
        elif language in HEAD_LAST:
            words[-1] = singular(words[-1], language)
        else:
            # a head-first noun keeps the lower-case words after it ("coffrets dégustation");
            # capitalised ones are a line's name ("Motores Enduro")
            rest = list(itertools.takewhile(lambda w: w[:1].islower(), words[1:]))
            words = [singular(words[0], language), *rest]
        return Crumb(fold(" ".join(words)), listing)
    return Crumb()
