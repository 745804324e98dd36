"""Real crawls of small catalogs in other scripts and layouts (issue 26): an Arabic site written
right to left with Latin model codes, a Chinese CMS whose pages share one <title> with a
paginated `?page=N` listing and a gallery of thumbnails under one big photo, a hand-written
site that lists one product line on a single page of anchors (no product pages of its own)."""

from __future__ import annotations

from pathlib import Path

from ilid_platform_tests.local_site import PUMPS, VALVES, LocalSite, assert_found, crawl_found

AR_PUMPS = {
    "cp-40": "مضخة طرد مركزي CP-40",
    "sp-12": "مضخة غاطسة SP-12",
    "gp-7": "مضخة تروس GP-7",
    "dp-3": "مضخة غشائية DP-3",
}
AR_VALVES = {
    "bv-50": "محبس كروي BV-50",
    "gv-80": "محبس بوابة GV-80",
    "cv-25": "صمام عدم رجوع CV-25",
}


def arabic(title: str, body: str, crumbs: list[tuple[str, str]] = ()) -> str:
    """A hand-written Bootstrap RTL page of an Egyptian company: top bar, navbar, breadcrumb,
    a footer with the address and a quote form."""
    trail = "".join(
        f'<li class="breadcrumb-item"><a href="{href}">{label}</a></li>' for href, label in crumbs
    )
    return (
        '<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        f"<title>{title} | شركة النيل للمضخات</title>"
        '<link rel="stylesheet" href="/css/bootstrap.rtl.min.css"></head><body>'
        '<div class="top-bar"><div class="container"><span><i class="fa fa-phone"></i>'
        ' 0225551234</span> <a href="/en/index.html" class="lang">English</a></div></div>'
        '<nav class="navbar navbar-expand-lg"><div class="container"><a class="navbar-brand"'
        ' href="/ar/index.html"><img src="/img/logo.png" alt="النيل للمضخات"></a><ul'
        ' class="navbar-nav"><li class="nav-item"><a class="nav-link" href="/ar/index.html">'
        'الرئيسية</a></li><li class="nav-item"><a class="nav-link" href="/ar/pumps.html">'
        'المضخات</a></li><li class="nav-item"><a class="nav-link" href="/ar/valves.html">'
        'المحابس</a></li><li class="nav-item"><a class="nav-link" href="/ar/contact.html">'
        "اتصل بنا</a></li></ul></div></nav>"
        + (
            '<div class="page-header"><div class="container"><ol class="breadcrumb">'
            f'<li class="breadcrumb-item"><a href="/ar/index.html">الرئيسية</a></li>{trail}'
            "</ol></div></div>"
            if crumbs
            else ""
        )
        + f'<main class="container py-5">{body}</main>'
        '<footer class="footer"><div class="container"><div class="row"><div class="col-md-6">'
        "<h5>شركة النيل للمضخات</h5><p>٢٤ شارع الجمهورية، القاهرة، مصر</p></div>"
        '<div class="col-md-6"><h5>اطلب عرض سعر</h5><form action="/send.php" method="post">'
        '<input name="phone" class="form-control" placeholder="رقم الهاتف"><button'
        ' class="btn btn-primary">إرسال</button></form></div></div><p class="copy">جميع'
        " الحقوق محفوظة © ٢٠٢٣</p></div></footer></body></html>"
    )


def build_arabic(site: LocalSite) -> str:
    lines = {"pumps": ("المضخات", AR_PUMPS), "valves": ("المحابس", AR_VALVES)}
    site.add(
        "/ar/index.html",
        arabic(
            "الرئيسية",
            '<section class="hero"><h1>حلول ضخ المياه منذ ١٩٨٥</h1><p>نصمم ونصنع المضخات'
            " والمحابس للزراعة والصناعة ومحطات المياه.</p></section>",
        ),
    )
    site.add("/en/index.html", "<html><body><h1>Nile Pumps</h1><p>English soon.</p></body></html>")
    site.add(
        "/ar/contact.html",
        arabic(
            "اتصل بنا", "<h1>اتصل بنا</h1><p>٢٤ شارع الجمهورية، القاهرة</p>", [("#", "اتصل بنا")]
        ),
    )
    for slug, (label, items) in lines.items():
        cards = "".join(
            '<div class="col-md-4"><div class="card product-card">'
            f'<a href="/ar/products/{code}.html">'
            f'<img src="/img/products/{code}-thumb.jpg" class="card-img-top" alt="{name}"></a>'
            f'<div class="card-body"><h5 class="card-title"><a href="/ar/products/{code}.html">'
            f'{name}</a></h5><a href="/ar/products/{code}.html" class="btn btn-outline-primary">'
            "التفاصيل</a></div></div></div>"
            for code, name in items.items()
        )
        site.add(
            f"/ar/{slug}.html",
            arabic(label, f'<h1>{label}</h1><div class="row">{cards}</div>', [("#", label)]),
        )
        for code, name in items.items():
            related = "".join(
                f'<div class="col-md-3"><a href="/ar/products/{other}.html"><img'
                f' src="/img/products/{other}-thumb.jpg" class="img-fluid" alt="{oname}"></a>'
                f"<h6>{oname}</h6></div>"
                for other, oname in items.items()
                if other != code
            )
            site.add(
                f"/ar/products/{code}.html",
                arabic(
                    name,
                    '<div class="row"><div class="col-md-6"><img'
                    f' src="/img/products/{code}.jpg" class="img-fluid product-img" alt="{name}">'
                    f'</div><div class="col-md-6"><h1 class="product-title">{name}</h1><p>جسم'
                    " من الحديد الزهر ودفاعة من الاستانلس ستيل، مختبرة عند ١٦ بار.</p>"
                    '<table class="table table-bordered"><tr><th>الموديل</th>'
                    f'<td dir="ltr">{code.upper()}</td></tr><tr><th>الضغط</th><td>١٦ بار</td>'
                    "</tr><tr><th>الوزن</th><td>٣١ كجم</td></tr></table>"
                    '<a href="/ar/contact.html" class="btn btn-primary">اطلب عرض سعر</a></div>'
                    f'</div><h3 class="mt-5">منتجات ذات صلة</h3><div class="row">{related}</div>',
                    [(f"/ar/{slug}.html", label), ("#", name)],
                ),
            )
    return "/ar/index.html"


def test_arabic_right_to_left_pages_with_latin_model_codes(tmp_path: Path) -> None:
    found = crawl_found(tmp_path, build_arabic)
    assert_found(
        found,
        {
            f"/ar/products/{code}.html": (name, {f"/img/products/{code}.jpg"})
            for code, name in (AR_PUMPS | AR_VALVES).items()
        },
    )


def old_page(title: str, body: str) -> str:
    """A hand-written page of the 2000s: a menu column of every product, the content beside."""
    menu = "".join(f'<a href="/pumps.htm#{code}">{name}</a><br>' for code, name in PUMPS.items())
    menu += "".join(f'<a href="/valves/{code}.htm">{name}</a><br>' for code, name in VALVES.items())
    return (
        f'<html><head><title>{title}</title></head><body><a name="top"></a>'
        '<table width="780" align="center"><tr><td colspan="2"><img src="/img/top.jpg"'
        ' width="780" height="120"></td></tr><tr><td width="180" valign="top" class="menu">'
        f'<a href="/index.htm">Home</a><br><a href="/valves.htm">Valves</a><br>{menu}'
        '<a href="/contact.htm">'
        f'Contact</a></td><td valign="top">{body}</td></tr><tr><td colspan="2"'
        ' align="center"><font size="1">Aquaflow Pumps &amp; Valves - Tel. 0113 496 0000'
        "</font></td></tr></table></body></html>"
    )


def build_anchors(site: LocalSite) -> str:
    site.add(
        "/index.htm",
        old_page(
            "Aquaflow Pumps & Valves",
            "<h1>Welcome</h1><p>Aquaflow supplies pumps and valves to farms and water boards.</p>",
        ),
    )
    site.add("/contact.htm", old_page("Contact", "<h1>Contact us</h1><p>Leeds LS1.</p>"))
    site.add(
        "/pumps.htm",
        old_page(
            "Pumps",
            "<h1>Pumps</h1><p>Jump to: "
            + " | ".join(f'<a href="#{code}">{code.upper()}</a>' for code in PUMPS)
            + "</p>"
            + "".join(
                f'<a name="{code}"></a><table width="100%" border="0"><tr><td width="260">'
                f'<img src="/img/{code}.jpg" width="250" height="190"></td><td valign="top">'
                f"<h3>{name}</h3><p>Flow {n * 10 + 20} m3/h, head {n * 5 + 15} m, cast iron"
                ' body.</p><p>Price on request.</p><p><a href="#top">Back to top</a></p>'
                "</td></tr></table><hr>"
                for n, (code, name) in enumerate(PUMPS.items())
            ),
        ),
    )
    site.add(
        "/valves.htm",
        old_page(
            "Valves",
            "<h1>Valves</h1><table><tr>"
            + "".join(
                f'<td align="center"><a href="/valves/{code}.htm"><img src="/img/t_{code}.jpg"'
                f' width="120" height="90" border="0"><br>{name}</a></td>'
                for code, name in VALVES.items()
            )
            + "</tr></table>",
        ),
    )
    for code, name in VALVES.items():
        site.add(
            f"/valves/{code}.htm",
            old_page(
                name,
                f'<h1>{name}</h1><p><img src="/img/{code}.jpg" width="400" height="300"></p>'
                "<p>Ductile iron, PN16, flanged ends.</p><p>Price on request.</p>",
            ),
        )
    return "/index.htm"


def test_a_product_line_on_one_page_of_anchors_gives_no_product(tmp_path: Path) -> None:
    """The pumps share one page, each under an anchor the menu links (`pumps.htm#cp-40`): it is
    a list of four products, none of which has a page; each valve has its own page, listed
    with a thumbnail on the valves' page."""
    found = crawl_found(tmp_path, build_anchors)
    assert_found(
        found,
        {f"/valves/{code}.htm": (name, {f"/img/{code}.jpg"}) for code, name in VALVES.items()},
    )


ZH_PUMPS = {
    "cp-40": "CP-40离心泵",
    "sp-12": "SP-12潜水泵",
    "gp-7": "GP-7齿轮泵",
    "dp-3": "DP-3隔膜泵",
    "mp-9": "MP-9多级泵",
}
ZH_VALVES = {"bv-50": "BV-50球阀", "gv-80": "GV-80闸阀", "cv-25": "CV-25止回阀"}
ZH_IDS = {code: 12 + n for n, code in enumerate(ZH_PUMPS | ZH_VALVES)}


def metinfo(body: str, column: str, crumbs: str) -> str:
    """A MetInfo 5 page of a Chinese pump maker: one <title> on every page, the header's
    column menu, a sidebar of the product classes, the position trail, the ICP footer."""
    return (
        '<!DOCTYPE HTML><html><head><meta charset="utf-8"><title>山东泰山泵业有限公司</title>'
        '<meta name="generator" content="MetInfo 5.3.19"><meta name="keywords"'
        ' content="离心泵,潜水泵,闸阀"></head><body><header><div class="inner"><div'
        ' class="top-logo"><a href="/index.php?lang=cn" id="web_logo"><img'
        ' src="/upload/201805/1525999999.png" alt="山东泰山泵业有限公司"'
        ' title="山东泰山泵业有限公司"></a></div><nav class="list-none"><ul><li id="nav_10001"'
        ' class="navdown"><a href="/index.php?lang=cn" title="网站首页" class="nav">'
        '<span>网站首页</span></a></li><li id="nav_1"><a href="/about/show.php?lang=cn&id=1"'
        ' title="关于我们"><span>关于我们</span></a></li><li id="nav_2"><a'
        ' href="/product/product.php?lang=cn&class1=2" title="产品中心"><span>产品中心</span>'
        '</a></li></ul></nav></div></header><div class="inner met_flash"><div class="flash">'
        '<img src="/upload/201805/1525999990.jpg" width="980" height="235" alt="banner"></div>'
        '</div><div class="sidebar inner"><div class="sb_nav"><h3 class="title myCorner">'
        f'<span>{column}</span></h3><div class="active" id="sidebar"><dl class="list-none'
        ' navnow"><dt id="part2_3"><a href="/product/product.php?lang=cn&class2=3"'
        ' title="水泵"><span>水泵</span></a></dt><dt id="part2_4"><a'
        ' href="/product/product.php?lang=cn&class2=4" title="阀门"><span>阀门</span></a></dt>'
        '</dl></div></div><div class="sb_box"><h3 class="title"><div class="position">当前位置：'
        f'<a href="/index.php?lang=cn" title="网站首页">网站首页</a>{crumbs}</div>'
        f'<span>{column}</span></h3><div class="clear"></div>{body}</div></div>'
        '<footer><div class="inner"><div class="met_foottext"><p>山东泰山泵业有限公司 版权所有'
        " 2008-2018 鲁ICP备08012345号</p><p>地址：山东省泰安市泰山区工业园 电话：0538-8123456"
        '</p><p class="powered_by_metinfo">Powered by <b><a href="http://www.metinfo.cn"'
        ' target="_blank">MetInfo 5.3.19</a></b></p></div></div></footer></body></html>'
    )


def build_metinfo(site: LocalSite) -> str:
    site.add(
        "/index.php?lang=cn",
        metinfo(
            '<div class="editor"><p>山东泰山泵业有限公司始建于1988年，专业生产各类水泵和阀门。</p>'
            "</div>",
            "网站首页",
            "",
        ),
    )
    site.add(
        "/about/show.php?lang=cn&id=1",
        metinfo(
            '<div class="editor"><p>公司位于泰安市，占地5万平方米，员工300人。</p></div>',
            "关于我们",
            ' &gt; <a href="/about/show.php?lang=cn&id=1">关于我们</a>',
        ),
    )
    groups = {3: ("水泵", ZH_PUMPS), 4: ("阀门", ZH_VALVES)}
    site.add(
        "/product/product.php?lang=cn&class1=2",
        metinfo(
            '<div class="editor"><p>本公司产品分为两大类：<a'
            ' href="/product/product.php?lang=cn&class2=3">水泵</a>、<a'
            ' href="/product/product.php?lang=cn&class2=4">阀门</a>。</p></div>',
            "产品中心",
            ' &gt; <a href="/product/product.php?lang=cn&class1=2">产品中心</a>',
        ),
    )
    for cls, (label, items) in groups.items():
        codes = list(items)
        pages = [codes[i : i + 3] for i in range(0, len(codes), 3)]
        for page, part in enumerate(pages, 1):
            cards = "".join(
                f'<li><a href="/product/showproduct.php?lang=cn&id={ZH_IDS[c]}"'
                f' title="{items[c]}" target="_self"><img'
                f' src="/upload/thumb_src/200_200/15260000{ZH_IDS[c]}.jpg" alt="{items[c]}"'
                f' title="{items[c]}" width="200" height="200"></a><h3><a'
                f' href="/product/showproduct.php?lang=cn&id={ZH_IDS[c]}" title="{items[c]}"'
                f' target="_self">{items[c]}</a></h3></li>'
                for c in part
            )
            pager = "".join(
                f'<a href="/product/product.php?lang=cn&class2={cls}&page={n}">{n}</a>'
                for n in range(1, len(pages) + 1)
            )
            url = f"/product/product.php?lang=cn&class2={cls}"
            site.add(
                url if page == 1 else f"{url}&page={page}",
                metinfo(
                    f'<div class="active" id="productlist"><ul class="list-none metlist">{cards}'
                    f'</ul></div><div id="flip"><div class="met_pager">{pager}</div></div>',
                    label,
                    f' &gt; <a href="/product/product.php?lang=cn&class1=2">产品中心</a> &gt; <a'
                    f' href="{url}">{label}</a>',
                ),
            )
        for code, name in items.items():
            pid = ZH_IDS[code]
            thumbs = "".join(
                f'<li><a href="javascript:;"><img src="/upload/thumb_src/60_60/15260000{pid}_{k}'
                '.jpg" width="60" height="60"></a></li>'
                for k in (1, 2, 3)
            )
            site.add(
                f"/product/showproduct.php?lang=cn&id={pid}",
                metinfo(
                    '<div class="active" id="showproduct"><dl class="pshow"><dt'
                    ' style="width:310px;"><span class="info_img" id="imgqwe"><a'
                    f' href="/upload/201805/15260000{pid}.jpg" title="{name}"'
                    ' rel="lightbox-group"><img'
                    f' src="/upload/thumb_src/300_300/15260000{pid}.jpg" alt="{name}"'
                    f' title="{name}" width="300" height="300"></a></span><div'
                    f' class="metdisplay"><ul class="list-none">{thumbs}</ul></div></dt><dd><div'
                    f' class="table"><h1 class="title">{name}</h1><ul><li><span>型号：</span>'
                    f"{code.upper()}</li><li><span>流量：</span>40 m³/h</li><li><span>扬程："
                    '</span>32 m</li></ul></div></dd></dl><div class="clear"></div><h3'
                    ' class="ctitle"><span>详细介绍</span></h3><div class="editor"><p>泵体采用'
                    "优质铸铁，叶轮为不锈钢，经16 bar水压试验。</p></div><div"
                    ' class="met_hits"><div class="metjiathis"></div>点击次数：<span>'
                    "128</span>&nbsp;&nbsp;更新时间：2018-05-11 09:20:31&nbsp;&nbsp;【<a"
                    ' href="javascript:window.print()">打印此页</a>】&nbsp;&nbsp;【<a'
                    ' href="javascript:self.close()">关闭窗口</a>】</div></div>',
                    label,
                    ' &gt; <a href="/product/product.php?lang=cn&class1=2">产品中心</a> &gt; <a'
                    f' href="/product/product.php?lang=cn&class2={cls}">{label}</a>',
                ),
            )
    return "/index.php?lang=cn"


def test_metinfo_pages_under_one_title_with_paged_listings_and_a_gallery(tmp_path: Path) -> None:
    """One <title> on every page; a class of five pumps lists three on its first page and
    two on `&page=2`; each product shows a 300 px photo linking its original, over a row of
    60 px thumbnails of other photos."""
    found = crawl_found(tmp_path, build_metinfo)
    assert_found(
        found,
        {
            f"/product/showproduct.php?lang=cn&id={ZH_IDS[code]}": (
                name,
                {
                    f"/upload/201805/15260000{ZH_IDS[code]}.jpg",
                    f"/upload/thumb_src/300_300/15260000{ZH_IDS[code]}.jpg",
                },
            )
            for code, name in (ZH_PUMPS | ZH_VALVES).items()
        },
    )


def build_menu_only(site: LocalSite) -> str:
    """The same hand-written site without the valves' listing: each valve page is reached
    only from the text menu of every page."""
    build_anchors(site)
    del site.routes["/valves.htm"]
    return "/index.htm"


def test_product_pages_reached_only_from_a_site_wide_text_menu(tmp_path: Path) -> None:
    """No listing card, spec table, price or buy button anywhere: the valve pages, one
    template, each headed by the words of the site-wide menu's link to it and showing its own
    photo, are the products (`menus.adopt_menu_items`)."""
    found = crawl_found(tmp_path, build_menu_only)
    assert_found(
        found,
        {f"/valves/{code}.htm": (name, {f"/img/{code}.jpg"}) for code, name in VALVES.items()},
    )
