"""Real crawls of old hand-written catalogs (FrontPage tables, framesets, site builders)
without headings or markup, each built on a kind of page that unseen sites lose products on
(issue 26)."""

from __future__ import annotations

from pathlib import Path

from ilid_platform_tests.local_site import PUMPS, VALVES, LocalSite, crawl_found


def frontpage(title: str, body: str) -> str:
    """A FrontPage page: table layout, <font> text, image buttons, no headings."""
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        f'<meta name="GENERATOR" content="Microsoft FrontPage 5.0"><title>{title}</title></head>'
        '<body bgcolor="#FFFFFF"><table border="0" width="100%"><tr><td>'
        '<div style="border: 1px solid"><font face="Arial" size="5">Idrotec snc</font></div>'
        '<a href="index.htm"><img border="0" src="images/btn-home.gif" width="90" height="25"'
        ' alt="Home"></a> <a href="catalogo.htm"><img border="0" src="images/btn-cat.gif"'
        ' width="90" height="25" alt="Catalogo"></a></td></tr>'
        f"<tr><td>{body}</td></tr></table></body></html>"
    )


def build_frontpage(site: LocalSite) -> str:
    site.add(
        "/index.htm",
        frontpage(
            "Idrotec",
            '<p><font face="Arial">Idrotec snc - Via Roma 4 - Como</font></p>'
            '<p><a href="catalogo.htm"><font face="Arial">Italiano</font></a></p>',
        ),
    )
    groups = {"pompe": ("Pompe / Pumps", PUMPS), "valvole": ("Valvole / Valves", VALVES)}
    section = "".join(
        f'<td><a href="{slug}.htm"><img border="0" src="images/cat-{slug}.jpg" width="200"'
        f' height="150"></a><br><font face="Arial" size="2">{label}</font></td>'
        for slug, (label, _) in groups.items()
    )
    site.add(
        "/catalogo.htm",
        frontpage(
            "Catalogo",
            '<p><font face="Arial">Since 1972 Idrotec builds pumps and valves for water'
            " treatment plants, farms and industry, all made and tested in Como.</font></p>"
            f'<table border="0"><tr>{section}</tr></table>',
        ),
    )
    for slug, (label, items) in groups.items():
        thumbs = "".join(
            f'<td><a href="{code}.htm"><img border="0" src="images/{code}.jpg" width="160"'
            f' height="120"></a><br><font face="Arial" size="1">{name}</font></td>'
            for code, name in items.items()
        )
        site.add(
            f"/{slug}.htm",
            frontpage(label.split()[0], f"<table><tr>{thumbs}</tr></table>"),
        )
        for code, name in items.items():
            site.add(
                f"/{code}.htm",
                frontpage(
                    code.upper(),
                    f'<p><img border="0" src="images/{code}.jpg" align="left" width="320"'
                    f' height="240"><b><u><font face="Arial" size="4">{name}</font></u></b></p>'
                    f'<p><font face="Arial">Portata : {len(code) * 10} m3/h.</font></p>'
                    '<p><font face="Arial">Potenza : 2,2 kW.</font></p>'
                    f'<p><a href="{slug}.htm"><img border="0" src="images/btn-back.gif"'
                    ' width="90" height="25" alt="Indietro"></a></p>',
                ),
            )
    return "/index.htm"


def test_frontpage_tables_with_a_section_page_above_the_category_listings(tmp_path: Path) -> None:
    """No heading anywhere: the name is a bold <font> run beside the photo, the <title> only
    the code; the catalog page above the two listings shows a picture for each and a text of
    its own, and is no product."""
    found = crawl_found(tmp_path, build_frontpage)
    assert found == {
        f"/{code}.htm": (name, f"/images/{code}.jpg") for code, name in (PUMPS | VALVES).items()
    }


def build_frames(site: LocalSite) -> str:
    """An old site: the start page only refreshes to the English frameset, whose frames are
    a logo bar, a menu of the two categories and a welcome page."""
    groups = {"pumps": ("Pumps", PUMPS), "valves": ("Valves", VALVES)}
    site.add(
        "/",
        '<html><head><meta http-equiv="refresh" content="0; URL=en/index.htm">'
        "<title>Idrotec</title></head><body></body></html>",
    )
    site.add(
        "/en/index.htm",
        "<html><head><title>Idrotec - pumps and valves</title></head>"
        '<frameset rows="90,*"><frame name="top" src="top.htm" scrolling="no">'
        '<frameset cols="180,*"><frame name="menu" src="menu.htm">'
        '<frame name="main" src="welcome.htm"></frameset>'
        "<noframes><body>Your browser does not show frames.</body></noframes></frameset></html>",
    )
    site.add("/en/top.htm", '<html><body><img src="../img/logo.gif"></body></html>')
    site.add(
        "/en/menu.htm",
        "<html><body>"
        + "".join(
            f'<p><a href="{slug}.htm" target="main">{label}</a></p>'
            for slug, (label, _) in groups.items()
        )
        + "</body></html>",
    )
    site.add(
        "/en/welcome.htm",
        '<html><body><p><font size="4"><b>Welcome</b></font></p>'
        "<p>Idrotec builds pumps and valves in Como since 1972.</p></body></html>",
    )
    for slug, (label, items) in groups.items():
        site.add(
            f"/en/{slug}.htm",
            f"<html><head><title>{label}</title></head><body><table><tr>"
            + "".join(
                f'<td><a href="{code}.htm"><img src="../img/s_{code}.jpg" width="120"'
                f' height="90" border="0"></a></td>'
                for code in items
            )
            + "</tr></table></body></html>",
        )
        for code, name in items.items():
            site.add(
                f"/en/{code}.htm",
                f"<html><head><title>{name}</title></head><body>"
                f'<p align="center"><b><font size="4">{name}</font></b></p>'
                f'<p align="center"><img src="../img/{code}.jpg" width="400" height="300"></p>'
                "<p>Flow: 40 m3/h<br>Power: 2.2 kW<br>Weight: 31 kg</p>"
                f'<p><a href="{slug}.htm">Back</a></p></body></html>',
            )
    return "/"


def test_a_start_page_that_refreshes_to_a_frameset(tmp_path: Path) -> None:
    """The catalog is reached only through a meta refresh and the frames of a frameset."""
    found = crawl_found(tmp_path, build_frames)
    assert found == {
        f"/en/{code}.htm": (name, f"/img/{code}.jpg") for code, name in (PUMPS | VALVES).items()
    }


def build_scripted(site: LocalSite) -> str:
    """Tables whose cells show the photo as their background; listings reached by an image
    map, thumbnails that open the product page with a script (`window.open`, `location`)."""
    items = PUMPS | VALVES
    site.add(
        "/index.htm",
        '<html><head><title>Idrotec</title></head><body><img src="img/map.gif" usemap="#m">'
        '<map name="m"><area shape="rect" coords="0,0,90,25" href="pumps.htm">'
        '<area shape="rect" coords="90,0,180,25" href="valves.htm"></map>'
        "<p>Pumps and valves since 1972.</p></body></html>",
    )
    for slug, group in (("pumps", PUMPS), ("valves", VALVES)):
        cells = "".join(
            f'<td><a href="javascript:void(0)" onclick="window.open(\'{code}.htm\','
            f'\'det\',\'width=600\');"><img src="img/s_{code}.jpg" border="0"></a><br>'
            f"<span onclick=\"location.href='{code}.htm'\">{name}</span></td>"
            for code, name in group.items()
        )
        site.add(
            f"/{slug}.htm",
            f"<html><head><title>{slug.title()}</title></head><body><table><tr>{cells}</tr>"
            '</table><p><a href="index.htm">Home</a></p></body></html>',
        )
    for code, name in items.items():
        site.add(
            f"/{code}.htm",
            f'<html><head><title>{name}</title></head><body><table width="600"><tr>'
            f'<td background="img/{code}.jpg" width="400" height="300">&nbsp;</td>'
            f'<td valign="top"><font face="Verdana" size="4"><b>{name}</b></font>'
            "<p>Flow: 40 m3/h<br>Power: 2.2 kW</p></td></tr></table>"
            '<p><a href="javascript:window.close()">Close</a></p></body></html>',
        )
    return "/index.htm"


def test_table_cell_backgrounds_image_maps_and_scripted_links(tmp_path: Path) -> None:
    found = crawl_found(tmp_path, build_scripted)
    assert found == {
        f"/{code}.htm": (name, f"/img/{code}.jpg") for code, name in (PUMPS | VALVES).items()
    }


def build_banners(site: LocalSite) -> str:
    """Each product line's pages open with the line's own banner picture above the name; the
    photo links its enlargement, which is the main photo; one listing of text links."""
    lines = {"pumps": PUMPS, "valves": VALVES}
    site.add(
        "/index.html",
        "<html><head><title>Idrotec</title></head><body><h1>Idrotec</h1><ul>"
        + "".join(
            f'<li><a href="{line}/{code}.html">{name}</a></li>'
            for line, items in lines.items()
            for code, name in items.items()
        )
        + "</ul></body></html>",
    )
    for line, items in lines.items():
        for code, name in items.items():
            site.add(
                f"/{line}/{code}.html",
                f"<html><head><title>{name} - Idrotec</title></head><body>"
                f'<div id="top"><img src="../img/banner-{line}.jpg" width="900" height="200">'
                f'</div><div id="body"><h2>{name}</h2><a href="../img/big/{code}.jpg"'
                f' class="lightbox"><img src="../img/{code}.jpg" width="300" height="225"></a>'
                "<p>Cast iron, stainless trim.</p></div>"
                '<p><a href="../index.html">All products</a></p></body></html>',
            )
    return "/index.html"


def test_a_product_line_banner_above_the_name_and_a_photo_that_links_its_enlargement(
    tmp_path: Path,
) -> None:
    found = crawl_found(tmp_path, build_banners)
    assert found == {
        f"/{line}/{code}.html": (name, f"/img/big/{code}.jpg")
        for line, items in (("pumps", PUMPS), ("valves", VALVES))
        for code, name in items.items()
    }


def build_labelled(site: LocalSite) -> str:
    """A site builder's pages under one <title>: the product page is a labelled name above a
    picture, the listings show the same picture files without text."""
    items = PUMPS | VALVES

    def shell(body: str) -> str:
        return (
            "<html><head><title>Wenzhou Aquaflow Co., Ltd.</title></head><body>"
            '<div class="header"><img src="/images/logo.jpg"><ul class="nav">'
            '<li><a href="/">Home</a></li><li><a href="/products.html">Products</a></li>'
            '<li><a href="/about.html">About</a></li></ul></div>'
            f'<div class="main">{body}</div><div class="footer">Copyright 2015</div>'
            "</body></html>"
        )

    site.add("/", shell('<div class="banner"><img src="/images/banner.jpg"></div>'))
    site.add("/about.html", shell('<div class="about">Founded in 1998.</div>'))
    site.add(
        "/products.html",
        shell(
            '<ul class="list">'
            + "".join(
                f'<li><a href="/show_{n}.html"><img src="/uploads/{code}.jpg"></a></li>'
                for n, code in enumerate(items)
            )
            + "</ul>"
        ),
    )
    for n, (code, name) in enumerate(items.items()):
        label = "Product name: " if code in PUMPS else "产品名称："
        site.add(
            f"/show_{n}.html",
            shell(f'<p>{label}{name}</p><div class="pic"><img src="/uploads/{code}.jpg"></div>'),
        )
    return "/"


def test_site_builder_pages_of_a_labelled_name_above_the_listing_picture(tmp_path: Path) -> None:
    found = crawl_found(tmp_path, build_labelled)
    assert found == {
        f"/show_{n}.html": (name, f"/uploads/{code}.jpg")
        for n, (code, name) in enumerate((PUMPS | VALVES).items())
    }
