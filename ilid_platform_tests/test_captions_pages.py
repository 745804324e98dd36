"""The rule captioner on real product pages in several languages (texts as the crawl reads
them from corpus sites): product type, nulls where the page says nothing, no boilerplate."""

from __future__ import annotations

import pytest

from ilid_platform.captions.filters import post_filter
from ilid_platform.captions.language import guess_language
from ilid_platform.captions.page_text import real_description, sentences, stated_in_text
from ilid_platform.captions.part_type import clean_name
from ilid_platform.captions.rules import RuleCaptioner
from ilid_platform.captions.schema import ProductText

IMAGE = ("http://shop.example/img/1.jpg",)


def _kept(**product) -> dict:
    text = ProductText(source="s", url="http://shop.example/p", image_urls=IMAGE, **product)
    caption, reason = post_filter(RuleCaptioner().caption(text).fields or {})
    assert reason is None, reason
    return caption.model_dump()


@pytest.mark.parametrize(
    ("product", "label_short", "material"),
    [
        # English, head last, codes and brand cut
        ({"name": "G3 Medeco Aftermarket Key Blank"}, "key blank", None),
        (
            {
                "name": "Air Drill (Black) Hose",
                "description": "Air Drill Hose Application Recommended for heavy duty use. "
                "Construction Tube: Specially compounded Nitrile Rubber, Black.",
            },
            "air drill hose",
            "nitrile rubber",
        ),
        # German: the compound's tail, singular
        ({"name": "20 x KN95 (FFP2) Masken (4 Wochen Lieferzeit)"}, "maske", None),
        ({"name": "10 x Masken-Aufbewahrungsetui"}, "aufbewahrungsetui", None),
        # Spanish and Portuguese: head first, a material ends the phrase
        (
            {"name": "Válvula Check Horizontal Flangeada Hierro Fundido"},
            "válvula",
            "hierro fundido",
        ),
        ({"name": "Kit 2 lixeira inox redonda"}, "lixeira", "inox"),
        ({"name": "Suporte para TV fixo universal"}, "suporte", None),
        # Russian: noun with its qualifier, Latin brands cut, a material adjective is material
        (
            {"name": "Задвижка стальная клиновая с выдвижным шпинделем PN 1,6 МПа"},
            "задвижка клиновая",
            "сталь",
        ),
        ({"name": "Отбойный молоток Vasser Pro 2000 уд/мин 65Дж 2000Вт"}, "отбойный молоток", None),
        # Russian plurals in the singular (pymorphy3), the adjective agreeing; no prefix noun
        ({"name": "Шаровые краны 11с67п"}, "шаровой кран", None),
        ({"name": "Клапаны запорные 15с22нж"}, "клапан запорный", None),
        ({"name": "Клапан стальной запорный 15с22нж"}, "клапан запорный", "сталь"),
        ({"name": "Мини кассета 6 ячеек, 0.17л"}, "кассета", None),
        # English plurals by dictionary (lemminflect): not "knive", not "canva"
        ({"name": "Pocket Knives, 3 Blades"}, "pocket knife", None),
        ({"name": "Cotton Canvas"}, "canvas", "cotton"),
        # a part's material where no row states the product's ("Handle Material"); a value
        # that is only a grade keeps it
        (
            {
                "name": "Native, Pink FRN Handle, Plain",
                "specs": {"Handle Material": "FRN, Pink"},
                "breadcrumbs": ("Smullin Supply", "Knives", "Native"),
            },
            "knife",
            "frn",
        ),  # fmt: skip
        (
            {"name": "3PC Ball Valve", "description": "Materials : CF8M, CF8, CF3M, WCB."},
            "ball valve",
            "CF8M",
        ),
        # a material in a sentence about other products or not about this one is none of its
        (
            {
                "name": "Шаровые краны 11с67п",
                "description": "Краны для воды. Также мы поставляем шаровые краны из ПВХ.",
            },
            "шаровой кран",
            None,
        ),  # fmt: skip
        (
            {
                "name": "Motor marino 8 HP",
                "description": "Portátil. Su uso varía desde un dingui hasta un cayuco de madera.",
            },
            "motor marino",
            None,
        ),  # fmt: skip
        # a type the page states wins
        (
            {
                "name": "Мультитул DeWalt аккумуляторный, 3300 об/мин",
                "description": "Артикул: 1628352218 Тип продукта: Набор электроинструмента 12 000₽",
            },
            "набор электроинструмента",
            None,
        ),
        # Chinese: model code cut, the last words of the segmented name
        ({"name": "VSSJAFC型可拆式双法兰传力接头"}, "传力接头", None),
        # French: a name in parts is read where the text speaks of it
        (
            {
                "name": "L'Unica - Support bois 1 flacon",
                "description": "Support de style pour le service des vins en flacon à l'unité. "
                "Portoir en bois vernis, rainuré.",
            },
            "support",
            "bois",
        ),
        # a project name under a category: the category
        (
            {"name": "Happy Ninja", "breadcrumbs": ("Clothing", "T-shirts", "Happy Ninja")},
            "t-shirt",
            None,
        ),
        # a technical name under a broad category keeps its own type
        (
            {"name": "Bolt M8 x 40, zinc-plated steel", "breadcrumbs": ("Home", "Fasteners")},
            "bolt",
            "steel",
        ),
    ],
)
def test_product_type_and_stated_material(product, label_short, material):
    caption = _kept(**product)
    assert caption["label_short"] == label_short
    assert caption["material"] == material


@pytest.mark.parametrize(
    "text",
    [
        "Pellentesque habitant morbi tristique senectus et netus et malesuada fames ac turpis "
        "egestas. Vestibulum tortor quam, feugiat vitae, ultricies eget, tempor sit amet, ante.",
        "This is a simple product.",
        "Назад Артикул: 1013678863 Страна производтсва: Китай Тип продукта: Заклепочник 6 500₽ "
        "Заказать по звонку",
        "Você está em: Home > Chuveiro Eletrônico Lorenzetti",
        "Articulated Arm Assembly line Crankshaft Bearing Pressing Machine Cylinder Head Line "
        "Engine Assembly Trolly Jib Crane Manipulator",
        "巩义市华鼎伸缩接头专业制造厂生产各种压盖式伸缩接头，并为您提供优质的产品售后服务，请拨打咨询电话：400-6596-332",
        "Medeco G3 Aftermarket Key Blank in Nickle Silver",
    ],
)
def test_shop_theme_and_template_text_is_no_description(text):
    assert real_description(text, "G3 Medeco Aftermarket Key Blank") is None


def test_real_text_is_kept_without_its_shop_sentences():
    text = (
        "Diese Filtereinlagen erfüllen die KN95 Norm. Sie passen in jede wiederverwendbare "
        "Maske. Versanddauer Der Versand für diesen Artikel dauert ca. 3-4 Wochen. "
        "In den Warenkorb legen."
    )
    assert real_description(text, "Filterpads") == (
        "Diese Filtereinlagen erfüllen die KN95 Norm. Sie passen in jede wiederverwendbare Maske."
    )


def test_unstated_fields_are_null_and_languages_are_told_apart():
    caption = _kept(name="Cadeado 35MM")
    assert (caption["label_short"], caption["material"], caption["description"]) == (
        "cadeado",
        None,
        None,
    )
    assert clean_name("Мультитул DeWalt аккумуляторный, 3300 об/мин, 1200Вт") == (
        "Мультитул аккумуляторный"
    )
    assert stated_in_text("Тип продукта: Перфоратор 3 800₽", "type") == "Перфоратор"
    assert [
        guess_language(t) for t in ("Задвижка", "伸缩接头", "Die Maske ist für den Schutz")
    ] == [
        "ru",
        "zh",
        "de",
    ]


@pytest.mark.parametrize(
    ("product", "label_short"),
    [
        # Turkish: told by its letters, head last, a plural possessive made singular; the
        # listing crumb "Ürünlerimiz" (our products) names no kind
        (
            {
                "name": "TOPRAKLAMA ÇUBUKLARI",
                "description": "Bakır kaplı topraklama çubukları, toprak direncini düşürür.",
                "breadcrumbs": ("Anasayfa", "Ürünlerimiz", "TOPRAKLAMA ÇUBUKLARI"),
            },
            "topraklama çubuğu",
        ),
        (
            {"name": "H:60 NORMAL KABLO KANALLARI", "description": "Ağır hizmet tipi."},
            "kablo kanalı",
        ),
        # catalog wording around the name is no part of it
        (
            {
                "name": "Storage Tanks Manufacturer and Supplier in India",
                "description": "These tanks hold water for homes and farms.",
            },
            "storage tank",
        ),
        ({"name": "Characteristics Of Distillation Column"}, "distillation column"),
        ({"name": "Pressure Vessel Specification"}, "pressure vessel"),
        # a generic last word after a noun; a gerund before it keeps it
        ({"name": "Four Pillar Hydraulic Press Machine"}, "hydraulic press"),
        ({"name": "CRIMPING MACHINE", "breadcrumbs": ("PRODUCTS", "HOSES")}, "crimping machine"),
        # two kinds joined: the first; a shared adjective: the whole
        ({"name": "Oil Seals and Coupling"}, "oil seal"),
        ({"name": "Domestic & Commercial RO System"}, "ro system"),
        # three nouns are one compound where the text uses the first of them
        (
            {
                "name": "Pressure Reducing Valve",
                "description": "Keeps the downstream pressure constant whatever the inlet.",
            },
            "pressure reducing valve",
        ),
        # a proper name: the kind a definition gives it (German), or the words before brand
        # and name (Vietnamese)
        (
            {
                "name": "EDATON®",
                "description": "EDATON® ist ein natürlicher Calcium-Bentonit, der als "
                "Bodenhilfsstoff die Bodeneigenschaften verbessert.",
            },
            "bentonit",
        ),
        (
            {
                "name": "Ravenna",
                "description": "Mẫu cơ Longoni Ravenna là mẫu cơ răng gỗ với ngọn maple. "
                "Cơ được sơn ba lớp.",
                "breadcrumbs": ("Trang chủ", "Ravenna"),
            },
            "cơ",
        ),
        # a name that says no kind, without crumbs: the text's opening words
        (
            {
                "name": "Carboma с металлическими дверьми",
                "description": "Холодильные шкафы с металлическими дверьми Carboma надёжны.",
            },
            "холодильный шкаф",
        ),
        # a Latin crumb on a Russian page is a brand, never the kind
        (
            {
                "name": "Электропривод Серия 70",
                "breadcrumbs": ("Главная", "Bray", "Серия 70"),
            },
            "электропривод",
        ),
    ],
)
def test_product_type_in_more_languages_and_catalog_structures(product, label_short):
    assert _kept(**product)["label_short"] == label_short


def _site(*products: dict) -> list[str]:
    """label_short of each product, the site's pages read together first (`prepare`)."""
    texts = [ProductText("s", f"http://s/{i}", image_urls=IMAGE, **p) for i, p in
             enumerate(products)]  # fmt: skip
    captioner = RuleCaptioner()
    captioner.prepare(texts)
    return [captioner.caption(t).fields["label_short"] for t in texts]


def test_a_singular_heading_is_a_field_of_use_and_a_plural_listing_a_kind():
    """Under "Drip Irrigation" (singular: a field of use) each product is what its name says,
    even where its text speaks only of irrigation; under "Knives" (plural: one kind) a
    proper name is a knife."""
    irrigation = "Ideal for isolation in irrigation lines and overhead sprinkler systems."
    trail = ("Home", "Drip Irrigation")
    assert _site(
        {"name": "Pressure Gauge", "description": irrigation, "breadcrumbs": trail},
        {"name": "Air Release Valve", "breadcrumbs": trail},
        {"name": "Y-Type Filter", "breadcrumbs": trail},
        {"name": "Master Hunter", "breadcrumbs": ("Home", "Outdoor", "Knives")},
    ) == ["pressure gauge", "air release valve", "y-type filter", "knife"]


def test_the_trail_opener_of_every_page_is_navigation_and_a_name_after_de_is_the_kind():
    """A company name opening every trail ("Hidro") is no product type; "una gama de Grúas
    Torre" makes the name the kind, not a proper name framed by "de"; the adjective agrees
    with its singular noun."""
    assert _site(
        {
            "name": "Grúas Torre",
            "description": "La serie LC es nueva. Se trata de una gama de Grúas Torre sin "
            "cúspide compuesta de 4 modelos.",
            "breadcrumbs": ("Hidro", "Grúas Torre"),
        },
        {
            "name": "Generadores Insonorizados",
            "description": "Grupos electrógenos con cabina insonorizada y tableros.",
            "breadcrumbs": ("Hidro", "Generadores Insonorizados"),
        },
        {"name": "Plataformas Colgantes", "breadcrumbs": ("Hidro", "Plataformas Colgantes")},
    ) == ["grúa", "generador insonorizado", "plataforma colgante"]


@pytest.mark.parametrize(
    ("product", "label_short", "material"),
    [
        # a Latin "c" typed inside a Russian word is read as Cyrillic
        ({"name": "Трубы беcшовные"}, "труба бесшовная", None),
        # a resin named in a Chinese name is its material
        ({"name": "聚氨酯耐磨地坪"}, "耐磨地坪", "聚氨酯"),
        # glass fabric is no glass
        (
            {
                "name": "Сильфон защитный",
                "description": "Сильфон изготовлен из стеклоткани с силиконовым покрытием.",
            },
            "сильфон защитный",
            "стеклоткань",
        ),
    ],
)
def test_lookalike_letters_resins_and_fabrics(product, label_short, material):
    caption = _kept(**product)
    assert (caption["label_short"], caption["material"]) == (label_short, material)


def test_a_full_stop_glued_to_the_next_sentence_ends_it():
    assert sentences("Made in France.With a steel frame and a cover.") == [
        "Made in France.",
        "With a steel frame and a cover.",
    ]
    # initials, abbreviations and a domain with no word after it stay whole
    kept = "U.S.A made e.g.Foo bar, sold on Authorize.Net , example.com."
    assert sentences(kept) == [kept]


def test_questions_to_the_reader_and_company_introductions_are_no_description():
    text = (
        "Zaujaly vás cisterny firmy BAUER? Neváhejte se zeptat na podrobnosti k nabídce. "
        "Cisterny na kejdu se vyrábějí v objemech od osmi do dvaceti kubíků, s nástavbou "
        "pro zapravení kejdy do půdy."
    )
    assert real_description(text, "Cisterny").startswith("Cisterny na kejdu se vyrábějí")
    intro = "Rudra Engineers is the High Level Company For the MCC Panel Manufacturers in India."
    assert real_description(intro, "MCC Panel") is None
    assert real_description("We feel glad to introduce ourselves as makers.", "Panel") is None


def test_a_model_code_name_takes_its_kind_from_prose_never_from_a_spec_row():
    text = "Questo sollevatore è stato studiato per il mescolatore. Portata: 500 kg."
    assert (
        RuleCaptioner()
        .caption(
            ProductText(
                source="s",
                url="http://shop.example/p",
                name="MU12",
                description=text,
                image_urls=IMAGE,
            )
        )
        .fields["label_short"]
        == "sollevatore"
    )
    text = "Technische Eigenschaften: Leistung : 200 Tonnen. Max. Druck : 300 bar."
    caption = RuleCaptioner().caption(
        ProductText(
            source="s",
            url="http://shop.example/p",
            name="P200T",
            description=text,
            image_urls=IMAGE,
        )
    )
    assert caption.fields["label_short"] == ""
