"""ILID pre-filter and post-filter: every rejection comes with a reason."""

from __future__ import annotations

import pytest

from ilid_platform.captions.filters import post_filter, pre_filter, trade_name_pattern
from ilid_platform.captions.schema import ProductText

PRODUCT = ProductText(
    source="acme",
    url="http://127.0.0.1:8700/product/hex-nut-m8.html",
    name="Hex nut M8, stainless steel",
    description="Hexagon nut for machine screws.",
    specs={"Material": "Stainless steel", "Finish": "Polished"},
    breadcrumbs=("Home", "Hex nuts"),
    image_urls=("http://127.0.0.1:8700/images/hex.jpg",),
    sku="AC-HN-12345",
)
CAPTION = {
    "label_short": "hex nut",
    "label_long": "hexagon nut, stainless steel",
    "description": "Hexagon nut for machine screws and threaded rod.",
    "material": "stainless steel",
    "material_finish": "polished",
}


def _product(**changes) -> ProductText:
    return ProductText(**{**PRODUCT.__dict__, **changes})


def test_typical_product_passes_pre_filter():
    assert pre_filter(PRODUCT) is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"name": "  "}, "no_name"),
        ({"image_urls": ()}, "no_image"),
        ({"image_urls": ("",)}, "no_image"),
        ({"url": "http://127.0.0.1:8700/category/hex-nuts"}, "category_page"),
        ({"url": "http://127.0.0.2:8700/fasteners?page=2"}, "category_page"),
        (
            {
                "name": "Fasteners",
                "sku": None,
                "specs": {},
                "breadcrumbs": ("Home", "Fasteners", "Nuts"),
            },
            "category_page",
        ),
        (
            {"url": "http://127.0.0.1:8700/collections/nuts/"},
            "category_page",
        ),
        (
            {"name": "M8", "description": "", "specs": {"Size": "M8 / 13"}},
            "too_little_text: 0 words, at least 1 needed",
        ),
    ],
)
def test_pre_filter_reasons(changes, reason):
    assert pre_filter(_product(**changes)) == reason


def test_page_named_like_its_category_with_an_article_number_is_a_product():
    assert pre_filter(_product(name="Hex nuts", breadcrumbs=("Home", "Hex nuts", "x"))) is None


def test_real_product_urls_and_trails_are_no_listing():
    """The last breadcrumb of a product page is the product; shops nest products in
    collections and catalog folders; a name alone is text enough (ILID keeps it)."""
    for changes in (
        {"name": "Hex nuts", "sku": None, "specs": {}, "breadcrumbs": ("Home", "Hex nuts")},
        {"url": "http://shop.example/collections/frontpage/products/c3.html"},
        {"url": "http://shop.example/catalog/valves/gate-valves/dn50/index.html"},
        {"name": "Hidrantes", "description": "", "specs": {}},
    ):
        assert pre_filter(_product(**changes)) is None, changes


def test_good_caption_passes_post_filter():
    caption, reason = post_filter(CAPTION)
    assert reason is None
    assert caption is not None and caption.label_short == "hex nut"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"label_long": "hex nut M8 DIN 934"}, "invalid_label_long: must not contain digits"),
        ({"label_long": ""}, "invalid_label_long: must not be empty"),
        ({"label_long": "N/A"}, "placeholder_label_long: 'N/A'"),
        ({"label_short": "small stainless hex nut set"}, "invalid_label_short: has 5 words"),
        ({"label_short": "product"}, "generic_label_short: 'product'"),
        ({"label_short": "item"}, "generic_label_short: 'item'"),
        ({"label_short": "M8 nut"}, "digits_in_label_short: 'M8 nut'"),
        ({"label_long": "hexagon nut to DIN standard"}, "code_in_label_long: 'DIN'"),
        ({"label_long": "hexagon nut, metric mm thread"}, "code_in_label_long: 'mm'"),
    ],
)
def test_post_filter_reasons(changes, reason):
    caption, got = post_filter({**CAPTION, **changes})
    assert caption is None
    assert got is not None and got.startswith(reason.split(":")[0])
    if ":" in reason:
        assert got.startswith(reason)


def test_material_finish_and_description_may_be_null_as_in_ilid():
    unstated = {"material": None, "material_finish": "n/a", "description": ""}
    caption, reason = post_filter({**CAPTION, **unstated})
    assert reason is None
    assert (caption.material, caption.material_finish, caption.description) == (None, None, None)
    caption, reason = post_filter({**CAPTION, "material": "Unknown"})
    assert reason is None and caption.material is None and caption.material_finish == "polished"


def test_strict_rule_requires_every_field_when_asked():
    assert post_filter(CAPTION, require_all_fields=True)[1] is None
    caption, reason = post_filter({**CAPTION, "material": None}, require_all_fields=True)
    assert caption is None and reason == "missing_fields: material (require_all_fields)"
    caption, reason = post_filter({**CAPTION, "description": "N/A"}, require_all_fields=True)
    assert caption is None and reason.startswith("missing_fields: description")


def test_spare_part_is_generic():
    assert post_filter({**CAPTION, "label_short": "Spare Part"})[1] is None
    assert post_filter({**CAPTION, "label_short": "parts"})[1] == "generic_label_short: 'parts'"


def test_trade_names_from_regex_with_global_flag_and_from_brand():
    pattern = trade_name_pattern(r"(?i)\b(?:fixmaster(?: pro)?|torqlok)\b", brand="Acme")
    assert pattern is not None
    caption, reason = post_filter({**CAPTION, "label_long": "FIXMASTER PRO hexagon nut"}, pattern)
    assert caption is None and reason == "trade_name_in_label_long: 'FIXMASTER PRO'"
    caption, reason = post_filter({**CAPTION, "description": "An acme nut."}, pattern)
    assert reason == "trade_name_in_description: 'acme'"
    assert post_filter(CAPTION, pattern)[1] is None
    assert trade_name_pattern(None, None) is None
    assert trade_name_pattern(None, "  ") is None
