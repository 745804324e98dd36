"""Where a material word in a page's running text is the product's make, and where it is not.

A material named beside a word of the product is its make ("стальные профильные трубы"); one
that an enumeration lists ("crops like cotton, sugarcane, wheat"; "calcium, potassium and
iron"), that qualifies another noun ("concrete pump hose"), that names a look, a trade or a
company ("wood effect", "the steel industry", "… Steel Tubes Industries"), or that a hedged
sentence speaks of in general is not. Chinese states a material close after a verb of making;
a one-character material closing a longer word is that compound's ("珍珠棉" is no cotton).
"""

from __future__ import annotations

import functools
import re

from ilid_platform.captions.heads import ADJECTIVE_EN, cjk_words
from ilid_platform.captions.lexicon import Vocabulary, lexicon
from ilid_platform.captions.page_text import is_cjk

# A material word in free text is this product's only beside a word of its name or kind
# ("стальные профильные трубы", "Lentes … en policarbonato"), not on another thing the
# sentence names ("concrete pump hose", "стальные проволочные кольца").
_NEAR_WORDS = 3
# Chinese: the material follows a verb of making closely ("采用高标号混凝土").
_NEAR_CHARS = 12
MADE_ZH = re.compile(
    r"采用|选用|选材|以.{1,12}为(?:原料|主要原料|材料)|制成|制作|制造|材质|原料|浇筑"
)
CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
# Materials listed together in running text are what the product fits or handles ("for
# rubber and plastic hoses", "mortar, cement or concrete"), not what it is made of.
_LISTED = re.compile(r"^\s*(?:,|and|or|und|oder|et|ou|y|o|и|или|και|ή)\s", re.IGNORECASE)


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


def without_looks(text: str, materials: Vocabulary) -> str:
    """`text` without a material named as a look or a trade, or inside a company's name."""
    return _look(materials).sub(" ", _COMPANY.sub(" ", text))


def hedged(sentence: str) -> bool:
    return lexicon().hedges.search(sentence) is not None


def compound(text: str, match: re.Match[str] | tuple[int, int]) -> str:
    """The Chinese word a one-character material closes, where it closes a longer one: the
    last character of a compound is its head, which the characters before qualify ("石棉"
    asbestos, "玻璃棉" glass wool, "珍珠棉" EPE foam are no cotton); else ""."""
    start, end = match.span() if isinstance(match, re.Match) else match
    if end - start != 1 or not is_cjk(text[start:end]):
        return ""
    run = CJK_RUN.search(text, max(0, start - 6))
    while run and run.end() < end:
        run = CJK_RUN.search(text, run.end())
    if not run or run.start() > start:
        return ""
    offset = run.start()
    for word in cjk_words(run.group(0)):
        if offset < end <= offset + len(word):
            return word if len(word) > 1 and offset + len(word) == end else ""
        offset += len(word)
    return ""


def alone(
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
            return compound(sentence, match) or materials.output_of(match.group(0)) or ""
    return ""


_CONJUNCTIONS = r"and|or|y|o|e|und|oder|et|ou|и|или|και|ή|ve|veya|dan|atau|và|hoặc"
# Polymer codes joined by hyphens ("PC-ABS", "PA6-GF30"): one blend.
_BLEND = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]{1,5}(?:-[A-Z][A-Z0-9]{1,5})+(?![\w-])")
# A material, a noun, then the product's word ("concrete pump hose"): the material qualifies
# the noun between (the pump handles concrete), not the product.
_TWO_WORDS_AFTER = re.compile(r"\s+([a-z][\w-]*)\s+([^\W\d_][\w-]*)")


def _of_another(sentence: str, match: re.Match[str], about: re.Pattern[str] | None) -> bool:
    words = _TWO_WORDS_AFTER.match(sentence, match.end())
    if about is None or words is None or ADJECTIVE_EN.search(words.group(1)):
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
            for made in MADE_ZH.finditer(sentence)
        )
    for word in about.finditer(sentence):
        start, end = sorted((word.start(), match.start()))
        if len(sentence[start:end].split()) <= _NEAR_WORDS:
            return True
    return False
