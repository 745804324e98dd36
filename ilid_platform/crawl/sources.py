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

from ilid_platform.addresses import parse_networks
from ilid_platform.crawl.extract import validate_selector
from ilid_platform.settings import ConfigError

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


# Fields a source may override with a CSS or XPath selector.
SELECTOR_FIELDS = frozenset(
    {"name", "description", "image", "sku", "brand", "breadcrumbs", "specs_rows"}
)


class SourceError(ConfigError):
    """A sources file that cannot be read, or a source name it does not declare."""


def one_line(error: ValidationError) -> str:
    """Pydantic's errors as one line: each field and its problem, without pydantic's URLs."""
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


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
    allow_private_addresses: bool | list[str] = False
    """Pages and images are fetched from public addresses only, unless the catalog lives on
    a private network: `true` allows every address (loopback included, as the demo needs), a
    list of addresses or CIDR networks allows just those."""

    @model_validator(mode="after")
    def _check(self) -> Source:
        if not self.start_urls and not self.sitemap_urls:
            raise ValueError(f"source {self.name!r} needs start_urls or sitemap_urls")
        for url in [*self.start_urls, *self.sitemap_urls]:
            problem = url_problem(url)
            if problem:
                raise ValueError(f"{problem}: {url!r}")
        if self.allowed_domains:
            # Accept "host:port" or a url by mistake; matching is by host name only.
            hosts = [_domain_host(d) for d in self.allowed_domains]
        else:
            hosts = [urlsplit(u).hostname for u in [*self.start_urls, *self.sitemap_urls]]
        self.allowed_domains = list(dict.fromkeys(h for h in hosts if h))
        unknown = set(self.selectors) - SELECTOR_FIELDS
        if unknown:
            raise ValueError(
                f"unknown selector fields {sorted(unknown)}; allowed: {sorted(SELECTOR_FIELDS)}"
            )
        for field_name, query in self.selectors.items():
            try:
                validate_selector(query)
            except ValueError as exc:
                raise ValueError(f"selector {field_name!r}: {exc}") from None
        if self.trade_name_regex is not None:
            try:
                re.compile(self.trade_name_regex)
            except re.error as exc:
                raise ValueError(
                    f"trade_name_regex is not a valid regular expression ({exc}): "
                    f"{self.trade_name_regex!r}"
                ) from None
        if not isinstance(self.allow_private_addresses, bool):
            parse_networks(self.allow_private_addresses)
        return self


def url_problem(url: str) -> str | None:
    """What makes `url` unusable as a start or sitemap url, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an absolute http(s) url"
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return "a url cannot contain spaces or control characters (write a space as %20)"
    try:
        parts.port  # noqa: B018 - raises for a port out of range or not a number
    except ValueError:
        return "the port must be a number between 0 and 65535"
    return None


def _domain_host(domain: str) -> str | None:
    """The host of an allowed_domains entry: a name, an IP address (IPv6 with or without
    brackets), "host:port" or a whole url."""
    if domain.count(":") >= 2 and "//" not in domain and not domain.startswith("["):
        return domain.lower()  # a bare IPv6 address
    return urlsplit(domain if "//" in domain else f"//{domain}").hostname


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
        raise SourceError(f"cannot read sources file {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise SourceError(f"invalid YAML in sources file {path}{at}: {problem}") from None
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
            raise SourceError(f"{path}: source {label!r}: {one_line(exc)}") from None
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
