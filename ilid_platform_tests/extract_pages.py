"""Small hand-written product pages and the call that extracts one, shared by extraction tests."""

from __future__ import annotations

import json
from typing import Any

from ilid_platform.crawl.extract import extract_product

URL = "https://shop.example/products/hex-bolt-m8.html?ref=x"


def page(head: str = "", body: str = "") -> str:
    return f"<!doctype html><html><head><title>t</title>{head}</head><body>{body}</body></html>"


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def product(html: str | bytes, url: str = URL, **kwargs: Any) -> dict[str, Any]:
    result = extract_product(html, url, **kwargs)
    assert result.product is not None, result.reason
    return result.product


HEURISTIC_BODY = """
<header><img src="/logo.png" alt="Shop logo"></header>
<div class="crumbs breadcrumb"><a href="/">Home</a> / <a href="/c/hinges">Hinges</a></div>
<main>
  <h1>Butt Hinge 100 mm</h1>
  <img src="/thumbs/hinge-small.jpg" width="80" height="80">
  <img src="/photos/hinge-large.jpg" width="800" height="600">
  <p>Short.</p>
  <p>Stainless steel butt hinge for heavy doors, with ball bearings and removable pin.</p>
  <dl><dt>Material</dt><dd>Stainless steel</dd><dt>Finish</dt><dd>Brushed</dd></dl>
</main>"""
