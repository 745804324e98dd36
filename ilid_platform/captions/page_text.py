"""What a product page's own text says: its real description (shop, theme and template text
removed) and the values it states in "Key: value" form or in its spec table.

A description is kept only when real text remains: sentences that hold shop or template cues
(cart, shipping, cookies, prices, contact, lorem ipsum, a theme's demo line, "you are here"
trails) are dropped, and so are sentences the site repeats on other products' pages (`site`),
spec lines ("Size: … Weight: …") and text that only repeats the product's name or lists
navigation links. A block that is mostly shop text is no description at all. Nothing is ever
made up: no text, no description.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ilid_platform.captions.lexicon import lexicon

if TYPE_CHECKING:
    from ilid_platform.captions.site import SiteText

DESCRIPTION_WORDS = 30
# Text in scripts without spaces counts characters instead of words.
_CJK_CHARS = 80
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# Sentence ends, and the items of an enumeration ("1) Glass, 2) Walls").
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^\s\d,;])|(?<=[。！？；])|\s+(?=\d{1,2}\)\s)")
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
# A spaced ellipsis: where a search or keyword excerpt was cut.
_SNIPPET = re.compile(r"\s(?:…|\.\.\.)(?=\s|$)")
# The least text, beyond the words of the name, that makes a description.
_MIN_NEW_WORDS = 4
_MIN_NEW_CJK_CHARS = 8


# Latin letters that look like Cyrillic ones, typed by mistake inside Russian words ("беcшовные"
# with a Latin c): a word mostly in Cyrillic is read as Cyrillic throughout.
_LOOKALIKES = str.maketrans("aceopxyACEHKMOPTXB", "асеорхуАСЕНКМОРТХВ")
_MIXED_WORD = re.compile(r"\w*[\u0400-\u04ff]\w*")
_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _cyrillic_word(match: re.Match[str]) -> str:
    word = match.group(0)
    latin = len(_LATIN.findall(word))
    return word.translate(_LOOKALIKES) if 0 < latin < len(_CYRILLIC.findall(word)) else word


def normalise(text: str) -> str:
    """NFKC, single spaces, and Russian words free of Latin lookalike letters."""
    text = " ".join(unicodedata.normalize("NFKC", text or "").split())
    return _MIXED_WORD.sub(_cyrillic_word, text) if _LATIN.search(text) else text


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


# A full stop glued to the next sentence's capitalised word, where the page's markup joined
# two paragraphs ("… người Pháp.Mẫu cơ …"); "U.S.", "e.g." and "Authorize.Net , …" (a
# domain: no word follows it) stay whole.
_GLUED_STOP = re.compile(r"(?<=[^\W\d_]{2})\.(?=[^\W\d_]{2,} [^\W\d_])")


def _unglued(match: re.Match[str]) -> str:
    text, end = match.string, match.end()
    glued = text[match.start() - 1].islower() and text[end].isupper() and text[end + 1].islower()
    return ". " if glued else "."


def sentences(text: str) -> list[str]:
    text = _GLUED_STOP.sub(_unglued, normalise(text))
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def is_boilerplate(sentence: str) -> bool:
    return lexicon().boilerplate.search(sentence) is not None


# "Key: value" pairs; two in one sentence make it a spec line, not prose.
_KEY_VALUE = re.compile(r"(?<=\w)\s*[:：]\s*(?=\S)")
# A block whose text is mostly shop sentences is a shop block (a footer of payment and
# shipping links), whatever real-looking words are left in it.
_SHOP_BLOCK_SHARE = 0.6


_KEY_FIGURE = re.compile(r"\w\s*[:：]\s*[\d±~<>≤≥]")


def _spec_line(sentence: str) -> bool:
    """Two "Key: value" pairs, or a key with a figure ("Size: 390x90 mm")."""
    return len(_KEY_VALUE.findall(sentence)) >= 2 or _KEY_FIGURE.search(sentence) is not None


def _own_sentences(text: str, site: SiteText | None) -> list[str]:
    """The text's sentences that are neither shop/template text nor repeated by the site."""
    return [
        s
        for s in sentences(text)
        if not is_boilerplate(s) and (site is None or not site.is_repeated(s))
    ]


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


def _no_real_text(text: str) -> bool:
    """Theme filler (three placeholder Latin words), or a list of cut excerpts ("Bearings,
    V Belts ... Flex Coupling ...")."""
    filler = len({m.group(0).casefold() for m in _FILLER.finditer(text)}) >= 3
    return filler or len(_SNIPPET.findall(text)) >= 2


def real_description(
    text: str,
    name: str,
    trade_names: re.Pattern[str] | None = None,
    site: SiteText | None = None,
) -> str | None:
    """The page's own description in at most 30 words, or None when nothing real is left."""
    if _no_real_text(text):
        return None
    shop = sum(len(s) for s in sentences(text) if is_boilerplate(s))
    if shop >= _SHOP_BLOCK_SHARE * max(1, len(normalise(text))):
        return None
    kept = [s for s in _own_sentences(text, site) if not _mostly_figures(s) and not _spec_line(s)]
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


def real_text(text: str, site: SiteText | None = None) -> str:
    """Every sentence of the page's text that is neither shop or template text nor repeated
    on other products' pages of the site."""
    return "" if _no_real_text(text) else " ".join(_own_sentences(text, site))


def _key_pattern(field: str) -> str:
    return lexicon().keys[field]


def spec_value(specs: Mapping[str, str], field: str, of_a_part: bool = False) -> str:
    """The value of the first spec row whose key states `field` (material, finish, colour,
    type, brand), e.g. "Werkstoff" or "Материал корпуса" for material. With `of_a_part`, a
    key that names the field of a part ("Handle Material", "Material de la propela") counts
    where no row states the field alone."""
    key = re.compile(rf"(?:{_key_pattern(field)})", re.IGNORECASE)
    part = re.compile(rf"(?<!\w)(?:{_key_pattern(field)})(?!\w)", re.IGNORECASE)
    keys = {name: normalise(name).strip(" :：").casefold() for name, value in specs.items()}
    for name, value in specs.items():
        if value and key.fullmatch(keys[name]):
            return normalise(value)
    if of_a_part:
        for name, value in specs.items():
            if value and len(keys[name].split()) <= 4 and part.search(keys[name]):
                return normalise(value)
    return ""


def stated_in_text(text: str, field: str, codes: bool = False) -> str:
    """The value of a "Key: value" statement in running text, e.g. "Product type: Drill"; it
    ends at a sentence end, the next "Key:" or a number. With `codes`, numbers belong to the
    value ("Materials: CF8M, WCB") and a key may name a part ("Material der Maske: …")."""
    value = r"[^.;:。；：\n]+?" if codes else r"[^\d.;:。；：\n]+?"
    end = (
        r"(?=\s*$|\.\s|\.$|\s*[;。；\n]|\s+[\w-]+\s*[:：])"
        if codes
        else (r"(?=\s*$|\s*[\d.;。；\n]|\s+[\w-]+\s*[:：])")
    )
    part = r"(?:\s+[^\W\d_]+){0,3}" if codes else ""
    pattern = re.compile(
        rf"(?<!\w)(?:{_key_pattern(field)}){part}\s*[:：]\s*(?P<value>{value}){end}",
        re.IGNORECASE,
    )
    match = pattern.search(normalise(text))
    return match.group("value").strip(" ,-") if match else ""
