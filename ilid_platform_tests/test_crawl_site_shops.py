"""Real crawls of small catalogs as hosted shops and site builders write them (issue 26), kinds
the corpus has none of: Shopify (variants at `?variant=N`), Magento 2 (a fotorama gallery fed by
`data-gallery` JSON), Squarespace, WordPress with Divi modules (a product as a plain page),
Weebly, Odoo's website shop, a Next.js static export (`__NEXT_DATA__`), an IndiaMART-style
catalog (name in an h2 beside "Send Enquiry"), a Korean Cafe24 shop. Each keeps its real chrome."""

from __future__ import annotations

import json
from pathlib import Path

from ilid_platform_tests.local_site import PUMPS, VALVES, LocalSite, assert_found, crawl_found

PRODUCTS = PUMPS | VALVES
LINES = {"pumps": ("Pumps", PUMPS), "valves": ("Valves", VALVES)}


def expect(path, photo) -> dict[str, tuple[str, set]]:
    """Every product at `path(slug, code)` with the photo(s) `photo(code)`."""
    out = {}
    for slug, (_, items) in LINES.items():
        for code, name in items.items():
            got = photo(code)
            out[path(slug, code)] = (name, got if isinstance(got, set) else {got})
    return out


# -- Shopify ---------------------------------------------------------------------------------

CDN = "/cdn/shop/files"


def shopify(title: str, body: str) -> str:
    return (
        '<!doctype html><html class="no-js" lang="en"><head><meta charset="utf-8">'
        f"<title>{title} &ndash; Hydroline Supply</title>"
        f'<meta property="og:site_name" content="Hydroline Supply"><meta property="og:title"'
        f' content="{title}"><script>window.Shopify = window.Shopify || {{}};'
        'Shopify.shop = "hydroline.myshopify.com";</script></head>'
        '<body class="gradient"><a class="skip-to-content-link button visually-hidden"'
        ' href="#MainContent">Skip to content</a><div class="announcement-bar" role="region">'
        '<p class="announcement-bar__message h5">Free shipping over $500</p></div>'
        '<sticky-header class="header-wrapper"><header class="header header--middle-left">'
        '<a href="/" class="header__heading-link"><img src="' + CDN + '/logo.png?v=16"'
        ' alt="Hydroline Supply" class="header__heading-logo"></a><nav class="header__inline-menu">'
        '<ul class="list-menu list-menu--inline" role="list"><li><a href="/"'
        ' class="header__menu-item'
        ' list-menu__item link">Home</a></li><li><a href="/collections/pumps"'
        ' class="header__menu-item'
        ' list-menu__item link">Pumps</a></li><li><a href="/collections/valves"'
        ' class="header__menu-item list-menu__item link">Valves</a></li><li><a'
        ' href="/pages/contact"'
        ' class="header__menu-item list-menu__item link">Contact</a></li></ul></nav>'
        '<div class="header__icons"><a href="/search" class="header__icon">Search</a>'
        '<a href="/account/login" class="header__icon">Log in</a><a href="/cart"'
        ' class="header__icon header__icon--cart" id="cart-icon-bubble">Cart</a></div>'
        f'</header></sticky-header><main id="MainContent" class="content-for-layout" role="main">'
        f'{body}</main><footer class="footer"><div class="footer-block"><h2'
        ' class="footer-block__heading">'
        'Quick links</h2><ul><li><a href="/policies/refund-policy">Refund policy</a></li>'
        '<li><a href="/pages/contact">Contact</a></li></ul></div><div class="footer__newsletter">'
        '<h2>Subscribe to our emails</h2><form action="/contact#contact_form"><input type="email"'
        ' name="contact[email]"></form></div><small class="copyright__content">&copy; 2024,'
        ' <a href="/">Hydroline Supply</a> Powered by Shopify</small></footer></body></html>'
    )


def shopify_card(code: str, name: str, href: str) -> str:
    return (
        '<li class="grid__item"><div class="card-wrapper product-card-wrapper">'
        '<div class="card card--standard card--media"><div class="card__inner">'
        '<div class="card__media"><div class="media media--transparent">'
        f'<img srcset="{CDN}/{code}_360x.jpg?v=1 360w, {CDN}/{code}_533x.jpg?v=1 533w"'
        f' src="{CDN}/{code}_533x.jpg?v=1" alt="{name}" class="motion-reduce" loading="lazy">'
        '</div></div></div><div class="card__content"><div class="card__information">'
        f'<h3 class="card__heading h5"><a href="{href}" class="full-unstyled-link">{name}</a></h3>'
        '<div class="price"><span class="price-item price-item--regular">$1,250.00 USD</span>'
        "</div></div></div></div></div></li>"
    )


def build_shopify(site: LocalSite) -> str:
    site.add(
        "/",
        shopify(
            "Hydroline Supply",
            '<div class="banner"><h2 class="banner__heading">Pumps and valves for every farm</h2>'
            f'<img src="{CDN}/hero.jpg?v=3" alt=""></div><h2 class="title">Featured</h2>'
            '<ul class="grid product-grid">'
            + shopify_card("cp-40", PUMPS["cp-40"], "/collections/all/products/cp-40")
            + "</ul>",
        ),
    )
    site.add("/pages/contact", shopify("Contact", "<h1>Contact</h1><p>Austin, TX</p>"))
    for slug, (label, items) in LINES.items():
        cards = "".join(
            shopify_card(code, name, f"/collections/{slug}/products/{code}")
            for code, name in items.items()
        )
        site.add(
            f"/collections/{slug}",
            shopify(
                label,
                f'<div class="collection-hero"><h1 class="collection-hero__title">{label}</h1>'
                f'</div><ul id="product-grid" class="grid product-grid">{cards}</ul>',
            ),
        )
        for n, (code, name) in enumerate(items.items()):
            variants = [
                {"id": 4400 + n * 10 + k, "title": t} for k, t in enumerate(["1 in", "2 in"])
            ]
            recs = "".join(
                shopify_card(o, on, f"/products/{o}") for o, on in items.items() if o != code
            )
            body = (
                '<section class="product-section"><div class="product product--large grid">'
                '<div class="grid__item product__media-wrapper"><ul class="product__media-list">'
                f'<li class="product__media-item"><div class="product__media media">'
                f'<img src="{CDN}/{code}_1946x.jpg?v=1" srcset="{CDN}/{code}_493x.jpg?v=1 493w,'
                f' {CDN}/{code}_1946x.jpg?v=1 1946w" alt="{name}" width="1946" height="1946">'
                '</div></li></ul></div><div class="product__info-wrapper grid__item">'
                '<div class="product__info-container"><p class="product__text caption">Hydroline'
                "</p>"
                f'<div class="product__title"><h1>{name}</h1></div>'
                '<div class="price__container"><span class="price-item">$1,250.00 USD</span></div>'
                '<variant-radios class="no-js-hidden"><fieldset><legend>Size</legend>'
                + "".join(
                    f'<input type="radio" name="Size" value="{v["title"]}"><label>{v["title"]}'
                    "</label>"
                    for v in variants
                )
                + '</fieldset></variant-radios><form method="post" action="/cart/add">'
                f'<input type="hidden" name="id" value="{variants[0]["id"]}">'
                '<button type="submit" name="add" class="product-form__submit button">Add to cart'
                '</button></form><div class="product__description rte"><p>Cast iron body,'
                " stainless trim, tested to 16 bar.</p></div>"
                + "".join(
                    f'<a href="/products/{code}?variant={v["id"]}"'
                    f' class="variant-link">{v["title"]}</a> '
                    for v in variants
                )
                + '</div></div></div></section><product-recommendations class="related-products">'
                '<h2 class="related-products__heading">You may also like</h2><ul'
                f' class="grid">{recs}'
                "</ul></product-recommendations>"
                '<script type="application/json" data-product-json>'
                + json.dumps({"id": 700 + n, "title": name, "variants": variants})
                + "</script>"
            )
            page = shopify(name, body)
            site.add(f"/collections/{slug}/products/{code}", page)
            site.add(f"/collections/all/products/{code}", page)
            site.add(f"/products/{code}", page)
            for v in variants:
                site.add(f"/products/{code}?variant={v['id']}", page)
    return "/"


def test_shopify_products_under_collections_and_variant_urls_one_record_each(
    tmp_path: Path,
) -> None:
    """One Shopify product answers at /products/x, /collections/c/products/x and at each
    ?variant=N: one record each, named by its h1, its photo the CDN file."""
    found = crawl_found(tmp_path, build_shopify)
    names = {}
    for path, (name, photo) in found.items():
        names.setdefault(name, []).append((path, photo))
    assert set(names) == set(PRODUCTS.values()), sorted(found)
    assert all(len(v) == 1 for v in names.values()), names
    for code, name in PRODUCTS.items():
        assert names[name][0][1].startswith(f"{CDN}/{code}_"), names[name]


# -- Magento 2 -------------------------------------------------------------------------------

MEDIA = "/media/catalog/product"


def magento(title: str, body: str, crumbs: str = "") -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<title>{title}</title><link rel="stylesheet" type="text/css" media="all"'
        ' href="/static/version1700/frontend/Magento/luma/en_US/css/styles-m.css">'
        '</head><body data-container="body" class="page-products catalog-product-view">'
        '<div class="page-wrapper"><header class="page-header"><div class="panel wrapper">'
        '<div class="panel header"><ul class="header links"><li class="greet welcome">'
        '<span>Default welcome msg!</span></li><li class="authorization-link"><a'
        ' href="/customer/account/login/">Sign In</a></li><li><a href="/customer/account/create/">'
        'Create an Account</a></li></ul></div></div><div class="header content">'
        '<a class="logo" href="/" title="FluidTech"><img src="/static/version1700/frontend/'
        'FluidTech/default/en_US/images/logo.svg" alt="FluidTech" width="170"></a>'
        '<div data-block="minicart" class="minicart-wrapper"><a class="action showcart"'
        ' href="/checkout/cart/"><span class="text">My Cart</span></a></div>'
        '<div class="block block-search"><form class="form minisearch" action="/catalogsearch/'
        'result/"><input id="search" type="text" name="q"></form></div></div></header>'
        '<div class="sections nav-sections"><nav class="navigation" data-action="navigation">'
        '<ul data-mage-init=\'{"menu":{}}\'><li class="level0 nav-1 category-item first">'
        '<a href="/pumps.html" class="level-top"><span>Pumps</span></a></li>'
        '<li class="level0 nav-2 category-item last"><a href="/valves.html" class="level-top">'
        "<span>Valves</span></a></li></ul></nav></div>"
        + (
            f'<div class="breadcrumbs"><ul class="items"><li class="item home"><a href="/"'
            f' title="Go to Home Page">Home</a></li>{crumbs}</ul></div>'
            if crumbs
            else ""
        )
        + f'<main id="maincontent" class="page-main"><div class="columns"><div class="column main">'
        f"{body}</div></div></main>"
        '<footer class="page-footer"><div class="footer content"><ul class="footer links">'
        '<li class="nav item"><a href="/search/term/popular/">Search Terms</a></li>'
        '<li class="nav item"><a href="/privacy-policy-cookie-restriction-mode/">Privacy and'
        ' Cookie Policy</a></li><li class="nav item"><a href="/contact/">Contact Us</a></li></ul>'
        '</div></footer><small class="copyright"><span>Copyright &copy; 2013-present FluidTech'
        "</span></small></div></body></html>"
    )


def build_magento(site: LocalSite) -> str:
    site.add(
        "/",
        magento(
            "Home page",
            '<div class="blocks-promo"><a href="/pumps.html" class="block-promo"><img'
            ' src="/media/wysiwyg/home-pumps.jpg" alt=""><span class="content"><strong'
            ' class="title">Pumps for every job</strong></span></a></div>',
        ),
    )
    site.add("/contact/", magento("Contact Us", '<h1 class="page-title">Contact Us</h1>'))
    for slug, (label, items) in LINES.items():
        cards = "".join(
            '<li class="item product product-item"><div class="product-item-info">'
            f'<a href="/{code}.html" class="product photo product-item-photo" tabindex="-1">'
            '<span class="product-image-container"><span class="product-image-wrapper">'
            f'<img class="product-image-photo" src="{MEDIA}/cache/3f1c/240x300/{code[0]}/{code[1]}/'
            f'{code}.jpg" alt="{name}" width="240" height="300"></span></span></a>'
            '<div class="product details product-item-details"><strong class="product name'
            f' product-item-name"><a class="product-item-link" href="/{code}.html">{name}</a>'
            '</strong><div class="price-box price-final_price"><span class="price">$1,250.00'
            '</span></div><div class="product-item-actions"><button class="action tocart primary">'
            "<span>Add to Cart</span></button></div></div></div></li>"
            for code, name in items.items()
        )
        site.add(
            f"/{slug}.html",
            magento(
                label,
                f'<h1 class="page-title"><span class="base" data-ui-id="page-title-wrapper">{label}'
                '</span></h1><div class="products wrapper grid products-grid"><ol class="products'
                f' list items product-items">{cards}</ol></div>',
                f'<li class="item category"><strong>{label}</strong></li>',
            ),
        )
        for code, name in items.items():
            gallery = [
                {
                    "thumb": f"{MEDIA}/cache/a1/88x110/{code[0]}/{code[1]}/{code}{s}.jpg",
                    "img": f"{MEDIA}/cache/b2/700x700/{code[0]}/{code[1]}/{code}{s}.jpg",
                    "full": f"{MEDIA}/{code[0]}/{code[1]}/{code}{s}.jpg",
                    "caption": name,
                    "isMain": not s,
                    "type": "image",
                }
                for s in ("", "_side")
            ]
            config = {
                "[data-gallery-role=gallery-placeholder]": {
                    "mage/gallery/gallery": {"data": gallery, "options": {"nav": "thumbs"}}
                }
            }
            site.add(
                f"/{code}.html",
                magento(
                    name,
                    '<div class="product-info-main"><div class="page-title-wrapper product">'
                    f'<h1 class="page-title"><span class="base" data-ui-id="page-title-wrapper"'
                    f' itemprop="name">{name}</span></h1></div><div class="product-info-price">'
                    '<span class="price">$1,250.00</span></div><div class="product-info-stock-sku">'
                    f'<div class="product attribute sku"><strong class="type">SKU</strong>'
                    f'<div class="value" itemprop="sku">{code.upper()}</div></div></div>'
                    '<form data-product-sku="x" action="/checkout/cart/add/"'
                    ' id="product_addtocart_form">'
                    '<button type="submit" title="Add to Cart" class="action primary tocart">'
                    "<span>Add to Cart</span></button></form></div>"
                    '<div class="product media"><a id="gallery-prev-area" tabindex="-1"></a>'
                    '<div class="action-skip-wrapper"><a class="action skip gallery-next-area"'
                    ' href="#gallery-next-area"><span>Skip to the end of the images gallery</span>'
                    '</a></div><div class="gallery-placeholder _block-content-loading"'
                    ' data-gallery-role="gallery-placeholder"><img alt="main product photo"'
                    f' class="gallery-placeholder__image" src="{gallery[0]["img"]}"></div>'
                    f'<script type="text/x-magento-init">{json.dumps(config)}</script></div>'
                    '<div class="product info detailed"><div class="product data items">'
                    '<div class="data item title active"><a class="data switch"'
                    ' href="#description">'
                    'Details</a></div><div class="data item content" id="description"><div'
                    ' class="product attribute description"><div class="value"><p>Cast iron body,'
                    " stainless trim, tested to 16 bar.</p></div></div></div></div></div>",
                    f'<li class="item category"><a href="/{slug}.html">{label}</a></li>'
                    f'<li class="item product"><strong>{name}</strong></li>',
                ),
            )
    return "/"


def test_magento2_fotorama_gallery_from_data_gallery_json(tmp_path: Path) -> None:
    """The photo is the placeholder of a fotorama gallery whose files a magento-init JSON
    lists; the name an h1's span whose text says nothing else."""
    found = crawl_found(tmp_path, build_magento)
    assert_found(
        found,
        expect(
            lambda slug, code: f"/{code}.html",
            lambda code: {
                f"{MEDIA}/cache/b2/700x700/{code[0]}/{code[1]}/{code}.jpg",
                f"{MEDIA}/{code[0]}/{code[1]}/{code}.jpg",
            },
        ),
    )


# -- Squarespace -----------------------------------------------------------------------------

SQS = "/static/5f1a/t"


def squarespace(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en-US"><head><meta charset="utf-8">'
        f"<title>{title} &mdash; Northfield Pumps</title>"
        '<meta property="og:site_name" content="Northfield Pumps">'
        "<!-- This is Squarespace. --><!-- northfield-pumps --></head>"
        '<body class="header--menu-open tweak-global-animations-enabled">'
        '<div id="siteWrapper" class="clearfix site-wrapper"><header data-test="header"'
        ' id="header" class="header theme-col--primary"><div class="header-inner">'
        '<div class="header-title-logo"><a href="/" data-animation-role="header-element">'
        f'<img elementtiming="nbf-header-logo-desktop" src="{SQS}/logo.png?format=1500w"'
        ' alt="Northfield Pumps"></a></div><div class="header-nav"><nav class="header-nav-list">'
        '<div class="header-nav-item header-nav-item--collection"><a href="/shop">Shop</a></div>'
        '<div class="header-nav-item header-nav-item--collection"><a href="/about">About</a></div>'
        '<div class="header-nav-item header-nav-item--collection"><a href="/contact">Contact</a>'
        '</div></nav></div><div class="header-actions"><div class="cart-container">'
        '<a href="/cart" class="cart-style-icon">Cart 0</a></div></div></div></header>'
        f'<main id="page" class="container" role="main">{body}</main>'
        '<footer class="sections" id="footer-sections"><section class="page-section"><div'
        ' class="sqs-block html-block sqs-block-html"><div class="sqs-block-content"><p>'
        'Northfield Pumps Ltd, Unit 4, York</p></div></div><div class="sqs-block'
        ' newsletter-block"><h2>Subscribe</h2><form><input name="email"></form></div>'
        "</section></footer></div></body></html>"
    )


def build_squarespace(site: LocalSite) -> str:
    site.add(
        "/",
        squarespace(
            "Home",
            '<section class="page-section"><div class="section-background"><img'
            f' data-src="{SQS}/hero.jpg" data-image-dimensions="2500x1667" alt=""></div>'
            '<div class="content"><h1>Pumps built to last</h1><p><a'
            ' class="sqs-block-button-element"'
            ' href="/shop">Shop now</a></p></div></section>',
        ),
    )
    site.add("/about", squarespace("About", "<h1>About</h1><p>Family firm since 1981.</p>"))
    site.add("/contact", squarespace("Contact", "<h1>Contact</h1><p>York.</p>"))
    cards = "".join(
        f'<div class="grid-item" data-item-id="{code}"><a href="/shop/p/{code}"'
        ' class="grid-item-link"></a><div class="grid-image"><div class="grid-image-wrapper">'
        f'<img data-src="{SQS}/{code}.jpg" data-image-dimensions="1200x1200"'
        f' src="{SQS}/{code}.jpg?format=500w" alt="{name}" class="grid-item-image"></div></div>'
        f'<div class="grid-meta-wrapper"><div class="grid-title">{name}</div>'
        '<div class="product-price">£1,250.00</div></div></div>'
        for code, name in PRODUCTS.items()
    )
    site.add(
        "/shop",
        squarespace(
            "Shop",
            '<section class="products-flex-container"><nav class="nested-category-tree-wrapper">'
            '<ul><li><a href="/shop">All</a></li></ul></nav><div class="list-grid"'
            ' id="productList">'
            f"{cards}</div></section>",
        ),
    )
    for code, name in PRODUCTS.items():
        site.add(
            f"/shop/p/{code}",
            squarespace(
                name,
                '<article class="ProductItem" data-item-id="x"><nav class="ProductItem-nav">'
                '<div class="ProductItem-nav-breadcrumb"><a href="/shop"'
                ' class="ProductItem-nav-breadcrumb-link">Shop</a><span'
                f' class="ProductItem-nav-breadcrumb-separator"></span><a href="/shop/p/{code}"'
                f' class="ProductItem-nav-breadcrumb-link">{name}</a></div></nav>'
                '<section class="ProductItem-details"><div class="ProductItem-gallery">'
                '<div class="ProductItem-gallery-slides"><div'
                ' class="ProductItem-gallery-slides-item">'
                f'<img class="ProductItem-gallery-slides-item-image" data-src="{SQS}/{code}.jpg"'
                f' data-image-dimensions="1200x1200" src="{SQS}/{code}.jpg?format=1000w"'
                f' alt="{code}.jpg"></div></div></div><div class="ProductItem-details-excerpt">'
                f'<h1 class="ProductItem-details-title" data-content-field="title">{name}</h1>'
                '<div class="product-price">£1,250.00</div><div'
                ' class="ProductItem-details-excerpt">'
                "<p>Cast iron body, stainless trim, tested to 16 bar.</p></div>"
                '<div class="sqs-add-to-cart-button-wrapper"><div class="sqs-add-to-cart-button'
                ' sqs-suppress-edit-mode sqs-editable-button" role="button">'
                '<div class="sqs-add-to-cart-button-inner">Add To Cart</div></div></div></div>'
                "</section></article>",
            ),
        )
    return "/"


def test_squarespace_product_items_with_lazy_data_src_photos(tmp_path: Path) -> None:
    found = crawl_found(tmp_path, build_squarespace)
    assert_found(
        found,
        {
            f"/shop/p/{code}": (name, {f"{SQS}/{code}.jpg", f"{SQS}/{code}.jpg?format=1000w"})
            for code, name in PRODUCTS.items()
        },
    )


# -- WordPress with Divi: products as plain pages -------------------------------------------

UP = "/wp-content/uploads/2021/03"


def divi(title: str, body: str, page_id: int) -> str:
    return (
        '<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8">'
        f"<title>{title} | Delta Valves</title>"
        '<link rel="stylesheet" id="divi-style-css" href="/wp-content/themes/Divi/style.css">'
        '<meta name="generator" content="WordPress 5.7"></head>'
        f'<body class="page-template-default page page-id-{page_id} et_pb_button_helper_class'
        " et_fixed_nav et_show_nav et_primary_nav_dropdown_animation_fade et_pb_gutters3"
        ' et_pb_pagebuilder_layout et_divi_theme">'
        '<div id="page-container"><header id="main-header" data-height-onload="66">'
        '<div class="container clearfix et_menu_container"><div class="logo_container">'
        '<a href="/"><img src="/wp-content/uploads/2021/01/delta-logo.png" alt="Delta Valves"'
        ' id="logo" data-height-percentage="54"></a></div><div id="et-top-navigation">'
        '<nav id="top-menu-nav"><ul id="top-menu" class="nav"><li class="menu-item'
        ' menu-item-type-post_type menu-item-object-page"><a href="/">Home</a></li>'
        '<li class="menu-item menu-item-has-children"><a href="/products/">Products</a>'
        '<ul class="sub-menu">'
        + "".join(
            f'<li class="menu-item"><a href="/products/{slug}/">{label}</a></li>'
            for slug, (label, _) in LINES.items()
        )
        + '</ul></li><li class="menu-item"><a href="/contact-us/">Contact Us</a></li></ul>'
        '</nav></div></div></header><div id="et-main-area"><div id="main-content">'
        f'<article id="post-{page_id}" class="post-{page_id} page type-page status-publish'
        ' hentry"><div class="entry-content"><div id="et-boc" class="et-boc"><div'
        f' class="et-l et-l--post"><div class="et_builder_inner_content et_pb_gutters3">{body}'
        "</div></div></div></div></article></div>"
        '<footer id="main-footer"><div id="footer-bottom"><div class="container clearfix">'
        '<ul class="et-social-icons"><li class="et-social-icon et-social-facebook"><a'
        ' href="https://facebook.com/deltavalves" class="icon"><span>Facebook</span></a></li>'
        '</ul><div id="footer-info">Delta Valves Ltd &copy; 2021</div></div></div></footer>'
        "</div></div></body></html>"
    )


def divi_section(n: int, row: str) -> str:
    return (
        f'<div class="et_pb_section et_pb_section_{n} et_section_regular">'
        f'<div class="et_pb_row et_pb_row_{n}">{row}</div></div>'
    )


def build_divi(site: LocalSite) -> str:
    site.add(
        "/",
        divi(
            "Home",
            divi_section(
                0,
                '<div class="et_pb_column et_pb_column_4_4"><div class="et_pb_module'
                ' et_pb_fullwidth_header"><h1>Valves and pumps for industry</h1></div></div>',
            ),
            2,
        ),
    )
    site.add("/contact-us/", divi("Contact Us", divi_section(0, "<h1>Contact</h1>"), 9))
    site.add(
        "/products/",
        divi(
            "Products",
            divi_section(
                0,
                "".join(
                    '<div class="et_pb_column et_pb_column_1_2"><div class="et_pb_module'
                    ' et_pb_image"><a href="/products/' + slug + '/"><span'
                    f' class="et_pb_image_wrap"><img src="{UP}/{slug}-cat.jpg" alt=""></span></a>'
                    f'</div><div class="et_pb_module et_pb_text"><div class="et_pb_text_inner">'
                    f'<h3><a href="/products/{slug}/">{label}</a></h3></div></div></div>'
                    for slug, (label, _) in LINES.items()
                ),
            ),
            3,
        ),
    )
    pid = 10
    for slug, (label, items) in LINES.items():
        blurbs = "".join(
            f'<div class="et_pb_column et_pb_column_1_4 et_pb_column_{k}"><div'
            f' class="et_pb_module et_pb_blurb et_pb_blurb_{k} et_clickable">'
            '<div class="et_pb_blurb_content"><div class="et_pb_main_blurb_image">'
            f'<a href="/{code}/"><span class="et_pb_image_wrap"><img src="{UP}/{code}-300x300.jpg"'
            f' alt="" class="et-waypoint et_pb_animation_top"></span></a></div>'
            f'<div class="et_pb_blurb_container"><h4 class="et_pb_module_header"><a'
            f' href="/{code}/">{name}</a></h4></div></div></div></div>'
            for k, (code, name) in enumerate(items.items())
        )
        site.add(
            f"/products/{slug}/",
            divi(
                label,
                divi_section(0, f'<div class="et_pb_module et_pb_text"><h1>{label}</h1></div>')
                + divi_section(1, blurbs),
                pid,
            ),
        )
        pid += 1
        for code, name in items.items():
            site.add(
                f"/{code}/",
                divi(
                    name,
                    divi_section(
                        0,
                        '<div class="et_pb_column et_pb_column_1_2 et_pb_column_0"><div'
                        ' class="et_pb_module et_pb_image et_pb_image_0"><a'
                        f' href="{UP}/{code}.jpg" class="et_pb_lightbox_image" title=""><span'
                        f' class="et_pb_image_wrap"><img src="{UP}/{code}-1024x768.jpg"'
                        f' alt="" width="1024" height="768"></span></a></div></div>'
                        '<div class="et_pb_column et_pb_column_1_2 et_pb_column_1"><div'
                        ' class="et_pb_module et_pb_text et_pb_text_0"><div'
                        f' class="et_pb_text_inner"><h2>{name}</h2><p>Cast iron body,'
                        " stainless trim, tested to 16 bar.</p><ul><li>PN16</li><li>DN50 to"
                        ' DN300</li></ul></div></div><div class="et_pb_button_module_wrapper">'
                        '<a class="et_pb_button et_pb_button_0" href="/contact-us/">Request a'
                        " quote</a></div></div>",
                    ),
                    pid,
                ),
            )
            pid += 1
    return "/"


def test_wordpress_divi_products_as_plain_pages_of_modules(tmp_path: Path) -> None:
    """Divi writes a product as a page of modules: an image module linking the full file to
    a lightbox, a text module whose h2 is the name; categories show blurbs of each product."""
    found = crawl_found(tmp_path, build_divi)
    assert_found(
        found,
        expect(
            lambda slug, code: f"/{code}/",
            lambda code: {f"{UP}/{code}.jpg", f"{UP}/{code}-1024x768.jpg"},
        ),
    )


# -- IndiaMART-style catalog -----------------------------------------------------------------


def indiamart(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title} - Manufacturer from Rajkot, India | Shree Ganesh Pumps</title></head>"
        '<body><div class="hdr"><div class="cmpnm"><a href="/"><img src="/img/sgp-logo.jpg"'
        ' alt="Shree Ganesh Pumps" width="90" height="90"></a><h1 class="cmp">Shree Ganesh'
        ' Pumps</h1><p class="gst">GST No. 24AABCS1234F1Z5</p></div><div class="cntct">'
        '<a href="tel:+919876543210" class="clbtn">Call 08047654321</a><a href="/enquiry.html"'
        ' class="enqbtn">Send Email</a></div></div><ul class="mnu"><li><a href="/">Home</a>'
        '</li><li><a href="/profile.html">Profile</a></li><li><a href="/our-products.html">'
        'Our Products</a></li><li><a href="/contact-us.html">Contact Us</a></li></ul>'
        f'<div class="mn">{body}</div><div class="ftr"><p>Shree Ganesh Pumps, Aji GIDC, Rajkot,'
        ' Gujarat - 360003</p><p>Developed and Managed by <a href="https://www.indiamart.com/">'
        "IndiaMART InterMESH Limited</a></p></div></body></html>"
    )


def build_indiamart(site: LocalSite) -> str:
    site.add("/", indiamart("Home", "<h2>Welcome to Shree Ganesh Pumps</h2><p>Since 1998.</p>"))
    site.add("/profile.html", indiamart("Profile", "<h2>Company Profile</h2><p>Since 1998.</p>"))
    site.add("/contact-us.html", indiamart("Contact Us", "<h2>Contact Us</h2><p>Rajkot.</p>"))
    site.add("/enquiry.html", indiamart("Send Enquiry", "<h2>Send Enquiry</h2><form></form>"))
    site.add(
        "/our-products.html",
        indiamart(
            "Our Products",
            '<h2>Our Product Range</h2><ul class="pcat">'
            + "".join(
                f'<li><a href="/{slug}.html"><img src="/img/cat-{slug}.jpg" alt="{label}"'
                f' width="250" height="250"><span>{label}</span></a></li>'
                for slug, (label, _) in LINES.items()
            )
            + "</ul>",
        ),
    )
    for slug, (label, items) in LINES.items():
        blocks = "".join(
            f'<div class="prd" id="{code}"><div class="pimg"><a href="/{slug}.html#{code}"><img'
            f' src="/img/{code}-250x250.jpg" alt="{name}" width="250" height="250"></a></div>'
            f'<div class="pdsc"><h2 class="pnm">{name}</h2><p class="prc">Price: Rs 18,500 /'
            ' Piece</p><table class="spc"><tr><td>Material</td><td>Cast Iron</td></tr>'
            "<tr><td>Power</td><td>2 HP</td></tr><tr><td>Brand</td><td>SGP</td></tr></table>"
            f'<a href="/{slug}/{code}.html" class="vwd">View Complete Details</a>'
            '<a href="/enquiry.html" class="enq">Send Enquiry</a></div></div>'
            for code, name in items.items()
        )
        site.add(f"/{slug}.html", indiamart(label, f'<h2 class="cat">{label}</h2>{blocks}'))
        for code, name in items.items():
            others = "".join(
                f'<li><a href="/{slug}/{o}.html"><img src="/img/{o}-125x125.jpg" alt="{on}"'
                f' width="125" height="125"><span>{on}</span></a></li>'
                for o, on in items.items()
                if o != code
            )
            site.add(
                f"/{slug}/{code}.html",
                indiamart(
                    name,
                    f'<div class="pdp"><div class="pimg"><img src="/img/{code}-500x500.jpg"'
                    f' alt="{name}" width="500" height="500"></div><div class="pdsc"><h2'
                    f' class="pnm">{name}</h2><p class="prc">Price: Rs 18,500 / Piece</p>'
                    '<table class="spc"><tr><td>Material</td><td>Cast Iron</td></tr><tr>'
                    "<td>Power</td><td>2 HP</td></tr><tr><td>Brand</td><td>SGP</td></tr>"
                    '</table><p>Backed by our rich industry experience.</p><a href="/enquiry.html"'
                    ' class="enq">Send Enquiry</a><a href="tel:+919876543210" class="clbtn">Call'
                    ' Us</a></div></div><div class="oth"><h3>Other Products</h3><ul>'
                    f"{others}</ul></div>",
                ),
            )
    return "/"


def test_indiamart_catalog_name_in_h2_beside_send_enquiry_and_a_spec_table(
    tmp_path: Path,
) -> None:
    """The company's name is every page's h1; a product's name an h2; each category shows its
    products in full (name, price, specs) with a link to each page of its own."""
    found = crawl_found(tmp_path, build_indiamart)
    assert_found(
        found,
        expect(
            lambda slug, code: f"/{slug}/{code}.html",
            lambda code: {f"/img/{code}-500x500.jpg"},
        ),
    )


# -- Next.js static export -------------------------------------------------------------------


def nextjs(title: str, body: str, page: str, props: dict) -> str:
    data = {
        "props": {"pageProps": props},
        "page": page,
        "query": {},
        "buildId": "a8Fk2",
        "nextExport": True,
        "isFallback": False,
        "gsp": True,
    }
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport"'
        f' content="width=device-width"><title>{title} | Vortex Flow</title>'
        '<link rel="preload" href="/_next/static/css/7d1c.css" as="style"><link'
        ' rel="stylesheet" href="/_next/static/css/7d1c.css" data-n-g=""></head><body>'
        '<div id="__next"><header class="Header_header__Xy1"><a class="Header_logo__k2"'
        ' href="/"><img alt="Vortex Flow" src="/images/logo.svg" width="120" height="32"></a>'
        '<nav class="Header_nav__p9"><a href="/products">Products</a><a href="/about">About</a>'
        '<a href="/contact">Contact</a></nav></header>'
        f'<main class="Layout_main__q3">{body}</main><footer class="Footer_footer__z8">'
        "<p>© 2023 Vortex Flow Inc.</p></footer></div>"
        f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>'
        '<script src="/_next/static/chunks/main-3d1f.js" defer=""></script></body></html>'
    )


def nimg(src: str, alt: str, w: int, h: int) -> str:
    from urllib.parse import quote

    q = quote(src, safe="")
    return (
        f'<img alt="{alt}" srcset="/_next/image?url={q}&amp;w=640&amp;q=75 1x, /_next/image?url={q}'
        f'&amp;w=1080&amp;q=75 2x" src="/_next/image?url={q}&amp;w=1080&amp;q=75" width="{w}"'
        f' height="{h}" decoding="async" data-nimg="1" loading="lazy" style="color:transparent">'
    )


def build_nextjs(site: LocalSite) -> str:
    site.add("/", nextjs("Home", "<h1>Flow control, done right</h1>", "/", {}))
    site.add("/about", nextjs("About", "<h1>About</h1><p>Since 2004.</p>", "/about", {}))
    site.add("/contact", nextjs("Contact", "<h1>Contact</h1>", "/contact", {}))
    cards = "".join(
        f'<a class="ProductCard_card__a1" href="/products/{code}"><div'
        f' class="ProductCard_image__b2">{nimg(f"/uploads/{code}.jpg", name, 400, 300)}</div>'
        f'<h3 class="ProductCard_title__c3">{name}</h3></a>'
        for code, name in PRODUCTS.items()
    )
    site.add(
        "/products",
        nextjs(
            "Products",
            f'<h1>Products</h1><div class="Grid_grid__d4">{cards}</div>',
            "/products",
            {"products": [{"slug": c, "name": n} for c, n in PRODUCTS.items()]},
        ),
    )
    for code, name in PRODUCTS.items():
        site.add(
            f"/products/{code}",
            nextjs(
                name,
                f'<section class="Product_product__e5"><div class="Product_gallery__f6">'
                f"{nimg(f'/uploads/{code}.jpg', name, 800, 600)}</div><div"
                f' class="Product_info__g7"><h1 class="Product_title__h8">{name}</h1><p>Cast'
                " iron body, stainless trim, tested to 16 bar.</p><dl"
                ' class="Product_specs__i9"><dt>Flow</dt><dd>40 m³/h</dd><dt>Head</dt><dd>32'
                ' m</dd></dl><a class="Button_primary__j1" href="/contact">Request a quote</a>'
                "</div></section>",
                "/products/[slug]",
                {"product": {"slug": code, "name": name, "image": f"/uploads/{code}.jpg"}},
            ),
        )
    return "/"


def test_nextjs_static_export_with_next_image_urls(tmp_path: Path) -> None:
    """Every picture is an `/_next/image?url=...` transformation of the uploaded file."""
    found = crawl_found(tmp_path, build_nextjs)
    assert set(found) == {f"/products/{code}" for code in PRODUCTS}, sorted(found)
    for code, name in PRODUCTS.items():
        got_name, photo = found[f"/products/{code}"]
        assert got_name == name
        assert "uploads" in photo and code in photo, photo
