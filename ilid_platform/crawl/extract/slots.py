"""Where a template puts each page's own name and photo (wrapper induction): the heading slot
whose text differs from page to page, and the image place that shows a different photo on
each page. Read from the site's statistics (`site_stats.SiteStats`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ilid_platform.crawl.extract.naming import page_key, strip_affixes, text_key, word_key
from ilid_platform.crawl.extract.reading import PageReading

if TYPE_CHECKING:
    from ilid_platform.crawl.extract.site_stats import SiteStats


def page_headings(reading: PageReading, stats: SiteStats) -> list[dict[str, Any]]:
    """The page's headings without those that head many pages of the site (its logo's) and
    the home page's first, which names the site."""
    site, home = stats.site_headings, stats.home_headings  # no union built for every page
    return [
        h
        for h in reading.features.headings
        if (key := text_key(h["text"])) not in site and key not in home
    ]


def heading_slots(
    headings: list[dict[str, Any]],
) -> list[tuple[dict[str, Any], tuple[float, bool, int]]]:
    """Each heading with its slot: level, whether named like a product name, and its place
    among the page's headings of that kind."""
    seen: Counter[tuple[float, bool]] = Counter()
    slotted = []
    for heading in headings:
        kind = (heading["level"], heading["hinted"])
        slotted.append((heading, (*kind, seen[kind])))
        seen[kind] += 1
    return slotted


def page_heading_slots(
    reading: PageReading, stats: SiteStats, over_all: bool | None = None
) -> list[tuple[dict[str, Any], tuple[float, bool, int]]]:
    """`page_headings` with their slots, counted without the site's headings, or over all
    of the page's headings where its template names its pages only so (`slots_over_all`)."""
    if over_all is None:
        over_all = stats.template_of.get(reading.url, -1) in stats.slots_over_all
    if not over_all:
        return heading_slots(page_headings(reading, stats))
    site, home = stats.site_headings, stats.home_headings
    return [
        (h, slot)
        for h, slot in heading_slots(reading.features.headings)
        if (key := text_key(h["text"])) not in site and key not in home
    ]


def name_slots(
    pages: Sequence[PageReading], stats: SiteStats
) -> dict[int, tuple[float, bool, int]]:
    """Per template group, the slot whose text differs from page to page (wrapper induction).
    Slots are counted without the site's headings (a logo's h1 above the name on some
    pages), else over all headings: a category heading that the site's listings also show
    ("Extintores") keeps the place it holds on its siblings' pages, before their names."""
    groups: dict[int, list[PageReading]] = {}
    for reading in pages:
        if reading.url in stats.template_of:
            groups.setdefault(stats.template_of[reading.url], []).append(reading)
    slots: dict[int, tuple[float, bool, int]] = {}
    for group, members in groups.items():
        if len(members) < 3:
            continue
        slot = _group_slot(members, stats, False)
        if slot is None and (slot := _group_slot(members, stats, True)) is not None:
            stats.slots_over_all.add(group)
        if slot is not None:
            slots[group] = slot
    return slots


def _group_slot(
    members: list[PageReading], stats: SiteStats, over_all: bool
) -> tuple[float, bool, int] | None:
    """Where the first heading repeats (the category's h1 on each of its products) and a
    later one is each page's own, the later one names the page. Where the first one differs
    from page to page and most pages' titles hold its words, it names the page even where a
    few pages show a heading above it (the slogan of a small group of products); where the
    titles hold the words of a later one instead, that one (a slogan of each page's own above
    its name)."""
    values: dict[tuple[float, bool, int], list[str]] = {}
    titled: Counter[tuple[float, bool, int]] = Counter()
    for reading in members:
        title = word_key(strip_affixes(reading.features.title, stats.title_affixes))
        for heading, slot in page_heading_slots(reading, stats, over_all):
            values.setdefault(slot, []).append(text_key(heading["text"]))
            words = word_key(heading["text"])
            titled[slot] += bool(words) and f" {words} " in f" {title} "
    covered = [(slot, texts) for slot, texts in values.items() if len(texts) >= 0.6 * len(members)]
    if not covered:
        return None
    first_slot, first_texts = min(covered, key=lambda item: item[0])
    if len(set(first_texts)) >= 0.8 * len(first_texts):
        # The first heading names each page; where the titles say so too, it is the name
        # even on the pages that show another heading above it.
        if titled[first_slot] >= 0.6 * len(members):
            return first_slot
        # A first heading of each page's own that the titles do not say, above one they
        # do: a slogan above the name ("Built to last!" over "Gear Pump GP-7").
        named = [
            slot
            for slot, texts in covered
            if slot != first_slot
            and len(set(texts)) >= 0.8 * len(texts)
            and titled[slot] >= 0.6 * len(members)
        ]
        return min(named) if named else None
    distinct = [(slot, texts) for slot, texts in covered if len(set(texts)) >= 0.8 * len(texts)]
    return min(distinct, key=lambda item: item[0])[0] if distinct else None


def photo_slots(pages: Sequence[PageReading], stats: SiteStats) -> dict[int, str]:
    """Per template group of three pages or more, the first place (in document order, on
    average) that holds an image on 60% of its pages, different images on at least half of
    those (variants of one product may share a photo) and none of them site chrome, not
    counting the photos of pages a page links to (a listing's cards):
    where that template shows each page's own photo (wrapper induction, as for names).
    Where the cards for most of its pages show the photo a page shows in one place, that
    place (`SiteStats.carded_slots`)."""
    groups: dict[int, list[PageReading]] = {}
    for reading in pages:
        if reading.url in stats.template_of:
            groups.setdefault(stats.template_of[reading.url], []).append(reading)
    slots: dict[int, str] = {}
    for group, members in groups.items():
        if len(members) < 3:
            continue
        found: dict[str, list[tuple[str, int]]] = {}
        for reading in members:
            seen: set[str] = set()
            key = page_key(reading.url)
            linked = stats.links_of.get(key, set())
            for image in reading.features.images:
                slot = image.get("slot")
                if not slot or slot in seen or image["tile"]:
                    continue
                if linked and stats.linked_photo(image["url"], key):
                    continue  # the photo of a page it links to: a card's place, not its own
                seen.add(slot)
                found.setdefault(slot, []).append((image["url"], image["order"]))
        # Where the cards that link to its pages show, on most of them, the photo that the
        # pages show in one place (outside a gallery, whose slides a listing picks from), that
        # place holds each page's photo (a brand's logo may sit in an earlier place that
        # differs from page to page too).
        carded = Counter(
            next(
                (
                    i["slot"]
                    for i in reading.features.images
                    if i.get("slot")
                    and not i["tile"]
                    and i["gallery"] < 0  # a gallery's slides: the template's order decides
                    and stats.carded_photo(i["url"], page_key(reading.url))
                ),
                None,
            )
            for reading in members
        )
        carded.pop(None, None)
        slot, count = max(carded.items(), key=lambda item: (item[1], item[0]), default=("", 0))
        if count >= max(3, 0.5 * len(members)):
            slots[group] = slot
            stats.carded_slots.add(group)
            continue
        usable = [
            (sum(order for _, order in shown) / len(shown), slot)
            for slot, shown in found.items()
            if len(shown) >= 0.6 * len(members)
            and len({url for url, _ in shown}) >= 0.5 * len(shown)
            and not any(
                stats.repeated(stats.image_pages.get(url, 0)) and not stats.siblings_show(url)
                for url, _ in shown
            )
        ]
        if usable:
            slots[group] = min(usable)[1]
    return slots
