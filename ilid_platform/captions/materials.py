"""material as the page states it, or None: never guessed.

In order of trust: the spec table ("Material", "Werkstoff", "Материал корпуса", "材质"), a
"Material: …" statement in the text, a part's row ("Корпус: …"), a label that is a material
with a grade for value ("Κράμα αλουμινίου: EN AW 6060"), a known word of the lexicon where the
text says what the product is made of ("Tube: … nitrile rubber", "made of brass", "material is
copper"), in the name (the title where the name is only a code), then in a sentence of the
page's real text about the product (not its shop or template sentences, nor text the site
repeats). A stated value gives its first material as written, without what is joined to it,
grades or codes ("Aluminium with moulded rubber" gives "aluminium"); a value that opens with
a grade keeps it ("EN 19 with hard chrome" gives "EN 19"). A material named as a look, a
trade, an item of a list or a design's name is not the product's.
"""

from __future__ import annotations

import functools
import re

from ilid_platform.captions.lexicon import Vocabulary, lexicon
from ilid_platform.captions.page_text import (
    is_cjk,
    normalise,
    real_text,
    sentences,
    spec_value,
    stated_in_text,
)
from ilid_platform.captions.part_type import cjk_words, clean_name, is_machine
from ilid_platform.captions.schema import WORD_LIMITS, ProductText
from ilid_platform.captions.site import EMPTY, SiteText

# An accessory's few words ("with rubber insert"), not the rest of a long sentence ("При работе
# с крепежными изделиями … используется стальной прокат").
_WITH_CLAUSE = re.compile(r"\b(?:with|mit|avec|con|com|с)\b(?:\s+[^\s,;.]+){1,4}", re.IGNORECASE)
# What a package holds besides the product ("Package includes: …, plastic bottom, 4 rubber
# feet"): the materials of its accessories.
# What the product is for or works on ("wire brush for steel", "Bohrer für Beton", "насадка
# для бетона"): the material it handles, not its own.
_FOR_CLAUSE = re.compile(
    r"(?<!\w)(?:for|für|pour|para|per|voor|для|под|için|cho|untuk)(?!\w)"
    r"(?:\s+(?!(?:en|de|in|of|from|aus|из|em|dari)(?!\w))[^\s,;.]+){1,3}",
    re.IGNORECASE,
)
# A material word in free text is this product's only beside a word of its name or kind
# ("стальные профильные трубы", "Lentes … en policarbonato"), not on another thing the
# sentence names ("concrete pump hose", "стальные проволочные кольца").
_NEAR_WORDS = 3
# The word after "type" or "style" in a name names a design, not a material ("Τύπου INOX",
# "Style Bronze"); a series is a size range ("300 Series Stainless Steel").
_STYLE = re.compile(
    r"(?<!\w)(?:type|style|model|typ|tipo|modelo|modello|modèle|τύπου|τύπος|тип|kiểu)"
    r"\s+[^\s,;]+",
    re.IGNORECASE,
)
# Chinese: the material follows a verb of making closely ("采用高标号混凝土").
_NEAR_CHARS = 12
_CONTENTS = re.compile(
    r"(?:package|box|kit|set|delivery)?\s*(?:includes?|included|contents?|in the box"
    r"|lieferumfang|inhalt|contenu|contenido|conteúdo|комплект(?:ация| поставки)|包装清单)\s*[:：]"
    r"(?:[^.。]|\.(?=\S))*",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[,;/|()\[\]]")
# A value joining two materials or a material and its insert names the first one
# ("Aluminium with moulded rubber", "Natural rubber and nitrile rubber", "Rubber + MS").
_JOINED = re.compile(
    r"\s*\+\s*|\s+(?:with|and|or|&|mit|und|oder|avec|et|ou|con|y|o|e|com|и|или|και|ve|dan)\s+",
    re.IGNORECASE,
)
# A value of more words is a sentence: its own words are no material unless known or a grade.
_PROSE_WORDS = 6
_GRADE_IN_PROSE = re.compile(r"(?<![\w-])[A-Z]{1,5}[\s-]?\d{2,4}[A-Z]{0,2}(?![\w-])")
# A part named inside a value, before its own material ("Case : ABS / Lens : Acrylic").
_INNER_KEY = re.compile(r"^[^\W\d_][\w-]*(?:\s[^\W\d_][\w-]*)?\s*[:：]\s*")
# A standard's grade opening a value ("EN 19 with hard chrome", "SS 304").
_LEADING_GRADE = re.compile(r"[A-Z]{1,5}[\s-]?\d[\w.-]*(?=\s|$)")
_HAS_DIGIT = re.compile(r"\d")
# English adjectives and gerunds by their ending ("stainless steel welded pipe").
_ADJECTIVE_EN = re.compile(r"(?:ic|al|ing|ous|ive|ary|ed|ful|less|able|ible)$", re.IGNORECASE)
# The parts whose material is the product's ("Tube: … nitrile rubber", "Корпус: алюминиевый
# сплав").
_PARTS = (
    r"tube|body|housing|shell|cover|frame|casing|structure|cuerpo|carcasa|estructura|corps"
    r"|boîtier|gehäuse|rahmen|gestell|corpo|struttura|telaio|bodi|корпус\w*|рама|каркас"
    r"|bâti|bati|cadre|marco|moldura|σώμα|πλαίσιο|σκελετός"
    r"|阀体|壳体|本体"
)
_PART_KEY = re.compile(rf"(?:{_PARTS})", re.IGNORECASE)
_PART_WORD = re.compile(rf"(?<!\w)(?:{_PARTS})\s+", re.IGNORECASE)
_NUMBERING = re.compile(r"^\s*\d+[.)]\s*")
# Parts listed before a dash and their material ("корпус, фланцы - чугун").
_PARTS_THEN = re.compile(
    rf"^\s*(?:{_PARTS})(?:\s*,\s*[^\W\d_]+){{0,3}}\s*[-–—]\s*(?=\S)", re.IGNORECASE
)
# Words after which a page says what the product is made of ("Tube: … nitrile rubber").
_CONSTRUCTION = re.compile(
    rf"(?<!\w)(?:(?:{_PARTS})\s*[:：]"
    # "cuerpo y disco de hierro", "body of brass", "Gehäuse aus Messing"
    rf"|(?:{_PARTS})(?:\s+(?:y|e|and|und|et|и)\s+[^\W\d_]+)?\s+(?:de|of|aus|en|em|in|из)"
    r"|made (?:up )?(?:of|from|with|using)"
    r"|(?:crafted|constructed|fabricated|manufactured|built) (?:of|from|with|using|in)"
    r"|изготовлен\w*|выполнен\w* из|fabricad[oa]s? (?:en|de|com|con)|hech[oa]s? (?:de|en|con)"
    r"|hergestellt aus|gefertigt aus|besteht aus|(?:ist|sind) aus|fabriqu[ée]e?s? en"
    r"|réalisée?s? en|(?:est|sont) en|(?:es|son) de|(?:é|são) de|realizad[oa]s? en"
    r"|(?:realizzat|costruit|fabbricat)[oaie] in|vyroben[aáéoýí]? z|(?:ter|di)buat dari"
    r"|chất liệu|làm (?:từ|bằng)|chế tác từ"
    # "The conductor material is copper", "αποτελείται από … αλουμινίου"
    r"|materials? (?:is|are|used is)|(?:il )?materiale è|(?:el )?material es|matériau est"
    r"|αποτελ\w+ από|κατασκευ(?:ασμέν|άζ)\w*(?:\s+\w+)? από|είναι από)(?!\w)"
    r"(?P<after>(?:\W+\w+){1,8})",
    re.IGNORECASE,
)
# A grade or standard code as a whole value ("CF8M", "Q235A", "12Х18Н10Т", "G-10").
_CODE = re.compile(r"(?=\S*\d)(?=\S*[^\W\d_])(?!\d+(?:[x×*/]\d+)+)[^\W_][\w-]{1,14}")
_WORD = re.compile(r"[^\W\d_\u3400-\u9fff]{4,}")
# A grade written in capitals ("WCB", "LCC").
_GRADE = re.compile(r"[A-Z][A-Z0-9-]{1,9}")
_MADE_ZH = re.compile(
    r"采用|选用|选材|以.{1,12}为(?:原料|主要原料|材料)|制成|制作|制造|材质|原料|浇筑"
)
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
# A material in capital initials ("G I", "M.S.": galvanised iron, mild steel).
_INITIALS = re.compile(r"[A-Z](?:[. ]?[A-Z]){1,2}\.?")
# Materials listed together in running text are what the product fits or handles ("for
# rubber and plastic hoses", "mortar, cement or concrete"), not what it is made of.
_LISTED = re.compile(r"^\s*(?:,|and|or|und|oder|et|ou|y|o|и|или|και|ή)\s", re.IGNORECASE)


def _known(text: str, *vocabularies: Vocabulary) -> str:
    """The base form of the first known word (materials: "литейной стали" gives "сталь")."""
    for vocabulary in vocabularies:
        found = vocabulary.find(text)
        if found:
            return _compound(text, found[1:]) or found[0]
    return ""


def _compound(text: str, match: re.Match[str] | tuple[int, int]) -> str:
    """The Chinese word a one-character material closes, where it closes a longer one: the
    last character of a compound is its head, which the characters before qualify ("石棉"
    asbestos, "玻璃棉" glass wool, "珍珠棉" EPE foam are no cotton); else ""."""
    start, end = match.span() if isinstance(match, re.Match) else match
    if end - start != 1 or not is_cjk(text[start:end]):
        return ""
    run = _CJK_RUN.search(text, max(0, start - 6))
    while run and run.end() < end:
        run = _CJK_RUN.search(text, run.end())
    if not run or run.start() > start:
        return ""
    offset = run.start()
    for word in cjk_words(run.group(0)):
        if offset < end <= offset + len(word):
            return word if len(word) > 1 and offset + len(word) == end else ""
        offset += len(word)
    return ""


def _as_written(text: str, *vocabularies: Vocabulary) -> str:
    """The first known word as the page writes it (finishes and colours agree with their noun:
    "epoxitada", "bedruckt")."""
    for vocabulary in vocabularies:
        found = vocabulary.find(text)
        if found:
            return text[found[1] : found[2]].casefold()
    return ""


def _from_value(value: str, limit: int, *vocabularies: Vocabulary, written: bool = False) -> str:
    """A stated value as written, without grades and codes ("Stainless steel A2" gives
    "stainless steel", "RAL 9005 jet black" "jet black") when its first clause is short and
    names a known word or is one or two words; a value that is only a grade or code keeps it
    ("CF8M, WCB" gives "CF8M"); else the known word it names."""
    clauses = [c.strip() for c in _SEPARATORS.split(value) if c.strip()]
    if written:  # "S.S Finish / Powder Coated": the clause that names a finish
        clauses = [c for c in clauses if any(v.find(c) for v in vocabularies)] or clauses
    raw = next(iter(clauses), "")
    raw = _JOINED.split(raw)[0].strip() or raw
    raw = _INNER_KEY.sub("", raw, count=1) or raw  # "Case : ABS / Lens : Acrylic"
    if _CODE.fullmatch(raw):
        return raw
    grade = _LEADING_GRADE.match(raw)
    if grade and not any(v.find(raw) for v in vocabularies):
        return grade.group(0)
    clause = next((c.strip() for c in _SEPARATORS.split(clean_name(raw)) if c.strip()), "")
    if not clause and _INITIALS.fullmatch(raw):
        return raw.casefold()
    found = next((f for f in (v.find(clause) for v in vocabularies) if f), None)
    ends = [m.end() for m in vocabularies[0].any.finditer(clause)] if not written else []
    if ends:  # "Asbestos moulded", "Stainless steel grade": up to its (last) material
        clause = clause[: max(ends)]
    # "Constructed with durable … SS316L/Hastelloy", not a list ("WCB, CF8, CF8M, …")
    prose = len(re.split(r"[,;]", value)[0].split()) > _PROSE_WORDS
    if prose and not found:
        grade = _GRADE_IN_PROSE.search(value)
        return grade.group(0) if grade else _known(value, *vocabularies)
    if clause and len(clause.split()) <= limit and (found or len(clause.split()) <= 2):
        return clause.casefold()
    return (_as_written if written else _known)(value, *vocabularies)


def _without(text: str, vocabulary: Vocabulary, keep: Vocabulary | None = None) -> str:
    """`text` with the words of `vocabulary` blanked ("zinc plated" is no zinc), except those
    inside a longer word of `keep` ("poli" in the material "poli-cristalino")."""
    inside = [m.span() for m in keep.any.finditer(text)] if keep is not None else []

    def blank(match: re.Match[str]) -> str:
        start, end = match.span()
        longer = any(a <= start and end <= b and b - a > end - start for a, b in inside)
        return match.group(0) if longer else " "

    return vocabulary.any.sub(blank, text)


def material(product: ProductText, site: SiteText = EMPTY, kind: str = "") -> str | None:
    """The product's material as the page states it, or None."""
    return material_evidence(product, site, kind)[0]


def material_evidence(
    product: ProductText, site: SiteText = EMPTY, kind: str = ""
) -> tuple[str | None, str]:
    """The product's material and the evidence that gave it ("spec", "line", "part",
    "built", "name", "text"; "" for none). A material word in free text counts only in a sentence
    about this product (it names the product or its `kind`), never in text the site repeats
    on other products' pages."""
    lex = lexicon()
    limit = WORD_LIMITS["material"]
    statements = site.without_sitewide(product.description)
    stated, source = "", ""
    for origin, read in (
        ("spec", lambda: spec_value(product.specs, "material")),
        ("line", lambda: stated_in_text(statements, "material", codes=True)),
        ("part", lambda: spec_value(product.specs, "material", of_a_part=True)),
        ("part", lambda: _part_row(product.specs, lex.materials)),
        ("grade", lambda: _graded_key(product.specs, statements, lex.materials)),
    ):
        stated, source = read(), origin
        if stated:
            break
    first = next((c.strip() for c in _SEPARATORS.split(stated) if c.strip()), "")
    grade = _CODE.fullmatch(first) or _GRADE.fullmatch(first)
    if source == "line" and not (lex.materials.find(stated) or grade):
        stated = ""  # running text's "Material: ultralight" names no material
    stated = _PARTS_THEN.sub("", stated, count=1) or stated  # "корпус, фланцы - чугун GG 25"
    if stated:  # "G I powder coated": a finish beside no known material is no part of it
        bare = _PART_WORD.sub("", stated, count=1) if _PART_WORD.match(stated) else stated
        if not lex.materials.find(stated):
            bare = " ".join(_without(stated, lex.finishes, lex.materials).split()) or stated
        value = _from_value(bare, limit, lex.materials)
        if value:  # a "Material:" line that names none ("Материал: точность прокатки …")
            return value, source  # leaves the text to say it
    # "such tanks are usually made of steel" speaks of the kind in general
    own = " ".join(
        s
        for s in sentences(real_text(product.description, site))
        if not _hedged(s) and not site.lists_products(s, product.name)
    )
    own = _CONTENTS.sub(" ", own)
    # "zinc plated" is a finish and "with rubber insert" an accessory, not the material.
    # a name that is only a code leaves the page title to name the product ("Silicone
    # Toys-HOTS-PTS001" for "HOTS-PTS001")
    named = product.name if clean_name(product.name) else product.title
    name = _without(_without_looks(normalise(named), lex.materials), lex.finishes, lex.materials)
    name = _WITH_CLAUSE.sub(" ", name)
    name = _STYLE.sub(" ", _FOR_CLAUSE.sub(" ", name))
    text = _without(_without_looks(own, lex.materials), lex.finishes, lex.materials)
    # what it is built of, said on this page or on the pages of its variants (a sentence they
    # share, not one on most of the site's pages), even beside a shop word ("chất liệu gỗ cao
    # cấp … trong tầm giá phổ thông": made of fine wood, at an everyday price)
    family = " ".join(
        s
        for s in sentences(statements)
        if not _hedged(s) and not site.lists_products(s, product.name)
    )
    built = _built_of(_without(family, lex.finishes, lex.materials), lex.materials)
    if built:
        return built, "built"
    if is_machine(kind):  # a machine's name and text speak of the material it works
        return None, ""
    if _known(name, lex.materials):
        return _known(name, lex.materials), "name"
    about = _about(product.name, kind)
    # a page whose text names one material speaks of the product's; where it names several,
    # only one beside the product's words is its own
    single = (
        len({lex.materials.output_of(m.group(0)) for m in lex.materials.any.finditer(text)}) == 1
    )
    for sentence in sentences(text):
        if is_cjk(sentence) and not _MADE_ZH.search(sentence):
            continue  # Chinese states a material with a verb of making ("采用", "制成")
        if about.search(sentence):  # "comes with silicone brackets": an accessory's
            clause = _FOR_CLAUSE.sub(" ", _WITH_CLAUSE.sub(" ", sentence))
            found = _alone(clause, lex.materials, None if single else about, about)
            if found:
                return found, "text"
    return None, ""


def _built_of(text: str, materials: Vocabulary) -> str:
    """The first material named after words of making ("made of", "Корпус выполнен из") or
    right after a part ("cuerpo hierro dúctil")."""
    for construction in _CONSTRUCTION.finditer(text):
        found = _known(construction.group("after"), materials)
        if found:
            return found
    for part in _PART_WORD.finditer(text):
        found = materials.any.match(text, part.end())
        if found:
            return materials.output_of(found.group(0)) or ""
    return ""


def _alone(
    sentence: str,
    materials: Vocabulary,
    about: re.Pattern[str] | None,
    product: re.Pattern[str] | None = None,
) -> str:
    """The first material of a sentence that is not one of a list of materials, stands
    beside a word of the product (`about`, `_near`) and qualifies no other noun before one of
    the `product`'s words (`_of_another`)."""
    matches = list(materials.any.finditer(sentence))
    for index, match in enumerate(matches):
        listed = index > 0 and _LISTED.match(sentence[matches[index - 1].end() : match.start()])
        following = index + 1 < len(matches)
        if following and _LISTED.match(sentence[match.end() : matches[index + 1].start()]):
            listed = True
        near = about is None or _near(sentence, match, about)
        if (
            not listed
            and near
            and not _enumerated(sentence, match)
            and not _of_another(sentence, match, product)
        ):
            blends = _BLEND.finditer(sentence)
            blend = next((b for b in blends if b.start() <= match.start() < b.end()), None)
            if blend:  # "PC-ABS": a blend, named as written
                return blend.group(0)
            return _compound(sentence, match) or materials.output_of(match.group(0)) or ""
    return ""


_CONJUNCTIONS = r"and|or|y|o|e|und|oder|et|ou|и|или|και|ή|ve|veya|dan|atau|và|hoặc"
# Polymer codes joined by hyphens ("PC-ABS", "PA6-GF30"): one blend.
_BLEND = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]{1,5}(?:-[A-Z][A-Z0-9]{1,5})+(?![\w-])")
# A material, a noun, then the product's word ("concrete pump hose"): the material qualifies
# the noun between (the pump handles concrete), not the product.
_TWO_WORDS_AFTER = re.compile(r"\s+([a-z][\w-]*)\s+([^\W\d_][\w-]*)")


def _of_another(sentence: str, match: re.Match[str], about: re.Pattern[str] | None) -> bool:
    words = _TWO_WORDS_AFTER.match(sentence, match.end())
    if about is None or words is None or _ADJECTIVE_EN.search(words.group(1)):
        return False
    between, product = words.group(1), words.group(2)
    return not about.match(between) and about.fullmatch(product) is not None


_ITEM_BEFORE = re.compile(r"[^\W\d_][\w-]*\s*,\s*$")
_AFTER_ITEM = re.compile(rf"\s*(?:,|\s(?:{_CONJUNCTIONS})\s)\s*[^\W\d_]", re.IGNORECASE)
# The last item of a list of three ("calcium, potassium and iron").
_LAST_ITEM_BEFORE = re.compile(
    rf"[^\W\d_][\w-]*\s*,\s*[^\W\d_][\w-]*\s+(?:{_CONJUNCTIONS})\s+$", re.IGNORECASE
)
# An alternative to a material that is none ("sand or disc filters").
_OR_ITEM = re.compile(r"\s+(?:or|oder|ou|o|или|ή|atau|hoặc)\s+([^\W\d_][\w-]*)", re.IGNORECASE)
# The last item of a list, after its conjunction ("…, and manganese").
_LAST_ITEM = re.compile(rf"\s*(?:{_CONJUNCTIONS})\s+[^\W\d_][\w-]*(?!\S)", re.IGNORECASE)
# An item of a comma list: one or two words between commas.
_ITEM = re.compile(r"\s*[^\W\d_][\w-]*(?:\s+[^\W\d_][\w-]*)?\s*")


def _enumerated(sentence: str, match: re.Match[str]) -> bool:
    """Whether a material word ends an item of an enumeration of at least three things ("crops
    like Cotton, Sugarcane, Wheat"): the list names what the product works on or fits, not
    what it is made of."""
    after, before = sentence[match.end() :], sentence[: match.start()]
    if _AFTER_ITEM.match(after) and _ITEM_BEFORE.search(before):
        return True  # "stone like onyx, marble or alabaster"
    if _LAST_ITEM_BEFORE.search(before):
        return True  # "rich in calcium, potassium and iron"
    alternative = _OR_ITEM.match(after)
    if alternative and not lexicon().materials.find(alternative.group(1)):
        return True  # "before sand or disc filters": kinds of a thing, not its make
    if not re.match(r"\s*,", after):
        return False
    items = after.split(",")[1:]
    return sum(1 for _ in _leading_items(items)) >= 2


def _leading_items(items: list[str]):
    for item in items:
        if _LAST_ITEM.match(item):  # "iron, sulfur, and manganese so they …"
            yield item
            return
        if not _ITEM.fullmatch(item.rstrip(" .")):
            return
        yield item


def _near(sentence: str, match: re.Match[str], about: re.Pattern[str]) -> bool:
    """Whether a material word stands within `_NEAR_WORDS` words of a word of the product's
    name or kind (Chinese: within `_NEAR_CHARS` characters after a verb of making)."""
    if is_cjk(sentence):
        return any(
            made.end() <= match.start() <= made.end() + _NEAR_CHARS
            for made in _MADE_ZH.finditer(sentence)
        )
    for word in about.finditer(sentence):
        start, end = sorted((word.start(), match.start()))
        if len(sentence[start:end].split()) <= _NEAR_WORDS:
            return True
    return False


def _part_row(specs: dict[str, str], materials: Vocabulary) -> str:
    """A spec row of the body or housing whose value is a material ("Корпус: алюминиевый
    сплав")."""
    for key, value in specs.items():
        part = _NUMBERING.sub("", normalise(key)).strip(" :：")
        first = next((c.strip() for c in _SEPARATORS.split(value or "") if c.strip()), "")
        if _PART_KEY.fullmatch(part) and (materials.find(first) or _CODE.fullmatch(first)):
            return normalise(value)
    return ""


# A label that is a material whose value is its grade ("Κράμα αλουμινίου: EN AW 6060 T6",
# "Stainless steel grade: 304").
_GRADE_WORDS = re.compile(
    r"\s+(?:grade|alloy|type|class|quality|güte|qualité|calidad|qualità|марка|牌号)$", re.IGNORECASE
)
# a grade, not a size ("Glass: 6 mm" is a pane's thickness)
_GRADE_CODE = r"(?:[A-Z]{1,4}[\s-]?){1,3}\d|\d{3,4}(?![\d.,]*\s*(?:mm|cm|m|kg|g|%|x|×|°))"
_GRADE_VALUE = re.compile(rf"(?:\s+grade)?\s*[:：]\s*(?:{_GRADE_CODE})", re.IGNORECASE)
_GRADE_ONLY = re.compile(rf"\s*(?:{_GRADE_CODE})", re.IGNORECASE)


def _graded_key(specs: dict[str, str], text: str, materials: Vocabulary) -> str:
    """The material a spec row or a "Key: value" label names, where its value is a grade."""
    for key, value in specs.items():
        label = _GRADE_WORDS.sub("", _NUMBERING.sub("", normalise(key)).strip(" :："))
        if materials.any.fullmatch(label) and _GRADE_ONLY.match(value or ""):
            return materials.output_of(label) or ""
    for match in materials.any.finditer(normalise(text)):
        if _GRADE_VALUE.match(match.string, match.end()):
            return materials.output_of(match.group(0)) or ""
    return ""


# Words after a material that make it a look or a coating ("Marble coating", "wood effect",
# "Holzoptik") or a trade that works it ("the steel industry", "plastic recycling", "paper
# mills"), not what the product is made of.
_LOOKS = (
    r"coating|coated|look|effect|pattern|finish|grain|print|design|style|optik|dekor|décor"
    r"|efecto|aspecto|imitación|imitation|effetto|эффект|фактур\w*|под\s"
    r"|industry|industries|industrie|industria|sector|plants?|mills?|works|factory|factories"
    r"|production|processing|recycling|scrap|waste|fabrication|manufacturers?"
)


@functools.cache
def _look(materials: Vocabulary) -> re.Pattern[str]:
    return re.compile(rf"(?:{materials.any.pattern})[\s-]*(?:{_LOOKS})(?!\w)", re.IGNORECASE)


# A company's name: capitalised words before a company word ("Asia Steel Tubes Industries",
# "Golden Brass Co."); a material in it is no product's.
_COMPANY = re.compile(
    r"(?:(?<![\w-])[A-Z][\w&.'-]*\s+){1,5}"
    r"(?:Industries|Ltd|Limited|Pvt|Inc|Corp|Corporation|Company|Co|GmbH|LLC|LLP|Group"
    r"|Enterprises|S\.A|S\.L|S\.r\.l|Srl|Sdn Bhd|Bhd|Pte|B\.V|N\.V)(?![\w-])\.?"
)


def _without_looks(text: str, materials: Vocabulary) -> str:
    """`text` without a material named as a look or a trade, or inside a company's name."""
    return _look(materials).sub(" ", _COMPANY.sub(" ", text))


def _hedged(sentence: str) -> bool:
    return lexicon().hedges.search(sentence) is not None


def _about(name: str, kind: str) -> re.Pattern[str]:
    """Words that make a sentence about this product: its name's and its kind's, without
    their last two letters ("valves" and "valve", "клапаны" and "клапана" count)."""
    words = {w.casefold()[: max(4, len(w) - 2)] for w in _WORD.findall(f"{name} {kind}")}
    # Chinese runs without spaces: the name's last two characters, its head ("水泥盖板": 盖板)
    heads = {run[-2:] for run in _CJK_RUN.findall(f"{name} {kind}")}
    if not words and not heads:
        return re.compile(r"(?!)")
    alternatives = [rf"(?<!\w)(?:{'|'.join(map(re.escape, sorted(words)))})"] if words else []
    alternatives += map(re.escape, sorted(heads))
    return re.compile("|".join(alternatives), re.IGNORECASE)
