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
import itertools
import logging
import re
from collections.abc import Callable

from ilid_platform.captions.greek import greek_type
from ilid_platform.captions.kinds import is_shouting, shares_word
from ilid_platform.captions.language import HEAD_LAST, OTHER_ALPHABET
from ilid_platform.captions.lexicon import lexicon
from ilid_platform.captions.morphology import (
    is_agent_noun,
    is_english,
    is_noun_only,
    russian_type,
    singular,
    vietnamese_type,
    west_slavic_adjective_and_noun,
)
from ilid_platform.captions.page_text import is_cjk, normalise

LABEL_WORDS = 4

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
# Words that link a Romance head noun to its qualifier ("válvula de cuadrante").
# Articles that open a phrase; none names a kind ("a" and "o" open "A-frame", "O-ring").
ARTICLES = frozenset(
    {"the", "an", "el", "la", "los", "las", "un", "una", "uno", "le", "les", "il", "lo", "gli"}
    | {"der", "ein", "eine", "um", "uma"}
    | {"ο", "η", "το", "οι", "τα", "τον", "την", "του", "της", "των", "ένα", "ενός", "μια"}
)
_LINKS = frozenset({"de", "du", "des", "da", "do", "di", "del", "della", "a", "à"})
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


def is_attribute(word: str) -> bool:
    """A material, finish or colour word: a property of the product, not its kind."""
    lex = lexicon()
    return any(v.find(word) for v in (lex.materials, lex.finishes, lex.colours))


@functools.cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def cjk_words(text: str) -> list[str]:
    """Chinese text cut into words (jieba's segmentation), spaces dropped."""
    return [w for w in _jieba().lcut(text.replace(" ", "")) if w.strip()]


_SHORT_ZH = 7


def _head_zh(phrase: str) -> str:
    words = cjk_words(phrase)
    # a material before the kind is dropped while the kind keeps three characters ("水泥盖板"
    # stays whole, "不锈钢伸缩接头" gives "伸缩接头")
    whole = len(words)
    while len(words) > 1 and is_attribute(words[0]) and len("".join(words[1:])) >= 3:
        words.pop(0)
    if not words:
        return ""
    # a short name with no material is the kind itself, its qualifier included ("二氧化氯发生器",
    # "直饮水成套设备"): only a long one has a marketing or use prefix to cut
    if len(words) == whole and len("".join(words)) <= _SHORT_ZH:
        return "".join(words)
    if len(words[-1]) >= 3 or len(words) == 1:
        return words[-1]
    return "".join(words[-2:])


# English words that trail a name's head noun as attributes ("Power Supply Internal",
# "Laser Projector Compact"): known ones and adjectives by their suffix ("programmable").
_TRAILING_ATTRIBUTE = re.compile(
    r"^(?:internal|external|analog|analogue|digital|original|new|replacement|universal"
    r"|compatible|genuine|oem|used|refurbished|portable|electric|electrical|manual|automatic"
    r"|mini|pro|plus|max|lite|compact|indoor|outdoor|wireless|cordless|waterproof"
    r"|\w{3,}(?:able|ible|ous|less|ful))$",
    re.IGNORECASE,
)
_GENERIC_LAST = re.compile(r"^(?:machine|machinery|unit|equipment|device)$", re.IGNORECASE)
# English adjectives and gerunds by their ending ("acoustic", "crimping", "domestic").
_ADJECTIVE_EN = re.compile(r"(?:ic|al|ing|ous|ive|ary|ed|ful|less|able|ible)$", re.IGNORECASE)
_AND = frozenset({"&", "and", "und", "et", "y", "e", "ve", "i", "и", "và"})
# Marketing words that say nothing about the kind of product.
_MARKETING = re.compile(
    r"^(?:premium|professional|pro|new|original|genuine|official|quality|high-quality|classic"
    r"|best|economic|economy|ekonomik|standard|standart|normal|special|özel|super|süper)$",
    re.IGNORECASE,
)


def _qualifies(word: str, language: str) -> bool:
    """An adjective or gerund (German: a word in lower case)."""
    if language == "de":
        return word[:1].islower()
    return language == "en" and _ADJECTIVE_EN.search(word) is not None


def _said(words: list[str], said: Callable[[str], bool]) -> bool:
    return said(" ".join(w.casefold() for w in words))


def _head_last(
    words: list[str], language: str, said: Callable[[str], bool], joined: bool = False
) -> list[str]:
    """English: the last two words, or the last three or four where the page or its site
    uses them as one phrase beyond this name (`said`); German: the last word (its compounds
    carry the qualifier), its hyphenated tail."""
    if language == "de":
        return [singular(words[-1].split("-")[-1], language)]
    while len(words) > 1 and _TRAILING_ATTRIBUTE.match(words[-1]):
        words = words[:-1]
    # "Hydraulic Press Machine", "Remote Controller Unit": a generic last word after a noun
    # that already names the kind ("Crimping Machine" keeps it: a gerund names no kind)
    if len(words) > 2 and _GENERIC_LAST.match(words[-1]) and not _ADJECTIVE_EN.search(words[-2]):
        words = words[:-1]
    words = [w for w in words[:-1] if not _MARKETING.match(w)] + words[-1:]
    keep = next((words[-k:] for k in (4, 3) if len(words) >= k and _said(words[-k:], said)), [])
    # a name of three words is one compound ("Fluid Bed Dryer", "Hot Air Generator", "Quick
    # Release Coupling"), except after an adjective by its ending ("Industrial RO System" is
    # an RO system) or a word the dictionary does not know ("Sipper Aviation Hose": a line's
    # name) unless the page's text uses it, or where "Oil & Petroleum Hose" joins two kinds
    first = words[0] if len(words) == 3 else ""
    if not keep and language == "en" and first and not _ADJECTIVE_EN.search(first.rstrip("ing")):
        known = is_noun_only(first) or (is_english(first) and not _ADJECTIVE_EN.search(first))
        keep = words if said(first) or (known and not joined) else []
    if not keep and language == "tr" and len(words) == 3 and _TR_COMPOUND.search(words[-1]):
        # a Turkish compound marks its head with a possessive ("Hızlı Geçiş Turnikeleri",
        # "Şarj Kontrol Cihazları"): the words before it are one chain of qualifiers
        keep = words
    if not keep and language == "tr" and not _TR_COMPOUND.search(words[-1]):
        # a bare Turkish head is qualified by an adjective ("Aynalı Kol", "Elektronik Kol");
        # a noun before it that makes no compound is a brand or a line ("Tommatech İnvertörler")
        adjective = len(words) > 1 and _TR_ADJECTIVE.search(words[-2].casefold()) is not None
        keep = words[-2:] if adjective else words[-1:]
    keep = keep or words[-2:]
    if language == "en":
        keep = _whole_modifier(words, keep)
    keep = [w for w in keep[:-1] if not is_attribute(w)] + keep[-1:]
    return [*keep[:-1], singular(keep[-1], language)]


# A Turkish compound's head: a possessive ending, singular or plural ("kanalı", "turnikeleri").
_TR_COMPOUND = re.compile(r"(?:s?[ıiuü]|l[ae]r[ıi])$", re.IGNORECASE)
# Endings of Turkish adjectives: "-li" (with), "-siz" (without), "-ik", "-sel", "-ci", "-in".
_TR_ADJECTIVE = re.compile(r"(?:l[ıiuü]|s[ıiuü]z|[ıiuü]k|s[ae]l|[cç][ıiuü])$")

# Particles that join the words of a compound modifier ("Cross Over Bench", "Drop On Demand
# Printer"): a type never starts at one or right after one.
_PARTICLES = frozenset({"over", "on", "off", "up", "out", "down", "through", "by", "to"})


def _whole_modifier(words: list[str], keep: list[str]) -> list[str]:
    """The type widened to the whole of its modifier: across particles ("cross over bench"),
    and to the noun before an agent noun, which that noun's own object qualifies ("Plate Heat
    Exchanger Gasket" is a heat exchanger's gasket, not an "exchanger gasket")."""
    start = len(words) - len(keep)
    while start > 0 and len(words) - start < LABEL_WORDS:
        first, before = words[start].casefold(), words[start - 1].casefold()
        particle = first in _PARTICLES or before in _PARTICLES
        agent = len(words) - start == 2 and is_agent_noun(first) and is_noun_only(before)
        if not particle and not agent:
            break
        start -= 1
    return words[start:]


def _before_a_proper_name(words: list[str]) -> list[str]:
    """A name in sentence case ("Máy chiếu Panasonic") ends its type where a capitalised word
    follows a lower-case one: the brand or model."""
    seen_lower = False
    for index, word in enumerate(words[1:], start=1):
        if word[:1].islower() and word.casefold() not in _LINKS:
            seen_lower = True
        elif seen_lower and word[:1].isupper() and not word.isupper():
            return words[:index]
    return words


_WEST_SLAVIC = ("cs", "sk", "pl")
# Prepositions that link a West Slavic noun to its use ("Boudy pro telata", "Cisterna na kejdu").
_SLAVIC_LINKS = frozenset({"pro", "na", "do", "dla"})


def _head_first(words: list[str], language: str, text: str = "") -> list[str]:
    """Romance and Slavic languages, Vietnamese, Indonesian: the first noun with one
    qualifier."""
    packs = lexicon().packs
    if len(words) > 1 and words[0].casefold() in packs and language != "ru":
        words = words[1:]
    words = _before_a_proper_name(words)
    if language == "ru":
        return russian_type(words, lambda word: not is_attribute(word))
    if language == "el":
        return greek_type(words)
    if language in ("ar", "he"):  # a noun and the noun or adjective that qualifies it
        return words[:2]
    if language == "vi":
        return vietnamese_type(words, text)
    if language == "id":  # a noun qualified by the next word ("panci kukus"), not a material
        return words[:2] if len(words) > 1 and not is_attribute(words[1]) else words[:1]
    if language in _WEST_SLAVIC:
        agreed = west_slavic_adjective_and_noun(words, language)
        if agreed and not is_attribute(words[0]):
            return agreed
    head = [singular(words[0], language)]
    rest = words[1:]
    links = _SLAVIC_LINKS if language in _WEST_SLAVIC else _LINKS
    # a name in title case ("Torres de Iluminación") capitalises its common nouns too
    titled = all(w[:1].isupper() for w in words if w.casefold() not in links)
    if rest and rest[0].casefold() in links and len(rest) > 1:
        # "válvula de cuadrante", "casco de seguridad": an adjective or a common noun (lower
        # case, no material) after the link names the kind with it
        common = rest[1][:1].islower() or titled
        if _is_qualifier(rest[1]) or (common and not is_attribute(rest[1])):
            head += rest[:2]
    elif rest and _is_qualifier(rest[0]):
        # the adjective agrees with its noun: singular with it ("Generadores Insonorizados")
        plural = head[0] != words[0]
        head.append(singular(rest[0], language) if plural else rest[0])
    return head


# Endings of Romance adjectives: a noun or a line name after the head ("Motores Enduro",
# "Luminária Painel") qualifies nothing.
_ROMANCE_ADJECTIVE = re.compile(
    r"(?:al|ale|ile|ar|ic[oa]|ad[oa]|id[oa]|ble|nte|os[oa]|iv[oa]|ari[oa]|an[oa]|in[oa]|ense|és|esa"
    r"|eur|euse|if|ive|aire|ique|é|ée|it[oa]|at[oa]|e[nñ]s?[oa]|ur[oa]|er[oa]|ient|ial)s?$"
)


def _is_qualifier(word: str) -> bool:
    """A word that can qualify a Romance head noun: an adjective by its ending, not a
    material or colour."""
    folded = word.casefold()
    if _PREFIXED_QUALIFIER.match(folded):  # "máscara antigases", "extintor multipropósito"
        return not is_attribute(word)
    return not is_attribute(word) and _ROMANCE_ADJECTIVE.search(folded) is not None


def _before_its_noun(words: list[str]) -> bool:
    """A Romance adjective in lower case before a noun that a link qualifies ("móvil unidad
    de desalinización"): the noun is the head, not the adjective."""
    first, second, third = (w.casefold() for w in words[:3])
    adjective = re.search(r"(?:il|ble|ante|ente|ivo|iva|eño|eña)$", first) is not None
    return adjective and words[0][:1].islower() and third in _LINKS and not is_attribute(second)


# Words formed with a prefix of purpose, which qualify the noun before them.
_PREFIXED_QUALIFIER = re.compile(r"^(?:anti|multi)\w{3,}$")


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
        return _head_zh(phrase)
    words = phrase.split()
    if language == "en":  # "Oil Seals and Coupling": the first of two kinds, unless it is an
        # adjective shared with the second ("Domestic & Commercial RO System")
        first = list(itertools.takewhile(lambda w: w.casefold() not in _AND, words))
        second = len(words) - len(first) - 1
        if first and second > 0 and not _ADJECTIVE_EN.search(first[-1]):
            words = first if len(first) > 1 or second == 1 else words
    if len(words) > 1 and words[0].casefold() in ARTICLES:  # "una compacta potabilizadora"
        words = words[1:]
    if language not in HEAD_LAST and len(words) > 2 and _before_its_noun(words):
        words = words[1:]  # "móvil unidad de desalinización": an adjective before its noun
    joined = any(w.casefold() in _AND for w in words)
    words = [w for w in words if w.casefold() not in _AND]
    if language in HEAD_LAST:
        # a material last after an adjective or gerund is the product ("natürlicher
        # Calcium-Bentonit", "Digital Printing Vinyl"), not its attribute
        last = words[-1:] if len(words) > 1 and _qualifies(words[-2], language) else []
        words = [w for w in words[: len(words) - len(last)] if not is_attribute(w)] + last
        words = words or phrase.split()
    if not words:
        return ""
    if language in HEAD_LAST:
        head = _head_last(words, language, said, joined)
    else:
        head = _head_first(words, language, text)
    return fold(" ".join(head[:LABEL_WORDS]), language)


def is_generic(head: str) -> bool:
    """A type that ends in a generic word ("acoustic equipment"): a crumb says more."""
    words = head.split()
    if not words or not _GENERIC_LAST.match(words[-1]):
        return False
    return len(words) == 1 or (
        _ADJECTIVE_EN.search(words[-2]) is not None and not words[-2].endswith("ing")
    )


def is_machine(kind: str) -> bool:
    """A machine or plant ("rubber moulding machine", "пресс", "制砖机")."""
    machines = lexicon().machines
    words = kind.casefold().split()
    if is_cjk(kind):
        return any(kind.endswith(m) for m in machines if is_cjk(m))
    return bool(words) and (words[-1] in machines or words[0] in machines)
