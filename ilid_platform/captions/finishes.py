"""material_finish as the page states it, or None: never guessed.

In order of trust: the spec table's finish or colour row ("Surface Finishing", "Farbe"), a
"Finish: …" or "Colours available: …" statement, a finish named in the name ("zinc plated"),
a colour after the name's first part or after a size ("…, black", "Coolant 1L merah"), then a
finish in the page's own text. A colour in free text is too often another thing's to count.
"""

from __future__ import annotations

import re

from ilid_platform.captions.lexicon import Vocabulary, lexicon
from ilid_platform.captions.materials import _FOR_CLAUSE, _as_written, _from_value, _without
from ilid_platform.captions.page_text import normalise, real_text, spec_value, stated_in_text
from ilid_platform.captions.schema import WORD_LIMITS, ProductText
from ilid_platform.captions.site import EMPTY, SiteText

_NAME_PARTS = re.compile(r"[,;(\[|]|\s[-–—]\s")


def finish(product: ProductText, site: SiteText = EMPTY) -> str | None:
    """The product's finish or colour as the page states it, or None."""
    return finish_evidence(product, site)[0]


# The colour of a lamp's light, not of the product ("6000K Cool White", "Warmweiß").
_LIGHT_COLOUR = re.compile(
    r"(?<!\w)(?:(?:cool|cold|warm|natural|neutral|pure|day(?:light)?)[\s-]*white"
    r"|kaltwei(?:ß|ss)|warmwei(?:ß|ss)|neutralwei(?:ß|ss)|blanco (?:cálido|frío|neutro)"
    r"|blanc (?:chaud|froid|neutre)|bianco (?:caldo|freddo|naturale)|branco (?:quente|frio)"
    r"|тёпл\w* бел\w*|тепл\w* бел\w*|холодн\w* бел\w*|暖白|冷白|正白)(?!\w)",
    re.IGNORECASE,
)


def finish_evidence(product: ProductText, site: SiteText = EMPTY) -> tuple[str | None, str]:
    """The finish and the evidence that gave it ("spec", "line", "name", "name_colour",
    "text"; "" for none)."""
    lex = lexicon()
    limit = WORD_LIMITS["material_finish"]
    own = real_text(product.description, site)
    for field, vocabularies in (
        ("finish", (lex.finishes, lex.colours)),
        ("colour", (lex.colours, lex.finishes)),
    ):
        for source, stated in (
            ("spec", spec_value(product.specs, field)),
            ("line", stated_in_text(own, field)),
        ):
            if stated:
                return _from_value(stated, limit, *vocabularies, written=True) or None, source
    # A colour in a name's first part is too often part of a model or variety name ("Black
    # Fox", "Pinot Noir"); after it ("…, black", "(Black)") it is the product's. "Nickel
    # silver" is a material, not silver.
    name = _LIGHT_COLOUR.sub(" ", _without(normalise(product.name), lex.materials))
    _, _, rest = _parts(name)
    # finishes as written ("zinc plated"); a colour in free text is too often another thing's
    # (a laser's beam, a flower's leaves, a model's name) to be the product's finish
    for source, found in (
        ("name", lambda: _finish_word(normalise(product.name), lex.finishes, lex.materials)),
        ("name_colour", lambda: _as_written(rest or _after_size(name), lex.colours)),
        # "for painted surfaces": another thing's finish
        ("text", lambda: _as_written(_FOR_CLAUSE.sub(" ", own), lex.finishes)),
    ):
        value = found()
        if value:
            return value, source
    return None, ""


# A name's last word after a size or quantity ("Coolant 1L biru", "T-shirt XL Black").
_AFTER_SIZE = re.compile(r"(?:\d\S*|XS|S|M|L|XL|XXL)\s+([^\W\d_]+)\s*$")


def _after_size(name: str) -> str:
    """A name's last word where a size or quantity comes before it: a variant's colour."""
    match = _AFTER_SIZE.search(name)
    return match.group(1) if match else ""


def _parts(name: str) -> tuple[str, str, str]:
    """A name's first part and the rest, split at its first comma, bracket or dash."""
    match = _NAME_PARTS.search(name)
    return (
        (name[: match.start()], match.group(0), name[match.start() :]) if match else (name, "", "")
    )


def _finish_word(text: str, finishes: Vocabulary, materials: Vocabulary) -> str:
    """The first finish as written that is not part of a longer material word ("poli" in
    "poli-cristalino" is no polish)."""
    inside = [m.span() for m in materials.any.finditer(text)]
    for match in finishes.any.finditer(text):
        start, end = match.span()
        if not any(a <= start and end <= b and b - a > end - start for a, b in inside):
            return match.group(0).casefold()
    return ""
