"""Names from text: keys to compare them, a title without the shop's name, listing cards
without the boilerplate every card repeats."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from ilid_platform.crawl.extract.patterns import LISTING_CARDS

TITLE_SEPARATORS = re.compile(r"\s*[-|–—:·»/_~]+\s*|\s+[-|–—:·»/]+\s+")
AFFIX_EDGES = " ▲►▶•·*|-–—:»/_~"
_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)


# The keys below are asked for the same few thousand texts and urls many times over when a
# site is decided (every heading against every statistic), so they are remembered.


@lru_cache(maxsize=65536)
def text_key(text: str) -> str:
    return " ".join(text.casefold().split())


@lru_cache(maxsize=65536)
def word_key(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", text.casefold()).split())


# ---------------------------------------------------------------- templates


@lru_cache(maxsize=65536)
def page_key(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = re.sub(r"/index\.(?:html?|php)$", "/", parts.path).rstrip("/")
    return f"{parts.netloc.lower()}{path}?{parts.query}"


def title_separators(title: str) -> list[re.Match[str]]:
    """The separators of a title, less a bare hyphen inside a Latin word or model code
    ("MK-M20", "X-Ray"): a series prefix every product title shares is no shop name."""
    return [
        match
        for match in TITLE_SEPARATORS.finditer(title)
        if not (
            match.group() == "-"
            and title[match.start() - 1 : match.start()].isascii()
            and title[match.start() - 1 : match.start()].isalnum()
            and title[match.end() : match.end() + 1].isascii()
            and title[match.end() : match.end() + 1].isalnum()
        )
    ]


def title_affixes(title: str) -> set[str]:
    """Every prefix and suffix of a title that ends or starts at a separator ("Shop | ",
    " - Shop", "-巩义市..."), as keys: the site-wide ones are the shop's name."""
    affixes = set()
    for match in title_separators(title or ""):
        affixes.add(affix_key(title[: match.end()]))
        affixes.add(affix_key(title[match.start() :]))
    return affixes - {""}


def strip_affixes(title: str, affixes: set[str]) -> str:
    """`title` without its longest site-wide prefix and suffix (separators included)."""
    title = title or ""
    start, end = 0, len(title)
    for match in title_separators(title):
        if affix_key(title[match.start() :]) in affixes:
            end = min(end, match.start())
        if affix_key(title[: match.end()]) in affixes:
            start = max(start, match.end())
    stripped = title[start:end] if start < end else ""
    return stripped.strip(AFFIX_EDGES)


@lru_cache(maxsize=65536)
def affix_key(text: str) -> str:
    return text_key(text.strip(AFFIX_EDGES))


def without_common_affix(cards: list[list[str]]) -> list[tuple[str, str]]:
    """Card texts without the suffix or prefix most of them share (a shop that writes its name
    and phone number into every image's alt text)."""
    texts = [words for _, words in cards if words]
    if len(texts) < LISTING_CARDS:
        return [(href, words) for href, words in cards]
    suffix = _common(texts, lambda t, n: t[-n:])
    prefix = _common(texts, lambda t, n: t[:n])
    cleaned = []
    for href, words in cards:
        if suffix and words.endswith(suffix) and len(words) > len(suffix):
            words = words[: -len(suffix)]
        if prefix and words.startswith(prefix) and len(words) > len(prefix):
            words = words[len(prefix) :]
        cleaned.append((href, words.strip(AFFIX_EDGES)))
    return cleaned


def _common(texts: list[str], cut: Any) -> str:
    """The longest affix (4 characters or more) shared by the same 80% or more of `texts`:
    it grows while no text drops out, so the shop's boilerplate is cut, not the word most
    product names happen to end with."""
    best, first = "", 0
    for n in range(4, max(len(t) for t in texts)):
        counts = Counter(cut(t, n) for t in texts if len(t) > n)
        if not counts:
            break
        affix, count = counts.most_common(1)[0]
        first = first or count
        if count < 0.8 * len(texts) or count < first:
            break
        best = affix
    return best


def cut_at_title(card: str, title: str) -> str:
    """A card's text up to where it stops agreeing with the page's own title ("Name + shop
    boilerplate" in an image's alt text, "Name" in the title); empty when they share no run of
    four characters."""
    if len(title) < 4:
        return ""
    size, start = _longest_common_run(card, title)
    if size < 4:
        return ""
    return card[: start + size].strip(AFFIX_EDGES)


def _longest_common_run(a: str, b: str) -> tuple[int, int]:
    """The length of the longest run of characters `a` and `b` share, and where in `a` it
    starts first: what difflib's SequenceMatcher(None, a, b, autojunk=False) finds, by a
    binary search on the length with C substring tests instead of its per-character loops
    (a run of n characters contains one of every shorter length, so the test is monotone)."""
    if a in b:  # the usual card: the title's own words
        return len(a), 0
    low, high, start = 0, min(len(a), len(b)), 0
    while low < high:
        size = (low + high + 1) // 2
        found = next((i for i in range(len(a) - size + 1) if a[i : i + size] in b), -1)
        if found < 0:
            high = size - 1
        else:
            low, start = size, found
    return low, start


_LABEL = re.compile(r"^\s*([^\W\d][^:：]{0,24}?)\s*(?::\s+|：\s*)(\S.*)$", re.S)
_LABEL_WORD = re.compile(r"[^\W\d_]{2,}")


def split_label(text: str) -> tuple[str, str] | None:
    """A text that opens with a short label ("Product name: Gear Pump", "产品名称：泵"), a
    word followed by a colon and a space (not "H:40", a code): the label and the rest."""
    found = _LABEL.match(text)
    if found is None or len(found.group(1).split()) > 3 or not _LABEL_WORD.search(found.group(1)):
        return None
    return found.group(1), found.group(2).strip()
