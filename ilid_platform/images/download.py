"""The image ingest run: bring every requested image url to a final status in `images`.

Every request ends with a status and a reason, never an exception (see `config.STATUSES`).
The run is the writer of the pipeline img2dataset would call downloader, resizer and writer:
`fetch` gets the bytes politely and safely, `process` validates, normalises and stores them,
and this module schedules the work, resumes, and writes `images` and `image_hashes` rows in
batches.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import duckdb
import pyarrow as pa

from ilid_platform.images.config import STATUSES, IngestConfig
from ilid_platform.images.fetch import Fetcher, FetchFailure, host_of
from ilid_platform.images.hashing import Hashes, store_hashes
from ilid_platform.images.normalise import normalised_tag
from ilid_platform.images.process import Outcome, process_image, sniff_format
from ilid_platform.images.store import normalised_path, thumbnail_path
from ilid_platform.tables import IMAGES, insert_rows

__all__ = [
    "STATUSES",
    "ImageRequest",
    "IngestConfig",
    "IngestStats",
    "ingest_images",
    "requests_for_source",
    "sniff_format",
]

logger = logging.getLogger(__name__)

_FLUSH_ROWS = 500
_PROGRESS_SECONDS = 5.0


class ImageRequest(NamedTuple):
    source: str
    page_url: str
    image_url: str


@dataclass
class IngestStats:
    requested: int = 0
    skipped: int = 0
    """Requests left alone: already ok with files present, or failed and not retried."""
    downloaded: int = 0
    """Distinct image urls fetched over the network in this run."""
    reused: int = 0
    """Distinct image urls served from the local store instead of the network."""
    bytes: int = 0
    elapsed_s: float = 0.0
    images_per_s: float = 0.0
    by_status: dict[str, int] = field(default_factory=dict)
    """Final status of every requested image, skipped ones included."""
    rejects: dict[str, int] = field(default_factory=dict)
    """Reasons of every requested image that is not ok."""
    by_source: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per source: requested, skipped, fetched (this run) and the count of every final status."""
    stand_ins: int = 0
    """Page photos tried because a product's main images were dead links (`fallback`)."""


def requests_for_source(con: duckdb.DuckDBPyConnection, source: str) -> list[ImageRequest]:
    """Every image url of every live product of `source`, in page order."""
    rows = con.execute(
        "SELECT url, image_urls FROM pages WHERE source = ? AND NOT gone ORDER BY url", [source]
    ).fetchall()
    unique = dict.fromkeys(
        ImageRequest(source, url, image_url) for url, image_urls in rows for image_url in image_urls
    )
    return list(unique)


def _interleave_hosts(urls: Iterable[str]) -> list[str]:
    """Round-robin over hosts so one slow catalog cannot hold every worker."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(host_of(url), []).append(url)
    rounds = itertools.zip_longest(*by_host.values())
    return [url for batch in rounds for url in batch if url is not None]


def _bounded_map(
    pool: ThreadPoolExecutor, fn: Callable[[str], Outcome], items: list[str], limit: int
) -> Iterator[tuple[str, Outcome]]:
    """Like pool.map in completion order, with at most `limit` futures alive at once."""
    pending: dict[Future[Outcome], str] = {}
    queue = iter(items)
    for item in itertools.islice(queue, limit):
        pending[pool.submit(fn, item)] = item
    while pending:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            yield pending.pop(future), future.result()
            for item in itertools.islice(queue, 1):
                pending[pool.submit(fn, item)] = item


class _Writer:
    """Buffers `images` and `image_hashes` rows and flushes them in batches.

    Frequent flushes keep a killed run's finished work; batches keep DuckDB fast.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, every_s: float) -> None:
        self.con = con
        self.every_s = every_s
        self.rows: list[dict[str, object]] = []
        self.hashes: list[tuple[str, Hashes]] = []
        self.flushed_at = time.monotonic()

    def add(self, requests_: list[ImageRequest], outcome: Outcome) -> None:
        now = datetime.now(UTC)
        for request in requests_:
            self.rows.append(
                {
                    **request._asdict(),
                    "status": outcome.status,
                    "reason": outcome.reason,
                    "sha256": outcome.sha256,
                    "path": outcome.path,
                    "normalised_path": outcome.normalised_path,
                    "thumbnail_path": outcome.thumbnail_path,
                    "width": outcome.width,
                    "height": outcome.height,
                    "format": outcome.fmt,
                    "bytes": outcome.size_bytes,
                    "http_status": outcome.http_status,
                    "updated_at": now,
                }
            )
        if outcome.hashes is not None:
            self.hashes.append((outcome.sha256, outcome.hashes))
        if len(self.rows) >= _FLUSH_ROWS or time.monotonic() - self.flushed_at > self.every_s:
            self.flush()

    def flush(self) -> None:
        insert_rows(self.con, IMAGES, self.rows, mode="replace")
        store_hashes(self.con, self.hashes)
        self.rows, self.hashes = [], []
        self.flushed_at = time.monotonic()


def _existing_rows(
    con: duckdb.DuckDBPyConnection, urls: Iterable[str]
) -> dict[ImageRequest, Outcome]:
    """Current rows of every request key that shares an image url with this run."""
    con.register("_requested_urls", pa.table({"image_url": pa.array(list(urls), pa.string())}))
    try:
        rows = con.execute(
            "SELECT source, page_url, image_url, status, reason, http_status, sha256, format, "
            "bytes, width, height, path, normalised_path, thumbnail_path FROM images "
            "SEMI JOIN _requested_urls USING (image_url)"
        ).fetchall()
    finally:
        con.unregister("_requested_urls")
    return {ImageRequest(*row[:3]): Outcome(*row[3:]) for row in rows}


def _derived_paths(store_root: Path, sha256: str, config: IngestConfig) -> tuple[Path, Path]:
    """The normalised copy and the thumbnail that `config` wants for an image."""
    tag = normalised_tag(config.mode, config.size)
    return (
        normalised_path(store_root, sha256, tag),
        thumbnail_path(store_root, sha256, config.thumbnail_size),
    )


def _stored(outcome: Outcome, store_root: Path, config: IngestConfig) -> bool:
    """An ok row whose original, normalised copy and thumbnail (for `config`) are on disk."""
    if outcome.status != "ok" or not outcome.path or not Path(outcome.path).exists():
        return False
    expected = _derived_paths(store_root, outcome.sha256, config)
    recorded = (outcome.normalised_path, outcome.thumbnail_path)
    return recorded == tuple(map(str, expected)) and all(path.exists() for path in expected)


def ingest_images(
    con: duckdb.DuckDBPyConnection,
    store_root: Path,
    requests: Iterable[ImageRequest],
    config: IngestConfig | None = None,
    *,
    retry_failed: bool = False,
    progress: Callable[[str], None] | None = None,
) -> IngestStats:
    """Bring every requested image to a final status in `images`; safe to re-run.

    Resume: a request already `ok` with its files present is skipped, and one that failed is
    only tried again with `retry_failed`. Each distinct url is fetched at most once per run;
    an url stored by an earlier run is served from the store without the network.
    """
    config = config or IngestConfig()
    store_root = Path(store_root)
    started = time.monotonic()
    IMAGES.ensure(con)
    wanted = list(dict.fromkeys(ImageRequest(*request) for request in requests))
    existing = _existing_rows(con, {request.image_url for request in wanted})

    stats = IngestStats(requested=len(wanted))
    final: Counter[str] = Counter()
    rejects: Counter[str] = Counter()
    by_source: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def count(requests_: list[ImageRequest], outcome: Outcome) -> None:
        final[outcome.status] += len(requests_)
        if outcome.status != "ok":
            rejects[outcome.reason or outcome.status] += len(requests_)
        for request in requests_:
            by_source[request.source][outcome.status] += 1

    todo: dict[str, list[ImageRequest]] = {}
    for request in wanted:
        by_source[request.source]["requested"] += 1
        row = existing.get(request)
        if row is not None and (
            _stored(row, store_root, config) if row.status == "ok" else not retry_failed
        ):
            stats.skipped += 1
            by_source[request.source]["skipped"] += 1
            count([request], row)
        else:
            todo.setdefault(request.image_url, []).append(request)
    # An url that an earlier run stored (for any product) needs no network.
    local = {
        request.image_url: row
        for request, row in existing.items()
        if row.status == "ok" and request.image_url in todo and Path(row.path or "").is_file()
    }

    def run_one(url: str) -> Outcome:
        known = local.get(url)
        if known is not None:
            norm, thumb = _derived_paths(store_root, known.sha256, config)
            if norm.exists() and thumb.exists():
                return replace(known, normalised_path=str(norm), thumbnail_path=str(thumb))
            outcome = process_image(Path(known.path).read_bytes(), store_root, config)
            return replace(outcome, http_status=known.http_status)
        fetched = fetcher.fetch(url)
        if isinstance(fetched, FetchFailure):
            return Outcome(fetched.status, fetched.reason, fetched.http_status)
        outcome = process_image(fetched.body, store_root, config)
        return replace(outcome, http_status=fetched.http_status, downloaded_bytes=len(fetched.body))

    fetcher = Fetcher(config)
    writer = _Writer(con, config.checkpoint_s)
    work = _interleave_hosts(todo)
    last_report = started
    try:
        with ThreadPoolExecutor(max_workers=config.concurrency) as pool:
            results = _bounded_map(pool, run_one, work, limit=config.concurrency * 4)
            for done, (url, outcome) in enumerate(results, start=1):
                if url in local:
                    stats.reused += 1
                else:
                    stats.downloaded += 1
                    by_source[todo[url][0].source]["fetched"] += 1
                stats.bytes += outcome.downloaded_bytes
                writer.add(todo[url], outcome)
                count(todo[url], outcome)
                if progress and time.monotonic() - last_report > _PROGRESS_SECONDS:
                    last_report = time.monotonic()
                    rate = done / (last_report - started)
                    progress(f"images: {done}/{len(work)} urls, {rate:.1f}/s, {dict(final)}")
    finally:
        writer.flush()
        fetcher.close()
    stats.elapsed_s = time.monotonic() - started
    stats.images_per_s = (stats.downloaded + stats.reused) / max(stats.elapsed_s, 1e-9)
    stats.by_status = dict(final)
    stats.rejects = dict(rejects)
    stats.by_source = {source: dict(counts) for source, counts in sorted(by_source.items())}
    if progress:
        progress(
            f"images done: {stats.requested} requested, {stats.skipped} skipped, "
            f"{stats.downloaded} downloaded, {stats.reused} from store, {stats.by_status}"
        )
    return stats
