"""One source's images, with the page's own photos standing in for dead main images.

A product's main images are its record's `image_urls`, mostly from structured data, and those
often name another host: a CDN, or the original shop of a copied catalog. When every main
image of a product failed because it could not be fetched (a network error, or a 4xx answer:
the link is dead), its next candidate is fetched instead: the page's own photos
(`image_fallbacks`), one at a time, until one is ok or none is left. A stand-in's row in
`images` says which main image it stands in for and why. A 5xx answer is no dead link (the
host may answer tomorrow), and an image that was fetched but is no good (too small, not an
image) is the product's own problem: neither gets a stand-in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import duckdb

from ilid_platform.images.config import IngestConfig
from ilid_platform.images.download import (
    ImageRequest,
    IngestStats,
    ingest_images,
    requests_for_source,
)


def _dead_link(status: str, http_status: int | None) -> bool:
    """Failed to fetch for good: a network error, or a 4xx answer."""
    return status == "http_error" and (http_status is None or 400 <= http_status < 500)


def stand_ins(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple[ImageRequest, str]]:
    """For each live product of `source` without an ok image whose every tried image is a dead
    link: its next untried candidate, and why (the first main image and its reason)."""
    columns = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'pages'"
        ).fetchall()
    }
    if "image_fallbacks" not in columns:  # a warehouse from before the column: none to try
        return []
    pages = con.execute(
        "SELECT url, image_urls, image_fallbacks FROM pages "
        "WHERE source = ? AND NOT gone AND len(image_fallbacks) > 0 ORDER BY url",
        [source],
    ).fetchall()
    tried: dict[tuple[str, str], tuple[str, int | None, str | None]] = {
        (page, url): (status, http_status, reason)
        for page, url, status, http_status, reason in con.execute(
            "SELECT page_url, image_url, status, http_status, reason FROM images WHERE source = ?",
            [source],
        ).fetchall()
    }
    wanted = []
    for page, main, fallbacks in pages:
        candidates = list(dict.fromkeys([*(main or []), *fallbacks]))
        results = [tried.get((page, url)) for url in candidates]
        first = results[0] if results else None
        for url, result in zip(candidates, results, strict=True):
            if result is None:
                if first is not None:  # the main image was tried and is a dead link
                    why = f"stands in for {candidates[0]}: {first[2] or first[0]}"
                    wanted.append((ImageRequest(source, page, url), why))
                break
            if not _dead_link(result[0], result[1]):
                break  # ok, or failed in a way another photo would not mend
    return wanted


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    store_root: Path,
    source: str,
    config: IngestConfig | None = None,
    *,
    retry_failed: bool = False,
    progress: Callable[[str], None] | None = None,
) -> IngestStats:
    """`ingest_images` for every main image of `source`, then stand-ins for dead ones."""
    stats = ingest_images(
        con,
        store_root,
        requests_for_source(con, source),
        config,
        retry_failed=retry_failed,
        progress=progress,
    )
    asked: set[ImageRequest] = set()
    while True:
        todo = [(r, why) for r, why in stand_ins(con, source) if r not in asked]
        if not todo:
            break
        asked.update(r for r, _ in todo)
        more = ingest_images(
            con,
            store_root,
            [r for r, _ in todo],
            config,
            retry_failed=retry_failed,
            progress=progress,
        )
        con.executemany(
            "UPDATE images SET reason = ? WHERE source = ? AND page_url = ? AND image_url = ? "
            "AND status = 'ok'",
            [[why, r.source, r.page_url, r.image_url] for r, why in todo],
        )
        stats.stand_ins += len(todo)
        _add(stats, more)
    return stats


def _add(stats: IngestStats, more: IngestStats) -> None:
    for name in ("requested", "skipped", "downloaded", "reused", "bytes"):
        setattr(stats, name, getattr(stats, name) + getattr(more, name))
    stats.elapsed_s += more.elapsed_s
    stats.images_per_s = (stats.downloaded + stats.reused) / max(stats.elapsed_s, 1e-9)
    stats.by_status = dict(Counter(stats.by_status) + Counter(more.by_status))
    stats.rejects = dict(Counter(stats.rejects) + Counter(more.rejects))
    for source, counts in more.by_source.items():
        mine = Counter(stats.by_source.get(source, {}))
        mine.update(counts)
        stats.by_source[source] = dict(mine)
