"""Greek product types: the head noun in the singular with the genitives that qualify it.

Greek puts the head noun first and qualifies it with nouns in the genitive after it ("Πόρτες
Ασφαλείας": doors of safety, "Βάσεις Στήριξης Φωτοβολταϊκών": bases of mounting of PV), the
way Romance languages use "de". Its regular plural endings give the singular: "-ματα" a neuter
"-μα" whose accent moves back a syllable ("συστήματα", "σύστημα"), "-εις" an "-η" ("βάσεις"),
"-ες" an "-α" ("πόρτες"), "-ια" an "-ι" ("παντζούρια"), "-οι" an "-ος".
"""

from __future__ import annotations

import re
import unicodedata

from ilid_platform.captions.lexicon import lexicon

GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
# Genitive endings (singular and plural) of the qualifiers after a head noun.
_GENITIVE = re.compile(r"(?:ου|ού|ης|ής|ων|ών|ας|ίας|ιας|είας|εως)$")
_VOWELS = "αεηιουω"
_ACUTE = "\u0301"
# Qualifying genitives kept after the head ("βάση στήριξης φωτοβολταϊκών").
_QUALIFIERS = 2


def _plain(word: str) -> str:
    """The word without its accents (diaeresis kept off too), lower case."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _accent_antepenult(word: str) -> str:
    """`word` with its accent on the third syllable from the end (the first where shorter)."""
    plain = _plain(word)
    syllables = [m.start() for m in re.finditer(f"[{_VOWELS}]+", plain)]
    if not syllables:
        return word
    vowel = syllables[max(0, len(syllables) - 3)]
    # a diphthong ("ου", "αι", "ει") carries its accent on the second vowel
    if plain[vowel : vowel + 2] in ("ου", "αι", "ει", "οι", "υι", "αυ", "ευ"):
        vowel += 1
    return unicodedata.normalize("NFC", plain[: vowel + 1] + _ACUTE + plain[vowel + 1 :])


def greek_singular(word: str) -> str:
    """A plural Greek noun's singular by its regular ending; other words as they are."""
    lower = word.lower()  # (casefold would write a final sigma as "σ")
    plain = _plain(lower)
    if len(plain) < 4 or not GREEK.search(lower):
        return word
    if plain.endswith("ματα"):
        return _accent_antepenult(lower[:-2])
    if plain.endswith("εις"):
        return lower[:-3] + "η"
    if plain.endswith("ες"):
        return lower[:-2] + ("ά" if lower.endswith("ές") else "α")
    if plain.endswith("ια") and not plain.endswith("εια"):
        return lower[:-1]
    if plain.endswith("οι"):
        return lower[:-1] + "ς"
    return word


def is_greek_plural(word: str) -> bool:
    return greek_singular(word).lower() != word.lower()


def greek_type(words: list[str]) -> list[str]:
    """The head noun (the first word) in the singular, with the genitives right after it, or
    an acronym that names what it is made of or works by ("Πόρτες PVC", "Φωτιστικά LED")."""
    if not words:
        return []
    kept = [greek_singular(words[0])]
    for word in words[1 : 1 + _QUALIFIERS]:
        if word.upper() in lexicon().acronyms and len(kept) == 1:
            kept.append(word)
            continue
        if not GREEK.search(word) or not _GENITIVE.search(word.lower()):
            break
        kept.append(word.lower())
    return kept
