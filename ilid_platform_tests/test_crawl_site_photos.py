"""Real crawls of small catalogs, each built on a kind of page whose photo round seven's
held-out sites lost or mistook (issue 26): a site builder's photo column named like a sidebar,
a photo that links to another picture (a brochure scan), a template whose photo link drifts
from the class its other pages give it."""

from __future__ import annotations

from pathlib import Path

from ilid_platform_tests.local_site import PUMPS, VALVES, LocalSite, crawl_found

PRODUCTS = PUMPS | VALVES


def builder_page(title: str, body: str) -> str:
    """A site builder's page: the header and menu are written by a script (no plain links),
    the page's own blocks follow."""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        '<script src="/js/jquery.js"></script></head><body>'
        '<div class="yibuFrameContent"><script src="/js/header.js"></script></div>'
        f'<div class="main-wrap"><div class="content">{body}</div></div>'
        '<div class="footer"><p>Copyright Aquaflow Ltd. <img src="/img/logo.png"></p></div>'
        "</body></html>"
    )


def build_builder(site: LocalSite) -> str:
    cards = "".join(
        f'<li><a href="/{code}.html"><img class="lazy" data-original="/images/{code}.jpeg"></a>'
        f'<p><a href="/{code}.html">{name}</a></p></li>'
        for code, name in PRODUCTS.items()
    )
    site.add("/index.html", builder_page("Aquaflow", f'<ul class="cards">{cards}</ul>'))
    for code, name in PRODUCTS.items():
        site.add(
            f"/{code}.html",
            builder_page(
                f"{name}-Aquaflow",
                '<div class="p_main"><div class="p_sidebar"><div class="gallery">'
                f'<a class="jqueryzoom"><img id="_middleImage" alt="{name}"'
                f' src="./images/{code}.jpeg" longdesc="./images/{code}.jpeg"></a>'
                f'<ul class="carousel"><li><a><img src="./images/{code}.jpeg" alt="{name}"></a>'
                "</li></ul></div></div>"
                f'<div class="p_container"><div class="p_name"><h1>{name}</h1></div>'
                '<div class="tabs"><span>Details</span><span>Specifications</span></div>'
                "</div></div>",
            ),
        )
    return "/index.html"


def test_photo_column_named_like_a_sidebar_beside_a_name_without_text(tmp_path: Path) -> None:
    """The product's photo sits in `p_sidebar` (the left column of its preview, a zoom link
    without href around it), its name in the next column, and the page has no other text: the
    column is no sidebar (menus, widgets, linked banners), and the photo is the product's."""
    found = crawl_found(tmp_path, build_builder)
    assert found == {
        f"/{code}.html": (name, f"/images/{code}.jpeg") for code, name in PRODUCTS.items()
    }


def frontpage(title: str, body: str) -> str:
    return (
        f"<html><head><title>{title}</title></head><body>"
        '<img src="images/logo.jpg" width="743" height="160" alt="Idrotec">'
        '<p><a href="index.htm"><img src="_derived/home.gif" width="154" height="37" alt="Home">'
        f'</a></p><table border="0" width="100%"><tr>{body}</tr></table>'
        "<h5>Send email to info@idrotec.example. Copyright 2008 Idrotec.</h5></body></html>"
    )


def build_brochures(site: LocalSite) -> str:
    rows = "".join(f'<p><a href="{code}.htm">{name}</a></p>' for code, name in PRODUCTS.items())
    site.add("/index.htm", frontpage("Idrotec", f"<td>{rows}</td>"))
    for code, name in PRODUCTS.items():
        model = code.upper()
        if code in PUMPS:  # the photo links to a scanned brochure page of the model
            photo = (
                f'<a target="_blank" href="images/catalogs/{model}.jpg">'
                f'<img border="0" src="images/{code}.jpg" width="350" height="262"></a>'
            )
        else:  # a resized copy links to its original
            photo = (
                f'<a href="images/{code}.jpg"><img src="images/{code}-300x300.jpg" width="300"'
                ' height="300"></a>'
            )
        site.add(
            f"/{code}.htm",
            frontpage(
                name.split()[0],
                f'<td><b><i><font size="4">{name}</font></i></b><br>{photo}</td>'
                f"<td><ul><li>Flow {len(code) * 10} m3/h</li><li>Cast iron body</li></ul></td>",
            ),
        )
        site.add(f"/images/{code}.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    return "/index.htm"


def test_photo_that_links_to_another_picture_is_the_photo(tmp_path: Path) -> None:
    """A photo declared 300 px wide or more that links to an image file of another name (a
    brochure scan of the model, in another folder) is the product's photo itself; one that
    links to its own original (`x-300x300.jpg` to `x.jpg`) stands for that larger file."""
    found = crawl_found(tmp_path, build_brochures)
    assert found == {
        f"/{code}.htm": (name, f"/images/{code}.jpg") for code, name in PRODUCTS.items()
    }


def gallery_page(title: str, body: str) -> str:
    return (
        f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>'
        '<nav><div class="logo"><a href="index.html"><img src="logo.png"></a></div><ul>'
        '<li><a href="index.html">Home</a></li><li><a href="pumps.html">Pumps</a></li></ul></nav>'
        f'<div class="container-fluid">{body}</div>'
        "<footer><h4>Contact</h4><p>Aquaflow, 4 Mill Road, Leeds.</p></footer></body></html>"
    )


def build_drifting_gallery(site: LocalSite) -> str:
    site.add(
        "/index.html",
        gallery_page("Aquaflow", '<p>Pumps since 1971: <a href="pumps.html">see them</a>.</p>'),
    )
    cards = "".join(
        f'<div class="card"><a href="{code}.html"><img src="{code}/main.jpg"><h3>{name}</h3></a>'
        "</div>"
        for code, name in PUMPS.items()
    )
    site.add("/pumps.html", gallery_page("Pumps", f"<h1>Pumps</h1>{cards}"))
    for n, (code, name) in enumerate(PUMPS.items()):
        # The first page's main photo link lost the class the others give it.
        main_class = "" if n == 0 else ' class="fancybox"'
        shots = "".join(
            f'<div class="item2"><a href="{code}/shot{i}.jpg" class="fancybox"'
            f' data-fancybox="g"><img src="{code}/shot{i}.jpg"></a></div>'
            for i in (1, 2, 3)
        )
        site.add(
            f"/{code}.html",
            gallery_page(
                name,
                f'<section class="content"><h1 class="onoma">{name}</h1>'
                f'<div class="row1"><div class="item1"><a href="{code}/main.jpg"{main_class}'
                f' data-fancybox="g"><img src="{code}/main.jpg"></a></div></div>'
                f'<div class="row2">{shots}</div></section>'
                f'<p class="chara">The {name} moves {len(code) * 10} m3 of water an hour.</p>',
            ),
        )
    return "/index.html"


def test_photo_the_cards_show_where_the_template_markup_drifts(tmp_path: Path) -> None:
    """The listing's cards show each page's main photo, which most pages put in a link of class
    `fancybox` (the template's photo place, with the gallery's further shots after it); one
    page's main photo link has no class: its photo is still the one its card shows."""
    found = crawl_found(tmp_path, build_drifting_gallery)
    assert found == {f"/{code}.html": (name, f"/{code}/main.jpg") for code, name in PUMPS.items()}
