"""Real crawls of small catalogs saved from CMSs and builders common among small makers (issue
26), kinds the corpus has none of: a 1C-Bitrix shop's `catalog.element` pages whose photos are
hashed files and their listing's `resize_cache` copies, a Wix site's saved pages (the site's
name the one h1 of every page, every image a `wixstatic` transformation url), a Mobirise
export of sections (a cover section, a product section, cards of other products)."""

from __future__ import annotations

from pathlib import Path

from ilid_platform_tests.local_site import PUMPS, VALVES, LocalSite, assert_found, crawl_found

RU = {
    "cp-40": "Насос центробежный КМ 40-32-160",
    "sp-12": "Насос скважинный ЭЦВ 6-10-80",
    "gp-7": "Насос шестерённый НШ-32",
    "dp-3": "Насос мембранный НМ-3",
    "bv-50": "Кран шаровой 11с67п Ду50",
    "gv-80": "Задвижка 30с41нж Ду80",
    "cv-25": "Клапан обратный 16кч9п Ду25",
}
HASH = {code: f"{n * 37 + 100:03x}{code.replace('-', '')}a9d1c0e7b5f3" for n, code in enumerate(RU)}


def bitrix_photo(code: str, resized: str = "") -> str:
    folder = HASH[code][:3]
    if resized:
        return f"/upload/resize_cache/iblock/{folder}/{resized}/{HASH[code]}.jpg"
    return f"/upload/iblock/{folder}/{HASH[code]}.jpg"


def bitrix(title: str, body: str, crumbs: list[tuple[str, str]]) -> str:
    """A 1C-Bitrix page (a corporate "Aspro"-like template): phone and callback in the header,
    the catalog menu, `bx-breadcrumb`, the footer's menus and counters."""
    trail = "".join(
        f'<div class="bx-breadcrumb-item" id="bx_breadcrumb_{n}" itemprop="itemListElement"'
        ' itemscope itemtype="http://schema.org/ListItem"><i class="fa fa-angle-right"></i>'
        f'<a href="{href}" title="{label}" itemprop="item"><span itemprop="name">{label}</span>'
        f'</a><meta itemprop="position" content="{n + 1}" /></div>'
        for n, (href, label) in enumerate([("/", "Главная"), *crumbs])
    )
    return (
        '<!DOCTYPE html><html xml:lang="ru" lang="ru"><head><meta http-equiv="Content-Type"'
        f' content="text/html; charset=UTF-8" /><title>{title} — купить в Москве | ТД'
        ' «Гидромаш»</title><link href="/bitrix/cache/css/s1/aspro_next/page_1.css"'
        ' type="text/css" rel="stylesheet" /><script>BX.setCSSList([]);</script></head><body'
        ' class="fill_bg_n"><div id="panel"></div><div class="wrapper1"><header'
        ' class="header-v1"><div class="logo-row"><div class="maxwidth-theme"><div'
        ' class="logo"><a href="/"><img src="/upload/aspro.next/logo.png" alt="ТД «Гидромаш»"'
        ' title="ТД «Гидромаш»" /></a></div><div class="phone-block"><div class="phone"><a'
        ' rel="nofollow" href="tel:+74951234567">+7 (495) 123-45-67</a></div><span'
        ' class="callback-block animate-load twosmallfont colored" data-event="jqm"'
        ' data-param-form_id="CALLBACK" data-name="callback">Заказать звонок</span></div>'
        '</div></div><div class="menu-row"><div class="maxwidth-theme"><ul class="nav'
        ' nav-pills responsive-menu" id="mainMenu"><li class="dropdown"><a'
        ' class="dropdown-toggle" href="/catalog/">Каталог</a></li><li><a href="/catalog/nasosy/">'
        'Насосы</a></li><li><a href="/catalog/armatura/">Арматура</a></li><li><a'
        ' href="/company/">Компания</a></li><li><a href="/contacts/">Контакты</a></li></ul></div>'
        '</div></header><div class="wraps hover_shine" id="content"><div class="wrapper_inner">'
        f'<div class="top_block"><div class="breadcrumbs" id="navigation" itemscope=""'
        f' itemtype="http://schema.org/BreadcrumbList"><div class="bx-breadcrumb">{trail}'
        f'</div></div><h1 id="pagetitle">{title}</h1></div><div class="middle">{body}</div>'
        '</div></div><footer id="footer"><div class="footer_inner"><div class="bottom_wrapper">'
        '<div class="maxwidth-theme items"><div class="copy-block"><div class="copy">&copy;'
        ' 2019 ТД «Гидромаш». Все права защищены.</div><div id="bx-composite-banner"></div>'
        '</div><div class="print-block"></div></div></div></div></footer></div></body></html>'
    )


def build_bitrix(site: LocalSite) -> str:
    groups = {
        "nasosy": ("Насосы", ["cp-40", "sp-12", "gp-7", "dp-3"]),
        "armatura": ("Арматура", ["bv-50", "gv-80", "cv-25"]),
    }
    site.add(
        "/",
        bitrix(
            "Насосное оборудование и арматура",
            '<div class="front_page"><p>ТД «Гидромаш» поставляет насосы и трубопроводную'
            " арматуру с 2004 года.</p></div>",
            [],
        ),
    )
    site.add(
        "/contacts/",
        bitrix(
            "Контакты", "<p>Москва, ул. Складочная, 1, стр. 5</p>", [("/contacts/", "Контакты")]
        ),
    )
    site.add(
        "/company/",
        bitrix("О компании", "<p>Работаем с 2004 года.</p>", [("/company/", "Компания")]),
    )
    site.add(
        "/catalog/",
        bitrix(
            "Каталог",
            '<div class="catalog_section_list row items"><div class="item_block col-md-6">'
            '<div class="section_item item"><a href="/catalog/nasosy/" class="thumb"><img'
            ' src="/upload/iblock/111/nasosy.jpg" alt="Насосы" /></a><div class="name"><a'
            ' href="/catalog/nasosy/" class="dark_link">Насосы</a></div></div></div><div'
            ' class="item_block col-md-6"><div class="section_item item"><a'
            ' href="/catalog/armatura/" class="thumb"><img src="/upload/iblock/222/armatura.jpg"'
            ' alt="Арматура" /></a><div class="name"><a href="/catalog/armatura/"'
            ' class="dark_link">Арматура</a></div></div></div></div>',
            [("/catalog/", "Каталог")],
        ),
    )
    for section, (label, codes) in groups.items():
        cards = "".join(
            f'<div class="catalog_item_wrapp item"><div class="catalog_item item_wrap"'
            f' id="bx_3966226736_{n}"><div class="image_wrapper_block"><a'
            f' href="/catalog/{section}/{code}/" class="thumb shine"><img'
            f' src="{bitrix_photo(code, "200_200_1")}" alt="{RU[code]}" title="{RU[code]}" />'
            f'</a></div><div class="item_info"><div class="item-title"><a'
            f' href="/catalog/{section}/{code}/" class="dark_link"><span>{RU[code]}</span></a>'
            '</div><div class="cost prices"><div class="price">от 12 500 руб.</div></div></div>'
            '<div class="footer_button"><span class="small to-cart btn btn-default transition_bg'
            ' animate-load" data-item="' + str(n) + '">В корзину</span></div></div></div>'
            for n, code in enumerate(codes)
        )
        site.add(
            f"/catalog/{section}/",
            bitrix(
                label,
                f'<div class="catalog_block items block_list">{cards}</div>',
                [("/catalog/", "Каталог"), (f"/catalog/{section}/", label)],
            ),
        )
        for n, code in enumerate(codes):
            name = RU[code]
            others = [c for c in codes if c != code][:3]
            viewed = "".join(
                f'<li class="item_block"><div class="item_wrap"><a'
                f' href="/catalog/{section}/{c}/" class="thumb"><img'
                f' src="{bitrix_photo(c, "140_140_1")}" alt="{RU[c]}" /></a><a'
                f' href="/catalog/{section}/{c}/" class="name">{RU[c]}</a></div></li>'
                for c in others
            )
            site.add(
                f"/catalog/{section}/{code}/",
                bitrix(
                    name,
                    f'<div class="catalog_detail detail element_1" itemscope'
                    f' itemtype="http://schema.org/Product"><meta itemprop="name"'
                    f' content="{name}" /><div class="item_main_info"><div class="img_wrapper">'
                    '<div class="item_slider"><div class="slides"><ul><li id="photo-0"'
                    ' class="current"><link href="'
                    + bitrix_photo(code)
                    + '" itemprop="image"/><a href="'
                    + bitrix_photo(code)
                    + '" data-fancybox-group="item_slider" class="popup_link fancy"'
                    f' title="{name}"><img src="{bitrix_photo(code)}" alt="{name}"'
                    f' title="{name}" /><div class="zoom"></div></a></li></ul></div></div></div>'
                    '<div class="right_info"><div class="info_item"><div class="top_info"><div'
                    ' class="article iblock"><span class="block_title">Артикул: </span><span'
                    f' class="value">{code.upper()}</span></div></div><div class="middle_info'
                    ' main_item_wrapper"><div class="prices_block"><div class="cost prices'
                    ' clearfix"><div class="price" itemprop="offers" itemscope'
                    ' itemtype="http://schema.org/Offer"><span class="price_value">12 500</span>'
                    '<span class="price_currency"> руб.</span><meta itemprop="price"'
                    ' content="12500" /><meta itemprop="priceCurrency" content="RUB" /></div>'
                    '</div></div><div class="buy_block"><div class="counter_wrapp"><div'
                    ' class="button_block"><span class="btn-lg to-cart btn btn-default'
                    f' transition_bg animate-load" data-item="{n}">В корзину</span></div></div>'
                    "</div></div></div></div></div>"
                    '<div class="tabs_section"><ul class="nav nav-tabs"><li class="active"><a'
                    ' href="#descr" data-toggle="tab"><span>Описание</span></a></li><li><a'
                    ' href="#props" data-toggle="tab"><span>Характеристики</span></a></li><li><a'
                    ' href="#docs" data-toggle="tab"><span>Документы</span></a></li></ul><div'
                    ' class="tab-content"><div class="tab-pane active" id="descr"'
                    ' itemprop="description"><p>Корпус — чугун СЧ20, рабочее колесо — бронза.'
                    '</p></div><div class="tab-pane" id="props"><table class="props_list">'
                    '<tr itemprop="additionalProperty"><td class="char_name"><span>Подача</span>'
                    '</td><td class="char_value"><span>40 м³/ч</span></td></tr><tr><td'
                    ' class="char_name"><span>Напор</span></td><td class="char_value"><span>32 м'
                    '</span></td></tr></table></div><div class="tab-pane" id="docs"><div'
                    ' class="files_block"><div class="file_type clearfix pdf"><i'
                    ' class="icon"></i><div class="description"><a target="_blank"'
                    f' href="/upload/iblock/doc/{code}-pasport.pdf" class="dark_link">Паспорт'
                    '</a><span class="size">1.2 Мб</span></div></div></div></div></div></div>'
                    f'<div class="viewed_block"><h4>Ранее вы смотрели</h4><ul>{viewed}</ul>'
                    "</div></div>",
                    [("/catalog/", "Каталог"), (f"/catalog/{section}/", label)],
                ),
            )
    return "/"


def test_bitrix_elements_with_hashed_photos_and_resize_cache_cards(tmp_path: Path) -> None:
    """A product's photo is `/upload/iblock/<3>/<hash>.jpg`; its listing's card and the
    recently-viewed block show the `resize_cache` copies of the same hash; the h1 of every
    page is in the same place (the page title above the content)."""
    found = crawl_found(tmp_path, build_bitrix)
    sections = {"cp-40": "nasosy", "sp-12": "nasosy", "gp-7": "nasosy", "dp-3": "nasosy"}
    assert_found(
        found,
        {
            f"/catalog/{sections.get(code, 'armatura')}/{code}/": (name, {bitrix_photo(code)})
            for code, name in RU.items()
        },
    )


PRODUCTS = PUMPS | VALVES


def wix_image(code: str, width: int, height: int) -> str:
    media = f"0d8e0c_{list(PRODUCTS).index(code) * 7919 + 4242:x}f3a9c2b1e0~mv2.jpg"
    upload = code.replace("-", "").upper()
    return f"/media/{media}/v1/fill/w_{width},h_{height},al_c,q_80,enc_auto/{upload}.jpg"


def wix(title: str, sections: str) -> str:
    """A Wix page saved from the browser: the header's h1 is the site's name on every page,
    every block a `comp-` div, text in `richTextElement`s, images in <wix-image>."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="generator"'
        f' content="Wix.com Website Builder"><title>{title} | Aqua Pumps Ltd</title>'
        '<meta property="og:site_name" content="Aqua Pumps Ltd"></head><body><div'
        ' id="SITE_CONTAINER"><div id="main_MF"><div id="BACKGROUND_GROUP"></div><div'
        ' id="site-root"><div id="masterPage" class="mesh-layout"><header id="SITE_HEADER"'
        ' class="xU8fqS SITE_HEADER wixui-header"><div id="comp-jb1x3vt8"'
        ' class="KcpHeO tz5f0K comp-jb1x3vt8 wixui-rich-text" data-testid="richTextElement">'
        '<h1 class="font_0 wixui-rich-text__text"><span style="color:#1A3C6E;">AQUA PUMPS LTD'
        '</span></h1></div><nav id="comp-jb1x3vt9" aria-label="Site"><ul class="wixui-'
        'dropdown-menu"><li><a href="/" class="UiHgGh" data-testid="linkElement"><p'
        ' class="wixui-dropdown-menu__item">Home</p></a></li><li><a href="/pumps"'
        ' data-testid="linkElement"><p>Pumps</p></a></li><li><a href="/valves"'
        ' data-testid="linkElement"><p>Valves</p></a></li><li><a href="/contact"'
        ' data-testid="linkElement"><p>Contact</p></a></li></ul></nav></header><main'
        ' id="PAGES_CONTAINER" tabindex="-1"><div id="SITE_PAGES"><div class="JsJXaX">'
        f'{sections}</div></div></main><footer id="SITE_FOOTER" class="wixui-footer"><div'
        ' id="comp-jb1x3vu3" data-testid="richTextElement"><p class="font_9'
        ' wixui-rich-text__text">Unit 7, Riverside Estate, Leeds LS10 1AB</p><p'
        ' class="font_9 wixui-rich-text__text">© 2023 by Aqua Pumps Ltd. Proudly created with'
        ' <a href="https://wix.com" target="_blank">Wix.com</a></p></div></footer></div></div>'
        "</div></div></body></html>"
    )


def wix_text(html: str, n: int) -> str:
    return (
        f'<div id="comp-kx{n:05d}" class="KcpHeO comp-kx{n:05d} wixui-rich-text"'
        f' data-testid="richTextElement">{html}</div>'
    )


def wix_picture(src: str, alt: str, width: int, height: int, n: int) -> str:
    return (
        f'<div id="comp-kx{n:05d}" class="MazNVa comp-kx{n:05d} wixui-image"><div'
        ' data-testid="linkElement" class="j7pOnl"><wix-image class="HlRz5e BI8PVQ"'
        f' data-image-info="{{}}"><img src="{src}" alt="{alt}" style="width:{width}px;'
        f'height:{height}px;object-fit:cover" width="{width}" height="{height}"'
        ' fetchpriority="high"></wix-image></div></div>'
    )


def build_wix(site: LocalSite) -> str:
    site.add(
        "/",
        wix(
            "Home",
            '<section id="comp-home1" class="wixui-section">'
            + wix_text(
                '<h2 class="font_2">Pumps and valves for farms and water boards</h2>'
                '<p class="font_8">Family run since 1979.</p>',
                1,
            )
            + "</section>",
        ),
    )
    site.add(
        "/contact",
        wix(
            "Contact",
            wix_text('<h2 class="font_2">Contact</h2><p class="font_8">0113 496 0000</p>', 1),
        ),
    )
    for slug, items in (("pumps", PUMPS), ("valves", VALVES)):
        tiles = "".join(
            f'<div data-testid="gallery-item-item-container" class="item-container-regular"><a'
            f' href="/{code}" data-testid="linkElement"><wix-image><img'
            f' src="{wix_image(code, 300, 225)}" alt="{code.upper()}.jpg" width="300"'
            f' height="225"></wix-image></a><div class="gallery-item-info"><p'
            f' class="font_8">{name}</p></div></div>'
            for code, name in items.items()
        )
        site.add(
            f"/{slug}",
            wix(
                slug.title(),
                wix_text(f'<h2 class="font_2">{slug.title()}</h2>', 1)
                + f'<div id="comp-gal01" class="pro-gallery" data-hook="gallery">{tiles}</div>',
            ),
        )
        for n, (code, name) in enumerate(items.items()):
            site.add(
                f"/{code}",
                wix(
                    code.upper(),
                    f'<section id="comp-prod{n}" class="wixui-section"><div class="wixui-column">'
                    + wix_picture(wix_image(code, 490, 368), f"{code.upper()}.jpg", 490, 368, 2)
                    + '</div><div class="wixui-column">'
                    + wix_text(f'<h2 class="font_2"><span>{name}</span></h2>', 3)
                    + wix_text(
                        '<p class="font_8">Cast iron body, stainless steel impeller.</p><ul'
                        ' class="font_8"><li><p>Flow: 40 m3/h</p></li><li><p>Head: 32 m</p>'
                        "</li></ul>",
                        4,
                    )
                    + f'<div id="comp-btn{n}" class="wixui-button"><a href="/contact"'
                    ' data-testid="linkElement"><span class="wixui-button__label">Request a'
                    " quote</span></a></div></div></section>",
                ),
            )
    return "/"


def test_wix_pages_under_the_sites_h1_with_transformed_image_urls(tmp_path: Path) -> None:
    """Every page's only h1 is the site's name in the header; the product's name is an h2 in
    a rich-text block; the photo's url is a transformation of a media id (the listing's tile
    another size of it), the title only the model code."""
    found = crawl_found(tmp_path, build_wix)
    assert_found(
        found,
        {f"/{code}": (name, {wix_image(code, 490, 368)}) for code, name in PRODUCTS.items()},
    )


def mobirise_cards(codes: list[str], pages: dict[str, int]) -> str:
    """A Mobirise `features` section: cards whose photo is no link; a button below links."""
    return (
        '<section class="features3 cid-rZk2Lm9vQx" id="features3-7"><div class="container">'
        '<div class="media-container-row">'
        + "".join(
            '<div class="card p-3 col-12 col-md-6 col-lg-4"><div class="card-wrapper"><div'
            f' class="card-img"><img src="assets/images/{c.replace("-", "")}-800x600.jpg"'
            f' alt="Mobirise" title=""></div><div class="card-box"><h4 class="card-title'
            f' pb-3 mbr-fonts-style display-7">{PRODUCTS[c]}</h4><p class="mbr-text'
            ' mbr-fonts-style display-7">Cast iron, 16 bar.</p></div><div'
            ' class="mbr-section-btn text-center"><a href="page'
            f'{pages[c]}.html" class="btn btn-primary display-4">Learn More</a></div></div></div>'
            for c in codes
        )
        + "</div></div></section>"
    )


def mobirise(title: str, sections: str) -> str:
    """A Mobirise export: `pageN.html`, a navbar section, a cover section, content sections
    with generated `cid-` classes, the footer section."""
    return (
        '<!DOCTYPE html><html><head><meta charset="UTF-8"><meta name="generator"'
        ' content="Mobirise v4.12.4, mobirise.com"><link rel="shortcut icon"'
        f' href="assets/images/logo-122x122.png" type="image/x-icon"><title>{title}</title>'
        '<link rel="stylesheet" href="assets/mobirise/css/mbr-additional.css"></head><body>'
        '<section class="menu cid-rZjYx0M7Pq" once="menu" id="menu1-0"><nav class="navbar'
        " navbar-expand beta-menu navbar-dropdown align-items-center navbar-fixed-top"
        ' navbar-toggleable-sm"><div class="menu-logo"><div class="navbar-brand"><span'
        ' class="navbar-logo"><a href="index.html"><img src="assets/images/logo-122x122.png"'
        ' alt="Mobirise" title="" style="height: 3.8rem;"></a></span><span'
        ' class="navbar-caption-wrap"><a class="navbar-caption text-white display-4"'
        ' href="index.html">AQUAFLOW</a></span></div></div><div class="collapse'
        ' navbar-collapse" id="navbarSupportedContent"><ul class="navbar-nav nav-dropdown'
        ' nav-right" data-app-modern-menu="true"><li class="nav-item"><a class="nav-link'
        ' link text-white display-4" href="index.html">Home</a></li><li class="nav-item"><a'
        ' class="nav-link link text-white display-4" href="page1.html">Products</a></li><li'
        ' class="nav-item"><a class="nav-link link text-white display-4" href="page2.html">'
        "Contact</a></li></ul></div></nav></section>"
        f"{sections}"
        '<section once="footers" class="cid-rZjYx3Ab7c" id="footer7-2"><div class="container">'
        '<div class="media-container-row align-center mbr-white"><div class="row'
        ' row-copirayt"><p class="mbr-text mb-0 mbr-fonts-style mbr-white align-center'
        ' display-7">© Copyright 2020 Aquaflow Ltd - All Rights Reserved</p></div></div>'
        "</div></section></body></html>"
    )


def cover(heading: str) -> str:
    return (
        '<section class="header1 cid-rZk0Qz5Hmn mbr-parallax-background" id="header1-3"><div'
        ' class="mbr-overlay" style="opacity: 0.5;"></div><div class="container"><div'
        ' class="row justify-content-md-center"><div class="mbr-white col-md-10"><h1'
        ' class="mbr-section-title align-center mbr-bold pb-3 mbr-fonts-style display-1">'
        f"{heading}</h1></div></div></div></section>"
    )


def build_mobirise(site: LocalSite, related: int = 4) -> str:
    pages = {code: 3 + n for n, code in enumerate(PRODUCTS)}
    site.add(
        "/index.html",
        mobirise(
            "Aquaflow - pumps and valves",
            cover("Water moves us")
            + '<section class="mbr-section content5 cid-rZk1"><div class="container"><h2'
            ' class="mbr-section-title">Since 1979</h2><p>Pumps and valves for farms.</p>'
            "</div></section>",
        ),
    )
    site.add(
        "/page2.html",
        mobirise(
            "Contact",
            cover("Contact us") + '<section class="form1 cid-rZk9"><form'
            ' class="mbr-form" action="https://mobirise.eu/" method="post"><input'
            ' type="email" name="email"><button type="submit" class="btn">SEND</button></form>'
            "</section>",
        ),
    )
    site.add(
        "/page1.html",
        mobirise("Products", cover("Our products") + mobirise_cards(list(PRODUCTS), pages)),
    )
    codes = list(PRODUCTS)
    for n, (code, name) in enumerate(PRODUCTS.items()):
        others = [codes[(n + k) % len(codes)] for k in range(1, related + 1)]
        site.add(
            f"/page{pages[code]}.html",
            mobirise(
                name,
                cover("Our products")
                + '<section class="features11 cid-rZk4Vb2Xy1" id="features11-5"><div'
                ' class="container"><div class="col-md-12"><div class="media-container-row">'
                '<div class="mbr-figure m-auto" style="width: 50%;"><img'
                f' src="assets/images/{code.replace("-", "")}-800x600.jpg" alt="Mobirise"'
                ' title=""></div><div class=" align-left aside-content"><h2 class="mbr-title'
                f' pt-2 mbr-fonts-style display-2">{name}</h2><div class="mbr-section-text">'
                '<p class="mbr-text mb-5 pt-3 mbr-light mbr-fonts-style display-5">Cast iron'
                ' body, stainless trim, tested to 16 bar.</p></div><div class="block-content">'
                '<div class="card p-3 pr-3"><div class="media"><div class="media-body"><h4'
                ' class="card-title mbr-fonts-style display-7">Flow</h4></div></div><div'
                ' class="card-box"><p class="block-text mbr-fonts-style display-7">40 m3/h</p>'
                "</div></div></div></div></div></div></div></section>"
                + mobirise_cards(others, pages),
            ),
        )
    return "/index.html"


def test_mobirise_sections_with_unlinked_card_photos_of_other_products(tmp_path: Path) -> None:
    """Pages `pageN.html` under the same cover h1; the product is an h2 beside its photo; the
    section after shows a row of four other products' photos, not linked (a button below each
    links), which are the photos of those products' own pages: each photo is on half the
    site, as a card everywhere but on its own page (and not the site's for that)."""
    pages = {code: 3 + n for n, code in enumerate(PRODUCTS)}
    found = crawl_found(tmp_path, build_mobirise)
    assert_found(
        found,
        {
            f"/page{pages[code]}.html": (
                name,
                {f"/assets/images/{code.replace('-', '')}-800x600.jpg"},
            )
            for code, name in PRODUCTS.items()
        },
    )
