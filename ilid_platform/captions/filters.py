"""ILID's pre-filter (which products are worth captioning) and post-filter (which captions to keep).

Both return a short reason instead of raising, so every rejection lands in the `captions`
table. A reason is `code` or `code: detail`; stats count by code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from pydantic import ValidationError

from ilid_platform.captions.schema import (
    CAPTION_FIELDS,
    OPTIONAL_FIELDS,
    REQUIRED_FIELDS,
    Caption,
    ProductText,
    is_placeholder,
    validation_reason,
)

MIN_TEXT_WORDS = 1

# Catalog pages whose path says "listing" rather than "product": the listing word followed by
# at most one segment and no product segment ("/category/hex-nuts", not
# "/collections/all/products/x" or "/catalog/valves/gate/x.html").
_LISTING_PATH = re.compile(
    r"/(category|categories|collections?|catalog(ue)?|search|tags?|brands?)(/[^/]*)?/?$",
    re.IGNORECASE,
)
_TEXT_WORD = re.compile(r"(?<!\S)[^\W\d_][^\s\d]*(?!\S)")
_LISTING_QUERY = re.compile(r"(^|&)(page|p|q|sort)=", re.IGNORECASE)

# A label_short made only of these words names no part type.
GENERIC_WORDS = frozenset(
    {
        "product", "products", "item", "items", "article", "articles", "part", "parts",
        "component", "components", "accessory", "accessories", "thing", "goods", "misc",
        "miscellaneous", "other", "various", "unknown", "generic", "set", "kit",
    }
)  # fmt: skip
# Standards, article-number and size words that can survive in a digit-free label_long.
_CODE_WORD = re.compile(
    r"\b(DIN|ISO|EN|ANSI|ASME|ASTM|AISI|SAE|JIS|RAL|UNC|UNF|NPT|BSP|SKU|EAN|GTIN|MPN)\b"
    r"|\b(art\.?[- ]?no|item no|part no|ref)\b\.?"
    r"|\b(mm|cm|µm|kg|nm|kn|psi|rpm|mpa|kw)\b"
    r"|#",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_GLOBAL_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")


def trade_name_pattern(regex: str | None, brand: str | None = None) -> re.Pattern[str] | None:
    """The source's trade-name regex and the product's brand as one case-insensitive pattern."""
    parts = []
    if regex:
        # A leading global flag group like "(?i)" is only legal at the very start: scope it.
        flags = _GLOBAL_FLAGS.match(regex)
        parts.append(f"(?{flags[1]}:{regex[flags.end() :]})" if flags else f"(?:{regex})")
    if brand and brand.strip():
        parts.append(r"\b" + re.escape(brand.strip()) + r"\b")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def is_listing_page(product: ProductText) -> bool:
    """Category-like: a listing URL, or a page named like one of the categories above it
    (not the last breadcrumb, which on a product page is the product itself) that has
    neither an article number nor specifications."""
    parts = urlsplit(product.url)
    if _LISTING_PATH.search(parts.path) or _LISTING_QUERY.search(parts.query):
        return True
    parents = {c.strip().casefold() for c in product.breadcrumbs[:-1]}
    return (
        product.name.strip().casefold() in parents and not product.sku and not dict(product.specs)
    )


def pre_filter(product: ProductText, min_words: int = MIN_TEXT_WORDS) -> str | None:
    """None when the product is worth captioning, else why not."""
    if not product.name.strip():
        return "no_name"
    if not any(u.strip() for u in product.image_urls):
        return "no_image"
    if is_listing_page(product):
        return "category_page"
    text = " ".join([product.name, product.description, *product.specs.values()])
    words = len(_TEXT_WORD.findall(text))
    if words < min_words:
        return f"too_little_text: {words} words, at least {min_words} needed"
    return None


def post_filter(
    fields: Mapping[str, str | None],
    trade_names: re.Pattern[str] | None = None,
    require_all_fields: bool = False,
) -> tuple[Caption | None, str | None]:
    """ILID's post-filter: a valid `Caption` (word limits, no digits in label_long, label_short
    and label_long present) that also names a concrete part and holds no placeholder, code or
    trade name; or None and the reason. Material, finish and description may be null, as in
    ILID; `require_all_fields` is the stricter rule that rejects a caption missing any of them."""
    try:
        caption = Caption.model_validate(
            {
                f: fields.get(f) if f in OPTIONAL_FIELDS else fields.get(f) or ""
                for f in CAPTION_FIELDS
            }
        )
    except ValidationError as error:
        return None, validation_reason(error)
    if require_all_fields:
        missing = [name for name in OPTIONAL_FIELDS if getattr(caption, name) is None]
        if missing:
            return None, f"missing_fields: {', '.join(missing)} (require_all_fields)"
    short = caption.label_short.casefold()
    if _DIGIT.search(short):
        return None, f"digits_in_label_short: {caption.label_short!r}"
    if all(word.strip(".,;:-") in GENERIC_WORDS for word in short.split()):
        return None, f"generic_label_short: {caption.label_short!r}"
    for name in REQUIRED_FIELDS:
        value = getattr(caption, name)
        if is_placeholder(value):
            return None, f"placeholder_{name}: {value!r}"
    code = _CODE_WORD.search(caption.label_long)
    if code:
        return None, f"code_in_label_long: {code.group(0)!r}"
    if trade_names is not None:
        for name in CAPTION_FIELDS:
            found = trade_names.search(getattr(caption, name) or "")
            if found:
                return None, f"trade_name_in_{name}: {found.group(0)!r}"
    return caption, None
