"""The page title as the rule captioner reads it, from the crawl's record to label_short, and
the word-order rules that measured best across the corpus's gathering rounds."""

from __future__ import annotations

from pathlib import Path

from ilid_platform.captions.prompt import product_prompt
from ilid_platform.captions.rules import RuleCaptioner
from ilid_platform.captions.schema import ProductText
from ilid_platform.captions.store import read_products
from ilid_platform.captions.titles import is_brand_and_code, title_rest
from ilid_platform.crawl.extract import decide_pages, read_page
from ilid_platform.crawl.records import ProductRecord
from ilid_platform.crawl.store import store_pages
from ilid_platform.demo.llm_server import product_from_prompt
from ilid_platform.warehouse import connect

IMAGES = ("http://shop.example/img/1.jpg",)


def label(name: str, title: str = "", description: str = "", **fields) -> str | None:
    product = ProductText("s", "http://shop.example/p", name, description, title=title,
                          image_urls=IMAGES, **fields)  # fmt: skip
    return RuleCaptioner().caption(product).fields["label_short"]


def test_title_rest_takes_out_the_name_and_keeps_what_the_title_adds() -> None:
    rest = title_rest("Pet Nail Clippers-HOTS-PNC001", "HOTS-PNC001")
    assert rest.segments == ("Pet Nail Clippers",)
    rest = title_rest("1998 KOMATSU PW130-6 | Máy xúc đào bánh lốp", "1998 KOMATSU PW130-6")
    assert rest.segments == ("Máy xúc đào bánh lốp",)
    assert title_rest("Extintor Solkaflam 10 lbs", "Solkaflam 123 10 LBS").before == "Extintor"
    # a title that does not name the product says nothing of it
    assert title_rest("Our catalogue", "HOTS-PH001") == title_rest("", "HOTS-PH001")


def test_a_code_name_takes_its_kind_from_the_title() -> None:
    assert label("HOTS-PH001") == ""
    assert label("HOTS-PH001", title="Pet Harness-HOTS-PH001") == "pet harness"
    assert label("HOTS-PWF001", title="Pet Water Feeder-HOTS-PWF001") == "pet water feeder"


def test_a_brand_and_a_model_code_take_the_kind_from_the_title() -> None:
    name = "1998 KOMATSU PW130-6"
    assert is_brand_and_code(name, "komatsu") and not is_brand_and_code("HOLOGRAM", "hologram")
    assert label(name) == "komatsu"
    assert label(name, title=f"{name} | Máy xúc đào bánh lốp") == "máy xúc đào"
    # a name that says its kind keeps it, whatever the title adds
    assert label("Pet Harness", title="Pet Harness | Dog Collars") == "pet harness"


def test_a_noun_the_title_puts_before_a_one_word_head_first_name() -> None:
    assert label("Multipropósito 20 LBS") == "multipropósito"
    assert label("Multipropósito 20 LBS", title="Extintor Multipropósito 20 lbs") == "extintor"
    # not a code in capitals ("TWS 300"), and not a verb before a name that names its kind
    assert label("Trunz Water Systems 300", title="TWS 300") == label("Trunz Water Systems 300")
    name = "Thiết bị giám sát hành trình hợp chuẩn VT06"
    assert label(name, title=f"Lắp {name}") == label(name) == "thiết bị giám"


def test_three_word_english_names_are_their_type_unless_an_adjective_or_unknown_word_opens() -> (
    None
):
    assert label("Fluid Bed Dryer") == "fluid bed dryer"
    assert label("Quick Release Couplings") == "quick release coupling"
    assert label("Industrial RO System") == "ro system"
    assert label("Sipper Aviation Hose") == "aviation hose"


def test_a_brand_before_the_kind_gives_way_to_a_breadcrumb_that_qualifies_it() -> None:
    online = ("Home", "Online UPS")
    assert label("KSTAR UPS", breadcrumbs=online) == "online ups"
    text = "Keeps servers and network equipment running through power cuts and surges."
    assert label("Tuncmatik UPS", description=text, breadcrumbs=online) == "online ups"
    # a known qualifier stays; a crumb of the bare kind says no more than the name
    assert label("Modular UPS", breadcrumbs=online) == "modular ups"
    assert label("APFC PANEL", breadcrumbs=("Home", "Panels")) == "apfc panel"


def test_romance_head_keeps_a_common_noun_after_de_but_not_a_material() -> None:
    assert label("Casco de seguridad") == "casco de seguridad"
    assert label("Botas de seguridad") == "bota de seguridad"
    assert label("Válvula de acero") == "válvula"


def test_the_crawl_keeps_the_title_without_the_site_affix_and_captions_read_it(
    tmp_path: Path,
) -> None:
    base = "https://pets.example"

    def page(code: str, kind: str) -> str:
        return (
            f"<html><head><title>{kind}-{code} | Hotsun Pets</title></head><body>"
            '<nav><a href="/a.html">A</a><a href="/b.html">B</a></nav>'
            f'<h1>{code}</h1><img src="/img/{code}.jpg" width="600" height="600">'
            f"<p>Price: $3</p><button>Add to cart</button></body></html>"
        )

    pages = {"/a.html": page("HOTS-PH001", "Pet Harness"), "/b.html": page("HOTS-PB002", "Bowls")}
    pages["/c.html"] = page("HOTS-PS003", "Pet Scooper")
    readings = [read_page(html, base + path) for path, html in pages.items()]
    products = [d.product for d in decide_pages(readings)]
    assert [p and p["title"] for p in products] == ["Pet Harness-HOTS-PH001", "Bowls-HOTS-PB002",
                                                    "Pet Scooper-HOTS-PS003"]  # fmt: skip
    records = [ProductRecord(source="pets", **p) for p in products if p is not None]
    with connect(tmp_path / "warehouse.duckdb") as con:
        store_pages(con, "pets", records)
        read = read_products(con, "pets")
    assert [p.title for p in read] == ["Pet Harness-HOTS-PH001", "Bowls-HOTS-PB002",
                                       "Pet Scooper-HOTS-PS003"]  # fmt: skip
    captioner = RuleCaptioner()
    captioner.prepare(read)
    labels = [outcome.fields["label_short"] for _, outcome in captioner.caption_many(read)]
    assert labels == ["pet harness", "bowl", "pet scooper"]


def test_an_llm_sees_the_page_title_where_it_says_more_than_the_name() -> None:
    coded = ProductText("s", "http://s/1", "HOTS-PH001", title="Pet Harness-HOTS-PH001")
    prompt = product_prompt(coded)
    assert "Page title: Pet Harness-HOTS-PH001" in prompt
    assert product_from_prompt(prompt).title == coded.title
    assert "Page title" not in product_prompt(ProductText("s", "http://s/2", "Pet Harness"))
