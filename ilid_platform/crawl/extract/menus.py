"""Products an old hand-written site reaches only from its site-wide text menu: no listing card,
spec table, price or buy button says what its pages are, so page evidence finds none.

Safe by construction: it speaks only where the site has no product at all otherwise, and only
for three or more pages of one template that the same site-wide menu links, each headed by the
words of its menu link and showing a photo of its own (a history or services page rarely has
all of that, and never two others of its kind)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from ilid_platform.crawl.extract.decision import Decision
from ilid_platform.crawl.extract.naming import page_key, text_key
from ilid_platform.crawl.extract.reading import PageReading
from ilid_platform.crawl.extract.site_stats import SiteStats

MENU_ITEMS = 3
"""Pages of one template a menu must name, each by its heading, to be read as products."""


def menu_links(readings: Sequence[PageReading], stats: SiteStats) -> dict[str, str]:
    """Page key to the text of the link to it on at least half the pages (and three): a
    site-wide menu's item, wherever the template puts the menu."""
    seen: Counter[tuple[str, str]] = Counter()
    for reading in readings:
        if reading.features is None:
            continue
        seen.update({(page_key(url), text_key(text)) for url, text in reading.features.text_links})
    wide = max(3, 0.5 * stats.pages)
    return {key: text for (key, text), n in seen.items() if n >= wide and text}


def adopt_menu_items(
    readings: Sequence[PageReading],
    decisions: list[Decision],
    stats: SiteStats,
    decide: Callable[[PageReading], Decision],
) -> None:
    """Where no page is a product, pages of one template that a site-wide menu links by the
    name their heading says, each with a photo of its own, are (`decide`: a page decided
    without the evidence points it would otherwise need)."""
    if any(d.product is not None for d in decisions):
        return
    menu = menu_links(readings, stats)
    if not menu:
        return
    groups: dict[int, list[tuple[int, Decision]]] = defaultdict(list)
    for i, reading in enumerate(readings):
        key = page_key(reading.url)
        features = reading.features
        if (
            key not in menu
            or features is None
            or stats.negative(reading)
            or stats.listing(reading)
            or key in stats.anchored
        ):
            continue
        decision = decide(reading)
        product = decision.product
        if product is None or not product["image_urls"] or text_key(product["name"]) != menu[key]:
            continue
        groups[stats.template_of.get(reading.url, -1)].append((i, decision))
    for template, members in groups.items():
        photos = {d.product["image_urls"][0] for _, d in members}
        if template < 0 or len(members) < MENU_ITEMS or len(photos) < len(members):
            continue
        for i, decision in members:
            decision.evidence.append("one of the pages of a template the site-wide menu names")
            decisions[i] = decision
