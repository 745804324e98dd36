"""The rule captioner's multilingual word lists (`lexicon.yaml`), compiled once.

`Vocabulary.find` answers "which known material (finish, colour) does this text name first":
the earliest match, the longest at that position, as the word's base form.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]")


def _pattern(text: str) -> str:
    """A YAML-folded alternation without the spaces folding left around its bars."""
    return re.sub(r"\s*\|\s*", "|", " ".join(text.split()))


def _bounded(pattern: str) -> str:
    """Whole words, except in scripts written without spaces."""
    return pattern if _CJK.search(pattern) else rf"(?<!\w){pattern}(?!\w)"


@dataclass(frozen=True)
class Vocabulary:
    """Known words of one kind: `output` per pattern, searched as one alternation."""

    entries: tuple[tuple[str, re.Pattern[str]], ...]
    any: re.Pattern[str]

    @classmethod
    def from_mapping(cls, mapping: dict[str, list[str]]) -> Vocabulary:
        entries = tuple(
            (str(output), re.compile(_bounded(p), re.IGNORECASE))
            for output, patterns in mapping.items()
            for p in patterns
        )
        alternation = "|".join(
            f"(?:{_bounded(p)})"
            for _, p in sorted(
                ((o, p) for o, ps in mapping.items() for p in ps), key=lambda e: -len(e[1])
            )
        )
        return cls(entries, re.compile(alternation, re.IGNORECASE))

    def output_of(self, word: str) -> str | None:
        return next((out for out, pattern in self.entries if pattern.fullmatch(word)), None)

    def find(self, text: str) -> tuple[str, int, int] | None:
        """(base form, start, end) of the known word named first in `text`."""
        best: tuple[int, int] | None = None
        for match in self.any.finditer(text):
            if best is not None and match.start() > best[0]:
                break
            if best is None or match.end() > best[1]:
                best = (match.start(), match.end())
        if best is None:
            return None
        output = self.output_of(text[best[0] : best[1]])
        return (output, *best) if output else None


@dataclass(frozen=True)
class Lexicon:
    materials: Vocabulary
    finishes: Vocabulary
    colours: Vocabulary
    keys: dict[str, str]
    """Alternations of the spec keys (and "Key: value" labels) that state a field."""
    navigation: frozenset[str]
    packs: frozenset[str]
    acronyms: frozenset[str]
    plural_only: frozenset[str]
    """Nouns a kind is named by in the plural ("gafas", "supplies"): never made singular."""
    boilerplate: re.Pattern[str]
    name_noise: re.Pattern[str]
    """Catalog wording around a name ("… Manufacturer and Supplier")."""
    machines: frozenset[str]
    """Head words of machines and plants."""
    hedges: re.Pattern[str]
    """Words that make a statement about a kind of product in general ("usually")."""


@functools.cache
def lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Lexicon(
        materials=Vocabulary.from_mapping(data["materials"]),
        finishes=Vocabulary.from_mapping(data["finishes"]),
        colours=Vocabulary.from_mapping(data["colours"]),
        keys={name: _pattern(text) for name, text in data["keys"].items()},
        navigation=frozenset(str(w).casefold() for w in data["navigation"]),
        packs=frozenset(str(w).casefold() for w in data["packs"]),
        acronyms=frozenset(str(w).upper() for w in data["acronyms"]),
        plural_only=frozenset(str(w).casefold() for w in data["plural_only"]),
        boilerplate=re.compile(_pattern(data["boilerplate"]), re.IGNORECASE),
        name_noise=re.compile(
            "|".join(_bounded(f"(?:{_pattern(p)})") for p in data["name_noise"]), re.IGNORECASE
        ),
        machines=frozenset(str(w).casefold() for w in data["machines"]),
        hedges=re.compile(_bounded(f"(?:{_pattern(data['hedges'])})"), re.IGNORECASE),
    )
