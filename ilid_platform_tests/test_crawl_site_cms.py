"""Real crawls of small catalogs written as common shop and site CMSs output them (issue 26),
kinds the corpus has none of: Joomla with VirtueMart, OpenCart (ocStore, Russian), PrestaShop
1.6, Drupal 7 nodes without url aliases, ASP.NET WebForms pages saved with their query
strings. Each keeps the CMS's real chrome: menus, breadcrumbs, carts, related products."""

from __future__ import annotations

from pathlib import Path

from ilid_platform_tests.local_site import PUMPS, VALVES, LocalSite, assert_found, crawl_found

PRODUCTS = PUMPS | VALVES
LINES = {"pumps": ("Pumps", PUMPS), "valves": ("Valves", VALVES)}


def joomla(title: str, body: str, crumbs: str = "") -> str:
    """A Joomla 3 page (protostar-like template) with VirtueMart modules in the sidebar."""
    return (
        '<!DOCTYPE html><html lang="en-gb" dir="ltr"><head><meta charset="utf-8">'
        '<meta name="generator" content="Joomla! - Open Source Content Management">'
        f"<title>{title}</title>"
        '<link href="/templates/protostar/favicon.ico" rel="shortcut icon"></head>'
        '<body class="site com_virtuemart view-productdetails"><div class="body">'
        '<div class="container">'
        '<header class="header" role="banner"><div class="header-inner clearfix">'
        '<a class="brand pull-left" href="/"><img src="/images/logo-idrotec.png" alt="Idrotec">'
        "</a></div></header>"
        '<nav class="navigation" role="navigation"><ul class="nav menu nav-pills mod-list">'
        '<li class="item-101 default"><a href="/index.php">Home</a></li>'
        '<li class="item-102"><a href="/index.php/shop">Shop</a></li>'
        '<li class="item-103"><a href="/index.php/about-us">About us</a></li>'
        '<li class="item-104"><a href="/index.php/contact">Contact</a></li></ul></nav>'
        f'<div class="moduletable"><ul itemscope itemtype="https://schema.org/BreadcrumbList"'
        f' class="breadcrumb"><li>You are here: &#160;</li>{crumbs}</ul></div>'
        '<div class="row-fluid"><div id="sidebar" class="span3"><div class="sidebar-nav">'
        '<div class="moduletable"><h3>Product categories</h3><ul class="VMmenu">'
        '<li class="VmClose"><a href="/index.php/shop/pumps">Pumps</a></li>'
        '<li class="VmClose"><a href="/index.php/shop/valves">Valves</a></li></ul></div>'
        '<div class="moduletable"><h3>Cart</h3><div class="vmCartModule">'
        '<div class="total_products">Cart empty</div>'
        '<div class="show_cart"><a href="/index.php/cart">Show Cart</a></div></div></div>'
        '</div></div><main id="content" role="main" class="span9">'
        f'<div id="system-message-container"></div>{body}</main></div></div></div>'
        '<footer class="footer" role="contentinfo"><div class="container"><hr>'
        '<p class="pull-right"><a href="#top" id="back-top">Back to Top</a></p>'
        "<p>&copy; 2016 Idrotec srl</p></div></footer></body></html>"
    )


def crumb(href: str, label: str) -> str:
    return f'<li><a href="{href}" class="pathway">{label}</a><span class="divider">/</span></li>'


def build_virtuemart(site: LocalSite) -> str:
    shop = "/index.php/shop"
    site.add(
        "/index.php",
        joomla(
            "Home",
            '<div class="item-page"><div itemprop="articleBody"><p>Idrotec builds pumps and'
            " valves for farms and water works since 1972.</p></div></div>",
        ),
    )
    site.add("/index.php/about-us", joomla("About us", "<h2>About us</h2><p>Since 1972.</p>"))
    site.add("/index.php/contact", joomla("Contact", "<h2>Contact</h2><p>Via Roma 4.</p>"))
    site.add("/index.php/cart", joomla("Cart", '<div class="cart-view"><h1>Cart</h1></div>'))
    site.add(
        shop,
        joomla(
            "Shop",
            '<div class="category-view"><div class="row">'
            + "".join(
                f'<div class="category floatleft width50"><div class="spacer"><h2>'
                f'<a href="{shop}/{slug}" title="{label}">{label}<br><img'
                f' src="/images/stories/virtuemart/category/resized/{slug}_0x90.jpg"'
                f' alt="{slug}" class="browseCategoryImage"></a></h2></div></div>'
                for slug, (label, _) in LINES.items()
            )
            + "</div></div>",
        ),
    )
    for slug, (label, items) in LINES.items():
        cards = "".join(
            f'<div class="product vm-col vm-col-3"><div class="spacer">'
            f'<div class="vm-product-media-container"><a title="{name}"'
            f' href="{shop}/{slug}/{code}-detail"><img'
            f' src="/images/stories/virtuemart/product/resized/{code}_0x90.jpg" alt="{code}"'
            ' class="browseProductImage"></a></div>'
            f'<div class="vm-product-descr-container-1"><h2><a href="{shop}/{slug}/{code}-detail">'
            f'{name}</a></h2><p class="product_s_desc">Cast iron, 16 bar.</p></div>'
            '<div class="vm3pr-2"><div class="product-price"><div class="PricesalesPrice">'
            '<span class="PricesalesPrice">1.250,00 €</span></div></div></div>'
            f'<div class="vm-details-button"><a href="{shop}/{slug}/{code}-detail"'
            ' class="product-details" title="' + name + '">Product details</a></div>'
            "</div></div>"
            for code, name in items.items()
        )
        site.add(
            f"{shop}/{slug}",
            joomla(
                f"{label}",
                f'<div class="browse-view"><h1>{label}</h1><div class="orderby-displaynumber">'
                '<div class="display-number">Results 1 - 4 of 4</div></div>'
                f'<div class="row">{cards}</div></div>',
                crumb("/index.php", "Home") + crumb(shop, "Shop") + f"<li>{label}</li>",
            ),
        )
        for code, name in items.items():
            others = "".join(
                f'<div class="product-field-display"><a href="{shop}/{slug}/{other}-detail"'
                f' title="{oname}"><img src="/images/stories/virtuemart/product/resized/'
                f'{other}_0x90.jpg" alt="{other}"></a><a href="{shop}/{slug}/{other}-detail">'
                f"{oname}</a></div>"
                for other, oname in items.items()
                if other != code
            )
            site.add(
                f"{shop}/{slug}/{code}-detail",
                joomla(
                    f"{label}: {name}",
                    '<div class="product-container productdetails-view productdetails">'
                    '<div class="product-neighbours"></div>'
                    f"<h1>{name}</h1>"
                    '<div class="icons"><a class="printModal" href="#">Print</a></div>'
                    '<div class="vm-product-container"><div class="vm-product-media-container">'
                    '<div class="main-image"><a title="' + name + '" rel="vm-additional-images"'
                    f' href="/images/stories/virtuemart/product/{code}.jpg"><img'
                    f' src="/images/stories/virtuemart/product/resized/{code}_500x500.jpg"'
                    f' alt="{code}"></a><div class="clear"></div></div></div>'
                    '<div class="vm-product-details-container"><div class="spacer-buy-area">'
                    '<div class="product-price" id="productPrice1"><div class="PricesalesPrice">'
                    'Sales price: <span class="PricesalesPrice">1.250,00 €</span></div></div>'
                    '<div class="addtocart-area"><form method="post" class="product'
                    ' js-recalculate" action="/index.php/cart"><div class="addtocart-bar">'
                    '<input type="text" class="quantity-input js-recalculate" name="quantity[]"'
                    ' value="1"><span class="addtocart-button"><input type="submit"'
                    ' name="addtocart" class="addtocart-button" value="Add to Cart"'
                    ' title="Add to Cart"></span></div></form></div></div></div></div>'
                    '<div class="product-description"><span class="title">Description</span>'
                    "<p>Cast iron body, stainless trim, tested to 16 bar.</p></div>"
                    '<div class="product-related-products"><h4>Related Products</h4>'
                    f"{others}</div>"
                    '<div class="customer-reviews"><h4>Reviews</h4>'
                    '<div class="step0">There are yet no reviews for this product.</div></div>'
                    "</div>",
                    crumb("/index.php", "Home")
                    + crumb(shop, "Shop")
                    + crumb(f"{shop}/{slug}", label)
                    + f"<li><span>{name}</span></li>",
                ),
            )
    return "/index.php"


def test_joomla_virtuemart_detail_pages_under_a_category_titled_title(tmp_path: Path) -> None:
    """VirtueMart titles a product page "<category>: <name>", shows a resized photo linking the
    full-size file, related products' thumbnails and a cart module on every page."""
    found = crawl_found(tmp_path, build_virtuemart)
    base = "/images/stories/virtuemart/product"
    assert_found(
        found,
        {
            f"/index.php/shop/{slug}/{code}-detail": (
                name,
                {f"{base}/{code}.jpg", f"{base}/resized/{code}_500x500.jpg"},
            )
            for slug, (_, items) in LINES.items()
            for code, name in items.items()
        },
    )


RU_PUMPS = {
    "cp-40": "Насос центробежный CP-40",
    "sp-12": "Насос погружной SP-12",
    "gp-7": "Насос шестерённый GP-7",
}
RU_VALVES = {
    "bv-50": "Кран шаровой BV-50",
    "gv-80": "Задвижка клиновая GV-80",
    "cv-25": "Клапан обратный CV-25",
}


def opencart(title: str, body: str, crumbs: list[tuple[str, str]]) -> str:
    """An ocStore (Russian OpenCart 2) page: top links bar, logo, search, cart, category menu,
    breadcrumbs, the information links in the footer; every url a `route=` query."""
    trail = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in crumbs)
    return (
        '<!DOCTYPE html><html dir="ltr" lang="ru"><head><meta charset="UTF-8">'
        f"<title>{title}</title>"
        '<link href="catalog/view/theme/default/stylesheet/stylesheet.css" rel="stylesheet">'
        "</head><body>"
        '<nav id="top"><div class="container"><div id="top-links" class="nav pull-right">'
        '<ul class="list-inline"><li><a href="index.php?route=information/contact">'
        '<i class="fa fa-phone"></i></a> <span class="hidden-xs">+7 495 123-45-67</span></li>'
        '<li><a href="index.php?route=account/account" title="Личный кабинет">Личный кабинет</a>'
        '</li><li><a href="index.php?route=account/wishlist" id="wishlist-total">Закладки (0)'
        '</a></li><li><a href="index.php?route=checkout/cart">Корзина</a></li></ul></div></div>'
        '</nav><header><div class="container"><div class="row"><div class="col-sm-4">'
        '<div id="logo"><a href="index.php?route=common/home"><img'
        ' src="image/catalog/logo.png" title="Гидротех" alt="Гидротех" class="img-responsive">'
        '</a></div></div><div class="col-sm-5"><div id="search" class="input-group">'
        '<input type="text" name="search" placeholder="Поиск" class="form-control input-lg">'
        '</div></div><div class="col-sm-3"><div id="cart" class="btn-group btn-block">'
        '<button type="button" class="btn btn-inverse btn-block btn-lg dropdown-toggle">'
        '<span id="cart-total">Товаров 0 (0.00р.)</span></button></div></div></div></div>'
        '</header><div class="container"><nav id="menu" class="navbar"><ul class="nav'
        ' navbar-nav"><li><a href="index.php?route=product/category&amp;path=20">Насосы</a></li>'
        '<li><a href="index.php?route=product/category&amp;path=25">Запорная арматура</a></li>'
        '</ul></nav></div><div class="container"><ul class="breadcrumb"><li><a'
        ' href="index.php?route=common/home"><i class="fa fa-home"></i></a></li>'
        f'{trail}</ul><div class="row"><div id="content" class="col-sm-12">{body}</div></div>'
        '</div><footer><div class="container"><div class="row"><div class="col-sm-3">'
        '<h5>Информация</h5><ul class="list-unstyled">'
        '<li><a href="index.php?route=information/information&amp;information_id=4">О нас</a>'
        '</li><li><a href="index.php?route=information/information&amp;information_id=6">'
        "Доставка</a></li></ul></div></div><hr><p>Работает на <a"
        ' href="https://ocstore.com">ocStore</a><br> Гидротех &copy; 2019</p></div></footer>'
        "</body></html>"
    )


def ocstore_card(pid: int, path: int, name: str, code: str, size: int) -> str:
    href = f"index.php?route=product/product&amp;path={path}&amp;product_id={pid}"
    return (
        '<div class="product-layout col-lg-3 col-md-3 col-sm-6 col-xs-12">'
        '<div class="product-thumb transition"><div class="image">'
        f'<a href="{href}"><img src="image/cache/catalog/tovary/{code}-{size}x{size}.jpg"'
        f' alt="{name}" title="{name}" class="img-responsive"></a></div><div class="caption">'
        f'<h4><a href="{href}">{name}</a></h4><p>Корпус чугун, давление 16 бар..</p>'
        '<p class="price">12 500р.</p></div><div class="button-group">'
        f'<button type="button" onclick="cart.add(\'{pid}\');"><i class="fa'
        ' fa-shopping-cart"></i> <span class="hidden-xs">Купить</span></button></div></div></div>'
    )


def build_ocstore(site: LocalSite) -> str:
    groups = {20: ("Насосы", RU_PUMPS), 25: ("Запорная арматура", RU_VALVES)}
    ids = {code: 40 + n for n, code in enumerate(RU_PUMPS | RU_VALVES)}
    home = "/index.php?route=common/home"
    site.add(
        "/",
        '<html><head><meta http-equiv="refresh" content="0; url=index.php?route=common/home">'
        "</head><body></body></html>",
    )
    featured = "".join(ocstore_card(ids[c], 20, n, c, 200) for c, n in list(RU_PUMPS.items())[:2])
    site.add(
        home,
        opencart(
            "Гидротех — насосы и арматура",
            f'<h3>Рекомендуемые</h3><div class="row">{featured}</div>',
            [],
        ),
    )
    for info, label in ((4, "О нас"), (6, "Доставка")):
        site.add(
            f"/index.php?route=information/information&information_id={info}",
            opencart(label, f"<h1>{label}</h1><p>Гидротех работает с 1998 года.</p>", []),
        )
    for path, (label, items) in groups.items():
        cards = [ocstore_card(ids[c], path, n, c, 228) for c, n in items.items()]
        url = f"/index.php?route=product/category&path={path}"
        pager = (
            '<div class="row"><div class="col-sm-6 text-left"><ul class="pagination">'
            '<li class="{a}"><a href="index.php?route=product/category&amp;path='
            + str(path)
            + '">1</a></li>'
            '<li class="{b}"><a href="index.php?route=product/category&amp;path='
            + str(path)
            + '&amp;page=2">2</a></li></ul></div>'
            '<div class="col-sm-6 text-right">Показано с {f} по {t} из 3 (всего 2 страниц)'
            "</div></div>"
        )
        for page, part in ((1, cards[:2]), (2, cards[2:])):
            site.add(
                url if page == 1 else f"{url}&page=2",
                opencart(
                    label + (" (страница 2)" if page == 2 else ""),
                    f'<h2>{label}</h2><div class="row"><div class="col-sm-10"><p>Насосы и'
                    " арматура для водоснабжения, отопления и сельского хозяйства.</p></div>"
                    f'</div><div class="row">{"".join(part)}</div>'
                    + pager.format(
                        a="active" if page == 1 else "",
                        b="active" if page == 2 else "",
                        f=1 if page == 1 else 3,
                        t=2 if page == 1 else 3,
                    ),
                    [(url.lstrip("/"), label)],
                ),
            )
        for code, name in items.items():
            pid = ids[code]
            related = "".join(
                ocstore_card(ids[c], path, n, c, 200) for c, n in items.items() if c != code
            )
            site.add(
                f"/index.php?route=product/product&path={path}&product_id={pid}",
                opencart(
                    name,
                    '<div class="row"><div class="col-sm-8"><ul class="thumbnails"><li><a'
                    f' class="thumbnail" href="image/cache/catalog/tovary/{code}-500x500.jpg"'
                    f' title="{name}"><img src="image/cache/catalog/tovary/{code}-228x228.jpg"'
                    f' title="{name}" alt="{name}"></a></li><li class="image-additional"><a'
                    f' class="thumbnail" href="image/cache/catalog/tovary/{code}-2-500x500.jpg"'
                    f' title="{name}"><img src="image/cache/catalog/tovary/{code}-2-74x74.jpg"'
                    f' title="{name}" alt="{name}"></a></li></ul>'
                    '<ul class="nav nav-tabs"><li class="active"><a href="#tab-description"'
                    ' data-toggle="tab">Описание</a></li><li><a href="#tab-specification"'
                    ' data-toggle="tab">Характеристики</a></li><li><a href="#tab-review"'
                    ' data-toggle="tab">Отзывов (0)</a></li></ul><div class="tab-content">'
                    '<div class="tab-pane active" id="tab-description"><p>Корпус из чугуна,'
                    " рабочее колесо из нержавеющей стали.</p></div>"
                    '<div class="tab-pane" id="tab-specification"><table class="table'
                    ' table-bordered"><tbody><tr><td>Давление</td><td>16 бар</td></tr>'
                    "<tr><td>Масса</td><td>31 кг</td></tr></tbody></table></div></div></div>"
                    '<div class="col-sm-4"><div class="btn-group"><button type="button"'
                    ' class="btn btn-default" title="В закладки"'
                    f" onclick=\"wishlist.add('{pid}');\">"
                    '<i class="fa fa-heart"></i></button></div>'
                    f'<h1>{name}</h1><ul class="list-unstyled"><li>Производитель: <a'
                    ' href="index.php?route=product/manufacturer/info&amp;manufacturer_id=8">'
                    f"Гидротех</a></li><li>Модель: {code.upper()}</li><li>Наличие: Есть в"
                    ' наличии</li></ul><ul class="list-unstyled"><li><h2>12 500р.</h2></li>'
                    '</ul><div id="product"><div class="form-group"><label class="control-label"'
                    ' for="input-quantity">Кол-во</label><input type="text" name="quantity"'
                    ' value="1" id="input-quantity" class="form-control"><button type="button"'
                    ' id="button-cart" class="btn btn-primary btn-lg btn-block">Купить</button>'
                    "</div></div></div></div>"
                    f'<h3>Рекомендуемые товары</h3><div class="row">{related}</div>',
                    [
                        (url.lstrip("/"), label),
                        (
                            f"index.php?route=product/product&amp;path={path}&amp;product_id={pid}",
                            name,
                        ),
                    ],
                ),
            )
    return "/"


def test_ocstore_query_urls_pagination_and_related_products(tmp_path: Path) -> None:
    """Every url is `index.php?route=...`; a category's third product is only on `&page=2`;
    the photo is the thumbnail of a cache-resized file linking a larger one."""
    found = crawl_found(tmp_path, build_ocstore)
    ids = {code: 40 + n for n, code in enumerate(RU_PUMPS | RU_VALVES)}
    img = "/image/cache/catalog/tovary/"
    assert_found(
        found,
        {
            f"/index.php?route=product/product&path={path}&product_id={ids[code]}": (
                name,
                {f"{img}{code}-500x500.jpg", f"{img}{code}-228x228.jpg"},
            )
            for path, items in ((20, RU_PUMPS), (25, RU_VALVES))
            for code, name in items.items()
        },
    )
