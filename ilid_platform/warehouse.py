"""DuckDB access shared by every stage; the tables themselves are declared in `tables.py`."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

logger = logging.getLogger(__name__)

LOCK_WAIT_S = 300.0


@contextmanager
def connect(
    path: str | Path, read_only: bool = False, lock_wait_s: float = LOCK_WAIT_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse, waiting while another process holds DuckDB's single-writer lock.

    Source partitions run in parallel processes; each keeps its connection short, so waiting
    for the lock is cheaper than failing the step.
    """
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_wait_s
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            logger.debug("warehouse %s is locked, retrying in %.2fs", path, delay)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    try:
        yield con
    finally:
        con.close()


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the stage that owns table `name` has run on this warehouse."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    )
    return found.fetchone()[0] > 0


def content_version(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> str:
    """A hash of a query's rows, order-independent: the data version Dagster compares.

    An unchanged result keeps its version, so downstream assets are not marked stale.
    """
    row = con.execute(
        f"SELECT coalesce(bit_xor(hash(q)), 0)::VARCHAR, count(*) FROM ({query}) AS q",
        params or [],
    ).fetchone()
    return f"{row[1]}-{row[0]}"
