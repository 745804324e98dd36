"""The offline rule captioner on realistic catalog pages."""

from __future__ import annotations

import pytest

from ilid_platform.captions.filters import post_filter, trade_name_pattern
from ilid_platform.captions.rules import RULES_VERSION, RuleCaptioner, singular, strip_codes
from ilid_platform.captions.schema import ProductText

ACME = r"(?i)\b(?:acme|torqlok|fixmaster(?: pro)?|duragrip|steelmate|precisionline)\b"
BOLTBARN = r"(?i)\b(?:boltbarn|ironhold|barnmax|tufgrip|profix(?: 3000)?|heavyduty plus)\b®?"
CLAMPCO = r"(?i)\b(?:clampco|vertex|novagrip|titan-x|q-lock|meridian)\b"
IMAGES = ("http://shop.example/img/1.jpg",)


def _caption(regex: str | None, **product):
    product = ProductText(source="s", url="http://shop.example/p", image_urls=IMAGES, **product)
    outcome = RuleCaptioner(regex).caption(product)
    assert outcome.error is None
    return outcome.fields, post_filter(outcome.fields, trade_name_pattern(regex, product.brand))


def test_brief_example_hex_nut():
    fields, (caption, reason) = _caption(
        r"FixMaster(\s+Pro)?",
        name="FixMaster Pro Hex Nut M8 DIN 934, stainless steel A2",
        description="FixMaster Pro hex nuts lock bolts in machine frames. Rust free outdoors.",
        specs={"Material": "Stainless steel A2", "Finish": "Polished"},
        breadcrumbs=("Home", "Fasteners", "Hex nuts"),
    )
    assert reason is None, reason
    assert caption.label_short == "hex nut"
    assert caption.label_long == "hex nut, stainless steel"
    assert caption.material == "stainless steel"
    assert caption.material_finish == "polished"
    assert caption.description == "Hex nuts lock bolts in machine frames. Rust free outdoors."


@pytest.mark.parametrize(
    ("regex", "product", "expected"),
    [
        (
            ACME,
            {
                "name": "Acme FixMaster Pro Angle Bracket 40 x 40 mm - Aluminium, anodised",
                "specs": {
                    "Article no.": "AC-AB-31337",
                    "Material": "aluminium",
                    "Finish": "anodised",
                    "Brand": "Acme FixMaster Pro",
                },
                "breadcrumbs": ("Home", "Angle brackets", "Acme FixMaster Pro Angle Bracket"),
                "brand": "Acme",
            },
            ("angle bracket", "angle bracket, aluminium, anodised", "aluminium", "anodised"),
        ),
        (
            BOLTBARN,
            {
                "name": "ProFix 3000® Bolt M8 x 40, zinc-plated steel",
                "specs": {"Material": "zinc-plated steel", "Finish": "clear passivated"},
                "breadcrumbs": ("Home", "Fasteners"),
            },
            ("bolt", "bolt, zinc-plated steel", "zinc-plated steel", "clear passivated"),
        ),
        (
            CLAMPCO,
            {
                "name": "ClampCo Vertex Spur Gear | module 1.5, 24 teeth",
                "specs": {"Material": "black polyamide", "Finish": "matte"},
                "breadcrumbs": ("Home", "Spur gears"),
            },
            ("spur gear", "spur gear, black polyamide", "black polyamide", "matte"),
        ),
        (
            None,
            {
                "name": "Deep groove ball bearing 6204-2RS (20 x 47 x 14 mm), sealed",
                "specs": {"Material": "Chrome steel (100Cr6)", "Colour": "Silver"},
                "breadcrumbs": ("Home", "Bearings", "Ball bearings"),
            },
            (
                "ball bearing",
                "deep groove ball bearing, sealed, chrome steel",
                "chrome steel",
                "silver",
            ),
        ),
        (
            None,
            {
                "name": "Swivel castor 100 mm with brake, black",
                "description": "Swivel castor with top plate. The castor has a polyurethane "
                "tread and a steel housing.",
                "breadcrumbs": ("Home", "Castors"),
            },
            ("swivel castor", "swivel castor with brake, black", "polyurethane", "black"),
        ),
        (
            None,
            {
                "name": "Star grip knob M10 DIN 6336",
                "specs": {
                    "Body material": "Polyamide PA6, glass-fibre reinforced",
                    "Colour": "RAL 9005 jet black",
                },
            },
            ("star grip knob", "star grip knob, polyamide", "polyamide", "jet black"),
        ),
    ],
)
def test_realistic_products(regex, product, expected):
    fields, (caption, reason) = _caption(regex, **{"description": "", **product})
    assert reason is None, (reason, fields)
    assert (
        caption.label_short,
        caption.label_long,
        caption.material,
        caption.material_finish,
    ) == expected
    # the page's own text, or none: nothing is made up from the other fields
    assert caption.description == (product.get("description") or None)


def test_unstated_material_and_text_are_null_and_the_caption_is_kept():
    fields, (caption, reason) = _caption(
        None,
        name='Pipe clamp 1/2" with rubber insert, zinc plated',
        breadcrumbs=("Home", "Pipe clamps"),
    )
    assert reason is None  # ILID keeps it: label_short and label_long are there
    assert caption.label_short == "pipe clamp"
    assert caption.material_finish == "zinc plated"
    assert caption.material is None  # "zinc plated" is a finish and the insert an accessory
    assert caption.description is None  # the page has no text: none is made up


def test_long_description_keeps_whole_leading_sentences_within_thirty_words():
    text = (
        "Hexagon nut for machine screws and threaded rod. "
        "Stainless steel (A2) resists rust in damp and outdoor use. "
        "A polished, mirror-bright surface that is easy to clean. "
        "Trusted by professionals since 1987."
    )
    fields, (caption, reason) = _caption(
        ACME,
        name="Acme TorqLok Hex Nut M8 - Stainless Steel, polished",
        description=text,
        specs={"Material": "stainless steel", "Finish": "polished"},
    )
    assert reason is None
    assert caption.description == (
        "Hexagon nut for machine screws and threaded rod. Stainless steel (A2) resists rust in "
        "damp and outdoor use. A polished, mirror-bright surface that is easy to clean."
    )
    one_sentence = " ".join(f"word{chr(97 + i % 26)}" for i in range(45)) + "."
    fields, _ = _caption(None, name="Hex nut M8, steel", description=one_sentence)
    assert len(fields["description"].split()) == 30


def test_deterministic_and_model_identity_follows_the_regex():
    product = ProductText("s", "u", "Washer M8 DIN 125, brass, polished", image_urls=IMAGES)
    assert RuleCaptioner().caption(product) == RuleCaptioner().caption(product)
    assert RuleCaptioner().model == RULES_VERSION == "rules-v15"
    assert RuleCaptioner(ACME).model != RuleCaptioner(CLAMPCO).model
    with pytest.raises(Exception, match="unterminated|missing"):
        RuleCaptioner("(broken")


def test_helpers():
    assert strip_codes("Hex Nut M8 DIN 934, stainless steel A2") == "Hex Nut, stainless steel"
    assert strip_codes("Hinge 40 x 40 mm") == "Hinge"
    assert strip_codes("Art.-Nr. 4711 Hinge | 100 x 75 mm") == "Hinge"
    assert [singular(w) for w in ("hex nuts", "assemblies", "bushes", "glass", "valves")] == [
        "hex nut",
        "assembly",
        "bush",
        "glass",
        "valve",
    ]


def test_what_the_site_repeats_is_no_description_and_states_no_material():
    """A sentence several products' pages hold (the shop's blurb, a capabilities list) is the
    site's text: prepared with the site's products, the captioner neither describes a product
    with it nor takes a material from it; the site's shared text is part of the model id."""
    blurb = "We are here to provide best solutions for all your queries. Materials: brass."
    own = {
        "Gate Valve": "A gate valve shuts a pipe line off with a sliding wedge.",
        "Check Valve": "A check valve lets the medium flow one way only, closing on backflow.",
        "Globe Valve": "",
    }
    products = [
        ProductText("dwg", f"http://dwg/{i}", name, description=f"{text} {blurb}".strip(),
                    image_urls=IMAGES)
        for i, (name, text) in enumerate(own.items())
    ]  # fmt: skip
    alone = RuleCaptioner()
    assert alone.caption(products[0]).fields["material"] == "brass"
    captioner = RuleCaptioner()
    captioner.prepare(products)
    assert captioner.model.startswith(f"{RULES_VERSION}+site-")
    fields = [captioner.caption(p).fields for p in products]
    assert [f["description"] for f in fields] == [own["Gate Valve"], own["Check Valve"], None]
    assert [f["material"] for f in fields] == [None, None, None]
    assert [f["label_short"] for f in fields] == ["gate valve", "check valve", "globe valve"]
    other = RuleCaptioner()
    other.prepare(products[:1])  # one page repeats nothing
    assert other.model != captioner.model


def test_site_brand_opening_every_name_and_phrases_the_site_uses():
    """A word that opens every name of a site whose names end in their head is its brand
    ("가인 교반기": a Gain stirrer); a three-word name is its type unless its first word is
    unknown to the dictionary (a line's name) and no text says it."""
    names = ["가인 교반기", "가인 호스펌프", "가인 OH 라디칼수 발생기"]
    korean = [ProductText("gain", f"http://gain/{i}", n, image_urls=IMAGES) for i, n in
              enumerate(names)]  # fmt: skip
    captioner = RuleCaptioner()
    captioner.prepare(korean)
    assert [captioner.caption(p).fields["label_short"] for p in korean] == [
        "교반기", "호스펌프", "라디칼수 발생기"
    ]  # fmt: skip
    hoses = [
        ProductText("h", "http://h/1", "Sipper Aviation Hose", "Refuels aircraft.",
                    image_urls=IMAGES),
        ProductText("h", "http://h/2", "Wire Braid Hose", "Wire braid hoses carry oil.",
                    image_urls=IMAGES),
    ]  # fmt: skip
    captioner.prepare(hoses)
    assert [captioner.caption(p).fields["label_short"] for p in hoses] == [
        "aviation hose", "wire braid hose"
    ]  # fmt: skip


def test_sentence_case_name_ends_its_type_at_the_brand_and_a_stated_category_counts():
    fields = (
        RuleCaptioner()
        .caption(ProductText("v", "http://v/1", "Máy chiếu Panasonic PT-LW280", image_urls=IMAGES))
        .fields
    )
    assert fields["label_short"] == "máy chiếu"
    fields = (
        RuleCaptioner()
        .caption(
            ProductText(
                "v",
                "http://v/2",
                "Ravenna",
                "Mã: R1 Danh mục: Cơ bida, Cơ Longoni Từ khóa: cơ",
                breadcrumbs=("Trang chủ", "Ravenna"),
                image_urls=IMAGES,
            )  # fmt: skip
        )
        .fields
    )
    assert fields["label_short"] == "cơ bida"


@pytest.mark.parametrize(
    ("product", "material"),
    [
        # a material only of the kind in general, never this product's
        (
            {
                "name": "Petroleum Storage Tank",
                "description": "Petroleum storage tanks hold crude oil. These tanks are usually "
                "constructed from steel.",
            },
            None,
        ),
        # a machine's name and text speak of what it works, not of what it is made of
        (
            {
                "name": "Rubber Moulding Machine",
                "description": "The rubber moulding machine presses rubber parts in heated moulds.",
            },
            None,
        ),
        # ... unless the page says what it is built from
        (
            {
                "name": "Baling Press",
                "description": "Crafted from mild steel, this baling press lasts for decades.",
            },
            "mild steel",
        ),
        # materials listed together are what the product fits
        (
            {
                "name": "Quick Release Coupling",
                "description": "Quick release couplings are assembled to rubber and plastic hoses.",
            },
            None,
        ),
        # a finish beside a material given as initials is no part of it
        ({"name": "Laminar Flow Cabinet", "specs": {"Material": "G I Powder Coated"}}, "g i"),
        # a numbered spec row of the body gives its material, a grade code as written
        ({"name": "Задвижка", "specs": {"1. Корпус": "GGG40", "2. Клин": "EPDM"}}, "GGG40"),
        # "are of" in Spanish
        (
            {
                "name": "Turbina",
                "description": "Los componentes de la turbina son de acero inoxidable.",
            },
            "acero inoxidable",
        ),
        # materials in more languages: Russian, Korean, Chinese
        ({"name": "Плита", "specs": {"Материал": "углеродистая сталь"}}, "углеродистая сталь"),
        (
            {"name": "올스텐 교반기", "description": "올스텐 교반기는 스텐으로 만들었습니다."},
            "스테인리스",
        ),
        ({"name": "盖板", "description": "本盖板采用高标号混凝土浇筑而成。"}, "混凝土"),
    ],
)
def test_material_only_where_the_page_states_it_for_this_product(product, material):
    fields, (caption, reason) = _caption(None, **{"description": "", **product})
    assert reason is None, (reason, fields)
    assert caption.material == material


def test_first_person_company_marketing_is_no_description():
    """Catalog sentences about the company and its clients are no product's description; the
    page's own sentence after them is."""
    marketing = (
        "We are engaged in supplying a wide range of Hydraulic Cylinders to our prestigious "
        "clients. Our cylinders are highly acclaimed by the customers."
    )
    own = (
        "The double acting cylinder lifts loads of up to ten tonnes on presses and lifting "
        "tables. Its piston rod is hardened and ground for long seal life."
    )
    _, (caption, _) = _caption(None, name="Hydraulic Cylinder", description=f"{marketing} {own}")
    assert caption.description == own
    _, (caption, _) = _caption(None, name="Hydraulic Cylinder", description=marketing)
    assert caption.description is None


def test_company_statements_and_cut_excerpts_are_no_description_and_state_no_material():
    own = "The oil hose carries crude and refined oil at up to twenty bar in refineries and depots."
    _, (caption, _) = _caption(
        None,
        name="Oil Hose",
        description=f"Trelleborg Fluid Handling is part of Trelleborg Industrial Solutions. {own}",
    )
    assert caption.description == own
    snippet = (
        "All Types of Industrial & Automobiles, Bearings, V Belts, Oil Seals, Industrial ... "
        "Drive Shaft Coupling. Flex Coupling ... Flexible Rubber Coupling."
    )
    fields, (caption, _) = _caption(None, name="Oil Seals and Coupling", description=snippet)
    assert (caption.description, caption.material) == (None, None)
