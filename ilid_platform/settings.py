"""One place for every storage path, so stages never invent their own, and for reading
settings from the environment, so a bad value is refused in one line that names it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

Number = TypeVar("Number", int, float)


class ConfigError(ValueError):
    """A setting that cannot work. The message is one line that names the setting and says
    what is wrong with it; the command line prints just that line."""


def env_number(
    name: str,
    default: Number,
    kind: type[Number],
    minimum: Number | None = None,
    maximum: Number | None = None,
) -> Number:
    """`$name` as an int or float within bounds, `default` when unset or empty."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    bounds = (
        f" between {minimum} and {maximum}"
        if minimum is not None and maximum is not None
        else f" of at least {minimum}"
        if minimum is not None
        else ""
    )
    what = "an integer" if kind is int else "a number"
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"${name} must be {what}{bounds}, not {raw!r}") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ConfigError(f"${name} must be {what}{bounds}, not {raw!r}")
    return value


def env_choice(name: str, default: str, choices: Sequence[str]) -> str:
    """`$name` as one of `choices`, `default` when unset or empty."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw not in choices:
        raise ConfigError(f"${name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    """`$name` as an integer (at least `minimum`), `default` when unset or empty."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"${name} must be an integer, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"${name} must be at least {minimum}, not {value}")
    return value


@dataclass(frozen=True)
class StoragePaths:
    home: Path

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def images(self) -> Path:
        return self.home / "images"

    @property
    def shards(self) -> Path:
        return self.home / "shards"

    @property
    def checkpoints(self) -> Path:
        return self.home / "checkpoints"

    @property
    def reports(self) -> Path:
        return self.home / "reports"

    @property
    def crawl(self) -> Path:
        """Crawl job state, HTTP cache and the JSON lines each crawl writes."""
        return self.home / "crawl"

    @property
    def demo(self) -> Path:
        return self.home / "demo"

    def ensure(self) -> StoragePaths:
        for path in (self.images, self.shards, self.checkpoints, self.reports, self.crawl):
            path.mkdir(parents=True, exist_ok=True)
        return self


def storage_paths(home: str | os.PathLike[str] | None = None) -> StoragePaths:
    """Paths under `home`, else `$ILID_HOME`, else `./data`; refused if that is no directory."""
    label = "the storage home" if home else "$ILID_HOME"
    root = Path(home or os.environ.get("ILID_HOME", "data")).resolve()
    for part in (root, *root.parents):
        if part.exists():
            if not part.is_dir():
                raise ConfigError(f"{label} {root} is not a directory: {part} is a file")
            if not os.access(part, os.W_OK | os.X_OK):
                raise ConfigError(f"{label} {root} cannot be written: {part} is read-only")
            break
    return StoragePaths(root)
