"""The five ILID caption fields, the product text they are made from, and the captioner protocol.

`Caption` is both the validator for every captioner's output and, through
`Caption.model_json_schema()`, the structured-output grammar an LLM server is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

CAPTION_FIELDS = ("label_short", "label_long", "description", "material", "material_finish")
# ILID's post-filter requires these two; the others may be null (the page does not say).
REQUIRED_FIELDS = ("label_short", "label_long")
OPTIONAL_FIELDS = ("description", "material", "material_finish")
# Answers that mean "not stated": ILID's processing turns them into null.
PLACEHOLDERS = frozenset(
    {"unknown", "n/a", "na", "none", "null", "not specified", "unspecified", "not available", "-"}
)

# ILID's word limits per field; label_long has no limit but must not carry digits.
WORD_LIMITS = {"label_short": 4, "description": 30, "material": 5, "material_finish": 5}

_DIGIT = re.compile(r"\d")


def word_count(text: str) -> int:
    return len(text.split())


def is_placeholder(value: str) -> bool:
    return value.casefold().strip(" .") in PLACEHOLDERS


class Caption(BaseModel):
    """One product's ILID caption. label_short and label_long are required and non-empty;
    description, material and material_finish are null when the page does not state them
    (an empty or placeholder answer such as "unknown" or "N/A" becomes null, as in ILID)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    label_short: str = Field(
        description="Generic part type in at most 4 words, e.g. 'hex nut' or 'ball bearing'. "
        "No brand, trade name, id or size."
    )
    label_long: str = Field(
        description="Longer generic name of the part with its distinguishing features. "
        "No brand or trade names, ids, numbers, article codes, standards or sizes; no digits."
    )
    description: str | None = Field(
        description="What the part is and what it is used for, at most 30 words, "
        "without trade names; null when the text says nothing about it."
    )
    material: str | None = Field(
        description="Main material in at most 5 words, e.g. 'stainless steel'; null when the "
        "text does not state it."
    )
    material_finish: str | None = Field(
        description="Surface finish or colour in at most 5 words, e.g. 'zinc plated' or "
        "'black'; null when the text does not state it."
    )

    @field_validator(*REQUIRED_FIELDS)
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator(*OPTIONAL_FIELDS)
    @classmethod
    def _null_when_not_stated(cls, value: str | None) -> str | None:
        return None if value is None or not value or is_placeholder(value) else value

    @field_validator(*WORD_LIMITS)
    @classmethod
    def _word_limit(cls, value: str | None, info) -> str | None:
        if value is None:
            return None
        limit = WORD_LIMITS[info.field_name]
        words = word_count(value)
        if words > limit:
            raise ValueError(f"has {words} words, at most {limit} allowed")
        return value

    @field_validator("label_long")
    @classmethod
    def _no_digits(cls, value: str) -> str:
        if _DIGIT.search(value):
            raise ValueError(
                f"must not contain digits (ids, numbers, codes or sizes), got {value!r}"
            )
        return value


def validation_reason(error: ValidationError, prefix: str = "invalid") -> str:
    """One line per failing field, e.g. 'invalid_label_short: has 6 words, at most 4 allowed'."""
    parts = []
    for item in error.errors():
        where = "_".join(str(loc) for loc in item["loc"]) or "caption"
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{prefix}_{where}: {message}")
    return "; ".join(parts)


@dataclass(frozen=True)
class ProductText:
    """What a captioner may read about a product (one non-gone row of `pages`)."""

    source: str
    url: str
    name: str
    description: str = ""
    specs: Mapping[str, str] = field(default_factory=dict)
    breadcrumbs: tuple[str, ...] = ()
    image_urls: tuple[str, ...] = ()
    sku: str | None = None
    brand: str | None = None
    title: str = ""
    """The page's <title> without the site's affixes; may name the kind a model code does not."""


@dataclass(frozen=True)
class CaptionOutcome:
    """A captioner's answer: the five raw fields (None where not stated), or why there are
    none (e.g. an LLM error)."""

    fields: dict[str, str | None] | None = None
    error: str | None = None


class Captioner(Protocol):
    """What `caption_products` needs; (name, model, prompt_version) identify the output.

    A captioner may also have `prepare(products)`: `caption_products` calls it with every live
    product of the run before it reads `model`, so that what a site's pages share can shape
    (and identify) the captions."""

    name: str
    model: str
    prompt_version: str
    trade_name_regex: str | None

    def caption_many(
        self, products: Iterable[ProductText]
    ) -> Iterator[tuple[ProductText, CaptionOutcome]]: ...
