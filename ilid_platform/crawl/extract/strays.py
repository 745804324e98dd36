"""Pages that are products only by the weakest evidence, apart from the site's product
template: a site whose products are, nearly all, the pages of one template shows its sections
(solutions for businesses, a showcase of installations) in pages of their own make, which a
card links and which show photos of their own, as a product's page would."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from ilid_platform.crawl.extract.decision import Decision, demote
from ilid_platform.crawl.extract.naming import page_key
from ilid_platform.crawl.extract.reading import PageReading
from ilid_platform.crawl.extract.site_stats import SiteStats

WEAK_EVIDENCE = frozenset(("listed", "gallery"))
"""Evidence a site's section pages show too: a card links them, they show photos."""
_TEMPLATE_PRODUCTS = 5
_TEMPLATE_SHARE = 0.8


def demote_strays(
    readings: Sequence[PageReading],
    decisions: list[Decision],
    stats: SiteStats,
    weak: Mapping[int, Decision],
) -> None:
    """Demote the `weak` decisions (products by WEAK_EVIDENCE alone, as first decided) still
    standing, of pages outside the template that holds at least _TEMPLATE_PRODUCTS products
    and _TEMPLATE_SHARE of the site's, unless a listing shows them among that template's
    products (`_listed_beside`)."""
    groups = Counter(
        stats.template_of.get(reading.url)
        for reading, decision in zip(readings, decisions, strict=True)
        if decision.product is not None
    )
    if not groups:
        return
    group, count = groups.most_common(1)[0]
    if group is None or count < max(_TEMPLATE_PRODUCTS, _TEMPLATE_SHARE * groups.total()):
        return
    members = {
        page_key(r.url)
        for r, d in zip(readings, decisions, strict=True)
        if d.product is not None and stats.template_of.get(r.url) == group
    }
    listed = _listed_beside(readings, stats, members)
    for index, decision in weak.items():
        if page_key(readings[index].url) in listed:
            continue
        if decisions[index] is decision and stats.template_of.get(readings[index].url) != group:
            demote(
                decisions,
                index,
                f"only a card and photos speak for it, outside the template of {count} products",
            )


def _listed_beside(
    readings: Sequence[PageReading], stats: SiteStats, members: set[str]
) -> set[str]:
    """Keys of the pages that a listing links with a card beside the template's products, where
    nearly all its cards are theirs and it is no home page: a catalog's overview shows one
    kind of page, whatever markup one of them was written in."""
    listed: set[str] = set()
    for reading in readings:
        if reading.features is None or not stats.listing(reading):
            continue
        if page_key(reading.url) in stats.home_pages:
            continue  # a home page's showcase mixes the site's sections with its products
        targets = {page_key(href) for href, _ in stats.cards(reading.features)}
        if len(targets & members) >= max(_TEMPLATE_PRODUCTS, _TEMPLATE_SHARE * len(targets)):
            listed |= targets
    return listed
