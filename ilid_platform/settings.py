"""One place for every storage path, so stages never invent their own."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


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
    """Paths under `home`, else `$ILID_HOME`, else `./data`."""
    root = Path(home or os.environ.get("ILID_HOME", "data")).resolve()
    return StoragePaths(root)
