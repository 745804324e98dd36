"""Extraction on hand-written catalog pages, one markup style per test."""

from __future__ import annotations

import json

from ilid_platform.crawl.extract import extract_product, looks_script_rendered

URL = "https://shop.example/products/hex-bolt-m8.html?ref=x"


def page(head: str = "", body: str = "") -> str:
    return f"<!doctype html><html><head><title>t</title>{head}</head><body>{body}</body></html>"


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_jsonld_graph_with_references_breadcrumbs_and_properties() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "@id": URL, "breadcrumb": {"@id": "#crumbs"}},
            {
                "@type": "BreadcrumbList",
                "@id": "#crumbs",
                "itemListElement": [
                    {"@type": "ListItem", "position": 2, "name": "Bolts"},
                    {"@type": "ListItem", "position": 1, "item": {"@id": "/", "name": "Home"}},
                ],
            },
            {
                "@type": "Product",
                "@id": URL + "#product",
                "name": "Hex Bolt M8 &amp; Nut",
                "description": "<p>Zinc plated <b>hex</b> bolt.</p>",
                "image": [
                    {"@type": "ImageObject", "url": "/img/bolt-1.jpg"},
                    "https://cdn.example/bolt-2.jpg",
                ],
                "brand": {"@id": "#brand"},
                "material": "Steel",
                "color": "Silver",
                "additionalProperty": [
                    {"@type": "PropertyValue", "name": "Thread", "value": "M8"},
                    {"@type": "PropertyValue", "name": "Length", "value": 40, "unitText": "mm"},
                ],
                "offers": {"@type": "Offer", "sku": "HB-M8-40", "price": "0.40"},
            },
            {"@type": "Brand", "@id": "#brand", "name": "Acme"},
        ],
    }
    record = extract_product(page(head=ld(graph)), URL)
    assert record is not None
    assert record["extraction"] == "json-ld"
    assert record["name"] == "Hex Bolt M8 & Nut"
    assert record["description"] == "Zinc plated hex bolt."
    assert record["image_urls"] == [
        "https://shop.example/img/bolt-1.jpg",
        "https://cdn.example/bolt-2.jpg",
    ]
    assert record["brand"] == "Acme"
    assert record["sku"] == "HB-M8-40"
    assert record["specs"] == {
        "Thread": "M8",
        "Length": "40 mm",
        "Material": "Steel",
        "Color": "Silver",
    }
    assert record["breadcrumbs"] == ["Home", "Bolts"]


def test_jsonld_top_level_array_and_product_group_with_variants() -> None:
    data = [
        {"@context": "https://schema.org", "@type": "Organization", "name": "Shop"},
        {
            "@context": "https://schema.org",
            "@type": "ProductGroup",
            "name": "Wing Nut",
            "productGroupID": "WN",
            "brand": "Boltbarn",
            "variesBy": "https://schema.org/size",
            "hasVariant": [
                {
                    "@type": "Product",
                    "name": "Wing Nut M6",
                    "sku": "WN-6",
                    "material": "Brass",
                    "image": {"@type": "ImageObject", "contentUrl": "wn6.jpg"},
                },
                {"@type": "Product", "name": "Wing Nut M8", "sku": "WN-8", "image": "wn8.jpg"},
            ],
        },
    ]
    record = extract_product(page(head=ld(data)), URL)
    assert record is not None
    assert record["name"] == "Wing Nut"
    assert record["sku"] == "WN"
    assert record["brand"] == "Boltbarn"
    assert record["specs"]["Material"] == "Brass"
    assert record["image_urls"] == [
        "https://shop.example/products/wn6.jpg",
        "https://shop.example/products/wn8.jpg",
    ]


def test_microdata_product_with_spec_table_and_nav_breadcrumbs() -> None:
    body = """
    <nav aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li><li>›</li>
      <li><a href="/c/clamps">Clamps</a></li></ol></nav>
    <div itemscope itemtype="https://schema.org/Product">
      <h1 itemprop="name">Pipe Clamp 3/4"</h1>
      <img itemprop="image" src="/images/clamp.jpg" alt="clamp">
      <span itemprop="brand" itemscope itemtype="https://schema.org/Brand">
        <span itemprop="name">ClampCo</span></span>
      <meta itemprop="sku" content="PC-34">
      <div itemprop="description">Galvanised pipe clamp for 3/4 inch pipes.</div>
      <table class="specs"><tr><th>Material:</th><td>Galvanised steel</td></tr>
        <tr><th>Finish</th><td>Matte grey</td></tr></table>
    </div>"""
    record = extract_product(page(body=body), URL)
    assert record is not None
    assert record["extraction"] == "microdata"
    assert record["name"] == 'Pipe Clamp 3/4"'
    assert record["sku"] == "PC-34"
    assert record["brand"] == "ClampCo"
    assert record["image_urls"] == ["https://shop.example/images/clamp.jpg"]
    assert record["specs"] == {"Material": "Galvanised steel", "Finish": "Matte grey"}
    assert record["breadcrumbs"] == ["Home", "Clamps"]
    assert record["description"] == "Galvanised pipe clamp for 3/4 inch pipes."


def test_opengraph_product() -> None:
    head = """
    <meta property="og:type" content="product">
    <meta property="og:title" content="Ball Valve DN15">
    <meta property="og:description" content="Brass ball valve with lever.">
    <meta property="og:image" content="https://shop.example/i/valve.jpg">
    <meta property="og:image" content="/i/valve-side.jpg">
    <meta property="product:brand" content="Valvo">
    <meta property="product:retailer_item_id" content="BV-15">
    <meta property="product:material" content="Brass">"""
    record = extract_product(page(head=head, body="<p>Hello</p>"), URL)
    assert record is not None
    assert record["extraction"] == "opengraph"
    assert record["name"] == "Ball Valve DN15"
    assert record["sku"] == "BV-15"
    assert record["brand"] == "Valvo"
    assert record["specs"] == {"Material": "Brass"}
    assert record["image_urls"] == [
        "https://shop.example/i/valve.jpg",
        "https://shop.example/i/valve-side.jpg",
    ]


def test_opengraph_website_is_not_a_product() -> None:
    head = '<meta property="og:type" content="website"><meta property="og:title" content="Shop">'
    assert extract_product(page(head=head, body="<h1>Shop</h1>"), URL) is None


HEURISTIC_BODY = """
<header><img src="/logo.png" alt="Shop logo"></header>
<div class="crumbs breadcrumb"><a href="/">Home</a> / <a href="/c/hinges">Hinges</a></div>
<main>
  <h1>Butt Hinge 100 mm</h1>
  <img src="/thumbs/hinge-small.jpg" width="80" height="80">
  <img src="/photos/hinge-large.jpg" width="800" height="600">
  <p>Short.</p>
  <p>Stainless steel butt hinge for heavy doors, with ball bearings and removable pin.</p>
  <dl><dt>Material</dt><dd>Stainless steel</dd><dt>Finish</dt><dd>Brushed</dd></dl>
</main>"""


def test_heuristic_product_page() -> None:
    record = extract_product(page(body=HEURISTIC_BODY), URL)
    assert record is not None
    assert record["extraction"] == "heuristic"
    assert record["name"] == "Butt Hinge 100 mm"
    assert record["image_urls"] == ["https://shop.example/photos/hinge-large.jpg"]
    assert record["description"].startswith("Stainless steel butt hinge")
    assert record["specs"] == {"Material": "Stainless steel", "Finish": "Brushed"}
    assert record["breadcrumbs"] == ["Home", "Hinges"]


def test_selectors_override_structured_values_and_work_alone() -> None:
    selectors = {
        "name": "main h1::text",
        "sku": "//dl/dd[2]",
        "image": "main img[width='80']::attr(src)",
        "specs_rows": "dl dt",
    }
    record = extract_product(page(body=HEURISTIC_BODY), URL, selectors)
    assert record is not None
    assert record["extraction"] == "heuristic+selectors"
    assert record["sku"] == "Brushed"
    assert record["image_urls"] == ["https://shop.example/thumbs/hinge-small.jpg"]

    bare = page(body="<div class='t'>Gate Latch</div><span id='code'>GL-1</span>")
    record = extract_product(bare, URL, {"name": ".t", "sku": "#code"})
    assert record is not None
    assert (record["name"], record["sku"], record["extraction"]) == (
        "Gate Latch",
        "GL-1",
        "selectors",
    )


def test_listing_pages_return_none() -> None:
    cards = "".join(
        f'<div class="card"><a href="/p/{i}.html"><img src="/t/{i}.jpg"></a>'
        f'<a href="/p/{i}.html">Bolt {i}</a></div>'
        for i in range(12)
    )
    listing = page(
        body=f"<h1>Bolts</h1>{cards}<table><tr><th>Sort</th><td>Name</td></tr>"
        "<tr><th>Show</th><td>12</td></tr></table>"
    )
    assert extract_product(listing, URL) is None

    items = [{"@type": "Product", "name": f"Bolt {i}", "url": f"/p/{i}.html"} for i in range(5)]
    item_list = {"@context": "https://schema.org", "@type": "ItemList", "itemListElement": items}
    assert extract_product(page(head=ld(item_list)), URL) is None
    assert extract_product(page(head=ld(items)), URL) is None

    # A grid where only one card carries microdata is still a listing, not that product.
    marked = (
        '<div itemscope itemtype="https://schema.org/Product"><a itemprop="url" '
        'href="/p/0.html"><img itemprop="image" src="/t/0.jpg"></a>'
        '<span itemprop="name">Bolt 0</span></div>'
    )
    one_card = page(body=f"<h1>Bolts</h1>{marked}{cards}")
    assert extract_product(one_card, URL) is None

    # A product page with a related-products grid is still that product.
    own = ld({"@context": "https://schema.org", "@type": "Product", "name": "Eye Bolt M10"})
    record = extract_product(page(head=own, body=f"<h1>Eye Bolt M10</h1>{cards}"), URL)
    assert record is not None and record["name"] == "Eye Bolt M10"


def test_invalid_jsonld_falls_back_to_other_blocks_and_syntaxes() -> None:
    broken = '<script type="application/ld+json">{"@type": "Product", "name": </script>'
    valid = ld({"@context": "https://schema.org", "@type": "Product", "name": "Eye Bolt"})
    record = extract_product(page(head=broken + valid), URL)
    assert record is not None and record["name"] == "Eye Bolt"

    record = extract_product(page(head=broken, body=HEURISTIC_BODY), URL)
    assert record is not None and record["extraction"] == "heuristic"

    assert extract_product(page(head=broken), URL) is None
    assert extract_product("", URL) is None


def test_latin1_bytes_and_text() -> None:
    html = page(
        head='<meta charset="iso-8859-1">',
        body=HEURISTIC_BODY.replace("Butt Hinge", "Scharnier Größe").replace(
            "Brushed", "Gebürstet"
        ),
    )
    record = extract_product(html.encode("latin-1"), URL)
    assert record is not None
    assert record["name"] == "Scharnier Größe 100 mm"
    assert record["specs"]["Finish"] == "Gebürstet"


def test_script_rendered_shell_detection() -> None:
    shell = page(body='<div id="app"></div><script src="/app.js"></script>')
    assert looks_script_rendered(shell)
    assert not looks_script_rendered(page(body=HEURISTIC_BODY))
