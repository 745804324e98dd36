"""Category pages: the category a site lists a product under (for product pages that show no
breadcrumbs), and pages read as products by their looks that are categories by their links
(`demote_category_pages`).

A listing page that links to a few product pages (with thumbnails or from its content) names
what they have in common in its heading ("Motores Enduro 2 Tiempos", "Knives"): the site's
own, language-independent word for their kind. The most specific such listing (the one that
links to the fewest products, at least two, and not most of the catalog) gives each product
its category. Headings that
many pages share (the site's name, a menu title) name no category, nor do sentences and
slogans ("Step 1", "What is …?"), the home page's showcase or a product page that links to
others (related products).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from ilid_platform.crawl.extract.decision import Decision, demote
from ilid_platform.crawl.extract.naming import page_key, text_key
from ilid_platform.crawl.extract.patterns import LISTING_CARDS
from ilid_platform.crawl.extract.reading import PageReading
from ilid_platform.crawl.extract.site_stats import SiteStats
from ilid_platform.crawl.urls import canonical_url

# A heading on more than this share of the site's pages (and on three or more) is the site's.
_SHARED = 0.2
# A listing of more than this share of the products (and of four or more) is the whole catalog.
_ALL = 0.6
# A page linked from the content of more than this share of the site's pages is in a menu.
_MENU = 0.5
_MAX_HEADING_CHARS = 80
_MAX_WORDS = 6
_HOME = {"", "index.html", "index.htm", "index.php", "default.html", "default.htm", "default.aspx"}
_SENTENCE = re.compile(r"[.!?。！？]\s*$|[?？]|\b(?:step|шаг|schritt|étape|paso)\s*\d", re.I)


def _names_a_category(text: str) -> bool:
    """A short title, not a sentence or slogan ("Step 1", "What is …?", "We do our best.")."""
    words = text.split()
    return 0 < len(words) <= _MAX_WORDS and not _SENTENCE.search(text)


def _heading(reading: PageReading, shared: set[str]) -> str:
    """The listing's own first main heading (h1-h3), if it names a category."""
    features = reading.features
    if features is None:
        return ""
    for heading in sorted(features.headings, key=lambda h: h["order"]):
        text = " ".join(heading["text"].split())
        own = text and len(text) <= _MAX_HEADING_CHARS and text_key(text) not in shared
        if heading["level"] <= 3 and own:
            return text if _names_a_category(text) else ""
    return ""


def _key(url: str) -> str:
    """A link and the page it fetched as one key: a listing's link may carry tracking
    parameters or a fragment that the crawl dropped."""
    try:
        return page_key(canonical_url(url))
    except ValueError:
        return page_key(url)


def _linked(reading: PageReading) -> set[str]:
    features = reading.features
    if features is None:
        return set()
    return {_key(url) for url, _ in features.cards} | {_key(url) for url in features.content_links}


def listing_categories(readings: Sequence[PageReading], products: Iterable[str]) -> dict[str, str]:
    """By product page url (as in `products`): the heading of the most specific listing that
    links to it."""
    products = list(products)
    by_key = {_key(url): url for url in products}
    on_pages = Counter(
        key
        for reading in readings
        if reading.features is not None
        for key in {text_key(h["text"]) for h in reading.features.headings}
    )
    most = max(3, _SHARED * len(readings))
    shared = {key for key, count in on_pages.items() if count >= most}
    best: dict[str, tuple[int, str]] = {}
    for reading in readings:
        if _key(reading.url) in by_key or urlsplit(reading.url).path.strip("/") in _HOME:
            continue  # a product's related products, or the home page's showcase
        linked = _linked(reading) & by_key.keys()
        if len(linked) < 2 or len(linked) > max(3, _ALL * len(by_key)):
            continue  # one product is no category, and nearly all of them are the catalog
        heading = _heading(reading, shared)
        if not heading:
            continue
        for key in linked:
            if key not in best or len(linked) < best[key][0]:
                best[key] = (len(linked), heading)
    return {url: best[_key(url)][1] for url in products if _key(url) in best}


def demote_category_pages(
    readings: Sequence[PageReading], decisions: list[Decision], stats: SiteStats
) -> None:
    """A page read as a product by its looks that links, from its content, to many pages that
    are products themselves is a category; links every page has (menus) do not count. A page
    of the same template as such categories, and no fewer of them than products, is one too
    when it links two product pages or more (pages of one template are one kind of page)."""
    products = {page_key(r.url) for r, d in zip(readings, decisions, strict=True) if d.product}
    link_pages: Counter[str] = Counter()
    for reading in readings:
        if reading.features is not None:
            link_pages.update({page_key(u) for u in reading.features.content_links})
    template_keys: dict[int, set[str]] = {}
    for reading in readings:
        template_keys.setdefault(stats.template_of.get(reading.url, -1), set()).add(
            page_key(reading.url)
        )
    linked: dict[int, set[str]] = {}
    for index, (reading, decision) in enumerate(zip(readings, decisions, strict=True)):
        if decision.product is None or decision.product["extraction"] != "heuristic":
            continue
        own = page_key(reading.url)
        # Pages of its template that show each other as related items are no category's.
        template = stats.template_of.get(reading.url, -1)
        siblings = (
            template_keys.get(template, set()) if template in stats.related_templates else set()
        )
        linked[index] = {
            key
            for key in map(page_key, reading.features.content_links)
            if key in products
            and key != own
            and key not in siblings
            and not stats.repeated(link_pages[key])
        }
    _demote_section_pages(readings, decisions, stats, link_pages)
    _demote_parents(readings, decisions, stats, products)
    _demote_named_kinds(readings, decisions, stats, products)
    categories: Counter[int] = Counter()
    looks: Counter[int] = Counter()
    for index, keys in linked.items():
        template = stats.template_of.get(readings[index].url, -1)
        if len(keys) >= LISTING_CARDS:
            categories[template] += 1
            demote(decisions, index, f"links {len(keys)} product pages: a category")
        else:
            looks[template] += 1
    for index, keys in linked.items():
        template = stats.template_of.get(readings[index].url, -1)
        if (
            decisions[index].product
            and template >= 0
            and len(keys) >= 2
            and categories[template] >= looks[template]
        ):
            demote(
                decisions,
                index,
                f"links {len(keys)} product pages, and its template's pages are categories",
            )


def _demote_section_pages(
    readings: Sequence[PageReading],
    decisions: list[Decision],
    stats: SiteStats,
    link_pages: Counter[str],
) -> None:
    """A page read as a product by its looks that no listing shows as a card, and that links
    from its content to two or more listings of the site (not those most pages link: a menu) is the
    catalog's section above them: a category of categories, its pictures theirs."""
    listings = stats.listings or set()
    for index, (reading, decision) in enumerate(zip(readings, decisions, strict=True)):
        if decision.product is None or decision.product["extraction"] != "heuristic":
            continue
        own = page_key(reading.url)
        if own in stats.card_targets:
            continue
        below = {
            key
            for key in stats.links_of.get(own, set())
            if key in listings and link_pages[key] <= _MENU * stats.pages
        }
        if len(below) >= 2:
            demote(decisions, index, f"links {len(below)} listings: a section of the catalog")


def _demote_parents(
    readings: Sequence[PageReading], decisions: list[Decision], stats: SiteStats, products: set[str]
) -> None:
    """A page read as a product by its looks that links two or more product pages whose only
    link to a product page is the way back to it ("Back to Ball Valves") is their category,
    though it shows a photo of its own under the products' url pattern and template; unless
    another page links it beside them (a listing of three products that link their previous
    and next: the middle one is no category)."""
    parents = []
    for index, (reading, decision) in enumerate(zip(readings, decisions, strict=True)):
        if decision.product is None or decision.product["extraction"] != "heuristic":
            continue
        own = page_key(reading.url)
        children = {
            key
            for key in stats.links_of.get(own, set()) & products
            if stats.links_of.get(key, set()) & products == {own}
        }
        if len(children) < 2 or any(
            own in links and len(links & children) >= 2
            for key, links in stats.links_of.items()
            if key != own
        ):
            continue  # a page that lists it beside them: its siblings' previous and next
        parents.append((index, len(children)))
    for index, count in parents:
        demote(decisions, index, f"the {count} product pages it links link back only to it")


def _demote_named_kinds(
    readings: Sequence[PageReading], decisions: list[Decision], stats: SiteStats, products: set[str]
) -> None:
    """A page read as a product by its looks whose name heads two or more product pages it
    links to, beside their own names, is their brand's or kind's page: its products carry its
    name as a line over theirs ("greerco" over "Colloid Mill"). Not on pages whose headings
    name two or more other products: a sidebar of the catalog's products, which names its
    siblings, not its kind."""
    names = {
        text_key(d.product["name"])
        for d in decisions
        if d.product is not None and d.product["name"]
    }
    heads: dict[str, set[str]] = {}
    for reading, decision in zip(readings, decisions, strict=True):
        if decision.product is None or reading.features is None:
            continue
        name = text_key(decision.product["name"])
        others = {
            key
            for h in reading.features.headings
            if (key := text_key(h["text"])) != name and key not in stats.site_headings
        }
        if len(others & names) < 2:
            heads[page_key(reading.url)] = others
    found = []
    for index, (reading, decision) in enumerate(zip(readings, decisions, strict=True)):
        if decision.product is None or decision.product["extraction"] != "heuristic":
            continue
        name, own = text_key(decision.product["name"]), page_key(reading.url)
        below = [
            key
            for key in stats.links_of.get(own, set()) & products
            if key != own and name in heads.get(key, set())
        ]
        if name and len(below) >= 2:
            found.append((index, len(below)))
    for index, count in found:
        demote(decisions, index, f"its name heads the {count} product pages it links to")
