"""The columns captions/ and dataset/ read from tables that crawl/ and images/ own.

Their types are declared in `ilid_platform.tables`; this is the subset read here, checked up
front so a missing stage is named instead of failing a query:

* `pages` (crawl): source, url, name, description VARCHAR; specs JSON (an object str -> str,
  read back as JSON text); breadcrumbs and image_urls VARCHAR[] (lists of str); sku, brand
  VARCHAR; gone BOOLEAN. Only rows with gone not true are read. `title` VARCHAR (the page
  title without the site's affixes) is read where present: a warehouse the crawl has not
  written since it was added lacks it, and its products have no title.
* `images` (images): source, page_url, image_url, status ('ok' is usable), sha256 and
  normalised_path (the ILID 512x512 PNG) VARCHAR.
* `image_clusters` (images): sha256, cluster_id, representative_sha256 VARCHAR.
"""

from __future__ import annotations

import duckdb

UPSTREAM_COLUMNS: dict[str, tuple[str, ...]] = {
    "pages": (
        "source",
        "url",
        "name",
        "description",
        "specs",
        "breadcrumbs",
        "image_urls",
        "sku",
        "brand",
        "gone",
    ),
    "images": ("source", "page_url", "image_url", "status", "sha256", "normalised_path"),
    "image_clusters": ("sha256", "cluster_id", "representative_sha256"),
}


class UpstreamTableError(RuntimeError):
    """A table another stage owns is missing or lacks a column this stage reads."""


def require_columns(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Say which stage to run, or which column is missing, before any query fails obscurely."""
    for table in tables:
        found = {
            row[0]
            for row in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = ? AND table_schema = current_schema()",
                [table],
            ).fetchall()
        }
        if not found:
            raise UpstreamTableError(f"table {table!r} does not exist; materialise its stage first")
        missing = [c for c in UPSTREAM_COLUMNS[table] if c not in found]
        if missing:
            raise UpstreamTableError(
                f"table {table!r} lacks columns {missing} (see ilid_platform/captions/upstream.py)"
            )
