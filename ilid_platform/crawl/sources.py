"""Catalog sources: one YAML entry per web catalog, with politeness settings per source."""

from __future__ import annotations

import os
import re
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ilid_platform.crawl.extract import validate_selector

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


# Fields a source may override with a CSS or XPath selector.
SELECTOR_FIELDS = frozenset(
    {"name", "description", "image", "sku", "brand", "breadcrumbs", "specs_rows"}
)


class SourceError(ValueError):
    """A sources file that cannot be read, or a source name it does not declare."""


class Politeness(BaseModel):
    """How hard a crawl may hit one catalog; defaults are deliberately gentle.

    `concurrency_per_domain` is a hard cap; with AutoThrottle on, Scrapy adapts the delay so
    that on average only `target_concurrency` requests are in flight per domain.
    """

    model_config = ConfigDict(extra="forbid")

    download_delay: float = Field(0.25, ge=0)
    concurrency_per_domain: int = Field(4, ge=1)
    autothrottle: bool = True
    target_concurrency: float = Field(1.0, gt=0)
    obey_robots: bool = True
    user_agent: str = Field(
        "ILIDPlatformBot/0.1 (+{contact})",
        description="`{contact}` is replaced by $ILID_CRAWL_CONTACT",
    )
    timeout_s: float = Field(20, gt=0)
    max_page_bytes: int = Field(5_000_000, gt=0)
    max_redirects: int = Field(5, ge=0)


class Source(BaseModel):
    """One catalog: where the crawl starts, what it may visit and how pages are read."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    start_urls: list[str] = []
    sitemap_urls: list[str] = []
    allowed_domains: list[str] = []
    browser: Literal["never", "always", "auto"] = "never"
    selectors: dict[str, str] = {}
    trade_name_regex: str | None = None
    politeness: Politeness = Politeness()

    @model_validator(mode="after")
    def _check(self) -> Source:
        if not self.start_urls and not self.sitemap_urls:
            raise ValueError(f"source {self.name!r} needs start_urls or sitemap_urls")
        for url in [*self.start_urls, *self.sitemap_urls]:
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise ValueError(f"source {self.name!r}: not an absolute http(s) url: {url!r}")
        if self.allowed_domains:
            # Accept "host:port" or a url by mistake; matching is by host name only.
            hosts = [urlsplit(d if "//" in d else f"//{d}").hostname for d in self.allowed_domains]
        else:
            hosts = [urlsplit(u).hostname for u in [*self.start_urls, *self.sitemap_urls]]
        self.allowed_domains = list(dict.fromkeys(h for h in hosts if h))
        unknown = set(self.selectors) - SELECTOR_FIELDS
        if unknown:
            raise ValueError(
                f"source {self.name!r}: unknown selector fields {sorted(unknown)}; "
                f"allowed: {sorted(SELECTOR_FIELDS)}"
            )
        for field_name, query in self.selectors.items():
            try:
                validate_selector(query)
            except ValueError as exc:
                raise ValueError(f"source {self.name!r}, selector {field_name!r}: {exc}") from exc
        if self.trade_name_regex is not None:
            re.compile(self.trade_name_regex)
        return self


def _expand_env(value: Any) -> Any:
    """Expand `${VAR}` and `${VAR:-default}` in strings; done after parsing so quoting holds."""
    if isinstance(value, str):
        return _ENV_REF.sub(lambda m: os.environ.get(m.group(1)) or (m.group(2) or ""), value)
    if isinstance(value, list):
        return [_expand_env(v) for v in value]
    if isinstance(value, dict):
        return {k: _expand_env(v) for k, v in value.items()}
    return value


def load_sources(path: str | os.PathLike[str]) -> list[Source]:
    """Read a sources file: a list of entries, or `sources:` as a list or a name-keyed mapping."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(f"cannot read sources file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise SourceError(f"invalid YAML in sources file {path}: {exc}") from exc
    entries = raw.get("sources") if isinstance(raw, dict) else raw
    if isinstance(entries, dict):
        entries = [{"name": name, **(body or {})} for name, body in entries.items()]
    if not isinstance(entries, list) or not entries:
        raise SourceError(
            f"{path}: expected a non-empty list of sources (top level or under 'sources:')"
        )
    sources: list[Source] = []
    for index, entry in enumerate(entries):
        label = entry.get("name", f"#{index}") if isinstance(entry, dict) else f"#{index}"
        try:
            sources.append(Source.model_validate(_expand_env(entry)))
        except ValidationError as exc:
            raise SourceError(f"{path}: source {label!r} is invalid:\n{exc}") from exc
    names = [s.name for s in sources]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SourceError(f"{path}: duplicate source names {duplicates}")
    return sources


def get_source(path: str | os.PathLike[str], name: str) -> Source:
    sources = load_sources(path)
    for source in sources:
        if source.name == name:
            return source
    raise SourceError(
        f"unknown source {name!r} in {path}; declared: {', '.join(s.name for s in sources)}"
    )


def default_sources_path() -> Path:
    """`$ILID_SOURCES`, else the demo catalog's sources file shipped in the package."""
    override = os.environ.get("ILID_SOURCES")
    if override:
        return Path(override)
    return Path(str(files("ilid_platform.demo").joinpath("sources.yaml")))
