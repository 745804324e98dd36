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

import re

from ilid_platform.captions.lexicon import Vocabulary, lexicon
from ilid_platform.captions.material_mentions import (
    CJK_RUN,
    MADE_ZH,
    alone,
    compound,
    hedged,
    without_looks,
)
from ilid_platform.captions.page_text import (
    is_cjk,
    normalise,
    real_text,
    sentences,
    spec_value,
    stated_in_text,
)
from ilid_platform.captions.part_type import clean_name, is_machine
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
# The word after "type" or "style" in a name names a design, not a material ("Τύπου INOX",
# "Style Bronze"); a series is a size range ("300 Series Stainless Steel").
_STYLE = re.compile(
    r"(?<!\w)(?:type|style|model|typ|tipo|modelo|modello|modèle|τύπου|τύπος|тип|kiểu)"
    r"\s+[^\s,;]+",
    re.IGNORECASE,
)
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
# A material in capital initials ("G I", "M.S.": galvanised iron, mild steel).
_INITIALS = re.compile(r"[A-Z](?:[. ]?[A-Z]){1,2}\.?")


def _known(text: str, *vocabularies: Vocabulary) -> str:
    """The base form of the first known word (materials: "литейной стали" gives "сталь")."""
    for vocabulary in vocabularies:
        found = vocabulary.find(text)
        if found:
            return compound(text, found[1:]) or found[0]
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
        if not hedged(s) and not site.lists_products(s, product.name)
    )
    own = _CONTENTS.sub(" ", own)
    # "zinc plated" is a finish and "with rubber insert" an accessory, not the material.
    # a name that is only a code leaves the page title to name the product ("Silicone
    # Toys-HOTS-PTS001" for "HOTS-PTS001")
    named = product.name if clean_name(product.name) else product.title
    name = _without(without_looks(normalise(named), lex.materials), lex.finishes, lex.materials)
    name = _WITH_CLAUSE.sub(" ", name)
    name = _STYLE.sub(" ", _FOR_CLAUSE.sub(" ", name))
    text = _without(without_looks(own, lex.materials), lex.finishes, lex.materials)
    # what it is built of, said on this page or on the pages of its variants (a sentence they
    # share, not one on most of the site's pages), even beside a shop word ("chất liệu gỗ cao
    # cấp … trong tầm giá phổ thông": made of fine wood, at an everyday price)
    family = " ".join(
        s
        for s in sentences(statements)
        if not hedged(s) and not site.lists_products(s, product.name)
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
        if is_cjk(sentence) and not MADE_ZH.search(sentence):
            continue  # Chinese states a material with a verb of making ("采用", "制成")
        if about.search(sentence):  # "comes with silicone brackets": an accessory's
            clause = _FOR_CLAUSE.sub(" ", _WITH_CLAUSE.sub(" ", sentence))
            found = alone(clause, lex.materials, None if single else about, about)
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


def _about(name: str, kind: str) -> re.Pattern[str]:
    """Words that make a sentence about this product: its name's and its kind's, without
    their last two letters ("valves" and "valve", "клапаны" and "клапана" count)."""
    words = {w.casefold()[: max(4, len(w) - 2)] for w in _WORD.findall(f"{name} {kind}")}
    # Chinese runs without spaces: the name's last two characters, its head ("水泥盖板": 盖板)
    heads = {run[-2:] for run in CJK_RUN.findall(f"{name} {kind}")}
    if not words and not heads:
        return re.compile(r"(?!)")
    alternatives = [rf"(?<!\w)(?:{'|'.join(map(re.escape, sorted(words)))})"] if words else []
    alternatives += map(re.escape, sorted(heads))
    return re.compile("|".join(alternatives), re.IGNORECASE)
