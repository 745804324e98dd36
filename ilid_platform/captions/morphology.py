"""Base forms of product-type words: a plural type becomes singular ("knives" gives "knife",
"шаровые краны" "шаровой кран").

English and Russian use dictionaries shipped in their wheels (lemminflect, pymorphy3 with
pymorphy3-dicts-ru): regular endings get "knives", "canvas" or "камни" wrong. German and the
Romance languages fall back on their regular plural endings.

Russian names put the noun first or after its adjectives ("Клапаны запорные", "Шаровые
краны"); `russian_type` finds the noun by its part of speech and keeps the one adjective that
qualifies it, in the singular nominative, agreeing with the noun.
"""

from __future__ import annotations

import functools
import re

from ilid_platform.captions.greek import greek_singular
from ilid_platform.captions.language import CYRILLIC
from ilid_platform.captions.lexicon import lexicon

_ADJECTIVE = frozenset({"ADJF", "PRTF"})
# A noun that opens a name and holds another ("набор ключей"): the held noun follows as is.
_HOLDS = ("набор", "комплект", "блок", "модуль", "система")


@functools.cache
def _english():
    import lemminflect

    return lemminflect


@functools.cache
def _russian():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def singular(word: str, language: str) -> str:
    """A plural head word's singular; other words as they are."""
    lower = word.casefold()
    if word.upper() in lexicon().acronyms:  # "UPS", "GPS": an acronym's S is no plural
        return word
    if lower in lexicon().plural_only:  # "gafas", "supplies": the kind's only name
        return word
    if language == "en":
        if not re.fullmatch(r"[a-z][a-z'-]*", lower) or not lower.endswith("s"):
            return word
        if lower.endswith("ies") and not _english().getAllLemmas(lower):
            return word[:-1]  # a word the dictionary lacks: "hoodies", "beanies" (not "-y")
        lemmas = _english().getLemma(lower, upos="NOUN")
        return lemmas[0] if lemmas else word
    if language == "ru":
        if not CYRILLIC.search(word):
            return word
        parse = _russian().parse(lower)[0]
        if "NOUN" in parse.tag and "plur" in parse.tag and "Pltm" not in parse.tag:
            form = parse.inflect({"sing", "nomn"})
            return form.word if form else word
        return word
    if language == "de":
        if len(lower) > 5 and re.search(r"[^e]en$", lower) and lower[-3] in "kgbptsz":
            return word[:-1]
        if lower.endswith("s") and len(lower) > 4 and not lower.endswith(("ss", "ens")):
            return word[:-1]
    elif language == "tr":
        return _turkish_singular(word)
    elif language == "el":
        return greek_singular(word)
    elif language in ("cs", "sk", "pl"):
        # the regular plurals of West Slavic nouns of agents and instruments: "separátory",
        # "kompresory" (-or), "míchadla", "čerpadla" (-dlo)
        if re.search(r"[ts]ory$", lower):
            return word[:-1]
        if re.search(r"d[lł]a$", lower):
            return word[:-1] + "o"
    elif language in ("fr", "es", "pt", "it"):
        if language == "pt" and lower.endswith("ões"):
            return word[:-3] + "ão"
        if language == "es" and re.search(r"[aeiouáéíóú][rnld]es$", lower):
            return word[:-2]
        if len(lower) > 3 and lower[-1] in "sx" and not lower.endswith("ss"):
            return word[:-1]
    return word


def is_english(word: str) -> bool:
    """Whether the English dictionary knows a word, in any form ("tools", "coolant")."""
    return bool(_english().getAllLemmas(word.casefold()))


def is_agent_noun(word: str) -> bool:
    """An English noun of one who or that which does a verb ("exchanger", "heater",
    "compressor", "cutter"), which a noun before it takes as its object ("heat exchanger");
    not "power" or "water"."""
    lower = word.casefold()
    match = re.fullmatch(r"([a-z]{2,}?)(e?)(?:er|or)", lower)
    if not match:
        return False
    stem = match.group(1)
    stems = {stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem}
    return any("VERB" in _english().getAllLemmas(s) for s in stems)


def is_noun_only(word: str) -> bool:
    """An English word the dictionary knows as a noun (or verb), never as an adjective ("air",
    "pressure"; not "industrial", "double", nor an unknown word)."""
    lemmas = _english().getAllLemmas(word.casefold())
    return "NOUN" in lemmas and "ADJ" not in lemmas


# Languages whose nouns show no number: every heading may list one kind.
_NO_PLURAL = frozenset({"zh", "ko", "vi", "ja"})
_HEAD_FIRST_PLURAL = frozenset({"fr", "es", "pt", "it", "el"})


def is_plural(words: list[str], language: str) -> bool:
    """Whether a heading's noun is written in the plural ("Hoodies", "Bouteilles de vin",
    "Задвижки"); True in languages that do not mark number."""
    if not words or language in _NO_PLURAL:
        return True
    if language == "ru":
        parses = [_Word(w).parse for w in words]
        nouns = [p for p in parses if p is not None and _is_noun(p)]
        noun = next((p for p in nouns if "nomn" in p.tag), nouns[0] if nouns else None)
        return noun is not None and ("plur" in noun.tag or "Pltm" in noun.tag)
    head = words[0] if language in _HEAD_FIRST_PLURAL else words[-1]
    return singular(head, language).casefold() != head.casefold()


_TR_VOWELS = "aıoueiöü"
# The possessive ending by the stem's last vowel (vowel harmony): "kanal" gives "kanalı".
_TR_POSSESSIVE = {"a": "ı", "ı": "ı", "o": "u", "u": "u", "e": "i", "i": "i", "ö": "ü", "ü": "ü"}
_TR_SOFT = {"k": "ğ", "p": "b", "ç": "c"}


def _turkish_singular(word: str) -> str:
    """A Turkish plural head word's singular: "-lar"/"-ler" goes; a compound's plural
    possessive ("kablo kanalları", "topraklama çubukları") becomes the singular one ("kanalı",
    "çubuğu"), the stem's last consonant softened as Turkish does."""
    lower = word.replace("I", "ı").replace("İ", "i").casefold()  # Turkish capitals
    match = re.fullmatch(r"(\w{2,}?)(?:lar|ler)([ıi])?", lower)
    if not match:
        return word
    stem, possessive = match.groups()
    if not possessive:
        return stem
    vowel = next((c for c in reversed(stem) if c in _TR_VOWELS), "a")
    ending = _TR_POSSESSIVE[vowel]
    if stem[-1] in _TR_VOWELS:
        return f"{stem}s{ending}"
    if stem[-1] in _TR_SOFT and len(stem) > 3:
        stem = stem[:-1] + _TR_SOFT[stem[-1]]
    return stem + ending


# Nouns that are no product's kind: names, places, abbreviations, indeclinable prefixes
# ("мини", "электро").
_NOT_A_KIND = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr", "Fixd"})


def _is_noun(parse) -> bool:
    return "NOUN" in parse.tag and not _NOT_A_KIND & set(parse.tag.grammemes)


class _Word:
    """A Russian word parsed by its last hyphenated part ("мини-кассета" is a кассета)."""

    def __init__(self, text: str) -> None:
        self.text = text.casefold()
        self.stem, _, tail = self.text.rpartition("-")
        self.parses = _russian().parse(tail or self.text) if CYRILLIC.search(text) else []
        self.parse = self.parses[0] if self.parses else None

    def form(self, grammemes: set[str]) -> str:
        """The word in these grammemes (a form already in them kept as written), ё as the
        page writes it."""
        if self.parse is None or any(grammemes <= set(p.tag.grammemes) for p in self.parses):
            return self.text
        inflected = self.parse.inflect(grammemes)
        if inflected is None:
            return self.text
        word = inflected.word if "ё" in self.text else inflected.word.replace("ё", "е")
        return f"{self.stem}-{word}" if self.stem else word


def russian_type(words: list[str], keep_adjective=lambda word: True) -> list[str]:
    """The noun of a Russian name with one qualifying adjective: the one right before it, else
    the first after it ("клапан стальной запорный" gives "клапан запорный" when
    `keep_adjective` refuses materials); singular nominative, the adjective agreeing. Latin
    words are models or brands, not the noun."""
    parsed = [_Word(w) for w in words]
    nouns = [i for i, w in enumerate(parsed) if w.parse is not None and _is_noun(w.parse)]
    nominative = [i for i in nouns if "nomn" in parsed[i].parse.tag]
    if not nouns:
        return words[:1]
    index = (nominative or nouns)[0]
    noun = parsed[index]
    plural_only = "Pltm" in noun.parse.tag
    number = "plur" if plural_only else "sing"
    gender = next((g for g in ("masc", "femn", "neut") if g in noun.parse.tag), None)
    agree = {number, "nomn", *([gender] if gender and not plural_only else [])}
    noun_form = noun.form({number, "nomn"})
    after = parsed[index + 1 :]
    if noun.parse.normal_form in _HOLDS and after and after[0].parse and _is_noun(after[0].parse):
        return [noun_form, after[0].text]

    def adjective(word: _Word) -> bool:
        return word.parse is not None and word.parse.tag.POS in _ADJECTIVE

    def nominative(word: _Word) -> bool:
        """An adjective after the noun agrees with it, in the nominative; one in another case
        qualifies a noun in the genitive ("Мармит вторых блюд": a мармит for second courses)."""
        return any(p.tag.POS in _ADJECTIVE and p.tag.case == "nomn" for p in word.parses)

    if index > 0 and adjective(parsed[index - 1]) and keep_adjective(parsed[index - 1].text):
        return [parsed[index - 1].form(agree), noun_form]
    for word in after:
        if not adjective(word) or not nominative(word):
            break
        if keep_adjective(word.text):
            return [noun_form, word.form(agree)]
    return [noun_form]


# A hard Czech or Slovak adjective's ending ("Elektrická", "traktorové", "stájový").
_CS_ADJECTIVE = re.compile(r"(?<=\w{3})[áéý]$")


def west_slavic_adjective_and_noun(words: list[str], language: str) -> list[str]:
    """A Czech or Slovak adjective before its noun ("Elektrická míchadla"): the noun in the
    singular and the adjective agreeing with it, by the noun's ending ("elektrické míchadlo":
    -o neuter, -a feminine, else masculine)."""
    if language == "pl" or len(words) < 2 or not _CS_ADJECTIVE.search(words[0].casefold()):
        return []
    if _CS_ADJECTIVE.search(words[1].casefold()):
        return []
    noun = singular(words[1], language)
    if noun == words[1] and not noun.casefold().endswith(("o", "a")):
        return []  # a noun that is not seen to be singular: leave the words as they are
    ending = {"o": "é", "a": "á"}.get(noun.casefold()[-1], "ý")
    return [words[0][:-1] + ending, noun]


def vietnamese_type(words: list[str], text: str) -> list[str]:
    """A Vietnamese type in whole words, though its syllables are spaced like words: three
    syllables ("máy xúc đào"), or four where the third and fourth are one word ("chuông cửa
    màn hình", "thiết bị định vị"): the text uses them together after another syllable."""
    if len(words) < 4:
        return words
    pair = rf"(\w+)\s+{re.escape(words[2])}\s+{re.escape(words[3])}(?!\w)"
    before = {m.group(1).casefold() for m in re.finditer(pair, text, re.IGNORECASE)}
    return words[:4] if before - {words[1].casefold()} else words[:3]
