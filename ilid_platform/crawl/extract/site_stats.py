"""What a site's pages say together: how many pages show each image, heading, card and title
part, which headings head many pages, the template groups, and whether the site speaks the
language of shop markup at all."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ilid_platform.crawl.extract.naming import (
    affix_key,
    page_key,
    strip_affixes,
    text_key,
    title_affixes,
    without_common_affix,
    word_key,
)
from ilid_platform.crawl.extract.page import PageFeatures
from ilid_platform.crawl.extract.page_kinds import heading_kind
from ilid_platform.crawl.extract.patterns import LISTING_CARDS
from ilid_platform.crawl.extract.reading import PageReading
from ilid_platform.crawl.extract.templates import fingerprint, template_groups


@dataclass
class SiteStats:
    pages: int = 0
    image_pages: Counter[str] = field(default_factory=Counter)
    site_headings: dict[str, int] = field(default_factory=dict)
    """Texts that head so many pages that they are the site's or a section's, not a page's,
    with the number of pages they head."""
    title_pages: Counter[str] = field(default_factory=Counter)
    card_pages: Counter[str] = field(default_factory=Counter)
    card_names: dict[str, Counter[tuple[str, str]]] = field(default_factory=dict)
    card_targets: set[str] = field(default_factory=set)
    """Keys of pages that other pages link to with a thumbnail (not every page: a menu)."""
    name_slots: dict[int, tuple[float, bool, int]] = field(default_factory=dict)
    """Template group to the heading slot (level, named, nth) that holds each page's own
    name there, where that is not the first heading (a category's h1 above a product's h2)."""
    """Page key to the texts of the listing cards that link to it."""
    listing_headings: set[str] = field(default_factory=set)
    home_headings: set[str] = field(default_factory=set)
    """The first heading of the home page: the site's name or slogan."""
    title_affixes: set[str] = field(default_factory=set)
    template_of: dict[str, int] = field(default_factory=dict)
    """Page url to the index of its template group."""
    product_language: bool = False
    """Whether pages of this site show product-specific evidence (buy buttons, product
    markup, spec tables) on two pages or more, and on a good share of the pages its listings
    link to: then a page with none of it is no product page."""
    photo_slots: dict[int, str] = field(default_factory=dict)
    """Template group to the place (`slot` of an image) that shows each page's own photo
    there: on most of its pages, a different image on each."""
    image_where: dict[str, set[str]] = field(default_factory=dict)
    """Image url to the keys of the pages that show it (outside links and chrome)."""
    links_of: dict[str, set[str]] = field(default_factory=dict)
    """Page key to the keys of the pages it links to from its content."""
    caption_pages: Counter[str] = field(default_factory=Counter)
    """Texts written just above an image, by the number of pages that show them."""
    listings: set[str] | None = None
    """Keys of the pages that are listings (`listing_pages`), once templates are known."""
    _siblings: dict[str, bool] = field(default_factory=dict, repr=False)
    related_templates: set[int] = field(default_factory=set)
    """Templates whose pages show each other as related items (`listing_pages`)."""
    home_pages: set[str] = field(default_factory=set)
    """Keys of the pages whose url says they are the site's home page."""
    negative_headings: Counter[str] = field(default_factory=Counter)
    """h1s that name a kind of page that is no product, by the number of pages they head."""

    def repeated_caption(self, caption: str) -> bool:
        """A label that heads a block on several pages ("Dimensions:"), not one page's own."""
        return self.caption_pages.get(caption, 0) >= 3

    def siblings_show(self, image: str) -> bool:
        """Whether the pages that show an image, but for one that lists them, are nearly all
        pages that one lists from its content (variants of one category sharing a photo), and
        fewer than half the site; a logo or a banner is on pages of every kind."""
        if image in self._siblings:
            return self._siblings[image]
        where = self.image_where.get(image, set())
        found = 0 < len(where) < 0.5 * self.pages and any(
            len(where & links) >= 0.8 * len(where - {parent})
            for parent, links in self.links_of.items()
        )
        self._siblings[image] = found
        return found

    def repeated(self, count: int) -> bool:
        """Seen on so many pages that it belongs to the site, not to one page."""
        return self.pages >= 4 and count >= max(3, 0.25 * self.pages)

    def negative(self, features: PageFeatures) -> str:
        """The kind of non-product page the url says, else the h1 says, unless that h1 heads
        many pages (an "FAQ" block on every product page is no FAQ page)."""
        heading = features.negative_heading
        if features.negative or not heading:
            return features.negative
        return (
            ""
            if self.repeated(self.negative_headings[text_key(heading)])
            else heading_kind(heading)
        )

    def cards(self, features: PageFeatures) -> list[list[str]]:
        """The page's cards, without the links every page has (menus, sidebars)."""
        return [c for c in features.cards if not self.repeated(self.card_pages.get(c[0], 0))]

    def listing(self, reading: PageReading) -> bool:
        """Many cards to other pages (`listings`)."""
        if self.listings is None:
            return len(self.cards(reading.features)) >= LISTING_CARDS
        return page_key(reading.url) in self.listings


def site_stats(readings: Sequence[PageReading]) -> SiteStats:
    stats = SiteStats()
    titles: Counter[str] = Counter()
    # A page read under several urls (a mirror ignoring ?page=2, session ids) counts once.
    unique = {fingerprint(r): r for r in readings if r.features is not None}
    pages = list(unique.values())
    stats.pages = len(pages)
    for reading in readings:  # every url a page was read under
        if reading.features is not None:
            key = page_key(reading.url)
            stats.links_of[key] = {page_key(u) for u in reading.features.content_links} - {key}
    for reading in pages:
        features = reading.features
        key = page_key(reading.url)
        stats.image_pages.update({image["url"] for image in features.images})
        for image in features.images:
            stats.image_where.setdefault(image["url"], set()).add(key)
        captions = {text_key(image.get("caption", "")) for image in features.images}
        stats.caption_pages.update(captions - {""})
        stats.card_pages.update({href for href, _ in features.cards})
        stats.title_pages[text_key(features.title)] += 1
        if features.negative_heading:
            stats.negative_headings[text_key(features.negative_heading)] += 1
    stats.template_of = template_groups(pages)
    stats.listings = listing_pages(readings, pages, stats)
    for reading in pages:
        features = reading.features
        cards = stats.cards(features)
        stats.card_targets.update(page_key(href) for href, _ in cards)
        if stats.listing(reading):
            for (href, raw), (_, words) in zip(cards, without_common_affix(cards), strict=True):
                if words:
                    stats.card_names.setdefault(page_key(href), Counter())[(raw, words)] += 1
        negative = stats.negative(features)
        if features.negative == "home":
            stats.home_pages.add(page_key(reading.url))
        if negative == "home" and features.headings:
            stats.home_headings.add(text_key(features.headings[0]["text"]))
        if stats.listing(reading) or negative:
            first = next(iter(features.headings), None)
            if first is not None and first["level"] == 1 and not first["hinted"]:
                stats.listing_headings.add(text_key(first["text"]))
        titles.update(title_affixes(features.title))
        if reading.site_name:
            stats.title_affixes.add(affix_key(reading.site_name))
    common = {part for part, n in titles.items() if n >= max(3, 0.5 * stats.pages) and part}
    stats.title_affixes |= common
    stats.site_headings = _site_headings(pages, stats)
    stats.name_slots = _name_slots(pages, stats)
    stats.photo_slots = _photo_slots(pages, stats)
    details = [r for r in pages if not stats.listing(r) and not stats.negative(r.features)]
    speaking = sum(
        1
        for r in details
        if r.features.buy or r.features.product_markup or len(r.features.specs) >= 2
    )
    # Pages that listings link to are where products are; where few of them speak the
    # language (two spec tables among a dozen brochure pages), the site does not.
    listed = sum(page_key(r.url) in stats.card_targets for r in details)
    stats.product_language = speaking >= 2 and speaking >= 0.4 * listed
    return stats


def listing_pages(
    readings: Sequence[PageReading], pages: Sequence[PageReading], stats: SiteStats
) -> set[str]:
    """Keys of the pages that list others: LISTING_CARDS cards or more to pages of other
    templates, or to pages of their own template where that template is no population of
    details that show each other as related items (most of its pages card-linking pages of
    it that are no listings: products with "more products" thumbnails). A listing leads to
    details; details that link each other are not listings."""
    template_of = {page_key(r.url): stats.template_of.get(r.url) for r in pages}
    inside: dict[str, list[str]] = {}
    outside: dict[str, int] = {}
    for reading in pages:
        key, template = page_key(reading.url), stats.template_of.get(reading.url)
        targets = [page_key(href) for href, _ in stats.cards(reading.features)]
        inside[key] = [
            t for t in targets if template is not None and template_of.get(t) == template
        ]
        outside[key] = len(targets) - len(inside[key])
    base = {key for key, count in outside.items() if count >= LISTING_CARDS}
    members: dict[int, list[str]] = {}
    for key, template in template_of.items():
        if template is not None:
            members.setdefault(template, []).append(key)
    related = stats.related_templates = {
        template
        for template, keys in members.items()
        if len(keys) >= 3
        and sum(len([t for t in inside[k] if t not in base]) >= LISTING_CARDS for k in keys)
        >= 0.5 * len(keys)
    }
    found = base | {
        key
        for key, targets in inside.items()
        if len(targets) >= LISTING_CARDS and template_of[key] not in related
    }
    # A page read under several urls is a listing under each.
    prints = {fingerprint(r) for r in pages if page_key(r.url) in found}
    return found | {page_key(r.url) for r in readings if r.features and fingerprint(r) in prints}


def _site_headings(pages: Sequence[PageReading], stats: SiteStats) -> dict[str, int]:
    """Texts that are the top heading of many pages: the logo's h1 on every page, a sidebar's
    title, a category's h1 on each of its products. Counted as the top heading only, so that a
    product's name shown again as a tile on listings is not counted against it; repeated until
    no new text is found, since the next heading can then be shared too (the category under
    the logo)."""
    found: dict[str, int] = {}
    for _ in range(4):
        tops: Counter[str] = Counter()
        for reading in pages:
            candidates = [
                h
                for h in reading.features.headings
                if text_key(h["text"]) not in found
                and text_key(h["text"]) not in stats.listing_headings
            ]
            if candidates:
                tops[text_key(min(candidates, key=lambda h: (h["level"], h["order"]))["text"])] += 1
        new = {t: n for t, n in tops.items() if stats.repeated(n) and t not in found}
        if not new:
            return found
        found.update(new)
    return found


def page_headings(reading: PageReading, stats: SiteStats) -> list[dict[str, Any]]:
    """The page's headings without those that head many pages of the site (its logo's) and
    the home page's first, which names the site."""
    shared = stats.site_headings.keys() | stats.home_headings
    return [h for h in reading.features.headings if text_key(h["text"]) not in shared]


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


def _name_slots(
    pages: Sequence[PageReading], stats: SiteStats
) -> dict[int, tuple[float, bool, int]]:
    """Per template group, the slot whose text differs from page to page (wrapper induction):
    where the first heading repeats (the category's h1 on each of its products) and a later
    one is each page's own, the later one names the page. Where the first one differs from
    page to page and most pages' titles hold its words, it names the page even where a few
    pages show a heading above it (the slogan of a small group of products)."""
    groups: dict[int, list[PageReading]] = {}
    for reading in pages:
        if reading.url in stats.template_of:
            groups.setdefault(stats.template_of[reading.url], []).append(reading)
    slots: dict[int, tuple[float, bool, int]] = {}
    for group, members in groups.items():
        if len(members) < 3:
            continue
        values: dict[tuple[float, bool, int], list[str]] = {}
        titled: Counter[tuple[float, bool, int]] = Counter()
        for reading in members:
            title = word_key(strip_affixes(reading.features.title, stats.title_affixes))
            for heading, slot in heading_slots(page_headings(reading, stats)):
                values.setdefault(slot, []).append(text_key(heading["text"]))
                words = word_key(heading["text"])
                titled[slot] += bool(words) and f" {words} " in f" {title} "
        covered = [
            (slot, texts) for slot, texts in values.items() if len(texts) >= 0.6 * len(members)
        ]
        if not covered:
            continue
        first_slot, first_texts = min(covered, key=lambda item: item[0])
        if len(set(first_texts)) >= 0.8 * len(first_texts):
            # The first heading names each page; where the titles say so too, it is the name
            # even on the pages that show another heading above it.
            if titled[first_slot] >= 0.6 * len(members):
                slots[group] = first_slot
            continue
        distinct = [(slot, texts) for slot, texts in covered if len(set(texts)) >= 0.8 * len(texts)]
        if distinct:
            slots[group] = min(distinct, key=lambda item: item[0])[0]
    return slots


def _photo_slots(pages: Sequence[PageReading], stats: SiteStats) -> dict[int, str]:
    """Per template group of three pages or more, the first place (in document order, on
    average) that holds an image on 60% of its pages, different images on at least half of
    those (variants of one product may share a photo) and none of them site chrome:
    where that template shows each page's own photo (wrapper induction, as for names)."""
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
            for image in reading.features.images:
                slot = image.get("slot")
                if not slot or slot in seen or image["tile"]:
                    continue
                seen.add(slot)
                found.setdefault(slot, []).append((image["url"], image["order"]))
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
