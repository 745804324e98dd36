"""Product pages whose <head> and template leftovers say nothing about them, decided from the
population of pages (`decide_pages`, `decide_products`): small hand-written sites, each built on
a kind of page that round four's held-out sites got wrong (one <title> on every page, a name h2
after a photo whose alt is the template's "feature banner", a page header's backdrop before the
photo, a <head> copied from the home page, a CMS's resized copy of the photo, a home page that
shows a product's photo)."""

from __future__ import annotations

import lxml.html

from ilid_platform.crawl.extract import decide_pages, read_page
from ilid_platform.crawl.extract.page_kinds import negative_heading
from ilid_platform.crawl.pipelines import decide_products

BASE = "https://steel.example"
PRODUCTS = {"rebar": "Rebar", "beam": "Beams", "angle": "Angle", "sheet": "Sheet", "pipe": "Pipes"}


def decide(pages: dict[str, str]) -> dict[str, dict | None]:
    readings = [read_page(html, BASE + path) for path, html in pages.items()]
    return {path: d.product for path, d in zip(pages, decide_pages(readings), strict=True)}


def page(body: str, title: str = "Steel Co - rolled steel", head: str = "") -> str:
    return (
        f"<html><head><title>{title}</title>{head}</head><body>"
        '<header><img src="/logo.png" alt="home"><nav><a href="/index.html">Home</a></nav></header>'
        f"<main>{body}</main><footer><p>Steel Co, Astana.</p></footer></body></html>"
    )


def home(card: str) -> str:
    cards = "".join(card.format(slug=slug, name=name) for slug, name in PRODUCTS.items())
    return page(f"<h1>Rolled steel supplies</h1><ul>{cards}</ul>")


def test_h2_name_after_a_photo_whose_alt_is_a_template_leftover() -> None:
    """Every page has the same <title> and no h1; the name is the only content h2, after the
    photo, whose alt says "feature banner" on every page (declared 300x300: a photo's size)."""
    pages = {
        "/index.html": home(
            '<li><a href="/{slug}.html"><img src="/img/menu-{slug}.jpg" width="150"'
            ' height="150" alt="card"><h3>{name}</h3></a></li>'
        )
    }
    for slug, name in PRODUCTS.items():
        pages[f"/{slug}.html"] = page(
            '<section class="feature"><figure class="feature-banner">'
            f'<img src="/img/{slug}.jpeg" width="300" height="300" alt="feature banner"></figure>'
            f'<div><h2 class="section-title">{name} </h2><p>{name} in stock in Astana.</p>'
            "</div></section>"
        )
    decided = decide(pages)
    assert decided["/index.html"] is None
    for slug, name in PRODUCTS.items():
        assert decided[f"/{slug}.html"]["name"] == name
        assert decided[f"/{slug}.html"]["image_urls"][0] == f"{BASE}/img/{slug}.jpeg"


def test_page_header_backdrop_and_subcategory_heading_before_the_photo() -> None:
    """A page header shows the name over a CSS background of its own on each page, then the
    subcategory's h1, then the photo (an <img>) and the name again: the backdrop of a heading
    is no photo."""
    groups = ["Emitters", "Valves"]
    pages = {
        "/index.html": home('<li><a href="/{slug}.html">{name}</a></li>'),
    }
    for n, (slug, name) in enumerate(PRODUCTS.items()):
        pages[f"/{slug}.html"] = page(
            f'<div class="page-header" style="background-image: url(\'/img/head-{n}.png\')">'
            f'<h1 class="display-3">{name}</h1></div>'
            f'<div class="section"><h1 class="display-5">{groups[n % 2]}</h1>'
            f'<div class="box"><div class="image_2"><img src="/img/{slug}.jpg"></div></div>'
            f"<div><h1>{name}</h1><ul><li>UV-stabilised.</li><li>Easy to fit.</li></ul></div>"
            f'<div class="image_2 text-center"><img src="/img/model-{n}.png"></div></div>',
            title="Gardener - Gardening Website Template",
        )
    decided = decide(pages)
    for slug, name in PRODUCTS.items():
        assert decided[f"/{slug}.html"]["name"] == name
        assert decided[f"/{slug}.html"]["image_urls"][0] == f"{BASE}/img/{slug}.jpg"


def test_head_copied_from_the_home_page_resized_copy_and_home_photo() -> None:
    """A shop export whose every page carries the home page's <head> (an empty <title>,
    rel=canonical "/"), extension-less links; the home page shows one product's photo; a
    product's previous/next thumbnail is a resized copy of its own photo, linking to itself."""
    head = '<link rel="canonical" href="/"><meta property="og:type" content="website">'
    slugs = list(PRODUCTS)
    pages = {
        "/": page(
            f'<h1>Solar systems</h1><a href="/shop"><img src="/v1/{slugs[0]}.png"'
            ' width="500" height="500"></a><p>We size your system.</p>',
            title="",
            head=head,
        ),
        "/shop": page(
            "<h1>Shop</h1><ul>"
            + "".join(
                f'<li class="product"><a href="/item/{slug}"><img src="/v1/{slug}-300x300.png"'
                f' width="300" height="300"><h2>{name}</h2></a>'
                f'<a class="button add_to_cart_button" href="?add={slug}">Add to cart</a></li>'
                for slug, name in PRODUCTS.items()
            )
            + "</ul>",
            title="",
            head=head,
        ),
    }
    for n, (slug, name) in enumerate(PRODUCTS.items()):
        prev = slug if n == 0 else slugs[n - 1]
        pages[f"/item/{slug}"] = page(
            '<div class="product type-product"><div class="woocommerce-product-gallery">'
            f'<img class="wp-post-image" src="/v1/{slug}.png" width="500" height="500"></div>'
            f'<h1 class="product_title entry-title">{name}</h1>'
            f'<div class="nav"><a href="/item/{prev}"><img src="/v1/{prev}-300x225.png"'
            ' width="300" height="225"></a></div>'
            '<p class="price">Ask</p><button class="single_add_to_cart_button">Add to cart</button>'
            "</div>",
            title="",
            head=head,
        )
    items = [
        {"url": BASE + path, "reading": read_page(html, BASE + path).to_json()}
        for path, html in pages.items()
    ]
    outcome = decide_products(items, "solar")
    found = {record.url: (record.name, record.image_urls[0]) for record in outcome.records}
    assert found == {
        f"{BASE}/item/{slug}": (name, f"{BASE}/v1/{slug}.png") for slug, name in PRODUCTS.items()
    }


def test_history_page_in_the_product_template_is_about_the_company() -> None:
    """Every page is a shortlink file (`index.html@p=N.html`), so no url says what a page is;
    the company's history page ("Trayectoria", "Our history") shows its own heading and photo
    in the product template, and is no product."""
    pages = {"/index.html": home('<li><a href="/index.html@p={slug}.html">{name}</a></li>')}
    for n, (slug, name) in enumerate([*PRODUCTS.items(), ("830", "Trayectoria")]):
        pages[f"/index.html@p={slug}.html"] = page(
            f'<div class="page-title"><h1>{name}</h1></div><div class="kc_single_image">'
            f'<img src="/uploads/{slug}.jpg"></div><div class="kc_single_image">'
            f'<img src="/uploads/{slug}-detail.jpg"></div><p>Since {2000 + n}, in Santiago.</p>',
            title=f"{name} – Hidro",
        )
    decided = decide(pages)
    assert decided["/index.html@p=830.html"] is None
    assert {p for p, record in decided.items() if record} == {
        f"/index.html@p={slug}.html" for slug in PRODUCTS
    }
    for heading in ("Our history", "Historia", "Nuestra empresa", "Quiénes somos", "О нас"):
        assert negative_heading(lxml.html.fromstring(f"<div><h1>{heading}</h1></div>")), heading


def test_folder_page_above_its_products_is_their_category() -> None:
    """A CMS mirror files each product line under its category's folder (`/bellows/hot/`),
    links written with backslashes; the folder's own page is a long text with photos of the
    line and links its products from its content: it is their category, and the pages it files
    there with a name and a photo of their own are its products, though each shows one photo
    and no other evidence."""
    lines = {"hot": "Heat-proof bellows", "box": "Box covers", "ring": "Ring bellows"}
    menu = "".join(
        f'<li><a href="..\\bellows\\{slug}\\index.html">{n}</a></li>' for slug, n in lines.items()
    )
    own_menu = menu.replace("..\\bellows\\", "")
    pages = {"/index.html": page("<h1>Rubber goods plant</h1><p>Since 1960.</p>", "Plant")}
    for slug, name in {"": "Bellows for rods", **lines}.items():
        path = f"/bellows/{slug}/index.html" if slug else "/bellows/index.html"
        second = "" if slug else '<p><img src="/img/line-2.jpg"></p>'
        pages[path] = page(
            f'<div id="content"><h1>{name}</h1>'
            f'<p class="{slug}"><img src="/img/{slug or "line"}.jpg"></p>'
            f"<p>{name} made to order.</p>{second}"
            f"<ul>{menu if slug else own_menu}</ul></div>",
            f"{name} - Plant",
        )
    seals = ("oil-seal", "rod-seal", "wiper", "o-ring")
    for slug in seals:
        pages[f"/seals/{slug}.html"] = page(
            f'<div id="content"><h1>Seal {slug}</h1><p><img src="/img/{slug}.jpg"></p>'
            f'<p>Seal {slug} in NBR.</p><p><img src="/img/{slug}-2.jpg"></p><ul>{menu}</ul></div>',
            f"Seal {slug} - Plant",
        )
    decided = decide(pages)
    assert decided["/bellows/index.html"] is None
    seal_names = {f"/seals/{slug}.html": f"Seal {slug}" for slug in seals}
    assert names_of(decided) == seal_names | {
        f"/bellows/{slug}/index.html": n for slug, n in lines.items()
    }


def names_of(decided: dict[str, dict | None]) -> dict[str, str]:
    return {path: record["name"] for path, record in decided.items() if record}
