"""Resources: the storage root, the sources file and the captioner, configurable by env."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import dagster as dg
import duckdb

from ilid_platform import warehouse
from ilid_platform.settings import StoragePaths, storage_paths

DUCKDB_POOL = "duckdb"
"""DuckDB allows one writer: every asset that writes the warehouse runs in this pool (limit 1)."""


class IlidStorage(dg.ConfigurableResource):
    """The ILID_HOME tree: warehouse, images, shards, checkpoints, reports."""

    home: str | None = None

    @property
    def paths(self) -> StoragePaths:
        return storage_paths(self.home).ensure()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(self.paths.warehouse, read_only=read_only) as con:
            yield con


class CaptionerResource(dg.ConfigurableResource):
    """Which captioner writes the five ILID fields: the offline rules or an Ollama server."""

    kind: Literal["rules", "ollama"] = "rules"
    ollama_host: str = "http://127.0.0.1:11434"
    ollama_model: str = "llama3.1:8b"
    timeout_s: float = 120.0
    concurrency: int = 4
