"""Writes the `pages` table (see `ilid_platform.tables.PAGES`): latest records per (source, url)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ilid_platform.crawl.records import ProductRecord
from ilid_platform.tables import PAGES, insert_rows

logger = logging.getLogger(__name__)

# Written from the crawled record; the rest of a row is its key and bookkeeping.
_BOOKKEEPING = ("source", "url", "first_seen", "last_seen", "gone")
_CONTENT_COLUMNS = tuple(c for c in PAGES.column_names if c not in _BOOKKEEPING)


def _timestamp(text: str) -> datetime:
    """An ISO 8601 fetch time; one without an offset is UTC, as the crawl writes them."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _row(record: ProductRecord) -> dict[str, object]:
    fetched = _timestamp(record.fetched_at)
    return {
        **record.model_dump(include={"source", "url", *_CONTENT_COLUMNS}),
        "specs": json.dumps(record.specs),
        "fetched_at": fetched,
        "first_seen": fetched,
        "last_seen": fetched,
        "gone": False,
    }


def store_pages(
    con: duckdb.DuckDBPyConnection,
    source_name: str,
    records: Iterable[ProductRecord],
    full_crawl: bool = True,
) -> dict[str, int]:
    """Upsert one source's records; after a full crawl, rows it did not see are marked gone.

    Unchanged records (same record_hash, not gone) are left untouched but for last_seen, so
    storing the same crawl twice changes nothing. A changed record keeps its first_seen. An
    empty full crawl marks nothing gone: that is an outage, not a catalog that sold out.
    """
    PAGES.ensure(con)
    latest: dict[str, ProductRecord] = {}
    for record in records:
        if record.source != source_name:
            raise ValueError(f"record for source {record.source!r} passed as {source_name!r}")
        latest[record.url] = record
    rows = [_row(r) for r in latest.values()]
    seen = pa.table(
        {
            "url": pa.array([row["url"] for row in rows], pa.string()),
            "fetched_at": pa.array(
                [row["fetched_at"] for row in rows], pa.timestamp("us", tz="UTC")
            ),
        }
    )
    con.register("_seen_pages", seen)
    try:
        con.execute("BEGIN TRANSACTION")
        stored = {
            url: (record_hash, gone)
            for url, record_hash, gone in con.execute(
                "SELECT url, record_hash, gone FROM pages SEMI JOIN _seen_pages USING (url) "
                "WHERE source = ?",
                [source_name],
            ).fetchall()
        }
        # new, changed or back from gone; the others only move last_seen
        changed = [row for row in rows if stored.get(row["url"]) != (row["record_hash"], False)]
        inserted = sum(row["url"] not in stored for row in changed)
        updated, unchanged = len(changed) - inserted, len(rows) - len(changed)
        insert_rows(
            con,
            PAGES,
            changed,
            mode="upsert",
            update_columns=(*_CONTENT_COLUMNS, "last_seen", "gone"),
        )
        con.execute(
            """
            UPDATE pages SET last_seen = s.fetched_at
            FROM _seen_pages s
            WHERE pages.source = $source AND pages.url = s.url AND s.fetched_at > pages.last_seen
            """,
            {"source": source_name},
        )
        gone = 0
        if full_crawl and latest:
            gone = con.execute(
                """
                UPDATE pages SET gone = true
                WHERE source = $source AND NOT gone
                  AND url NOT IN (SELECT url FROM _seen_pages)
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
        con.unregister("_seen_pages")
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
