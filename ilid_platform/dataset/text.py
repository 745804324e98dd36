"""The training caption of a sample: one home for the shards' `.txt` and the CLIP trainers.

The noun phrase "a photo of a {finish} {material} {label_short}." follows CLIP's prompt
style, so contrastive training and zero-shot evaluation see the same kind of text; the
free-text fields can be appended as extra sentences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# Fields that form the noun phrase "a photo of a {finish} {material} {label_short}", in that order.
PHRASE_FIELDS = ("material_finish", "material", "label_short")
# Free-text fields appended as extra sentences when selected.
SENTENCE_FIELDS = ("label_long", "description")
DEFAULT_TEXT_FIELDS = PHRASE_FIELDS


def check_text_fields(text_fields: Sequence[str]) -> None:
    unknown = set(text_fields) - set(PHRASE_FIELDS) - set(SENTENCE_FIELDS)
    if unknown or not text_fields:
        raise ValueError(
            f"text_fields must be a non-empty subset of {PHRASE_FIELDS + SENTENCE_FIELDS}, "
            f"got {list(text_fields)}"
        )


def caption_text(
    fields: Mapping[str, str | None], text_fields: Sequence[str] = DEFAULT_TEXT_FIELDS
) -> str:
    """Contrastive training text: a CLIP-style noun phrase plus optional free-text sentences."""
    check_text_fields(text_fields)
    phrase = " ".join(fields[f] for f in PHRASE_FIELDS if f in text_fields and fields.get(f))
    parts = [f"a photo of a {phrase}."] if phrase else []
    sentences = (
        (fields.get(f) or "").strip().rstrip(".") for f in SENTENCE_FIELDS if f in text_fields
    )
    return " ".join(parts + [f"{s}." for s in sentences if s])
