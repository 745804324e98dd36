"""The `pages` table: latest product records per (source, url), owned by the crawl stage."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa

from ilid_platform.crawl.records import ProductRecord

logger = logging.getLogger(__name__)

PAGES_DDL = """
CREATE TABLE IF NOT EXISTS pages (
    source       VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    name         VARCHAR NOT NULL,
    description  VARCHAR,
    specs        JSON,
    breadcrumbs  VARCHAR[],
    image_urls   VARCHAR[],
    sku          VARCHAR,
    brand        VARCHAR,
    extraction   VARCHAR,
    rendered     BOOLEAN,
    http_status  INTEGER,
    fetched_at   TIMESTAMPTZ,
    record_hash  VARCHAR NOT NULL,
    first_seen   TIMESTAMPTZ NOT NULL,
    last_seen    TIMESTAMPTZ NOT NULL,
    gone         BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (source, url)
)
"""

_INCOMING_SCHEMA = pa.schema(
    [
        ("url", pa.string()),
        ("name", pa.string()),
        ("description", pa.string()),
        ("specs", pa.string()),
        ("breadcrumbs", pa.list_(pa.string())),
        ("image_urls", pa.list_(pa.string())),
        ("sku", pa.string()),
        ("brand", pa.string()),
        ("extraction", pa.string()),
        ("rendered", pa.bool_()),
        ("http_status", pa.int32()),
        ("fetched_at", pa.string()),
        ("record_hash", pa.string()),
    ]
)

_CONTENT_COLUMNS = [name for name in _INCOMING_SCHEMA.names if name != "url"]


def ensure_pages_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(PAGES_DDL)


def store_pages(
    con: duckdb.DuckDBPyConnection,
    source_name: str,
    records: Iterable[ProductRecord],
    full_crawl: bool = True,
) -> dict[str, int]:
    """Upsert one source's records; after a full crawl, rows it did not see are marked gone.

    Unchanged records (same record_hash, not gone) are left untouched, so storing the same crawl
    twice changes nothing. An empty full crawl marks nothing gone: that is an outage, not a
    catalog that sold out.
    """
    ensure_pages_table(con)
    latest: dict[str, ProductRecord] = {}
    for record in records:
        if record.source != source_name:
            raise ValueError(f"record for source {record.source!r} passed as {source_name!r}")
        latest[record.url] = record
    incoming = pa.Table.from_pylist(
        [
            {**r.model_dump(include=set(_INCOMING_SCHEMA.names)), "specs": json.dumps(r.specs)}
            for r in latest.values()
        ],
        schema=_INCOMING_SCHEMA,
    )
    con.register("incoming_pages", incoming)
    try:
        con.execute("BEGIN TRANSACTION")
        inserted, updated, unchanged = con.execute(
            """
            SELECT count(*) FILTER (WHERE p.url IS NULL),
                   count(*) FILTER (WHERE p.url IS NOT NULL
                                    AND (p.record_hash <> i.record_hash OR p.gone)),
                   count(*) FILTER (WHERE p.url IS NOT NULL
                                    AND p.record_hash = i.record_hash AND NOT p.gone)
            FROM incoming_pages i
            LEFT JOIN pages p ON p.source = $source AND p.url = i.url
            """,
            {"source": source_name},
        ).fetchone()
        columns = ", ".join(_CONTENT_COLUMNS)
        assignments = ", ".join(f"{c} = excluded.{c}" for c in _CONTENT_COLUMNS)
        con.execute(
            f"""
            INSERT INTO pages (source, url, {columns}, first_seen, last_seen, gone)
            SELECT $source, i.url, {", ".join(f"i.{c}" for c in _CONTENT_COLUMNS)},
                   i.fetched_at::TIMESTAMPTZ, i.fetched_at::TIMESTAMPTZ, false
            FROM incoming_pages i
            LEFT JOIN pages p ON p.source = $source AND p.url = i.url
            WHERE p.url IS NULL OR p.record_hash <> i.record_hash OR p.gone
            ON CONFLICT (source, url) DO UPDATE SET {assignments},
                last_seen = excluded.last_seen, gone = false
            """,
            {"source": source_name},
        )
        con.execute(
            """
            UPDATE pages SET last_seen = i.fetched_at::TIMESTAMPTZ
            FROM incoming_pages i
            WHERE pages.source = $source AND pages.url = i.url
              AND i.fetched_at::TIMESTAMPTZ > pages.last_seen
            """,
            {"source": source_name},
        )
        gone = 0
        if full_crawl and latest:
            gone = con.execute(
                """
                UPDATE pages SET gone = true
                WHERE source = $source AND NOT gone
                  AND url NOT IN (SELECT url FROM incoming_pages)
                """,
                {"source": source_name},
            ).fetchone()[0]
        elif full_crawl:
            logger.warning("full crawl of %s returned no records; nothing marked gone", source_name)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("incoming_pages")
    return {"inserted": inserted, "updated": updated, "unchanged": unchanged, "gone": gone}


def load_records(jsonl_path: str | Path) -> list[ProductRecord]:
    """Records from a crawl's JSON lines; a malformed line is an error naming its line number."""
    path = Path(jsonl_path)
    records = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                records.append(ProductRecord.model_validate_json(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: not a product record: {exc}") from exc
    return records
