"""Product pages among the blocks a catalog repeats around them, decided from the population of
pages (`decide_pages`): small sites, each built on one kind of page that round five's sites got
wrong (a photo between a sidebar's cards and a footer's list, case studies in the product
template, a <body> class naming the layout, "icon" inside "silicone", an OpenGraph title that is
the search-engine title, a size table before the photo)."""

from __future__ import annotations

from ilid_platform.crawl.extract import decide_pages, read_page
from ilid_platform.crawl.extract.page_kinds import crumb_kind, negative_kind

BASE = "https://heat.example"


def decide(pages: dict[str, str]) -> dict[str, dict | None]:
    readings = [read_page(html, BASE + path) for path, html in pages.items()]
    return {path: d.product for path, d in zip(pages, decide_pages(readings), strict=True)}


def names(decided: dict[str, dict | None]) -> dict[str, str]:
    return {path: record["name"] for path, record in decided.items() if record}


def photos(decided: dict[str, dict | None]) -> dict[str, str]:
    return {path: record["image_urls"][0] for path, record in decided.items() if record}


PRODUCTS = {
    "/22.html": "高效双纹管换热器",
    "/24.html": "容积式换热器",
    "/25.html": "双纹管换热机组",
    "/26.html": "生活热水设备",
    "/85.html": "换热机组",
    "/90.html": "换热机组",
}
CASE = "二一二研究所"
_SIDEBAR = ("/22.html", "/24.html", "/85.html")
"""The recommended cards of the sidebar, and the page's own card after them."""
COMPANY = "陕西板式换热器，西安换热机组，陕西热力设备工程有限公司"


def _cms_page(path: str, name: str, section: tuple[str, str], photo: str) -> str:
    """A Chinese CMS detail page: sidebar of recommended cards, a "当前位置" trail, the name in
    a <dt>, the photo, then a floating list of chat contacts (text and a link each)."""
    cards = "".join(
        f'<li><div class="img"><a href="{p}"><img src="/up/{p[1:-5]}-lp.jpg" '
        f'style="height: 135px; width: 160px;"></a></div><div class="txt"><a href="{p}">{n}</a>'
        "</div></li>"
        for p, n in (
            (p, {**PRODUCTS, "/1.html": CASE}[p])
            for p in (*_SIDEBAR, path if path not in _SIDEBAR else "/26.html")
        )
    )
    chat = "".join(
        f'<li><span>客服{n}</span> <a href="http://wpa.qq.com/msgrd?uin={n}">'
        f'<img src="http://im.example/online.png" alt="点击这里给我发消息"></a></li>'
        for n in (1, 2, 3)
    )
    return (
        f"<html><head><title>{name}_{name[:2]},{name[2:]},_{COMPANY}</title></head><body>"
        '<div class="head"><h1><a href="/"><img src="/sink/logo.jpg"></a></h1>'
        '<ul class="menu"><li><a href="/">网站首页</a></li><li><a href="/cpzx/">产品中心</a></li>'
        '<li><a href="/cgal/">成功案例</a></li></ul></div>'
        f'<div class="leftitem"><div class="tit"> 热门推荐 </div><ul>{cards}</ul></div>'
        f'<div class="sitemap"> 当前位置：<a href="/">主页</a> > <a href="{section[0]}">'
        f"{section[1]}</a> > </div>"
        f'<div class="procontent"><div class="tit"><dl><dt>{name}</dt></dl></div>'
        f'<div class="detail"><div><img alt="" src="{photo}" style="width: 446px;"></div>'
        f"<p>{name}换热能力强，结构紧凑，安装方便。</p></div></div>"
        f'<div class="rides-cs"><h3>在线客服</h3><ul>{chat}</ul></div>'
        f'<div class="footer"><p>{COMPANY} 电话：029-83664543</p></div></body></html>'
    )


def test_cms_photo_between_a_sidebar_of_cards_and_a_chat_list_and_its_case_pages() -> None:
    """The product's photo sits between the sidebar's cards and the chat contacts (both grids
    of tiles, one after the other in the document): it is the page's own photo, not a tile.
    Two products share a name, which the card after theirs in the sidebar reads as its
    caption on most pages. A case study in the same template is filed under 成功案例 by its
    trail: no product."""
    pages = {
        "/index.html": "<html><head><title>首页</title></head><body><h1>热力设备</h1>"
        + "".join(f'<p><a href="{p}">{n}</a></p>' for p, n in PRODUCTS.items())
        + f'<p><a href="/1.html">{CASE}</a></p></body></html>',
    }
    for path, name in PRODUCTS.items():
        pages[path] = _cms_page(path, name, ("/cpzx/", "产品中心"), f"/up/{path[1:-5]}.jpg")
    pages["/1.html"] = _cms_page("/1.html", CASE, ("/cgal/", "成功案例"), "/up/1.jpg")
    decided = decide(pages)
    assert names(decided) == PRODUCTS
    assert photos(decided) == {p: f"{BASE}/up/{p[1:-5]}.jpg" for p in PRODUCTS}
    assert decided["/22.html"]["breadcrumbs"] == ["主页", "产品中心"]


def test_sections_a_breadcrumb_or_a_url_names() -> None:
    """News, case studies and advice are sections of no product, in the trail's words or the
    url's slug; a product whose trail runs through its category is none of them."""
    assert crumb_kind(["Home", "Case Studies", "Plant in Leeds"]) == "blog"
    assert crumb_kind(["Главная", "Новости"]) == "blog"
    assert crumb_kind(["首页", "新闻中心", "公司动态"]) == "blog"
    assert crumb_kind(["Home", "Pumps", "News Stand Pump"]) == ""
    assert crumb_kind(["News"]) == ""  # the first step is the home page
    assert negative_kind(None, f"{BASE}/winkel/bomen/advies/") == "about"
    assert negative_kind(None, f"{BASE}/winkel/bomen/knotwilg/") == ""


GASKETS = {
    "silicone-gasket": "Silicone Gasket",
    "starter-ring": "Starter Ring",
    "wheelbarrow-tyre": "Wheelbarrow Tyre",
    "o-ring": "O-Ring",
    "star-washer": "Star Washer",
    "wheel-loader": "Wheel Loader Seal Kit",
}


def test_layout_sidebar_on_the_body_and_product_words_holding_decorative_ones() -> None:
    """A theme writes `sidebar_right` on every page's <body> and `has-sidebar` on its content
    wrapper, and the product pages hold less text than their menus: neither is a sidebar.
    Photo files named after the products ("silicone", "starter", "wheelbarrow", "star
    washer", "wheel loader") are no icon, star, arrow or loader; the phone icon is."""
    menu = "".join(f'<li><a href="/{s}.html">{n}</a></li>' for s, n in GASKETS.items())
    menu += "".join(
        f'<li><a href="/info/{n}.html">Sealing guide part {n}</a></li>' for n in range(9)
    )

    def page(body: str, title: str) -> str:
        return (
            f'<html><head><title>{title} – Seal Works</title></head><body class="single'
            f' sidebar_right"><header><img src="/logo.png"><ul>{menu}</ul></header>'
            f'<div class="site-content has-sidebar">{body}</div>'
            '<footer><img src="/img/icon-phone.png"> +91 22 0000 0000</footer></body></html>'
        )

    pages = {"/index.html": page("<h2>Seal Works</h2><p>Rubber seals since 1985.</p>", "Home")}
    for slug, name in GASKETS.items():
        pages[f"/{slug}.html"] = page(
            f'<div class="main"><img src="/img/{slug}.jpg" width="484" height="645">'
            f"<h2>{name}</h2><p>Made to order.</p></div>",
            name,
        )
    decided = decide(pages)
    assert names(decided) == {f"/{s}.html": n for s, n in GASKETS.items()}
    assert photos(decided) == {f"/{s}.html": f"{BASE}/img/{s}.jpg" for s in GASKETS}


RECTIFIERS = {
    "dc-rectifier": ("DC Rectifier", "DC Rectifier manufacturer - AC to DC Rectifier - PCB"),
    "dry-scrubber": ("Dry Scrubber", "Dry Scrubber Manufacturer in Ahmedabad"),
    "jig-fixture": ("Jig Fixture", "Jig Fixture"),
    "exhaust-blower": ("Exhaust Blower", "Exhaust Blower Manufacturer in Ahmedabad"),
}


def test_opengraph_title_that_repeats_the_search_engine_title() -> None:
    """og:title repeats each page's <title>, an SEO title around the product's name: the h1
    it contains names the product; an og:title of its own stays the name."""
    pages = {"/index.html": "<html><head><title>US Plating</title></head><body><h1>Plating</h1>"}
    pages["/index.html"] += "".join(f'<a href="/product/{s}/">x</a>' for s in RECTIFIERS)
    for slug, (name, title) in RECTIFIERS.items():
        og = "Blower, exhaust" if slug == "exhaust-blower" else title
        pages[f"/product/{slug}/"] = (
            f'<html><head><title>{title}</title><meta property="og:type" content="product">'
            f'<meta property="og:title" content="{og}">'
            f'<meta property="og:image" content="/up/{slug}.jpg"></head><body>'
            f'<h1 class="product_title">{name}</h1><img src="/up/{slug}.jpg">'
            "<p>Made in Ahmedabad.</p></body></html>"
        )
    decided = decide(pages)
    expected = {f"/product/{s}/": n for s, (n, _) in RECTIFIERS.items()}
    expected["/product/exhaust-blower/"] = "Blower, exhaust"
    assert names(decided) == expected


STEEL = {
    "armatura": "Арматура строительная",
    "katanka": "Катанка",
    "krug": "Круг стальной",
    "kvadrat": "Квадрат стальной",
    "nkt": "Трубы НКТ",
}


def test_size_table_before_the_photo_in_the_templates_photo_place() -> None:
    """Each page shows its photo after the text; two show a size table there first ("Таблица"
    in its alt text or file name): the photo comes first. A product named a table keeps its
    table photo."""

    def page(slug: str, name: str, images: str) -> str:
        menu = "".join(f'<li><a href="/{s}.html">{n}</a></li>' for s, n in STEEL.items())
        return (
            f"<html><head><title>{name}</title></head><body><header><img src='/logo.png'>"
            f"</header><div class='left_col'><ul>{menu}</ul></div><div class='right_col'>"
            f"<h1>{name}</h1><div><p>{name}: поставки по России и СНГ, резка в размер.</p>"
            f"{images}</div><button>Узнать стоимость</button></div></body></html>"
        )

    pages = {"/index.html": page("", "МПК Сталь", "")}
    for slug, name in STEEL.items():
        images = f'<img src="/img/{slug}.jpg" alt="{name}">'
        if slug == "armatura":
            images = f'<img src="/img/{slug}.png" alt="{name} таблица">' + images
        if slug == "nkt":
            images = f'<img src="/img/{slug}__tablica.jpg" alt="Размеры">' + images
        pages[f"/{slug}.html"] = page(slug, name, images)
    pages["/stol.html"] = page(
        "stol",
        "Cutting Table",
        '<img src="/img/cutting-table.jpg" alt="Cutting table"><img src="/img/shop.jpg">',
    )
    decided = decide(pages)
    assert photos(decided) == {f"/{s}.html": f"{BASE}/img/{s}.jpg" for s in STEEL} | {
        "/stol.html": f"{BASE}/img/cutting-table.jpg"
    }


def _shop_page(body: str, data: str, title: str) -> str:
    ld = f'<script type="application/ld+json">{data}</script>' if data else ""
    return (
        f"<html><head><title>{title} | Tracker Shop</title>{ld}</head><body>"
        '<div class="header"><a href="/"><img src="/logo.png"></a></div>'
        f'<div class="content">{body}</div><div class="footer">Hanoi</div></body></html>'
    )


def test_blog_post_listed_beside_products_that_declare_themselves() -> None:
    """On a shop whose products carry a structured Product, a post the blog-index home page
    lists, with a heading and two photos of its own, is no product: being listed was its only
    product evidence."""
    products = {f"/shop/tracker-t{n}/": f"Tracker T{n}" for n in range(1, 4)}
    post = "/how-to-log-in-to-tracker-t3/"
    pages = {
        path: _shop_page(
            f'<h1 class="product_title">{name}</h1><img src="/up/t{path[-2]}.jpg" width="600"'
            ' height="600"><p class="price">1.290.000 ₫</p>'
            '<button name="add-to-cart" class="single_add_to_cart_button">Mua hàng</button>'
            f"<p>{name} GPS tracker for trucks.</p>",
            f'{{"@context": "https://schema.org", "@type": "Product", "name": "{name}",'
            f' "image": "{BASE}/up/t{path[-2]}.jpg"}}',
            name,
        )
        for path, name in products.items()
    }
    pages[post] = _shop_page(
        '<h1 class="entry-title">How to log in to the Tracker T3 app</h1>'
        '<img src="/up/login-1.jpg" width="700" height="400"><p>Open the app, then type the'
        ' account the installer gave you.</p><img src="/up/login-2.jpg" width="700" height="400">',
        '{"@context": "https://schema.org", "@type": "Article", "headline": "How to log in"}',
        "How to log in to the Tracker T3 app",
    )
    cards = "".join(
        f'<div class="post"><a href="{path}"><img src="/up/card-{i}.jpg" width="300"'
        f' height="200"></a><a href="{path}">{name}</a></div>'
        for i, (path, name) in enumerate({**products, post: "How to log in"}.items())
    )
    pages["/"] = _shop_page(f'<div class="posts">{cards}</div>', "", "Tracker Shop")
    decided = decide(pages)
    assert names(decided) == {path: name for path, name in products.items()}
    assert decided[post] is None


def test_a_section_page_whose_breadcrumb_trail_its_products_continue() -> None:
    """A brochure site's section page (Products / Mixers) looks like a product: a heading, a
    section photo, a spec table. It links two pages whose trails continue its own (Products /
    Mixers / Electric mixers) and that link back to it: it is their category, and the one of
    them with only a gallery for evidence is a product too."""

    def crumbs(*trail: str) -> str:
        links = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in trail)
        return f'<div class="breadcrumbs"><ul>{links}</ul></div>'

    def sheet(name: str, photos: list[str], trail: list[tuple[str, str]], body: str = "") -> str:
        images = "".join(f'<img src="/img/{p}.jpg" alt="">' for p in photos)
        return (
            f"<html><head><title>{name} | Farm Ltd</title></head><body>"
            '<header><a href="/index.html"><img src="/logo.png" alt="Farm Ltd"></a></header>'
            f'<main>{crumbs(*trail)}<h1>{name}</h1><div class="photo">{images}</div>'
            f"<p>{name} for dairy farms.</p>{body}</main><footer>Farm Ltd</footer></body></html>"
        )

    table = (
        "<table><tr><th>Power</th><td>5 kW</td></tr><tr><th>Mass</th><td>90 kg</td></tr></table>"
    )
    top = [("/products.html", "Products")]
    mixers = [*top, ("/mixers.html", "Mixers")]
    pages = {
        "/mixers.html": sheet(
            "Mixers",
            ["mixers"],
            mixers,
            table
            + '<p><a href="/mixer-el.html">Electric</a> <a href="/mixer-pto.html">PTO</a></p>',
        ),
        "/mixer-el.html": sheet(
            "Electric mixers", ["el-1", "el-2"], [*mixers, ("/mixer-el.html", "Electric mixers")]
        ),
        "/mixer-pto.html": sheet(
            "PTO mixers", ["pto-1"], [*mixers, ("/mixer-pto.html", "PTO mixers")], table
        ),
    }
    for slug in ("hutch", "lamp", "pump"):
        pages[f"/{slug}.html"] = sheet(slug.title(), [slug], [*top, (f"/{slug}.html", slug)], table)
    assert names(decide(pages)) == {
        "/mixer-el.html": "Electric mixers",
        "/mixer-pto.html": "PTO mixers",
        "/hutch.html": "Hutch",
        "/lamp.html": "Lamp",
        "/pump.html": "Pump",
    }
