"""Real crawls of small hand-written company catalogs without markup, each built on a kind of
page that unseen sites lose products on (issue 26): a section page above the category
listings, a slogan or form h1 above the name, photos that are no <img>, a product photo that
is its listing's thumbnail, categories under the products' url pattern, FrontPage tables with
the name in bold text, one <title> on every page."""

from __future__ import annotations

from pathlib import Path

from ilid_platform_tests.local_site import PUMPS, VALVES, LocalSite, crawl_found


def bootstrap(title: str, body: str, head: str = "") -> str:
    """A hand-written Bootstrap page: navbar, a quote form in the footer of every page."""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'{head}</head><body><nav class="navbar"><a class="navbar-brand" href="/">'
        '<img src="/img/logo.png" alt="Aquaflow"></a><ul class="navbar-nav">'
        '<li><a href="/">Home</a></li><li><a href="/products/">Products</a></li>'
        '<li><a href="/contact.html">Contact</a></li></ul></nav>'
        f'<div class="container">{body}</div>'
        '<section class="quote"><h2>Request a Quote</h2><form action="/send.php">'
        '<input name="email"><button type="submit">Send</button></form></section>'
        "<footer><p>Aquaflow Ltd, Unit 4, Leeds.</p></footer></body></html>"
    )


def build_slogans(site: LocalSite) -> str:
    slogans = {"pumps": "Reliable pumping for every farm.", "valves": "Valves that never leak."}
    lines = {"pumps": PUMPS, "valves": VALVES}
    site.add("/", bootstrap("Aquaflow", "<h1>Water moves us.</h1><p>Pumps and valves.</p>"))
    site.add(
        "/products/",
        bootstrap(
            "Products - Aquaflow",
            "<h1>Products</h1>"
            + "".join(
                f'<div class="col-md-3"><a href="/{line}/{code}.html"><img src="/img/t/{code}.jpg"'
                f' class="img-fluid"></a><p>{name}</p></div>'
                for line, items in lines.items()
                for code, name in items.items()
            ),
        ),
    )
    site.add("/contact.html", bootstrap("Contact - Aquaflow", "<h1>Contact us</h1><p>Call.</p>"))
    for line, items in lines.items():
        for code, name in items.items():
            # Valve pages head the item code; the title names its type.
            shown = code.upper() if line == "valves" else name
            site.add(
                f"/{line}/{code}.html",
                bootstrap(
                    f"{name} - Aquaflow",
                    f'<div class="jumbotron"><h1>{slogans[line]}</h1></div><div class="row">'
                    f'<div class="col-md-6"><img src="/img/{code}.jpg" class="img-fluid"></div>'
                    f'<div class="col-md-6"><h4>{shown}</h4><p>Cast iron body, stainless'
                    " trim, made in Leeds.</p><ul><li>Tested to 16 bar</li>"
                    "<li>Two-year warranty</li></ul></div></div>",
                ),
            )
    return "/"


def test_slogan_h1_form_h2_and_the_name_in_an_h4_or_only_a_code(tmp_path: Path) -> None:
    """Each product line heads its pages with its own slogan h1 and every page ends in a quote
    form's h2; the name is an h4 beside the photo, on valve pages only the item code, whose
    type the title says; listed from one page of thumbnails."""
    found = crawl_found(tmp_path, build_slogans)
    assert found == {
        f"/{line}/{code}.html": (name, f"/img/{code}.jpg")
        for line, items in (("pumps", PUMPS), ("valves", VALVES))
        for code, name in items.items()
    }


def build_backgrounds(site: LocalSite) -> str:
    site.add(
        "/index.html",
        bootstrap(
            "Aquaflow",
            "<h1>Aquaflow</h1>"
            + "".join(
                f'<div class="item"><a href="/product/{code}.html"><div class="thumb lazy"'
                f' data-bg="/img/t/{code}.jpg"></div><h5>{name}</h5></a></div>'
                for code, name in (PUMPS | VALVES).items()
            ),
        ),
    )
    for n, (code, name) in enumerate((PUMPS | VALVES).items()):
        if n % 2:  # a carousel: the first slide is the photo
            photo = (
                '<div class="owl-carousel product-slider">'
                + "".join(
                    f'<div class="item"><img src="/img/{code}-{i}.jpg" alt="{name}"></div>'
                    for i in range(1, 4)
                )
                + "</div>"
            )
        else:  # a lazy-load background on a div
            photo = f'<div class="product-image lazyload" data-bg="/img/{code}-1.jpg"></div>'
        site.add(
            f"/product/{code}.html",
            bootstrap(
                f"{name} | Aquaflow",
                f'<div class="row"><div class="col-md-6">{photo}</div><div class="col-md-6">'
                f"<h1>{name}</h1><p>Built for clean water.</p><table>"
                "<tr><td>Body</td><td>Cast iron</td></tr><tr><td>Seal</td><td>NBR</td></tr>"
                "</table></div></div>",
            ),
        )
    return "/index.html"


def test_photos_that_are_no_img_a_lazy_background_or_a_carousel_first_slide(
    tmp_path: Path,
) -> None:
    """Half the product pages show their photo as a lazy-load background of a div, the others
    as the first of three carousel slides; the home page lists them with lazy backgrounds."""
    found = crawl_found(tmp_path, build_backgrounds)
    assert found == {
        f"/product/{code}.html": (name, f"/img/{code}-1.jpg")
        for code, name in (PUMPS | VALVES).items()
    }


def build_same_pattern(site: LocalSite) -> str:
    lines = {"pumps": ("Pumps", PUMPS), "valves": ("Valves", VALVES)}
    site.add(
        "/index.html",
        bootstrap(
            "Aquaflow",
            "<h1>Aquaflow</h1>"
            + "".join(
                f'<a href="/products/{line}.html"><img src="/img/cat-{line}.jpg"></a>'
                f"<h3>{label}</h3>"
                for line, (label, _) in lines.items()
            ),
        ),
    )
    for line, (label, items) in lines.items():
        site.add(
            f"/products/{line}.html",
            bootstrap(
                f"{label} | Aquaflow",
                f'<h1>{label}</h1><img src="/img/banner-{line}.jpg" class="banner">'
                "<p>Our range, made in Leeds.</p>"
                + "".join(
                    f'<div class="col"><a href="/products/{code}.html"><img src="/img/{code}.jpg"'
                    f' width="300" height="300"></a><a href="/products/{code}.html">{name}</a>'
                    "</div>"
                    for code, name in items.items()
                ),
            ),
        )
        for code, name in items.items():
            rows = "".join(f"<tr><td>Spec {i}</td><td>{i * 3} mm</td></tr>" for i in range(11))
            site.add(
                f"/products/{code}.html",
                bootstrap(
                    f"{name} | Aquaflow",
                    f'<ol class="crumbs"><li><a href="/index.html">Home</a></li>'
                    f'<li><a href="/products/{line}.html">{label}</a></li></ol>'
                    f'<h1>{name}</h1><img src="/img/{code}.jpg" width="300" height="300">'
                    f"<table>{rows}</table>",
                ),
            )
    return "/index.html"


def test_categories_under_the_product_url_pattern_and_the_thumbnail_as_the_photo(
    tmp_path: Path,
) -> None:
    """Categories and products both live at `/products/<slug>.html`; a category shows a banner
    of its own and its products' photos, which are the very files the product pages show."""
    found = crawl_found(tmp_path, build_same_pattern)
    assert found == {
        f"/products/{code}.html": (name, f"/img/{code}.jpg")
        for code, name in (PUMPS | VALVES).items()
    }


def build_related(site: LocalSite) -> str:
    items = PUMPS | VALVES
    codes = list(items)
    featured = "".join(
        f'<div class="feat"><a href="/p/{code}.html"><img src="/img/{code}.jpg"></a>'
        f"<span>{items[code]}</span></div>"
        for code in codes[:4]
    )
    site.add("/index.html", bootstrap("Aquaflow", f"<h1>Aquaflow</h1>{featured}"))
    site.add(
        "/catalogue.html",
        bootstrap(
            "Catalogue - Aquaflow",
            "<h1>Catalogue</h1>"
            + "".join(
                f'<div class="col"><a href="/p/{code}.html"><img src="/img/{code}.jpg"></a>'
                f"<p>{name}</p></div>"
                for code, name in items.items()
            ),
        ),
    )
    for n, (code, name) in enumerate(items.items()):
        others = [codes[(n + k) % len(codes)] for k in (1, 2, 3)]
        related = "".join(
            f'<div class="rel"><a href="/p/{o}.html"><img src="/img/{o}.jpg"></a>'
            f'<a href="/p/{o}.html">{items[o]}</a></div>'
            for o in others
        )
        site.add(
            f"/p/{code}.html",
            bootstrap(
                f"{name} - Aquaflow",
                f'<h2>{name}</h2><img src="/img/{code}.jpg"><p>Ask for a price.</p>'
                f'<h3>Related products</h3><div class="related">{related}</div>',
            ),
        )
    return "/index.html"


def test_the_photo_on_its_listing_on_the_home_page_and_as_others_related_item(
    tmp_path: Path,
) -> None:
    """Each product's photo is one file, shown on the product page, as its card in the
    catalogue, as three other products' related item and, for four, on the home page: on
    five pages of sixteen, yet the product's own."""
    found = crawl_found(tmp_path, build_related)
    assert found == {
        f"/p/{code}.html": (name, f"/img/{code}.jpg") for code, name in (PUMPS | VALVES).items()
    }


def build_builder(site: LocalSite) -> str:
    """A Chinese site builder: one <title> on every page, a product page of a name and a
    picture, listed over two pages of thumbnails."""
    items = PUMPS | VALVES
    codes = list(items)

    def shell(body: str) -> str:
        return (
            "<html><head><title>Wenzhou Aquaflow Co., Ltd.</title></head><body>"
            '<div class="header"><img src="/images/logo.jpg"><ul class="nav">'
            '<li><a href="/">首页</a></li><li><a href="/products.html">产品中心</a></li>'
            '<li><a href="/about.html">关于我们</a></li></ul></div>'
            f'<div class="main">{body}</div><div class="footer">Copyright 2015</div>'
            "</body></html>"
        )

    site.add("/", shell('<div class="banner"><img src="/images/banner.jpg"></div>'))
    site.add("/about.html", shell('<div class="about">公司成立于1998年。</div>'))
    for page, chunk in ((1, codes[:5]), (2, codes[5:])):
        path = "/products.html" if page == 1 else "/products_2.html"
        site.add(
            path,
            shell(
                '<div class="pro_list">'
                + "".join(
                    f'<dl><dt><a href="/show_{n}.html"><img src="/uploads/s_{c}.jpg"></a></dt>'
                    f'<dd><a href="/show_{n}.html">{items[c]}</a></dd></dl>'
                    for n, c in enumerate(codes)
                    if c in chunk
                )
                + '</div><div class="page"><a href="/products.html">1</a>'
                '<a href="/products_2.html">2</a></div>'
            ),
        )
    for n, code in enumerate(codes):
        site.add(
            f"/show_{n}.html",
            shell(
                f'<div class="pro_show"><div class="pro_name">{items[code]}</div>'
                f'<div class="pro_pic"><img src="/uploads/{code}.jpg"></div></div>'
            ),
        )
    return "/"


def test_site_builder_pages_of_a_name_and_a_picture_under_one_title(tmp_path: Path) -> None:
    found = crawl_found(tmp_path, build_builder)
    codes = list(PUMPS | VALVES)
    assert found == {
        f"/show_{n}.html": ((PUMPS | VALVES)[code], f"/uploads/{code}.jpg")
        for n, code in enumerate(codes)
    }


def build_taglines(site: LocalSite) -> str:
    items = PUMPS | VALVES
    taglines = [
        "Move more water with less power",
        "Built to last a lifetime!",
        "The quiet workhorse of your plant",
        "Never leaks, never fails",
        "Precision you can trust",
        "Engineered for harsh conditions",
        "Peace of mind in every season",
        "Safety comes first",
    ]
    site.add(
        "/",
        bootstrap(
            "Aquaflow",
            "<h1>Aquaflow</h1>"
            + "".join(
                f'<div class="card"><a href="/p/{code}.html"><img src="/img/t-{code}.jpg">'
                "</a></div>"
                for code in items
            ),
        ),
    )
    for tagline, (code, name) in zip(taglines, items.items(), strict=True):
        site.add(
            f"/p/{code}.html",
            bootstrap(
                f"{name} - Aquaflow",
                f'<div class="hero"><h1>{tagline}</h1></div><div class="row">'
                f'<img src="/img/{code}.jpg"><h4>{name}</h4><p>Made in Leeds.</p>'
                '<a class="btn" href="/contact.html">Enquire</a></div>',
            ),
        )
    return "/"


def test_a_tagline_h1_of_each_page_above_the_name_the_title_says(tmp_path: Path) -> None:
    """Every product page opens with a marketing tagline of its own in the h1; the name is
    the h4 below the photo, which the page's <title> repeats."""
    found = crawl_found(tmp_path, build_taglines)
    assert found == {
        f"/p/{code}.html": (name, f"/img/{code}.jpg") for code, name in (PUMPS | VALVES).items()
    }


def build_small_categories(site: LocalSite) -> str:
    """Categories of two products each, in the products' template and url pattern, each with
    a photo of its own and text links; each product links back to its category only."""
    items = list((PUMPS | VALVES).items())
    groups = {
        slug: (label, dict(items[2 * n : 2 * n + 2]))
        for n, (slug, label) in enumerate(
            [
                ("centrifugal", "Centrifugal Pumps"),
                ("positive", "Displacement Pumps"),
                ("ball", "Ball Valves"),
                ("special", "Special Valves"),
            ]
        )
    }
    menu = "".join(
        f'<li><a href="/products/{g}.html">{label}</a></li>' for g, (label, _) in groups.items()
    )
    site.add("/", bootstrap("Aquaflow", f"<h1>Aquaflow</h1><ul>{menu}</ul>"))
    for group, (label, members) in groups.items():
        links = "".join(
            f'<li><a href="/products/{code}.html">{name}</a></li>' for code, name in members.items()
        )
        site.add(
            f"/products/{group}.html",
            bootstrap(
                f"{label} | Aquaflow",
                f'<div class="detail"><h1>{label}</h1><img src="/img/{group}.jpg" width="600"'
                f' height="400"><p>Our {label.lower()} for industry.</p><ul>{links}</ul></div>',
            ),
        )
        for code, name in members.items():
            site.add(
                f"/products/{code}.html",
                bootstrap(
                    f"{name} | Aquaflow",
                    f'<div class="detail"><h1>{name}</h1><img src="/img/{code}.jpg" width="600"'
                    ' height="400"><p>Made in Leeds.</p><table><tr><td>Body</td><td>Iron</td>'
                    "</tr><tr><td>Seal</td><td>NBR</td></tr></table>"
                    f'<p><a href="/products/{group}.html">Back to {label}</a></p></div>',
                ),
            )
    return "/"


def test_small_categories_in_the_product_template_linked_back_from_their_products(
    tmp_path: Path,
) -> None:
    found = crawl_found(tmp_path, build_small_categories)
    assert found == {
        f"/products/{code}.html": (name, f"/img/{code}.jpg")
        for code, name in (PUMPS | VALVES).items()
    }
