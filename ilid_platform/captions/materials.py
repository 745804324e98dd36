"""material and material_finish as the page states them, or None: never guessed.

In order of trust: the spec table ("Material", "Werkstoff", "Материал корпуса", "材质"), a
"Material: …" statement in the text, a known word of the lexicon where the text says what the
product is made of ("Tube: … nitrile rubber", "made of brass"), in the name, then anywhere in
the page's real text (not its shop or template sentences). A stated value is kept as written,
without grades or codes, when it is short; otherwise the known word it names is taken.
"""

from __future__ import annotations

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
from ilid_platform.captions.part_type import clean_name, is_machine
from ilid_platform.captions.schema import WORD_LIMITS, ProductText
from ilid_platform.captions.site import EMPTY, SiteText

_WITH_CLAUSE = re.compile(r"\b(?:with|mit|avec|con|com|с)\b[^,;.]*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[,;/|()\[\]]")
_HAS_DIGIT = re.compile(r"\d")
# The parts whose material is the product's ("Tube: … nitrile rubber", "Корпус: алюминиевый
# сплав").
_PARTS = (
    r"tube|body|housing|shell|cover|frame|casing|cuerpo|carcasa|corps|boîtier|gehäuse"
    r"|rahmen|корпус\w*|рама|каркас|阀体|壳体|本体"
)
_PART_KEY = re.compile(rf"(?:{_PARTS})", re.IGNORECASE)
_NUMBERING = re.compile(r"^\s*\d+[.)]\s*")
# Words after which a page says what the product is made of ("Tube: … nitrile rubber").
_CONSTRUCTION = re.compile(
    rf"(?<!\w)(?:(?:{_PARTS})\s*[:：]"
    r"|made (?:up )?(?:of|from)"
    r"|(?:crafted|constructed|fabricated|manufactured|built) (?:of|from|with|using|in)"
    r"|изготовлен\w*|выполнен\w* из|fabricad[oa]s? (?:en|de|com)|hech[oa]s? (?:de|en)"
    r"|hergestellt aus|gefertigt aus|besteht aus|(?:ist|sind) aus|fabriqu[ée]e?s? en"
    r"|réalisée?s? en|(?:est|sont) en|(?:es|son) de|(?:é|são) de)(?!\w)"
    r"(?P<after>(?:\W+\w+){1,8})",
    re.IGNORECASE,
)
_NAME_PARTS = re.compile(r"[,;(\[|]|\s[-–—]\s")
# A grade or standard code as a whole value ("CF8M", "Q235A", "12Х18Н10Т", "G-10").
_CODE = re.compile(r"(?=\S*\d)(?=\S*[^\W\d_])(?!\d+(?:[x×*/]\d+)+)[^\W_][\w-]{1,14}")
_WORD = re.compile(r"[^\W\d_\u3400-\u9fff]{4,}")
_MADE_ZH = re.compile(
    r"采用|选用|选材|以.{1,12}为(?:原料|主要原料|材料)|制成|制作|制造|材质|原料|浇筑"
)
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
# A material in capital initials ("G I", "M.S.": galvanised iron, mild steel).
_INITIALS = re.compile(r"[A-Z](?:[. ]?[A-Z]){1,2}\.?")
# Materials listed together in running text are what the product fits or handles ("for
# rubber and plastic hoses", "mortar, cement or concrete"), not what it is made of.
_LISTED = re.compile(r"^\s*(?:,|and|or|und|oder|et|ou|y|o|и|или)\s", re.IGNORECASE)


def _known(text: str, *vocabularies: Vocabulary) -> str:
    """The base form of the first known word (materials: "литейной стали" gives "сталь")."""
    for vocabulary in vocabularies:
        found = vocabulary.find(text)
        if found:
            return found[0]
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
    raw = next((c.strip() for c in _SEPARATORS.split(value) if c.strip()), "")
    if _CODE.fullmatch(raw):
        return raw
    clause = next((c.strip() for c in _SEPARATORS.split(clean_name(raw)) if c.strip()), "")
    if not clause and _INITIALS.fullmatch(raw):
        return raw.casefold()
    known = any(v.find(clause) for v in vocabularies)
    if clause and len(clause.split()) <= limit and (known or len(clause.split()) <= 2):
        return clause.casefold()
    return (_as_written if written else _known)(value, *vocabularies)


def _without(text: str, vocabulary: Vocabulary) -> str:
    """`text` with the words of `vocabulary` blanked ("zinc plated" is no zinc)."""
    return vocabulary.any.sub(" ", text)


def material(product: ProductText, site: SiteText = EMPTY, kind: str = "") -> str | None:
    """The product's material as the page states it. A material word in free text counts
    only in a sentence about this product (it names the product or its `kind`), never in
    text the site repeats on other products' pages."""
    lex = lexicon()
    limit = WORD_LIMITS["material"]
    statements = site.without_sitewide(product.description)
    stated = (
        spec_value(product.specs, "material")
        or stated_in_text(statements, "material", codes=True)
        or spec_value(product.specs, "material", of_a_part=True)
        or _part_row(product.specs, lex.materials)
    )
    if stated:  # "G I powder coated": a finish beside no known material is no part of it
        bare = stated
        if not lex.materials.find(stated):
            bare = " ".join(_without(stated, lex.finishes).split()) or stated
        return _from_value(bare, limit, lex.materials) or None
    # "such tanks are usually made of steel" speaks of the kind in general
    own = " ".join(s for s in sentences(real_text(product.description, site)) if not _hedged(s))
    # "zinc plated" is a finish and "with rubber insert" an accessory, not the material.
    name = _WITH_CLAUSE.sub(" ", _without(normalise(product.name), lex.finishes))
    text = _without(own, lex.finishes)
    built = next(
        (
            m
            for m in (_known(c.group("after"), lex.materials) for c in _CONSTRUCTION.finditer(text))
            if m
        ),
        "",
    )
    if built:
        return built
    if is_machine(kind):  # a machine's name and text speak of the material it works
        return None
    if _known(name, lex.materials):
        return _known(name, lex.materials)
    about = _about(product.name, kind)
    for sentence in sentences(text):
        if is_cjk(sentence) and not _MADE_ZH.search(sentence):
            continue  # Chinese states a material with a verb of making ("采用", "制成")
        if about.search(sentence):  # "comes with silicone brackets": an accessory's
            found = _alone(_WITH_CLAUSE.sub(" ", sentence), lex.materials)
            if found:
                return found
    return None


def _alone(sentence: str, materials: Vocabulary) -> str:
    """The first material of a sentence that is not one of a list of materials."""
    matches = list(materials.any.finditer(sentence))
    for index, match in enumerate(matches):
        listed = index > 0 and _LISTED.match(sentence[matches[index - 1].end() : match.start()])
        following = index + 1 < len(matches)
        if following and _LISTED.match(sentence[match.end() : matches[index + 1].start()]):
            listed = True
        if not listed:
            return materials.output_of(match.group(0)) or ""
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


def finish(product: ProductText, site: SiteText = EMPTY) -> str | None:
    lex = lexicon()
    limit = WORD_LIMITS["material_finish"]
    own = real_text(product.description, site)
    for field, vocabularies in (
        ("finish", (lex.finishes, lex.colours)),
        ("colour", (lex.colours, lex.finishes)),
    ):
        stated = spec_value(product.specs, field) or stated_in_text(own, field)
        if stated:
            return _from_value(stated, limit, *vocabularies, written=True) or None
    # A colour in a name's first part is too often part of a model or variety name ("Black
    # Fox", "Pinot Noir"); after it ("…, black", "(Black)") it is the product's. "Nickel
    # silver" is a material, not silver.
    name = _without(normalise(product.name), lex.materials)
    _, _, rest = _parts(name)
    text = _without(own, lex.materials)
    return (  # finishes as written ("zinc plated"), colours beside no material
        _as_written(normalise(product.name), lex.finishes)
        or _as_written(rest, lex.colours)
        or _as_written(own, lex.finishes)
        or _as_written(text, lex.colours)
        or None
    )


def _parts(name: str) -> tuple[str, str, str]:
    """A name's first part and the rest, split at its first comma, bracket or dash."""
    match = _NAME_PARTS.search(name)
    return (
        (name[: match.start()], match.group(0), name[match.start() :]) if match else (name, "", "")
    )
