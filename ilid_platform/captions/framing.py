"""The kind of product a page's text gives a proper name ("EDATON® ist ein natürlicher
Calcium-Bentonit", "Mẫu cơ Longoni Ravenna"), for names that do not say it themselves.

Two structures, in any catalog language: a definition, where the name is the subject of "is
a" ("X ist ein …", "X est un …", "X — это …", "X là …", "X是…"), and, in languages that put
the head first, the lower-case words right before the name's first mention ("Mẫu cơ Longoni
Ravenna": a "cơ" of the brand Longoni). The phrase found is read as a name is (`head_phrase`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ilid_platform.captions.language import HEAD_LAST
from ilid_platform.captions.lexicon import lexicon
from ilid_platform.captions.page_text import normalise, sentences
from ilid_platform.captions.part_type import ARTICLES

_COPULA = (
    r"(?:is|are|ist|sind|est|sont|es|son|é|são|è|sono|является|являются|—\s*это|-\s*это|это|là"
    r"|bir|to|jest)"
)
_ARTICLE = r"(?:an?|the|ein(?:e|er|en|em)?|une?|una?|uma?|un[oa]?|il|la|le|el|o|a)"
# Where a definition's noun phrase ends: a clause, a relative pronoun, a preposition of use.
_PHRASE_END = re.compile(
    r"[,.;:()!?]|\s(?:which|that|who|with|for|from|used|designed|der|die|das|mit|für|zur|zum"
    r"|als|auf|aus|im|von|zur|bei|on|at|by|qui|que|pour|avec|sur|de\s+(?:la|l)|para|con|com|per"
    r"|che|который|которая|которое|на|по|от"
    r"|для|с|из|dùng|cho|với|của|için|ile|用于)\s",
    re.IGNORECASE,
)
# A trade mark, then model codes, may stand between the name and its verb ("Sepiogel TX/TS
# sind …").
_MARK = r"(?:\s*[®™©])?(?:\s+(?=\S*[\d/]|(?-i:[A-Z]{1,4}\b))[\w/.-]+)*"
# Prepositions that make the name their complement ("a range of Tower Cranes").
_LINKS = frozenset({"of", "de", "du", "des", "da", "do", "di", "del", "della", "von", "der", "из"})
_LOWER_RUN = re.compile(r"((?:[^\W\d_][\w-]*\s+){1,4})$")


def framed_type(
    name: str, text: str, language: str, read: Callable[[str, str], str], limit: int = 6
) -> str:
    """The kind the text's first `limit` sentences give `name`, read by `read(phrase,
    language)`; "" when no sentence frames it."""
    key = normalise(name).strip(" ®™©")
    if not key:
        return ""
    named = re.compile(rf"(?<!\w){_spelt(key)}{_MARK}", re.IGNORECASE)
    for sentence in sentences(text)[:limit]:
        match = named.search(sentence)
        if match is None:
            continue
        if language not in HEAD_LAST:
            kind = _before(sentence[: match.start()], language, read)
            # the kind a brand and name follow is one the text keeps using
            if kind and len(re.findall(rf"(?<!\w){re.escape(kind)}(?!\w)", text, re.I)) > 1:
                return kind
        after = sentence[match.end() :]
        defined = re.match(rf"\s+{_COPULA}\s+(?:{_ARTICLE}\s+)?(?P<np>.+)", after, re.I)
        # an apposition after a dash, with its article ("Trunz Seawater System 300 - una
        # móvil unidad de desalinización"), defines it too
        defined = defined or re.match(rf"\s*[-–—]\s+{_ARTICLE}\s+(?P<np>.+)", after, re.I)
        if defined and not _NOT_A_NOUN.match(defined.group("np")):
            phrase = _PHRASE_END.split(f" {defined.group('np')} ", maxsplit=1)[0].strip()
            kind = read(phrase, language) if phrase else ""
            if kind:
                return kind
    return ""


# What follows a copula without being a noun phrase: an adverb ("is simply a tank"), a
# passive participle ("are designed"), a measure ("is half a ton of …").
_NOT_A_NOUN = re.compile(r"\w+(?:ly|ed)\b|(?:half|not|also|very|more|most|in|at|on)\b", re.I)


# Where a model code may be written with or without a space or hyphen ("BS19", "BS 19").
_CODE_JOINT = re.compile(r"(?<=[^\W\d_])[\s-]?(?=\d)|(?<=\d)[\s-]?(?=[^\W\d_])")


def _spelt(key: str) -> str:
    """A pattern for a name as texts write it: a code's letters and digits apart or not."""
    parts = _CODE_JOINT.split(key)
    return r"[\s-]?".join(re.escape(part) for part in parts)


def _articles_only(words: list[str]) -> bool:
    """Words that are all articles ("τα", "the"): no kind."""
    return all(w.casefold() in ARTICLES for w in words)


def _before(text: str, language: str, read: Callable[[str, str], str]) -> str:
    """The lower-case words right before a name, without the brand between them ("Mẫu cơ
    Longoni"), and without a word that only says "model" or "set"; none when they end in a
    preposition whose complement the name is."""
    words = text.split()
    while words and words[-1][:1].isupper():
        words.pop()
    run = _LOWER_RUN.search(" ".join(words) + " ")
    if not run:
        return ""
    phrase = run.group(1).split()
    if phrase[-1].casefold() in _LINKS:  # "una gama de Grúas Torre": the name is the kind
        return ""
    packs = lexicon().packs
    while phrase and phrase[0].casefold() in packs:
        phrase = phrase[1:]
    if not phrase or not all(w[:1].islower() for w in phrase[1:]) or _articles_only(phrase):
        return ""
    return read(" ".join(phrase), language)
