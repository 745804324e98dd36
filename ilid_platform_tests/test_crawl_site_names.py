"""Names decided from the population of pages (`decide_pages`): small hand-written sites, each
built on a kind of page that round six's sites got wrong (a model series prefix every title
shares, a category heading that a listing also shows, structured names that add the same
search-engine word after each page's heading)."""

from __future__ import annotations

import json

from ilid_platform.crawl.extract import decide_pages, read_page
from ilid_platform.crawl.extract.naming import strip_affixes, title_affixes

BASE = "https://kit.example"


def decide(pages: dict[str, str]) -> dict[str, dict | None]:
    readings = [read_page(html, BASE + path) for path, html in pages.items()]
    return {path: d.product for path, d in zip(pages, decide_pages(readings), strict=True)}


def page(body: str, title: str, head: str = "") -> str:
    return (
        f"<html><head><title>{title}</title>{head}</head><body>"
        '<header><img src="/logo.png" alt="home"><nav><a href="/index.html">Home</a></nav></header>'
        f"<main>{body}</main><footer><p>Kit Co, Lima.</p></footer></body></html>"
    )


def test_model_series_prefix_of_every_title_is_no_shop_name() -> None:
    """Titles that are only model codes ("MK-M20", "MK-L5,5") share "MK-", glued to the code
    by a bare hyphen: part of each name, not a site-wide affix; " - Shop" still is one."""
    titles = ["MK-M20", "MK-L5,5", "MK-OR20", "MK-P30/1", "MK-F24"]
    affixes: dict[str, int] = {}
    for title in titles:
        for part in title_affixes(title):
            affixes[part] = affixes.get(part, 0) + 1
    common = {part for part, n in affixes.items() if n >= 3}
    assert [strip_affixes(t, common) for t in titles] == titles
    shop = [f"{t} - Metro Shop" for t in titles]
    common = {
        p for t in shop for p in title_affixes(t) if sum(p in title_affixes(s) for s in shop) >= 3
    }
    assert [strip_affixes(t, common) for t in shop] == titles
    assert strip_affixes("Mixer-巩义市", title_affixes("Drum-巩义市")) == "Mixer"


def test_category_heading_that_a_listing_shows_keeps_the_name_slot() -> None:
    """Product pages head their text with the category's h2, then the product's own h2; one
    category's h2 is also its listing's heading (a site heading, dropped) and its pages add
    an h2 after the name: the name slot is still the second h2, on that category's pages too."""
    categories = {
        "Protection": ("ESSENTIAL SAFETY", ["Helmet", "Goggles", "Gas mask", "Respirator"]),
        "Workwear": ("STYLE AND STRENGTH", ["Boots", "Overall", "Padded jacket", "Oxford shirt"]),
        "Extinguishers": (
            "EXTINGUISHERS",
            ["Water 20 lbs", "Powder 10 lbs", "Foam 20 lbs", "Halotron"],
        ),
    }
    collections = "".join(
        f'<a href="/{c.lower()}"><img src="/img/{c}.jpg"><p>{c}</p></a>' for c in categories
    )
    pages = {
        "/index": page(f"<h2>KIT SUPPLIES</h2><div>{collections}</div>", "KIT"),
        "/about": page("<h2>Kit Co</h2><p>Workwear and safety since 1990.</p>", "About KIT"),
    }
    for category, (slogan, names) in categories.items():
        cards = "".join(
            f'<a href="/{n.lower().replace(" ", "_")}"><img src="/img/{n[:4]}-c.jpg"><p>{n}</p></a>'
            for n in names
        )
        pages[f"/{category.lower()}"] = page(f"<h2>{slogan}</h2><div>{cards}</div>", category)
        for name in names:
            path = name.lower().replace(" ", "_")
            pages[f"/{path}"] = page(
                f"<section><h2>{category}</h2><p>Call us for advice</p></section>"
                f'<div class="slider"><img src="/img/{path}.jpg" width="400" height="400"></div>'
                f'<div class="titulo"><h2>{name}</h2></div>'
                f"<h3>Details</h3><p>{name}: certified, sizes S to XL, delivered in Lima.</p>"
                + (
                    "<h2>Extinguisher types</h2><p>A, B, C.</p>"
                    if slogan == category.upper()
                    else ""
                ),
                f"{name} KIT",
            )
    decided = decide(pages)
    for _, names in categories.values():
        for name in names:
            product = decided["/" + name.lower().replace(" ", "_")]
            assert product is not None and product["name"] == name


def test_search_wording_that_structured_names_add_after_the_heading_is_cut() -> None:
    """JSON-LD Product names are "<h1> Manufacturer" (some with " - Shop"): the word every
    page adds after its heading starts the site's wording, so the name ends before it, even
    where the markup's words differ from the heading ("Vibro Shifter" for "Vibro Shifters")."""
    products = {
        "tray": ("Tray Dryer", "Tray Dryer Manufacturer"),
        "bed": ("Fluid Bed Dryer", "Fluid Bed Dryer Manufacturer - Kit Fabricators"),
        "ribbon": ("Ribbon Blender", "Ribbon Blender Manufacturer"),
        "cone": ("Double Cone Blender", "Double Cone Blender Manufacturer"),
        "sifter": ("Vibro Shifters", "Vibro Shifter Manufacturer"),
    }
    pages = {}
    for slug, (heading, markup) in products.items():
        data = {"@context": "https://schema.org", "@type": "Product", "name": markup}
        data["image"] = f"{BASE}/img/{slug}.jpg"
        pages[f"/{slug}.html"] = page(
            f'<h1 class="title">{heading}</h1><img src="/img/{slug}.jpg" width="400" height="400">'
            f"<h2>{heading} Manufacturer</h2><p>{heading} built to order.</p>",
            f"{heading} Manufacturer | Supplier from Gujarat",
            f'<script type="application/ld+json">{json.dumps(data)}</script>',
        )
    decided = decide(pages)
    assert {slug: decided[f"/{slug}.html"]["name"] for slug in products} == {
        "tray": "Tray Dryer",
        "bed": "Fluid Bed Dryer",
        "ribbon": "Ribbon Blender",
        "cone": "Double Cone Blender",
        "sifter": "Vibro Shifter",
    }
