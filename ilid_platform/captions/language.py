"""Which language a product's name is written in, for the word order of its head noun.

The script decides where it can (Cyrillic, Greek, Chinese, Vietnamese letters); Latin-script
text goes to py3langid's character n-gram model, restricted to the languages catalogs here are
written in, since a few words of a product name are too short for stopword counts.
"""

from __future__ import annotations

import functools
import math
import re

from ilid_platform.captions.page_text import is_cjk

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
HEBREW = re.compile(r"[\u0590-\u05ff]")
# Alphabets other than Latin: a Latin word among them is a brand or model ("DeWalt").
OTHER_ALPHABET = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff]")
# Letters only Vietnamese uses (â, ê, ô are French and Portuguese too).
_VIETNAMESE = re.compile(r"[ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
LATIN_LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl", "pl", "tr", "cs", "sk", "id")
# Letters only Turkish uses among these languages (dotless ı, dotted İ, ğ, ş).
_TURKISH = re.compile(r"[ıİğĞşŞ]")
# Languages told by their script alone.
BY_SCRIPT = ("zh", "ko", "ru", "vi", "el", "ar", "he")
# Languages written in a script of their own, not in Latin letters.
OWN_SCRIPT = ("zh", "ko", "ru", "el", "ar", "he")
# Languages that put a noun phrase's head last ("air drill hose", "Motivmaske", "伸缩接头",
# "라디칼수 발생기", "topraklama çubuğu").
HEAD_LAST = frozenset({"en", "de", "nl", "zh", "ko", "tr"})


# Fewer words of real text than this do not tell a page's language.
_FEW_WORDS = 12


def is_little_text(text: str) -> bool:
    """Too few words to tell a language by."""
    return len(re.findall(r"[^\W\d_]{2,}", text)) < _FEW_WORDS


def name_language(name: str, text: str, site_language: str = "") -> str:
    """The language of the name's words: its own script first (an English name on a Russian
    page is English), then the page's common words for a Latin-script name. A few words
    alone are too short for the n-gram model ("Mini Pleat HEPA Filter" reads as Italian): a
    page with little real text names in English when the English dictionary knows every word
    of the name. `site_language`, where given, stands for the page's: the language most of
    the site's pages are written in, for a page with no text of its own (what it holds is the
    site's, an address that reads as Indonesian)."""
    own = guess_language(name)
    if own in BY_SCRIPT:
        return own
    if is_little_text(text) and _all_english(name):
        return "en"
    page = site_language or guess_language(f"{name} {text}")
    if page in OWN_SCRIPT and _all_english(name):  # "Glass Railings" on a Greek page
        return "en"
    # a name that reads beyond doubt as a language putting its head first keeps that order
    # on a page whose text is in one that puts it last ("Mescolatore orbitale" over German)
    sure = _sure_language(name) if page in HEAD_LAST else ""
    if sure and sure not in HEAD_LAST:
        return sure
    return page if page not in BY_SCRIPT else own


# A Latin-script name's own guess is beyond doubt at this probability.
_SURE = 0.98


def _sure_language(name: str) -> str:
    """The language of a name with two or more words of three letters or more, not all English
    words, when the n-gram model is all but certain of it; else ""."""
    words = re.findall(r"[^\W\d_]{2,}", name)
    if len([w for w in words if len(w) > 2]) < 2 or _all_english(name):
        return ""
    ranked = _identifier().rank(" ".join(words))
    best = ranked[0][1]
    total = sum(math.exp(score - best) for _, score in ranked)
    return ranked[0][0] if 1 / total >= _SURE else ""


def foreign_brand(name: str, language: str, text: str) -> bool:
    """A name in Latin letters that are not English words, on a page written in a script of
    its own ("ELVIAL EL 4600" over Greek text): a brand and model, which name no kind."""
    if not name or language in BY_SCRIPT or guess_language(text) not in OWN_SCRIPT:
        return False
    return not _all_english(name)


def _all_english(name: str) -> bool:
    """Whether a name's words are English dictionary words: its last and at least half of them
    (capitals among lower case, codes and acronyms, do not count)."""
    from ilid_platform.captions.morphology import is_english

    words = re.findall(r"[^\W\d_]{2,}", name)
    shouted = name.upper() == name
    words = [w for w in words if shouted or not w.isupper()]
    # a misspelt or coined word beside them ("Catridge Gun") does not make it another language
    known = [is_english(w) for w in words]
    return bool(words) and known[-1] and 2 * sum(known) >= len(known)


def guess_language(text: str) -> str:
    """The language a text is in: its script where that decides (Cyrillic, Chinese, Korean,
    Vietnamese or Turkish letters), else py3langid's character n-gram model over the Latin-script
    languages catalogs are written in; English when in doubt."""
    if HANGUL.search(text):
        return "ko"
    if is_cjk(text):
        return "zh"
    if CYRILLIC.search(text):
        return "ru"
    if GREEK.search(text):
        return "el"
    if ARABIC.search(text):
        return "ar"
    if HEBREW.search(text):
        return "he"
    if _VIETNAMESE.search(text):
        return "vi"
    if _TURKISH.search(text):
        return "tr"
    letters = re.sub(r"[\W\d_]+", " ", text).strip()
    if not letters:
        return "en"
    return _identifier().classify(letters)[0]


@functools.cache
def _identifier():
    from py3langid.langid import _load_identifier

    return _load_identifier(langs=list(LATIN_LANGUAGES))
