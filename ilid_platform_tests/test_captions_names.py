"""The rule captioner's reading of real product names: their language, their head noun and
the catalog wording around them."""

from __future__ import annotations

from ilid_platform.captions.language import name_language
from ilid_platform.captions.morphology import singular
from ilid_platform.captions.rules import RuleCaptioner
from ilid_platform.captions.schema import ProductText

IMAGES = ("http://shop.example/img/1.jpg",)


def _product(name: str, url: str = "http://shop.example/p", **fields) -> ProductText:
    return ProductText(source="s", url=url, name=name, image_urls=IMAGES, **fields)


def _label(name: str, **fields) -> str:
    return RuleCaptioner().caption(_product(name, **fields)).fields["label_short"]


def test_a_name_without_text_is_english_when_the_dictionary_knows_its_words():
    # the n-gram model alone reads these four words as Italian (head first: "mini")
    assert name_language("Mini Pleat HEPA Filter", "") == "en"
    assert _label("Mini Pleat HEPA Filter", specs={"Material": "Fibre Glass"}) == "hepa filter"
    # one misspelt word beside known ones does not make it another language
    assert name_language("Catridge Gun", "") == "en"
    # words the English dictionary lacks, or a page with text of its own, decide otherwise
    assert name_language("Válvula de Cuadrante", "") != "en"
    assert name_language("Plataforma Cremallera Pec 90", "") != "en"
    text = "La plataforma está fabricada para trabajos en altura con motor eléctrico y freno."
    assert name_language("Motor Diesel", text) == "es"


def test_plural_of_a_word_the_dictionary_lacks_keeps_its_ie():
    assert singular("hoodies", "en") == "hoodie"
    assert singular("batteries", "en") == "battery"
    assert singular("cookies", "en") == "cookie"
    # Turkish capitals fold as Turkish writes them (İ is i): "İnvertörler" is "invertör"
    assert singular("İnvertörler", "tr") == "invertör"
    # an acronym's S is no plural ending: "UPS", "GPS" stay whole
    assert singular("UPS", "en") == "UPS"
    assert _label("Online UPS") == "online ups"


def test_manufacturer_in_a_place_is_no_part_of_the_name():
    assert _label("Dry Scrubber Manufacturer in Ahmedabad - Fumes Treatment") == "dry scrubber"
    assert _label("Exhaust Blower Manufacturer in Ahmedabad") == "exhaust blower"


def test_a_board_acronym_is_a_kind_not_a_code():
    assert _label("Raspberry Pi Sense HAT") == "sense hat"


def test_a_variant_before_the_name_gives_way_to_the_part_the_text_speaks_of():
    text = "Supports the Raspberry Pi 4. The Argon ONE Power Supply is UL listed and certified."
    names = ("EU Plug - Argon ONE Pi 4 Power Supply", "UK Plug - Argon ONE Pi 4 Power Supply")
    products = [
        _product(name, url=f"http://shop.example/{i}", description=text)
        for i, name in enumerate(names)
    ]
    captioner = RuleCaptioner()
    captioner.prepare(products)  # the variants share their text: neither page's own
    assert [captioner.caption(p).fields["label_short"] for p in products] == ["power supply"] * 2


def test_russian_adjective_in_the_genitive_qualifies_another_noun():
    assert _label("Мармит вторых блюд 8/7H") == "мармит"
    assert _label("Чехлы замкнутого коробчатого сечения") == "чехол"
    assert _label("Привод двустороннего/одностороннего действия Серия 92/93") == "привод"
    assert _label("Клапан предохранительный 17с28нж") == "клапан предохранительный"


def test_a_word_the_site_writes_only_as_a_proper_name_is_no_part_of_a_type():
    texts = {
        "Argon Fan HAT": "A fan HAT that the Argon ONE powers; it cools the board.",
        "Argon IR Remote": "Controls the Argon ONE case from across the room.",
        "Argon Expansion Board": "With the Argon board a SATA drive fits the case.",
        "Hex Nut M8": "Hex nuts lock bolts in machine frames.",
    }
    products = [
        _product(name, url=f"http://shop.example/{i}", description=text)
        for i, (name, text) in enumerate(texts.items())
    ]
    captioner = RuleCaptioner()
    captioner.prepare(products)
    assert captioner.sites["s"].proper_words == {"argon"}
    labels = [captioner.caption(p).fields["label_short"] for p in products]
    assert labels == ["fan hat", "ir remote", "expansion board", "hex nut"]


def test_a_kind_the_texts_write_in_lower_case_stays_though_most_names_hold_it():
    # "Hex" is in most names and written capitalised after "the": the texts also write it in
    # lower case, so it is a kind of nut or bolt, not a brand
    texts = {
        "Hex Nut M8": "Put the Hex nut M8 on M8 bolts.",
        "Hex Bolt M10": "Hex bolts hold frames; a hex nut locks them.",
        "Wing Nut M6": "A wing nut turns by hand.",
    }
    products = [
        _product(name, url=f"http://shop.example/{i}", description=text)
        for i, (name, text) in enumerate(texts.items())
    ]
    captioner = RuleCaptioner()
    captioner.prepare(products)
    assert captioner.sites["s"].proper_words == frozenset()
    labels = [captioner.caption(p).fields["label_short"] for p in products]
    assert labels == ["hex nut", "hex bolt", "wing nut"]


def test_an_english_type_takes_its_whole_modifier():
    # across particles, and to the object of an agent noun
    assert _label("Cross Over Bench") == "cross over bench"
    assert _label("DROP ON DEMAND PRINTER") == "drop on demand printer"
    assert _label("PLATE HEAT EXCHANGER GASKETS") == "heat exchanger gasket"
    # "power" and "water" are no agent nouns: the two-word type stays
    assert _label("Microsoft Xbox Series S 512GB Power Supply") == "power supply"
    assert _label("Industrial Drinking Water Cooler") == "water cooler"


def test_a_colour_in_more_languages_is_no_part_of_the_type():
    assert _label("Coolant 1L Merah") == "coolant"  # Indonesian: red
    assert _label("coolant 5L biru") == "coolant"
    assert _label("Coolant Gel") == "coolant gel"  # "gel" is no Dutch "gele"


def test_a_chinese_name_is_no_proper_name_for_want_of_capitals():
    # Chinese has no case: a name the text does not repeat still names its kind, and a
    # listing of another kind ("压力容器", pressure vessels) does not replace it (a name this
    # short is the kind whole)
    crumbs = ("主页", "产品中心", "压力容器")
    text = "本产品用于城市集中供热管网，结构紧凑，运行稳定，维护方便。"
    assert _label("热网加热器", breadcrumbs=crumbs, description=text) == "热网加热器"
    # a capitalised name the text never uses still gives way to its listing
    assert _label("Happy Ninja", breadcrumbs=("Home", "Hoodies"), description="Soft and warm.") == (
        "hoodie"
    )


def test_a_code_name_is_found_in_text_that_spaces_it_after_a_glued_full_stop():
    # the markup joined two paragraphs ("…Pháp.Mẫu"), and the text writes "BS19" as "BS 19";
    # the second sentence names a price ("giá"), shop text that goes
    text = (
        "Mẫu cơ Longoni BS 19 là dòng cơ 2 sao cổ điển của người Pháp.Mẫu cơ Longoni BS 19 "
        "có giá phổ thông."
    )
    assert _label("BS19", description=text) == "cơ"


def test_indonesian_and_czech_names_are_told_apart_and_read_head_first():
    text = "Panci kukus dengan tutup kaca, cocok untuk mengukus sayuran dan nasi di rumah."
    assert name_language("Panci kukus 30 cm 2 susun", text) == "id"
    # the noun and the word that qualifies it, which follows it; never a material
    assert _label("Panci kukus 30 cm 2 susun", description=text) == "panci kukus"
    assert _label("Panci stainless steel 26 cm", description=text) == "panci"
    text = "Míchadla kejdy jsou v zemědělství nepostradatelnými pomocníky pro každý statek."
    assert name_language("Traktorová míchadla", text) == "cs"


def test_an_article_opening_a_name_is_no_kind():
    assert _label("La pompe électrique") == "pompe électrique"
    assert _label("Una bomba sumergible") == "bomba sumergible"
