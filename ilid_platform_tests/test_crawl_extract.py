"""Extraction on hand-written catalog pages without structured data, selectors, and the edge cases
(charsets, malformed markup, links)."""

from __future__ import annotations

import pytest

from ilid_platform.crawl.extract import decode_html, extract_product
from ilid_platform.crawl.sources import Source
from ilid_platform_tests.extract_pages import HEURISTIC_BODY, URL, ld, page, product

# ---------------------------------------------------------------- heuristic fallback


def test_heuristic_product_page() -> None:
    record = product(page(body=HEURISTIC_BODY))
    assert record["extraction"] == "heuristic"
    assert record["name"] == "Butt Hinge 100 mm"
    assert record["image_urls"] == ["https://shop.example/photos/hinge-large.jpg"]
    assert record["description"].startswith("Stainless steel butt hinge")
    assert record["specs"] == {"Material": "Stainless steel", "Finish": "Brushed"}
    assert record["breadcrumbs"] == ["Home", "Hinges"]


def test_heuristic_main_image_by_size_srcset_zoom_link_or_position() -> None:
    specs = "<table><tr><th>Material</th><td>Steel</td></tr><tr><th>Size</th><td>M6</td></tr>"
    specs += "</table>"

    def main_image(images: str) -> list[str]:
        return product(page(body=f"<h1>Nut</h1>{images}{specs}"))["image_urls"]

    undeclared = '<img src="/a.jpg"><img src="/b.jpg">'
    assert main_image(undeclared) == ["https://shop.example/a.jpg"]
    declared = '<img src="/a.jpg" width="300px" height="300"><img src="/b.jpg" width="1200">'
    assert main_image(declared) == ["https://shop.example/b.jpg"]
    srcset = (
        '<img src="/a.jpg"><img src="/b-small.jpg" srcset="/b-400.jpg 400w, /b-1600.jpg 1600w">'
    )
    assert main_image(srcset) == ["https://shop.example/b-1600.jpg"]
    lazy = '<img src="data:image/gif;base64,R0lGOD" data-src="/lazy.jpg" class="lazyload">'
    assert main_image(lazy) == ["https://shop.example/lazy.jpg"]
    # A script gallery's bare file name beside a src in a folder is no url; a path is.
    scripted = '<img src="./images/gallery/mixer-thumb.jpg" data-original="mixer.jpg">'
    assert main_image(scripted) == ["https://shop.example/products/images/gallery/mixer-thumb.jpg"]
    lazy_path = '<img src="/blank.gif" data-original="/photos/mixer.jpg">'
    assert main_image(lazy_path) == ["https://shop.example/photos/mixer.jpg"]
    gallery = (
        '<div class="gallery"><a href="/full/1.jpg"><img src="/t/1.jpg" width="60"></a>'
        '<a href="/full/2.jpg"><img src="/t/2.jpg" width="60"></a></div>'
        '<img src="/ad.jpg" width="50" height="50"><img src="/icons/truck.png">'
    )
    assert main_image(gallery) == [
        "https://shop.example/full/1.jpg",
        "https://shop.example/full/2.jpg",
    ]


def test_heuristic_page_with_related_products_strip_and_buy_button() -> None:
    related = "".join(
        f'<li><a href="/p/{i}.html"><img src="/t/{i}.jpg" width="200" height="200">Nut {i}</a></li>'
        for i in range(6)
    )
    body = f"""
    <h1>Cap Nut M8</h1><img src="/i/cap-nut.jpg" width="600" height="600">
    <div class="product-details"><p>Domed cap nut, zinc plated, DIN 1587.</p>
      <table><tr><th>Thread</th><td>M8</td></tr></table></div>
    <form><button type="submit">Add to cart</button></form>
    <section class="related-products"><h2>You may also like</h2><ul>{related}</ul></section>"""
    record = product(page(body=body))
    assert record["extraction"] == "heuristic"
    assert record["name"] == "Cap Nut M8"
    assert record["image_urls"] == ["https://shop.example/i/cap-nut.jpg"]
    assert record["description"] == "Domed cap nut, zinc plated, DIN 1587."
    assert record["specs"] == {"Thread": "M8"}


def test_description_is_the_largest_prose_block_not_banners_or_cards() -> None:
    body = """
    <div class="cookie-banner"><p>We use cookies to improve your experience on this site.</p></div>
    <h1>Wall Plug 8 mm</h1><img src="/i/plug.jpg">
    <div><p>Nylon wall plug for solid and hollow walls.</p>
      <p>Expands in four directions for a secure hold in brick and concrete.</p></div>
    <dl><dt>Material</dt><dd>Nylon</dd><dt>Diameter</dt><dd>8 mm</dd></dl>"""
    assert product(page(body=body))["description"] == (
        "Nylon wall plug for solid and hollow walls. "
        "Expands in four directions for a secure hold in brick and concrete."
    )


def test_description_reads_a_features_check_list_beside_its_text_not_menus() -> None:
    # The text's paragraph and the lists under its headings that link nowhere are the
    # product's description; a menu of links is not, nor a block of lists alone.
    def body(intro: str) -> str:
        return f"""
        <div><ul><li><a href="/stalls">Stalls</a></li><li><a href="/doors">Stall doors</a></li>
          <li><a href="/parts">Replacement parts and accessories</a></li></ul></div>
        <h1>Show Stall</h1><img src="/i/stall.jpg">
        <div class="text product">{intro}<h2>Frame</h2>
          <ul><li>14 gauge galvanized steel with straight bar door</li>
            <li>Bars evenly spaced and fully welded inside the frame</li></ul>
          <h2>Panels</h2><ul><li>Vinyl coated nylon webbing in five colours</li></ul></div>
        <dl><dt>Height</dt><dd>7 feet</dd><dt>Length</dt><dd>10 feet</dd></dl>
        <div><p>Request a free catalog of our stalls and doors today</p></div>"""

    text = product(
        page(
            body=body("<p>Portable show stall panels for horses, built to last for many years.</p>")
        )
    )
    assert text["description"] == (
        "Portable show stall panels for horses, built to last for many years. "
        "14 gauge galvanized steel with straight bar door "
        "Bars evenly spaced and fully welded inside the frame "
        "Vinyl coated nylon webbing in five colours"
    )
    alone = product(page(body=body("")))
    assert alone["description"] == "Request a free catalog of our stalls and doors today"


def test_specs_read_a_list_of_labelled_lines_in_an_unnamed_block() -> None:
    lines = "".join(
        f"<li><strong>{k}:</strong> {v}</li>"
        for k, v in (("Housing material", "High-impact plastic"), ("Voltage", "230 V"),
                     ("Outlets", "Six, wide-spaced"))
    )  # fmt: skip
    prose = "<ul><li>Protects your devices: always</li><li>Easy to mount on a wall</li></ul>"
    contact = (
        "<div><ul><li>Tel: +86 317 8091 666</li><li>Fax: +86 317 8095 688</li>"
        "<li>E-mail: sales@maker.example</li><li>Add: Industrial Park, Botou City</li></ul></div>"
    )
    body = (
        f"<h1>Surge Protector</h1><img src='/i/surge.jpg'><div><ul>{lines}</ul>{prose}</div>"
        f"{contact}"
    )
    record = product(page(body=body))
    assert record["specs"] == {
        "Housing material": "High-impact plastic",
        "Voltage": "230 V",
        "Outlets": "Six, wide-spaced",
    }
    # neither the spec list nor the contact box is read as the description
    assert record["description"] == ""


def test_specs_read_a_table_whose_colons_have_cells_of_their_own() -> None:
    rows = "".join(
        f"<tr><td>{k}</td><td>:</td><td>{v}</td></tr>"
        for k, v in (("Body material", "Sheet steel"), ("Protection", "IP 54"))
    )
    body = f"<h1>Master Controller</h1><img src='/i/mc.jpg'><table>{rows}</table>"
    assert product(page(body=body))["specs"] == {
        "Body material": "Sheet steel",
        "Protection": "IP 54",
    }


def test_listing_pages_are_not_products() -> None:
    cards = "".join(
        f'<div class="card"><a href="/p/{i}.html"><img src="/t/{i}.jpg"></a>'
        f'<a href="/p/{i}.html">Bolt {i}</a></div>'
        for i in range(12)
    )
    listing = page(
        body=f"<h1>Bolts</h1>{cards}<table><tr><th>Sort</th><td>Name</td></tr>"
        "<tr><th>Show</th><td>12</td></tr></table>"
    )
    assert extract_product(listing, URL).reason == "not_product"

    items = [{"@type": "Product", "name": f"Bolt {i}", "url": f"/p/{i}.html"} for i in range(5)]
    item_list = {"@context": "https://schema.org", "@type": "ItemList", "itemListElement": items}
    assert extract_product(page(head=ld(item_list)), URL).product is None
    assert extract_product(page(head=ld(items)), URL).product is None

    # A grid where only one card carries microdata is still a listing, not that product.
    marked = (
        '<div itemscope itemtype="https://schema.org/Product"><a itemprop="url" '
        'href="/p/0.html"><img itemprop="image" src="/t/0.jpg"></a>'
        '<span itemprop="name">Bolt 0</span></div>'
    )
    assert extract_product(page(body=f"<h1>Bolts</h1>{marked}{cards}"), URL).product is None

    # A product page with a related-products grid is still that product.
    own = ld({"@context": "https://schema.org", "@type": "Product", "name": "Eye Bolt M10"})
    record = product(page(head=own, body=f"<h1>Eye Bolt M10</h1>{cards}"))
    assert record["name"] == "Eye Bolt M10"


# ---------------------------------------------------------------- per-source selectors


def test_selectors_override_structured_values_and_work_alone() -> None:
    selectors = {
        "name": "main h1::text",
        "sku": "//dl/dd[2]",
        "image": "main img[width='80']::attr(src)",
        "specs_rows": "dl dt",
    }
    record = product(page(body=HEURISTIC_BODY), selectors=selectors)
    assert record["extraction"] == "heuristic+selectors"
    assert record["sku"] == "Brushed"
    assert record["image_urls"] == ["https://shop.example/thumbs/hinge-small.jpg"]

    bare = page(body="<div class='t'>Gate Latch</div><span id='code'>GL-1</span>")
    record = product(bare, selectors={"name": ".t", "sku": "#code"})
    assert (record["name"], record["sku"], record["extraction"]) == (
        "Gate Latch",
        "GL-1",
        "selectors",
    )


def test_css_and_xpath_selectors_win_over_json_ld() -> None:
    head = ld(
        {
            "@context": "https://schema.org",
            "@type": "Product",
            "name": "SEO title | Shop",
            "sku": "WRONG",
            "image": "/i/og.jpg",
            "description": "Buy now!",
        }
    )
    body = """
    <h1 class="title">Hook Bolt M10</h1><meta itemprop="gtin" content="4006">
    <div id="desc"><p>Hook bolt for</p><p>timber posts.</p></div>
    <div class="media"><img data-src="/i/hook-1.jpg"><img srcset="/i/hook-2.jpg 2x"></div>
    <ul class="crumbs"><li>Home</li><li>/</li><li>Bolts</li></ul>
    <div class="spec"><span>Thread</span><span>M10</span></div>"""
    selectors = {
        "name": "xpath://h1[@class='title']/text()",
        "sku": "//meta[@itemprop='gtin']",
        "description": "#desc p",
        "image": "css:.media img",
        "breadcrumbs": "//ul[@class='crumbs']/li",
        "specs_rows": ".spec",
    }
    record = product(page(head=head, body=body), selectors=selectors)
    assert record["extraction"] == "json-ld+selectors"
    assert record["name"] == "Hook Bolt M10"
    assert record["sku"] == "4006"
    assert record["description"] == "Hook bolt for timber posts."
    assert record["image_urls"] == [
        "https://shop.example/i/hook-1.jpg",
        "https://shop.example/i/hook-2.jpg",
    ]
    assert record["breadcrumbs"] == ["Home", "Bolts"]
    assert record["specs"]["Thread"] == "M10"


@pytest.mark.parametrize("query", ["//h1[", "h1 >>> p", "xpath:count(("])
def test_invalid_selectors_are_refused_when_sources_load(query: str) -> None:
    with pytest.raises(ValueError, match="selector 'name'"):
        Source(name="s", start_urls=["https://shop.example/"], selectors={"name": query})


# ---------------------------------------------------------------- charsets and malformed HTML


def test_latin1_bytes_with_meta_charset() -> None:
    html = page(
        head='<meta charset="iso-8859-1">',
        body=HEURISTIC_BODY.replace("Butt Hinge", "Scharnier Größe").replace(
            "Brushed", "Gebürstet"
        ),
    )
    result = extract_product(html.encode("latin-1"), URL)
    assert result.product is not None and result.issues == []
    assert result.product["name"] == "Scharnier Größe 100 mm"
    assert result.product["specs"]["Finish"] == "Gebürstet"


def test_charset_missing_wrong_or_contradicted() -> None:
    text = "Flügelmutter – 8 € “verzinkt”"
    cp1252 = page(body=f"<p>{text}</p>").encode("cp1252")
    assert decode_html(cp1252) == (page(body=f"<p>{text}</p>"), ["charset_missing"])
    # The server says UTF-8, the bytes are cp1252.
    decoded, issues = decode_html(cp1252, "utf-8")
    assert text in decoded and issues == ["charset_mismatch"]
    # The page says latin-1, the bytes are UTF-8.
    utf8 = page(head='<meta charset="iso-8859-1">', body=f"<p>{text}</p>").encode("utf-8")
    decoded, issues = decode_html(utf8)
    assert text in decoded and issues == ["charset_mismatch"]
    # Agreeing declarations, a BOM and plain ASCII are no issue.
    assert decode_html(cp1252, "windows-1252")[1] == []
    assert decode_html("<p>Größe</p>".encode("utf-8-sig"), "latin-1") == ("<p>Größe</p>", [])
    assert decode_html(b"<p>plain</p>") == ("<p>plain</p>", [])

    block = '<script type="application/ld+json">{"@type": "Product", "name": "Flügelmutter"}'
    record_page = page(head=f"{block}</script>").encode("cp1252")
    result = extract_product(record_page, URL, declared_encoding="utf-8")
    assert result.product is not None and result.product["name"] == "Flügelmutter"
    assert result.issues == ["charset_mismatch"]


def test_malformed_html_still_yields_what_it_can() -> None:
    unclosed = (
        "<html><body><h1>Angle Bracket<div><img src='/i/bracket.jpg' width=500 height=500>"
        "<table><tr><th>Material<td>Steel<tr><th>Finish<td>Galvanised</table>"
        "<p>Heavy angle bracket for timber <b><i>joints</b></i>"
    )
    record = product(unclosed)
    assert record["name"].startswith("Angle Bracket")
    assert record["specs"] == {"Material": "Steel", "Finish": "Galvanised"}

    deep_product = page(head=ld({"@type": "Product", "name": "Deep Nut"}))
    assert product("<div>" * 1500 + deep_product)["name"] == "Deep Nut"
    # Past libxml2's hard depth limit the rest of the page is lost, and that is recorded.
    too_deep = extract_product("<div>" * 3000 + deep_product, URL)
    assert (too_deep.product, too_deep.reason, too_deep.issues) == (
        None,
        "malformed_html",
        ["malformed_html"],
    )
    nul = page(head=ld({"@type": "Product", "name": "Null Nut"})).replace("<head>", "<head>\x00")
    assert product(nul)["name"] == "Null Nut"

    broken_urls = page(
        head='<base href="http://[broken/">',
        body='<h1>Odd Nut</h1><img src="http://[::1/x.jpg"><img src="/i/odd.jpg" width="300">'
        '<a href="http://[::1/">x</a><button>Add to cart</button>',
    )
    assert product(broken_urls)["image_urls"] == ["https://shop.example/i/odd.jpg"]
    broken_ref = ld({"@type": "Product", "name": "Odd Bolt", "url": "http://[bad/"})
    assert product(page(head=broken_ref))["name"] == "Odd Bolt"

    for body in ("", "   \n", "<!-- only a comment -->", "\x00\x01\x02\x03\x04garbage" * 50):
        result = extract_product(body, URL)
        assert (result.product, result.reason, result.tree) == (None, "malformed_html", None)
    assert extract_product(bytes(range(256)) * 20, URL).reason == "malformed_html"


def test_script_rendered_shell_detection() -> None:
    shell = extract_product(page(body='<div id="app"></div><script src="/app.js"></script>'), URL)
    assert shell.product is None and shell.script_rendered
    nav = "<header><nav>" + " | ".join(f"<a href='/c/{i}'>Category {i}</a>" for i in range(30))
    placeholder = page(
        head='<script src="/static/app.js" defer></script>',
        body=f"{nav}</nav></header><main><div id='app'><p>Loading product&hellip;</p></div></main>"
        "<footer><p>Free delivery on orders over EUR 50. Prices excl. VAT.</p></footer>",
    )
    assert extract_product(placeholder, URL).script_rendered
    listing = extract_product(page(body="<h1>Bolts</h1>" + "<p>Some text here.</p>" * 30), URL)
    assert listing.product is None and not listing.script_rendered
    scripted = page(body="<script>track()</script><h1>Bolts</h1>" + "<p>Some text here.</p>" * 30)
    assert not extract_product(scripted, URL).script_rendered


@pytest.mark.parametrize(
    "base",
    [
        "https://shop.example/c/page.html?sort=1",
        "http://shop.example:8080/a/b/",
        "https://user@[::1]:443/x",
        "HTTPS://Shop.Example/dir/",
        "file:///srv/site/index.html",
    ],
)
def test_links_joined_per_origin_match_urljoin(base: str) -> None:
    """Absolute and path-absolute hrefs are joined once per origin; the result must not change."""
    from urllib.parse import urljoin

    from ilid_platform.crawl.extract import page_links

    hrefs = [
        "/p/1.html",
        "/p/../q/./2.html?x=1#top",
        "//cdn.example/i.jpg",
        "http://shop.example/p/3.html",
        "https://shop.example/a/../b;p?q#f",
        "https://other.example",
        "HTTP://SHOP.EXAMPLE/upper.html",
        "rel/4.html",
        "?page=2",
    ]
    body = "".join(f'<a href="{href}">x</a>' for href in hrefs)
    tree = extract_product(f"<html><body>{body}</body></html>", base).tree
    expected = [urljoin(base, href) for href in hrefs]
    expected = [url for url in dict.fromkeys(expected) if url.startswith(("http://", "https://"))]
    assert page_links(tree, base) == expected
    assert page_links(tree, base) == expected  # and again, from the cache


def test_canonical_link_is_joined_against_the_documents_base() -> None:
    from ilid_platform.crawl.extract import canonical_link

    def canonical(head: str) -> str:
        return canonical_link(extract_product(page(head=head), URL).tree, URL)

    assert canonical('<link rel="Canonical" href=" ../hex-bolt-m8.html ">') == (
        "https://shop.example/hex-bolt-m8.html"
    )
    assert canonical(
        '<base href="https://cdn.shop.example/en/"><link rel="canonical" href="p/m8.html">'
    ) == ("https://cdn.shop.example/en/p/m8.html")
    assert canonical('<link rel="alternate" href="/de/m8.html">') == ""
    assert canonical('<link rel="canonical"><link rel="canonical" href="/b.html">') == (
        "https://shop.example/b.html"
    )


def test_comments_anywhere_in_the_markup() -> None:
    """Comment nodes sit in the tree beside elements (inside links, galleries, headings); no
    reader may take them for elements."""
    body = (
        '<!-- top --><div class="product-gallery"><!-- g --><a href="/full/1.jpg"><!-- c -->'
        '<img src="/t/1.jpg" width="600" height="600"></a></div><h1>Clamp<!-- x --> C1</h1>'
        '<ul class="cards">'
        + "".join(
            f'<li><a href="/p/{i}.html"><!-- card --><span style="background: url(/t/c{i}.jpg)">'
            "</span></a></li>"
            for i in range(5)
        )
        + '</ul><p class="price"><!-- p -->EUR 4.00</p><button>Add to cart</button>'
    )
    result = extract_product(page(body=body), URL)
    assert result.reason == "not_product", "five cards: a listing, read without a crash"
    alone = extract_product(page(body=body.split('<ul class="cards">')[0]), URL)
    assert alone.product is not None and alone.product["name"] == "Clamp C1"
