"""Which language a product's name is written in, for the word order of its head noun.

The script decides where it can (Cyrillic, Chinese, Vietnamese letters); Latin-script text goes
to py3langid's character n-gram model, restricted to the languages catalogs here are written
in, since a few words of a product name are too short for stopword counts.
"""

from __future__ import annotations

import functools
import re

from ilid_platform.captions.page_text import is_cjk

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Letters only Vietnamese uses (â, ê, ô are French and Portuguese too).
_VIETNAMESE = re.compile(r"[ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
LATIN_LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl", "pl", "tr")
# Letters only Turkish uses among these languages (dotless ı, dotted İ, ğ, ş).
_TURKISH = re.compile(r"[ıİğĞşŞ]")
# Languages told by their script alone.
BY_SCRIPT = ("zh", "ko", "ru", "vi")
# Languages that put a noun phrase's head last ("air drill hose", "Motivmaske", "伸缩接头",
# "라디칼수 발생기", "topraklama çubuğu").
HEAD_LAST = frozenset({"en", "de", "nl", "zh", "ko", "tr"})


def name_language(name: str, text: str) -> str:
    """The language of the name's words: its own script first (an English name on a Russian
    page is English), then the page's common words for a Latin-script name."""
    own = guess_language(name)
    if own in BY_SCRIPT:
        return own
    page = guess_language(f"{name} {text}")
    return page if page not in BY_SCRIPT else own


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
