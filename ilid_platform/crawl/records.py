"""The product record every crawl emits and every later stage reads."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

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
)


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
    sku: str | None = None
    brand: str | None = None
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
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @model_validator(mode="after")
    def _fill_hash(self) -> ProductRecord:
        if not self.record_hash:
            self.record_hash = self.content_hash()
        return self
