"""Every warehouse table, declared once: DDL, Arrow schema and column list derive from it.

Stages write their tables only through `insert_rows`, so a column is named in one place and a
batch that lacks or invents a column fails with its name instead of writing NULLs or shifting
values. Column order and types are those of warehouses already on disk; change them only with a
migration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import duckdb
import pyarrow as pa

from ilid_platform.captions.schema import CAPTION_FIELDS

InsertMode = Literal["insert", "replace", "ignore", "upsert"]

# DuckDB types as DESCRIBE spells them, and the Arrow type a batch carries for each.
_ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "JSON": pa.string(),
    "VARCHAR[]": pa.list_(pa.string()),
    "BOOLEAN": pa.bool_(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "UBIGINT": pa.uint64(),
    "TIMESTAMP": pa.timestamp("us"),
    "TIMESTAMP WITH TIME ZONE": pa.timestamp("us", tz="UTC"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    """DuckDB type, spelled as DESCRIBE reports it."""
    not_null: bool = False
    default: str | None = None
    """SQL literal used when an INSERT does not name the column."""
    added_later: bool = False
    """Warehouses created before this column lack it; `Table.ensure` adds it to them."""

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW_TYPES[self.type]

    @property
    def ddl(self) -> str:
        parts = [self.name, self.type]
        if self.not_null:
            parts.append("NOT NULL")
        if self.default is not None:
            parts.append(f"DEFAULT {self.default}")
        return " ".join(parts)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name!r} declares a column twice: {names}")
        unknown_types = [c.type for c in self.columns if c.type not in _ARROW_TYPES]
        if unknown_types:
            raise ValueError(f"table {self.name!r}: no Arrow type for {unknown_types}")
        unknown_key = [k for k in self.primary_key if k not in names]
        if unknown_key:
            raise ValueError(f"table {self.name!r}: primary key names no column {unknown_key}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([(c.name, c.arrow_type) for c in self.columns])

    def ddl(self, replace: bool = False) -> str:
        """CREATE TABLE IF NOT EXISTS, or CREATE OR REPLACE TABLE for tables rebuilt per run."""
        head = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE IF NOT EXISTS"
        body = [c.ddl for c in self.columns]
        if self.primary_key:
            body.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        return f"{head} {self.name} ({', '.join(body)})"

    def ensure(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create the table if missing, and add the columns older warehouses lack."""
        con.execute(self.ddl())
        for column in self.columns:
            if column.added_later:
                con.execute(f"ALTER TABLE {self.name} ADD COLUMN IF NOT EXISTS {column.ddl}")


def _columns(*spec: tuple[str, str] | Column) -> tuple[Column, ...]:
    return tuple(c if isinstance(c, Column) else Column(*c) for c in spec)


_TZ = "TIMESTAMP WITH TIME ZONE"

PAGES = Table(
    "pages",
    _columns(
        Column("source", "VARCHAR", not_null=True),
        Column("url", "VARCHAR", not_null=True),
        Column("name", "VARCHAR", not_null=True),
        ("description", "VARCHAR"),
        ("specs", "JSON"),  # object str -> str
        ("breadcrumbs", "VARCHAR[]"),
        ("image_urls", "VARCHAR[]"),
        Column("image_fallbacks", "VARCHAR[]", added_later=True),
        ("sku", "VARCHAR"),
        ("brand", "VARCHAR"),
        Column("title", "VARCHAR", added_later=True),
        ("extraction", "VARCHAR"),
        ("rendered", "BOOLEAN"),
        ("http_status", "INTEGER"),
        ("fetched_at", _TZ),
        Column("record_hash", "VARCHAR", not_null=True),
        Column("first_seen", _TZ, not_null=True),
        Column("last_seen", _TZ, not_null=True),
        Column("gone", "BOOLEAN", not_null=True, default="false"),
    ),
    primary_key=("source", "url"),
)
"""Latest product record per (source, url), owned by the crawl stage."""

IMAGES = Table(
    "images",
    _columns(
        Column("source", "VARCHAR", not_null=True),
        Column("page_url", "VARCHAR", not_null=True),
        Column("image_url", "VARCHAR", not_null=True),
        Column("status", "VARCHAR", not_null=True),
        ("reason", "VARCHAR"),
        ("sha256", "VARCHAR"),
        ("path", "VARCHAR"),
        ("normalised_path", "VARCHAR"),
        Column("thumbnail_path", "VARCHAR", added_later=True),
        ("width", "INTEGER"),
        ("height", "INTEGER"),
        ("format", "VARCHAR"),
        ("bytes", "BIGINT"),
        ("http_status", "INTEGER"),
        ("updated_at", _TZ),
    ),
    primary_key=("source", "page_url", "image_url"),
)
"""Final status of every requested image url, per product page; owned by the images stage."""

IMAGE_HASHES = Table(
    "image_hashes",
    _columns(
        Column("sha256", "VARCHAR", not_null=True),
        Column("phash", "UBIGINT", not_null=True),
        Column("dhash", "UBIGINT", not_null=True),
        Column("phash_trimmed", "UBIGINT", added_later=True),
        Column("phash_centre", "UBIGINT", added_later=True),
        Column("phash_top", "UBIGINT", added_later=True),
        Column("phash_bottom", "UBIGINT", added_later=True),
    ),
    primary_key=("sha256",),
)
"""64-bit perceptual hashes of every stored original and of its views (see images/hashing.py);
the views are NULL in rows from before they existed until `hash_images` completes them."""

IMAGE_PAIR_CHECKS = Table(
    "image_pair_checks",
    _columns(
        Column("sha256_a", "VARCHAR", not_null=True),
        Column("sha256_b", "VARCHAR", not_null=True),
        Column("checker", "VARCHAR", not_null=True),
        Column("same", "BOOLEAN", not_null=True),
        Column("score", "DOUBLE", not_null=True),
        Column("inliers", "INTEGER", not_null=True),
        ("reason", "VARCHAR"),
    ),
    primary_key=("sha256_a", "sha256_b"),
)
"""Verdict of the pixel check on every candidate pair (sha256_a < sha256_b), with the check's
name and settings (`checker`): a pair is checked once per setting, so re-clustering is cheap."""

IMAGE_CLUSTERS = Table(
    "image_clusters",
    _columns(
        Column("sha256", "VARCHAR", not_null=True),
        Column("cluster_id", "VARCHAR", not_null=True),
        Column("representative_sha256", "VARCHAR", not_null=True),
        Column("cluster_size", "BIGINT", not_null=True),
    ),
    primary_key=("sha256",),
)
"""Near-duplicate cluster of every hashed image; rebuilt on every run."""

CAPTIONS = Table(
    "captions",
    _columns(
        Column("source", "VARCHAR", not_null=True),
        Column("url", "VARCHAR", not_null=True),
        *((name, "VARCHAR") for name in CAPTION_FIELDS),
        Column("status", "VARCHAR", not_null=True),
        ("reason", "VARCHAR"),
        Column("captioner", "VARCHAR", not_null=True),
        Column("model", "VARCHAR", not_null=True),
        Column("prompt_version", "VARCHAR", not_null=True),
        Column("input_hash", "VARCHAR", not_null=True),
        Column("created_at", "TIMESTAMP", not_null=True),
    ),
    primary_key=("source", "url"),
)
"""Five-field caption (or why there is none) per product; owned by the captions stage."""

SAMPLES = Table(
    "samples",
    _columns(
        ("id", "VARCHAR"),
        ("source", "VARCHAR"),
        ("url", "VARCHAR"),
        ("sha256", "VARCHAR"),
        ("image_path", "VARCHAR"),
        ("cluster_id", "VARCHAR"),
        *((name, "VARCHAR") for name in CAPTION_FIELDS),
        ("split", "VARCHAR"),
    ),
)
"""ILID samples with their split; rebuilt on every run, so it has no key to upsert on."""

TABLES: dict[str, Table] = {
    t.name: t
    for t in (PAGES, IMAGES, IMAGE_HASHES, IMAGE_PAIR_CHECKS, IMAGE_CLUSTERS, CAPTIONS, SAMPLES)
}


def _check_columns(table: Table, found: Iterable[str]) -> None:
    found = set(found)
    unknown = sorted(found.difference(table.column_names))
    missing = [c for c in table.column_names if c not in found]
    if unknown or missing:
        problems = []
        if unknown:
            problems.append(f"unknown column(s) {unknown}")
        if missing:
            problems.append(f"missing column(s) {missing}")
        raise ValueError(f"row for table {table.name!r}: {'; '.join(problems)}")


def _batch(table: Table, rows: Iterable[Mapping[str, object]] | pa.Table, mode: str) -> pa.Table:
    """The rows as an Arrow table of `table`'s schema; mapping rows may repeat a key, and then
    the batch is what inserting them one by one would leave (first wins for "ignore")."""
    schema = table.arrow_schema
    if isinstance(rows, pa.Table):
        _check_columns(table, rows.column_names)
        return rows.select(list(schema.names)).cast(schema)
    expected = set(table.column_names)
    checked: list[Mapping[str, object]] = []
    for row in rows:
        if row.keys() != expected:
            _check_columns(table, row.keys())
        checked.append(row)
    if table.primary_key and mode != "insert":
        unique: dict[tuple, Mapping[str, object]] = {}
        for row in checked:
            key = tuple(row[c] for c in table.primary_key)
            if mode == "ignore":
                unique.setdefault(key, row)
            else:
                unique[key] = row
        checked = list(unique.values())
    return pa.Table.from_pylist(checked, schema=schema)


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    rows: Iterable[Mapping[str, object]] | pa.Table,
    mode: InsertMode = "replace",
    update_columns: Sequence[str] | None = None,
) -> int:
    """Write a batch into `table` in one statement; returns how many rows were sent.

    Every row must name exactly the table's columns. Modes on a key conflict: "insert" fails,
    "replace" overwrites the row, "ignore" keeps the stored row, "upsert" overwrites only
    `update_columns` (e.g. to keep `first_seen`). The statement names its columns, so a
    warehouse whose columns were added in another order is written correctly.
    """
    if mode not in ("insert", "replace", "ignore", "upsert"):
        raise ValueError(f"unknown insert mode {mode!r}")
    if mode != "insert" and not table.primary_key:
        raise ValueError(f"table {table.name!r} has no primary key to {mode} on")
    conflict = ""
    if mode == "upsert":
        if not update_columns:
            raise ValueError("mode 'upsert' needs update_columns")
        bad = [c for c in update_columns if c not in table.column_names or c in table.primary_key]
        if bad:
            raise ValueError(f"table {table.name!r}: cannot update {bad}")
        assignments = ", ".join(f"{c} = excluded.{c}" for c in update_columns)
        conflict = f" ON CONFLICT ({', '.join(table.primary_key)}) DO UPDATE SET {assignments}"
    elif update_columns is not None:
        raise ValueError(f"update_columns only apply to mode 'upsert', not {mode!r}")
    batch = _batch(table, rows, mode)
    if not batch.num_rows:
        return 0
    verb = {"insert": "INSERT", "replace": "INSERT OR REPLACE", "ignore": "INSERT OR IGNORE"}
    columns = ", ".join(table.column_names)
    view = f"_{table.name}_batch"
    # DuckDB refuses to register while a caller's earlier result is unfinished (e.g. after a
    # fetchone()); a statement run to completion ends that result first.
    con.execute("SELECT 1").fetchall()
    con.register(view, batch)
    try:
        con.execute(
            f"{verb.get(mode, 'INSERT')} INTO {table.name} ({columns}) "
            f"SELECT {columns} FROM {view}{conflict}"
        ).fetchall()  # finish the result, so the connection is free for the next statement
    finally:
        con.unregister(view)
    return batch.num_rows
