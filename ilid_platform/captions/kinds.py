"""Whether a name reads as a proper name, and whether two phrases name the same kind.

A model, project or variety name ("Happy Ninja", "Ravenna") is written in capitals that the
page's text keeps; a kind of product is written in lower case where the text speaks of it. Two
phrases name one kind where they share a word's stem (inflection aside) or, in Chinese, a
two-character word.
"""

from __future__ import annotations

import re
import unicodedata

from ilid_platform.captions.page_text import is_cjk, normalise


def is_shouting(text: str) -> bool:
    """Written mostly in capitals ("HOLOGRAM 3D", "KSTAR UPS")."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.7


def looks_like_a_proper_name(name: str, text: str, head: str) -> bool:
    """A name of capitalised words only ("Happy Ninja", "Ravenna") whose head word the page's
    text never uses in lower case: a model, project or variety name, not a kind of product."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", name) if len(w) > 2]
    # a script without case (Chinese) writes no proper name apart from common words
    words = [w for w in words if w[0].isupper() or w[0].islower()]
    if not words or any(w[0].islower() for w in words) or (is_shouting(name) and len(words) > 1):
        return False
    last = head.split()[-1] if head.split() else ""
    return not last or re.search(rf"(?<!\w){re.escape(last)}", text) is None


def mentions(text: str, phrase: str) -> bool:
    """Whether `text` uses a word of `phrase` (its first five letters, for inflection)."""
    folded = normalise(text).casefold()
    for word in normalise(phrase).casefold().split():
        # (a word of four or five letters without its last: "πόρτα" is in "πόρτες")
        stem = word[: min(5, len(word) - 1)] if len(word) > 3 else word
        if len(word) > 2 and re.search(rf"(?<!\w){re.escape(stem)}", folded):
            return True
    return False


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
