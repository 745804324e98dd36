"""What a site's pages say together: how many pages show each image, heading, card and title
part, which headings head many pages, the template groups, and whether the site speaks the
language of shop markup at all."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ilid_platform.crawl.extract.naming import (
    affix_key,
    page_key,
    split_label,
    text_key,
    title_affixes,
    without_common_affix,
    word_key,
)
from ilid_platform.crawl.extract.page import PageFeatures
from ilid_platform.crawl.extract.page_kinds import catalog_page, heading_kind
from ilid_platform.crawl.extract.patterns import LISTING_CARDS
from ilid_platform.crawl.extract.reading import PageReading
from ilid_platform.crawl.extract.slots import name_slots, photo_slots
from ilid_platform.crawl.extract.templates import fingerprint, template_groups

RESIZED = re.compile(r"-\d{2,4}x\d{2,4}(\.\w+)(?=$|\?)")
"""The size suffix a CMS gives the resized copies of an uploaded photo."""


def image_file(url: str) -> str:
    """An image url without the size suffix of a resized copy (a card's -300x200 thumbnail
    is its page's photo)."""
    return RESIZED.sub(r"\1", url) if "x" in url else url


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
    card_photo_pages: dict[str, set[str]] = field(default_factory=dict)
    """Image path (`image_file`) to the keys of the pages whose cards show it."""
    card_photos: dict[str, set[str]] = field(default_factory=dict)
    """Page key to the images (`image_file`) that other pages' cards for it show."""
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
    structured_products: int = 0
    """Pages whose structured data declares a product of their own."""
    product_language: bool = False
    """Whether pages of this site show product-specific evidence (buy buttons, product
    markup, spec tables) on two pages or more, and on a good share of the pages its listings
    link to: then a page with none of it is no product page."""
    carded_slots: set[int] = field(default_factory=set)
    """Template groups whose photo place is where their pages show their cards' photo."""
    photo_slots: dict[int, str] = field(default_factory=dict)
    """Template group to the place (`slot` of an image) that shows each page's own photo
    there: on most of its pages, a different image on each."""
    image_where: dict[str, set[str]] = field(default_factory=dict)
    """Image url to the keys of the pages that show it (outside links and chrome)."""
    links_of: dict[str, set[str]] = field(default_factory=dict)
    """Page key to the keys of the pages it links to from its content."""
    anchored: set[str] = field(default_factory=set)
    """Keys of pages that other pages link to at three places inside or more (`pumps.htm#cp-40`,
    `#sp-12`, ...): one page of several items, each under its anchor, none a product page."""
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
    structured_names: Counter[str] = field(default_factory=Counter)
    """Names that pages' structured data declare, by the number of pages that declare them."""
    catalogued: set[str] = field(default_factory=set)
    """Keys of the pages that a listing whose url names the catalog (`catalog_page`) links
    with a card."""
    """h1s that name a kind of page that is no product, by the number of pages they head."""
    slots_over_all: set[int] = field(default_factory=set)
    """Template groups whose name slot counts all headings (`page_heading_slots`)."""
    name_labels: set[str] = field(default_factory=set)
    """Labels (as `text_key`) that open a heading or a photo's caption on several pages
    ("Product name:"): the template's words before each page's name."""
    name_suffixes: set[str] = field(default_factory=set)
    """Words (as `word_key`) that the structured names of most pages add first after the
    page's heading ("Tray Dryer" + " Manufacturer - Shop"): where search-engine wording
    starts, no part of a name."""

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

    def linked_photo(self, image: str, own_key: str) -> bool:
        """Whether a page this one links to shows the image (other than a home page, which
        shows and never owns): then it is that page's photo. Where the two link each other (a
        category and its product's way back), the one with more links is the listing."""
        linked = self.links_of.get(own_key, set())
        for other in (self.image_where.get(image, set()) & linked) - self.home_pages - {own_key}:
            back = own_key in self.links_of.get(other, set())
            if not back or len(linked) > len(self.links_of.get(other, set())):
                return True
        return False

    def card_photo_of_other(self, image: str, own_key: str) -> bool:
        """Whether cards show the image (compared by path: markup may name the original
        host of a mirror) for other pages, and never for this one."""
        pages = self.card_photo_pages.get(urlsplit(image_file(image)).path)
        return bool(pages) and own_key not in pages

    def carded_photo(self, image: str, own_key: str) -> bool:
        """Whether another page shows the image as the thumbnail of its card for this page
        (a listing's card shows a page's main photo, not the brand's logo above it)."""
        return image_file(image) in self.card_photos.get(own_key, set())

    def repeated(self, count: int) -> bool:
        """Seen on so many pages that it belongs to the site, not to one page."""
        return self.pages >= 4 and count >= max(3, 0.25 * self.pages)

    def negative(self, reading: PageReading) -> str:
        """The kind of non-product page the url says, else the h1 says, unless that h1 heads
        many pages (an "FAQ" block on every product page is no FAQ page); a page the site's
        catalog lists is no portfolio or news item, whatever folder a theme files it in."""
        features = reading.features
        heading = features.negative_heading
        if features.negative == "blog" and page_key(reading.url) in self.catalogued:
            return ""
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

    def copied_structure(self, reading: PageReading, heading: str) -> bool:
        """Whether the page's structured Product is a copy: other pages declare the same name,
        and this page's heading says another (a hand-written site pastes one block of JSON-LD
        into its overview, its service pages and its products)."""
        name = text_key((reading.structured or {}).get("name") or "")
        return (
            bool(name and heading)
            and self.structured_names[name] >= 2
            and (text_key(heading) != name)
        )

    def listing(self, reading: PageReading) -> bool:
        """Many cards to other pages (`listings`)."""
        if self.listings is None:
            return len(self.cards(reading.features)) >= LISTING_CARDS
        return page_key(reading.url) in self.listings


def site_stats(readings: Sequence[PageReading]) -> SiteStats:
    stats = SiteStats()
    titles: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    # A page read under several urls (a mirror ignoring ?page=2, session ids) counts once.
    unique = {fingerprint(r): r for r in readings if r.features is not None}
    pages = list(unique.values())
    stats.pages = len(pages)
    fragments: dict[str, set[str]] = {}
    for reading in readings:  # every url a page was read under
        if reading.features is not None:
            key = page_key(reading.url)
            stats.links_of[key] = {page_key(u) for u in reading.features.content_links} - {key}
            for link in reading.links:
                target, _, fragment = link.partition("#")
                if fragment and fragment.lower() != "top" and page_key(target) != key:
                    fragments.setdefault(page_key(target), set()).add(fragment.lower())
    stats.anchored = {key for key, found in fragments.items() if len(found) >= 3}
    for reading in pages:
        features = reading.features
        key = page_key(reading.url)
        # A photo shown as a tile of other pages' grids (their related cards) is a product's,
        # not the site's: only where a page shows it outside a grid does it count.
        stats.image_pages.update({image["url"] for image in features.images if not image["tile"]})
        for image in features.images:
            stats.image_where.setdefault(image["url"], set()).add(key)
        # A grid's tile reads the card before it as its caption: another page's name, no label.
        captions = {
            text_key(image.get("caption", "")) for image in features.images if not image["tile"]
        }
        stats.caption_pages.update(captions - {""})
        stats.card_pages.update({href for href, _ in features.cards})
        for href, image in features.card_photos:
            if page_key(href) != key:
                stats.card_photos.setdefault(page_key(href), set()).add(image_file(image))
                path = urlsplit(image_file(image)).path
                stats.card_photo_pages.setdefault(path, set()).add(page_key(href))
        stats.title_pages[text_key(features.title)] += 1
        if features.negative_heading:
            stats.negative_headings[text_key(features.negative_heading)] += 1
    stats.template_of = template_groups(pages)
    stats.listings = listing_pages(readings, pages, stats)
    for reading in pages:
        if catalog_page(reading.url) and stats.listing(reading):
            stats.catalogued.update(page_key(href) for href, _ in stats.cards(reading.features))
    for reading in pages:
        features = reading.features
        cards = stats.cards(features)
        stats.card_targets.update(page_key(href) for href, _ in cards)
        if stats.listing(reading):
            for (href, raw), (_, words) in zip(cards, without_common_affix(cards), strict=True):
                if words:
                    stats.card_names.setdefault(page_key(href), Counter())[(raw, words)] += 1
        negative = stats.negative(reading)
        if features.negative == "home":
            stats.home_pages.add(page_key(reading.url))
        if negative == "home" and features.headings:
            stats.home_headings.add(text_key(features.headings[0]["text"]))
        if stats.listing(reading) or negative:
            first = next(iter(features.headings), None)
            if first is not None and first["level"] == 1 and not first["hinted"]:
                stats.listing_headings.add(text_key(first["text"]))
        labels.update(name_labels(features))
        titles.update(title_affixes(features.title))
        if reading.site_name:
            stats.title_affixes.add(affix_key(reading.site_name))
    common = {part for part, n in titles.items() if n >= max(3, 0.5 * stats.pages) and part}
    stats.title_affixes |= common
    stats.name_labels = {label for label, n in labels.items() if n >= 3}
    stats.site_headings = _site_headings(pages, stats)
    stats.name_suffixes = _name_suffixes(pages)
    stats.name_slots = name_slots(pages, stats)
    stats.photo_slots = photo_slots(pages, stats)
    details = [r for r in pages if not stats.listing(r) and not stats.negative(r)]
    speaking = sum(
        1
        for r in details
        if r.features.buy or r.features.product_markup or len(r.features.specs) >= 2
    )
    # Pages that listings link to are where products are; where few of them speak the
    # language (two spec tables among a dozen brochure pages), the site does not.
    listed = sum(page_key(r.url) in stats.card_targets for r in details)
    stats.product_language = speaking >= 2 and speaking >= 0.4 * listed
    stats.structured_products = sum(r.structured is not None for r in pages)
    stats.structured_names = Counter(
        text_key(r.structured["name"]) for r in pages if r.structured and r.structured.get("name")
    )
    return stats


def name_labels(features: PageFeatures) -> set[str]:
    """The labels (as `text_key`) that open the page's headings and photo captions."""
    texts = [h["text"] for h in features.headings]
    texts += [i.get("caption", "") for i in features.images if i.get("caption")]
    return {text_key(found[0]) for text in texts if (found := split_label(text))}


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
    cards: dict[str, list[str]] = {}
    for reading in pages:
        key, template = page_key(reading.url), stats.template_of.get(reading.url)
        targets = cards[key] = [page_key(href) for href, _ in stats.cards(reading.features)]
        inside[key] = [
            t for t in targets if template is not None and template_of.get(t) == template
        ]
        # Cards to pages the crawl did not read (gone, or past its limits) say nothing where
        # all those it read are of its own template: a product's related items, not a listing.
        unread = sum(t not in template_of for t in targets)
        if unread and inside[key] and len(inside[key]) + unread == len(targets):
            targets = inside[key]
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
    # Cards that lead to listings are a listing's (a category of categories, in the template
    # of its products); then its cards to pages the crawl did not read count too.
    found |= {
        key
        for key, targets in cards.items()
        if any(t in found for t in targets)
        and sum(t in found or t not in inside[key] for t in targets) >= LISTING_CARDS
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


def _name_suffixes(pages: Sequence[PageReading]) -> set[str]:
    """The word that the structured names of three pages or more, and of half the pages
    with one, add first after a heading of their page."""
    named = [r for r in pages if r.structured and r.structured.get("name")]
    added: Counter[str] = Counter()
    for reading in named:
        name = f"{word_key(reading.structured['name'])} "
        added.update(
            {
                name[len(words) + 1 :].split(" ", 1)[0]
                for h in reading.features.headings
                if (words := word_key(h["text"])) and name.startswith(f"{words} ")
            }
            - {""}
        )
    return {words for words, n in added.items() if n >= max(3, 0.5 * len(named))}
