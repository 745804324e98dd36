"""The evidence a page without structured data shows of being a product page, by points: a
buy control, product markup or a spec table weigh most; a price, a gallery, a product-named
heading, a listing's card and a photo where its template shows each page's own weigh one."""

from __future__ import annotations

from ilid_platform.crawl.extract.naming import page_key, split_label, text_key
from ilid_platform.crawl.extract.reading import PageReading
from ilid_platform.crawl.extract.site_stats import SiteStats

WEIGHTS = {
    "buy": 2,
    "product_markup": 2,
    "specs": 2,
    "price": 1,
    "gallery": 1,
    "named": 1,
    "listed": 1,
    "placed": 1,
}
SPECIFIC = {"buy", "product_markup", "specs", "price", "named", "listed"}
"""Evidence only a product page shows; a listed page with photos may be a category too."""


def evidence_points(
    reading: PageReading, heading: str, images: list[str], stats: SiteStats
) -> dict[str, int]:
    features = reading.features
    # The template shows each page's own photo in one place, and this page's photo is there.
    slot = stats.photo_slots.get(stats.template_of.get(reading.url, -1)) if images else None
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
        "named": any(
            (h["hinted"] and h["text"] == heading) or _labelled_as_named(h["text"], heading, stats)
            for h in features.headings
        ),
        "placed": bool(slot)
        and any(i["url"] == images[0] and i.get("slot") == slot for i in features.images),
    }
    return {key: WEIGHTS[key] for key, present in points.items() if present}


def _labelled_as_named(text: str, heading: str, stats: SiteStats) -> bool:
    """Whether a heading is the name after the label that several pages write before theirs
    ("ULTIMHEAT : <name>"): the site's way of heading a product."""
    labelled = split_label(text)
    return bool(labelled) and labelled[1] == heading and text_key(labelled[0]) in stats.name_labels
