"""One page read: everything the site-level pass needs from it, without the lxml tree, so that
it comes back from a worker process and is kept in a crawl's job directory as a JSON line."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from ilid_platform.crawl.extract.page import PageFeatures


@dataclass
class PageReading:
    url: str
    base: str
    """The url relative references resolve against (<base href> or the url)."""
    reason: str | None = None
    """Why this page cannot hold a product whatever the site says: malformed_html, or
    invalid_jsonld when its only product data was unreadable."""
    issues: list[str] = field(default_factory=list)
    script_rendered: bool = False
    links: list[str] = field(default_factory=list)
    canonical: str = ""
    structured: dict[str, Any] | None = None
    """The page's own product from structured data (JSON-LD, microdata, RDFa, OpenGraph,
    Twitter), merged, with `method` naming the syntax it came from first."""
    structured_breadcrumbs: list[str] = field(default_factory=list)
    site_name: str = ""
    features: PageFeatures | None = None
    selected: dict[str, Any] = field(default_factory=dict)
    """Values the source's selectors picked, by product field."""

    def to_json(self) -> dict[str, Any]:
        """The fields as plain dicts and lists. Shallow: a reading is built for one page and
        handed on, and `dataclasses.asdict` deep-copied every heading, image and link of it
        (a tenth of a worker's time per page)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.features is not None:
            data["features"] = {
                f.name: getattr(self.features, f.name) for f in fields(self.features)
            }
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageReading:
        data = dict(data)
        features = data.pop("features", None)
        if features is not None:
            features = dict(features)
            features["specs"] = [tuple(row) for row in features["specs"]]
            features = PageFeatures(**features)
        return cls(**data, features=features)
