"""Pages decided from the population of pages (`decide_pages`) where the page's own markup
says little: names that only the <title> gives, and pages whose folder or structured data
says one thing while the site's catalog says another (round eight's kinds of page)."""

from __future__ import annotations

from ilid_platform.crawl.extract import decide_pages, read_page

BASE = "https://pack.example"


def decide(pages: dict[str, str]) -> dict[str, dict | None]:
    readings = [read_page(html, BASE + path) for path, html in pages.items()]
    return {path: d.product for path, d in zip(pages, decide_pages(readings), strict=True)}


def test_title_part_that_names_the_linked_category_is_no_part_of_the_name() -> None:
    """An old CMS without heading tags titles each product "Name | Category | Products |
    Shop", and its left column links the category by that word: the title without its
    site-wide part still ends in the category, which a few pages share; the name is what
    comes before it, also where a product is named like its category."""
    shelves = {
        "Foam sheet": ["Foam sheet", "Foam sheet 2"],
        "Bubble bag": ["White bubble bag"],
        "Foam roll": ["Foam roll 1", "Foam roll 2", "Foam roll"],
    }
    paths = {name: f"/product/{n}.html" for n, name in enumerate(sum(shelves.values(), []))}
    pages = {"/index.html": "<html><head><title>Pack Co</title></head><body><p>Hi</p></body>"}
    for number, (category, names) in enumerate(shelves.items()):
        siblings = "".join(f'<li><a href="{paths[x]}">{x}</a></li>' for x in names)
        for name in names:
            pages[paths[name]] = (
                f"<html><head><title>{name} | {category} | Products | Pack Co</title></head>"
                '<body><div id="top"><img src="/images/banner.jpg" width="900" height="90"></div>'
                f'<div id="left"><a href="/product/list-{number}.html">{category}</a>'
                f'<ul>{siblings}</ul></div><div id="right"><div id="path">'
                f'<a href="/news.php?id={number}">{category}</a></div>'
                f'<div id="contentTitle">{name}</div><table><tr><td>Photo</td><td>'
                f'<img src="/upload{paths[name]}.jpg" width="230" height="150"></td></tr>'
                f"<tr><td>Name:</td><td>{name}</td></tr><tr><td>Item no:</td><td>2009-08</td></tr>"
                "<tr><td>Origin:</td><td>Wuhan</td></tr><tr><td>Use:</td><td>Packing</td></tr>"
                '</table></div><div id="foot">(c) 2009 Pack Co</div></body></html>'
            )
    found = decide(pages)
    names = {p: r["name"] for p, r in found.items() if r}
    expected = [n for names_ in shelves.values() for n in names_]
    assert sorted(names.values()) == sorted(expected)
