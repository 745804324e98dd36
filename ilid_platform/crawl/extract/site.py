"""Decide at the level of the site: which pages are products, and their names and photos.

A page alone cannot say that its h1 is the category every page of that category shows, that
its first photo is the logo every page carries, or that its title ends in the shop's name. The
site can: what repeats across many pages is chrome, not the product (the idea behind wrapper
induction and boilerplate removal). The pass reads every page's features (`PageReading`, from
the worker processes) and decides each page with the statistics of all of them:

* Images that appear on many pages (logo, banner, payment badges, a menu of thumbnails) are
  never a product's photo; headings that repeat on many pages, or that head a listing page,
  are never its name.
* The name is the most specific heading unique to the page (the h1, else an h2 or h3, else one
  named like a product name), else the structured data's name, else the title without its
  site-wide part. A structured name that only adds the shop's name gives way to the heading.
* Without structured data, a page is a product when it has a name, a photo and enough
  evidence: a buy button, product markup, spec rows, a price, a gallery. Pages that share a
  template with such products and show their own name and photo are products too. Listings
  and pages whose url or heading says contact, about, cart, login or blog are not.

With one page (`extract_product`, `ilid inspect`) there are no statistics, and the same rules
apply to the page alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ilid_platform.crawl.extract.html import absolute_urls
from ilid_platform.crawl.extract.naming import (
    affix_key,
    cut_at_title,
    page_key,
    strip_affixes,
    text_key,
    title_affixes,
    without_common_affix,
    word_key,
)
from ilid_platform.crawl.extract.page import PageFeatures
from ilid_platform.crawl.extract.patterns import LISTING_CARDS
from ilid_platform.crawl.extract.reading import PageReading
from ilid_platform.crawl.extract.selectors import apply_selected
from ilid_platform.crawl.extract.templates import fingerprint, template_groups

EVIDENCE_NEEDED = 2
"""Points a page without structured data needs, besides its name and photo, to be a product."""
_WEIGHTS = {
    "buy": 2,
    "product_markup": 2,
    "specs": 2,
    "price": 1,
    "gallery": 1,
    "named": 1,
    "listed": 1,
}
_SPECIFIC = {"buy", "product_markup", "specs", "price", "named"}
"""Evidence only a product page shows; a listed page with photos may be a category too."""


@dataclass
class Decision:
    """One page's outcome: its product record fields, or why there is none, and the evidence
    for either (what `ilid inspect` shows)."""

    product: dict[str, Any] | None
    reason: str | None
    evidence: list[str] = field(default_factory=list)


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
    """Keys of pages that listings link to with a thumbnail."""
    name_slots: dict[int, tuple[float, bool, int]] = field(default_factory=dict)
    """Template group to the heading slot (level, named, nth) that holds each page's own
    name there, where that is not the first heading (a category's h1 above a product's h2)."""
    """Page key to the texts of the listing cards that link to it."""
    listing_headings: set[str] = field(default_factory=set)
    title_affixes: set[str] = field(default_factory=set)
    template_of: dict[str, int] = field(default_factory=dict)
    """Page url to the index of its template group."""
    product_language: bool = False
    """Whether pages of this site show product-specific evidence (buy buttons, product
    markup, spec tables): then a page with none of it is no product page."""

    def repeated(self, count: int) -> bool:
        """Seen on so many pages that it belongs to the site, not to one page."""
        return self.pages >= 4 and count >= max(3, 0.25 * self.pages)

    def listing(self, features: PageFeatures) -> bool:
        """Many cards, not counting the links every page has (menus, sidebars)."""
        cards = [c for c, _ in features.cards if not self.repeated(self.card_pages.get(c, 0))]
        return len(cards) >= LISTING_CARDS


def site_stats(readings: Sequence[PageReading]) -> SiteStats:
    stats = SiteStats()
    titles: Counter[str] = Counter()
    # A page read under several urls (a mirror ignoring ?page=2, session ids) counts once.
    unique = {fingerprint(r): r for r in readings if r.features is not None}
    pages = list(unique.values())
    stats.pages = len(pages)
    for reading in pages:
        features = reading.features
        stats.image_pages.update({image["url"] for image in features.images})
        stats.card_pages.update({href for href, _ in features.cards})
        stats.title_pages[text_key(features.title)] += 1
    for reading in pages:
        features = reading.features
        if stats.listing(features):
            cards = [c for c in features.cards if not stats.repeated(stats.card_pages[c[0]])]
            stats.card_targets.update(page_key(href) for href, _ in cards)
            for (href, raw), (_, words) in zip(cards, without_common_affix(cards), strict=True):
                if words:
                    stats.card_names.setdefault(page_key(href), Counter())[(raw, words)] += 1
        if stats.listing(features) or features.negative:
            first = next(iter(features.headings), None)
            if first is not None and first["level"] == 1 and not first["hinted"]:
                stats.listing_headings.add(text_key(first["text"]))
        titles.update(title_affixes(features.title))
        if reading.site_name:
            stats.title_affixes.add(affix_key(reading.site_name))
    common = {part for part, n in titles.items() if n >= max(3, 0.5 * stats.pages) and part}
    stats.title_affixes |= common
    stats.site_headings = _site_headings(pages, stats)
    stats.template_of = template_groups(pages)
    stats.name_slots = _name_slots(pages, stats)
    speaking = sum(
        1
        for r in pages
        if not stats.listing(r.features)
        and not r.features.negative
        and (r.features.buy or r.features.product_markup or len(r.features.specs) >= 2)
    )
    stats.product_language = speaking >= 2
    return stats


def decide_pages(readings: Sequence[PageReading]) -> list[Decision]:
    """Every page's decision, with the statistics of all of them."""
    stats = site_stats(readings)
    decisions = [_decide(reading, stats) for reading in readings]
    _propagate_templates(readings, decisions, stats)
    _demote_catalog_pages(readings, decisions, stats)
    return decisions


# ---------------------------------------------------------------- one page, given the site


def _decide(reading: PageReading, stats: SiteStats, needed: int | None = None) -> Decision:
    """One page, given the site. `needed` lowers the evidence a page without structured data
    needs (its template speaks for it) and waives the site's product language."""
    relaxed = needed is not None
    features = reading.features
    if features is None:
        return Decision(None, reading.reason or "malformed_html", ["the page could not be parsed"])
    evidence: list[str] = []
    images, caption = _photos(reading, stats, evidence)
    captions = {
        i["url"]: i.get("caption", "")
        for i in features.images
        if not i["tile"] and not stats.repeated(stats.image_pages.get(i["url"], 0))
    }
    heading = _heading_name(
        reading, stats, evidence, caption or next((c for c in captions.values() if c), "")
    )
    titled = [
        url for url, words in captions.items() if words and text_key(words) == text_key(heading)
    ]
    headless = not any(text_key(h["text"]) == text_key(heading) for h in features.headings)
    if titled and headless and images[0] not in titled:
        # A page without headings writes the product's name above its photo.
        images = [titled[0], *(u for u in images if u != titled[0])]
    product: dict[str, Any] = {}
    method = ""
    structured = reading.structured
    if structured and structured.get("relation") == "elsewhere" and stats.listing(features):
        evidence.append("structured data on a listing that names no product of this page")
        structured = None
    if structured and structured.get("name"):
        method = structured["method"]
        product = {k: v for k, v in structured.items() if k not in ("method", "relation")}
        product["specs"] = dict(product["specs"])
        product["name"] = _structured_name(product["name"], heading, stats)
        evidence.append(f"{method}: a Product for this page, named {product['name']!r}")
        own = [u for u in absolute_urls(product["image_urls"], reading.base)]
        own = [u for u in own if not stats.repeated(stats.image_pages.get(u, 0))]
        product["image_urls"] = own or images
    elif stats.listing(features):
        evidence.append("listing: many links with a thumbnail, each to another page")
    elif features.negative:
        evidence.append(f"the url or heading says this is a {features.negative} page")
    else:
        points = _evidence_points(reading, heading, images, stats)
        evidence.append(
            "evidence: " + (", ".join(f"{k} +{v}" for k, v in points.items()) if points else "none")
        )
        needed = EVIDENCE_NEEDED if needed is None else needed
        specific = any(key in _SPECIFIC for key in points)
        if stats.product_language and not specific and not relaxed:
            evidence.append(
                "none of the product evidence this site's products show (buy, product markup,"
                " specs, price, a product-named heading)"
            )
        elif heading and images and sum(points.values()) >= needed:
            method = "heuristic"
            product = {
                "name": heading,
                "description": features.description,
                "specs": {},
                "breadcrumbs": [],
                "category": [],
                "image_urls": images,
                "sku": None,
                "brand": None,
            }
        elif not heading:
            evidence.append("no heading unique to this page")
        elif not images:
            evidence.append("no photo of its own (every candidate is chrome or a card)")
        else:
            evidence.append(f"not enough evidence for a product ({EVIDENCE_NEEDED} needed)")
    if product:
        _fill_from_page(product, reading, images)
    if reading.selected:
        overridden = apply_selected(reading.selected, product, features.breadcrumbs)
        if overridden:
            evidence.append(f"selectors: {', '.join(sorted(reading.selected))}")
        if overridden and not method and product.get("name"):
            method = "selectors"
        elif overridden and method:
            method += "+selectors"
    if not method or not product.get("name"):
        reason = reading.reason
        if reason is None or stats.listing(features):
            reason = "not_product"
        return Decision(None, reason, evidence)
    record = {
        "url": reading.url,
        "name": product["name"],
        "description": product["description"],
        "specs": product["specs"],
        "breadcrumbs": product["breadcrumbs"] or product.get("category", []),
        "image_urls": absolute_urls(product["image_urls"], reading.base),
        "sku": product["sku"],
        "brand": product["brand"],
        "extraction": method,
    }
    return Decision(record, None, evidence)


def _fill_from_page(product: dict[str, Any], reading: PageReading, images: list[str]) -> None:
    """Complete structured data from the page itself: spec tables, crumbs, text, photos."""
    features = reading.features
    for key, value in features.specs:
        product["specs"].setdefault(key, value)
    if not product["breadcrumbs"]:
        product["breadcrumbs"] = reading.structured_breadcrumbs or features.breadcrumbs
    if not product["description"]:
        product["description"] = features.description
    if not product["image_urls"]:
        product["image_urls"] = images


def _evidence_points(
    reading: PageReading, heading: str, images: list[str], stats: SiteStats
) -> dict[str, int]:
    features = reading.features
    own_photos = sum(
        1
        for image in features.images
        if not image["tile"] and not stats.repeated(stats.image_pages.get(image["url"], 0))
    )
    points = {
        "listed": page_key(reading.url) in stats.card_targets,
        "buy": features.buy > 0,
        "product_markup": features.product_markup,
        "specs": len(features.specs) >= 2,
        "price": features.price,
        "gallery": own_photos >= 2,
        "named": any(h["hinted"] and h["text"] == heading for h in features.headings),
    }
    return {key: _WEIGHTS[key] for key, present in points.items() if present}


def _photos(reading: PageReading, stats: SiteStats, evidence: list[str]) -> tuple[list[str], str]:
    """Main photo first (in a product-named gallery, else the largest, else the first), then
    the rest of its gallery, and the main photo's caption. Images that repeat across the site
    and tiles of a grid are skipped."""
    candidates = []
    chrome = tiles = 0
    for image in reading.features.images:
        if stats.repeated(stats.image_pages.get(image["url"], 0)):
            chrome += 1
        elif image["tile"]:
            tiles += 1
        else:
            candidates.append(image)
    if chrome:
        evidence.append(f"{chrome} image(s) skipped as site chrome (on many pages)")
    if tiles:
        evidence.append(f"{tiles} image(s) skipped as tiles of a grid (each with its own name)")
    if not candidates:
        return [], ""
    pool = [i for i in candidates if i["hinted"]] or candidates
    largest = max(i["area"] for i in pool)
    # The first photo, unless a later one is declared much larger (a thumbnail and its photo).
    main = min((i for i in pool if 2 * i["area"] >= largest), key=lambda i: i["order"])
    urls = [main["url"]]
    if main["gallery"] >= 0:
        urls += [i["url"] for i in candidates if i["gallery"] == main["gallery"]]
    return list(dict.fromkeys(urls)), main.get("caption", "")


def _heading_name(
    reading: PageReading, stats: SiteStats, evidence: list[str], caption: str = ""
) -> str:
    """The most specific heading unique to the page, else the caption of its main photo,
    else the title without its site part."""
    usable = []
    headings = list(reading.features.headings)
    if caption:
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
    slotted = [h for h, key in _slots(reading.features.headings) if key == slot]
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
    if usable:
        best = min(usable, key=lambda h: (h["level"], h["order"]))
        if best["level"] >= 4.5:
            evidence.append("name from the listing card that links here")
        return best["text"]
    title = strip_affixes(reading.features.title, stats.title_affixes)
    if title and not stats.repeated(_title_count(reading, stats)):
        evidence.append("name from the title: no heading unique to the page")
        return title
    return ""


def _title_count(reading: PageReading, stats: SiteStats) -> int:
    return stats.title_pages.get(text_key(reading.features.title), 0)


def _usable_heading(key: str, stats: SiteStats) -> bool:
    if key in stats.site_headings:
        return False
    return key not in stats.listing_headings or stats.pages <= 1


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


def _structured_name(name: str, heading: str, stats: SiteStats) -> str:
    """The structured name without the shop's name; the page's heading where the two are the
    same words (the heading is what people read)."""
    name = strip_affixes(name, stats.title_affixes) or name
    if heading and word_key(heading) == word_key(name):
        return heading
    return name


def _propagate_templates(
    readings: Sequence[PageReading], decisions: list[Decision], stats: SiteStats
) -> None:
    """Pages of one template that differ in their name and photo are products: a page left
    out for want of evidence is one when at least two pages of its template are, and more of
    them are products than not. On a brochure site, whose pages show no buy buttons, product
    markup or spec tables at all, three or more pages of a template that each have their own
    name and photo and some evidence (a gallery, a listing's card) are products too."""
    members: dict[int, list[int]] = {}
    for index, reading in enumerate(readings):
        group = stats.template_of.get(reading.url)
        if group is not None:
            members.setdefault(group, []).append(index)
    for indices in members.values():
        products = sum(decisions[i].product is not None for i in indices)
        if products >= 2 and products > len(indices) - products:
            reason = f"same template as {products} of the {len(indices)} pages that are products"
            needed = 0
        elif not stats.product_language and len(indices) >= 3:
            reason = f"one of {len(indices)} pages of a template, each with its own name and photo"
            needed = 1
        else:
            continue
        relaxed = {
            i: _decide(readings[i], stats, needed) for i in indices if decisions[i].product is None
        }
        found = [d.product for d in relaxed.values() if d.product is not None]
        if needed and (
            len(found) < max(3, 0.6 * len(indices))
            or len({p["name"] for p in found}) < len(found)
            or len({p["image_urls"][0] for p in found}) < len(found)
        ):
            continue  # not a template of pages that differ in their name and photo
        for i, decision in relaxed.items():
            if decision.product is not None:
                decision.evidence.append(reason)
                decisions[i] = decision


def _demote_catalog_pages(
    readings: Sequence[PageReading], decisions: list[Decision], stats: SiteStats
) -> None:
    """A page read as a product by its looks that links, from its content, to many pages that
    are products themselves is a category; links every page has (menus) do not count."""
    products = {page_key(r.url) for r, d in zip(readings, decisions, strict=True) if d.product}
    link_pages: Counter[str] = Counter()
    for reading in readings:
        if reading.features is not None:
            link_pages.update({page_key(u) for u in reading.features.content_links})
    for index, (reading, decision) in enumerate(zip(readings, decisions, strict=True)):
        if decision.product is None or decision.product["extraction"] != "heuristic":
            continue
        own = page_key(reading.url)
        linked = {
            key
            for key in map(page_key, reading.features.content_links)
            if key in products and key != own and not stats.repeated(link_pages[key])
        }
        if len(linked) >= LISTING_CARDS:
            evidence = [*decision.evidence, f"links {len(linked)} product pages: a category"]
            decisions[index] = Decision(None, "not_product", evidence)


def _slots(
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
    one is each page's own, the later one names the page."""
    groups: dict[int, list[PageReading]] = {}
    for reading in pages:
        if reading.url in stats.template_of:
            groups.setdefault(stats.template_of[reading.url], []).append(reading)
    slots: dict[int, tuple[float, bool, int]] = {}
    for group, members in groups.items():
        if len(members) < 3:
            continue
        values: dict[tuple[float, bool, int], list[str]] = {}
        for reading in members:
            for heading, slot in _slots(reading.features.headings):
                values.setdefault(slot, []).append(text_key(heading["text"]))
        covered = [
            (slot, texts) for slot, texts in values.items() if len(texts) >= 0.6 * len(members)
        ]
        if not covered:
            continue
        first_slot, first_texts = min(covered, key=lambda item: item[0])
        if len(set(first_texts)) >= 0.8 * len(first_texts):
            continue  # the first heading names each page: nothing to induce
        distinct = [(slot, texts) for slot, texts in covered if len(set(texts)) >= 0.8 * len(texts)]
        if distinct:
            slots[group] = min(distinct, key=lambda item: item[0])[0]
    return slots
