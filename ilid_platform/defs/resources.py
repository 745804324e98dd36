"""Resources: the storage root, the sources file and the captioner, configurable by env."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal, TypeVar

import dagster as dg
import duckdb

from ilid_platform import warehouse
from ilid_platform.settings import (
    ConfigError,
    StoragePaths,
    env_choice,
    env_int,
    storage_paths,
)

T = TypeVar("T")

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
    """Which captioner writes the five ILID fields: the offline rules, an Ollama server or an
    OpenAI-compatible server (vLLM, llama.cpp's server). `concurrency` is the requests kept in
    flight: a little above the server's parallel slots keeps every slot busy.
    `require_all_fields` keeps only captions with material, finish and description; off by
    default, as in ILID, whose post-filter requires only label_short and label_long."""

    kind: Literal["rules", "ollama", "openai"] = "rules"
    ollama_host: str = "http://127.0.0.1:11434"
    ollama_model: str = "llama3.1:8b"
    openai_base_url: str = "http://127.0.0.1:8000/v1"
    openai_model: str = "Qwen/Qwen2.5-7B-Instruct"
    timeout_s: float = 120.0
    concurrency: int = 4
    require_all_fields: bool = False


def read_at_load(read: Callable[[], T]) -> T:
    """Configuration read while Dagster loads the definitions (partitions, resources).

    A bad value fails the code location; its one-line message is written first, so that it
    leads whatever Dagster prints after it (a traceback on the command line, the load error in
    the web UI), and the exception carries the same line with no chained traceback.
    """
    try:
        return read()
    except ConfigError as exc:
        print(f"ILID configuration error: {exc}", file=sys.stderr, flush=True)
        raise ConfigError(str(exc)) from None


def captioner_from_env() -> CaptionerResource:
    """$ILID_CAPTIONER (rules | ollama | openai), $OLLAMA_HOST, $ILID_OLLAMA_MODEL,
    $ILID_OPENAI_BASE_URL, $ILID_OPENAI_MODEL, $ILID_CAPTION_CONCURRENCY and
    $ILID_CAPTION_REQUIRE_ALL_FIELDS (true | false); the OpenAI client reads its key from
    $OPENAI_API_KEY (local servers need none)."""
    return CaptionerResource(
        kind=env_choice("ILID_CAPTIONER", "rules", ["rules", "ollama", "openai"]),
        ollama_host=dg.EnvVar("OLLAMA_HOST").get_value("http://127.0.0.1:11434"),
        ollama_model=dg.EnvVar("ILID_OLLAMA_MODEL").get_value("llama3.1:8b"),
        openai_base_url=dg.EnvVar("ILID_OPENAI_BASE_URL").get_value("http://127.0.0.1:8000/v1"),
        openai_model=dg.EnvVar("ILID_OPENAI_MODEL").get_value("Qwen/Qwen2.5-7B-Instruct"),
        concurrency=env_int("ILID_CAPTION_CONCURRENCY", 4, minimum=1),
        require_all_fields=env_choice("ILID_CAPTION_REQUIRE_ALL_FIELDS", "false", ["true", "false"])
        == "true",
    )
