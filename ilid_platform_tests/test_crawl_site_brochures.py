"""Real crawls of company brochure sites (a site builder's pages, an agency's template), each
built on a kind of page that unseen sites lose products or gain false ones on (issue 26)."""

from __future__ import annotations

from pathlib import Path

from ilid_platform_tests.local_site import PUMPS, VALVES, LocalSite, assert_found, crawl_found

CRANES = {
    "mostovye": "Мостовые краны",
    "kozlovye": "Козловые краны",
    "konsolnye": "Консольные краны",
    "tali": "Тали",
    "balki": "Концевые балки",
}


def builder_page(title: str, body: str) -> str:
    """A site builder's page: header menu, a content column, a sidebar of services."""
    menu = "".join(f'<li><a href="{slug}.html">{name}</a></li>' for slug, name in CRANES.items())
    return (
        f"<html><head><title>{title} - ООО Кран</title></head><body>"
        '<header><img src="logo.png" width="200" height="80" alt="logo">'
        f'<ul class="menu"><li><a href="index.html">Главная</a></li>{menu}'
        '<li><a href="address.html">Наш адрес</a></li></ul></header>'
        '<div class="site-content"><div class="content-middle"><div class="content-in">'
        f'{body}</div></div><aside class="left"><ul><li><a href="remont.html">Ремонт кранов'
        "</a></li></ul></aside></div><footer>© ООО Кран, Челябинск</footer></body></html>"
    )


def build_crane_builder(site: LocalSite) -> str:
    site.add(
        "/index.html",
        builder_page("Краны", "<h1>ООО Кран</h1><p>Изготовление и монтаж кранов с 2004 года.</p>"),
    )
    site.add(
        "/address.html",
        builder_page(
            "Наш адрес",
            '<h1>Наш адрес</h1><p><img src="b1450386959.png" style="width:87pt; height:87pt"></p>'
            '<table class="TableGrid"><tr><td>Полное наименование</td><td>ООО Кран</td></tr>'
            "<tr><td>ИНН</td><td>7400000000</td></tr><tr><td>Адрес</td><td>Челябинск</td></tr>"
            "</table>",
        ),
    )
    for slug, name in CRANES.items():
        text = f"<p>{name} нашего производства служат долго и надёжно на любом заводе.</p>"
        photo = f'<img src="{slug}.jpg" width="220" height="160" style="float: right">'
        if slug == "balki":  # the editor left the photo bare in the text, outside a paragraph
            body = f"<h1>{name}</h1>{text}{photo}<ul><li>холостые</li><li>приводные</li></ul>"
        else:
            body = f"<h1>{name}</h1>{text}<p>{photo}Виды и устройство.</p><p>Применение.</p>"
        if slug == "tali":  # a second h1 heads another maker's range, with its own picture
            body += (
                "<h1>Тельферы производства Болгарии</h1>"
                '<p><img src="http://cdn.example.com/telfer.png" width="300" height="300"></p>'
                "<p>Серия Т поставляется более 50 лет.</p>"
            )
        site.add(f"/{slug}.html", builder_page(name, body))
    return "/index.html"


def test_builder_pages_of_one_template_with_an_address_page(tmp_path: Path) -> None:
    """One template of product pages on a site without any product markup: a photo left bare
    in the text sits where the others' paragraph-wrapped photos sit; a later h1 heads a
    section whose photo is not the product's; "Наш адрес" (our address) is the contact
    page, though its company card is a table of two columns."""
    found = crawl_found(tmp_path, build_crane_builder)
    assert_found(
        found, {f"/{slug}.html": (name, {f"/{slug}.jpg"}) for slug, name in CRANES.items()}
    )


def old_table_page(title: str, body: str) -> str:
    """A table-layout page of the 2000s: a text line of every product on every page."""
    line = " | ".join(f'<a href="{code}.htm">{name}</a>' for code, name in PUMPS.items())
    return (
        f"<html><head><title>{title} -- Hydro Pumps Industries</title></head><body>"
        '<table width="100%"><tr><td><img src="img/top.jpg" width="760" height="120"></td></tr>'
        f'<tr><td valign="top">{body}<p><font size="1">Our products: {line}</font></p></td></tr>'
        '<tr><td><a href="index.htm">Home</a> | <a href="products.htm">Products</a></td></tr>'
        "</table></body></html>"
    )


def build_pump_tables(site: LocalSite) -> str:
    site.add(
        "/index.htm",
        old_table_page(
            "Home",
            '<p>Hydro Pumps makes pumps.</p><a href="products.htm"><img src="img/range.jpg"'
            ' width="200" height="150"></a>',
        ),
    )
    groups = "".join(
        f'<tr><td><font>.. {group}</font></td><td><img src="img/{group}-{n}.jpg" width="150"'
        ' height="130"></td></tr>'
        for group in ("centrifugal", "submersible")
        for n in (1, 2)
    )
    site.add(
        "/products.htm",
        old_table_page("Products", f"<p><b>Our Products</b></p><table>{groups}</table>"),
    )
    for code, name in PUMPS.items():
        # A small photo of a photo's proportions, under 64 px high.
        size = 'width="109" height="59"' if code == "gp-7" else 'width="120" height="100"'
        site.add(
            f"/{code}.htm",
            old_table_page(
                name,
                f"<table><tr><td><h1>{name}</h1><p>We make the {name} for farms.</p></td>"
                f'<td><img src="img/{code}.jpg" {size}><br><u>{name}</u></td></tr></table>',
            ),
        )
    return "/index.htm"


def test_table_pages_with_a_catalog_index_and_a_small_photo(tmp_path: Path) -> None:
    """The catalog's index page (products.htm) shows photos of product groups, none linked,
    and is no product; a photo declared 109 x 59 is a small photo, not an icon."""
    found = crawl_found(tmp_path, build_pump_tables)
    assert_found(
        found, {f"/{code}.htm": (name, {f"/img/{code}.jpg"}) for code, name in PUMPS.items()}
    )


BRANDS = {"chemix": PUMPS, "greenco": dict(list(VALVES.items())[:3])}


def agency_page(crumb: str, body: str) -> str:
    """An agency template: a breadcrumb banner's title, then the content."""
    return (
        "<!doctype html><html><head><title>Mullen Equipment</title></head><body>"
        '<header><a href="index.html"><img src="logo.png" alt="logo"></a>'
        '<nav><a href="mixers.html">Mixers</a> <a href="contact.html">Contact</a></nav></header>'
        f'<div class="breadcrumb-title"><h4>{crumb}</h4></div><section class="content">{body}'
        "</section><footer>Troy, Michigan</footer></body></html>"
    )


def agency_content(line: str, name: str, cols: str) -> str:
    return (
        f'<h4 class="line">{line}</h4><h2 class="title">{name}</h2><p>We supply {name}.</p>'
        f'<div class="row">{cols}</div>'
    )


def col(inner: str) -> str:
    return f'<div class="col"><div class="box">{inner}</div></div>'


def build_agency(site: LocalSite) -> str:
    site.add("/index.html", agency_page("Home", "<p>We represent makers of mixers.</p>"))
    brand_cards = "".join(
        col(f'<a href="{brand}.html"><img class="img-fluid" src="img/{brand}-card.webp"></a>')
        for brand in [*BRANDS, "kenix", "prokem", "magnix"]  # three brands' pages are gone
    )
    site.add(
        "/mixers.html",
        agency_page(
            "Mixers",
            agency_content("mixing", "mixers", col('<img class="img-fluid" src="img/mix.jpg">'))
            + f'<div class="row">{brand_cards}</div>',
        ),
    )
    for brand, items in BRANDS.items():
        cards = "".join(
            col(
                f'<a href="{code}.html"><img class="img-fluid" src="img/{code}-card.webp"></a>'
                f"<h5>{name}</h5>"
            )
            for code, name in items.items()
        )
        if brand == "greenco":  # photos beside the cards' text links, other files than theirs
            cards = "".join(
                col(
                    f'<img class="img-fluid" src="img/{code}-tile.webp"><h5>{name}</h5>'
                    f'<a href="{code}.html">Learn More</a>'
                )
                for code, name in items.items()
            )
        site.add(f"/{brand}.html", agency_page(brand.title(), agency_content(brand, brand, cards)))
        for code, name in items.items():
            photo = col(f'<img class="img-fluid" src="img/{code}.webp" width="300" height="200">')
            features = col("<h5>features</h5><ul><li>Strong</li><li>Quiet</li></ul>")
            site.add(
                f"/{code}.html",
                agency_page(name, agency_content(brand, name, photo + features)),
            )
    return "/index.html"


def test_agency_brand_pages_above_their_products(tmp_path: Path) -> None:
    """A page of brand cards, three of whose brands' pages are gone, leads to a brand's listing:
    a listing of listings; a brand's page that shows its products' pictures beside text links
    is named by the line that heads each of its products: their brand, no product."""
    found = crawl_found(tmp_path, build_agency)
    expected = {
        f"/{code}.html": (name, {f"/img/{code}.webp"})
        for items in BRANDS.values()
        for code, name in items.items()
    }
    assert_found(found, expected)


HOSES = {
    "product1": "Stainless Metal Hose",
    "product2": "Armoured Hose Assembly",
    "product3": "Spiral Steel Wire Hose",
    "product4": "Fabric Ply Hose",
    "product5": "Sandblast Hose",
}


def cms_page(title: str, body: str) -> str:
    """An old CMS page: every product in the left column, no headings anywhere."""
    menu = "".join(
        f'<li><a href="../products/{code}.htm">{name}</a></li>' for code, name in HOSES.items()
    )
    return (
        f"<html><head><title>{title}__Dalian Hose Co.</title></head><body>"
        '<div class="header"><img src="../images/logo.gif" width="300" height="90"></div>'
        f'<div class="lefter"><ul>{menu}</ul></div><div class="righter">'
        '<div class="crumbs">Position: <a href="../products.htm">Products</a></div>'
        f'<div id="content">{body}</div></div><div class="footer">Tel. 0411 000</div>'
        "</body></html>"
    )


def build_hose_cms(site: LocalSite) -> str:
    cards = "".join(
        f'<td><a href="products/{code}.htm"><img src="uploadfile/{code}-1.jpg" width="175"'
        f' height="130"></a><br><a href="products/{code}.htm">{name}</a></td>'
        for code, name in HOSES.items()
    )
    site.add("/products.htm", cms_page("Products", f"<table><tr>{cards}</tr></table>"))
    site.add("/index.htm", cms_page("Home", '<p><a href="products.htm">Our hoses</a></p>'))
    for code, name in HOSES.items():
        photos = f'<img src="../uploadfile/{code}-1.jpg"><img src="../uploadfile/{code}-2.jpg">'
        text = f"<p>The {name} is made in Dalian for industry.</p>"
        if code == "product4":  # a numbered label, ending in a colon, above the photo
            body = f"<div>1. Structure:</div><div>{photos}</div>{text}"
        elif code == "product5":  # a grid of photos, each with the name under it
            body = (
                "<table><tr>"
                + "".join(
                    f'<td><img src="../uploadfile/{code}-{n}.jpg"><br>{name}</td>'
                    for n in (1, 2, 3)
                )
                + f"</tr></table>{text}"
            )
        else:
            body = f"<table><tr><td>{photos}</td></tr></table>{text}"
        site.add(
            f"/products/{code}.htm",
            cms_page(
                name,
                '<table><tr><td><div style="font-weight:bold">'
                f"{name}</div></td></tr><tr><td>Author: admin Date: 2013-10-15</td></tr>"
                f"<tr><td>{body}</td></tr></table>",
            ),
        )
    return "/index.htm"


def test_cms_pages_without_headings_with_labels_and_captioned_grids(tmp_path: Path) -> None:
    """No headings: the name is the title's. A label ending in a colon ("1. Structure:")
    above a photo names nothing; in a grid of photos each with the name under it, the name
    before the second photo captions the first, which stays the main photo."""
    found = crawl_found(tmp_path, build_hose_cms)
    assert_found(
        found,
        {
            f"/products/{code}.htm": (name, {f"/uploadfile/{code}-1.jpg"})
            for code, name in HOSES.items()
        },
    )
