"""What a product page's own text says: its real description (shop, theme and template text
removed) and the values it states in "Key: value" form or in its spec table.

A description is kept only when real text remains: sentences that hold shop or template cues
(cart, shipping, cookies, prices, contact, lorem ipsum, a theme's demo line, "you are here"
trails) are dropped, and so is text that only repeats the product's name, lists navigation
links or spec values. Nothing is ever made up: no text, no description.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from ilid_platform.captions.lexicon import lexicon

DESCRIPTION_WORDS = 30
# Text in scripts without spaces counts characters instead of words.
_CJK_CHARS = 80
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^\s\d,;])|(?<=[。！？；])")
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
_PUNCTUATION = re.compile(r"[.!?,;:。，；：]")
# Placeholder Latin of themes and templates: one such sentence makes the whole text filler.
_FILLER = re.compile(
    r"(?<!\w)(?:lorem|ipsum|dolor|amet|consectetur|adipiscing|pellentesque|vestibulum|donec"
    r"|aenean|mauris|morbi|tristique|senectus|malesuada|fames|egestas|feugiat|ultricies"
    r"|tempor|libero|placerat|eleifend|curabitur|vivamus|nullam|sed do eiusmod)(?!\w)",
    re.IGNORECASE,
)
# The least text, beyond the words of the name, that makes a description.
_MIN_NEW_WORDS = 4
_MIN_NEW_CJK_CHARS = 8


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(normalise(text)) if s.strip()]


def is_boilerplate(sentence: str) -> bool:
    return lexicon().boilerplate.search(sentence) is not None


def _mostly_figures(sentence: str) -> bool:
    """Spec rows run together ("Height: 6 cm Width: 42 cm ..."): numbers dominate."""
    words = sentence.split()
    return len(words) >= 3 and sum(bool(_DIGIT.search(w)) for w in words) / len(words) > 0.3


def _navigation_list(text: str) -> bool:
    """A run of capitalised link texts without a sentence in it (a sidebar of products)."""
    words = [w for w in text.split() if w[:1].isalpha()]
    if len(words) < 8 or _PUNCTUATION.search(text):
        return False
    return sum(w[0].isupper() for w in words) / len(words) >= 0.6


def _new_words(text: str, name: str) -> int:
    if is_cjk(text):
        return len(set(text) - set(name) - set(" ,.;:，。；：、"))
    known = {w.casefold() for w in _WORD.findall(name)}
    return len({w.casefold() for w in _WORD.findall(text)} - known)


def _cut(kept: list[str]) -> str:
    """Leading whole sentences within the word limit, or the first one cut to it."""
    if is_cjk(kept[0]):
        out = ""
        for sentence in kept:
            if out and len(out) + len(sentence) > _CJK_CHARS:
                break
            out += sentence
        return out[:_CJK_CHARS]
    chosen: list[str] = []
    for sentence in kept:
        if len(" ".join([*chosen, sentence]).split()) > DESCRIPTION_WORDS:
            break
        chosen.append(sentence)
    return " ".join(chosen) or " ".join(kept[0].split()[:DESCRIPTION_WORDS])


def real_description(
    text: str, name: str, trade_names: re.Pattern[str] | None = None
) -> str | None:
    """The page's own description in at most 30 words, or None when nothing real is left."""
    if len({m.group(0).casefold() for m in _FILLER.finditer(text)}) >= 3:
        return None
    kept = [s for s in sentences(text) if not is_boilerplate(s) and not _mostly_figures(s)]
    if trade_names is not None:
        kept = [" ".join(trade_names.sub(" ", s).split()) for s in kept]
    kept = [s.strip(" ,;:-–") for s in kept if _WORD.search(s)]
    if not kept:
        return None
    whole = " ".join(kept)
    if _navigation_list(whole) or _new_words(whole, name) < (
        _MIN_NEW_CJK_CHARS if is_cjk(whole) else _MIN_NEW_WORDS
    ):
        return None
    result = _cut(kept)
    return result[0].upper() + result[1:]


def real_text(text: str) -> str:
    """Every sentence of the page's text that is not shop or template text."""
    if len({m.group(0).casefold() for m in _FILLER.finditer(text)}) >= 3:
        return ""
    return " ".join(s for s in sentences(text) if not is_boilerplate(s))


def _key_pattern(field: str) -> str:
    return lexicon().keys[field]


def spec_value(specs: Mapping[str, str], field: str) -> str:
    """The value of the first spec row whose key states `field` (material, finish, colour,
    type, brand), e.g. "Werkstoff" or "Материал корпуса" for material."""
    key = re.compile(rf"(?:{_key_pattern(field)})", re.IGNORECASE)
    for name, value in specs.items():
        if value and key.fullmatch(normalise(name).strip(" :：").casefold()):
            return normalise(value)
    return ""


def stated_in_text(text: str, field: str) -> str:
    """The value of a "Key: value" statement in running text, e.g. "Product type: Drill"; it
    ends at a sentence end, the next "Key:" or a number."""
    pattern = re.compile(
        rf"(?<!\w)(?:{_key_pattern(field)})\s*[:：]\s*"
        r"(?P<value>[^\d.;:。；：\n]+?)(?=\s*$|\s*[\d.;。；\n]|\s+[\w-]+\s*[:：])",
        re.IGNORECASE,
    )
    match = pattern.search(normalise(text))
    return match.group("value").strip(" ,-") if match else ""
