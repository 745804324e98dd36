"""Product pages recognised from the site's own population of pages, as on hand-written
catalogs outside the corpus: small sites decided together (`decide_pages`), each built on one
way the held-out sites of round one stored no record at all."""

from __future__ import annotations

from ilid_platform.crawl.extract import decide_pages, read_page

BASE = "https://works.example"
MACHINES = {
    "lathe": "Bench Lathe",
    "press": "Hydraulic Press",
    "drill": "Pillar Drill",
    "saw": "Band Saw",
    "mill": "Milling Machine",
}


def decide(pages: dict[str, str]) -> dict[str, dict | None]:
    readings = [read_page(html, BASE + path) for path, html in pages.items()]
    return {path: d.product for path, d in zip(pages, decide_pages(readings), strict=True)}


def names(decided: dict[str, dict | None]) -> dict[str, str]:
    return {path: record["name"] for path, record in decided.items() if record}


def page(body: str, title: str = "Works Ltd", menu: str = "") -> str:
    links = menu or "".join(
        f'<li><a href="/{slug}.html">{n}</a></li>' for slug, n in MACHINES.items()
    )
    return (
        f"<html><head><title>{title}</title></head><body>"
        f'<div class="top"><img src="/logo.png" alt="Works Ltd"><nav><ul>{links}</ul></nav></div>'
        f"{body}<footer><p>Works Ltd, Mill Road 4, Leeds. Call us on 0113 000 0000.</p>"
        "<p>Machines for workshops since 1971.</p></footer></body></html>"
    )


def test_a_theme_naming_its_content_wrapper_sidebar_or_accessories_and_an_faq_on_every_page() -> (
    None
):
    """Every product page sits in `div.sidebar-page-container` and `section.accessories` (the
    names of a theme and of a product line), shows an "FAQ" h1 block, and its photo links to
    the page itself (href written with backslashes elsewhere); a real sidebar of links stays
    a sidebar, and the contact page is none."""
    pages = {"/index.html": page("<h1>Works Ltd</h1><p>Welcome to our workshop machines.</p>")}
    for slug, name in MACHINES.items():
        pages[f"/{slug}.html"] = page(
            '<div class="sidebar-page-container"><section class="accessories">'
            f'<div class="accessories__photo"><a href="{slug}.html">'
            f'<img src="images\\{slug}\\main.jpg" alt=""></a></div>'
            f"<h2>{name}</h2><p>The {name.lower()} is built in our own works from cast iron"
            " and steel, tested before it leaves, and serviced by our fitters for life.</p>"
            "<h1>FAQ</h1><p>Q: Do you ship abroad? A: Yes, by sea freight to any port.</p>"
            "</section></div>"
            '<div class="sidebar"><ul><li><a href="/index.html">All machines</a></li>'
            '<li><a href="/contact.html">Ask for a quote</a></li></ul></div>',
            title=f"{name} | Works Ltd",
        )
    pages["/contact.html"] = page(
        '<div class="sidebar-page-container"><h1>Contact us</h1>'
        '<img src="/images/office.jpg" alt="Our office"><p>Mill Road 4, Leeds.</p></div>'
    )
    decided = decide(pages)
    assert names(decided) == {f"/{slug}.html": name for slug, name in MACHINES.items()}
    assert decided["/press.html"]["image_urls"][0] == f"{BASE}/images/press/main.jpg"


def test_listings_of_tiles_linked_by_text_and_a_product_line_of_unlinked_variant_tiles() -> None:
    """The home page lists the machines as tiles whose only link is a "View product" button,
    and the lathe also through a link around a lazy-load background; each machine's page shows
    its sizes as a grid of tiles that link nowhere, the first one its photo; no spec table,
    price or buy button anywhere."""
    tiles = "".join(
        f'<div class="tile"><img src="/img/{slug}-card.jpg" alt=""><h4>{name}</h4>'
        f'<a class="btn" href="/{slug}.html">View product</a></div>'
        for slug, name in MACHINES.items()
    )
    featured = '<a href="/lathe.html"><div class="pic" data-bg="/img/lathe-wide.jpg"></div></a>'
    pages = {"/index.html": page(f"<h1>Our machines</h1>{featured}<div>{tiles}</div>")}
    for slug, name in MACHINES.items():
        sizes = "".join(
            f'<div class="card"><img src="/img/{slug}-{size}.jpg" alt="{name} {size}">'
            f"<p>{size} mm</p></div>"
            for size in (200, 300, 400, 500)
        )
        pages[f"/{slug}.html"] = page(
            f"<h1>{name}</h1><p>Our {name.lower()} comes in four sizes.</p>"
            f'<div class="sizes">{sizes}</div>',
            title=f"{name} - Works Ltd",
        )
    readings = [read_page(html, BASE + path) for path, html in pages.items()]
    decisions = dict(zip(pages, decide_pages(readings), strict=True))
    decided = {path: d.product for path, d in decisions.items()}
    assert names(decided) == {f"/{slug}.html": name for slug, name in MACHINES.items()}
    assert decided["/drill.html"]["image_urls"][0] == f"{BASE}/img/drill-200.jpg"
    assert all("listed +1" in " ".join(decisions[f"/{slug}.html"].evidence) for slug in MACHINES)
    assert decided["/index.html"] is None


def test_variants_sharing_one_photo_categories_linking_by_text_and_a_heading_slip() -> None:
    """Four presses of one category show the same photo, as the category's cards do; three
    saws show their own; two categories of one template link the products by text, one all
    of them, the other its two saws; one press's banner h1 has a stray letter that the title
    and its content heading do not."""
    presses = {f"/press-{n}.html": f"Press {n} Tonne" for n in (10, 20, 30, 40)}
    saws = {f"/saw-{n}.html": f"Band Saw {n}" for n in (250, 320, 400)}
    menu = "".join(f'<li><a href="{p}">{n}</a></li>' for p, n in {**presses, **saws}.items())
    ranges = "".join(
        f'<a href="/{c}.html"><img src="/img/{c}-t.jpg"></a>' for c in ("machines", "saws")
    )
    about = "".join(f"<p>Works Ltd has built machines since {y}.</p>" for y in range(1971, 1990))
    pages = {"/index.html": page(f"<h1>Works Ltd</h1>{about}{ranges}", menu=menu)}
    for path, name in {**presses, **saws}.items():
        photo = "/img/press.jpg" if path in presses else f"/img/{path[1:-5]}.jpg"
        banner = "sPress 20 Tonne" if path == "/press-20.html" else name
        pages[path] = page(
            f'<div class="banner"><h1>{banner}</h1></div><div class="content">'
            f'<h2>{name}</h2><div class="photo"><img src="{photo}" alt=""></div>'
            "<p>Built for daily work in small and large workshops alike.</p></div>",
            title=f"{name} - Works Ltd",
            menu=menu,
        )
    cards = "".join(
        f'<div class="col"><img src="/img/press.jpg" alt=""><h4>{n}</h4>'
        f'<a href="{p}">Read more</a></div>'
        for p, n in presses.items()
    )
    pages["/presses.html"] = page(f"<h1>Presses</h1><div class='row'>{cards}</div>", menu=menu)
    for path, linked in (("/machines.html", {**presses, **saws}), ("/saws.html", saws)):
        links = "".join(f'<li><a href="{p}">{n}</a></li>' for p, n in linked.items())
        pages[path] = page(
            f'<section class="range"><h1>{path[1:-5].title()}</h1>'
            f'<img src="/img/{path[1:-5]}-range.jpg" alt=""><p>Our range.</p>'
            f'<img src="/img/{path[1:-5]}-works.jpg" alt="">'
            f'<ul class="models">{links}</ul></section>',
            menu=menu,
        )
    decided = decide(pages)
    assert names(decided) == {**presses, **saws}
    assert {decided[p]["image_urls"][0] for p in presses} == {f"{BASE}/img/press.jpg"}


def test_product_pages_showing_other_products_as_thumbnails_are_no_listings() -> None:
    """24 valves, each page showing four other valves as linked thumbnails in a block named
    for nothing related; the category lists them all. The product pages link each other, so
    they are details, not listings."""
    valves = [f"valve-{n}" for n in range(1, 25)]

    def card(slug: str) -> str:
        return (
            f'<div class="box"><a href="/{slug}.html"><img src="/img/{slug}-t.jpg"></a>{slug}</div>'
        )

    pages = {"/valves.html": page(f"<h1>Valves</h1>{''.join(map(card, valves))}")}
    for n, slug in enumerate(valves):
        more = "".join(card(valves[(n + k) % len(valves)]) for k in range(1, 5))
        pages[f"/{slug}.html"] = page(
            f"<h1>Ball valve {n + 1}</h1><img src='/img/{slug}.jpg' width=600 height=400>"
            f"<table><tr><td>Size</td><td>DN{15 + n}</td></tr><tr><td>Body</td><td>Brass</td>"
            f"</tr></table><h3>More valves</h3><div class='more'>{more}</div>",
            title=f"Ball valve {n + 1} - Works Ltd",
        )
    decided = decide(pages)
    assert names(decided) == {
        f"/{slug}.html": f"Ball valve {n + 1}" for n, slug in enumerate(valves)
    }
    assert decided["/valve-7.html"]["image_urls"][0] == f"{BASE}/img/valve-7.jpg"


def test_one_template_for_every_page_contact_and_about_included() -> None:
    """A one-template site: home, about, contact, four products each with a gallery of two
    photos and no other evidence, and three news pages without photos. The pages that say
    they are no product do not count against the template: half of the others are products."""
    bodies = {
        "/index.html": "<h1>Works Ltd</h1><p>Machines for workshops.</p>",
        "/about.html": "<h1>About us</h1><p>Since 1971.</p>",
        "/contact.html": "<h1>Contact</h1><p>Mill Road 4.</p>",
    }
    products = dict(list(MACHINES.items())[:4])
    for n, (slug, name) in enumerate(products.items()):
        photos = "".join(f'<img src="/img/{slug}-{i}.jpg" alt="{name}">' for i in (1, 2))
        bodies[f"/{slug}.html"] = f"<h1>{name}</h1><div>{photos}</div><p>{name} {n}.</p>"
    for n in range(3):
        bodies[f"/news-{n}.html"] = f"<h1>News of week {n}</h1><div></div><p>Open day.</p>"
    decided = decide({path: page(f'<div class="content">{b}</div>') for path, b in bodies.items()})
    assert names(decided) == {f"/{slug}.html": name for slug, name in products.items()}
