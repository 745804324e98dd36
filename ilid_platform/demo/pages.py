"""The three shops' web pages, each marked up the way a different real catalog would be.

acme puts schema.org JSON-LD in server-rendered pages and lists them in a sitemap; boltbarn uses
microdata and a spec table behind paginated listings; clampco ships an empty shell that a script
fills from a JSON API. `__ORIGIN__` is replaced by the server with the shop's origin, so absolute
URLs stay right whatever port the catalog is served on.
"""

from __future__ import annotations

import json
from html import escape
from itertools import groupby
from pathlib import Path

from ilid_platform.demo.catalog import Product, ShopPlan
from ilid_platform.demo.vocabulary import category_of

ORIGIN = "__ORIGIN__"
PAGE_SIZE = 8
_NEXT = ' rel="next"'
APP_JS = Path(__file__).with_name("assets") / "app.js"

_CSS = {
    "acme": "body{font-family:Helvetica,sans-serif;margin:0 auto;max-width:980px;color:#222}"
    "header{background:#c0392b;color:#fff;padding:12px}.card{display:inline-block;width:180px}"
    ".card img{width:170px}table.specs td,table.specs th{border-bottom:1px solid #ddd;padding:4px}",
    "boltbarn": "body{font-family:Verdana,sans-serif;background:#f4f1ea}#top{background:#3b2f2f;"
    "color:#f0c040;padding:8px}.spec-table{border-collapse:collapse}.spec-table td{border:1px "
    "solid #999;padding:3px 8px}li.item{list-style:none;margin:6px 0}",
    "clampco": "body{font-family:system-ui;background:#111;color:#ddd}a{color:#7fd4ff}"
    ".spec-table td,.spec-table th{padding:4px 10px;text-align:left}",
}
_FOOTERS = {
    "acme": ('<a href="/internal/">Staff price list</a>', "Acme Industrial Supply Ltd."),
    "boltbarn": ('<a href="/clearance/">Clearance sale - last pieces!</a>', "BoltBarn GmbH"),
    "clampco": ('<a href="/archive/">Discontinued products</a>', "ClampCo Inc."),
}


def _doc(plan: ShopPlan, title: str, body: str, head: str = "") -> str:
    shop = plan.shop.name
    nav = " | ".join(
        f'<a href="{_category_url(plan, slug_)}">{escape(title_)}</a>'
        for slug_, title_ in _categories(plan)
    )
    link, company = _FOOTERS[shop]
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)} | {plan.shop.brand}</title>\n<style>{_CSS[shop]}</style>\n"
        f'{head}</head>\n<body>\n<header id="top"><a href="/">{plan.shop.brand}</a>'
        f"<nav>{nav}</nav></header>\n<main>\n{body}\n</main>\n<footer>"
        f"<p>Free delivery on orders over EUR 50. Prices excl. VAT.</p><p>{link}</p>"
        f"<p>&copy; 2024 {company}</p></footer>\n</body>\n</html>\n"
    )


def _categories(plan: ShopPlan) -> list[tuple[str, str]]:
    seen = {category_of(plan.shop.name, p.part_type) for p in plan.products}
    return sorted(seen)


def _category_url(plan: ShopPlan, slug_: str, page: int = 1) -> str:
    if plan.shop.name == "boltbarn":
        return f"/category/{slug_}/page/{page}.html"
    return f"/category/{slug_}.html"


def _crumbs(plan: ShopPlan, part_type: str, name: str | None = None) -> str:
    slug_, title = category_of(plan.shop.name, part_type)
    tail = f" &rsaquo; <span>{escape(name)}</span>" if name else ""
    return (
        f'<nav class="breadcrumb"><a href="/">Home</a> &rsaquo; '
        f'<a href="{_category_url(plan, slug_)}">{escape(title)}</a>{tail}</nav>'
    )


def _card(product: Product, with_image: bool) -> str:
    img = f'<img src="{product.image_paths[0]}" alt="">' if with_image else ""
    return (
        f'<li class="item"><a class="card" href="{product.path}">{img}'
        f"<span>{escape(product.name)}</span></a> <b>EUR {product.price}</b></li>"
    )


def _listing(products: list[Product], with_image: bool) -> str:
    return '<ul class="listing">' + "".join(_card(p, with_image) for p in products) + "</ul>"


def _spec_rows(product: Product) -> str:
    return "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in product.specs)


def _related(plan: ShopPlan, product: Product) -> list[Product]:
    same = [p for p in plan.products if p.part_type == product.part_type and p is not product]
    return same[:3]


def _acme_product(plan: ShopPlan, product: Product) -> str:
    slug_, title = category_of("acme", product.part_type)
    images = [f"{ORIGIN}{path}" for path in product.image_paths]
    ld = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "sku": product.sku,
        "mpn": product.sku.split("-")[-1],
        "brand": {"@type": "Brand", "name": "Acme"},
        "description": product.description,
        "image": images,
        "material": product.material,
        "category": title,
        "additionalProperty": [
            {"@type": "PropertyValue", "name": k, "value": v} for k, v in product.specs
        ],
        "offers": {
            "@type": "Offer",
            "price": product.price,
            "priceCurrency": "EUR",
            "availability": "https://schema.org/InStock",
            "url": f"{ORIGIN}{product.path}",
        },
    }
    crumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{ORIGIN}/"},
            {
                "@type": "ListItem",
                "position": 2,
                "name": title,
                "item": f"{ORIGIN}/category/{slug_}.html",
            },
            {"@type": "ListItem", "position": 3, "name": product.name},
        ],
    }
    head = (
        f'<link rel="canonical" href="{ORIGIN}{product.path}">\n'
        f'<meta property="og:title" content="{escape(product.name)}">\n'
        f'<meta property="og:image" content="{images[0]}">\n'
        f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>\n'
        f'<script type="application/ld+json">{json.dumps(crumbs, ensure_ascii=False)}</script>\n'
    )
    gallery = "".join(f'<img src="{p}" alt="{escape(product.name)}">' for p in product.image_paths)
    body = (
        f"{_crumbs(plan, product.part_type, product.name)}\n<h1>{escape(product.name)}</h1>\n"
        f'<div class="gallery">{gallery}</div>\n<p class="sku">Article no. {product.sku}</p>\n'
        f'<p class="price">EUR {product.price} <button>Add to cart</button></p>\n'
        f'<div class="description"><p>{escape(product.description)}</p></div>\n'
        f'<h2>Technical data</h2><table class="specs">{_spec_rows(product)}</table>\n'
        f"<h2>You may also like</h2>{_listing(_related(plan, product), True)}"
    )
    return _doc(plan, product.name, body, head)


def _boltbarn_product(plan: ShopPlan, product: Product) -> str:
    slug_, title = category_of("boltbarn", product.part_type)
    gallery = "".join(
        f'<img itemprop="image" src="{p}" alt="{escape(product.name)}" width="420">'
        for p in product.image_paths
    )
    crumbs = (
        '<ol class="crumbs" itemscope itemtype="https://schema.org/BreadcrumbList">'
        '<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
        '<a itemprop="item" href="/"><span itemprop="name">Home</span></a>'
        '<meta itemprop="position" content="1"></li>'
        '<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
        f'<a itemprop="item" href="/category/{slug_}/page/1.html"><span itemprop="name">'
        f'{escape(title)}</span></a><meta itemprop="position" content="2"></li></ol>'
    )
    body = (
        f'{crumbs}\n<div class="product" itemscope itemtype="https://schema.org/Product">\n'
        f'<h1 itemprop="name">{escape(product.name)}</h1>\n<div class="pics">{gallery}</div>\n'
        f'<p>Art.-Nr.: <span itemprop="sku">{product.sku}</span> &middot; '
        f'<span itemprop="brand" itemscope itemtype="https://schema.org/Brand">'
        f'<span itemprop="name">BoltBarn</span></span></p>\n'
        f'<div itemprop="offers" itemscope itemtype="https://schema.org/Offer">'
        f'<span itemprop="price" content="{product.price}">{product.price.replace(".", ",")}'
        f'</span> &euro;<meta itemprop="priceCurrency" content="EUR"></div>\n'
        f'<div itemprop="description">{escape(product.description)}</div>\n'
        f'<table class="spec-table">{_spec_rows(product)}</table>\n</div>\n'
        f"<h3>Customers also bought</h3>{_listing(_related(plan, product), False)}"
    )
    return _doc(plan, product.name, body)


def _clampco_shell(plan: ShopPlan) -> str:
    body = '<div id="app"><p class="loading">Loading product&hellip;</p></div>'
    return _doc(plan, "Product", body, '<script src="/static/app.js" defer></script>\n')


def _clampco_api(product: Product) -> str:
    slug_, title = category_of("clampco", product.part_type)
    data = {
        "id": product.product_id,
        "name": product.name,
        "sku": product.sku,
        "brand": "ClampCo",
        "price": {"amount": product.price, "currency": "EUR"},
        "category": {"name": title, "url": f"/category/{slug_}.html"},
        "description": product.description,
        "images": [{"src": p, "alt": product.name} for p in product.image_paths],
        "specs": [{"label": k, "value": v} for k, v in product.specs],
    }
    return json.dumps(data, ensure_ascii=False, indent=1)


def _robots(plan: ShopPlan) -> str:
    lines = ["User-agent: *", f"Disallow: {plan.shop.disallowed_prefix}", "Disallow: /cart"]
    if plan.shop.name == "acme":
        lines.append(f"Sitemap: {ORIGIN}/sitemap.xml")
    return "\n".join(lines) + "\n"


def _sitemap(plan: ShopPlan) -> str:
    paths = ["/"] + [f"/category/{s}.html" for s, _ in _categories(plan)]
    paths += [p.path for p in plan.products if not p.disallowed]
    urls = "".join(
        f"<url><loc>{ORIGIN}{p}</loc><lastmod>2024-05-01</lastmod></url>\n" for p in paths
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'
    )


def _home(plan: ShopPlan) -> str:
    cats = "".join(
        f'<li><a href="{_category_url(plan, s)}">{escape(t)}</a></li>' for s, t in _categories(plan)
    )
    featured = [p for p in plan.products if not p.disallowed][:6]
    body = (
        f"<h1>Welcome to {plan.shop.brand}</h1><p>Quality industrial hardware, shipped fast.</p>"
        f"<h2>Categories</h2><ul>{cats}</ul><h2>Bestsellers</h2>"
        f"{_listing(featured, plan.shop.name != 'clampco')}"
    )
    return _doc(plan, "Home", body)


def _category_pages(plan: ShopPlan) -> dict[str, str]:
    shop = plan.shop.name
    pages = {}
    by_category = sorted(plan.products, key=lambda p: category_of(shop, p.part_type))
    for (slug_, title), group in groupby(by_category, key=lambda p: category_of(shop, p.part_type)):
        products = list(group)
        if shop != "boltbarn":
            body = f"<h1>{escape(title)}</h1>{_listing(products, shop == 'acme')}"
            pages[f"category/{slug_}.html"] = _doc(plan, title, body)
            continue
        chunks = [products[i : i + PAGE_SIZE] for i in range(0, len(products), PAGE_SIZE)]
        for n, chunk in enumerate(chunks, start=1):
            pager = " ".join(
                f'<a href="{_category_url(plan, slug_, k)}"{_NEXT if k == n + 1 else ""}>{k}</a>'
                for k in range(1, len(chunks) + 1)
            )
            body = (
                f"<h1>{escape(title)} - page {n} of {len(chunks)}</h1>"
                f'{_listing(chunk, True)}<div class="pager">{pager}</div>'
            )
            pages[f"category/{slug_}/page/{n}.html"] = _doc(plan, f"{title} ({n})", body)
    return pages


def site_pages(plan: ShopPlan) -> dict[str, str]:
    """Every text file of one shop, keyed by path relative to the shop root."""
    shop = plan.shop.name
    pages = {"index.html": _home(plan), "robots.txt": _robots(plan), **_category_pages(plan)}
    hidden = [p for p in plan.products if p.disallowed]
    section = plan.shop.disallowed_prefix.strip("/")
    pages[f"{section}/index.html"] = _doc(
        plan, section.capitalize(), f"<h1>{section.capitalize()}</h1>{_listing(hidden, False)}"
    )
    for product in plan.products:
        path = product.path.lstrip("/")
        if shop == "acme":
            pages[path] = _acme_product(plan, product)
        elif shop == "boltbarn":
            pages[path] = _boltbarn_product(plan, product)
        else:
            pages[path] = _clampco_shell(plan)
            pages[f"api/products/{product.product_id}.json"] = _clampco_api(product)
    if shop == "acme":
        pages["sitemap.xml"] = _sitemap(plan)
    if shop == "clampco":
        pages["static/app.js"] = APP_JS.read_text(encoding="utf-8")
    return pages
