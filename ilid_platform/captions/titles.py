"""The kind of product a page's <title> adds to its name.

A catalog often names a product by its model code in the heading ("HOTS-PNC001", "1998 KOMATSU
PW130-6", "Multipropósito 20 LBS") and says what it is only in the page title ("Pet Nail
Clippers-HOTS-PNC001", "… | Máy xúc đào bánh lốp | …", "Extintor Multipropósito 20 lbs"). The
crawl keeps the title without the site's own prefix and suffix (`ProductRecord.title`); what
is left once the name's own words are taken out is read as a name is (`head_phrase`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ilid_platform.captions.page_text import normalise

# Title separators: a bar, a dash between words or after a code, an underscore run, a comma.
_SEPARATOR = re.compile(r"\s*(?:[|•·_]+|\s[-–—]\s|[–—]|(?<=\w)-(?=[A-Z0-9]{2})|,)\s*")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_WORDS = re.compile(r"[^\W\d_]+")
_GAP = "\x00"
_ROMAN = re.compile(r"[IVX]{1,4}")


@dataclass(frozen=True)
class TitleRest:
    """The title's segments without the name's words; `before` is the run of words that
    precedes the name in the same segment ("Extintor" of "Extintor Multipropósito 20 lbs")."""

    segments: tuple[str, ...] = ()
    before: str = ""


def title_rest(title: str, name: str) -> TitleRest:
    """What a page title says besides the product's name."""
    title, name = normalise(title), normalise(name)
    if not title or not name:
        return TitleRest()
    words = {w.casefold() for w in _TOKEN.findall(name)}
    if not words:
        return TitleRest()
    # each of the name's words becomes a gap; a segment is what lies between separators
    marked = _TOKEN.sub(lambda m: _GAP if m.group(0).casefold() in words else m.group(0), title)
    if _GAP not in marked:  # the title does not name this product: it says nothing of it
        return TitleRest()
    before = ""
    head = re.match(rf"^([^{_GAP}]*?)\s*{_GAP}", marked)
    if head and head.group(1).strip() and not _SEPARATOR.search(head.group(1)):
        before = head.group(1).strip()
    parts = (p.replace(_GAP, " ") for p in _SEPARATOR.split(marked))
    segments = tuple(
        s for s in (" ".join(p.split()).strip(" -–—.,:;/") for p in parts) if _WORDS.search(s)
    )
    return TitleRest(segments, before)


def title_kind(rest: TitleRest, read: Callable[[str], str]) -> str:
    """The first kind `read` finds in the title's segments."""
    for segment in rest.segments:
        kind = read(segment)
        if kind:
            return kind
    return ""


def is_brand_and_code(name: str, head: str) -> bool:
    """A name that is one word in capitals beside model codes and numbers ("1998 KOMATSU
    PW130-6"): a brand and a model, whose one word is the head a name reader finds."""
    tokens = normalise(name).split()
    # (a Roman numeral is a model's generation: "1999 KAWASAKI 85Z IV")
    words = [t for t in tokens if _WORDS.fullmatch(t) and not _ROMAN.fullmatch(t)]
    coded = any(re.search(r"\d", t) for t in tokens)
    return (
        coded
        and len(words) == 1
        and len(words[0]) > 3
        and words[0].isupper()
        and head.casefold() == words[0].casefold()
    )
