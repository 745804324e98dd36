"""Real crawls of small catalogs made with hosted site builders and exported (issue 26), kinds
the corpus has none of: Tilda (numbered pages, lazy photos behind a tiny preview), Jimdo
(every photo file named `image.jpg`, told apart only by its folder), classic Google Sites
(the page title in a header span, attachments linked from each page)."""

from __future__ import annotations

from pathlib import Path

from ilid_platform_tests.local_site import PUMPS, VALVES, LocalSite, assert_found, crawl_found

PRODUCTS = PUMPS | VALVES
PAGES = {code: 1000 + 37 * n for n, code in enumerate(PRODUCTS)}
TILD = {code: f"tild{3130 + n}-6432-4a62-b236-6563{n:04d}6639" for n, code in enumerate(PRODUCTS)}


def tilda(title: str, records: str) -> str:
    """A Tilda export: `pageNNN.html`, every block a `t-rec` record, the menu block and the
    footer block repeated on every page, photos lazy-loaded from `data-original`."""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Type"'
        ' content="text/html; charset=utf-8"><meta name="viewport" content="width=device-width,'
        f' initial-scale=1.0"><title>{title}</title><meta property="og:title" content="{title}">'
        '<link rel="stylesheet" href="css/tilda-grid-3.0.min.css" type="text/css" media="all">'
        '<script src="js/tilda-scripts-3.0.min.js"></script></head><body class="t-body"'
        ' style="margin:0;"><div id="allrecords" class="t-records" data-hook="blocks-collection'
        '-content-node" data-tilda-project-id="1234567" data-tilda-lazy="yes">'
        '<div id="rec101" class="r t-rec" data-record-type="257"><div id="nav101marker"></div>'
        '<div id="nav101" class="t228 t228__positionfixed"><div class="t228__maincontainer">'
        '<div class="t228__leftside"><div class="t228__leftcontainer"><a href="/"'
        ' class="t228__imgwrapper"><img src="images/tild6663-3839-4262-b832-316131383663__logo.png"'
        ' class="t228__imglogo t228__imglogomobile" imgfield="img" style="max-width: 150px;'
        ' width: 150px;" alt="Aquaflow"></a></div></div><div class="t228__centerside"><nav'
        ' class="t228__centercontainer"><ul class="t228__list"><li class="t228__list_item"><a'
        ' class="t-menu__link-item" href="/page100.html">Насосы</a></li><li'
        ' class="t228__list_item"><a class="t-menu__link-item" href="/page200.html">Арматура</a>'
        '</li><li class="t228__list_item"><a class="t-menu__link-item" href="/page300.html">'
        "Контакты</a></li></ul></nav></div></div></div></div>"
        f"{records}"
        '<div id="rec999" class="r t-rec t-rec_pt_45 t-rec_pb_45" data-record-type="420"><div'
        ' class="t420"><div class="t-container"><div class="t420__col t-col t-col_3"><div'
        ' class="t420__text t-descr t-descr_xxs" field="text">© 2021 ООО «Аквафлоу»<br>'
        'Москва, ул. Ленина, 1</div></div><div class="t420__col t-col t-col_3"><div'
        ' class="t420__text t-descr t-descr_xxs" field="text2"><a href="tel:+74951234567">+7'
        " 495 123-45-67</a></div></div></div></div></div></div></body></html>"
    )


RU_NAMES = {
    "cp-40": "Центробежный насос CP-40",
    "sp-12": "Погружной насос SP-12",
    "gp-7": "Шестерённый насос GP-7",
    "dp-3": "Мембранный насос DP-3",
    "bv-50": "Шаровой кран BV-50",
    "gv-80": "Клиновая задвижка GV-80",
    "cv-25": "Обратный клапан CV-25",
    "sv-15": "Предохранительный клапан SV-15",
}


def tilda_image(code: str, size: str = "") -> str:
    resize = f"-__resize__{size}__" if size else ""
    return f"images/{TILD[code]}__{resize}{code}.jpg"


def build_tilda(site: LocalSite) -> str:
    groups = {100: ("Насосы", PUMPS), 200: ("Арматура", VALVES)}
    site.add(
        "/",
        tilda(
            "Аквафлоу — насосы и арматура",
            '<div id="rec110" class="r t-rec" data-record-type="205"><div class="t-cover"'
            ' id="recorddiv110" bgimgfield="img" style="height:100vh;"><div'
            ' class="t-cover__carrier" data-content-cover-bg="images/tild5555-cover.jpg"'
            ' data-content-cover-height="100vh" style="background-image:url(\'images/'
            'tild5555-cover__-__resize__20x__.jpg\');"></div><div class="t-cover__wrapper'
            ' t-valign_middle"><div class="t-title t-title_xl" field="title">Насосы и арматура'
            ' для воды</div><div class="t-descr t-descr_xl" field="descr">С 1998 года</div></div>'
            "</div></div>",
        ),
    )
    site.add(
        "/page300.html",
        tilda(
            "Контакты",
            '<div id="rec301" class="r t-rec" data-record-type="33"><div class="t017"><div'
            ' class="t-container"><div class="t-col t-col_10 t-prefix_1"><div class="t017__title'
            ' t-title t-title_xs" field="title">Контакты</div><div class="t017__text t-text'
            ' t-text_md" field="text">Москва, ул. Ленина, 1. Звоните: +7 495 123-45-67</div></div>'
            "</div></div></div>",
        ),
    )
    for page, (label, items) in groups.items():
        cards = "".join(
            f'<div class="t776__col t-col t-col_4 t-align_center t-item"><a'
            f' href="/page{PAGES[code]}.html" class="t776__link"><div class="t776__imgwrapper">'
            f'<div class="t776__bgimg t-bgimg" bgimgfield="li_img__{n}"'
            f' data-original="{tilda_image(code)}" style="background-image:url('
            f'\'{tilda_image(code, "20x")}\');"></div></div><div class="t776__textwrapper">'
            f'<div class="t776__title t-name t-name_xl" field="li_title__{n}">{RU_NAMES[code]}'
            '</div><div class="t776__descr t-descr t-descr_xxs" field="li_descr__{n}">Чугун,'
            " 16 бар</div></div></a></div>"
            for n, code in enumerate(items)
        )
        site.add(
            f"/page{page}.html",
            tilda(
                label,
                f'<div id="rec{page + 1}" class="r t-rec" data-record-type="30"><div'
                f' class="t030"><div class="t-container t-align_center"><div class="t-col'
                f' t-col_10 t-prefix_1"><div class="t030__title t-title t-title_xxs"'
                f' field="title">{label}</div></div></div></div></div>'
                f'<div id="rec{page + 2}" class="r t-rec" data-record-type="776"><div'
                f' class="t776"><div class="t776__container t-container">{cards}</div></div>'
                "</div>",
            ),
        )
        for code in items:
            name = RU_NAMES[code]
            site.add(
                f"/page{PAGES[code]}.html",
                tilda(
                    name,
                    f'<div id="rec{PAGES[code]}1" class="r t-rec" data-record-type="480"><div'
                    ' class="t480"><div class="t-container"><div class="t480__col t-col t-col_6'
                    ' t-prefix_0"><div class="t480__imgwrapper"><img class="t480__img t-img"'
                    f' src="{tilda_image(code, "20x")}" data-original="{tilda_image(code)}"'
                    f' imgfield="img" alt=""></div></div><div class="t480__col t-col t-col_6">'
                    '<div class="t480__textwrapper t-align_left"><div class="t480__title'
                    f' t-name t-name_xl" field="title">{name}</div><div class="t480__text'
                    ' t-text t-text_md" field="text">Корпус — чугун СЧ20, рабочее колесо —'
                    " нержавеющая сталь.<br>Давление: 16 бар<br>Масса: 31 кг</div>"
                    '<div class="t480__buttonwrapper"><a href="#order" target=""'
                    ' class="t-btn t-btn_md"><table role="presentation"><tr><td>Заказать'
                    "</td></tr></table></a></div></div></div></div></div></div>"
                    f'<div id="rec{PAGES[code]}2" class="r t-rec" data-record-type="702"><div'
                    ' class="t702"><div class="t-popup" data-tooltip-hook="#order"><div'
                    ' class="t-popup__container"><div class="t702__title t-title t-title_xxs">'
                    'Оставьте заявку</div><form id="form1" name="form1" role="form"'
                    ' action="https://forms.tildacdn.com/procces/" method="POST"'
                    ' class="t-form"><input type="text" name="Phone" class="t-input">'
                    '<button type="submit" class="t-submit">Отправить</button></form></div>'
                    "</div></div></div>",
                ),
            )
    return "/"


def test_tilda_pages_of_numbered_urls_and_lazy_photos(tmp_path: Path) -> None:
    """Every url is `pageNNN.html`; the photo is `data-original` behind a 20 px preview (a
    listing's card a background div), the name a `t-name` div beside it, no heading at all."""
    found = crawl_found(tmp_path, build_tilda)
    assert_found(
        found,
        {
            f"/page{PAGES[code]}.html": (RU_NAMES[code], {"/" + tilda_image(code)})
            for code in PRODUCTS
        },
    )


def jimdo_image(code: str, width: int) -> str:
    """A Jimdo image url: a transformation and a content hash in the folders, the file always
    `image.jpg`."""
    n = list(PRODUCTS).index(code)
    return (
        f"/app/cms/image/transf/dimension={width}x10000:format=jpg/path/s4f1e7b2a9c0d3e5f"
        f"/image/i{0x5A3E7C10 + n * 7919:x}/version/{1500000000 + n}/image.jpg"
    )


def jimdo(title: str, content: str, current: str) -> str:
    """A Jimdo Creator page: the navigation of every page (the current item marked), a sidebar
    with the company's address, the content area a column of modules."""
    nav = "".join(
        f'<li><a href="{href}" class="level_1{" current" if href == current else ""}">{label}</a>'
        "</li>"
        for href, label in (("/", "Home"), ("/pumps/", "Pumps"), ("/valves/", "Valves"))
    )
    return (
        '<!DOCTYPE html><html lang="de-DE"><head><meta http-equiv="content-type"'
        ' content="text/html; charset=UTF-8"><title>'
        f"{title} - Pumpenbau Keller GmbH</title>"
        '<link rel="stylesheet" href="https://assets.jimstatic.com/web.css.css"></head>'
        '<body class="body cc-page j-m-gallery-styles j-m-video-styles"><div id="cc-website">'
        '<div id="container"><div id="header"><div id="logo"><a href="/"><img'
        ' src="/app/cms/image/transf/none/path/s4f1e7b2a9c0d3e5f/image/i1a2b3c4d/version/1/'
        'image.png" alt="Pumpenbau Keller"></a></div></div><div id="navigation"><div'
        f' data-container="navigation"><div class="j-nav-variant-nested"><ul class="cc-nav-level-0'
        f' j-nav-level-0">{nav}</ul></div></div></div><div id="content"><div'
        f' id="content_area" data-container="content"><div id="cc-matrix-1001">{content}</div>'
        '</div></div><div id="sidebar"><div id="cc-matrix-2001"><div class="j-module n'
        ' j-text"><p><strong>Pumpenbau Keller GmbH</strong><br>Industriestr. 5<br>88212'
        ' Ravensburg</p></div></div></div><div id="footer"><div class="gutter"><div'
        ' id="contentfooter" data-container="footer"><div class="leftrow"><a'
        ' href="/about/">Impressum</a> | <a href="/j/privacy">Datenschutz</a> | <a'
        ' href="/sitemap/">Sitemap</a></div><div class="rightrow"><a href="https://www.jimdo.com"'
        ' class="jimdo-free">Jimdo</a></div></div></div></div></div></div></body></html>'
    )


def module(kind: str, body: str, n: int) -> str:
    return f'<div id="cc-m-{9000 + n}" class="j-module n j-{kind} ">{body}</div>'


def build_jimdo(site: LocalSite) -> str:
    lines = {"pumps": ("Pumps", PUMPS), "valves": ("Valves", VALVES)}
    site.add(
        "/",
        jimdo(
            "Home",
            module("header", "<h1>Willkommen bei Pumpenbau Keller</h1>", 1)
            + module("text", "<p>Seit 1962 bauen wir Pumpen und Armaturen.</p>", 2),
            "/",
        ),
    )
    site.add(
        "/about/",
        jimdo(
            "Impressum",
            module("header", "<h1>Impressum</h1>", 1)
            + module("text", "<p>Geschäftsführer: H. Keller. HRB 1234.</p>", 2),
            "/about/",
        ),
    )
    for slug, (label, items) in lines.items():
        gallery = "".join(
            f'<li class="cc-m-gallery-stack-item"><a href="/{slug}/{code}/"><img'
            f' src="{jimdo_image(code, 320)}" data-orig-width="1200" data-orig-height="900"'
            f' alt="{name}"></a><div class="cc-m-gallery-stack-item-caption">{name}</div></li>'
            for code, name in items.items()
        )
        site.add(
            f"/{slug}/",
            jimdo(
                label,
                module("header", f"<h1>{label}</h1>", 1)
                + module("gallery", f'<ul class="cc-m-gallery-stack">{gallery}</ul>', 2),
                f"/{slug}/",
            ),
        )
        for code, name in items.items():
            site.add(
                f"/{slug}/{code}/",
                jimdo(
                    name,
                    module("header", f"<h1>{name}</h1>", 1)
                    + module(
                        "imageSubtitle",
                        '<figure class="cc-imagewrapper cc-m-image-align-1"><a'
                        f' href="{jimdo_image(code, 1024)}" class="cc-imagewrapper"'
                        ' rel="lightbox"><img srcset="'
                        f"{jimdo_image(code, 320)} 320w, {jimdo_image(code, 640)} 640w"
                        f'" sizes="(min-width: 640px) 640px, 100vw" src="{jimdo_image(code, 640)}"'
                        ' alt="" class="" width="640" height="480"></a></figure>',
                        2,
                    )
                    + module(
                        "text",
                        "<p>Gehäuse aus Grauguss, Laufrad aus Edelstahl.</p><ul><li>Druck:"
                        " 16 bar</li><li>Gewicht: 31 kg</li></ul>",
                        3,
                    )
                    + module(
                        "hgrid",
                        '<div class="cc-m-hgrid-column"><div class="j-module n j-text"><p><a'
                        f' href="/{slug}/">Zurück zur Übersicht</a></p></div></div>',
                        4,
                    ),
                    f"/{slug}/",
                ),
            )
    return "/"


def test_jimdo_pages_whose_photos_are_all_named_image_jpg(tmp_path: Path) -> None:
    """Every photo's file is `image.jpg` in folders of a hash and a size; the product's photo
    links its larger size for the lightbox; the listing is a gallery of the 320 px sizes."""
    found = crawl_found(tmp_path, build_jimdo)
    assert_found(
        found,
        {
            f"/{slug}/{code}/": (
                name,
                {jimdo_image(code, 640), jimdo_image(code, 1024)},
            )
            for slug, items in (("pumps", PUMPS), ("valves", VALVES))
            for code, name in items.items()
        },
    )


def google_sites(title: str, content: str, path: str) -> str:
    """A classic Google Sites page: the site's header, a sidebar navigation tree of every
    page (products included), the page title in a header span, the content in layout tables,
    the footer of site-wide links; urls without extensions."""
    tree = "".join(
        f'<li class="topLevel"><a href="/site/aquaflowpumps/{slug}"'
        f' class="{"current-bg " if path.endswith(slug) else ""}">{label}</a><ul>'
        + "".join(
            f'<li><a href="/site/aquaflowpumps/{slug}/{code}">{name}</a></li>'
            for code, name in items.items()
        )
        + "</ul></li>"
        for slug, label, items in (("pumps", "Pumps", PUMPS), ("valves", "Valves", VALVES))
    )
    return (
        '<!DOCTYPE html><html itemscope itemtype="http://schema.org/WebPage" lang="en"><head>'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f'<title>{title} - Aquaflow Pumps</title><meta itemprop="name"'
        f' content="{title}"></head><body xmlns="http://www.google.com/ns/jotspot"'
        ' id="body" class="en"><div id="sites-page-toolbar" class="sites-header-divider">'
        '</div><div id="sites-chrome-everything-scrollbar"><div id="sites-chrome-everything">'
        '<div id="sites-chrome-page-wrapper"><div id="sites-chrome-header-wrapper"><table'
        ' id="sites-chrome-header" class="sites-header" cellspacing="0"><tr><td'
        ' class="sites-header-cell-buffer-wrapper"><div id="sites-header-title"><div'
        ' class="sites-header-cell-buffer-wrapper"><a href="/site/aquaflowpumps/"'
        ' id="sites-chrome-userheader-logo"><img id="logo-img-id"'
        ' src="/site/aquaflowpumps/_/rsrc/1370000000000/config/customLogo.gif" alt="Aquaflow'
        ' Pumps"></a><h2><a href="/site/aquaflowpumps/" dir="ltr">Aquaflow Pumps</a></h2>'
        '</div></div></td></tr></table></div><div id="sites-chrome-main-wrapper"><div'
        ' id="sites-chrome-main-wrapper-inside"><table id="sites-chrome-main"'
        ' class="sites-layout-hbox" cellspacing="0"><tr><td id="sites-canvas-wrapper"><div'
        ' id="sites-canvas"><div id="title-crumbs" style=""></div><h3'
        ' id="sites-page-title-header" style="" align="left"><span id="sites-page-title"'
        f' dir="ltr" tabindex="-1" style="outline: none">{title}</span></h3><div'
        ' id="sites-canvas-main" class="sites-canvas-main"><div id="sites-canvas-main-content">'
        f'<table xmlns="http://www.w3.org/1999/xhtml" cellspacing="0" class="sites-layout-name'
        f'-one-column sites-layout-hbox"><tbody><tr><td class="sites-layout-tile'
        f' sites-tile-name-content-1"><div dir="ltr">{content}</div></td></tr></tbody></table>'
        '</div></div><div id="sites-attachments-container"></div></div></td>'
        '<td id="sites-chrome-sidebar-left" class="sites-layout-sidebar-left"'
        ' style="width:200px"><div class="sites-embed"><h4 class="sites-embed-title">'
        'Navigation</h4><div class="sites-embed-content sites-sidebar-nav"><ul'
        f' role="navigation" jotId="navList">{tree}</ul></div></div></td></tr></table></div>'
        '</div><div id="sites-chrome-footer-wrapper"><div id="sites-chrome-footer-wrapper-inside">'
        '<div id="sites-chrome-footer" class="sites-footer"><span><a href="/site/aquaflowpumps/'
        'system/app/pages/recentChanges">Recent Site Activity</a>|<a'
        ' href="/site/aquaflowpumps/system/app/pages/sitemap/hierarchy">Sitemap</a></span><span>'
        'Powered By <a href="http://sites.google.com"><b class="powered-by">Google Sites</b>'
        "</a></span></div></div></div></div></div></body></html>"
    )


def build_google_sites(site: LocalSite) -> str:
    root = "/site/aquaflowpumps"
    site.add(
        f"{root}/",
        google_sites(
            "Home",
            "<div>Aquaflow Pumps has sold and serviced pumps and valves in Alberta since"
            " 1987.</div>",
            "",
        ),
    )
    for slug, label, items in (("pumps", "Pumps", PUMPS), ("valves", "Valves", VALVES)):
        site.add(
            f"{root}/{slug}",
            google_sites(
                label,
                "<div>We stock the following models; call for prices:</div><ul>"
                + "".join(
                    f'<li><a href="{root}/{slug}/{code}">{name}</a></li>'
                    for code, name in items.items()
                )
                + "</ul>",
                slug,
            ),
        )
        for code, name in items.items():
            rsrc = f"{root}/_/rsrc/1370000000000/{slug}/{code}/{code.replace('-', '')}.jpg"
            site.add(
                f"{root}/{slug}/{code}",
                google_sites(
                    name,
                    '<div style="display:block;text-align:left"><a'
                    f' href="{root}/{slug}/{code}/{code.replace("-", "")}.jpg?attredirects=0"'
                    ' imageanchor="1"><img border="0" height="300"'
                    f' src="{rsrc}?height=300&amp;width=400" width="400"></a></div>'
                    "<div><b>Flow:</b> 40 m3/h</div><div><b>Power:</b> 2.2 kW</div>"
                    "<div><b>Price:</b> call</div>",
                    f"{slug}/{code}",
                ),
            )
    return f"{root}/"


def test_classic_google_sites_with_a_sidebar_tree_of_every_product(tmp_path: Path) -> None:
    """Every page's sidebar lists every product (a site-wide tree of text links); the name is
    the page title span in an h3; the photo a resource url with a size query linking the
    attachment; categories are text lists."""
    root = "/site/aquaflowpumps"
    found = crawl_found(tmp_path, build_google_sites)
    assert_found(
        found,
        {
            f"{root}/{slug}/{code}": (
                name,
                {
                    f"{root}/{slug}/{code}/{code.replace('-', '')}.jpg?attredirects=0",
                    f"{root}/_/rsrc/1370000000000/{slug}/{code}/{code.replace('-', '')}.jpg"
                    "?height=300&width=400",
                },
            )
            for slug, items in (("pumps", PUMPS), ("valves", VALVES))
            for code, name in items.items()
        },
    )
