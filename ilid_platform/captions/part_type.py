"""label_short and label_long from a product's name, breadcrumbs and stated type.

* label_long is the name without trade names, brands, model codes, numbers, sizes, quantity
  prefixes and bracketed remarks.
* label_short is the product type: a type the page states ("Product type: …"), else the head
  noun phrase of that cleaned name, or the most specific breadcrumb when the name does not
  name the kind of product the breadcrumb does (a model or project name: "Happy Ninja" under
  "Hoodies"). The head is found by the word order of the name's language (`heads`): English
  and German put it last ("air drill hose", "Motivmaske"), Romance languages, Russian and
  Vietnamese first ("válvula de cuadrante", "задвижка клиновая"), Chinese last, per word
  (jieba's segmentation: "压盖式伸缩接头" gives "伸缩接头"). There is no closed vocabulary.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from ilid_platform.captions.heads import (
    ADJECTIVE_EN,
    AND_WORDS,
    GENERIC_LAST,
    LABEL_WORDS,
    before_its_noun,
    head_first,
    head_last,
    head_zh,
    is_attribute,
    qualifies,
)
from ilid_platform.captions.kinds import is_shouting, shares_word
from ilid_platform.captions.language import HEAD_LAST, OTHER_ALPHABET
from ilid_platform.captions.lexicon import lexicon
from ilid_platform.captions.page_text import is_cjk, normalise

_LATIN_WORD = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z'-]*(?![\w-])")
# Words after which a name goes on about use, fit or accessories, not the kind of product.
_CLAUSE = re.compile(
    r"(?<!\w)(?:for|with|compatible|fits|including|incl|without|für|mit|ohne|zum|zur|pour|avec"
    r"|sans|para|con|sin|com|sem|per|untuk|dengan|для|с|со|под|cho|với|dùng|适用于|用于)(?!\w)",
    re.IGNORECASE,
)
_SEGMENTS = re.compile(r"\s+[-–—|/]\s+|[–—|]|\s*[,;:]\s+|(?<=\w)-\s+|/|(?<=\w{3})\.\s+(?=[A-Z])")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|（[^）]*）|【[^】]*】")
_QUANTITY = re.compile(r"^\s*\d+\s*(?:[x×*]|pcs|stk|шт\.?)\s+", re.IGNORECASE)
HAS_DIGIT = re.compile(r"[^\s,;()\[\]]*\d[^\s,;()\[\]]*")
_MODEL_PREFIX_ZH = re.compile(r"[A-Za-z0-9\-_/.]+(?:型|系列|款)?")
_CODE = re.compile(r"(?<!\w)[A-ZА-ЯЁ]{2,6}(?!\w)")
_QUALIFYING_CAPITALS = re.compile(r"(?<![\w-])([A-Z]{2,4})\s+[A-Z][a-z]{2,}s?\s*$")
# A number with its unit ("40 mm", "1,6 МПа", "3300 об/мин"); the number alone goes anyway.
_NUMBER_WITH_UNIT = re.compile(
    r"\d+(?:[.,/]\d+)*\s*(?:mm|cm|m|in|inch|inches|kg|g|nm|kn|n|v|w|kw|kwh|wh|mah|ah|bar|psi"
    r"|mpa|l|ml|cl|ft|teeth|pcs|holes|hp|cv|ps|мм|см|м|кг|г|вт|квт|в|л|мл|мпа|бар|об/мин|уд/мин"
    r"|дж|шт|л\.с)(?!\w)"
    # a model code: capitals and a number ("VX 700", "GSM 3500"), not an acronym of a kind
    r"|(?-i:\b(?!(?:LED|USB|LCD|PVC|CNC|UV|IR|RGB|DC|AC|IP|SD|PC|TV)\b)[A-Z]{1,4}\s+\d[\w.-]*)"
    r"|\b(?:module|size|length|width|height|diameter|dia|thread|pack of|series|serie|gen"
    r"|generation|version|model|mk|mark|type|typ|tipo|тип|серия)\s+(?=\S*\d)"
    r"|(?<!\w)(?:xxs|xs|xl|xxl|xxxl)(?!\w)",
    re.IGNORECASE,
)
_CODE_WORD = re.compile(
    r"\b(?:DIN|ISO|EN|ANSI|ASME|ASTM|AISI|SAE|JIS|RAL|UNC|UNF|NPT|BSP|SKU|EAN|GTIN|MPN|PN|DN)\b"
    r"|\b(?i:art\.?[- ]?(?:no|nr)|item no|part no|ref)\b\.?:?"
)
_JOINED_PARTS = re.compile(r"(?<=[a-z]{3})-(?=[A-Z][a-z]{2})")
# Articles that open a phrase; none names a kind ("a" and "o" open "A-frame", "O-ring").
ARTICLES = frozenset(
    {"the", "an", "el", "la", "los", "las", "un", "una", "uno", "le", "les", "il", "lo", "gli"}
    | {"der", "ein", "eine", "um", "uma"}
    | {"ο", "η", "το", "οι", "τα", "τον", "την", "του", "της", "των", "ένα", "ενός", "μια"}
)
_ELISION = re.compile(r"(?<!\w)[ldjmnst][''’](?=\w)", re.IGNORECASE)
_LONE_X = re.compile(r"(?<!\w)[x×](?!\w)", re.IGNORECASE)
# What is left between two sizes once their numbers go ("750*400", "10 + 20").
_LONE_SIGN = re.compile(r"(?<!\S)[*+=~#№]+(?!\S)")


def fold(text: str, language: str = "") -> str:
    """Case-folded, Turkish capitals as Turkish writes them in lower case (I is ı, İ is i),
    a Greek word's last sigma as Greek writes it (ς)."""
    if language == "tr":
        text = text.replace("I", "ı").replace("İ", "i")
    return _FINAL_SIGMA.sub("ς", text.casefold())


_FINAL_SIGMA = re.compile(r"(?<=\w)σ(?!\w)")


def _lower_if_shouting(text: str, language: str = "") -> str:
    return fold(text, language) if is_shouting(text) else text


def _squash(text: str) -> str:
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    text = re.sub(r"\s*\|\s*|\s+[-–—]\s+", ", ", text)
    text = re.sub(r"\s+([,;.:])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"\s*-(?=\s|$)|(?<=\s)-\s*", ", ", text)
    text = re.sub(r"\s+([,;.:])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    return " ".join(text.split()).strip(" ,;:-/|.")


def _acronym_or_blank(match: re.Match[str]) -> str:
    return match.group(0) if match.group(0).upper() in lexicon().acronyms else " "


# "Workboats by Acme Marine": the maker after "by", not part of the name.
_BY_MAKER = re.compile(r"\s+by\s+(?=[A-Z]).*$")
# A count of a part after the kind ("fusible links 2 holes dia 5.2 mm"): its make-up follows.
_PART_COUNT = re.compile(r"(?<=[^\W\d_]{3})\s+\d+\s+[a-z]{3,}s(?!\w).*$")


def clean_name(name: str, trade_names: re.Pattern[str] | None = None, language: str = "") -> str:
    """The name without trade names, makers, codes, numbers, sizes, quantities, remarks and
    the lexicon's catalog wording ("… Manufacturer and Supplier", "Characteristics of …")."""
    text = _BY_MAKER.sub("", lexicon().name_noise.sub(" ", normalise(name)))
    text = _PART_COUNT.sub("", text)
    if trade_names is not None:
        text = trade_names.sub(" ", text)
    text = _BRACKETS.sub(" ", text)
    text = _QUANTITY.sub(" ", text)
    if is_cjk(text):
        text = _MODEL_PREFIX_ZH.sub(" ", text)
    text = _NUMBER_WITH_UNIT.sub(" ", text)
    text = HAS_DIGIT.sub(" ", text)
    text = _CODE_WORD.sub(" ", text)
    if OTHER_ALPHABET.search(text) or is_cjk(text):
        # Latin words in a Russian, Greek, Arabic or Chinese name are brands and models.
        text = _LATIN_WORD.sub(_acronym_or_blank, text)
    lowered = _lower_if_shouting(text, language)
    # capitals among lower case are codes; in a shouted name, words
    if lowered == text:
        # capitals right before a name's last word, its head, qualify it ("MCC Panel", "UBS
        # Gun"): an abbreviated kind, not a model code
        qualifier = _QUALIFYING_CAPITALS.search(text)
        kept = qualifier.start(1) if qualifier else -1
        text = _CODE.sub(lambda m: m.group(0) if m.start() == kept else _acronym_or_blank(m), text)
    else:
        text = lowered
    text = _LONE_SIGN.sub(" ", _LONE_X.sub(" ", text))
    # a lone letter is a code, not the link "a" between two words ("valvola a sfera")
    text = re.sub(r"(?<![\w-])(?!a\s+[^\W\d_A-Z])[A-Za-z](?![\w-])", " ", text)
    return _squash(text)


def cut_clause(phrase: str) -> str:
    return _CLAUSE.split(phrase, maxsplit=1)[0].strip()


def head_phrase(
    title: str,
    language: str,
    context: str = "",
    said: Callable[[str], bool] = lambda p: False,
    text: str = "",
) -> str:
    """The name's words that say what kind of product it is, lower case. A name in parts
    ("L'Unica - Support bois") is read at the first part the page's text also speaks of
    (`context`), else at its first part. `said(phrase)` tells whether the page or its site
    uses a phrase of the name elsewhere (an English type of three or four words); `text` is
    the page's own text (where Vietnamese words end)."""
    if language == "en":  # "Laser Projector-Full Color": two parts joined by a hyphen
        title = _JOINED_PARTS.sub(" - ", title)
    segments = [s for s in (_squash(s) for s in _SEGMENTS.split(title)) if s]
    segments = [_ELISION.sub("", cut_clause(s)) for s in segments]
    segments = [s for s in segments if s]
    first = next(iter(segments), "")
    # A first part that is one word the text never uses is a proper name ("L'Unica").
    phrase = ""
    if len(first.split()) == 1 and context and not shares_word(first, context):
        phrase = next((s for s in segments[1:] if shares_word(s, context)), "")
    phrase = phrase or first
    if not phrase:
        return ""
    if language == "zh":
        return head_zh(phrase)
    words = phrase.split()
    if language == "en":  # "Oil Seals and Coupling": the first of two kinds, unless it is an
        # adjective shared with the second ("Domestic & Commercial RO System")
        first = list(itertools.takewhile(lambda w: w.casefold() not in AND_WORDS, words))
        second = len(words) - len(first) - 1
        if first and second > 0 and not ADJECTIVE_EN.search(first[-1]):
            words = first if len(first) > 1 or second == 1 else words
    if len(words) > 1 and words[0].casefold() in ARTICLES:  # "una compacta potabilizadora"
        words = words[1:]
    if language not in HEAD_LAST and len(words) > 2 and before_its_noun(words):
        words = words[1:]  # "móvil unidad de desalinización": an adjective before its noun
    joined = any(w.casefold() in AND_WORDS for w in words)
    words = [w for w in words if w.casefold() not in AND_WORDS]
    if language in HEAD_LAST:
        # a material last after an adjective or gerund is the product ("natürlicher
        # Calcium-Bentonit", "Digital Printing Vinyl"), not its attribute
        last = words[-1:] if len(words) > 1 and qualifies(words[-2], language) else []
        words = [w for w in words[: len(words) - len(last)] if not is_attribute(w)] + last
        words = words or phrase.split()
    if not words:
        return ""
    if language in HEAD_LAST:
        head = head_last(words, language, said, joined)
    else:
        head = head_first(words, language, text)
    return fold(" ".join(head[:LABEL_WORDS]), language)


def is_generic(head: str) -> bool:
    """A type that ends in a generic word ("acoustic equipment"): a crumb says more."""
    words = head.split()
    if not words or not GENERIC_LAST.match(words[-1]):
        return False
    return len(words) == 1 or (
        ADJECTIVE_EN.search(words[-2]) is not None and not words[-2].endswith("ing")
    )


def is_machine(kind: str) -> bool:
    """A machine or plant ("rubber moulding machine", "пресс", "制砖机")."""
    machines = lexicon().machines
    words = kind.casefold().split()
    if is_cjk(kind):
        return any(kind.endswith(m) for m in machines if is_cjk(m))
    return bool(words) and (words[-1] in machines or words[0] in machines)
