"""Pages that are products only by the weakest evidence, apart from the site's product
template: a site whose products are, nearly all, the pages of one template shows its sections
(solutions for businesses, a showcase of installations) in pages of their own make, which a
card links and which show photos of their own, as a product's page would."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from ilid_platform.crawl.extract.decision import Decision, demote
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
    and _TEMPLATE_SHARE of the site's."""
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
    for index, decision in weak.items():
        if decisions[index] is decision and stats.template_of.get(readings[index].url) != group:
            demote(
                decisions,
                index,
                f"only a card and photos speak for it, outside the template of {count} products",
            )
