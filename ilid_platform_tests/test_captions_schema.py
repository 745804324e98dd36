"""Caption validation: word limits, no digits in label_long, required labels, nullable rest."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ilid_platform.captions.schema import CAPTION_FIELDS, Caption, validation_reason

GOOD = {
    "label_short": "hex nut",
    "label_long": "hexagon nut, stainless steel",
    "description": "Hexagon nut for machine screws and threaded rod in damp places.",
    "material": "stainless steel",
    "material_finish": "polished",
}


def test_valid_caption_is_stripped_and_kept():
    caption = Caption.model_validate({**GOOD, "label_short": "  hex nut "})
    assert caption.label_short == "hex nut"
    assert caption.model_dump() == GOOD


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("label_short", "stainless steel hex nut m", "has 5 words, at most 4 allowed"),
        ("label_long", "hex nut M8 DIN 934", "must not contain digits"),
        ("label_long", "washer 10mm", "must not contain digits"),
        ("description", " ".join(["word"] * 31), "has 31 words, at most 30 allowed"),
        ("material", "a b c d e f", "has 6 words, at most 5 allowed"),
        ("material_finish", "one two three four five six", "has 6 words, at most 5 allowed"),
        ("label_short", "   ", "must not be empty"),
        ("label_long", "", "must not be empty"),
    ],
)
def test_invalid_field_names_field_and_rule(name, value, message):
    with pytest.raises(ValidationError) as raised:
        Caption.model_validate({**GOOD, name: value})
    reason = validation_reason(raised.value)
    assert reason.startswith(f"invalid_{name}: ")
    assert message in reason


@pytest.mark.parametrize("name", ["description", "material", "material_finish"])
@pytest.mark.parametrize("value", [None, "", "   ", "Unknown", "N/A", "none."])
def test_unstated_optional_fields_become_null(name, value):
    caption = Caption.model_validate({**GOOD, name: value})
    assert getattr(caption, name) is None
    assert caption.label_short == "hex nut"


def test_limits_are_inclusive():
    caption = Caption.model_validate(
        {**GOOD, "label_short": "a b c d", "description": " ".join(["w"] * 30)}
    )
    assert len(caption.description.split()) == 30


def test_missing_and_extra_fields_are_rejected():
    with pytest.raises(ValidationError) as raised:
        Caption.model_validate({k: v for k, v in GOOD.items() if k != "material"} | {"x": "y"})
    reason = validation_reason(raised.value)
    assert "invalid_material: Field required" in reason
    assert "invalid_x: Extra inputs are not permitted" in reason


def test_json_schema_is_what_the_llm_gets():
    schema = Caption.model_json_schema()
    assert schema["type"] == "object"
    assert schema["required"] == list(CAPTION_FIELDS)  # an LLM answers each, null allowed
    material = schema["properties"]["material"]
    assert {"type": "null"} in material["anyOf"] and {"type": "string"} in material["anyOf"]
    assert schema["properties"]["label_short"]["type"] == "string"
    assert set(schema["properties"]) == set(CAPTION_FIELDS)
    assert schema["additionalProperties"] is False
    assert "at most 4 words" in schema["properties"]["label_short"]["description"]
