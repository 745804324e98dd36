"""Where a site's product pages put their name and photo, read from the population of pages
(`decide_pages`): small hand-written sites, each built on one kind of page that round three's
held-out sites got wrong (a slogan h1 above an h5 name, service pages in the product template,
a photo in the text before the template's photo place, a product page of its own structure,
variant blocks that link their datasheets)."""

from __future__ import annotations

from ilid_platform.crawl.extract import decide_pages, read_page
from ilid_platform.crawl.extract.page_kinds import negative_kind

BASE = "https://plant.example"


def decide(pages: dict[str, str]) -> dict[str, dict | None]:
    readings = [read_page(html, BASE + path) for path, html in pages.items()]
    return {path: d.product for path, d in zip(pages, decide_pages(readings), strict=True)}


def names(decided: dict[str, dict | None]) -> dict[str, str]:
    return {path: record["name"] for path, record in decided.items() if record}


def page(body: str, title: str, menu: str = "") -> str:
    return (
        f"<html><head><title>{title}</title></head><body>"
        f'<header><img src="/logo.png" alt="Plant Ltd"><h4 class="title">+91 20 0000 0000</h4>'
        f"<nav><ul>{menu}</ul></nav></header>{body}"
        "<footer><h4>Address</h4><p>Plant Ltd, MIDC, Pune.</p></footer></body></html>"
    )


GROUPS = {
    "Storage Tanks Manufacturer and Supplier": ["Water Tank", "Oil Tank", "Acid Tank", "Silo"],
    "Process Equipment Manufacturer and Supplier": ["Heat Exchanger", "Reactor", "Column"],
    "Acoustic Equipment Manufacturer and Supplier": ["Acoustic Enclosure", "Noise Booth"],
}


def test_name_in_an_h5_that_the_titles_confirm_under_the_slogan_of_its_group() -> None:
    """The only live h1 of each product page is its group's slogan (one group has only two
    pages, so its slogan is no site-wide heading); the name is an h5 (closed with </h4>), the
    title "name + words of its own | company - tagline" says it too; below it, h5 section
    headings of the page's own ("Technical Specifications", "Key Facts")."""
    slugs = {name: name.lower().replace(" ", "-") for group in GROUPS.values() for name in group}
    menu = "".join(f'<li><a href="/{slug}.html">{name}</a></li>' for name, slug in slugs.items())
    pages = {"/index.html": page("<h1>Plant Ltd</h1><p>Fabricators since 1990.</p>", "Plant Ltd")}
    for slogan, group in GROUPS.items():
        for n, name in enumerate(group):
            slides = "".join(
                f'<div class="item"><img class="prod-img" src="/img/{slugs[name]}/{i}.jpg"></div>'
                for i in (1, 2, 3)
            )
            sections = ("Technical Specifications", f"Characteristics of {name}", "Key Facts")
            pages[f"/{slugs[name]}.html"] = page(
                f'<div class="banner"><!-- <h1>{name}</h1> --><h1>{slogan}</h1></div>'
                '<div class="content"><div class="col">'
                f'<h5 class="text-uppercase">{name}</h4></div>'
                f'<div class="owl-carousel">{slides}</div>'
                f"<h5>{sections[n % 3]}</h5><p>{name} built to order in steel.</p></div>",
                f"{name} Manufacturer in Pune | Plant Ltd - Engineering Products",
                menu,
            )
    decided = decide(pages)
    assert names(decided) == {f"/{slug}.html": name for name, slug in slugs.items()}
    assert decided["/reactor.html"]["image_urls"][0] == f"{BASE}/img/reactor/1.jpg"


def test_service_pages_in_the_product_template_under_a_pinyin_folder() -> None:
    """A Chinese CMS export: products at /chanpin/<category>/<id>.html and two services at
    /fuwu/<slug>/ in exactly the product template; the folder's pinyin says service."""
    assert negative_kind(None, f"{BASE}/fuwu/jiance/") == "about"
    assert negative_kind(None, f"{BASE}/guanyu/lianxi/") == "contact"
    assert negative_kind(None, f"{BASE}/chanpin/moqiu/8.html") == ""
    items = {f"/chanpin/jiance/{n}.html": f"检测仪 {n}型" for n in range(11, 16)}
    items |= {"/fuwu/jiance/": "空气检测", "/fuwu/qiche/": "汽车除甲醛"}
    menu = "".join(f'<li><a href="{path}">{name}</a></li>' for path, name in items.items())
    pages = {"/index.html": page("<h1>环保科技</h1><p>专业空气治理。</p>", "环保科技", menu)}
    for n, (path, name) in enumerate(items.items()):
        pages[path] = page(
            f'<div class="rtop"><h5>{name}</h5></div><h2 class="h2_prodtitle">{name}</h2>'
            f'<div class="probigshow"><img class="js_goods_image_url" src="/d/file/{n}.jpg"></div>'
            f"<p>价格：¥{100 + n}</p><p>{name}，品质保证。</p>",
            f"{name}-环保科技",
            menu,
        )
    decided = decide(pages)
    assert names(decided) == {path: name for path, name in items.items() if "/chanpin/" in path}


def test_kinds_of_page_named_in_urls_of_more_languages() -> None:
    """Contact, about, service and news pages named in Turkish, Spanish, German, French and
    Russian transliteration, as a page or as a folder; product slugs stay products."""
    kinds = {
        "/iletisim.html": "contact",
        "/hakkimizda/": "about",
        "/hizmetler/kaplama.html": "about",
        "/quienes-somos.html": "about",
        "/leistungen/montage/": "about",
        "/a-propos/": "about",
        "/novosti/2024/vystavka.html": "blog",
        "/urunler/h-40-agir-hizmet-kablo-kanallari.html": "",
        "/produkte/bentonit/edaton/": "",
    }
    assert {path: negative_kind(None, BASE + path) for path in kinds} == kinds


def _mineral(name: str, text: str, sheet: str) -> str:
    return page(
        f'<div id="titlesec"><h2>Bentonit</h2><h1>{name}</h1></div>'
        f'<div class="content">{text}</div>'
        '<div class="sections"><div class="sec closed"><div class="sech">Datenblatt</div>'
        f'<div class="secc"><p><img src="{sheet}"></p></div></div></div>',
        f"Minerals | {name}",
    )


def test_own_photo_in_the_text_before_the_place_of_the_templates_photo() -> None:
    """Each product page's picture is its data sheet in a collapsed section after the text; one
    page shows a product photo in its text, between its name and that section: the photo is
    that one."""
    minerals = ["Edasil", "Edaton", "Bentosil", "Fenamin", "Toxisorb"]
    pages = {"/index.html": page("<h1>Minerals</h1><p>Industrial minerals.</p>", "Minerals")}
    for name in minerals:
        photo = f'<p><img src="/up/{name}-photo.jpg"></p>' if name == "Edasil" else ""
        text = (
            f"<p>{name} ist ein natürliches Tonmineral.</p>{photo}<ul><li>fördert Böden</li></ul>"
        )
        pages[f"/produkte/{name.lower()}/"] = _mineral(name, text, f"/up/{name}-sheet.jpg")
    decided = decide(pages)
    assert names(decided) == {f"/produkte/{n.lower()}/": n for n in minerals}
    assert decided["/produkte/edasil/"]["image_urls"][0] == f"{BASE}/up/Edasil-photo.jpg"
    assert decided["/produkte/edaton/"]["image_urls"][0] == f"{BASE}/up/Edaton-sheet.jpg"


def test_a_product_page_of_its_own_structure_with_name_and_photo_in_the_templates_places() -> None:
    """One product page adds a long text of its own (many sections, lists, tables) that sets
    its structure apart from the other product pages, but its name and its photo sit where
    theirs do: it is a product too. A page of its own structure whose picture sits elsewhere
    is not."""
    minerals = ["Edaton", "Bentosil", "Fenamin", "Toxisorb", "Zeobest"]
    pages = {"/index.html": page("<h1>Minerals</h1><p>Industrial minerals.</p>", "Minerals")}
    for name in minerals:
        text = f"<p>{name} ist ein natürliches Tonmineral.</p>"
        pages[f"/produkte/{name.lower()}/"] = _mineral(name, text, f"/up/{name}-sheet.jpg")
    long_text = "".join(
        f'<div class="block-{i}"><h3>Abschnitt {i}</h3><ol><li>Punkt</li></ol>'
        f'<table class="t"><tr><td>a</td><td>b</td><td>c</td></tr></table>'
        f'<blockquote><em>Hinweis</em></blockquote><span class="note">{i}</span></div>'
        for i in range(8)
    )
    pages["/produkte/aquasil/"] = _mineral("Aquasil", long_text, "/up/Aquasil-1.jpg")
    pages["/bericht/"] = page(
        f'<div class="report"><h1>Erfahrungsbericht</h1>{long_text}'
        '<figure><img src="/up/teich.jpg"></figure></div>',
        "Minerals | Erfahrungsbericht",
    )
    readings = [read_page(html, BASE + path) for path, html in pages.items()]
    decisions = dict(zip(pages, decide_pages(readings), strict=True))
    record = decisions["/produkte/aquasil/"].product
    assert record is not None and record["name"] == "Aquasil"
    assert record["image_urls"][0] == f"{BASE}/up/Aquasil-1.jpg"
    assert "where the pages of a product template" in " ".join(
        decisions["/produkte/aquasil/"].evidence
    )
    assert decisions["/bericht/"].product is None
    assert len(names({p: d.product for p, d in decisions.items()})) == len(minerals) + 1


def test_a_product_line_whose_variant_blocks_link_their_datasheets() -> None:
    """Each hose page names the line in its h1 and shows five variant blocks, each a picture,
    an h2 and a link to its PDF datasheet: no listing of other pages, and the first block's
    picture is the line's photo."""
    lines = {"chemical": "CHEMICAL HOSE", "water": "WATER HOSE", "steam": "STEAM HOSE"}
    menu = "".join(
        f'<li><a href="/{slug}-hose.html">{name}</a></li>' for slug, name in lines.items()
    )
    pages = {"/index.html": page("<h1>Hose Traders</h1><p>Hoses since 1980.</p>", "Hoses", menu)}
    for slug, name in lines.items():
        blocks = "".join(
            f'<div class="grey-block"><img src="/images/{slug}-hose{i}.jpg" alt="">'
            f"<h2>{slug.title()} {i}0 EPDM</h2><p>Rated to {i}0 bar.</p>"
            f'<a href="catalogs/{slug}-{i}.pdf">View Catalog</a></div>'
            for i in range(1, 6)
        )
        pages[f"/{slug}-hose.html"] = page(
            f'<div class="inner-banner"><h1>{name}</h1></div><div class="container">{blocks}</div>',
            "Hose Traders",
            menu,
        )
    decided = decide(pages)
    assert names(decided) == {f"/{slug}-hose.html": name for slug, name in lines.items()}
    assert decided["/water-hose.html"]["image_urls"][0] == f"{BASE}/images/water-hose1.jpg"
