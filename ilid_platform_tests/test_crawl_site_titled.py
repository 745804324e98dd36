"""Pages decided from the population of pages (`decide_pages`) where the page's own markup
says little: names that only the <title> gives, and pages whose folder or structured data
says one thing while the site's catalog says another (round eight's kinds of page)."""

from __future__ import annotations

import json

from ilid_platform.crawl.extract import decide_pages, read_page
from ilid_platform.crawl.extract.names import structured_name
from ilid_platform.crawl.extract.site_stats import SiteStats

BASE = "https://pack.example"


def decide(pages: dict[str, str]) -> dict[str, dict | None]:
    readings = [read_page(html, BASE + path) for path, html in pages.items()]
    return {path: d.product for path, d in zip(pages, decide_pages(readings), strict=True)}


def test_title_part_that_names_the_linked_category_is_no_part_of_the_name() -> None:
    """An old CMS without heading tags titles each product "Name | Category | Products |
    Shop", and its left column links the category by that word: the title without its
    site-wide part still ends in the category, which a few pages share; the name is what
    comes before it, also where a product is named like its category."""
    shelves = {
        "Foam sheet": ["Foam sheet", "Foam sheet 2"],
        "Bubble bag": ["White bubble bag"],
        "Foam roll": ["Foam roll 1", "Foam roll 2", "Foam roll"],
    }
    paths = {name: f"/product/{n}.html" for n, name in enumerate(sum(shelves.values(), []))}
    pages = {"/index.html": "<html><head><title>Pack Co</title></head><body><p>Hi</p></body>"}
    for number, (category, names) in enumerate(shelves.items()):
        siblings = "".join(f'<li><a href="{paths[x]}">{x}</a></li>' for x in names)
        for name in names:
            pages[paths[name]] = (
                f"<html><head><title>{name} | {category} | Products | Pack Co</title></head>"
                '<body><div id="top"><img src="/images/banner.jpg" width="900" height="90"></div>'
                f'<div id="left"><a href="/product/list-{number}.html">{category}</a>'
                f'<ul>{siblings}</ul></div><div id="right"><div id="path">'
                f'<a href="/news.php?id={number}">{category}</a></div>'
                f'<div id="contentTitle">{name}</div><table><tr><td>Photo</td><td>'
                f'<img src="/upload{paths[name]}.jpg" width="230" height="150"></td></tr>'
                f"<tr><td>Name:</td><td>{name}</td></tr><tr><td>Item no:</td><td>2009-08</td></tr>"
                "<tr><td>Origin:</td><td>Wuhan</td></tr><tr><td>Use:</td><td>Packing</td></tr>"
                '</table></div><div id="foot">(c) 2009 Pack Co</div></body></html>'
            )
    found = decide(pages)
    names = {p: r["name"] for p, r in found.items() if r}
    expected = [n for names_ in shelves.values() for n in names_]
    assert sorted(names.values()) == sorted(expected)


def company_page(body: str, title: str) -> str:
    menu = "".join(
        f'<li><a href="/{p}.html">{p.title()}</a></li>' for p in ("index", "products", "contacts")
    )
    return (
        f"<html><head><title>{title} | Mould Co</title></head><body>"
        f'<header><img src="/logo.png" alt="Mould Co"><nav><ul>{menu}</ul></nav></header>'
        f'<main><h1 class="title">{title}</h1>{body}</main>'
        "<footer><p>Mould Co, Kineshma. Moulds since 2012.</p></footer></body></html>"
    )


def test_portfolio_items_that_the_catalog_lists_are_products() -> None:
    """A theme files a toolmaker's products as portfolio items (/portfolio/<slug>.html), each
    a heading, one photo and a sentence; the site's catalog page (/products.html) lists them
    with a thumbnail card each: they are its products. A portfolio item no catalog lists, and
    a news item, stay what their folder says."""
    moulds = ["Helmet mould", "Goggles mould", "Welding mask mould", "Punch and die", "Blade die"]
    slugs = {name: name.lower().replace(" ", "-") for name in moulds}
    cards = "".join(
        f'<div class="item"><a href="/portfolio/{slugs[n]}.html">'
        f'<img src="/files/{slugs[n]}-s.png" width="220" height="160"></a>'
        f'<h3><a href="/portfolio/{slugs[n]}.html">{n}</a></h3></div>'
        for n in moulds
    )
    pages = {
        "/index.html": company_page("<p>We design and build moulds and dies.</p>", "Mould Co"),
        "/products.html": company_page(f'<div class="grid">{cards}</div>', "Examples of products"),
        "/contacts.html": company_page("<p>Call +7 000 000 00 00.</p>", "Contacts"),
    }
    for name in moulds:
        pages[f"/portfolio/{slugs[name]}.html"] = company_page(
            f'<article><img src="/files/styles/blog/{slugs[name]}.png" width="300" height="245">'
            f"<p>An example of a {name.lower()} we made.</p>"
            '<a href="/taxonomy/all.html">All</a></article>',
            name,
        )
    pages["/portfolio/our-workshop.html"] = company_page(
        '<article><img src="/files/styles/blog/workshop.png" width="300" height="245">'
        "<p>Our workshop and its machines.</p></article>",
        "Our workshop",
    )
    found = decide(pages)
    names = sorted(r["name"] for r in found.values() if r)
    assert names == sorted(moulds)


def builder_page(name: str, columns: list[str], title: str = "") -> str:
    """A site builder's page: a side menu, the name in the banner, then rows of columns."""
    menu = "".join(f'<li><a href="/{p}.html">{p}</a></li>' for p in ("index", "gear", "contact"))
    rows = "".join(
        '<table class="multicol"><tr>'
        + "".join(f'<td class="col">{cell}</td>' for cell in row.split("|"))
        + "</tr></table>"
        for row in columns
    )
    return (
        f"<html><head><title>{title or name} - Pump Ltd</title></head><body>"
        f'<div id="nav"><ul class="menu">{menu}</ul></div><div id="banner"><h2>{name}</h2>'
        f"<p>{name} for farms and industry, made in Italy.</p></div>"
        f'<div id="content">{rows}</div><div id="footer">Made with a builder</div></body></html>'
    )


def photo(path: str, caption: str = "") -> str:
    image = f'<a><img src="/uploads/{path}" alt="Picture"></a>'
    return f'<div class="image">{image}<div>{caption}</div></div>'


def button(href: str, text: str) -> str:
    return f'<div class="centred"><a class="button" href="{href}"><span>{text}</span></a></div>'


def test_layout_tables_of_buttons_and_photos_are_no_spec_tables() -> None:
    """A site builder lays out its brochure pages in two-column tables: photos with their
    captions side by side, two buttons side by side. Those rows are no spec rows (no label
    and its value), so the site speaks no spec language that pages without them lack: every
    product page of the template is a product. A repairs page is a service."""
    pumps = ["PTO Pumps", "Diesel pump sets", "Gear Pumps", "Vertical Pumps", "Bespoke Pumps"]
    slugs = {n: n.lower().replace(" ", "-") for n in pumps}
    pages = {
        "/index.html": builder_page("Welcome", [button("/contact.html", "Contact")]),
        "/contact.html": builder_page("Contact", ["<p>Call 09 000 000</p>"]),
    }
    for number, name in enumerate(pumps):
        columns = [photo(f"{slugs[name]}.jpg", f"{name} on a frame")]
        if number % 2:
            for side in "ab":  # two rows of photos, two of buttons
                columns.append(
                    photo(f"{number}{side}1.jpg", "One stage")
                    + "|"
                    + photo(f"{number}{side}2.jpg", "Two stages")
                )
            columns.append(
                button(f"/{slugs[pumps[number - 1]]}.html", pumps[number - 1])
                + "|"
                + button("/contact.html", "Contact us")
            )
            columns.append(button("/gear.html", "Gear") + "|" + button("/index.html", "Home"))
        pages[f"/{slugs[name]}.html"] = builder_page(name, columns)
    pages["/repairs.html"] = builder_page(
        "Pump Repairs",
        [
            photo("worn.jpg", "A worn impeller"),
            button("/contact.html", "Contact us") + "|" + button("/index.html", "Home page"),
        ],
        "Repairs",
    )
    found = decide(pages)
    names = sorted(r["name"] for r in found.values() if r)
    assert names == sorted(pumps)


def hand_page(h1: str, body: str, product: dict | None = None, extra: bool = False) -> str:
    """A hand-written Bootstrap page: navbar, a hero with the only h1, content rows, and a
    block of JSON-LD pasted into its head; `extra` adds sections of other markup (a page
    written apart from the others)."""
    data = ""
    if product:
        block = json.dumps({"@context": "https://schema.org", "@type": "Product", **product})
        data = f'<script type="application/ld+json">{block}</script>'
    nav = "".join(f'<a class="nav-link" href="/{p}.html">{p}</a>' for p in ("index", "products"))
    more = ""
    if extra:
        more = "".join(
            f'<section class="why"><blockquote><em>Reason {i}</em></blockquote><ul>'
            + "".join(f"<li><span><b>Point {k}</b> <i>detail</i></span></li>" for k in range(4))
            + '</ul><form><label>Ask</label><input name="q"><select><option>1</option>'
            "</select><button>Send</button></form></section>"
            for i in range(4)
        )
    return (
        f"<html><head><title>{h1} - Acme Marine</title>{data}</head><body>"
        f'<nav class="navbar"><a class="navbar-brand" href="/index.html"></a>{nav}</nav>'
        f'<section class="hero-section"><div class="container"><h1>{h1}</h1>'
        f"<p>{h1} for every spill.</p></div></section>"
        f'<section class="content"><div class="container">{body}</div></section>{more}'
        "<footer><p>Lagos, Abuja. (c) 2024 Acme Marine</p></footer></body></html>"
    )


def test_structured_data_pasted_from_page_to_page_gives_way_to_the_page() -> None:
    """A hand-written site pastes JSON-LD from page to page: one Product block on its overview
    and on a service page (other headings, the same name), names with the brand added
    ("Workboats by Acme Marine"), the brand's logo left as a Product's image, and one family
    page with no block at all and a longer text. The products are the family pages, named by
    their headings and shown by their own photos."""
    families = ["Booms", "Skimmers", "Pumps", "Tanks", "Power Packs", "Workboats", "Vacuum Systems"]
    slugs = {f: f.lower().replace(" ", "") for f in families}
    brand = {"brand": {"@type": "Brand", "name": "Acme Marine"}}
    cards = "".join(
        f'<div class="card"><a href="/{slugs[f]}.html"><img src="/static/card-{slugs[f]}.jpg">'
        f"</a><h2>{f}</h2><p>Our {f.lower()}.</p></div>"
        for f in families
    )
    overview = {"name": "Spill Equipment", "image": "https://acme.example/static/x.jpg", **brand}
    pages = {
        "/index.html": hand_page("Acme Marine", "<p>Spill response since 1999.</p>"),
        "/products.html": hand_page("Discover Our Solutions", cards, overview),
        "/response.html": hand_page(
            "Spill Equipment Supply",
            '<img src="/static/boom55.jpg" class="zoom"><h2>Booms</h2>'
            '<img src="/static/skim2.jpg" class="zoom"><h2>Skimmers</h2>',
            {**overview, "image": ["https://acme.example/static/boom55.jpg"]},
            True,
        ),
    }
    for family in families:
        slug = slugs[family]
        photos = "".join(
            f'<div class="row"><img src="/static/{slug}-{i}.jpg" class="zoom" alt="{family} {i}">'
            f"<h2>{family} model {i}</h2></div>"
            for i in range(3)
        )
        product = {"name": family, "image": f"https://acme.example/static/{slug}-0.jpg", **brand}
        if family == "Workboats":
            product["name"] = f"{family} by Acme Marine"
            product["image"] = "https://acme.example/static/logo/acme logo.png"
        if family == "Vacuum Systems":
            pages[f"/{slug}.html"] = hand_page(family, photos, None, True)
        else:
            pages[f"/{slug}.html"] = hand_page(family, photos, product)
    found = {p: (r["name"], r["image_urls"][0]) for p, r in decide(pages).items() if r}
    assert found == {
        f"/{slugs[f]}.html": (
            f,
            f"{BASE}/static/{slugs[f]}-0.jpg"
            if f in ("Workboats", "Vacuum Systems")
            else f"https://acme.example/static/{slugs[f]}-0.jpg",
        )
        for f in families
    }


def series_page(title: str, body: str) -> str:
    menu = '<a href="home.html">Home</a><a href="new-products.html">New products</a>'
    return (
        f"<html><head><title>HEATCO BANGKOK - {title}</title></head><body>"
        f'<nav class="navbar">{menu}</nav><div class="container">{body}</div>'
        "<footer><p>Bangkok 10110. Send us E-mail</p></footer></body></html>"
    )


def test_home_page_of_a_language_and_names_after_the_series_label() -> None:
    """A distributor's English pages live under /en/: /en/home.html is the home page in that
    language, not a product for its big photo and heading. Its product pages head each name
    with the maker's label ("HEATCO : Level switch. Type DT"), several pages the same way: that
    heading names a product, also on a page that shows one photo only."""
    types = {"5ED": 2, "BC": 2, "LT": 3, "ZQ": 2, "DT": 1, "Y03": 2}
    cards = "".join(
        f'<article class="card"><a href="type-{t.lower()}.html"><img src="../img/{t}.jpg"></a>'
        f'<h4>Switch {t}</h4><a href="type-{t.lower()}.html">See More</a></article>'
        for t in types
    )
    tiles = "".join(
        f'<div class="tile"><img src="../img/heater-{i}.jpg"><p>Heater {i}</p>'
        '<a href="new-products.html">More</a></div>'
        for i in range(4)
    )
    pages = {
        "/index.html": '<html><body><a href="en/home.html"><img src="slide.jpg"></a></body></html>',
        "/en/home.html": series_page(
            "Home",
            f'<div class="row">{tiles}</div><h2>Long lasting experience</h2>'
            '<img src="../img/event.jpg"><img src="../img/event-2.jpg"><p>Since 1982.</p>',
        ),
        "/en/new-products.html": series_page("New products", cards),
        "/en/contact.html": series_page("Contact", "<h1>Contact</h1><p>Call us.</p>"),
    }
    # Each page written by hand: its own blocks, so no two share a template.
    blocks = [
        '<div class="note"><span><i>Note</i></span></div>',
        "<ol><li><em>Step</em></li></ol>",
        "<aside><small>Aside</small></aside>",
        "<pre><code>A-1</code></pre>",
        "<address><u>Stock</u></address>",
        "<blockquote><q>Quote</q></blockquote>",
    ]
    boxes = ["photo", "pic", "picture", "shot", "view", "frame"]
    for (t, photos), block, box in zip(types.items(), blocks, boxes, strict=True):
        images = "".join(f'<img src="../new-images/{t}-{i}.jpg">' for i in range(photos))
        images = f'<div class="{box}">{images}</div>'
        pages[f"/en/type-{t.lower()}.html"] = series_page(
            f"Switch for tanks. Type {t}",
            f'<h1 class="page-title">HEATCO : Switch for tanks. Type {t}</h1>{images}'
            f"<h3>MAIN FEATURES</h3><p><b>Housing</b> PBT</p>{block * 8}",
        )
    found = decide(pages)
    assert sorted(p for p, r in found.items() if r) == sorted(
        f"/en/type-{t.lower()}.html" for t in types
    )


def test_catalog_and_address_pages_in_the_product_template_are_no_products() -> None:
    """An old company site writes every page in one template: a heading, a photo and text. Its
    catalog's own page (/products.htm, text links to the products) and its address page
    (/address.html) share the template with the product pages, which makes them no products."""
    pipes = ["Seamless pipes", "Welded pipes", "Boiler tubes", "Mild steel pipes", "Flanges"]
    slugs = {p: p.lower().replace(" ", "-") for p in pipes}
    # The catalog page links a few of them, and pages the copy did not keep.
    links = "".join(f'<li><a href="/{s}.htm">{s}</a></li>' for s in ("erw", *slugs.values())[:3])

    def page(name: str, photo: str, text: str) -> str:
        return (
            f"<html><head><title>{name} | Asia Tubes</title></head><body>"
            '<div id="head"><img src="/images/logo.gif" width="300" height="80"></div>'
            '<div id="menu"><a href="/index.htm">Home</a><a href="/products.htm">Products</a>'
            '<a href="/address.html">Address</a></div><table id="body"><tr><td>'
            f'<h1>{name}</h1><img src="/new_images/{photo}" width="250" height="200">'
            f'<p>{text}</p></td></tr></table><div id="foot">Mumbai, India</div></body></html>'
        )

    showcase = '<a href="/products.htm"><img src="/img/tubes.gif" width="200" height="150"></a>'
    pages = {"/index.htm": page("Asia Tubes", "plant.jpg", f"Pipes since 1980. {showcase}")}
    for pipe, after in zip(pipes, pipes[1:] + pipes[:1], strict=True):
        see = f'See also <a href="/{slugs[after]}.htm">{after}</a>.'
        pages[f"/{slugs[pipe]}.htm"] = page(pipe, f"{slugs[pipe]}.jpg", f"{pipe}: sizes. {see}")
    pages["/products.htm"] = page(
        "Steel tubes",
        "range.jpg",
        f'<img src="/img/range-2.jpg" width="250" height="200"><ul>{links}</ul>',
    )
    pages["/address.html"] = page("Our office", "office.jpg", "Plot 4, Mumbai 400004.")
    found = decide(pages)
    assert sorted(p for p, r in found.items() if r) == sorted(f"/{slugs[p]}.htm" for p in pipes)


def test_brand_after_the_heading_gives_way_to_the_sites_naming_word_first() -> None:
    """Where the site's structured names add a word after each heading ("Manufacturer"), the
    name ends there, though a page's heading carries the word and the brand follows it."""
    stats = SiteStats(name_suffixes={"manufacturer"})
    name = "Ribbon Blender Manufacturer - Acme Fabricators"
    heading = "Ribbon Blender Manufacturer"
    assert structured_name(name, heading, stats, "json-ld", "", "Acme Fabricators") == (
        "Ribbon Blender"
    )
    assert structured_name(
        "Workboats by Acme", "Workboats", SiteStats(), "json-ld", "", "Acme"
    ) == ("Workboats")
