"""What a site's cards say about the pages they link to (`decide_pages`): small hand-written
sites, each built on one kind of page that working sites got wrong (a brand's logo above the
product's photo, rows of three cards whose photos are no links, page-builder ids that differ
on every page, a listing page that shows pictures of its own)."""

from __future__ import annotations

import hashlib

import pytest

from ilid_platform.crawl.extract import decide_pages, read_page
from ilid_platform.crawl.extract.patterns import node_label

BASE = "https://power.example"


def decide(pages: dict[str, str]) -> dict[str, dict | None]:
    readings = [read_page(html, BASE + path) for path, html in pages.items()]
    return {path: d.product for path, d in zip(pages, decide_pages(readings), strict=True)}


def page(body: str, title: str = "Power Ltd") -> str:
    return (
        f"<html><head><title>{title}</title></head><body>"
        '<header><a href="/index.html"><img src="/logo.png" alt="Power Ltd"></a>'
        '<nav><a href="/index.html">Home</a> <a href="/products.html">Products</a></nav>'
        f"</header>{body}<footer><p>Power Ltd, Lagos.</p></footer></body></html>"
    )


BRANDS = {"apc": "APC UPS", "kstar": "KSTAR UPS", "riello": "Riello UPS", "tamer": "Tamer AVR"}


def test_photo_is_the_one_the_listing_card_shows_not_the_brand_logo_above_it() -> None:
    """Each brand page shows the brand's logo first, in the place where every page of the
    template shows a picture of its own, then the product's photo in a classless block beside
    its quote buttons, then a row of option cards (classless blocks too, under another parent).
    The listing's card for the page shows the product's photo: that is the page's photo."""
    cards = "".join(
        f'<div><a href="/{slug}.html"><img src="/images/{slug}-unit.png"></a><br>'
        f'<a href="/{slug}.html">{name}</a></div>'
        for slug, name in BRANDS.items()
    )
    pages = {
        "/index.html": page("<h1>Power Ltd</h1><p>Power protection since 2010.</p>"),
        "/products.html": page(f'<h1>Products</h1><section class="cl">{cards}</section>'),
    }
    for n, (slug, name) in enumerate(BRANDS.items()):
        options = "".join(
            f'<div><img src="/images/{slug}-opt{i}.png"><p>{name} option {i}</p>'
            '<a href="/contact.html">Request Data Sheet</a></div>'
            for i in range(3)
        )
        pages[f"/{slug}.html"] = page(
            f'<div class="banner"><h1>{name}</h1></div><div class="k1"><h2>Tagline {n}</h2></div>'
            f'<div class="size k2"><img src="/images/{slug}-mark.png"><p>About {name}.</p></div>'
            f'<div class="size k3"><div><img src="/images/{slug}-unit.png"><div class="ka">'
            '<div><a href="">Contact Sales</a></div><div><a href="">Request Quote</a></div>'
            f'</div></div><div class="uid"><h3>{name} 10 kVA</h3><ul><li>10 kVA</li></ul>'
            f'</div></div><section class="size options"><h4>OPTIONS</h4><div class="opt">'
            f"{options}</div></section>"
        )
    decided = decide(pages)
    photos = {path: r["image_urls"][0] for path, r in decided.items() if r}
    assert photos == {f"/{slug}.html": f"{BASE}/images/{slug}-unit.png" for slug in BRANDS}
    assert {decided[f"/{slug}.html"]["name"] for slug in BRANDS} == set(BRANDS.values())


@pytest.mark.parametrize(
    "row",
    [
        # Slides told apart by their ids: each photo in a place of its own.
        '<div class="slider_producto">{}</div>',
        '<div class="row">{}</div>',  # no gallery by name: photos in one place of the page
    ],
)
def test_card_showing_another_photo_of_the_gallery_leaves_the_first_one_main(row: str) -> None:
    """A listing's card shows the second photo of a product's gallery or row of photos (a
    hover picture): the first photo stays the product's photo."""
    ids = ["one", "two", "three"] if "slider" in row else ["", "", ""]
    cards = "".join(
        f'<div class="item"><a href="/{slug}.html"><img src="/img/{slug}/2.jpg"></a>'
        f'<a href="/{slug}.html">{name}</a></div>'
        for slug, name in BRANDS.items()
    )
    pages = {
        "/index.html": page("<h1>Power Ltd</h1><p>Power protection since 2010.</p>"),
        "/products.html": page(f'<h1>Products</h1><div class="grid">{cards}</div>'),
    }
    for slug, name in BRANDS.items():
        slides = "".join(
            f'<div class="col"><div class="post-img" id="{ids[i - 1]}">'
            f'<img src="/img/{slug}/{i}.jpg"></div></div>'
            for i in (1, 2, 3)
        )
        pages[f"/{slug}.html"] = page(
            f"<h1>{name}</h1>{row.format(slides)}"
            f"<table><tr><th>Power</th><td>10 kVA</td></tr><tr><th>Phase</th><td>3</td></tr>"
            "</table>"
        )
    decided = decide(pages)
    assert {path: r["image_urls"][0] for path, r in decided.items() if r} == {
        f"/{slug}.html": f"{BASE}/img/{slug}/1.jpg" for slug in BRANDS
    }


def _builder_id(text: str) -> str:
    """An id as a page builder makes it per element: hex, different on every page."""
    return hashlib.md5(text.encode()).hexdigest()[:7]


PRODUCTS = {
    "hid": ["OMNIKEY 5422", "OMNIKEY 5427", "OMNIKEY 5023"],
    "aperio": ["Aperio E100", "Aperio H100", "Aperio KS100"],
    "tansa": ["Tripod Turnstile", "Swing Gate"],
}


def test_brochure_products_in_rows_of_three_cards_under_page_builder_ids() -> None:
    """A portfolio theme without h1, structured data or buy buttons: products are reached
    from brand pages of two or three cards (photo, name, "More" link; the photo is no link),
    which a hardware page lists. Every element carries a page builder's id of its own, so no
    two pages share their classes as written. The product's photo is the file its brand's
    card shows. The products page shows two pictures of its own, in the place where the
    listings of its template show their cards' photos: no product."""

    def card(slug: str, name: str, image: str) -> str:
        return (
            f'<div class="project-item"><img src="{image}"><h3>{name}</h3>'
            f'<a href="/project/{slug}/">More</a></div>'
        )

    def listing(name: str, items: list[tuple[str, str, str]]) -> str:
        cards = "".join(card(*item) for item in items)
        return page(f'<div class="banner"><h2>{name}</h2></div><div class="slide">{cards}</div>')

    def slug(name: str) -> str:
        return name.lower().replace(" ", "-")

    pages = {
        "/index.html": page('<div class="hero"><h2>Security for every door</h2></div>'),
        "/urunler/": listing(
            "Our products",
            [("hardware", "Hardware", "/img/hw.png"), ("software", "Software", "/img/sw.png")],
        ),
        "/project/hardware/": listing(
            "Hardware", [(b, b.upper(), f"/img/{b}-brand.png") for b in PRODUCTS]
        ),
    }
    for brand, names in PRODUCTS.items():
        pages[f"/project/{brand}/"] = listing(
            brand.upper(), [(slug(n), n, f"/img/{slug(n)}.png") for n in names]
        )
        for n, name in enumerate(names):
            ids = [_builder_id(f"{name}{i}") for i in range(4)]
            text = "".join(f"<p>{name} paragraph {i}.</p>" for i in range(n + 1))
            pages[f"/project/{slug(name)}/"] = page(
                f'<div class="banner"><ul class="crumb"><li>Home</li><li>{name}</li></ul>'
                f'<h2>{name}</h2></div><div class="elementor-section elementor-{ids[0]}">'
                f'<div class="elementor-column elementor-element-{ids[1]}">'
                f'<div class="elementor-widget elementor-element-{ids[2]} widget-image">'
                f'<img class="attachment-large wp-image-{n}" src="/img/{slug(name)}.png"></div>'
                f'</div><div class="elementor-column elementor-element-{ids[3]}">{text}'
                '<a href="/brochure.pdf">Brochure</a></div></div>',
                f"{name} - TekSec",
            )
    decided = decide(pages)
    products = {path: r for path, r in decided.items() if r}
    expected = {f"/project/{slug(n)}/": n for names in PRODUCTS.values() for n in names}
    assert {path: r["name"] for path, r in products.items()} == expected
    for path, record in products.items():
        assert record["image_urls"][0] == f"{BASE}/img/{path.split('/')[2]}.png"


def test_node_label_drops_page_builder_ids_and_numbers() -> None:
    assert node_label("div", "elementor-element elementor-element-3cfd5e2", "") == node_label(
        "div", "elementor-element elementor-element-a1b9", ""
    )
    assert node_label("div", "post-123 col-md-6", "") == node_label("div", "post-7 col-md-4", "")
    # A class without a digit in its last part is a name, not an id.
    assert node_label("div", "product-main", "") != node_label("div", "product-gallery", "")


def _jsonld(name: str, image: str) -> str:
    return (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        f'"Product", "name": "{name}", "image": "https://original.example{image}"}}</script>'
    )


def test_product_markup_that_shows_the_photo_of_another_pages_card() -> None:
    """Every page carries a Product block (on the original host of a mirror). A listing's
    names the photo of one of its three cards, and the listing shows no photo of its own:
    no product. One product's block names a sibling's photo (copied): its own photo wins."""
    groups = {"mixers": ["Ribbon Blender", "Cone Blender", "Paddle Mixer"]}
    groups["dryers"] = ["Tray Dryer", "Drum Dryer", "Spray Dryer"]

    def slug(name: str) -> str:
        return name.lower().replace(" ", "-")

    pages = {"/index.html": page("<h1>Power Ltd</h1><p>Process equipment.</p>")}
    for group, names in groups.items():
        cards = "".join(
            f'<div class="card"><a href="/{slug(n)}.html"><img src="/img/{slug(n)}.jpg"></a>'
            f"<h3>{n}</h3></div>"
            for n in names
        )
        pages[f"/{group}.html"] = page(
            f'<h1 class="title">{group.title()}</h1><div class="cards">{cards}</div>'
            + _jsonld(f"{names[0]} Manufacturer", f"/img/{slug(names[0])}.jpg")
        )
        for n in names:
            marked = "/img/cone-blender.jpg" if n == "Ribbon Blender" else f"/img/{slug(n)}.jpg"
            pages[f"/{slug(n)}.html"] = page(
                f'<h1 class="title">{n}</h1><div class="media"><img src="/img/{slug(n)}.jpg">'
                f"</div><p>{n} in stainless steel.</p>" + _jsonld(n, marked)
            )
    decided = decide(pages)
    products = {path: r for path, r in decided.items() if r}
    assert set(products) == {f"/{slug(n)}.html" for names in groups.values() for n in names}
    assert products["/ribbon-blender.html"]["image_urls"][0] == f"{BASE}/img/ribbon-blender.jpg"
    assert (
        products["/drum-dryer.html"]["image_urls"][0]
        == "https://original.example/img/drum-dryer.jpg"
    )
