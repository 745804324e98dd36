"""Real crawls of small catalogs from hosted stores and builders of other countries and eras
(issue 26), kinds the corpus has none of: a Korean Cafe24 shop (`product/detail.html?
product_no=N` urls, names in Korean, the photo in `.keyImg`), Odoo's website shop
(`/shop/<slug>-<id>` pages, `/web/image/` photos), a Weebly site (products as pages of
`wsite-` blocks), Microsoft Publisher pages (absolutely placed text boxes, no headings), a
Japanese MakeShop shop (`shopdetail.html?brandcode=` pages), WordPress with WPBakery rows
(`vc_` and `wpb_` classes, a product as a plain page)."""

from __future__ import annotations

from pathlib import Path

from ilid_platform_tests.local_site import PUMPS, VALVES, LocalSite, assert_found, crawl_found

KO = {
    "11": "원심펌프 CP-40",
    "12": "수중펌프 SP-12",
    "13": "기어펌프 GP-7",
    "14": "볼밸브 BV-50",
    "15": "게이트밸브 GV-80",
    "16": "체크밸브 CV-25",
}


def cafe24(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8">'
        f'<title>{title}</title><meta name="path_role" content="PRODUCT_DETAIL">'
        '<link rel="stylesheet" href="/ind-script/optimizer.php?filename=x&type=css"></head>'
        '<body id="main"><div id="skipNavigation"><p><a href="#category">전체상품목록 바로가기'
        '</a></p></div><div id="wrap"><div id="header"><div class="xans-element-'
        ' xans-layout xans-layout-statelogoff"><a href="/member/login.html"'
        ' class="xans-record-">로그인</a><a href="/member/agreement.html">회원가입</a>'
        '<a href="/order/basket.html">장바구니</a></div><h1 class="xans-element-'
        ' xans-layout xans-layout-logotop"><a href="/index.html"><img'
        ' src="/web/upload/category/logo/v2_logo.png" alt="대한펌프"></a></h1>'
        '<div id="category" class="xans-element- xans-layout xans-layout-category"><ul>'
        '<li class="xans-record-"><a href="/product/list.html?cate_no=24">펌프</a></li>'
        '<li class="xans-record-"><a href="/product/list.html?cate_no=25">밸브</a></li>'
        f'</ul></div></div><div id="container"><div id="contents">{body}</div></div>'
        '<div id="footer"><div class="xans-element- xans-layout xans-layout-footer">'
        "<p>상호명 : 대한펌프 대표자 : 김철수 사업자등록번호 : 123-45-67890</p>"
        '<p class="copyright">Copyright &copy; 대한펌프. All rights reserved.</p></div>'
        "</div></div></body></html>"
    )


def build_cafe24(site: LocalSite) -> str:
    site.add(
        "/index.html",
        cafe24(
            "대한펌프",
            '<div class="xans-element- xans-product xans-product-listmain-1"><div class="title">'
            '<h2><span>신상품</span></h2></div><ul class="prdList grid4">'
            '<li class="xans-record-"><div class="thumbnail"><a href="/product/detail.html?'
            'product_no=11&amp;cate_no=1&amp;display_group=2"><img'
            ' src="/web/product/medium/202301/11_shop1_m.jpg" alt="원심펌프 CP-40"></a></div>'
            '<div class="description"><strong class="name"><a href="/product/detail.html?'
            'product_no=11&amp;cate_no=1&amp;display_group=2"><span>원심펌프 CP-40</span></a>'
            "</strong></div></li></ul></div>",
        ),
    )
    lines = {"24": ("펌프", ["11", "12", "13"]), "25": ("밸브", ["14", "15", "16"])}
    for cate, (label, numbers) in lines.items():
        cards = "".join(
            '<li class="xans-record-"><div class="thumbnail"><div class="prdImg">'
            f'<a href="/product/detail.html?product_no={n}&amp;cate_no={cate}&amp;display_group=1">'
            f'<img src="/web/product/medium/202301/{n}_shop1_m.jpg" alt="{KO[n]}"></a></div></div>'
            '<div class="description"><strong class="name"><a href="/product/detail.html?'
            f'product_no={n}&amp;cate_no={cate}&amp;display_group=1"><span class="title">'
            f'상품명</span> :</a> <span>{KO[n]}</span></strong><ul class="spec"><li><strong>'
            "판매가</strong> : <span>185,000원</span></li></ul></div></li>"
            for n in numbers
        )
        site.add(
            f"/product/list.html?cate_no={cate}",
            cafe24(
                label,
                f'<div class="xans-element- xans-product xans-product-headcategory"><h2>{label}'
                '</h2></div><div class="xans-element- xans-product xans-product-normalpackage">'
                f'<ul class="prdList grid4">{cards}</ul></div>',
            ),
        )
        for n in numbers:
            page = cafe24(
                KO[n],
                '<div class="xans-element- xans-product xans-product-detail"><div'
                ' class="detailArea"><div class="xans-element- xans-product xans-product-image'
                ' imgArea"><div class="keyImg"><div class="thumbnail"><img'
                f' src="/web/product/big/202301/{n}_shop1_b.jpg" alt="" class="BigImage"></div>'
                '</div><div class="xans-element- xans-product xans-product-addimage listImg">'
                f'<ul><li class="xans-record-"><img src="/web/product/extra/small/202301/{n}_a.jpg"'
                ' class="ThumbImage" alt=""></li></ul></div></div><div class="infoArea">'
                f'<div class="headingArea"><h2>{KO[n]}</h2></div><div class="xans-element-'
                ' xans-product xans-product-detaildesign"><table border="1"><tbody><tr'
                ' class="xans-record-"><th scope="row"><span>판매가</span></th><td><span>'
                '185,000원</span></td></tr><tr class="xans-record-"><th scope="row"><span>'
                "배송비</span></th><td><span>3,000원</span></td></tr></tbody></table></div>"
                '<div class="xans-element- xans-product xans-product-action"><div class="btnArea">'
                '<a href="#none" class="first btnSubmit" onclick="product_submit(1,'
                " '/exec/front/order/basket/', this)\"><span>바로구매하기</span></a><a"
                ' href="#none" class="btnNormal" onclick="product_submit(2,'
                " '/exec/front/order/basket/', this)\">장바구니 담기</a></div></div></div></div>"
                '<div id="prdDetail" class="ec-base-tab"><div class="cont"><p><img'
                f' src="/web/upload/NNEditor/202301/{n}_detail.jpg" alt=""></p></div></div></div>',
            )
            site.add(f"/product/detail.html?product_no={n}&cate_no={cate}&display_group=1", page)
            site.add(f"/product/detail.html?product_no={n}&cate_no=1&display_group=2", page)
    return "/index.html"


def test_cafe24_korean_shop_query_urls_and_its_key_image(tmp_path: Path) -> None:
    """One product answers at the url of each listing that shows it (its category's, the home
    page's): one record, named by the h2, its photo the `big` file."""
    found = crawl_found(tmp_path, build_cafe24)
    by_number = {}
    for path, (name, photo) in found.items():
        number = path.split("product_no=")[1].split("&")[0]
        by_number.setdefault(number, []).append((name, photo))
    assert set(by_number) == set(KO), sorted(found)
    for n, got in by_number.items():
        assert got == [(KO[n], f"/web/product/big/202301/{n}_shop1_b.jpg")], (n, got)


PRODUCTS = PUMPS | VALVES


def odoo(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en-US" data-website-id="1"'
        ' data-main-object="product.template(7,)">'
        f'<head><meta charset="utf-8"><title>{title} | Aqua Systems</title>'
        '<meta name="generator" content="Odoo"><link type="text/css" rel="stylesheet"'
        ' href="/web/assets/1/web.assets_frontend.min.css"></head><body class="o_connected_user">'
        '<div id="wrapwrap" class="   "><header id="top" data-anchor="true" data-name="Header"'
        ' class="o_header_standard"><nav data-name="Navbar" class="navbar navbar-expand-lg'
        ' navbar-light o_colored_level"><div id="top_menu_container" class="container">'
        '<a href="/" class="navbar-brand logo"><span role="img" aria-label="Logo of Aqua'
        ' Systems" title="Aqua Systems"><img src="/web/image/website/1/logo/Aqua%20Systems?'
        'unique=1a2b" class="img img-fluid" alt="Aqua Systems" loading="lazy"></span></a>'
        '<ul id="top_menu" role="menu" class="nav navbar-nav o_menu_loading flex-grow-1">'
        '<li class="nav-item"><a role="menuitem" href="/" class="nav-link "><span>Home</span>'
        '</a></li><li class="nav-item"><a role="menuitem" href="/shop" class="nav-link ">'
        '<span>Shop</span></a></li><li class="nav-item"><a role="menuitem" href="/contactus"'
        ' class="nav-link "><span>Contact us</span></a></li><li class="nav-item'
        ' o_wsale_my_cart"><a href="/shop/cart" class="nav-link"><i class="fa'
        ' fa-shopping-cart"></i><sup class="my_cart_quantity badge text-bg-primary">0</sup>'
        f"</a></li></ul></div></nav></header><main>{body}</main>"
        '<footer id="bottom" data-anchor="true" class="o_footer"><div id="footer"'
        ' class="oe_structure oe_structure_solo"><section class="s_text_block pt40 pb16">'
        '<div class="container"><div class="row"><div class="col-lg-4"><h5>Useful Links</h5>'
        '<ul class="list-unstyled"><li><a href="/">Home</a></li><li><a href="/contactus">'
        'Contact us</a></li></ul></div><div class="col-lg-5"><h5>About us</h5><p>Pumps and'
        " valves for utilities.</p></div></div></div></section></div><div"
        ' class="o_footer_copyright"><span class="o_footer_copyright_name">Copyright &copy;'
        ' Aqua Systems</span><div class="o_brand_promotion">Powered by <a target="_blank"'
        ' class="badge text-bg-light" href="http://www.odoo.com">Odoo</a></div></div>'
        "</footer></div></body></html>"
    )


def build_odoo(site: LocalSite) -> str:
    ids = {code: 20 + n for n, code in enumerate(PRODUCTS)}
    site.add("/", odoo("Home", '<div id="wrap" class="oe_structure"><h1>Aqua Systems</h1></div>'))
    site.add("/contactus", odoo("Contact Us", "<h1>Contact us</h1>"))
    cards = "".join(
        '<td class="oe_product"><div class="o_wsale_product_grid_wrapper"><form action="/shop/cart/'
        'update" method="post" class="card oe_product_cart" itemscope="itemscope"'
        ' itemtype="http://schema.org/Product"><div class="card-body p-1 oe_product_image">'
        f'<a class="d-block h-100" itemprop="url" href="/shop/{code}-{ids[code]}"><span'
        ' class="d-flex h-100 justify-content-center align-items-center"><img'
        f' src="/web/image/product.template/{ids[code]}/image_256/{name.replace(" ", "%20")}?'
        f'unique=9f1c" itemprop="image" class="img img-fluid" alt="{name}" loading="lazy">'
        '</span></a></div><div class="card-body p-0 o_wsale_product_information"><div'
        ' class="p-2 o_wsale_product_information_text"><h6 class="o_wsale_products_item_title'
        f' mb-1 text-break"><a class="text-primary text-decoration-none" itemprop="name"'
        f' href="/shop/{code}-{ids[code]}" content="{name}">{name}</a></h6>'
        '<div class="product_price" itemprop="offers" itemscope="itemscope"'
        ' itemtype="http://schema.org/Offer"><span class="text-primary">$&nbsp;<span'
        ' class="oe_currency_value">1,250.00</span></span><span itemprop="price"'
        ' style="display:none;">1250.0</span><span itemprop="priceCurrency"'
        ' style="display:none;">USD</span></div></div></div></form></div></td>'
        for code, name in PRODUCTS.items()
    )
    site.add(
        "/shop",
        odoo(
            "Shop",
            '<div id="wrap" class="js_sale o_wsale_products_page"><div class="container'
            ' oe_website_sale pt-2"><div class="o_wsale_products_main_row"><div id="products_grid"'
            ' class="col"><h1 class="h2">All Products</h1><div class="o_wsale_products_grid_table'
            f'_wrapper"><table class="table table-borderless h-100 m-0"><tbody><tr>{cards}'
            "</tr></tbody></table></div></div></div></div></div>",
        ),
    )
    for code, name in PRODUCTS.items():
        pid = ids[code]
        site.add(
            f"/shop/{code}-{pid}",
            odoo(
                name,
                '<div itemscope="itemscope" itemtype="http://schema.org/Product" id="wrap"'
                ' class="js_sale o_wsale_product_page ecom-zoomable zoomodoo-next">'
                '<section id="product_detail" class="container py-4 oe_website_sale">'
                '<div class="row"><div class="col-lg-6 mt-lg-4 o_wsale_product_images">'
                '<div id="o-carousel-product" class="carousel slide position-sticky mb-3'
                ' overflow-hidden" data-bs-ride="carousel"><div class="o_carousel_product_outer'
                ' carousel-outer position-relative flex-grow-1"><div class="carousel-inner h-100">'
                '<div class="carousel-item h-100 text-center active"><div class="d-flex'
                ' align-items-center justify-content-center h-100 oe_unmovable"><img'
                f' src="/web/image/product.product/{pid + 100}/image_1024/'
                f"{name.replace(' ', '%20')}"
                '?unique=9f1c" itemprop="image" class="img img-fluid oe_unmovable'
                " product_detail_img"
                f' mh-100" alt="{name}" loading="lazy"></div></div></div></div></div></div>'
                '<div id="product_details" class="col-lg-6 mt-md-4"><h1 itemprop="name">'
                f'{name}</h1><span itemprop="url" style="display:none;">/shop/{code}-{pid}</span>'
                '<form action="/shop/cart/update" method="POST"><div class="js_product'
                ' js_main_product mb-3"><div class="product_price mt-2 mb-3 d-inline-block"'
                ' itemprop="offers" itemscope="itemscope" itemtype="http://schema.org/Offer">'
                '<h3 class="css_editable_mode_hidden"><span class="oe_price" style="white-space:'
                ' nowrap;">$&nbsp;<span class="oe_currency_value">1,250.00</span></span></h3>'
                '</div><div id="add_to_cart_wrap" class="d-inline-flex align-items-center mb-2">'
                '<a role="button" id="add_to_cart" class="btn btn-primary js_check_product'
                ' a-submit flex-grow-1" href="#"><i class="fa fa-shopping-cart me-2"></i>ADD TO'
                ' CART</a></div></div></form><div class="oe_structure"'
                ' id="product_full_description">'
                "<p>Cast iron body, stainless trim, tested to 16 bar.</p></div></div></div>"
                "</section></div>",
            ),
        )
    return "/"


def test_odoo_website_shop_pages_with_web_image_photos(tmp_path: Path) -> None:
    found = crawl_found(tmp_path, build_odoo)
    ids = {code: 20 + n for n, code in enumerate(PRODUCTS)}
    assert set(found) == {f"/shop/{code}-{ids[code]}" for code in PRODUCTS}, sorted(found)
    for code, name in PRODUCTS.items():
        got_name, photo = found[f"/shop/{code}-{ids[code]}"]
        assert got_name == name
        assert photo.startswith(f"/web/image/product.product/{ids[code] + 100}/"), photo


def weebly(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><title>' + title + " - HILLSIDE PUMPS</title>"
        '<meta property="og:site_name" content="HILLSIDE PUMPS"><link'
        ' href="//cdn2.editmysite.com/css/sites.css?buildTime=1234" rel="stylesheet"></head>'
        '<body class="no-header-page wsite-page-x wsite-theme-light"><div class="wrapper">'
        '<div class="header"><div class="nav-wrap"><div class="container"><div class="logo">'
        '<span class="wsite-logo"><a href=""><span id="wsite-title">HILLSIDE PUMPS</span></a>'
        '</span></div><div class="nav desktop-nav"><ul class="wsite-menu-default">'
        '<li id="pg1"><a href="/" data-membership-required="0">Home</a></li>'
        '<li id="pg2"><a href="/products.html" data-membership-required="0">Products</a></li>'
        '<li id="pg3"><a href="/contact.html" data-membership-required="0">Contact</a></li>'
        '</ul></div></div></div></div><div class="main-wrap"><div class="container">'
        f'<div id="wsite-content" class="wsite-elements wsite-not-footer">{body}</div></div>'
        '</div><div class="footer-wrap"><div class="container"><div class="footer">'
        '<div class="wsite-elements wsite-footer"><div class="paragraph">Hillside Pumps, Route'
        ' 9, Albany NY</div></div></div></div></div></div><div id="weebly-footer-signup-'
        'container-v3"><a href="https://www.weebly.com/signup">Powered by Weebly</a></div>'
        "</body></html>"
    )


def wsite_image(src: str, href: str = "", width: int = 0) -> str:
    img = (
        f'<img src="{src}" alt="Picture" style="width:auto;max-width:100%"'
        + (f' width="{width}"' if width else "")
        + ">"
    )
    if href:
        img = f'<a href="{href}">{img}</a>'
    return (
        '<div><div class="wsite-image wsite-image-border-none" style="padding-top:10px;'
        f'padding-bottom:10px;margin-left:0;margin-right:0;text-align:center">{img}'
        '<div style="display:block;font-size:90%"></div></div></div>'
    )


def build_weebly(site: LocalSite) -> str:
    site.add("/", weebly("Home", '<h2 class="wsite-content-title">Pumps for the farm</h2>'))
    site.add("/contact.html", weebly("Contact", '<h2 class="wsite-content-title">Contact</h2>'))
    cells = "".join(
        '<td class="wsite-multicol-col" style="width:25%;padding:0 15px">'
        + wsite_image(f"/uploads/1/2/3/4/1234567/{code}_orig.jpg", f"/{code}.html")
        + f'<div class="paragraph" style="text-align:center"><a href="/{code}.html">{name}</a>'
        "</div></td>"
        for code, name in PUMPS.items()
    )
    site.add(
        "/products.html",
        weebly(
            "Products",
            '<h2 class="wsite-content-title">Our Pumps</h2><div><div class="wsite-multicol">'
            '<div class="wsite-multicol-table-wrap" style="margin:0 -15px"><table'
            f' class="wsite-multicol-table"><tbody class="wsite-multicol-tbody"><tr'
            f' class="wsite-multicol-tr">{cells}</tr></tbody></table></div></div></div>',
        ),
    )
    for code, name in PUMPS.items():
        site.add(
            f"/{code}.html",
            weebly(
                name,
                f'<h2 class="wsite-content-title">{name}</h2><div><div class="wsite-multicol">'
                '<div class="wsite-multicol-table-wrap" style="margin:0 -15px"><table'
                ' class="wsite-multicol-table"><tbody class="wsite-multicol-tbody"><tr'
                ' class="wsite-multicol-tr"><td class="wsite-multicol-col"'
                ' style="width:50%;padding:0 15px">'
                + wsite_image(f"/uploads/1/2/3/4/1234567/{code}_orig.jpg", width=600)
                + '</td><td class="wsite-multicol-col" style="width:50%;padding:0 15px">'
                '<div class="paragraph"><strong>Flow:</strong> 40 m3/h<br><strong>Head:'
                "</strong> 32 m<br>Cast iron body, stainless trim, tested to 16 bar.</div>"
                '<div style="text-align:left;"><a class="wsite-button wsite-button-small'
                ' wsite-button-normal" href="/contact.html"><span class="wsite-button-inner">'
                "Request a Quote</span></a></div></td></tr></tbody></table></div></div></div>",
            ),
        )
    return "/"


def test_weebly_pages_of_multicolumn_blocks_under_a_content_title(tmp_path: Path) -> None:
    """Weebly writes every picture's alt as "Picture" and puts the name in a
    `wsite-content-title` h2; the products page shows each pump in a column of its own."""
    found = crawl_found(tmp_path, build_weebly)
    assert set(found) == {f"/{code}.html" for code in PUMPS}, sorted(found)
    for code, name in PUMPS.items():
        assert found[f"/{code}.html"] == (name, f"/uploads/1/2/3/4/1234567/{code}_orig.jpg")


def publisher(title: str, body: str) -> str:
    """A page saved by Microsoft Publisher: every text box and picture absolutely placed,
    VML fallbacks in conditional comments, no headings."""
    return (
        '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:'
        'office:office"><head><meta http-equiv=Content-Type content="text/html;'
        ' charset=windows-1252"><meta name=Generator content="Microsoft Publisher 15">'
        f"<title>{title}</title><style>v\\:* {{behavior:url(#default#VML);}}</style></head>"
        '<body link="#0000FF" vlink="#800080" style="margin:0"><div style="position:absolute;'
        'top:0;left:0;width:800px;height:1000px">'
        '<div style="position:absolute;top:10px;left:10px;width:200px;height:60px">'
        '<img width=200 height=60 src="index_files/image001.gif" v:shapes="_x0000_s1025"'
        ' alt="Millbrook Engineering"></div>'
        '<div style="position:absolute;top:80px;left:10px;width:150px"><p class=MsoNormal>'
        '<a href="index.htm"><span lang=en-GB>Home</span></a></p><p class=MsoNormal><a'
        ' href="page2.htm"><span lang=en-GB>Products</span></a></p><p class=MsoNormal><a'
        ' href="page9.htm"><span lang=en-GB>Contact</span></a></p></div>'
        f"{body}</div></body></html>"
    )


def build_publisher(site: LocalSite) -> str:
    site.add(
        "/index.htm",
        publisher(
            "Millbrook Engineering",
            '<div style="position:absolute;top:80px;left:200px;width:500px"><p'
            ' class=MsoNormal><span style="font-size:24.0pt">Welcome</span></p></div>',
        ),
    )
    site.add("/page9.htm", publisher("Contact", "<p class=MsoNormal>Tel 01234 567890</p>"))
    pages = {code: f"page{n + 3}.htm" for n, code in enumerate(PUMPS)}
    cells = "".join(
        f'<div style="position:absolute;top:{80 + n * 160}px;left:200px;width:400px">'
        f'<a href="{pages[code]}"><img width=150 height=113 src="page2_files/image00{n + 2}.jpg"'
        f' v:shapes="_x0000_s10{n}"></a><p class=MsoNormal><a href="{pages[code]}"><span'
        f" lang=en-GB>{name}</span></a></p></div>"
        for n, (code, name) in enumerate(PUMPS.items())
    )
    site.add("/page2.htm", publisher("Products", cells))
    for n, (code, name) in enumerate(PUMPS.items()):
        site.add(
            f"/{pages[code]}",
            publisher(
                name,
                '<div style="position:absolute;top:80px;left:200px;width:500px"><p'
                f' class=MsoNormal><b><span style="font-size:18.0pt">{name}</span></b></p>'
                "<p class=MsoNormal><span>Cast iron body, stainless trim, tested to 16 bar."
                "</span></p></div>"
                '<div style="position:absolute;top:200px;left:200px;width:400px;height:300px">'
                f'<img width=400 height=300 src="{pages[code][:-4]}_files/image001.jpg"'
                f' v:shapes="_x0000_s20{n}"></div>',
            ),
        )
    return "/index.htm"


def test_publisher_pages_of_placed_text_boxes_and_numbered_image_files(tmp_path: Path) -> None:
    """Publisher names pages page2.htm, page3.htm and every picture imageNNN in the page's
    `_files` folder: the photos of all products share one file name."""
    found = crawl_found(tmp_path, build_publisher)
    pages = {code: f"page{n + 3}.htm" for n, code in enumerate(PUMPS)}
    assert_found(
        found,
        {
            f"/{pages[code]}": (name, {f"/{pages[code][:-4]}_files/image001.jpg"})
            for code, name in PUMPS.items()
        },
    )


JA = {
    "1001": "渦巻ポンプ CP-40",
    "1002": "水中ポンプ SP-12",
    "1003": "ギアポンプ GP-7",
    "1004": "ダイヤフラムポンプ DP-3",
}


def makeshop(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="ja"><head><meta charset="EUC-JP">'
        f'<title>{title}</title></head><body><div id="wrapper"><div id="header"><h1 id="logo">'
        '<a href="/"><img src="/shopimages/ykpump/logo.gif" alt="山田ポンプ製作所"></a></h1>'
        '<ul id="gnavi"><li><a href="/shop/shopbrand.html?xcode=001&amp;type=Y">ポンプ</a></li>'
        '<li><a href="/shop/basket.html">買い物かご</a></li><li><a href="/html/info.html">会社概要'
        "</a>"
        "</li>"
        "</ul></div>"
        f'<div id="contents">{body}</div><div id="footer"><p>Copyright (C) 山田ポンプ製作所 All'
        " Rights"
        " Reserved.</p>"
        "</div></div></body></html>"
    )


def build_makeshop(site: LocalSite) -> str:
    site.add("/", makeshop("山田ポンプ製作所", "<h2>新着商品</h2><p>ポンプの専門店です。</p>"))
    site.add("/html/info.html", makeshop("会社概要", "<h2>会社概要</h2><p>大阪市</p>"))
    cards = "".join(
        f'<li><a href="/shop/shopdetail.html?brandcode=00000000{n}&amp;search=&amp;sort="><img'
        f' src="/shopimages/ykpump/000000000{n[-1]}_1s.jpg" alt="{name}" width="160" height="160">'
        "</a>"
        '<p class="name"><a'
        f' href="/shop/shopdetail.html?brandcode=00000000{n}&amp;search=&amp;sort=">{name}</a></p>'
        '<p class="price">19,800円(税込)</p></li>'
        for n, name in JA.items()
    )
    site.add(
        "/shop/shopbrand.html?xcode=001&type=Y",
        makeshop("ポンプ", f'<h2 class="category">ポンプ</h2><ul class="itemlist">{cards}</ul>'),
    )
    for n, name in JA.items():
        site.add(
            f"/shop/shopdetail.html?brandcode=00000000{n}&search=&sort=",
            makeshop(
                f"{name} - 山田ポンプ製作所",
                '<div id="itemDetail"><div class="itemPhoto"><img'
                f' src="/shopimages/ykpump/000000000{n[-1]}_1.jpg" alt="{name}" width="400"'
                ' height="400"></div>'
                f'<div class="itemInfo"><h2 class="itemName">{name}</h2><table class="spec"><tr>'
                "<th>販売価格</th>"
                "<td>19,800円(税込)</td></tr><tr><th>型番</th><td>CP-40</td></tr></table><form"
                ' name="form1"'
                ' action="/shop/basket.html" method="post"><input type="image"'
                ' src="/img/btn_cart.gif"'
                ' alt="カートに入れる"></form><p>鋳鉄製ボディ、ステンレストリム、16barで試験済み。'
                "</p>"
                "</div>"
                "</div>",
            ),
        )
    return "/"


def vc(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8">'
        f'<title>{title} &#8211; Apex Pumps</title><meta name="generator" content="Powered by'
        ' WPBakery Page Builder"></head>'
        '<body class="page-template-default page wpb-js-composer js-comp-ver-6.7.0 vc_responsive">'
        '<header id="masthead" class="site-header"><div class="site-branding"><a href="/"'
        ' class="custom-logo-link">'
        '<img src="/wp-content/uploads/2020/05/apex-logo.png" class="custom-logo" alt="Apex'
        ' Pumps"></a></div>'
        '<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu"><li'
        ' class="menu-item"><a href="/">Home</a></li>'
        '<li class="menu-item"><a href="/pumps/">Pumps</a></li><li class="menu-item"><a'
        ' href="/contact/">Contact</a></li></ul></nav></header>'
        '<div id="content" class="site-content"><main id="main" class="site-main"><article'
        f' class="page type-page status-publish hentry"><div class="entry-content">{body}</div>'
        "</article></main></div>"
        '<footer id="colophon" class="site-footer"><div class="site-info">&copy; 2022 Apex Pumps'
        "</div></footer></body></html>"
    )


def vrow(inner: str) -> str:
    return (
        '<div class="vc_row wpb_row vc_row-fluid"><div class="wpb_column vc_column_container'
        ' vc_col-sm-12"><div class="vc_column-inner"><div class="wpb_wrapper">'
        f"{inner}</div></div></div></div>"
    )


def build_wpbakery(site: LocalSite) -> str:
    site.add(
        "/",
        vc(
            "Home",
            vrow(
                '<div class="wpb_text_column wpb_content_element"><div class="wpb_wrapper">'
                "<h2>Pumps that last</h2></div></div>"
            ),
        ),
    )
    site.add("/contact/", vc("Contact", vrow("<h2>Contact</h2>")))
    cards = "".join(
        '<div class="wpb_column vc_column_container vc_col-sm-3"><div class="vc_column-inner">'
        '<div class="wpb_wrapper">'
        '<div class="wpb_single_image wpb_content_element vc_align_center"><figure'
        ' class="wpb_wrapper vc_figure">'
        f'<a href="/pumps/{c}/" target="_self" class="vc_single_image-wrapper vc_box_border_grey">'
        '<img width="300" height="300"'
        f' src="/wp-content/uploads/2020/06/{c}-300x300.jpg" class="vc_single_image-img'
        ' attachment-medium" alt=""></a></figure></div>'
        '<div class="wpb_text_column wpb_content_element"><div class="wpb_wrapper"><h4'
        f' style="text-align:center"><a href="/pumps/{c}/">{n}</a></h4></div></div>'
        "</div></div></div>"
        for c, n in PUMPS.items()
    )
    site.add(
        "/pumps/",
        vc(
            "Pumps",
            vrow('<div class="wpb_text_column"><div class="wpb_wrapper"><h1>Pumps</h1></div></div>')
            + f'<div class="vc_row wpb_row vc_row-fluid">{cards}</div>',
        ),
    )
    for c, n in PUMPS.items():
        site.add(
            f"/pumps/{c}/",
            vc(
                n,
                '<div class="vc_row wpb_row vc_row-fluid"><div class="wpb_column'
                ' vc_column_container vc_col-sm-6"><div class="vc_column-inner"><div'
                ' class="wpb_wrapper">'
                '<div class="wpb_single_image wpb_content_element vc_align_left"><figure'
                ' class="wpb_wrapper vc_figure">'
                f'<a href="/wp-content/uploads/2020/06/{c}.jpg" target="_self"'
                ' class="vc_single_image-wrapper prettyphoto"><img width="768" height="576"'
                f' src="/wp-content/uploads/2020/06/{c}-768x576.jpg" class="vc_single_image-img'
                ' attachment-medium_large" alt=""></a></figure></div></div></div></div>'
                '<div class="wpb_column vc_column_container vc_col-sm-6"><div'
                ' class="vc_column-inner"><div class="wpb_wrapper">'
                '<div class="wpb_text_column wpb_content_element"><div class="wpb_wrapper">'
                f"<h2>{n}</h2><p>Cast iron body, stainless trim, tested to 16 bar.</p></div></div>"
                '<div class="vc_btn3-container vc_btn3-left"><a class="vc_general vc_btn3'
                ' vc_btn3-size-md" href="/contact/" title="">Ask for a price</a></div>'
                "</div></div></div></div>",
            ),
        )
    return "/"


def test_makeshop_japanese_shop_of_brandcode_query_pages(tmp_path: Path) -> None:
    found = crawl_found(tmp_path, build_makeshop)
    assert_found(
        found,
        {
            f"/shop/shopdetail.html?brandcode=00000000{n}&search=&sort=": (
                name,
                {f"/shopimages/ykpump/000000000{n[-1]}_1.jpg"},
            )
            for n, name in JA.items()
        },
    )


def test_wpbakery_products_as_plain_pages_of_vc_rows(tmp_path: Path) -> None:
    """A single-image element links the full file to a lightbox; the name an h2 of a text
    column; the category page shows each product as an image element over an h4."""
    found = crawl_found(tmp_path, build_wpbakery)
    assert_found(
        found,
        {
            f"/pumps/{code}/": (
                name,
                {
                    f"/wp-content/uploads/2020/06/{code}.jpg",
                    f"/wp-content/uploads/2020/06/{code}-768x576.jpg",
                },
            )
            for code, name in PUMPS.items()
        },
    )
