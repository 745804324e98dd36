"""The product record every crawl emits and every later stage reads."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Fields that describe the product; fetch metadata (time, status, method) is left out so an
# unchanged product hashes the same on every crawl.
CONTENT_FIELDS = (
    "source",
    "url",
    "name",
    "description",
    "specs",
    "breadcrumbs",
    "image_urls",
    "sku",
    "brand",
    "image_fallbacks",
    "title",
)
# Left out of the hash while empty, so that records from before the field hash as they did.
_HASHED_WHEN_SET = ("image_fallbacks", "title")


# Field limits: a page may hold anything (a megabyte of "name" from a broken template), and a
# record is read by people, captioning prompts and a warehouse. Longer values are cut at a word
# boundary and the cut is counted as an issue of the crawl (`name_cut`, ...).
NAME_MAX_CHARS = 300
DESCRIPTION_MAX_CHARS = 5_000
SPECS_MAX_ROWS = 100
SPEC_KEY_MAX_CHARS = 100
SPEC_VALUE_MAX_CHARS = 500


def cut_text(text: str, limit: int) -> str:
    """`text` of at most `limit` characters, cut after the last word that fits (or mid-word
    when that would lose more than a fifth)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space >= 0.8 * limit:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—/|")


def cap_fields(fields: dict[str, Any]) -> list[str]:
    """Cuts a record's name, description and specs (a dict) to the limits above, in place;
    returns the issues, one per field that was cut."""
    cuts = []
    for key, limit in (
        ("name", NAME_MAX_CHARS),
        ("title", NAME_MAX_CHARS),
        ("description", DESCRIPTION_MAX_CHARS),
    ):
        value = fields.get(key) or ""
        if len(value) > limit:
            fields[key] = cut_text(value, limit)
            cuts.append(f"{key}_cut")
    specs = fields.get("specs") or {}
    capped = {
        cut_text(key, SPEC_KEY_MAX_CHARS): cut_text(value, SPEC_VALUE_MAX_CHARS)
        for key, value in list(specs.items())[:SPECS_MAX_ROWS]
    }
    if len(specs) > SPECS_MAX_ROWS or any(
        len(k) > SPEC_KEY_MAX_CHARS or len(v) > SPEC_VALUE_MAX_CHARS for k, v in specs.items()
    ):
        fields["specs"] = capped
        cuts.append("specs_cut")
    return cuts


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ProductRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    url: str = Field(description="canonical page url")
    name: str = Field(min_length=1)
    description: str = ""
    specs: dict[str, str] = {}
    breadcrumbs: list[str] = []
    image_urls: list[str] = Field(default=[], description="absolute urls")
    image_fallbacks: list[str] = Field(
        default=[],
        description="the page's own photos of the product, absolute urls, for when its "
        "structured data's images cannot be fetched (a dead CDN link)",
    )
    sku: str | None = None
    brand: str | None = None
    title: str = Field(
        default="",
        description="the page's <title> without the site's own prefix and suffix: where the "
        "name is a model code, it may say the kind of product ('Pet Harness-HOTS-PH001')",
    )
    extraction: str = Field(description="how the record was read, e.g. json-ld or heuristic")
    rendered: bool = False
    http_status: int = 200
    fetched_at: str = Field(default_factory=utc_now_iso)
    record_hash: str = ""
    # Validators for the next crawl's conditional request and sitemap comparison.
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = Field(None, description="the page's <lastmod> in the sitemap")

    def content_hash(self) -> str:
        content = self.model_dump(include=set(CONTENT_FIELDS))
        for key in _HASHED_WHEN_SET:
            if not content[key]:
                del content[key]
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @model_validator(mode="after")
    def _fill_hash(self) -> ProductRecord:
        if not self.record_hash:
            self.record_hash = self.content_hash()
        return self
