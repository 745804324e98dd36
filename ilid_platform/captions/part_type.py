"""label_short and label_long from a product's name, breadcrumbs and stated type.

* label_long is the name without trade names, brands, model codes, numbers, sizes, quantity
  prefixes and bracketed remarks.
* label_short is the product type: a type the page states ("Product type: …"), else the head
  noun phrase of that cleaned name, or the most specific breadcrumb when the name does not
  name the kind of product the breadcrumb does (a model or project name: "Happy Ninja" under
  "Hoodies"). The head is found by the word order of the name's language: English and
  German put it last ("air drill hose", "Motivmaske"), Romance languages, Russian and
  Vietnamese first ("válvula de cuadrante", "задвижка клиновая"), Chinese last, per word
  (jieba's segmentation: "压盖式伸缩接头" gives "伸缩接头"). There is no closed vocabulary.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata

from ilid_platform.captions.language import CYRILLIC, HEAD_LAST
from ilid_platform.captions.lexicon import lexicon
from ilid_platform.captions.page_text import is_cjk, normalise

LABEL_WORDS = 4

_LATIN_WORD = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z'-]*(?![\w-])")
# Words after which a name goes on about use, fit or accessories, not the kind of product.
_CLAUSE = re.compile(
    r"(?<!\w)(?:for|with|compatible|fits|including|incl|without|für|mit|ohne|zum|zur|pour|avec"
    r"|sans|para|con|sin|com|sem|per|для|с|со|под|cho|với|适用于|用于)(?!\w)",
    re.IGNORECASE,
)
_SEGMENTS = re.compile(r"\s+[-–—|/]\s+|[–—|]|\s*[,;:]\s+|(?<=\w)-\s+|/")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|（[^）]*）|【[^】]*】")
_QUANTITY = re.compile(r"^\s*\d+\s*(?:[x×*]|pcs|stk|шт\.?)\s+", re.IGNORECASE)
_HAS_DIGIT = re.compile(r"[^\s,;()\[\]]*\d[^\s,;()\[\]]*")
_MODEL_PREFIX_ZH = re.compile(r"[A-Za-z0-9\-_/.]+(?:型|系列|款)?")
_CODE = re.compile(r"(?<!\w)[A-ZА-ЯЁ]{2,6}(?!\w)")
# Capitals that name a kind of product, not a model.
_ACRONYMS = frozenset(
    [
        "LED",
        "USB",
        "TV",
        "LCD",
        "SSD",
        "HDD",
        "CPU",
        "GPU",
        "PC",
        "PVC",
        "CNC",
        "PLC",
        "UV",
        "IR",
        "RGB",
        "CCTV",
        "IP",
        "DVD",
        "CD",
        "GPS",
        "AC",
        "DC",
        "CNG",
        "LPG",
        "ABS",
        "HDMI",
        "VGA",
        "WIFI",
        "NFC",
        "RFID",
        "UPS",
        "SD",
        "PCB",
    ]
)
# A number with its unit ("40 mm", "1,6 МПа", "3300 об/мин"); the number alone goes anyway.
_NUMBER_WITH_UNIT = re.compile(
    r"\d+(?:[.,/]\d+)*\s*(?:mm|cm|m|in|inch|inches|kg|g|nm|kn|n|v|w|kw|kwh|wh|mah|ah|bar|psi"
    r"|mpa|l|ml|cl|ft|teeth|pcs|holes|мм|см|м|кг|г|вт|квт|в|л|мл|мпа|бар|об/мин|уд/мин|дж|шт)"
    r"(?!\w)"
    r"|\b(?:module|size|length|width|height|diameter|dia|thread|pack of|series|serie|gen"
    r"|generation|version|model|mk|mark|type|typ|tipo|тип|серия)\s+(?=\S*\d)"
    r"|(?<!\w)(?:xxs|xs|xl|xxl|xxxl)(?!\w)",
    re.IGNORECASE,
)
_CODE_WORD = re.compile(
    r"\b(?:DIN|ISO|EN|ANSI|ASME|ASTM|AISI|SAE|JIS|RAL|UNC|UNF|NPT|BSP|SKU|EAN|GTIN|MPN|PN|DN)\b"
    r"|\b(?i:art\.?[- ]?(?:no|nr)|item no|part no|ref)\b\.?:?"
)
_ELISION = re.compile(r"(?<!\w)[ldjmnst][''’](?=\w)", re.IGNORECASE)
_LONE_X = re.compile(r"(?<!\w)[x×](?!\w)", re.IGNORECASE)
_RU_ADJECTIVE = re.compile(r"(?:ый|ий|ой|ая|яя|ое|ее|ые|ие|ого|его|ому|ым|их|ых)$")
_RU_PREFIX_WORDS = frozenset({"мини", "микро", "макси", "супер", "электро", "авто"})
_DETERMINERS = frozenset(
    {"nos", "notre", "our", "all", "the", "les", "unsere", "alle", "nuestros", "nuestras",
     "todos", "nossos", "наши", "все"}
)  # fmt: skip
_GENERIC = frozenset(
    {"accessories", "accessory", "spares", "spare parts", "parts", "other", "others", "misc",
     "zubehör", "ersatzteile", "accessoire", "accessoires", "pièces détachées", "accesorios",
     "repuestos", "acessórios", "аксессуары", "запчасти", "комплектующие", "разное", "配件",
     "phụ kiện", "products", "new arrivals", "featured", "sale", "uncategorized"}
)  # fmt: skip


def _lower_if_shouting(text: str) -> str:
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return text.lower() if letters and upper / len(letters) > 0.7 else text


def _squash(text: str) -> str:
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    text = re.sub(r"\s*\|\s*|\s+[-–—]\s+", ", ", text)
    text = re.sub(r"\s+([,;.:])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"\s*-(?=\s|$)|(?<=\s)-\s*", ", ", text)
    text = re.sub(r"\s+([,;.:])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    return " ".join(text.split()).strip(" ,;:-/|.")


def clean_name(name: str, trade_names: re.Pattern[str] | None = None) -> str:
    """The name without trade names, codes, numbers, sizes, quantities and remarks."""
    text = normalise(name)
    if trade_names is not None:
        text = trade_names.sub(" ", text)
    text = _BRACKETS.sub(" ", text)
    text = _QUANTITY.sub(" ", text)
    if is_cjk(text):
        text = _MODEL_PREFIX_ZH.sub(" ", text)
    text = _NUMBER_WITH_UNIT.sub(" ", text)
    text = _HAS_DIGIT.sub(" ", text)
    text = _CODE_WORD.sub(" ", text)
    if CYRILLIC.search(text) or is_cjk(text):
        # Latin words in a Russian or Chinese name are brands and models ("DeWalt").
        text = _LATIN_WORD.sub(
            lambda m: m.group(0) if m.group(0).upper() in _ACRONYMS else " ", text
        )
    lowered = _lower_if_shouting(text)
    if lowered == text:  # capitals among lower case are codes; in a shouted name, words
        text = _CODE.sub(lambda m: m.group(0) if m.group(0).upper() in _ACRONYMS else " ", text)
    else:
        text = lowered
    text = _LONE_X.sub(" ", text)
    text = re.sub(r"(?<![\w-])[A-Za-z](?![\w-])", " ", text)
    return _squash(text)


def singular(word: str, language: str) -> str:
    """A plural head word's singular, by the language's regular endings."""
    lower = word.casefold()
    if language == "en":
        if len(lower) > 4 and lower.endswith("ies"):
            return word[:-3] + "y"
        if re.search(r"(ch|sh|x|ss|z)es$", lower):
            return word[:-2]
        if lower.endswith("s") and not re.search(r"(ss|us|is)$", lower):
            return word[:-1]
    elif language == "de":
        if len(lower) > 5 and re.search(r"[^e]en$", lower) and lower[-3] in "kgbptsz":
            return word[:-1]
        if lower.endswith("s") and len(lower) > 4 and not lower.endswith("ss"):
            return word[:-1]
    elif language in ("fr", "es", "pt", "it"):
        if language == "pt" and lower.endswith("ões"):
            return word[:-3] + "ão"
        if language == "es" and re.search(r"[aeiouáéíóú][rnld]es$", lower):
            return word[:-2]
        if len(lower) > 3 and lower[-1] in "sx" and not lower.endswith("ss"):
            return word[:-1]
    return word


def _cut_clause(phrase: str) -> str:
    return _CLAUSE.split(phrase, maxsplit=1)[0].strip()


def _is_attribute(word: str) -> bool:
    """A material, finish or colour word: a property of the product, not its kind."""
    lex = lexicon()
    return any(v.find(word) for v in (lex.materials, lex.finishes, lex.colours))


@functools.cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def _head_zh(phrase: str) -> str:
    words = [w for w in _jieba().lcut(phrase.replace(" ", "")) if w.strip()]
    while len(words) > 1 and _is_attribute(words[0]):
        words.pop(0)
    if not words:
        return ""
    if len(words[-1]) >= 3 or len(words) == 1:
        return words[-1]
    return "".join(words[-2:])


# English words that trail a name's head noun as attributes ("Power Supply Internal").
_TRAILING_ATTRIBUTE = re.compile(
    r"^(?:internal|external|analog|analogue|digital|original|new|replacement|universal"
    r"|compatible|genuine|oem|used|refurbished|portable|electric|electrical|manual|automatic"
    r"|mini|pro|plus|max|lite)$",
    re.IGNORECASE,
)
# Marketing words that say nothing about the kind of product.
_MARKETING = re.compile(
    r"^(?:premium|professional|pro|new|original|genuine|quality|high-quality|classic|best)$",
    re.IGNORECASE,
)


def _head_last(words: list[str], language: str) -> list[str]:
    """English: the last words, two or three; German: the last word (its compounds carry the
    qualifier), its hyphenated tail."""
    if language == "de":
        return [singular(words[-1].split("-")[-1], language)]
    while len(words) > 1 and _TRAILING_ATTRIBUTE.match(words[-1]):
        words = words[:-1]
    words = [w for w in words[:-1] if not _MARKETING.match(w)] + words[-1:]
    keep = words[-3:] if len(words) == 3 else words[-2:]
    keep = [w for w in keep[:-1] if not _is_attribute(w)] + keep[-1:]
    return [*keep[:-1], singular(keep[-1], language)]


def _head_first(words: list[str], language: str) -> list[str]:
    """Romance languages, Russian, Vietnamese: the first noun with one qualifier."""
    packs = lexicon().packs
    if len(words) > 1 and words[0].casefold() in packs and language != "ru":
        words = words[1:]
    if language == "ru":
        return _head_ru(words)
    if language == "vi":
        return words[:3]
    head = [singular(words[0], language)]
    rest = words[1:]
    if rest and rest[0].casefold() in ("de", "du", "des", "da", "do", "di") and len(rest) > 1:
        if _is_qualifier(rest[1]):
            head += rest[:2]
    elif rest and _is_qualifier(rest[0]):
        head.append(rest[0])
    return head


def _is_qualifier(word: str) -> bool:
    """A word that can qualify a Romance head noun: no material or colour, and ending the way
    Romance words end (a foreign trade name like "Vitaulic" does not)."""
    return (
        not _is_attribute(word)
        and re.search(r"[aeiouáéíóúãõâêôàèìòùlrnsdz]$", word.casefold()) is not None
    )


def _head_ru(words: list[str]) -> list[str]:
    """Leading adjectives (the first kept), the noun, then a qualifying adjective or, after a
    pack word ("набор"), the noun it holds; materials ("стальная") are no qualifier."""
    packs = lexicon().packs
    lead: list[str] = []
    index = 0
    while index < len(words) and (
        _RU_ADJECTIVE.search(words[index].casefold()) or words[index].casefold() in _RU_PREFIX_WORDS
    ):
        lead.append(words[index])
        index += 1
    if index >= len(words):
        return words[-1:]
    noun = words[index]
    head = [*lead[:1], noun]
    following = [w for w in words[index + 1 :] if not _is_attribute(w)]
    if (
        noun.casefold() in packs
        and following
        or not lead
        and following
        and _RU_ADJECTIVE.search(following[0].casefold())
    ):
        head.append(following[0])
    return head


def head_phrase(title: str, language: str, context: str = "") -> str:
    """The name's words that say what kind of product it is, lower case. A name in parts
    ("L'Unica - Support bois") is read at the first part the page's text also speaks of
    (`context`), else at its first part."""
    segments = [s for s in (_squash(s) for s in _SEGMENTS.split(title)) if s]
    segments = [_ELISION.sub("", _cut_clause(s)) for s in segments]
    segments = [s for s in segments if s]
    phrase = next((s for s in segments if context and shares_word(s, context)), "")
    phrase = phrase or next(iter(segments), "")
    if not phrase:
        return ""
    if language == "zh":
        return _head_zh(phrase)
    words = [w for w in phrase.split() if w.casefold() not in ("&", "and", "und", "et", "y")]
    if language in HEAD_LAST:
        words = [w for w in words if not _is_attribute(w)] or words
    if not words:
        return ""
    head = _head_last(words, language) if language in HEAD_LAST else _head_first(words, language)
    return " ".join(head[:LABEL_WORDS]).casefold()


def looks_like_a_proper_name(name: str, text: str, head: str) -> bool:
    """A name of capitalised words only ("Happy Ninja", "Ravenna") whose head word the page's
    text never uses in lower case: a model, project or variety name, not a kind of product."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", name) if len(w) > 2]
    if not words or any(w[0].islower() for w in words):
        return False
    last = head.split()[-1] if head.split() else ""
    return not last or re.search(rf"(?<!\w){re.escape(last)}", text) is None


def mentions(text: str, phrase: str) -> bool:
    """Whether `text` uses a word of `phrase` (its first five letters, for inflection)."""
    folded = normalise(text).casefold()
    for word in normalise(phrase).casefold().split():
        if len(word) > 2 and re.search(rf"(?<!\w){re.escape(word[:5])}", folded):
            return True
    return False


def crumb_type(crumbs: tuple[str, ...], name: str, language: str) -> str:
    """The most specific breadcrumb that names a kind of product, singular, lower case."""
    lex = lexicon()
    name_key = normalise(name).casefold()
    for crumb in reversed(crumbs):
        text = normalise(crumb).strip(" />»›|").casefold()
        if not text or text in lex.navigation or text == name_key or _HAS_DIGIT.search(text):
            continue
        if name_key.startswith(text) or text.startswith(name_key):
            continue
        words = text.split()
        while words and words[0] in _DETERMINERS:
            words = words[1:]
        text = " ".join(words)
        if not words or text in _GENERIC or len(words) > LABEL_WORDS:
            continue
        if language in HEAD_LAST:
            words[-1] = singular(words[-1], language)
        else:
            words[0] = singular(words[0], language)
        return " ".join(words)
    return ""


def _same_stem(a: str, b: str) -> bool:
    """ "key" and "keys", "клапан" and "клапаны": one starts the other, or 4 letters agree."""
    short, long = sorted((a, b), key=len)
    return len(short) >= 3 and long.startswith(short[: min(4, len(short))])


def shares_word(a: str, b: str) -> bool:
    """Whether two phrases name the same kind of thing (a word with the same stem, or, in
    Chinese, a common two-character word)."""
    if is_cjk(a) or is_cjk(b):
        return any(a[i : i + 2] in b for i in range(len(a) - 1))
    norm = lambda text: unicodedata.normalize("NFKC", text).casefold().split()  # noqa: E731
    return any(_same_stem(x, y) for x in norm(a) for y in norm(b))
