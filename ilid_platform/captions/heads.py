"""The head noun phrase of a name's words, by its language's word order.

English, Dutch and Turkish put the head last and qualify it before ("air drill hose"), German
compounds carry their qualifier ("Motivmaske"), Chinese is read per word (jieba's segmentation:
"压盖式伸缩接头" gives "伸缩接头"); Romance and Slavic languages, Greek, Arabic, Hebrew,
Vietnamese and Indonesian put it first and qualify it after ("válvula de cuadrante",
"задвижка клиновая"). `part_type.head_phrase` picks the words, these rules the head.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable

from ilid_platform.captions.greek import greek_type
from ilid_platform.captions.lexicon import lexicon
from ilid_platform.captions.morphology import (
    is_agent_noun,
    is_english,
    is_noun_only,
    russian_type,
    singular,
    vietnamese_type,
    west_slavic_adjective_and_noun,
)

LABEL_WORDS = 4
# Words that link a Romance head noun to its qualifier ("válvula de cuadrante").
LINKS = frozenset({"de", "du", "des", "da", "do", "di", "del", "della", "a", "à"})


def is_attribute(word: str) -> bool:
    """A material, finish or colour word: a property of the product, not its kind."""
    lex = lexicon()
    return any(v.find(word) for v in (lex.materials, lex.finishes, lex.colours))


@functools.cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def cjk_words(text: str) -> list[str]:
    """Chinese text cut into words (jieba's segmentation), spaces dropped."""
    return [w for w in _jieba().lcut(text.replace(" ", "")) if w.strip()]


_SHORT_ZH = 7


def head_zh(phrase: str) -> str:
    words = cjk_words(phrase)
    # a material before the kind is dropped while the kind keeps three characters ("水泥盖板"
    # stays whole, "不锈钢伸缩接头" gives "伸缩接头")
    whole = len(words)
    while len(words) > 1 and is_attribute(words[0]) and len("".join(words[1:])) >= 3:
        words.pop(0)
    if not words:
        return ""
    # a short name with no material is the kind itself, its qualifier included ("二氧化氯发生器",
    # "直饮水成套设备"): only a long one has a marketing or use prefix to cut
    if len(words) == whole and len("".join(words)) <= _SHORT_ZH:
        return "".join(words)
    if len(words[-1]) >= 3 or len(words) == 1:
        return words[-1]
    return "".join(words[-2:])


# English words that trail a name's head noun as attributes ("Power Supply Internal",
# "Laser Projector Compact"): known ones and adjectives by their suffix ("programmable").
_TRAILING_ATTRIBUTE = re.compile(
    r"^(?:internal|external|analog|analogue|digital|original|new|replacement|universal"
    r"|compatible|genuine|oem|used|refurbished|portable|electric|electrical|manual|automatic"
    r"|mini|pro|plus|max|lite|compact|indoor|outdoor|wireless|cordless|waterproof"
    r"|\w{3,}(?:able|ible|ous|less|ful))$",
    re.IGNORECASE,
)
GENERIC_LAST = re.compile(r"^(?:machine|machinery|unit|equipment|device)$", re.IGNORECASE)
# English adjectives and gerunds by their ending ("acoustic", "crimping", "domestic").
ADJECTIVE_EN = re.compile(r"(?:ic|al|ing|ous|ive|ary|ed|ful|less|able|ible)$", re.IGNORECASE)
AND_WORDS = frozenset({"&", "and", "und", "et", "y", "e", "ve", "i", "и", "và"})
# Marketing words that say nothing about the kind of product.
_MARKETING = re.compile(
    r"^(?:premium|professional|pro|new|original|genuine|official|quality|high-quality|classic"
    r"|best|economic|economy|ekonomik|standard|standart|normal|special|özel|super|süper)$",
    re.IGNORECASE,
)


def qualifies(word: str, language: str) -> bool:
    """An adjective or gerund (German: a word in lower case)."""
    if language == "de":
        return word[:1].islower()
    return language == "en" and ADJECTIVE_EN.search(word) is not None


def _said(words: list[str], said: Callable[[str], bool]) -> bool:
    return said(" ".join(w.casefold() for w in words))


def head_last(
    words: list[str], language: str, said: Callable[[str], bool], joined: bool = False
) -> list[str]:
    """English: the last two words, or the last three or four where the page or its site
    uses them as one phrase beyond this name (`said`); German: the last word (its compounds
    carry the qualifier), its hyphenated tail."""
    if language == "de":
        return [singular(words[-1].split("-")[-1], language)]
    while len(words) > 1 and _TRAILING_ATTRIBUTE.match(words[-1]):
        words = words[:-1]
    # "Hydraulic Press Machine", "Remote Controller Unit": a generic last word after a noun
    # that already names the kind ("Crimping Machine" keeps it: a gerund names no kind)
    if len(words) > 2 and GENERIC_LAST.match(words[-1]) and not ADJECTIVE_EN.search(words[-2]):
        words = words[:-1]
    words = [w for w in words[:-1] if not _MARKETING.match(w)] + words[-1:]
    keep = next((words[-k:] for k in (4, 3) if len(words) >= k and _said(words[-k:], said)), [])
    # a name of three words is one compound ("Fluid Bed Dryer", "Hot Air Generator", "Quick
    # Release Coupling"), except after an adjective by its ending ("Industrial RO System" is
    # an RO system) or a word the dictionary does not know ("Sipper Aviation Hose": a line's
    # name) unless the page's text uses it, or where "Oil & Petroleum Hose" joins two kinds
    first = words[0] if len(words) == 3 else ""
    if not keep and language == "en" and first and not ADJECTIVE_EN.search(first.rstrip("ing")):
        known = is_noun_only(first) or (is_english(first) and not ADJECTIVE_EN.search(first))
        keep = words if said(first) or (known and not joined) else []
    if not keep and language == "tr" and len(words) == 3 and _TR_COMPOUND.search(words[-1]):
        # a Turkish compound marks its head with a possessive ("Hızlı Geçiş Turnikeleri",
        # "Şarj Kontrol Cihazları"): the words before it are one chain of qualifiers
        keep = words
    if not keep and language == "tr" and not _TR_COMPOUND.search(words[-1]):
        # a bare Turkish head is qualified by an adjective ("Aynalı Kol", "Elektronik Kol");
        # a noun before it that makes no compound is a brand or a line ("Tommatech İnvertörler")
        adjective = len(words) > 1 and _TR_ADJECTIVE.search(words[-2].casefold()) is not None
        keep = words[-2:] if adjective else words[-1:]
    keep = keep or words[-2:]
    if language == "en":
        keep = _whole_modifier(words, keep)
    keep = [w for w in keep[:-1] if not is_attribute(w)] + keep[-1:]
    return [*keep[:-1], singular(keep[-1], language)]


# A Turkish compound's head: a possessive ending, singular or plural ("kanalı", "turnikeleri").
_TR_COMPOUND = re.compile(r"(?:s?[ıiuü]|l[ae]r[ıi])$", re.IGNORECASE)
# Endings of Turkish adjectives: "-li" (with), "-siz" (without), "-ik", "-sel", "-ci", "-in".
_TR_ADJECTIVE = re.compile(r"(?:l[ıiuü]|s[ıiuü]z|[ıiuü]k|s[ae]l|[cç][ıiuü])$")

# Particles that join the words of a compound modifier ("Cross Over Bench", "Drop On Demand
# Printer"): a type never starts at one or right after one.
_PARTICLES = frozenset({"over", "on", "off", "up", "out", "down", "through", "by", "to"})


def _whole_modifier(words: list[str], keep: list[str]) -> list[str]:
    """The type widened to the whole of its modifier: across particles ("cross over bench"),
    and to the noun before an agent noun, which that noun's own object qualifies ("Plate Heat
    Exchanger Gasket" is a heat exchanger's gasket, not an "exchanger gasket")."""
    start = len(words) - len(keep)
    while start > 0 and len(words) - start < LABEL_WORDS:
        first, before = words[start].casefold(), words[start - 1].casefold()
        particle = first in _PARTICLES or before in _PARTICLES
        agent = len(words) - start == 2 and is_agent_noun(first) and is_noun_only(before)
        if not particle and not agent:
            break
        start -= 1
    return words[start:]


def _before_a_proper_name(words: list[str]) -> list[str]:
    """A name in sentence case ("Máy chiếu Panasonic") ends its type where a capitalised word
    follows a lower-case one: the brand or model."""
    seen_lower = False
    for index, word in enumerate(words[1:], start=1):
        if word[:1].islower() and word.casefold() not in LINKS:
            seen_lower = True
        elif seen_lower and word[:1].isupper() and not word.isupper():
            return words[:index]
    return words


_WEST_SLAVIC = ("cs", "sk", "pl")
# Prepositions that link a West Slavic noun to its use ("Boudy pro telata", "Cisterna na kejdu").
_SLAVIC_LINKS = frozenset({"pro", "na", "do", "dla"})


def head_first(words: list[str], language: str, text: str = "") -> list[str]:
    """Romance and Slavic languages, Vietnamese, Indonesian: the first noun with one
    qualifier."""
    packs = lexicon().packs
    if len(words) > 1 and words[0].casefold() in packs and language != "ru":
        words = words[1:]
    words = _before_a_proper_name(words)
    if language == "ru":
        return russian_type(words, lambda word: not is_attribute(word))
    if language == "el":
        return greek_type(words)
    if language in ("ar", "he"):  # a noun and the noun or adjective that qualifies it
        return words[:2]
    if language == "vi":
        return vietnamese_type(words, text)
    if language == "id":  # a noun qualified by the next word ("panci kukus"), not a material
        return words[:2] if len(words) > 1 and not is_attribute(words[1]) else words[:1]
    if language in _WEST_SLAVIC:
        agreed = west_slavic_adjective_and_noun(words, language)
        if agreed and not is_attribute(words[0]):
            return agreed
    head = [singular(words[0], language)]
    rest = words[1:]
    links = _SLAVIC_LINKS if language in _WEST_SLAVIC else LINKS
    # a name in title case ("Torres de Iluminación") capitalises its common nouns too
    titled = all(w[:1].isupper() for w in words if w.casefold() not in links)
    if rest and rest[0].casefold() in links and len(rest) > 1:
        # "válvula de cuadrante", "casco de seguridad": an adjective or a common noun (lower
        # case, no material) after the link names the kind with it
        common = rest[1][:1].islower() or titled
        if _is_qualifier(rest[1]) or (common and not is_attribute(rest[1])):
            head += rest[:2]
    elif rest and _is_qualifier(rest[0]):
        # the adjective agrees with its noun: singular with it ("Generadores Insonorizados")
        plural = head[0] != words[0]
        head.append(singular(rest[0], language) if plural else rest[0])
    return head


# Endings of Romance adjectives: a noun or a line name after the head ("Motores Enduro",
# "Luminária Painel") qualifies nothing.
_ROMANCE_ADJECTIVE = re.compile(
    r"(?:al|ale|ile|ar|ic[oa]|ad[oa]|id[oa]|ble|nte|os[oa]|iv[oa]|ari[oa]|an[oa]|in[oa]|ense|és|esa"
    r"|eur|euse|if|ive|aire|ique|é|ée|it[oa]|at[oa]|e[nñ]s?[oa]|ur[oa]|er[oa]|ient|ial)s?$"
)


def _is_qualifier(word: str) -> bool:
    """A word that can qualify a Romance head noun: an adjective by its ending, not a
    material or colour."""
    folded = word.casefold()
    if _PREFIXED_QUALIFIER.match(folded):  # "máscara antigases", "extintor multipropósito"
        return not is_attribute(word)
    return not is_attribute(word) and _ROMANCE_ADJECTIVE.search(folded) is not None


def before_its_noun(words: list[str]) -> bool:
    """A Romance adjective in lower case before a noun that a link qualifies ("móvil unidad
    de desalinización"): the noun is the head, not the adjective."""
    first, second, third = (w.casefold() for w in words[:3])
    adjective = re.search(r"(?:il|ble|ante|ente|ivo|iva|eño|eña)$", first) is not None
    return adjective and words[0][:1].islower() and third in LINKS and not is_attribute(second)


# Words formed with a prefix of purpose, which qualify the noun before them.
_PREFIXED_QUALIFIER = re.compile(r"^(?:anti|multi)\w{3,}$")
