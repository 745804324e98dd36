"""Real crawls of small catalogs that show each product more than once or name it only in a
picture (issue 26): a site in two languages (each copy its own record), print and AMP copies of
each product page (duplicates: one record), product pages whose name is only the alt text of a
title banner."""

from __future__ import annotations

from pathlib import Path

from ilid_platform_tests.local_site import PUMPS, LocalSite, assert_found, crawl_found

DE_PUMPS = {
    "cp-40": "Kreiselpumpe CP-40",
    "sp-12": "Tauchpumpe SP-12",
    "gp-7": "Zahnradpumpe GP-7",
    "dp-3": "Membranpumpe DP-3",
}
WORDS = {
    "en": (
        "Home",
        "Products",
        "Contact",
        "Cast iron body, stainless trim, tested to 16 bar.",
        "Request a quote",
        "Related products",
    ),
    "de": (
        "Startseite",
        "Produkte",
        "Kontakt",
        "Gehäuse aus Grauguss, Edelstahl, auf 16 bar geprüft.",
        "Angebot anfordern",
        "Ähnliche Produkte",
    ),
}


def bilingual(lang: str, title: str, body: str, other: str) -> str:
    home, products, contact, *_ = WORDS[lang]
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} - Hansa'
        f' Pumpen</title><link rel="alternate" hreflang="{"de" if lang == "en" else "en"}"'
        f' href="{other}"></head><body><header class="site-header"><a href="/{lang}/index.html"'
        ' class="logo"><img src="/img/logo.png" alt="Hansa Pumpen"></a><ul class="lang">'
        f'<li><a href="{other if lang == "de" else "#"}">EN</a></li><li><a'
        f' href="{other if lang == "en" else "#"}">DE</a></li></ul><nav class="main-nav"><ul>'
        f'<li><a href="/{lang}/index.html">{home}</a></li><li><a href="/{lang}/products.html">'
        f'{products}</a></li><li><a href="/{lang}/contact.html">{contact}</a></li></ul></nav>'
        f'</header><main class="content">{body}</main><footer class="site-footer"><p>Hansa'
        " Pumpen GmbH, Hafenstraße 3, 20457 Hamburg</p></footer></body></html>"
    )


def build_bilingual(site: LocalSite) -> str:
    names = {"en": PUMPS, "de": DE_PUMPS}
    for lang, items in names.items():
        other = "de" if lang == "en" else "en"
        home, products, contact, text, quote, related = WORDS[lang]
        site.add(
            f"/{lang}/index.html",
            bilingual(lang, home, f"<h1>Hansa Pumpen</h1><p>{text}</p>", f"/{other}/index.html"),
        )
        site.add(
            f"/{lang}/contact.html",
            bilingual(lang, contact, f"<h1>{contact}</h1><p>Hamburg</p>", f"/{other}/contact.html"),
        )
        cards = "".join(
            f'<div class="product-teaser"><a href="/{lang}/{code}.html"><img'
            f' src="/img/thumbs/{code}.jpg" alt="{name}"></a><h3><a href="/{lang}/{code}.html">'
            f"{name}</a></h3></div>"
            for code, name in items.items()
        )
        site.add(
            f"/{lang}/products.html",
            bilingual(
                lang,
                products,
                f'<h1>{products}</h1><div class="teasers">{cards}</div>',
                f"/{other}/products.html",
            ),
        )
        for code, name in items.items():
            others = "".join(
                f'<li><a href="/{lang}/{o}.html">{on}</a></li>'
                for o, on in items.items()
                if o != code
            )
            site.add(
                f"/{lang}/{code}.html",
                bilingual(
                    lang,
                    name,
                    f'<div class="product"><h1>{name}</h1><img src="/img/{code}.jpg" alt="{name}"'
                    f' width="600" height="450"><p>{text}</p><table class="specs"><tr><th>Q</th>'
                    f"<td>40 m3/h</td></tr><tr><th>H</th><td>32 m</td></tr></table><a"
                    f' href="/{lang}/contact.html" class="button">{quote}</a></div>'
                    f'<aside class="related"><h2>{related}</h2><ul>{others}</ul></aside>',
                    f"/{other}/{code}.html",
                ),
            )
    return "/en/index.html"


def test_each_language_copy_of_a_product_is_its_own_record(tmp_path: Path) -> None:
    """/en/cp-40.html and /de/cp-40.html show one photo under two names: both are products."""
    found = crawl_found(tmp_path, build_bilingual)
    assert_found(
        found,
        {
            f"/{lang}/{code}.html": (name, {f"/img/{code}.jpg"})
            for lang, items in (("en", PUMPS), ("de", DE_PUMPS))
            for code, name in items.items()
        },
    )


def plain(title: str, body: str, head: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Rotor'
        f' Pumps</title>{head}</head><body><div id="top"><a href="/"><img src="/img/logo.gif"'
        ' alt="Rotor Pumps"></a><ul id="menu"><li><a href="/">Home</a></li><li><a'
        ' href="/pumps/">Pumps</a></li><li><a href="/contact/">Contact</a></li></ul></div>'
        f'<div id="content">{body}</div><div id="footer">Rotor Pumps Ltd, Leeds. Tel. 0113 496'
        " 0000</div></body></html>"
    )


def build_print_amp(site: LocalSite) -> str:
    site.add("/", plain("Home", "<h1>Rotor Pumps</h1><p>Pumps since 1965.</p>"))
    site.add("/contact/", plain("Contact", "<h1>Contact</h1><p>Leeds.</p>"))
    cards = "".join(
        f'<div class="item"><a href="/pumps/{code}/"><img src="/img/t/{code}.jpg" alt=""></a>'
        f'<h3><a href="/pumps/{code}/">{name}</a></h3></div>'
        for code, name in PUMPS.items()
    )
    site.add("/pumps/", plain("Pumps", f'<h1>Pumps</h1><div class="items">{cards}</div>'))
    for code, name in PUMPS.items():
        body = (
            f'<h1>{name}</h1><img src="/img/{code}.jpg" alt="{name}" width="500" height="375">'
            "<p>Cast iron body, stainless trim, tested to 16 bar.</p><table><tr><th>Flow</th>"
            "<td>40 m3/h</td></tr><tr><th>Head</th><td>32 m</td></tr></table>"
        )
        site.add(
            f"/pumps/{code}/",
            plain(
                name,
                body + f'<p class="tools"><a href="/pumps/{code}/?print=1" rel="nofollow">Print'
                f' this page</a> | <a href="/amp/pumps/{code}/">Mobile version</a></p>',
                f'<link rel="amphtml" href="/amp/pumps/{code}/">',
            ),
        )
        site.add(
            f"/pumps/{code}/?print=1",
            f'<html><head><title>{name} | Rotor Pumps</title></head><body onload="window.print()">'
            f'<img src="/img/logo.gif" alt="Rotor Pumps">{body}<p>www.rotorpumps.co.uk</p></body>'
            "</html>",
        )
        site.add(
            f"/amp/pumps/{code}/",
            f'<!doctype html><html amp lang="en"><head><meta charset="utf-8"><title>{name} |'
            f' Rotor Pumps</title><link rel="canonical" href="/pumps/{code}/">'
            "<style amp-boilerplate>body{visibility:hidden}</style></head><body>"
            '<header class="amp-header"><a href="/">Rotor Pumps</a></header>'
            f'<h1>{name}</h1><amp-img src="/img/{code}.jpg" width="500" height="375"'
            f' layout="responsive" alt="{name}"></amp-img><p>Cast iron body, stainless trim,'
            " tested to 16 bar.</p></body></html>",
        )
    return "/"


def test_print_and_amp_copies_of_a_product_page_are_one_record(tmp_path: Path) -> None:
    found = crawl_found(tmp_path, build_print_amp)
    names = sorted(name for name, _ in found.values())
    assert names == sorted(PUMPS.values()), found
    for code, name in PUMPS.items():
        assert found.get(f"/pumps/{code}/") == (name, f"/img/{code}.jpg"), found


def build_banner_names(site: LocalSite) -> str:
    site.add("/", plain("Rotor Pumps", "<h1>Welcome</h1><p>Pumps since 1965.</p>"))
    site.add("/contact/", plain("Rotor Pumps", "<h1>Contact</h1><p>Leeds.</p>"))
    cards = "".join(
        f'<td><a href="/pumps/{code}.html"><img src="/img/t/{code}.jpg" alt="{code}" width="150"'
        f' height="110"></a></td>'
        for code in PUMPS
    )
    site.add("/pumps/", plain("Rotor Pumps", f"<table><tr>{cards}</tr></table>"))
    for code, name in PUMPS.items():
        site.add(
            f"/pumps/{code}.html",
            plain(
                "Rotor Pumps",
                f'<p><img src="/img/titles/{code}-title.gif" alt="{name}" width="480" height="40">'
                f'</p><table><tr><td><img src="/img/{code}.jpg" width="400" height="300"></td>'
                "<td><p>Cast iron body, stainless trim, tested to 16 bar.</p><p>Flow 40 m3/h,"
                " head 32 m.</p></td></tr></table>",
            ),
        )
    return "/"


def test_name_only_in_the_alt_text_of_a_title_banner(tmp_path: Path) -> None:
    """Every page has one <title>; each product's name is drawn in a picture of text whose
    alt says it; the photo is the larger picture below."""
    found = crawl_found(tmp_path, build_banner_names)
    assert_found(
        found, {f"/pumps/{code}.html": (name, {f"/img/{code}.jpg"}) for code, name in PUMPS.items()}
    )
