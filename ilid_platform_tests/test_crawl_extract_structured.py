"""Extraction from structured data: JSON-LD, microdata, RDFa, OpenGraph and Twitter cards, one
markup style per test, as shops really write them."""

from __future__ import annotations

from ilid_platform.crawl.extract import extract_product
from ilid_platform_tests.extract_pages import HEURISTIC_BODY, URL, ld, page, product

# ---------------------------------------------------------------- JSON-LD


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
    record = product(page(head=ld(graph)))
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
    record = product(page(head=ld(data)))
    assert record["name"] == "Wing Nut"
    assert record["sku"] == "WN"
    assert record["brand"] == "Boltbarn"
    assert record["specs"]["Material"] == "Brass"
    assert record["image_urls"] == [
        "https://shop.example/products/wn6.jpg",
        "https://shop.example/products/wn8.jpg",
    ]


def test_jsonld_nested_offers_image_variants_types_and_category() -> None:
    data = {
        "@context": "http://schema.org/",
        "@type": ["http://schema.org/Product", "Thing"],
        "name": [{"@language": "en", "@value": "Ball Valve DN15"}],
        "image": [
            {"@type": "ImageObject", "url": ["/i/valve-front.jpg", "/i/valve-front-2x.jpg"]},
            {"@id": "https://cdn.example/valve-side.jpg"},
            "/i/valve-front.jpg",
        ],
        "category": "Plumbing > Valves > Ball valves",
        "manufacturer": {"@type": "Organization", "name": "Valvo"},
        "weight": {"@type": "QuantitativeValue", "value": 0.3, "unitCode": "KGM"},
        "offers": {
            "@type": "AggregateOffer",
            "offers": [
                {"@type": "Offer", "price": 12, "offers": {"@type": "Offer", "sku": "BV-15-R"}},
                {"@type": "Offer", "image": "/i/valve-box.jpg"},
            ],
        },
    }
    record = product(page(head=ld(data)))
    assert record["name"] == "Ball Valve DN15"
    assert record["sku"] == "BV-15-R"
    assert record["brand"] == "Valvo"
    assert record["specs"] == {"Weight": "0.3 KGM"}
    assert record["breadcrumbs"] == ["Plumbing", "Valves", "Ball valves"]
    assert record["image_urls"] == [
        "https://shop.example/i/valve-front.jpg",
        "https://shop.example/i/valve-front-2x.jpg",
        "https://cdn.example/valve-side.jpg",
        "https://shop.example/i/valve-box.jpg",
    ]


def test_jsonld_offer_wrapping_the_product_and_webpage_breadcrumb_text() -> None:
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "breadcrumb": "Home > Fasteners > Rivets"},
            {
                "@type": "Offer",
                "price": "3.10",
                "itemOffered": {"@type": "Product", "name": "Pop Rivet 4 mm", "sku": "PR-4"},
            },
        ],
    }
    record = product(page(head=ld(data)))
    assert (record["name"], record["sku"]) == ("Pop Rivet 4 mm", "PR-4")
    assert record["breadcrumbs"] == ["Home", "Fasteners", "Rivets"]


def test_jsonld_repeated_product_blocks_merge_and_h1_picks_the_own_product() -> None:
    shop_block = ld({"@context": "https://schema.org", "@type": "Product", "name": "Hinge 80"})
    reviews_block = ld(
        {"@context": "https://schema.org", "@type": "Product", "name": "hinge 80", "sku": "H-80"}
    )
    record = product(page(head=shop_block + reviews_block))
    assert (record["name"], record["sku"]) == ("Hinge 80", "H-80")

    accessory = ld({"@context": "https://schema.org", "@type": "Product", "name": "Hinge pin"})
    record = product(page(head=shop_block + accessory, body="<h1>Hinge 80</h1>"))
    assert record["name"] == "Hinge 80"
    result = extract_product(page(head=shop_block + accessory, body="<h1>Hinges</h1>"), URL)
    assert result.product is None and result.reason == "not_product"


def test_jsonld_as_shops_really_write_it() -> None:
    cdata = (
        '<script type="application/ld+json">//<![CDATA[\n'
        '{"@context": "https://schema.org", "@type": "Product", "name": "Cable Tie",}\n'
        "//]]></script>"
    )
    assert product(page(head=cdata))["name"] == "Cable Tie"
    newline_in_string = (
        '<script type="application/ld+json">{"@type": "Product", "name": "Cable\nTie 2"}</script>'
    )
    assert product(page(head=newline_in_string))["name"] == "Cable Tie 2"
    concatenated = (
        '<script type="application/ld+json">{"@type": "Organization", "name": "Shop"}\n'
        '{"@type": "Product", "name": "Cable Tie 3", "sku": "CT-3"}</script>'
    )
    assert product(page(head=concatenated))["sku"] == "CT-3"


def test_invalid_jsonld_is_an_issue_and_other_blocks_and_syntaxes_still_count() -> None:
    broken = '<script type="application/ld+json">{"@type": "Product", "name": </script>'
    valid = ld({"@context": "https://schema.org", "@type": "Product", "name": "Eye Bolt"})
    result = extract_product(page(head=broken + valid), URL)
    assert result.product is not None and result.product["name"] == "Eye Bolt"
    assert result.issues == ["invalid_jsonld"]

    result = extract_product(page(head=broken, body=HEURISTIC_BODY), URL)
    assert result.product is not None and result.product["extraction"] == "heuristic"

    result = extract_product(page(head=broken, body="<p>Nothing else here.</p>"), URL)
    assert (result.product, result.reason) == (None, "invalid_jsonld")


# ---------------------------------------------------------------- microdata and RDFa


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
      <table class="specs"><tr><th>Property</th><th>Value</th></tr>
        <tr><th>Material:</th><td>Galvanised steel</td></tr>
        <tr><th>Finish</th><td>Matte grey</td></tr></table>
    </div>"""
    record = product(page(body=body))
    assert record["extraction"] == "microdata"
    assert record["name"] == 'Pipe Clamp 3/4"'
    assert record["sku"] == "PC-34"
    assert record["brand"] == "ClampCo"
    assert record["image_urls"] == ["https://shop.example/images/clamp.jpg"]
    assert record["specs"] == {"Material": "Galvanised steel", "Finish": "Matte grey"}
    assert record["breadcrumbs"] == ["Home", "Clamps"]
    assert record["description"] == "Galvanised pipe clamp for 3/4 inch pipes."


def test_microdata_with_a_broken_url_keeps_the_rest_of_the_item() -> None:
    body = """
    <div itemscope itemtype="https://schema.org/Product">
      <h1 itemprop="name">Wing Nut M6</h1>
      <a itemprop="url" href="http://[broken/wing-nut">permalink</a>
      <img itemprop="image" src="//cdn.shop.example/wing-nut.jpg">
      <link itemprop="image" href="../images/wing-nut-side.jpg">
      <span itemprop="sku">WN-6</span>
    </div>"""
    record = product(page(body=body))
    assert record["extraction"] == "microdata"
    assert record["name"] == "Wing Nut M6"
    assert record["sku"] == "WN-6"
    assert record["image_urls"] == [
        "https://cdn.shop.example/wing-nut.jpg",
        "https://shop.example/images/wing-nut-side.jpg",
    ]


def test_rdfa_product_with_breadcrumb_list() -> None:
    body = """
    <ol vocab="https://schema.org/" typeof="BreadcrumbList">
      <li property="itemListElement" typeof="ListItem"><a property="item" typeof="WebPage"
        href="/"><span property="name">Home</span></a><meta property="position" content="1"></li>
      <li property="itemListElement" typeof="ListItem"><a property="item" typeof="WebPage"
        href="/washers"><span property="name">Washers</span></a>
        <meta property="position" content="2"></li>
    </ol>
    <div vocab="https://schema.org/" typeof="Product">
      <h1 property="name">Spring Washer M10</h1>
      <img property="image" src="/img/sw10.jpg" alt="washer">
      <p property="description">DIN 127 spring washer in stainless steel.</p>
      <span property="sku">SW-10</span>
      <div property="brand" typeof="Brand"><span property="name">Acme</span></div>
      <span property="material">Stainless steel A2</span>
      <div property="offers" typeof="Offer"><span property="price">0.10</span></div>
    </div>"""
    record = product(page(body=body))
    assert record["extraction"] == "rdfa"
    assert record["name"] == "Spring Washer M10"
    assert record["description"] == "DIN 127 spring washer in stainless steel."
    assert (record["sku"], record["brand"]) == ("SW-10", "Acme")
    assert record["specs"] == {"Material": "Stainless steel A2"}
    assert record["image_urls"] == ["https://shop.example/img/sw10.jpg"]
    assert record["breadcrumbs"] == ["Home", "Washers"]


# ---------------------------------------------------------------- OpenGraph and Twitter


def test_opengraph_product() -> None:
    head = """
    <meta property="og:type" content="product">
    <meta property="og:title" content="Ball Valve DN15">
    <meta property="og:description" content="Brass ball valve with lever.">
    <meta property="og:image" content="https://shop.example/i/valve.jpg">
    <meta property="og:image" content="/i/valve-side.jpg">
    <meta property="product:brand" content="Valvo">
    <meta property="product:retailer_item_id" content="BV-15">
    <meta property="product:category" content="Plumbing &gt; Valves">
    <meta property="product:material" content="Brass">"""
    record = product(page(head=head, body="<p>Hello</p>"))
    assert record["extraction"] == "opengraph"
    assert record["name"] == "Ball Valve DN15"
    assert record["description"] == "Brass ball valve with lever."
    assert (record["sku"], record["brand"]) == ("BV-15", "Valvo")
    assert record["specs"] == {"Material": "Brass"}
    assert record["breadcrumbs"] == ["Plumbing", "Valves"]
    assert record["image_urls"] == [
        "https://shop.example/i/valve.jpg",
        "https://shop.example/i/valve-side.jpg",
    ]


def test_opengraph_written_with_name_attributes_in_the_body() -> None:
    body = (
        '<meta name="og:type" content="product.item"><meta name="og:title" content="Gate Hook">'
        '<meta name="og:image" content="/i/hook.jpg">'
    )
    record = product(page(body=body))
    assert (record["name"], record["image_urls"]) == (
        "Gate Hook",
        ["https://shop.example/i/hook.jpg"],
    )


def test_opengraph_website_is_not_a_product() -> None:
    head = '<meta property="og:type" content="website"><meta property="og:title" content="Shop">'
    result = extract_product(page(head=head, body="<h1>Shop</h1>"), URL)
    assert (result.product, result.reason) == (None, "not_product")


def test_twitter_product_card() -> None:
    head = """
    <meta name="twitter:card" content="product">
    <meta name="twitter:title" content="Shackle 8 mm">
    <meta name="twitter:description" content="Galvanised D-shackle with screw pin.">
    <meta name="twitter:image" content="/i/shackle.jpg">
    <meta name="twitter:label1" content="Price"><meta name="twitter:data1" content="EUR 3">
    <meta name="twitter:label2" content="Material"><meta name="twitter:data2" content="Steel">"""
    record = product(page(head=head))
    assert record["extraction"] == "twitter"
    assert record["name"] == "Shackle 8 mm"
    assert record["description"] == "Galvanised D-shackle with screw pin."
    assert record["image_urls"] == ["https://shop.example/i/shackle.jpg"]
    assert record["specs"] == {"Material": "Steel"}
    summary = page(head='<meta name="twitter:card" content="summary">' + head.split("\n", 2)[2])
    assert extract_product(summary, URL).product is None


def test_structured_data_is_completed_from_the_page() -> None:
    head = ld({"@context": "https://schema.org", "@type": "Product", "name": "Door Stop"})
    body = """
    <div class="breadcrumbs"><a href="/">Home</a> / <a href="/doors">Doors</a></div>
    <div class="product-gallery"><img src="/i/stop-1.jpg" width="900" height="900">
      <img src="/i/stop-2.jpg" width="900" height="900"></div>
    <div id="tab-description"><h2>Description</h2>
      <p>Rubber door stop with a brushed steel base, screw fixing.</p></div>
    <ul class="product-attributes"><li><span>Material</span><span>Rubber, steel</span></li>
      <li>Colour: Black</li></ul>"""
    record = product(page(head=head, body=body))
    assert record["extraction"] == "json-ld"
    assert record["description"] == "Rubber door stop with a brushed steel base, screw fixing."
    assert record["image_urls"] == [
        "https://shop.example/i/stop-1.jpg",
        "https://shop.example/i/stop-2.jpg",
    ]
    assert record["specs"] == {"Material": "Rubber, steel", "Colour": "Black"}
    assert record["breadcrumbs"] == ["Home", "Doors"]
