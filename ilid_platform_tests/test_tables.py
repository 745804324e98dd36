"""The table declarations in ilid_platform.tables against a real DuckDB file.

Each table's DDL must create what it declares, its Arrow schema must carry the same columns,
and `insert_rows` must be idempotent and refuse rows that do not match the table.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pyarrow as pa
import pytest

from ilid_platform.captions.upstream import UPSTREAM_COLUMNS
from ilid_platform.dataset.samples import SAMPLE_COLUMNS
from ilid_platform.tables import (
    CAPTIONS,
    IMAGE_HASHES,
    IMAGES,
    PAGES,
    SAMPLES,
    TABLES,
    Column,
    Table,
    insert_rows,
)
from ilid_platform.warehouse import connect


@pytest.fixture
def con(tmp_path):
    with connect(tmp_path / "warehouse.duckdb") as con:
        yield con


def hash_row(sha: str, phash: int = 1, dhash: int = 2) -> dict:
    views = dict.fromkeys(("phash_trimmed", "phash_centre", "phash_top", "phash_bottom"), 3)
    return {"sha256": sha, "phash": phash, "dhash": dhash, **views}


def caption_row(url: str, label: str = "hex bolt", status: str = "ok") -> dict:
    return {
        "source": "acme",
        "url": url,
        "label_short": label,
        "label_long": f"{label} long",
        "description": "a part",
        "material": "steel",
        "material_finish": "zinc plated",
        "status": status,
        "reason": None,
        "captioner": "rules",
        "model": "none",
        "prompt_version": "v1",
        "input_hash": f"hash-{url}",
        "created_at": datetime(2026, 1, 1, 12, 0),
    }


def page_row(url: str, record_hash: str = "h1", name: str = "Bolt") -> dict:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return {
        "source": "acme",
        "url": url,
        "name": name,
        "description": "d",
        "specs": '{"Material": "Steel"}',
        "breadcrumbs": ["Fasteners", "Bolts"],
        "image_urls": [f"{url}.jpg"],
        "image_fallbacks": [],
        "sku": None,
        "brand": None,
        "title": "",
        "extraction": "json_ld",
        "rendered": False,
        "http_status": 200,
        "fetched_at": at,
        "record_hash": record_hash,
        "first_seen": at,
        "last_seen": at,
        "gone": False,
    }


@pytest.mark.parametrize("table", TABLES.values(), ids=list(TABLES))
def test_ddl_creates_the_declared_columns(con, table: Table) -> None:
    table.ensure(con)
    table.ensure(con)  # idempotent
    described = con.execute(f"DESCRIBE {table.name}").fetchall()
    assert [(name, kind) for name, kind, *_ in described] == [
        (c.name, c.type) for c in table.columns
    ]
    nullable = {name: null == "YES" for name, _, null, *_ in described}
    for column in table.columns:
        in_key = column.name in table.primary_key
        assert nullable[column.name] == (not column.not_null and not in_key), column.name
    keys = [name for name, _, _, key, *_ in described if key == "PRI"]
    assert tuple(keys) == table.primary_key


@pytest.mark.parametrize("table", TABLES.values(), ids=list(TABLES))
def test_arrow_schema_matches_columns(table: Table) -> None:
    assert tuple(table.arrow_schema.names) == table.column_names
    assert len(table.column_names) == len(set(table.column_names))


@pytest.mark.parametrize("table", TABLES.values(), ids=list(TABLES))
def test_arrow_batch_round_trips_through_duckdb(con, table: Table) -> None:
    """A batch of the derived Arrow schema lands with the declared DuckDB types, no casts."""
    con.register("empty_batch", table.arrow_schema.empty_table())
    described = con.execute("DESCRIBE SELECT * FROM empty_batch").fetchall()
    con.unregister("empty_batch")
    arrow_as_duckdb = [kind for _, kind, *_ in described]
    declared = [c.type.replace("JSON", "VARCHAR") for c in table.columns]  # JSON is text
    assert arrow_as_duckdb == declared


def test_readers_contract_is_declared() -> None:
    for name, columns in UPSTREAM_COLUMNS.items():
        assert set(columns) <= set(TABLES[name].column_names), name
    assert SAMPLES.column_names == SAMPLE_COLUMNS
    assert PAGES.arrow_schema.field("breadcrumbs").type == pa.list_(pa.string())


def test_ddl_replace_rebuilds(con) -> None:
    con.execute(SAMPLES.ddl())
    con.execute("INSERT INTO samples (id) VALUES ('x')")
    con.execute(SAMPLES.ddl(replace=True))
    assert con.execute("SELECT count(*) FROM samples").fetchone()[0] == 0


def test_replace_is_idempotent_and_overwrites(tmp_path) -> None:
    path = tmp_path / "warehouse.duckdb"
    rows = [caption_row("u1"), caption_row("u2")]
    with connect(path) as con:
        CAPTIONS.ensure(con)
        assert insert_rows(con, CAPTIONS, rows, mode="replace") == 2
        insert_rows(con, CAPTIONS, rows, mode="replace")
        assert con.execute("SELECT count(*) FROM captions").fetchall() == [(2,)]
        insert_rows(con, CAPTIONS, [caption_row("u2", label="hex nut")], mode="replace")
    with connect(path, read_only=True) as con:
        assert con.execute("SELECT url, label_short FROM captions ORDER BY url").fetchall() == [
            ("u1", "hex bolt"),
            ("u2", "hex nut"),
        ]
        assert con.execute("SELECT created_at FROM captions LIMIT 1").fetchone()[0] == datetime(
            2026, 1, 1, 12, 0
        )


def test_ignore_keeps_stored_row_and_first_of_a_batch(con) -> None:
    IMAGE_HASHES.ensure(con)
    insert_rows(con, IMAGE_HASHES, [hash_row("a", 1)], mode="ignore")
    batch = [hash_row("a", 5), hash_row("b", 2**64 - 1), hash_row("b", 3)]
    insert_rows(con, IMAGE_HASHES, batch, mode="ignore")
    assert con.execute("SELECT sha256, phash FROM image_hashes ORDER BY 1").fetchall() == [
        ("a", 1),
        ("b", 2**64 - 1),
    ]


def test_replace_keeps_last_of_a_batch(con) -> None:
    CAPTIONS.ensure(con)
    batch = [caption_row("u1", label="first"), caption_row("u1", label="last")]
    assert insert_rows(con, CAPTIONS, batch, mode="replace") == 1
    assert con.execute("SELECT label_short FROM captions").fetchall() == [("last",)]


def test_upsert_updates_only_named_columns(con) -> None:
    PAGES.ensure(con)
    insert_rows(con, PAGES, [page_row("u1")], mode="upsert", update_columns=("name",))
    later = page_row("u1", record_hash="h2", name="Bolt M8")
    later["first_seen"] = later["last_seen"] = datetime(2026, 2, 1, tzinfo=UTC)
    for _ in range(2):
        insert_rows(con, PAGES, [later], mode="upsert", update_columns=("name", "record_hash"))
    row = con.execute("SELECT name, record_hash, first_seen, breadcrumbs FROM pages").fetchall()
    assert row == [("Bolt M8", "h2", datetime(2026, 1, 1, tzinfo=UTC), ["Fasteners", "Bolts"])]


def test_insert_mode_refuses_a_stored_key(con) -> None:
    IMAGE_HASHES.ensure(con)
    insert_rows(con, IMAGE_HASHES, [hash_row("a")], mode="insert")
    with pytest.raises(duckdb.ConstraintException):
        insert_rows(con, IMAGE_HASHES, [hash_row("a")], mode="insert")


def test_arrow_input_is_checked_and_cast(con) -> None:
    IMAGE_HASHES.ensure(con)
    views = {c: [3] for c in ("phash_bottom", "phash_top", "phash_centre", "phash_trimmed")}
    batch = pa.table({**views, "dhash": [2], "phash": [1], "sha256": ["a"]})  # any order, int64
    assert insert_rows(con, IMAGE_HASHES, batch, mode="insert") == 1
    assert con.execute("SELECT * FROM image_hashes").fetchall() == [("a", 1, 2, 3, 3, 3, 3)]
    with pytest.raises(ValueError, match=r"missing column\(s\) \['dhash'\]"):
        insert_rows(con, IMAGE_HASHES, pa.table({**views, "sha256": ["b"], "phash": [1]}))


def test_unknown_column_is_named(con) -> None:
    IMAGE_HASHES.ensure(con)
    with pytest.raises(ValueError, match=r"'image_hashes'.*unknown column\(s\) \['ahash'\]"):
        insert_rows(con, IMAGE_HASHES, [{**hash_row("a"), "ahash": 3}], mode="ignore")
    assert con.execute("SELECT count(*) FROM image_hashes").fetchone()[0] == 0


def test_missing_column_is_named(con) -> None:
    CAPTIONS.ensure(con)
    row = caption_row("u1")
    del row["material_finish"]
    with pytest.raises(ValueError, match=r"missing column\(s\) \['material_finish'\]"):
        insert_rows(con, CAPTIONS, [caption_row("u0"), row])
    assert con.execute("SELECT count(*) FROM captions").fetchone()[0] == 0


def test_bad_modes_are_refused(con) -> None:
    with pytest.raises(ValueError, match="update_columns"):
        insert_rows(con, PAGES, [page_row("u1")], mode="upsert")
    with pytest.raises(ValueError, match=r"cannot update \['url'\]"):
        insert_rows(con, PAGES, [page_row("u1")], mode="upsert", update_columns=("url",))
    with pytest.raises(ValueError, match="no primary key"):
        insert_rows(con, SAMPLES, [], mode="replace")
    with pytest.raises(ValueError, match="only apply to mode 'upsert'"):
        insert_rows(con, PAGES, [page_row("u1")], mode="replace", update_columns=("name",))


def test_insert_names_columns_when_stored_order_differs(con) -> None:
    """An older warehouse got thumbnail_path appended by ALTER; rows still land by name."""
    old = [c for c in IMAGES.columns if c.name != "thumbnail_path"]
    con.execute(Table("images", tuple(old), IMAGES.primary_key).ddl())
    IMAGES.ensure(con)
    assert con.execute("DESCRIBE images").fetchall()[-1][:2] == ("thumbnail_path", "VARCHAR")
    row = dict.fromkeys(IMAGES.column_names)
    row.update(source="acme", page_url="p", image_url="i", status="ok", thumbnail_path="t.png")
    row.update(width=24, updated_at=datetime(2026, 1, 1, tzinfo=UTC))
    insert_rows(con, IMAGES, [row], mode="replace")
    assert con.execute("SELECT thumbnail_path, width FROM images").fetchall() == [("t.png", 24)]


def test_declaration_errors() -> None:
    with pytest.raises(ValueError, match="twice"):
        Table("t", (Column("a", "VARCHAR"), Column("a", "VARCHAR")))
    with pytest.raises(ValueError, match="no Arrow type"):
        Table("t", (Column("a", "HUGEINT"),))
    with pytest.raises(ValueError, match="primary key"):
        Table("t", (Column("a", "VARCHAR"),), primary_key=("b",))
