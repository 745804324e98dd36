"""Patterns that tell a page's parts apart, shared by the page readers: chrome, sidebars,
related-product blocks, decorative images, galleries and product markup."""

from __future__ import annotations

import re

from ilid_platform.crawl.extract.html import CHROME

SIDEBARS = (
    "ancestor::aside or ancestor::*[contains(@class, 'sidebar') or contains(@id, 'sidebar')"
    " or contains(@class, 'side-bar') or contains(@class, 'col-left')"
    " or contains(@class, 'col-right')]"
)

NOT_CHROME = f"not({CHROME} or {SIDEBARS})"

RELATED = re.compile(
    r"related|similar|recommend|upsell|up-sell|cross-?sell|also[-_]?(bought|viewed)|accessor", re.I
)

DECORATIVE = re.compile(
    r"logo|icon|sprite|spinner|placeholder|pixel|badge|avatar|banner|arrow|loader|flag"
    r"|payment|rating|star|social|whatsapp|facebook|twitter|instagram|youtube",
    re.I,
)
# Containers on product pages whose cards are other products, not a listing.

IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp|tiff?)(?:$|\?)", re.I)

GALLERY = re.compile(
    r"gallery|carousel|slider|swiper|slick|thumbnail|product[-_]?(image|img|media|photo|pic)"
    r"|images|photos|zoom|lightbox|fotorama|main[-_]?image|featured[-_]?image|wp-post-image",
    re.I,
)

PRODUCT_MARKUP = re.compile(
    r"single[-_]product|product[-_]?(detail|info|view|page|single|main|summary|essential"
    r"|shop|full|gallery|image|img|description|name|title|card|wrap|data|content|top)"
    r"|catalog-product-view|product-template|type-product|view-product|productFull",
    re.I,
)

DIGITS = re.compile(r"\d+")

LISTING_CARDS = 4
