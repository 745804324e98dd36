"""A page's name, given its site: the most specific heading unique to the page (the slot that
names each page of its template), the text above its photo, the listing card that links to it,
the title without the site's name; a structured name that only adds the shop's name gives way
to the heading."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from ilid_platform.crawl.extract.naming import (
    AFFIX_EDGES,
    cut_at_title,
    page_key,
    split_label,
    strip_affixes,
    text_key,
    title_separators,
    word_key,
)
from ilid_platform.crawl.extract.page import EMPHASIS
from ilid_platform.crawl.extract.reading import PageReading
from ilid_platform.crawl.extract.site_stats import SiteStats
from ilid_platform.crawl.extract.slots import page_heading_slots

_MINOR_HEADING = 4.5
"""Levels above this are h5 and h6 (`page.headings`): as a page's only heading, its title
names it better."""
_WORD = re.compile(r"[^\W\d_]{3,}")
_LOPSIDED_SLASH = re.compile(r"(?<=\S) /(?=\S)|(?<=\S)/ (?=\S)")


def tidy_name(name: str) -> str:
    """A slash with a space on one side only ("A /B", where a line break sat next to it) joins
    its two sides, as "A/B" or "A / B" does; one side is the page's markup, not its words."""
    return _LOPSIDED_SLASH.sub("/", name)


def heading_name(
    reading: PageReading, stats: SiteStats, evidence: list[str], caption: str = ""
) -> str:
    """The most specific heading unique to the page, else the caption of its main photo,
    else the title without its site part; a heading that is only an item code gives way to
    the title that names the code's product type."""
    name = _heading_name(reading, stats, evidence, caption)
    labelled = split_label(name)
    if labelled and text_key(labelled[0]) in stats.name_labels:
        evidence.append(f"name without the label {labelled[0]!r} that several pages write")
        name = labelled[1]
    confirmed = _confirmed_by_title(name, reading, stats)
    if confirmed:
        evidence.append("name from the heading that the title confirms (the page writes it twice)")
        return confirmed
    agreed = _agreed_by_title(name, reading, stats)
    if agreed:
        evidence.append("name from the heading that says what the title says")
        return agreed
    if name and _code_like(name):
        title = strip_affixes(reading.features.title, stats.title_affixes)
        if (
            title != name
            and word_key(name) in word_key(title)
            and not _code_like(title)
            and not _trade_words_only(word_key(title).replace(word_key(name), " "))
            and not stats.repeated(_title_count(reading, stats))
        ):
            evidence.append("name from the title: the heading is only an item code")
            return title
        bold = _emphasised_name(name, reading, stats)
        if bold:
            evidence.append("name from bold text that names the title's item code")
            return bold
    return name


def _emphasised_name(code: str, reading: PageReading, stats: SiteStats) -> str:
    """On a page without headings whose title is only an item code, the bold text of its own
    that writes the code with words before or after it ("Mixer MK-M20")."""
    key = word_key(code)
    for heading in reading.features.headings:
        text = heading["text"]
        if (
            heading["level"] == EMPHASIS
            and f" {key} " in f" {word_key(text)} "
            and word_key(text) != key
            and not _code_like(text)
            and text_key(text) not in stats.site_headings
        ):
            return text
    return ""


def _confirmed_by_title(name: str, reading: PageReading, stats: SiteStats) -> str:
    """Another heading of the page that says the same name as `name` but for a slip (a typo,
    a stray letter), where the title agrees with it and not with `name`."""
    title = word_key(strip_affixes(reading.features.title, stats.title_affixes))
    if not name or not title or word_key(name) == title:
        return ""
    for heading in reading.features.headings:
        text = heading["text"]
        if word_key(text) == title and SequenceMatcher(None, text, name).ratio() >= 0.8:
            return text
    return ""


_TRADE_WORDS = frozenset(
    {
        *("sale", "sales", "supplier", "suppliers", "supply", "wholesale", "wholesaler"),
        *("manufacture", "manufacturer", "manufacturers", "manufacturing", "factory"),
        *("factories", "export", "exporter", "exporters", "china", "chinese", "high"),
        *("quality", "best", "cheap", "price", "prices", "buy", "hot", "new", "oem", "odm"),
        *("top", "professional", "online"),
    }
)
"""What a search-engine title wraps an item code in ("Manufacture QD-204", "QB-209 Supplier
China"): no product type, which the title names where it adds other words."""


def _trade_words_only(words: str) -> bool:
    return bool(words.split()) and all(word in _TRADE_WORDS for word in words.split())


def _stems(text: str) -> frozenset[str]:
    return frozenset(word.removesuffix("s") for word in word_key(text).split())


def _agreed_by_title(name: str, reading: PageReading, stats: SiteStats) -> str:
    """Another main heading (h1, h2) of the page, its own, that says what the page's own title
    says (but for a plural), where `name` does not say all of it: two headings, one naming
    the product ("TIG Welders", title "TIG Welder") and one its process or a slogan
    ("Tungsten Inert Gas (TIG)")."""
    title = strip_affixes(reading.features.title, stats.title_affixes)
    if not name or not title or stats.repeated(_title_count(reading, stats)):
        return ""
    said = _stems(title)
    if said <= _stems(name):
        return ""
    for heading in reading.features.headings:
        text = heading["text"]
        if (
            heading["level"] <= 2
            and text != name
            and _stems(text) == said
            and _usable_heading(text_key(text), stats)
        ):
            return text
    return ""


def _code_like(text: str) -> bool:
    """An item code or a rating ("HS-1204", "15 HP"): digits, and no word of three letters."""
    return any(c.isdigit() for c in text) and not _WORD.search(text)


def _heading_name(reading: PageReading, stats: SiteStats, evidence: list[str], caption: str) -> str:
    usable = []
    headings = list(reading.features.headings)
    # A caption that ends in a colon introduces what follows ("Structure:"), naming nothing.
    labels = caption.rstrip().endswith((":", "："))
    if caption and not labels and not stats.repeated_caption(text_key(caption)):
        headings.append({"text": caption, "level": 4.0, "order": 1 << 30, "hinted": False})
    listed = stats.card_names.get(page_key(reading.url))
    if listed:
        raw, words = listed.most_common(1)[0][0]
        words = (
            cut_at_title(raw, strip_affixes(reading.features.title, stats.title_affixes)) or words
        )
        headings.append({"text": words, "level": 4.5, "order": 1 << 31, "hinted": False})
    usable = [h for h in headings if _usable_heading(text_key(h["text"]), stats)]
    slot = stats.name_slots.get(stats.template_of.get(reading.url, -1))
    slotted = [h for h, key in page_heading_slots(reading, stats) if key == slot]
    if slotted and _usable_heading(text_key(slotted[0]["text"]), stats):
        evidence.append("name from the heading that names each page of its template")
        return slotted[0]["text"]
    if not any(h["level"] < 4 for h in usable):
        # No heading of its own: one that a few pages share is the name of variants (sizes,
        # colours), unless half the site shows it (a logo's, a menu's).
        shared = [
            h
            for h in headings
            if 0 < stats.site_headings.get(text_key(h["text"]), 0) < 0.5 * stats.pages
            and text_key(h["text"]) not in stats.listing_headings
        ]
        usable = shared or usable
    title = strip_affixes(reading.features.title, stats.title_affixes)
    titled = bool(title) and not stats.repeated(_title_count(reading, stats))
    best = min(usable, key=lambda h: (h["level"], h["order"]), default=None)
    # An h5 or h6 alone is a minor heading; the page's own title says more.
    if best is not None and (best["level"] <= _MINOR_HEADING or not titled):
        if best["level"] == 4.5:
            evidence.append("name from the listing card that links here")
        elif best["level"] > _MINOR_HEADING:
            evidence.append("name from a minor heading (h5, h6): the title says nothing else")
        return best["text"]
    if titled:
        evidence.append("name from the title: no heading unique to the page")
        return _without_linked_tail(title, reading)
    return ""


def _without_linked_tail(title: str, reading: PageReading) -> str:
    """A title without its last part where that part is the text of the page's link to
    another page ("Name | Category | Shop": the category it is filed under, which only a few
    pages' titles share, so it is no site-wide affix)."""
    separators = title_separators(title)
    if not separators:
        return title
    last = separators[-1]
    head, tail = title[: last.start()].strip(AFFIX_EDGES), text_key(title[last.end() :])
    own = page_key(reading.url)
    linked = any(
        text_key(text) == tail and page_key(url) != own for url, text in reading.features.text_links
    )
    return head if head and tail and linked else title


def _title_count(reading: PageReading, stats: SiteStats) -> int:
    return stats.title_pages.get(text_key(reading.features.title), 0)


def _usable_heading(key: str, stats: SiteStats) -> bool:
    if key in stats.site_headings:
        return False
    return key not in stats.listing_headings or stats.pages <= 1


def structured_name(
    name: str,
    heading: str,
    stats: SiteStats,
    method: str = "",
    title: str = "",
    brand: str = "",
) -> str:
    """The structured name without the shop's name; the page's heading where the two are the
    same words (the heading is what people read), or where the name only adds its brand
    ("Workboats by Acme Marine" under the heading "Workboats"). An OpenGraph title that only
    repeats the page's <title> is its search-engine title ("DC Rectifier manufacturer - AC to
    DC ..."), no name: the heading it contains names the product."""
    seo = method in ("opengraph", "twitter") and text_key(name) == text_key(title)
    name = strip_affixes(name, stats.title_affixes) or name
    words = name.split()
    cut = next((i for i, w in enumerate(words) if i and word_key(w) in stats.name_suffixes), 0)
    if cut:  # "Tray Dryer Manufacturer - Shop": the name ends where the site's wording starts
        name = " ".join(words[:cut]).strip(AFFIX_EDGES) or name
    if heading and brand and _heading_and_brand(name, heading, brand):
        return heading
    if heading and word_key(heading) == word_key(name):
        return heading
    if seo and heading and f" {word_key(heading)} " in f" {word_key(name)} ":
        return heading
    return name


_BY = re.compile(r"^(by|from|von|de|par|di|da|door|od|от)\s+", re.I)


def _heading_and_brand(name: str, heading: str, brand: str) -> bool:
    """Whether a structured name is the heading, then the brand (after "by", "from", ... or a
    separator)."""
    words, head = word_key(name), word_key(heading)
    if not head or not words.startswith(head + " "):
        return False
    rest = _BY.sub("", words[len(head) :].strip())
    return rest == word_key(brand)
