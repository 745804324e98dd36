"""Real crawls of small catalogs as older CMSs write them (issue 26), kinds the corpus has none
of: PrestaShop 1.6 with its accessories block, Drupal 7 nodes at `/node/N` with field-items,
quicktabs and datasheet PDFs."""

from __future__ import annotations

from pathlib import Path

from ilid_platform_tests.local_site import PUMPS, VALVES, LocalSite, assert_found, crawl_found

PRODUCTS = PUMPS | VALVES
LINES = {"pumps": ("Pumps", PUMPS), "valves": ("Valves", VALVES)}
IDS = {code: 11 + n for n, code in enumerate(PRODUCTS)}


def prestashop(title: str, body: str, crumbs: str = "", page: str = "index") -> str:
    """A PrestaShop 1.6 page (default-bootstrap theme): nav bar, header with logo, search and
    cart block, the top menu, the breadcrumb, the footer's blocks."""
    trail = (
        '<div class="breadcrumb clearfix"><a class="home" href="/" title="Return to Home">'
        f'<i class="icon-home"></i></a><span class="navigation-pipe">&gt;</span>{crumbs}</div>'
        if crumbs
        else ""
    )
    return (
        '<!DOCTYPE HTML><html lang="en-us"><head><meta charset="utf-8">'
        f'<title>{title}</title><meta name="generator" content="PrestaShop"></head>'
        f'<body id="{page}" class="{page} hide-left-column lang_en"><div id="page">'
        '<div class="header-container"><header id="header"><div class="nav"><div class="container">'
        '<div class="row"><nav><div class="header_user_info"><a class="login"'
        ' href="/my-account" rel="nofollow" title="Log in to your customer account">Sign in</a>'
        '</div><span class="shop-phone"><i class="icon-phone"></i>Call us now: <strong>'
        '0123-456-789</strong></span></nav></div></div></div><div><div class="container">'
        '<div class="row"><div id="header_logo"><a href="/" title="Idrotec"><img'
        ' class="logo img-responsive" src="/img/idrotec-logo-1500000000.jpg" alt="Idrotec"'
        ' width="350" height="99"></a></div><div id="search_block_top" class="col-sm-4'
        ' clearfix"><form id="searchbox" method="get" action="/search"><input'
        ' class="search_query form-control" type="text" name="search_query"'
        ' placeholder="Search"></form></div><div class="col-sm-4 clearfix"><div'
        ' class="shopping_cart"><a href="/order" title="View my shopping cart" rel="nofollow">'
        '<b>Cart</b><span class="ajax_cart_no_product">(empty)</span></a></div></div>'
        '<div id="block_top_menu" class="sf-contener clearfix col-lg-12"><ul class="sf-menu'
        ' clearfix menu-content"><li><a href="/3-pumps" title="Pumps">Pumps</a></li>'
        '<li><a href="/4-valves" title="Valves">Valves</a></li></ul></div></div></div></div>'
        '</header></div><div class="columns-container"><div id="columns" class="container">'
        f'{trail}<div class="row"><div id="center_column" class="center_column col-xs-12'
        f' col-sm-12">{body}</div></div></div></div><div class="footer-container"><footer'
        ' id="footer" class="container"><div class="row"><section class="footer-block'
        ' col-xs-12 col-sm-2" id="block_various_links_footer"><h4>Information</h4><ul'
        ' class="toggle-footer"><li class="item"><a href="/content/4-about-us" title="About'
        ' us">About us</a></li><li class="item"><a href="/content/1-delivery"'
        ' title="Delivery">Delivery</a></li><li class="item"><a href="/contact-us"'
        ' title="Contact us">Contact us</a></li></ul></section><section class="bottom-footer'
        ' col-xs-12"><div>&copy; 2017 <a class="_blank" href="http://www.prestashop.com">'
        "Ecommerce software by PrestaShop&trade;</a></div></section></div></footer></div>"
        "</div></body></html>"
    )


def presta_url(slug: str, code: str) -> str:
    return f"/{slug}/{IDS[code]}-{code}.html"


def presta_card(slug: str, code: str, name: str, size: str) -> str:
    return (
        '<li class="ajax_block_product col-xs-12 col-sm-6 col-md-4"><div class="product-container"'
        ' itemscope itemtype="https://schema.org/Product"><div class="left-block"><div'
        ' class="product-image-container"><a class="product_img_link"'
        f' href="{presta_url(slug, code)}"'
        f' title="{name}" itemprop="url"><img class="replace-2x img-responsive"'
        f' src="/{IDS[code] * 10}-{size}/{code}.jpg" alt="{name}" title="{name}"'
        ' itemprop="image"></a></div></div><div class="right-block"><h5 itemprop="name"><a'
        f' class="product-name" href="{presta_url(slug, code)}" title="{name}" itemprop="url">'
        f'{name}</a></h5><div class="content_price"><span class="price product-price">'
        '€1,250.00</span></div><div class="button-container"><a class="button'
        ' ajax_add_to_cart_button btn btn-default" href="/cart?add=1" rel="nofollow"'
        ' title="Add to cart"><span>Add to cart</span></a></div></div></div></li>'
    )


def build_prestashop(site: LocalSite) -> str:
    site.add(
        "/",
        prestashop(
            "Idrotec",
            '<ul id="homefeatured" class="product_list grid row homefeatured tab-pane">'
            + "".join(presta_card("pumps", c, n, "home_default") for c, n in PUMPS.items())
            + "</ul>",
        ),
    )
    for path, label in (("/content/4-about-us", "About us"), ("/content/1-delivery", "Delivery")):
        site.add(
            path,
            prestashop(
                label,
                f'<div class="rte"><h1>{label}</h1><p>Idrotec since 1972, Como.</p></div>',
                f'<span class="navigation_page">{label}</span>',
                "cms",
            ),
        )
    site.add(
        "/contact-us",
        prestashop(
            "Contact us",
            '<h1 class="page-heading bottom-indent">Customer service - Contact us</h1>'
            '<form action="/contact-us" method="post" class="contact-form-box"><fieldset>'
            '<input type="text" id="email" name="from"><textarea name="message"></textarea>'
            '<button type="submit" name="submitMessage" id="submitMessage">Send</button>'
            "</fieldset></form>",
            '<span class="navigation_page">Contact</span>',
            "contact",
        ),
    )
    for n, (slug, (label, items)) in enumerate(LINES.items()):
        site.add(
            f"/{n + 3}-{slug}",
            prestashop(
                f"{label} - Idrotec",
                f'<div class="content_scene_cat"><div class="cat_desc"><span class="category-name">'
                f"{label}</span><p>Cast-iron {slug} for farms and water works.</p></div></div>"
                f'<h1 class="page-heading product-listing"><span class="cat-name">{label}&nbsp;'
                '</span><span class="heading-counter">There are 4 products.</span></h1>'
                '<ul class="product_list grid row">'
                + "".join(presta_card(slug, c, nm, "home_default") for c, nm in items.items())
                + "</ul>",
                f'<span class="navigation_page">{label}</span>',
                "category",
            ),
        )
        for code, name in items.items():
            pid = IDS[code]
            accessories = "".join(
                f'<li class="item product-box ajax_block_product"><div class="product_desc">'
                f'<a href="{presta_url(slug, other)}" title="{oname}" class="product-image'
                f' product_image"><img class="lazyOwl" src="/{IDS[other] * 10}-home_default/'
                f'{other}.jpg" alt="{oname}" width="250" height="250"></a></div><div'
                ' class="s_title_block"><h5 class="product-name"><a'
                f' href="{presta_url(slug, other)}">'
                f"{oname}</a></h5></div></li>"
                for other, oname in items.items()
                if other != code
            )
            site.add(
                presta_url(slug, code),
                prestashop(
                    name,
                    '<div itemscope itemtype="https://schema.org/Product"><meta itemprop="url"'
                    f' content="{presta_url(slug, code)}"><div class="primary_block row">'
                    '<div class="pb-left-column col-xs-12 col-sm-4 col-md-5"><div'
                    ' id="image-block" class="clearfix"><span id="view_full_size"><img'
                    f' id="bigpic" itemprop="image" src="/{pid * 10}-large_default/{code}.jpg"'
                    f' title="{name}" alt="{name}" width="458" height="458"><span'
                    ' class="span_link no-print">View larger</span></span></div><div'
                    ' id="views_block" class="clearfix"><div id="thumbs_list"><ul'
                    f' id="thumbs_list_frame"><li id="thumbnail_{pid * 10}"><a'
                    f' href="/{pid * 10}-thickbox_default/{code}.jpg"'
                    ' data-fancybox-group="other-views" class="fancybox shown"'
                    f' title="{name}"><img class="img-responsive" id="thumb_{pid * 10}"'
                    f' src="/{pid * 10}-cart_default/{code}.jpg" alt="{name}" height="80"'
                    ' width="80" itemprop="image"></a></li></ul></div></div></div>'
                    '<div class="pb-center-column col-xs-12 col-sm-4">'
                    f'<h1 itemprop="name">{name}</h1><p id="product_reference"><label>'
                    f'Reference: </label><span class="editable" itemprop="sku">{code.upper()}'
                    '</span></p><div id="short_description_block"><div'
                    ' id="short_description_content" class="rte align_justify"'
                    ' itemprop="description"><p>Cast iron body, stainless trim.</p></div></div>'
                    '</div><div class="pb-right-column col-xs-12 col-sm-4 col-md-3"><form'
                    ' id="buy_block" action="/cart" method="post"><div class="box-info-product">'
                    '<div class="content_prices clearfix"><p class="our_price_display"'
                    ' itemprop="offers" itemscope itemtype="https://schema.org/Offer"><span'
                    ' id="our_price_display" class="price" itemprop="price" content="1250">'
                    '€1,250.00</span><meta itemprop="priceCurrency" content="EUR"></p></div>'
                    '<div class="box-cart-bottom"><p id="add_to_cart" class="buttons_bottom_block'
                    ' no-print"><button type="submit" name="Submit" class="exclusive">'
                    "<span>Add to cart</span></button></p></div></div></form></div></div>"
                    '<section class="page-product-box"><h3 class="page-product-heading">Data'
                    ' sheet</h3><table class="table-data-sheet"><tr class="odd"><td>Pressure'
                    "</td><td>16 bar</td></tr></table></section>"
                    '<section class="page-product-box"><h3 class="page-product-heading">'
                    'Accessories</h3><div class="block products_block accessories-block'
                    f' clearfix"><div class="block_content"><ul id="bxslider">{accessories}'
                    "</ul></div></div></section></div>",
                    f'<span class="navigation_page"><a href="/{n + 3}-{slug}" title="{label}">'
                    f'{label}</a><span class="navigation-pipe">&gt;</span>{name}</span>',
                    "product",
                ),
            )
    return "/"


def test_prestashop_product_pages_with_accessories_and_a_home_showcase(tmp_path: Path) -> None:
    found = crawl_found(tmp_path, build_prestashop)
    assert_found(
        found,
        {
            presta_url(slug, code): (
                name,
                {
                    f"/{IDS[code] * 10}-large_default/{code}.jpg",
                    f"/{IDS[code] * 10}-thickbox_default/{code}.jpg",
                },
            )
            for slug, (_, items) in LINES.items()
            for code, name in items.items()
        },
    )


def drupal(title: str, body: str, nid: int | None = None) -> str:
    """A Drupal 7 page (Bartik-like theme) of a node without a url alias: the site name in the
    header, the main menu, a sidebar block of the catalog's terms, the footer menu."""
    tabs = (
        f'<div class="tabs"><h2 class="element-invisible">Primary tabs</h2><ul class="tabs'
        f' primary"><li class="active"><a href="/node/{nid}" class="active">View</a></li></ul>'
        "</div>"
        if nid
        else ""
    )
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML+RDFa 1.0//EN"'
        ' "http://www.w3.org/MarkUp/DTD/xhtml-rdfa-1.dtd"><html xmlns="http://www.w3.org/1999/xhtml"'
        ' xml:lang="en" version="XHTML+RDFa 1.0" dir="ltr"><head><meta http-equiv="Content-Type"'
        ' content="text/html; charset=utf-8" /><meta name="Generator" content="Drupal 7'
        f' (http://drupal.org)" /><title>{title} | Idrotec</title></head>'
        f'<body class="html not-front not-logged-in one-sidebar sidebar-first page-node">'
        '<div id="page-wrapper"><div id="page"><div id="header"><div class="section clearfix">'
        '<a href="/" title="Home" rel="home" id="logo"><img src="/sites/default/files/logo.png"'
        ' alt="Home" /></a><div id="name-and-slogan"><div id="site-name"><strong><a href="/"'
        ' title="Home" rel="home"><span>Idrotec</span></a></strong></div><div id="site-slogan">'
        'Pumps and valves since 1972</div></div><div id="main-menu" class="navigation"><h2'
        ' class="element-invisible">Main menu</h2><ul id="main-menu-links" class="links clearfix">'
        '<li class="menu-218 first"><a href="/">Home</a></li><li class="menu-400"><a'
        ' href="/node/2">Products</a></li><li class="menu-401 last"><a href="/node/3">Contact'
        '</a></li></ul></div></div></div><div id="main-wrapper" class="clearfix"><div id="main"'
        ' class="clearfix"><div id="sidebar-first" class="column sidebar"><div class="section">'
        '<div class="region region-sidebar-first"><div id="block-menu-menu-catalog" class="block'
        ' block-menu"><h2>Catalog</h2><div class="content"><ul class="menu"><li class="first'
        ' leaf"><a href="/taxonomy/term/1">Pumps</a></li><li class="last leaf"><a'
        ' href="/taxonomy/term/2">Valves</a></li></ul></div></div></div></div></div>'
        '<div id="content" class="column"><div class="section"><a id="main-content"></a>'
        f'<h1 class="title" id="page-title">{title}</h1>{tabs}<div class="region'
        f' region-content"><div id="block-system-main" class="block block-system"><div'
        f' class="content">{body}</div></div></div></div></div></div></div>'
        '<div id="footer-wrapper"><div class="section"><div id="footer" class="clearfix">'
        '<div class="region region-footer"><div id="block-block-1" class="block block-block">'
        '<div class="content"><p>Idrotec srl &middot; Via Roma 4, Como &middot; P.IVA'
        " 01234567890</p></div></div></div></div></div></div></div></div></body></html>"
    )


def field(name: str, kind: str, items: str, label: str = "") -> str:
    heading = f'<div class="field-label">{label}:&nbsp;</div>' if label else ""
    hidden = "above" if label else "hidden"
    return (
        f'<div class="field field-name-field-{name} field-type-{kind} field-label-{hidden}">'
        f'{heading}<div class="field-items">{items}</div></div>'
    )


def build_drupal(site: LocalSite) -> str:
    nids = {code: 20 + n for n, code in enumerate(PRODUCTS)}
    files = "/sites/default/files"
    site.add(
        "/",
        drupal(
            "Welcome",
            '<div class="view view-frontpage"><p>Idrotec designs and builds pumps and valves'
            " for farms, water works and industry.</p></div>",
        ),
    )
    site.add("/node/3", drupal("Contact", "<p>Via Roma 4, 22100 Como. Tel 031 123456.</p>", 3))
    site.add(
        "/node/2",
        drupal(
            "Products",
            field(
                "body",
                "text-with-summary",
                '<div class="field-item even" property="content:encoded"><p>Our catalog:'
                ' <a href="/taxonomy/term/1">pumps</a> and <a href="/taxonomy/term/2">valves'
                "</a>.</p></div>",
            ),
            2,
        ),
    )
    for term, (label, items) in enumerate(LINES.values(), 1):
        rows = "".join(
            f'<div class="views-row views-row-{n + 1}"><div class="views-field'
            ' views-field-field-image"><div class="field-content"><a'
            f' href="/node/{nids[code]}"><img typeof="foaf:Image"'
            f' src="{files}/styles/thumbnail/public/products/{code}.jpg?itok=Tb3Kx9aZ"'
            f' width="100" height="75" alt="" /></a></div></div><div class="views-field'
            f' views-field-title"><span class="field-content"><a href="/node/{nids[code]}">'
            f"{name}</a></span></div></div>"
            for n, (code, name) in enumerate(items.items())
        )
        site.add(
            f"/taxonomy/term/{term}",
            drupal(
                label,
                f'<div class="term-listing-heading"><div id="taxonomy-term-{term}"'
                f' class="taxonomy-term vocabulary-catalog"><div class="content"></div></div>'
                f'</div><div class="view view-catalog"><div class="view-content">{rows}</div>'
                "</div>",
            ),
        )
        for code, name in items.items():
            nid = nids[code]
            image = field(
                "image",
                "image",
                f'<div class="field-item even" rel="og:image rdfs:seeAlso"'
                f' resource="{files}/styles/large/public/products/{code}.jpg?itok=Q1w2E3r4"><a'
                f' href="{files}/products/{code}.jpg" rel="lightbox[field_image]"><img'
                f' typeof="foaf:Image" src="{files}/styles/medium/public/products/{code}.jpg'
                f'?itok=Zx8Cv7Bn" width="220" height="165" alt="" /></a></div>',
            )
            sheet = field(
                "datasheet",
                "file",
                '<div class="field-item even"><span class="file"><img class="file-icon"'
                ' alt="PDF icon" title="application/pdf"'
                ' src="/modules/file/icons/application-pdf.png" /> <a'
                f' href="{files}/datasheets/{code}-en.pdf" type="application/pdf;'
                f' length=482113">{code}-en.pdf</a></span></div>',
                "Datasheet",
            )
            specs = field(
                "specs",
                "text-long",
                '<div class="field-item even"><table><tbody><tr><td>Pressure</td><td>16 bar'
                "</td></tr><tr><td>Weight</td><td>31 kg</td></tr></tbody></table></div>",
            )
            body = field(
                "body",
                "text-with-summary",
                '<div class="field-item even" property="content:encoded"><p>Cast iron body,'
                " stainless trim, tested to 16 bar before it leaves the works.</p></div>",
            )
            site.add(
                f"/node/{nid}",
                drupal(
                    name,
                    f'<div id="node-{nid}" class="node node-product node-promoted clearfix"'
                    ' about="/node/' + str(nid) + '" typeof="sioc:Item foaf:Document">'
                    '<span property="dc:title" content="' + name + '" class="rdf-meta'
                    ' element-hidden"></span><div class="content">'
                    f"{image}"
                    '<div id="quicktabs-product" class="quicktabs-wrapper'
                    ' quicktabs-style-nostyle"><div class="item-list"><ul'
                    ' class="quicktabs-tabs"><li class="active first"><a'
                    f' href="/node/{nid}?qt-product=0#qt-product" id="quicktabs-tab-product-0"'
                    ' class="active">Description</a></li><li><a'
                    f' href="/node/{nid}?qt-product=1#qt-product" id="quicktabs-tab-product-1">'
                    'Technical data</a></li><li class="last"><a'
                    f' href="/node/{nid}?qt-product=2#qt-product" id="quicktabs-tab-product-2">'
                    'Downloads</a></li></ul></div><div id="quicktabs-container-product"'
                    ' class="quicktabs_main quicktabs-style-nostyle">'
                    f'<div id="quicktabs-tabpage-product-0" class="quicktabs-tabpage">{body}</div>'
                    '<div id="quicktabs-tabpage-product-1" class="quicktabs-tabpage'
                    f' quicktabs-hide">{specs}</div><div id="quicktabs-tabpage-product-2"'
                    f' class="quicktabs-tabpage quicktabs-hide">{sheet}</div></div></div>'
                    + field(
                        "category",
                        "taxonomy-term-reference",
                        f'<div class="field-item even"><a href="/taxonomy/term/{term}"'
                        f' typeof="skos:Concept" property="rdfs:label skos:prefLabel">{label}'
                        "</a></div>",
                        "Category",
                    )
                    + "</div></div>",
                    nid,
                ),
            )
    return "/"


def test_drupal7_nodes_with_field_items_quicktabs_and_datasheets(tmp_path: Path) -> None:
    """Every page is `/node/N` (no aliases), the product a field-items image linking its
    original above quicktabs whose links repeat the node with `?qt-product=N`; the Downloads
    tab links a PDF datasheet; the Products page and the term listings are no products."""
    nids = {code: 20 + n for n, code in enumerate(PRODUCTS)}
    files = "/sites/default/files"
    found = crawl_found(tmp_path, build_drupal)
    assert_found(
        found,
        {
            f"/node/{nids[code]}": (
                name,
                {
                    f"{files}/products/{code}.jpg",
                    f"{files}/styles/medium/public/products/{code}.jpg?itok=Zx8Cv7Bn",
                },
            )
            for code, name in PRODUCTS.items()
        },
    )
