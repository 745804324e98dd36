"""Materials the rule captioner reads where a page states what a product is built of."""

from __future__ import annotations

from ilid_platform.captions.filters import post_filter
from ilid_platform.captions.materials import material_evidence
from ilid_platform.captions.rules import RuleCaptioner
from ilid_platform.captions.schema import ProductText

IMAGES = ("http://shop.example/img/1.jpg",)


def _product(name: str, description: str, index: int = 0) -> ProductText:
    return ProductText(
        source="s",
        url=f"http://shop.example/{index}",
        name=name,
        description=description,
        image_urls=IMAGES,
    )


def _material(name: str, description: str) -> str | None:
    return RuleCaptioner().caption(_product(name, description)).fields["material"]


def test_a_part_of_a_material_without_a_verb_of_making():
    text = "Descripción: cuerpo y disco de hierro ASTM A126 clase B, con extremos flangeados."
    assert _material("Válvula de Cuadrante", text) == "hierro"
    text = "Descripción: cuerpo hierro dúctil ASTM A536, empaque de hule ASTM D2000."
    assert _material("Acoples Vitaulic", text) == "hierro dúctil"
    text = "Slim aluminum enclosure, made with aluminum alloy and polished with a grey finish."
    assert _material("Argon NEO Case", text) == "aluminium"


def test_what_variants_share_states_their_material_but_not_what_the_whole_site_says():
    shared = "Корпус выполнен из окрашенной оцинкованной стали с пенополиуретановым заполнением."
    variants = [
        _product("Холодильный шкаф Капри П-390М", f"Шкаф для напитков. {shared}", 0),
        _product("Холодильный шкаф Капри 0,5 МВ", f"Шкаф для продуктов. {shared}", 1),
        _product("Плита электрическая 724Ш", "Плита для кухни ресторана.", 2),
    ]
    captioner = RuleCaptioner()
    captioner.prepare(variants)
    assert [captioner.caption(p).fields["material"] for p in variants] == ["сталь", "сталь", None]
    # a sentence on most pages of the site is the company's, not a product's
    blurb = "Все изделия выполнены из нержавеющей стали."
    pages = [_product(f"Шкаф {i}", f"Шкаф номер {i} для кухни. {blurb}", i) for i in range(4)]
    captioner.prepare(pages)
    assert {captioner.caption(p).fields["material"] for p in pages} == {None}


def test_what_a_package_holds_besides_the_product_states_no_material():
    text = (
        "Adds M.2 SATA SSD support to the Raspberry Pi 4 board. Package includes: M.2 SSD "
        "Sata Board, USB3.0 Bridge, plastic bottom, 4 rubber footing, and instruction manual"
    )
    assert _material("Argon ONE M.2 Expansion Board", text) is None
    # a material the text states for the product itself still counts
    text = "The expansion board is made of aluminium. Package includes: 4 rubber feet."
    assert _material("Argon ONE M.2 Expansion Board", text) == "aluminium"


def test_a_material_line_that_names_none_leaves_the_text_to_say_it():
    text = (
        "При работе с крепежными изделиями и механизмами в строительных работах часто "
        "используется стальной прокат шестигранного сечения — стальной шестигранник. "
        "Материал: Точность прокатки также может быть разной."
    )
    assert _material("Шестигранник", text) == "сталь"
    # an accessory's few words after "with" name no material of the product
    assert _material("Cable Tie", "A cable tie with rubber insert for bundling.") is None


def test_vietnamese_words_of_making_name_the_material():
    # the text names the leather of the grip first; what the cue is made of follows "chế tác từ"
    text = "Mẫu cơ Ravenna có tay cầm leather, được chế tác từ gỗ trăn cao cấp của Ý."
    assert _material("Cơ bida Ravenna", text) == "gỗ"


def test_italian_czech_and_indonesian_words_of_making_and_material_lines():
    text = "La struttura è realizzata in acciaio elettrosaldato. I piani sono lisci."
    assert _material("Pressa idraulica P30", text) == "acciaio"
    assert _material("Míchadlo kejdy", "Míchadlo je vyrobeno z nerezové oceli.") == "nerez"
    # "Bahan" is Indonesian for material; the part it names ("Bodi") is no part of the value
    product = ProductText(
        source="s",
        url="http://shop.example/p",
        name="Panci susu 17 cm",
        description="Panci susu untuk dapur.",
        specs={"Bahan": "Bodi Stainless Steel"},
        image_urls=IMAGES,
    )
    assert RuleCaptioner().caption(product).fields["material"] == "stainless steel"
    # a trade name for a material is the page's own word, not its chemical name
    assert _material("Cetakan kue", "Cetakan kue dari bahan teflon anti lengket.") == "teflon"


def test_spanish_made_with_and_stainless_alone():
    text = "Potabilizadora ligera. Fabricado con un casco anti-choque, inoxidable; lista para usar."
    assert _material("Potabilizadora compacta", text) == "inoxidable"


def test_a_material_in_free_text_is_the_products_only_beside_its_words():
    # the page names several materials: the one on another thing the sentence names is not
    # the product's
    text = "Flexible hose rated to 85 bar, while a mixer upstream blends the concrete with steel."
    assert _material("Flexible Hose", text) is None
    text = "Flexible hose of woven steel wire, rated to 85 bar, carries concrete and mortar."
    assert _material("Flexible Hose", text) == "steel"


def test_what_a_product_is_for_names_no_material_of_it():
    assert _material("Wire Brush for Steel", "A wire brush for workshops.") is None
    assert _material("Steel Wire Brush", "A wire brush for workshops.") == "steel"
    text = "Ein Bohrer für Beton, gehärtet und geschliffen."
    assert _material("Bohrer", text) is None


def test_a_material_line_in_running_text_must_name_a_material_or_a_grade():
    assert _material("Chaqueta enguatada", "Chaqueta de trabajo. Material: ultraliviano.") is None
    text = "Swing check valve for water lines. Material: WCB, CF8, CF8M etc."
    assert _material("Swing Check Valve", text) == "wcb"


def test_a_colour_in_free_text_is_no_finish_but_a_stated_one_is():
    captioner = RuleCaptioner()
    laser = _product("Laser Projector", "A laser projector with a bright red beam for parties.")
    assert captioner.caption(laser).fields["material_finish"] is None
    stated = _product("Shelf Bracket", "Steel shelf bracket. Finish: powder coated.")
    assert captioner.caption(stated).fields["material_finish"] == "powder coated"
    # what the product is for names another thing's finish
    cleaner = _product("Surface Cleaner", "A mild cleaner for painted surfaces and glass.")
    assert captioner.caption(cleaner).fields["material_finish"] is None


def _specced(name: str, specs: dict[str, str], description: str = "") -> dict:
    product = ProductText(
        source="s",
        url="http://shop.example/p",
        name=name,
        description=description,
        specs=specs,
        image_urls=IMAGES,
    )
    return RuleCaptioner().caption(product).fields


def test_a_stated_value_names_its_first_material_without_what_follows_it():
    for value, expected in (
        ("Aluminium with moulded rubber", "aluminium"),
        ("Natural rubber and nitrile rubber", "natural rubber"),
        ("Rubber + MS", "rubber"),
        ("ASBESTOS MOULDED.", "asbestos"),
        ("Stainless steel grade 304", "stainless steel"),
    ):
        assert _specced("Brake Shoe", {"Material": value})["material"] == expected


def test_a_grade_opening_a_stated_value_is_the_material_and_keeps_the_caption():
    fields = _specced("Mud Swivel Wash Pipe", {"Material": "EN 19 with Hard Chrome"})
    assert fields["material"] == "EN 19"
    # the grade stays out of label_long, which the post-filter keeps free of digits
    caption, reason = post_filter(fields)
    assert reason is None and caption is not None and caption.material == "EN 19"


def test_a_label_that_is_a_material_with_a_grade_for_value():
    assert _specced("EL 6500", {"Κράμα Αλουμινίου": "AIMgSI 0.5 F22"})["material"] == (
        "κράμα αλουμινίου"
    )
    text = "ΤΕΧΝΙΚΑ ΧΑΡΑΚΤΗΡΙΣΤΙΚΑ Κράμα αλουμινίου: EN AW 6060 T6 Σκληρότητα: 12 Webster"
    assert _material("EWS 40", text) == "κράμα αλουμινίου"
    # a pane's thickness is no grade of a material
    assert _specced("Shower Door", {"Glass": "6 mm"})["material"] is None


def test_a_material_stated_with_is_or_consists_of_or_after_a_frame():
    text = "Conductor bar for cranes. The conductor Material is Copper (500Amps, 800Amps)."
    assert _material("DSL Bus Bar System", text) == "copper"
    text = "Σύστημα στήριξης που αποτελείται από τεγίδες αλουμινίου και υποδομή από χάλυβα."
    assert _material("EUROPA SUN 2200", text) == "αλουμίνιο"
    text = "Κατασκευάζεται εξολοκλήρου από υψηλής ανθεκτικότητας κράμα αλουμινίου 6060 Τ66."
    assert _material("EUROPA SUN 4400", text) == "κράμα αλουμινίου"
    assert _material("Corroyeuse", "Capacité 220 x 140 mm, bati fonte. Outillage neuf.") == "fonte"
    text = "Tipo de celda policristalina, 60 celdas. Marco de aluminio anodizado."
    assert _material("Paneles Canadian Solar 270W", text) == "aluminio"


def test_an_enumeration_names_what_the_product_works_on_not_its_material():
    text = "This plough is suitable for all types of crops like Cotton, Sugarcane, Wheat, Pulses."
    assert _material("Chisel Plough", text) is None
    assert _material("Chisel Plough", "This plough is made of cotton.") == "cotton"


def test_a_word_after_type_or_style_in_a_name_is_a_design_not_a_material():
    text = "Το σύστημα κάγκελων αποτελείται από κυλινδρικά προφίλ αλουμινίου."
    assert _material("Τύπου INOX", text) == "αλουμίνιο"
    assert _material("Railing Style Bronze", "A railing for balconies.") is None
    assert _material("Bronze Railing", "A railing for balconies.") == "bronze"


def test_a_machine_names_the_material_it_works():
    # "Metal Inert Gas" is a welding process: a welder's name speaks of what it joins
    product = _product("Metal Inert Gas", "MIG welders from top brands.")
    assert material_evidence(product, kind="mig welder") == (None, "")


def test_a_finish_inside_a_longer_material_word_is_none():
    product = _product("Panel Solar poli-cristalino 270W", "Panel solar de 60 células.")
    fields = RuleCaptioner().caption(product).fields
    assert fields["material"] == "policristalino"
    assert fields["material_finish"] is None
    # an available colours line states the colour
    text = "Overol enterizo. • Colores disponibles: Negro. • Unisex."
    assert RuleCaptioner().caption(_product("Overol", text)).fields["material_finish"] == "negro"


def test_a_name_that_is_only_a_code_leaves_the_title_to_name_the_material():
    def titled(name: str) -> ProductText:
        return ProductText(
            source="s",
            url="http://shop.example/p",
            name=name,
            title="Silicone Toys-HOTS-PTS001",
            description="Office: No.10, Garden Road.",
            image_urls=IMAGES,
        )

    assert material_evidence(titled("HOTS-PTS001"), kind="toy") == ("silicone", "name")
    # a name with words of its own is the product's name; the title is not read
    assert material_evidence(titled("Chew Toy"), kind="toy") == (None, "")


def test_a_material_named_as_a_look_a_coating_or_a_trade_is_none():
    assert _material("Fry Pan 24 cm Marble coating", "Anti-stick fry pan, food grade.") is None
    assert _material("Laminate Floor, wood effect", "A laminate floor for offices.") is None
    # a trade that works a material is no material of the product
    assert _material("Slurry Pump", "The slurry pump serves the steel industry.") is None
    # the material itself still counts
    assert _material("Marble Tile", "A tile for floors.") == "marble"


def test_a_material_in_the_middle_of_a_list_is_what_the_product_fits():
    text = "LED panels are the backlighting for translucent stone like onyx, marble or alabaster."
    assert _material("Backlit LED Panel", text) is None


def test_a_composite_named_after_its_fibre_is_no_glass():
    text = "Lancha ligera. El casco de la lancha es de fibra de vidrio reforzada."
    assert _material("Lancha", text) == "fibra de vidrio"


def test_the_colour_of_a_lamps_light_is_no_finish():
    product = _product("LED Strip Light 12V, 6000K Cool White", "An LED strip for shelves.")
    assert RuleCaptioner().caption(product).fields["material_finish"] is None
    product = _product("LED Strip Light 12V, White", "An LED strip for shelves.")
    assert RuleCaptioner().caption(product).fields["material_finish"] == "white"


def test_a_stated_finish_is_the_clause_that_names_one():
    fields = _specced("Air Shower", {"Color": "S.S Finish / Powder Coated"})
    assert fields["material_finish"] == "powder coated"


def test_a_colour_after_a_size_ending_a_name_is_the_variants():
    product = _product("Coolant 1L Merah", "Radiator coolant for cars.")
    assert RuleCaptioner().caption(product).fields["material_finish"] == "merah"
    # a colour opening a name is too often a model's name
    product = _product("Black Fox 2", "A cue for carom.")
    assert RuleCaptioner().caption(product).fields["material_finish"] is None


def test_surface_finishing_rows_state_the_finish():
    assert _specced("Pass Box", {"Surface Finishing": "Matt Finish"})["material_finish"] == (
        "matt finish"
    )
    fields = _specced("Hydraulic Cylinder", {"Finishing Type": "Polished"})
    assert fields["material_finish"] == "polished"


def test_a_series_before_a_material_is_a_range_not_a_design_name():
    assert _material("300 Series Stainless Steel Sink", "A sink.") == "stainless steel"


def test_words_of_making_count_beside_a_shop_word():
    text = (
        "Mẫu cơ BS 19 là dòng cơ cổ điển. Mẫu cơ BS 19 được thiết kế từ các chất liệu gỗ cao "
        "cấp, trong tầm giá cơ phổ thông."
    )
    assert _material("BS19", text) == "gỗ"


def test_a_cleaner_or_glue_names_the_material_it_works_on():
    product = _product("Stainless Steel Cleaner 500 ml", "Removes fingerprints.")
    assert material_evidence(product, kind="stainless steel cleaner") == (None, "")
    product = _product("Wood Glue D3", "Water resistant glue.")
    assert material_evidence(product, kind="wood glue") == (None, "")
    # what such a product is made of, where the page says it, still counts
    product = _product("Glue Gun", "The glue gun is made of aluminium.")
    assert material_evidence(product, kind="glue gun") == ("aluminium", "built")


def test_the_last_item_of_a_list_of_nutrients_is_no_material():
    text = "Η μελιτζάνα είναι πλούσια σε μέταλλα όπως ασβέστιο, κάλιο και σίδηρο."
    assert _material("Μελιτζάνες", text) is None
    text = "Οι πατάτες περιέχουν μαγνήσιο, βιταμίνη C, σίδηρο και άμυλο."
    assert _material("Πατάτες", text) is None


def test_a_part_named_inside_a_spec_value_is_no_material():
    product = ProductText(
        source="s",
        url="http://shop.example/0",
        name="Sensor KFPS",
        description="",
        image_urls=IMAGES,
        specs={"Housing Material": "Case : ABS / Lens : Acrylic"},
    )
    assert RuleCaptioner().caption(product).fields["material"] == "abs"


def test_a_blend_of_polymers_is_named_whole():
    text = "Housing: IP44, 77,5 x 54 x 53 mm, black PC-ABS, UL94V0. High impact resistance."
    assert _material("IP44 housing bulb and capillary thermostat", text) == "PC-ABS"


def test_a_one_character_chinese_material_closing_a_compound_is_the_compound():
    assert _material("彩色珍珠棉板材", "") == "珍珠棉"
    assert _material("岩棉保温板", "") == "岩棉"


def test_a_material_in_a_company_name_is_no_products():
    text = (
        "At Delta Steel Tubes Industries our skilled staff and extensive facilities allow us to"
        " manufacture fasteners to high standards."
    )
    assert _material("Fasteners", text) is None


def test_a_sentence_naming_other_products_of_the_site_is_a_menu():
    menu = "steel pipes bending pipes furniture pipes oxygen lancing pipes crank shafts fasteners"
    names = ["Bending Pipes", "Furniture Pipes", "Oxygen Lancing Pipes", "Crank Shafts"]
    products = [_product(name, f"{name} {menu}", index) for index, name in enumerate(names)]
    captioner = RuleCaptioner()
    captioner.prepare(products)
    assert captioner.caption(products[0]).fields["material"] is None
    alone = RuleCaptioner()
    alone.prepare(products[:1])
    assert alone.caption(products[0]).fields["material"] == "steel"


def test_a_sentence_as_a_spec_value_gives_its_grade_not_its_first_word():
    product = ProductText(
        source="s",
        url="http://shop.example/0",
        name="Filter Dryer",
        description="",
        image_urls=IMAGES,
        specs={"Quality Materials": "Built with sturdy and corrosion-proof SS304/Monel alloy."},
    )
    assert RuleCaptioner().caption(product).fields["material"] == "SS304"


def test_parts_listed_before_a_dash_give_the_material_after_it():
    text = "Фильтр для воды. Материалы деталей: корпус, крышка - чугун GG 20; сетка - латунь."
    assert _material("Фильтр сетчатый", text) == "чугун"


def test_a_material_among_alternatives_or_a_listed_one_is_no_make():
    text = "This strainer is fitted as a pre-filter before sand or disc filters in larger systems."
    assert _material("Mesh Strainer", text) is None
    text = "The oxidiser precipitates iron, sulfur, and manganese so the treatment unit holds them."
    assert _material("Oxidiser Treatment Unit", text) is None


def test_a_material_qualifying_another_noun_before_the_products_word_is_no_make():
    text = "Heavy concrete pump hose for boom placement and transfer of slurry."
    assert _material("Placement Hose", text) is None
    text = "Heavy hose of steel for boom placement and transfer of slurry."
    assert _material("Placement Hose", text) == "steel"
