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
from typing import Any

from ilid_platform.crawl.extract.categories import demote_category_pages
from ilid_platform.crawl.extract.decision import Decision, demote
from ilid_platform.crawl.extract.evidence import SPECIFIC, evidence_points
from ilid_platform.crawl.extract.folders import crumb_categories, filed_under, folder_categories
from ilid_platform.crawl.extract.html import absolute_urls
from ilid_platform.crawl.extract.menus import adopt_menu_items
from ilid_platform.crawl.extract.names import heading_name, structured_name, tidy_name
from ilid_platform.crawl.extract.naming import (
    page_key,
    strip_affixes,
    text_key,
)
from ilid_platform.crawl.extract.photos import captioned_after, choose_photos, decorative_file
from ilid_platform.crawl.extract.reading import PageReading
from ilid_platform.crawl.extract.selectors import apply_selected
from ilid_platform.crawl.extract.site_stats import SiteStats, site_stats
from ilid_platform.crawl.extract.slots import page_heading_slots
from ilid_platform.crawl.extract.strays import WEAK_EVIDENCE, demote_strays
from ilid_platform.crawl.records import cap_fields

EVIDENCE_NEEDED = 2
"""Points a page without structured data needs, besides its name and photo, to be a product."""
# The page's own photos a product keeps beside its structured data's (`image_fallbacks`).
IMAGE_FALLBACKS = 3


def decide_pages(readings: Sequence[PageReading]) -> list[Decision]:
    """Every page's decision, with the statistics of all of them, in the order of `readings`.

    The pages are decided in the order of their urls, not of their arrival: grouping by
    template (each group's first page is its model), the page kept of a duplicate and ties
    between equals go by order, and pages arrive in whatever order the network returns them.
    """
    order = sorted(range(len(readings)), key=lambda i: readings[i].url)
    decided = dict(zip(order, _decide_sorted([readings[i] for i in order]), strict=True))
    return [decided[i] for i in range(len(readings))]


def _decide_sorted(readings: Sequence[PageReading]) -> list[Decision]:
    stats = site_stats(readings)
    decisions = [_decide(reading, stats) for reading in readings]
    weak = {
        i: d
        for i, d in enumerate(decisions)
        if d.product is not None
        and d.product["extraction"] == "heuristic"
        and set(evidence_points(readings[i], d.product["name"], d.product["image_urls"], stats))
        <= WEAK_EVIDENCE
    }
    # Twice: a template found to be products on a brochure site then speaks for its pages
    # that show no evidence of their own.
    _propagate_templates(readings, decisions, stats)
    _propagate_templates(readings, decisions, stats)
    _adopt_by_place(readings, decisions, stats)
    demote_category_pages(readings, decisions, stats)
    demote_strays(readings, decisions, stats, weak)
    products = [d.product is not None for d in decisions]
    for i, children in crumb_categories(readings, products, stats.links_of).items():
        demote(decisions, i, "its breadcrumb trail goes on in product pages it links to")
        for j in children:
            decision = _decide(readings[j], stats, needed=0)
            if decisions[j].product is None and decision.product is not None:
                decision.evidence.append("its breadcrumbs name a category that links it")
                decisions[j] = decision
    adopt_menu_items(readings, decisions, stats, lambda r: _decide(r, stats, needed=0))
    for i in folder_categories(readings, [d.product is not None for d in decisions]):
        demote(decisions, i, "the page of a folder that holds product pages it links to")
        for j in filed_under(readings, i, [d.product is not None for d in decisions]):
            decision = _decide(readings[j], stats, needed=0)
            if decision.product is not None and not stats.listing(readings[j]):
                decision.evidence.append("filed in the folder of a category that links it")
                decisions[j] = decision
    return decisions


# ---------------------------------------------------------------- one page, given the site


def _decide(
    reading: PageReading,
    stats: SiteStats,
    needed: int | None = None,
    template: frozenset[str] = frozenset(),
    speaks: bool | None = None,
) -> Decision:
    """One page, given the site. `needed` lowers the evidence a page without structured data
    needs (its template speaks for it) and waives the site's product language unless `speaks`
    says the template speaks it too; then thumbnails that link to no page of its `template`
    (page keys) are related items, not a listing's."""
    relaxed = needed is not None
    speaks = not relaxed if speaks is None else speaks
    features = reading.features
    if features is None:
        return Decision(None, reading.reason or "malformed_html", ["the page could not be parsed"])
    evidence: list[str] = []
    images, caption, foreign = choose_photos(reading, stats, evidence)
    captions = {
        i["url"]: i.get("caption", "")
        for i in features.images
        if not i["tile"] and not stats.repeated(stats.image_pages.get(i["url"], 0))
    }
    heading = heading_name(
        reading, stats, evidence, caption or next((c for c in captions.values() if c), "")
    )
    titled = [
        url for url, words in captions.items() if words and text_key(words) == text_key(heading)
    ]
    headless = not any(text_key(h["text"]) == text_key(heading) for h in features.headings)
    if (
        titled
        and headless
        and images[0] not in titled
        and not captioned_after(features, images[0], titled[0])
    ):
        # A page without headings writes the product's name above its photo.
        images = [titled[0], *(u for u in images if u != titled[0])]
    product: dict[str, Any] = {}
    method = ""
    structured = reading.structured
    if structured and structured.get("relation") == "elsewhere" and stats.listing(reading):
        evidence.append("structured data on a listing that names no product of this page")
        structured = None
    key = page_key(reading.url)
    marked = absolute_urls(structured["image_urls"], reading.base) if structured else []
    # Markup that shows the photo of another page's card (a template's copy): no photo of
    # this page; on a page without a photo of its own, the markup is a listing's.
    others = [u for u in marked if stats.card_photo_of_other(u, key)]
    if structured and others and len(others) == len(marked) and not images:
        evidence.append("structured data shows the photo of another page's card: a listing's")
        structured = None
    if structured and stats.copied_structure(reading, heading):
        evidence.append("structured data that pages of other headings copy: no page's own")
        structured = None
    if structured and structured.get("name"):
        method = structured["method"]
        product = {k: v for k, v in structured.items() if k not in ("method", "relation")}
        product["specs"] = dict(product["specs"])
        product["name"] = structured_name(
            product["name"], heading, stats, method, features.title, product.get("brand") or ""
        )
        evidence.append(f"{method}: a Product for this page, named {product['name']!r}")
        own = [
            u
            for u in marked
            if not stats.repeated(stats.image_pages.get(u, 0))
            and (u not in others or not images)
            and not (images and decorative_file(u))
        ]
        product["image_urls"] = own or images
        if own:  # the page's own photos, for when the structured data's cannot be fetched
            product["image_fallbacks"] = [u for u in images if u not in own][:IMAGE_FALLBACKS]
    elif stats.listing(reading) and (
        not relaxed or any(page_key(href) in template for href, _ in features.cards)
    ):
        evidence.append("listing: many links with a thumbnail, each to another page")
    elif stats.negative(reading):
        evidence.append(f"the url or heading says this is a {stats.negative(reading)} page")
    elif key in stats.anchored:
        evidence.append("other pages link to several places inside it: items under anchors")
    elif foreign >= 2:
        evidence.append("shows the photos of the pages it links to: a category")
    else:
        points = evidence_points(reading, heading, images, stats)
        evidence.append(
            "evidence: " + (", ".join(f"{k} +{v}" for k, v in points.items()) if points else "none")
        )
        needed = EVIDENCE_NEEDED if needed is None else needed
        # Where the site's products declare themselves in structured data, a page that does
        # not is no product for being listed alone (a blog post on a blog-index home page).
        declared = stats.structured_products >= 3 and reading.structured is None
        specific = any(key in SPECIFIC and not (declared and key == "listed") for key in points)
        if stats.product_language and not specific and speaks:
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
        if reason is None or stats.listing(reading):
            reason = "not_product"
        return Decision(None, reason, evidence)
    record = {
        "url": reading.url,
        "name": tidy_name(product["name"]),
        "description": product["description"],
        "specs": product["specs"],
        "breadcrumbs": product["breadcrumbs"] or product.get("category", []),
        "image_urls": absolute_urls(product["image_urls"], reading.base),
        "image_fallbacks": absolute_urls(product.get("image_fallbacks", []), reading.base),
        "sku": product["sku"],
        "brand": product["brand"],
        "title": strip_affixes(features.title, stats.title_affixes),
        "extraction": method,
    }
    cuts = cap_fields(record)
    if cuts:
        evidence.append(f"cut to the record's limits: {', '.join(cuts)}")
    return Decision(record, None, evidence, cuts)


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
        speaks = False
        if products >= 2 and products > len(indices) - products:
            reason = f"same template as {products} of the {len(indices)} pages that are products"
            needed = 0
        elif products >= 2 and stats.product_language:
            # Fewer than half, yet products: its pages with product evidence of their own (a
            # listing's card, a buy button) are too, though their one evidence is weak.
            reason = f"same template as {products} of the {len(indices)} pages, products"
            needed, speaks = 1, True
        elif not stats.product_language and len(indices) >= 3:
            reason = f"one of {len(indices)} pages of a template, each with its own name and photo"
            needed = 1
        else:
            continue
        template = frozenset(page_key(readings[i].url) for i in indices)
        relaxed = {
            i: _decide(readings[i], stats, needed, template, speaks)
            for i in indices
            if decisions[i].product is None
        }
        found = [d.product for d in relaxed.values() if d.product is not None]
        known = [decisions[i].product for i in indices if decisions[i].product is not None]
        # Pages whose url or heading says they are no product (the contact page in the
        # site's one template) do not count against it.
        candidates = sum(
            readings[i].features is not None and not stats.negative(readings[i]) for i in indices
        )
        if needed and not _differ(found, known, candidates):
            continue  # not a template of pages that differ in their name and photo
        for i, decision in relaxed.items():
            if decision.product is not None:
                decision.evidence.append(reason)
                decisions[i] = decision


def _differ(found: list[dict[str, Any]], known: list[dict[str, Any]], pages: int) -> bool:
    """Whether the pages of a template found to be products, with those `known` to be, make
    half of it, three or more, and nearly all differ in their name, and most in their photo (a
    site copies a name now and then, and variants share a photo; a template of pages that all
    show one is no product template)."""
    every = found + known
    if not found or len(every) < max(3, 0.5 * pages):
        return False
    names = len({p["name"] for p in every})
    photos = len({p["image_urls"][0] if p["image_urls"] else "" for p in every})
    return names >= 0.8 * len(every) and photos >= 0.5 * len(every)


def _adopt_by_place(
    readings: Sequence[PageReading], decisions: list[Decision], stats: SiteStats
) -> None:
    """A page whose structure sets it apart from the site's product template (a longer text,
    more sections) is a product too when it shows its name where that template's pages show
    theirs (the same heading slot, else the same heading level) and its photo where they show
    theirs: the place of name and photo is the template's, whatever else the page adds."""
    members: dict[int, list[int]] = {}
    for index, reading in enumerate(readings):
        members.setdefault(stats.template_of.get(reading.url, -1), []).append(index)
    places: dict[str, tuple[int, Any]] = {}  # photo slot -> (template, where its names are)
    for group, indices in members.items():
        slot = stats.photo_slots.get(group)
        named = [i for i in indices if decisions[i].product is not None]
        if group < 0 or not slot or len(named) < 3 or 2 * len(named) <= len(indices):
            continue
        levels = Counter(
            h["level"]
            for i in named
            for h in readings[i].features.headings
            if h["text"] == decisions[i].product["name"]
        )
        where = stats.name_slots.get(group) or (levels.most_common(1) or [(None, 0)])[0][0]
        places[slot] = (group, where)
    if not places:
        return
    for index, reading in enumerate(readings):
        if (
            decisions[index].product is not None
            or reading.features is None
            or stats.listing(reading)
            or stats.negative(reading)
            or not any(i.get("slot") in places for i in reading.features.images)
        ):
            continue
        decision = _decide(reading, stats, needed=0)
        product = decision.product
        if product is None or not product["image_urls"]:
            continue
        slot = next(
            (
                i.get("slot")
                for i in reading.features.images
                if i["url"] == product["image_urls"][0]
            ),
            None,
        )
        group, where = places.get(slot, (None, None))
        if group is None or group == stats.template_of.get(reading.url) or where is None:
            continue
        slotted = page_heading_slots(reading, stats)
        if any(h["text"] == product["name"] and where in (key, h["level"]) for h, key in slotted):
            decision.evidence.append(
                "its photo and name sit where the pages of a product template show theirs"
            )
            decisions[index] = decision
