"""A page's photos, given its site: which of the images it shows are its own.

What the site says about an image besides the page itself:

* An image on many pages (logo, banner, payment badges) is chrome, never a product's photo.
* An image shown on this page and on a page this one links to belongs to the linked page:
  a category shows its products' photos (often the very files their own pages show) and links
  to them. The product's photo is its own even when its listing shows the same file. Where
  the two link each other (a product's way back to its category), the page with fewer links
  is the product.
* An image shown on this page and on other pages unrelated by links (the same boat on two
  engines' pages) is shared, and gives way to one only this page shows.
* An image under a label that heads the same block on many pages ("Physical properties:",
  "Dimensions") is a drawing or a table, and gives way to one that is not.

Where the page says which is its photo, that wins: the image right under its main heading,
else the one in the place where its template shows each page's own photo (the place where
its pages show the photo of the cards that link to them, where there is one).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from ilid_platform.crawl.extract.naming import page_key, text_key
from ilid_platform.crawl.extract.page import PageFeatures
from ilid_platform.crawl.extract.patterns import DECORATIVE
from ilid_platform.crawl.extract.reading import PageReading
from ilid_platform.crawl.extract.site_stats import RESIZED, SiteStats
from ilid_platform.crawl.extract.slots import page_headings


def decorative_file(url: str) -> bool:
    """Whether an image's file name says it is the brand's logo, a banner or an icon: no
    product's photo, even where the page's structured data names it (a Product's image
    left as the site's logo)."""
    try:
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    except ValueError:
        return False
    return bool(DECORATIVE.search(name))


THUMBNAIL_AREA = 150 * 150
"""An image declared smaller is a thumbnail (of a larger photo further on), not the photo; so
is one with an image declared four times its size on the page."""


def choose_photos(
    reading: PageReading, stats: SiteStats, evidence: list[str]
) -> tuple[list[str], str, int]:
    """Main photo first (own photos before shared ones; in a product-named gallery, else the
    largest, else the first), then the rest of its gallery; the main photo's caption; and how
    many photos of pages this one links to it shows (or of how many such pages, if more)."""
    candidates = []
    chrome = tiles = 0
    own_key = page_key(reading.url)
    for image in reading.features.images:
        if _chrome(image["url"], own_key, stats):
            chrome += 1
        elif image["tile"]:
            tiles += 1
        else:
            candidates.append(image)
    if chrome:
        evidence.append(f"{chrome} image(s) skipped as site chrome (on many pages)")
    if tiles:
        evidence.append(f"{tiles} image(s) skipped as tiles of a grid (each with its own name)")
    # A resized copy ("x-300x225.jpg") that the page shows beside its original is that photo.
    originals = {i["url"] for i in candidates}
    candidates = [
        i
        for i in candidates
        if not RESIZED.search(i["url"])  # most urls; a substitution costs four times more
        or (original := RESIZED.sub(r"\1", i["url"])) == i["url"]
        or original not in originals
    ]
    linked = stats.links_of.get(own_key, set())
    kinds = {image["url"]: _kind(image, own_key, stats) for image in candidates}
    shown = [i for i in candidates if kinds[i["url"]] == "linked"]
    pages = len(set().union(*(stats.image_where.get(i["url"], set()) for i in shown)) & linked)
    if shown:
        evidence.append(f"{len(shown)} image(s) skipped: shown by {pages} page(s) it links to")
    # Several photos of pages it links to, or one photo of several: a category's.
    foreign = max(len(shown), pages)
    candidates = [i for i in candidates if kinds[i["url"]] != "linked"]
    if not candidates:
        return [], "", foreign
    headings = page_headings(reading, stats)
    top = min((h["level"] for h in headings), default=None)
    # The first of the top headings heads the page; a later one of its level heads a section
    # of the text (another maker's range of the product), and the photo under it is that
    # section's.
    first = min((h for h in headings if h["level"] == top), key=lambda h: h["order"], default=None)
    names = {text_key(first["text"])} if first else set()
    under_name = [
        i
        for i in candidates
        if text_key(i.get("caption", "")) in names and not 0 < i["area"] < THUMBNAIL_AREA
    ]
    larger = under_name and any(i["area"] >= 4 * under_name[0]["area"] for i in candidates)
    if under_name and not larger:
        evidence.append("photo right under the page's main heading")
        main = under_name[0]
        return _with_gallery(main, candidates), main.get("caption", ""), foreign
    # A size table or a drawing gives way to a photo, unless the product's name says it is
    # one (a table for sale).
    named_as = " ".join(h["text"] for h in headings if h["level"] == top).lower()

    def chart(image: dict[str, Any]) -> bool:
        return bool(image.get("chart")) and image["chart"] not in named_as

    group = stats.template_of.get(reading.url, -1)
    slot = stats.photo_slots.get(group)
    placed = sorted((i for i in candidates if slot and i.get("slot") == slot), key=chart)
    if placed:
        main = placed[0]
        # The place was learnt from the cards of most pages of the template; where this page
        # puts the photo its own cards show elsewhere (its template's markup drifts: a link
        # without the class the others have), that photo is still the one the cards show.
        if group in stats.carded_slots and not any(
            stats.carded_photo(i["url"], own_key) for i in placed
        ):
            carded = [i for i in candidates if stats.carded_photo(i["url"], own_key)]
            if carded:
                evidence.append("the photo its cards show, outside its template's place")
                main = carded[0]
                return _with_gallery(main, candidates), main.get("caption", ""), foreign
        # A photo of its own that the page shows between its name and that place (in its
        # text, where the template's other pages show none) comes first, unless the cards
        # for its pages name that place.
        named = min((h["order"] for h in headings if h["level"] == top), default=main["order"])
        before = [
            i
            for i in candidates
            if group not in stats.carded_slots
            and kinds[i["url"]] == "own"
            and named < i["order"] < main["order"]
            and not 0 < i["area"] < THUMBNAIL_AREA
            and not chart(i)
        ]
        if before:
            evidence.append("photo of its own, before the place its template shows photos in")
            main = before[0]
            return _with_gallery(main, candidates), main.get("caption", ""), foreign
        evidence.append("photo from the place that shows each page's own photo in its template")
        return _with_gallery(main, candidates), main.get("caption", ""), foreign
    own = [i for i in candidates if kinds[i["url"]] == "own"]
    pool = (
        [i for i in own if i["hinted"]]
        or own
        or [i for i in candidates if i["hinted"]]
        or candidates
    )
    pool = [i for i in pool if not chart(i)] or pool
    largest = max(i["area"] for i in pool)
    # The first photo, unless a later one is declared much larger (a thumbnail and its photo).
    main = min((i for i in pool if 2 * i["area"] >= largest), key=lambda i: i["order"])
    return _with_gallery(main, candidates), main.get("caption", ""), foreign


def captioned_after(features: PageFeatures, main: str, titled: str) -> bool:
    """Whether the photo under the name follows the main photo in the same place: a grid of
    photos with their names under them, where the name between the two captions the first."""
    found = {i["url"]: i for i in features.images}
    first, named = found.get(main), found.get(titled)
    return (
        bool(first and named and first.get("slot") == named.get("slot"))
        and first["order"] < named["order"]
    )


def _with_gallery(main: dict[str, Any], candidates: list[dict[str, Any]]) -> list[str]:
    urls = [main["url"]]
    if main["gallery"] >= 0:
        urls += [i["url"] for i in candidates if i["gallery"] == main["gallery"]]
    return list(dict.fromkeys(urls))


def _chrome(url: str, own_key: str, stats: SiteStats) -> bool:
    """On so many pages that it is the site's, not counting a few pages that link here (the
    listings that show a product's own photo as its thumbnail) or pages that one page lists
    together (its variants sharing a photo); an image on most pages, which all link here, is
    still the site's (a banner, a menu of products)."""
    count = stats.image_pages.get(url, 0)
    if not stats.repeated(count):
        return False
    where = stats.image_where.get(url, set())
    listings = sum(own_key in stats.links_of.get(other, set()) for other in where)
    if listings >= 0.25 * stats.pages:
        return True
    return stats.repeated(count - listings) and not stats.siblings_show(url)


def _kind(image: dict[str, Any], own_key: str, stats: SiteStats) -> str:
    """ "linked" (a page this one links to shows it), "shared" (pages unrelated by links show
    it, or it sits under a label many pages repeat), else "own"."""
    if stats.linked_photo(image["url"], own_key):
        return "linked"
    where = stats.image_where.get(image["url"], set()) - {own_key}
    links = stats.links_of
    caption = text_key(image.get("caption", ""))
    labelled = bool(caption) and stats.repeated_caption(caption)
    listed_here = any(own_key in links.get(other, set()) for other in where)
    return "shared" if (where or labelled) and not listed_here else "own"
