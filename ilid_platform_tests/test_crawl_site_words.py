"""Real crawls of small catalogs, each built on a kind of page whose name or kind round seven's
held-out sites got wrong (issue 26): names with superscripts, item codes whose titles wrap them
in search-engine words and whose related items are partly gone, a heading that names the
process above the product's own, service and range pages in the product template."""

from __future__ import annotations

from pathlib import Path

from ilid_platform_tests.local_site import LocalSite, crawl_found


def bootstrap(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        '</head><body><header><nav class="navbar"><a class="navbar-brand" href="/index.html">'
        '<img src="/img/logo.png" alt="Metal Plus"></a><ul>'
        '<li><a href="/index.html">Home</a></li><li><a href="/systems.html">Systems</a></li>'
        f'</ul></nav></header><div class="container">{body}</div>'
        "<footer><p>Metal Plus, 12 Harbour Road, Piraeus.</p></footer></body></html>"
    )


PROFILES = {
    "el86i2": ("ELVIAL EL85i<sup>2</sup> &amp; EL86i<sup>2</sup>", "ELVIAL EL85i2 & EL86i2"),
    "ideal": ("ALUPLAST IDEAL 4000<sup>®</sup>", "ALUPLAST IDEAL 4000®"),
    "tank": ("Water Tank 5 m<sup>3</sup>", "Water Tank 5 m3"),
    "h2o": ("H<sub>2</sub>O Softener", "H2O Softener"),
}


def build_superscripts(site: LocalSite) -> str:
    site.add("/index.html", bootstrap("Metal Plus", "<h1>Metal Plus</h1><p>Since 1988.</p>"))
    cards = "".join(
        f'<div class="col-md-3"><a href="/{slug}.html"><img src="/img/t/{slug}.jpg"></a>'
        f'<h4><a href="/{slug}.html">{markup}</a></h4></div>'
        for slug, (markup, _) in PROFILES.items()
    )
    site.add("/systems.html", bootstrap("Systems", f"<h1>Systems</h1>{cards}"))
    for slug, (markup, _) in PROFILES.items():
        site.add(
            f"/{slug}.html",
            bootstrap(
                f"Metal Plus - {slug}",
                f'<div class="row"><div class="col-md-6"><h2 class="mb-none">{markup}</h2>'
                f"<p>The {slug} system for windows and doors, thermally broken.</p>"
                "<table><tr><td>Depth</td><td>85 mm</td></tr><tr><td>Uw</td><td>0.9</td></tr>"
                '</table></div><div class="col-md-6">'
                f'<img class="img-responsive" src="/img/products/{slug}.jpeg"></div></div>',
            ),
        )
    return "/index.html"


def test_superscripts_join_the_word_they_mark(tmp_path: Path) -> None:
    """ "EL85i<sup>2</sup>" reads EL85i2 and "4000<sup>®</sup>" 4000®: a superscript or
    subscript is part of its word, where other inline elements are words of their own."""
    found = crawl_found(tmp_path, build_superscripts)
    assert found == {
        f"/{slug}.html": (name, f"/img/products/{slug}.jpeg")
        for slug, (_, name) in PROFILES.items()
    }


def foundry(title: str, body: str) -> str:
    return (
        f"<html><head><title>{title}</title></head><body>"
        '<div class="top"><a href="../index.htm"><img src="../img/logo.png"></a><ul class="menu">'
        '<li><a href="../index.htm">Home</a></li><li><a href="../covers/index.htm">Products</a>'
        f'</li></ul></div><div class="main">{body}</div>'
        '<div class="foot"><p>Copyright QingHong Foundry Co., LTD.</p></div></body></html>'
    )


COVERS = {
    "qd-204": "Manufacture QD-204",
    "qb-209": "QB-209 Supplier China",
    "a600": "High Quality A600",
    "qcp-750": "Export QCP-750",
    "qdk004-qdk068": "China QDK004-QDK068",
    "din4055": "DIN4055 Wholesale",
}


def build_codes(site: LocalSite) -> str:
    site.add("/index.htm", foundry("Foundry", '<p><a href="covers/index.htm">Our covers</a></p>'))
    codes = list(COVERS)
    cards = "".join(
        f'<li><a href="{code}.html"><img src="../thumbs/{code}.jpg"></a>'
        f'<p><a href="{code}.html">{code.upper()}</a></p></li>'
        for code in codes
    )
    site.add(
        "/covers/index.htm", foundry("Manhole Covers", f"<h1>Manhole Covers</h1><ul>{cards}</ul>")
    )
    for n, (code, title) in enumerate(COVERS.items()):
        # Related items: one other model the crawl reads, four the site has lost (404).
        related = [codes[(n + 1) % len(codes)]] + [f"{code}-old{i}" for i in range(4)]
        tiles = "".join(
            f'<li><a href="{other}.html"><img src="../thumbs/{other}.jpg"></a>'
            f'<h3><a href="{other}.html">{other.upper()}</a></h3></li>'
            for other in related
        )
        site.add(
            f"/covers/{code}.html",
            foundry(
                title,
                f'<div class="pic"><a id="MagicZoom" href="../photos/{code}.jpg">'
                f'<img src="../photos/{code}.jpg"></a></div>'
                f'<div class="info"><h1>{code.upper()}</h1>'
                "<table><tr><th>Load</th><th>Size</th></tr><tr><td>D400</td><td>600</td></tr></table>"
                f'</div><div class="list"><h2>Related Products</h2><ul>{tiles}</ul></div>',
            ),
        )
    return "/index.htm"


def test_item_codes_titled_with_trade_words_and_related_items_partly_gone(tmp_path: Path) -> None:
    """Each product's only heading is its model code; its title wraps the code in rotating
    search-engine words ("Manufacture", "Supplier China"), no product type: the name is the
    code. Its related items are five cards, four of them to pages that are gone: cards to pages
    the crawl did not read make no listing of a page whose read cards are its siblings."""
    found = crawl_found(tmp_path, build_codes)
    assert found == {
        f"/covers/{code}.html": (code.upper(), f"/photos/{code}.jpg") for code in COVERS
    }


def welding(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><title>{title}</title></head><body>'
        '<header><h1 class="navbar-brand"><a href="index.html"><img class="logo"'
        ' src="img/logo.png" alt="Weld Supply"></a></h1><nav><ul>'
        '<li><a href="index.html">Home</a></li><li><a href="machines.html">Machines</a></li>'
        '<li><a href="welding-supplies.html">Supplies</a></li>'
        '<li><a href="welding-repair.html">Repairs</a></li></ul></nav></header>'
        f'<div class="content"><div class="row">{body}</div></div>'
        "<footer><p>Weld Supply, Brockton, MA.</p></footer></body></html>"
    )


def column(photo: str, text: str) -> str:
    return (
        f'<div class="col-lg-4"><div class="thumb"><figure><img src="img/{photo}"></figure>'
        '</div></div><div class="col-lg-8">'
        f"{text}<h3><strong>800-886-9321</strong></h3><p>Call our specialists today.</p></div>"
    )


WELDERS = {
    "mig-welder": ("MIG Welder", "<strong>MIG</strong>Welders", "Metal Inert Gas", "MIG Welders"),
    "tig-welder": (
        "TIG Welder",
        "<strong>TIG</strong>Welders",
        "Tungsten Inert Gas (TIG)",
        "TIG Welders",
    ),
    "stick-welder": (
        "Stick Welder",
        "<strong>Stick</strong>Welders",
        "Arc Welding",
        "Stick Welders",
    ),
}
GASES = ["Industrial Gas", "Medical Gas", "Specialty Gas"]


def build_weld_supply(site: LocalSite) -> str:
    site.add("/index.html", welding("Weld Supply", "<p>Welding machines and gases.</p>"))
    links = "".join(f'<a href="{slug}.html">{t}</a> ' for slug, (t, *_) in WELDERS.items())
    links += "".join(f'<a href="{g.lower().replace(" ", "-")}.html">{g}</a> ' for g in GASES)
    site.add("/machines.html", welding("Machines", f"<h1>Machines</h1><p>{links}</p>"))
    for slug, (title, h2, h1, _) in WELDERS.items():
        text = f'<h2> {h2}</h2><h1 class="h1">{h1}</h1><p>We carry {title}s of every brand.</p>'
        site.add(f"/{slug}.html", welding(title, column(f"{slug}.png", text)))
    for gas in GASES:
        slug = gas.lower().replace(" ", "-")
        text = f'<h1 class="h1">{gas}</h1><p>{gas} in cylinders of every size.</p>'
        site.add(f"/{slug}.html", welding(gas, column(f"{slug}.jpg", text)))
    site.add(
        "/welding-repair.html",
        welding(
            "Repair and Rentals",
            column(
                "rentals.jpg",
                '<h1 class="h1">Welder Repair</h1><p>Warranty repair of every brand.</p>',
            ),
        ),
    )
    site.add(
        "/welding-supplies.html",
        welding(
            "Welding Supplies",
            column(
                "consumables.jpg",
                '<h1 class="h1">Welding Supplies</h1><p>Safety gear, rods, fluxes.</p>'
                "<h3>Filler Metals</h3><p>Aluminium and bronze rods.</p>",
            ),
        ),
    )
    return "/index.html"


def test_process_heading_below_the_name_and_service_pages_in_the_template(
    tmp_path: Path,
) -> None:
    """A brochure site, one template: the welder pages write the name in an h2 ("MIG Welders",
    which the title "MIG Welder" says) above an h1 naming the process ("Metal Inert Gas"); the
    repair service and the supplies range share the template and are no products."""
    found = crawl_found(tmp_path, build_weld_supply)
    expected = {f"/{slug}.html": (name, f"/img/{slug}.png") for slug, (*_, name) in WELDERS.items()}
    for gas in GASES:
        slug = gas.lower().replace(" ", "-")
        expected[f"/{slug}.html"] = (gas, f"/img/{slug}.jpg")
    assert found == expected


def solar(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="es"><head><title>{title}</title></head><body>'
        '<header><a href="/index.html"><img src="/img/logo.png" alt="Sol"></a><nav><ul>'
        '<li><a href="/index.html">Inicio</a></li><li><a href="/productos/">Productos</a></li>'
        '<li><a href="/empresas/">Empresas</a></li></ul></nav></header>'
        f"<main>{body}</main><footer><p>Sol Ltda, Santiago.</p></footer></body></html>"
    )


PANELS = {
    "panel-270w": "Panel Policristalino 270W",
    "panel-330w": "Panel Policristalino 330W",
    "inversor-3kw": "Inversor Sunny Boy 3.0",
    "inversor-5kw": "Inversor Sunny Boy 5.0",
    "kit-hogar": "Kit Solar Hogar 1kW",
    "bateria-100": "Batería Gel 100Ah",
}


def build_solar(site: LocalSite) -> str:
    slides = (
        '<div class="slider"><a href="/empresas/"><img src="/img/slide-empresas.jpg">'
        "<h2>Soluciones Empresa</h2></a></div>"
    )
    cards = "".join(
        f'<div class="card"><a href="/productos/{slug}/"><img src="/img/t/{slug}.jpg"></a>'
        f'<h3><a href="/productos/{slug}/">{name}</a></h3></div>'
        for slug, name in PANELS.items()
    )
    site.add("/index.html", solar("Sol", f"{slides}<h1>Energía solar</h1>{cards}"))
    site.add("/productos/", solar("Productos", f"<h1>Productos</h1>{cards}"))
    for slug, name in PANELS.items():
        site.add(
            f"/productos/{slug}/",
            solar(
                name,
                f'<section class="product-single"><h1>{name}</h1>'
                f'<div class="product-image"><img src="/img/p/{slug}.jpg"></div>'
                f"<h4>Descripción</h4><p>{name}, garantía de 10 años.</p>"
                '<a class="button" href="/contacto/">Cotizar</a></section>',
            ),
        )
    sections = "".join(
        f'<section><h1>Soluciones {kind}</h1><img src="/img/sol/{kind}-banner.png">'
        f'<div class="row"><img src="/img/sol/{kind}-1.png"><img src="/img/sol/{kind}-2.png">'
        f"</div><p>Proyectos {kind} para empresas de todo Chile.</p></section>"
        for kind in ("Fotovoltaicas", "Térmicas")
    )
    site.add("/empresas/", solar("Sol", sections))
    return "/index.html"


def test_section_page_of_its_own_make_beside_a_product_template(tmp_path: Path) -> None:
    """The products are the pages of one template; a page of the site's solutions for
    businesses, linked from the home page's slider with a picture and showing photos of its
    own, has nothing else a product shows (no place of the template, no buy control): it is a
    section of the site, not a product."""
    found = crawl_found(tmp_path, build_solar)
    assert found == {
        f"/productos/{slug}/": (name, f"/img/p/{slug}.jpg") for slug, name in PANELS.items()
    }
