"""General causes of wrong product types on unseen catalogs: a script the rules did not read
(Greek), brands in Latin letters on pages in another script, and the site's own population."""

from __future__ import annotations

from ilid_platform.captions.crumbs import url_listing
from ilid_platform.captions.filters import post_filter
from ilid_platform.captions.greek import greek_singular, greek_type
from ilid_platform.captions.language import guess_language, name_language
from ilid_platform.captions.morphology import singular
from ilid_platform.captions.rules import RuleCaptioner
from ilid_platform.captions.schema import ProductText
from ilid_platform.captions.titles import is_brand_and_code

IMAGES = ("http://shop.example/img/1.jpg",)
GREEK_TEXT = (
    "Η σειρά προσφέρει εξαιρετικές επιδόσεις στην υδροπίεση και ανεμοπίεση, με θερμοδιακοπή "
    "και πολλαπλά σημεία κλειδώματος για κάθε κατασκευή."
)


def _product(name: str, url: str = "http://shop.example/p", **fields) -> ProductText:
    return ProductText(source="s", url=url, name=name, image_urls=IMAGES, **fields)


def _labels(products: list[ProductText]) -> list[str]:
    captioner = RuleCaptioner()
    captioner.prepare(products)
    return [captioner.caption(p).fields["label_short"] for p in products]


def test_greek_plurals_and_genitive_qualifiers():
    assert guess_language("Πόρτες Ασφαλείας") == "el"
    assert greek_type(["Πόρτες", "PVC"]) == ["πόρτα", "PVC"]  # an acronym qualifies the head
    assert greek_singular("Συστήματα") == "σύστημα"  # the accent moves back a syllable
    assert greek_singular("Κουφώματα") == "κούφωμα"
    assert greek_singular("Βάσεις") == "βάση"
    assert greek_singular("Πόρτες") == "πόρτα"
    assert greek_singular("παντζούρια") == "παντζούρι"
    assert greek_type(["Βάσεις", "Στήριξης", "Φωτοβολταϊκών", "Συστημάτων"]) == [
        "βάση",
        "στήριξης",
        "φωτοβολταϊκών",
    ]
    assert _labels([_product("Πόρτες Ασφαλείας")]) == ["πόρτα ασφαλείας"]


def test_a_latin_brand_and_model_on_a_greek_page_takes_the_kind_of_its_listing():
    product = _product(
        "ELVIAL EL 4600", breadcrumbs=("Κουφώματα Αλουμινίου",), description=GREEK_TEXT
    )
    assert _labels([product]) == ["κούφωμα αλουμινίου"]
    # a Latin crumb on a Greek page is a brand or line, not a kind
    product = _product(
        "ALUPLAST 85", breadcrumbs=("Πόρτες PVC", "Aluplast"), description=GREEK_TEXT
    )
    assert _labels([product]) == ["πόρτα pvc"]


def test_an_english_name_on_a_page_in_another_script_is_read_in_english():
    assert name_language("Louvres Shading System", GREEK_TEXT) == "en"
    product = _product("Louvres Shading System", description=GREEK_TEXT)
    assert _labels([product]) == ["louvres shading system"]


def test_a_word_opening_every_page_title_is_the_brand_even_where_it_is_all_the_name():
    implements = ("Back Hoe", "Seed Drill", "Cultivator", "Dozer")
    products = [
        _product(name, url=f"http://shop.example/{i}", title=f"Acmetra {name} Implement")
        for i, name in enumerate(implements)
    ]
    products.append(
        _product("Acmetra 1502 DI", url="http://shop.example/t", title="Acmetra 1502 DI Tractor")
    )
    assert _labels(products)[-1] == "tractor"


def test_a_definition_needs_a_noun_phrase_after_its_verb():
    # an adverb or a passive participle after "is"/"are" is no kind of product
    text = "Sprayer is simply a pressurized tank used to distribute liquid pesticides."
    assert _labels([_product("Sprayer", description=text)]) == ["sprayer"]
    text = "To isolate and regulate hot flue gas Dampers are designed and supplied to industries."
    assert _labels([_product("DAMPERS", description=text)]) == ["damper"]


def test_a_name_whose_head_names_a_doer_is_a_kind_not_a_proper_name():
    # the text writes the name capitalised only, yet "cutter" names what the product does
    text = "Chaff Cutter is a mechanical tool that is generally used to cut the hay into pieces."
    assert _labels([_product("Chaff Cutter", description=text)]) == ["chaff cutter"]


def test_a_page_without_breadcrumbs_is_filed_in_the_directory_its_url_puts_it_in():
    assert url_listing("http://shop.example/d400-manhole-cover/qd-204.html") == "manhole cover"
    assert url_listing("http://shop.example/productos/panel-x/index.html") == "productos"
    assert url_listing("http://shop.example/qd-204.html") == ""
    copyright_only = "Copyright © Example Foundry Co., LTD. All Rights Reserved"
    pages = {
        "c250-plain-grating/qcp-750-400.html": "QCP-750*400",
        "d400-manhole-cover/qd-204.html": "Manufacture QD-204",
        "d400-manhole-cover/qde-r-800.html": "High Quality QDE-R-800",
        "b125-manhole-cover/qb-209.html": "China QB-209",
    }
    products = [
        _product(name, url=f"http://shop.example/{path}", description=copyright_only)
        for path, name in pages.items()
    ]
    assert _labels(products) == ["plain grating", *["manhole cover"] * 3]
    # where every page sits in one directory, the directory sorts nothing
    products = [
        _product(name, url=f"http://shop.example/products/{i}.html", description=copyright_only)
        for i, name in enumerate(pages.values())
    ]
    assert not any(_labels(products))


def test_an_exporters_trade_wording_around_a_name_is_no_kind():
    for name in ("High Quality QDE-R-800", "China QDK004", "QDPK004 Supplier", "Export QCP-75"):
        assert _labels([_product(name)]) == [""]
    assert _labels([_product("Bone China Cup")]) == ["bone china cup"]


def test_a_turkish_compound_keeps_the_chain_of_qualifiers_its_possessive_head_takes():
    text = "Turnikeler bina girişlerinde geçiş kontrolü için kullanılır ve güvenlik sağlar."
    name = "Hızlı Geçiş Turnikeleri"
    assert _labels([_product(name, description=text)]) == ["hızlı geçiş turnikesi"]
    # a marketing adjective is no part of the chain
    assert _labels([_product("Ekonomik Form Kanalı", description=text)]) == ["form kanalı"]


def test_a_heading_joining_two_kinds_is_no_listing_of_one():
    sheet = _product("Rubber Sheets", breadcrumbs=("Home", "Products", "Gaskets & Seals"))
    assert _labels([sheet]) == ["sheet"]  # (the material before the kind is not the kind)


def test_a_name_sure_of_a_head_first_language_keeps_its_order_on_a_page_in_another():
    german = (
        "Technische Eigenschaften: Behälter für die Mischung mit Gleichstrommotor, servobelüftet, "
        "Antrieb mit gleichbleibendem Drehmoment und Senkrechtbewegung des Kopfes."
    )
    assert name_language("Mescolatore orbitale MK-OR20", german) == "it"
    assert _labels([_product("Mescolatore orbitale MK-OR20", description=german)]) == [
        "mescolatore orbitale"
    ]
    assert _labels([_product("Carrello di pesatura MK-PE300", description=german)]) == [
        "carrello di pesatura"
    ]
    # an English name on such a page stays English
    assert name_language("Planetary Mixer", german) != "it"


def test_capitals_right_before_the_head_are_an_abbreviated_kind_not_a_code():
    text = "This panel is used for starting and stopping of motors in various industrial sectors."
    assert _labels([_product("MCC Panel", description=text)]) == ["mcc panel"]
    # capitals among other words, or beside a number, are still a model code
    assert _labels([_product("Remote Control RX 4 Unit", description=text)]) == ["remote control"]


def test_a_page_whose_text_is_all_the_sites_is_in_the_language_of_most_of_its_pages():
    address = (
        "No. 15, Nanda Mallick Lane, Near Girish Park Metro Station, Kolkata - 700006, "
        "West Bengal, India"
    )
    english = [
        ("Cementing Plug", "Cementing plugs, also known as rubber plugs, are offered by us."),
        ("Kelley Wiper", "We are engaged in the manufacture and supply of kelley wipers."),
        ("Valve Assembly", "Valve assembly for mud pumps and other spare parts for drilling."),
    ]
    products = [
        _product(name, url=f"http://shop.example/{i}", description=text)
        for i, (name, text) in enumerate(english)
    ]
    products += [
        _product(name, url=f"http://shop.example/a{i}", description=address)
        for i, name in enumerate(("Drill Pipe Wiper", "Mud Swivel Wash Pipe"))
    ]
    assert _labels(products)[3:] == ["drill pipe wiper", "wash pipe"]


def test_a_material_grade_with_digits_does_not_make_the_post_filter_drop_the_caption():
    product = _product("Lock Pin", specs={"Material": "EN-19"}, description="Lock pin for masts.")
    fields = RuleCaptioner().caption(product).fields
    caption, reason = post_filter(fields)
    assert reason is None and caption is not None and caption.label_short == "lock pin"


def test_a_roman_numeral_beside_a_brand_and_code_is_a_generation_not_a_word():
    assert is_brand_and_code("1999 KAWASAKI 85Z IV", "kawasaki")
    loader = _product("1999 KAWASAKI 85Z IV", title="1999 KAWASAKI 85Z IV | Máy xúc lật")
    assert _labels([loader]) == ["máy xúc lật"]


def test_a_romance_head_keeps_a_prefixed_qualifier_and_one_linked_by_a():
    spanish = "Protección respiratoria para trabajos con vapores y gases en la industria química."
    mask = _product("Máscara antigases doble filtro", description=spanish)
    assert _labels([mask]) == ["máscara antigases"]
    italian = "La valvola è costruita per impianti idraulici e industriali con tenuta perfetta."
    assert _labels([_product("Valvola a sfera", description=italian)]) == ["valvola a sfera"]


def test_west_slavic_plurals_of_agent_and_instrument_nouns():
    assert singular("Separátory", "cs") == "Separátor"
    assert singular("kompresory", "pl") == "kompresor"
    assert singular("čerpadla", "cs") == "čerpadlo"
    czech = "Separátory slouží k oddělení pevné a kapalné složky kejdy na farmách skotu a prasat."
    assert _labels([_product("Separátory BAUER", description=czech)]) == ["separátor"]


def test_arabic_and_hebrew_are_told_by_their_script_and_put_the_head_first():
    assert guess_language("مضخة مياه") == "ar" and guess_language("משאבת מים") == "he"
    # a Latin word among them is the brand
    assert _labels([_product("مضخة مياه Grundfos CR")]) == ["مضخة مياه"]
    assert _labels([_product("משאבת מים Grundfos")]) == ["משאבת מים"]


def test_an_apposition_after_a_dash_defines_a_proper_name_and_its_adjective_yields():
    text = (
        "Trunz Seawater System 300 - una móvil unidad de desalinización de agua salada con "
        "energía solar. Provee agua potable por hora de cualquier fuente de agua salada."
    )
    product = _product("Trunz Seawater System 300", description=text)
    assert _labels([product]) == ["unidad de desalinización"]


def test_a_kind_named_only_in_the_plural_stays_plural():
    assert singular("gafas", "es") == "gafas" and singular("Supplies", "en") == "Supplies"
    assert singular("tubos", "es") == "tubo"  # a countable kind still goes singular
    spanish = "Protección ocular frente a impactos y salpicaduras en el trabajo diario del taller."
    assert _labels([_product("Gafas de protección", description=spanish)]) == [
        "gafas de protección"
    ]
    english = "Rods, wire and flux for stick welding of mild and stainless steel in the workshop."
    assert _labels([_product("Arc Welding Supplies", description=english)]) == [
        "arc welding supplies"
    ]


def test_a_short_chinese_name_is_the_kind_whole_and_a_long_one_is_cut():
    text = "本设备用于水处理消毒，运行稳定，操作简单，广泛应用于医院、水厂和游泳池。"
    short = _product("二氧化氯发生器", description=text)
    materials = _product("不锈钢伸缩接头", description=text)  # a material before the kind
    long = _product("智能综合全程水处理器", description=text)
    assert _labels([short, materials, long]) == ["二氧化氯发生器", "伸缩接头", "处理器"]


def test_a_bare_turkish_head_keeps_an_adjective_and_drops_a_noun_before_it():
    text = "Güneş enerjisi sistemleri için yüksek verimli ürünler, uzun ömürlü ve dayanıklı yapı."
    inverter = _product("Modifiye Sinüs İnvertörler", description=text)
    handle = _product("Elektronik Kol", url="http://shop.example/q", description=text)
    assert _labels([inverter, handle]) == ["invertör", "elektronik kol"]


def test_first_words_that_vary_before_one_repeated_kind_are_brands():
    # "Mexxsun" and "Tommatech" open the same kind, and the texts never write them in lower
    # case: brands, so the whole Turkish compound is the kind
    text = "Yüksek verimli güç yönetimli şarj sayesinde akü ömrü uzar ve sistem performansı artar."
    names = [
        "Mexxsun Şarj Kontrol Cihazları",
        "Tommatech Şarj Kontrol Cihazları",
        "Güneş Panelleri",
    ]
    products = [
        _product(name, url=f"http://shop.example/{i}", description=text)
        for i, name in enumerate(names)
    ]
    assert _labels(products) == ["şarj kontrol cihazı", "şarj kontrol cihazı", "güneş paneli"]


def test_a_czech_adjective_agrees_with_its_noun_made_singular_and_a_preposition_links_a_use():
    czech = "Míchadla slouží k homogenizaci kejdy v jímkách a lagunách na farmách skotu a prasat."
    mixers = _product("Elektrická míchadla", description=czech)
    hutches = _product("Boudy pro telata", url="http://shop.example/q", description=czech)
    assert _labels([mixers, hutches]) == ["elektrické míchadlo", "boudy pro telata"]


def test_a_vietnamese_type_ends_at_a_word_the_text_uses_apart():
    # "định vị" (locate) is one word: the title uses it after another syllable, so the type
    # keeps both its syllables; "đào bánh" is never used apart, so the excavator's stays at three
    locator = _product(
        "Thiết bị định vị xe máy VT07",
        title="Lắp định vị xe máy, ô tô giá tốt",
        description="Bảo hành một năm trên toàn quốc, đổi trả sản phẩm nếu bị lỗi trong bảy ngày.",
    )
    excavator = _product(
        "Máy xúc đào bánh xích",
        url="http://shop.example/q",
        description="Máy đã qua sử dụng, nhập khẩu nguyên chiếc, hoạt động tốt.",
    )
    assert _labels([locator, excavator]) == ["thiết bị định vị", "máy xúc đào"]


def test_a_breadcrumb_enumerating_kinds_does_not_override_the_names_kind():
    text = "Декоративный элемент из полимерного камня для фасада, как и наши фризы."
    crumbs = ("Главная", "Каталог", "Панно, филенки, фризы")
    product = _product("Розетка РЗ-1", description=text, breadcrumbs=crumbs)
    assert _labels([product]) == ["розетка"]


def test_the_maker_after_by_is_no_part_of_the_type():
    assert _labels([_product("Workboats by Acme Marine")]) == ["workboat"]


def test_a_title_case_romance_name_keeps_its_linked_noun():
    text = "Bomba portátil para riego y obras con motor a gasolina de cuatro tiempos."
    assert _labels([_product("Bombas de Agua", description=text)]) == ["bomba de agua"]
    text = "Torre con cuatro lámparas para trabajos nocturnos en obra y eventos."
    assert _labels([_product("Torres de Iluminación", description=text)]) == [
        "torre de iluminación"
    ]


def test_a_chinese_colour_before_the_kind_is_no_part_of_it():
    assert _labels([_product("彩色气泡袋")]) == ["气泡袋"]


def test_a_name_in_sentences_is_read_at_its_first():
    name = "Compact differential pressure switch. Rating up to 10A Type XB"
    assert _labels([_product(name)]) == ["pressure switch"]


def test_a_count_of_parts_after_the_kind_ends_the_name():
    assert _labels([_product("Thermal fuse links 2 holes dia 4mm spacing 12mm")]) == ["fuse link"]
