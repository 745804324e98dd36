"""Download, validate, normalise and store product images; one `images` row per request.

Every request ends with a status and a reason, never an exception: ok, http_error, not_image,
decode_error, too_small, too_large or blocked_by_robots. Originals and normalised copies are
content-addressed (see `store`), so an image shared by many products is stored once.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa
import requests
from PIL import Image

from ilid_platform.images.hashing import perceptual_hashes, store_hashes
from ilid_platform.images.normalise import Mode, normalise, normalised_tag, to_rgb
from ilid_platform.images.store import normalised_path, original_path, write_atomic

logger = logging.getLogger(__name__)

STATUSES = (
    "ok",
    "http_error",
    "not_image",
    "decode_error",
    "too_small",
    "too_large",
    "blocked_by_robots",
)

_PIL_FORMATS = {
    "jpeg": "JPEG",
    "png": "PNG",
    "gif": "GIF",
    "webp": "WEBP",
    "bmp": "BMP",
    "tiff": "TIFF",
    "avif": "AVIF",
}
_AI_OPT_OUTS = frozenset({"noai", "noimageai"})
_FLUSH_ROWS = 500
_FLUSH_SECONDS = 10.0
_PROGRESS_SECONDS = 5.0


class ImageRequest(NamedTuple):
    source: str
    page_url: str
    image_url: str


@dataclass(frozen=True)
class IngestConfig:
    concurrency: int = 16
    per_host: int = 8
    timeout_s: float = 15.0
    """Limit for one attempt, from connecting to the last byte."""
    retries: int = 2
    """Extra attempts after a timeout, a connection error, 408, 429 or 5xx (never after 404)."""
    backoff_s: float = 0.5
    """Sleep before retry n is backoff_s * 2**(n-1)."""
    max_bytes: int = 20_000_000
    max_pixels: int = 40_000_000
    min_side: int = 64
    mode: Mode = "ilid"
    size: int = 512
    png_compress_level: int = 1
    user_agent: str = "ilid-platform/0.1 (research image dataset; honours X-Robots-Tag noai)"


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


@dataclass(frozen=True)
class _Outcome:
    """What became of one image url; shared by every request for that url."""

    status: str
    reason: str | None = None
    http_status: int | None = None
    sha256: str | None = None
    fmt: str | None = None
    size_bytes: int | None = None
    width: int | None = None
    height: int | None = None
    path: str | None = None
    normalised_path: str | None = None
    hashes: tuple[int, int] | None = None
    downloaded_bytes: int = 0


_COLUMNS = (
    "source",
    "page_url",
    "image_url",
    "status",
    "reason",
    "sha256",
    "path",
    "normalised_path",
    "width",
    "height",
    "format",
    "bytes",
    "http_status",
    "updated_at",
)
_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("page_url", pa.string()),
        ("image_url", pa.string()),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("sha256", pa.string()),
        ("path", pa.string()),
        ("normalised_path", pa.string()),
        ("width", pa.int32()),
        ("height", pa.int32()),
        ("format", pa.string()),
        ("bytes", pa.int64()),
        ("http_status", pa.int32()),
        ("updated_at", pa.timestamp("us", tz="UTC")),
    ]
)


def ensure_images_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS images ("
        "source VARCHAR NOT NULL, page_url VARCHAR NOT NULL, image_url VARCHAR NOT NULL, "
        "status VARCHAR NOT NULL, reason VARCHAR, sha256 VARCHAR, path VARCHAR, "
        "normalised_path VARCHAR, width INTEGER, height INTEGER, format VARCHAR, bytes BIGINT, "
        "http_status INTEGER, updated_at TIMESTAMPTZ, "
        "PRIMARY KEY (source, page_url, image_url))"
    )


def requests_for_source(con: duckdb.DuckDBPyConnection, source: str) -> list[ImageRequest]:
    """Every image url of every live product of `source`, in page order."""
    rows = con.execute(
        "SELECT url, image_urls FROM pages WHERE source = ? AND NOT gone ORDER BY url", [source]
    ).fetchall()
    unique = dict.fromkeys(
        ImageRequest(source, url, image_url) for url, image_urls in rows for image_url in image_urls
    )
    return list(unique)


def sniff_format(data: bytes) -> str | None:
    """Image format from magic bytes; servers mislabel Content-Type too often to trust it."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"BM"):
        return "bmp"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        return "avif"
    return None


def _not_image_reason(data: bytes) -> str:
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "html document"
    if head.startswith((b"<?xml", b"<svg")):
        return "xml or svg document"
    if head.startswith((b"{", b"[")):
        return "json document"
    if not data:
        return "empty body"
    return f"unknown signature {data[:8].hex()}"


def _opted_out_of_ai(headers: requests.structures.CaseInsensitiveDict) -> bool:
    """X-Robots-Tag noai/noimageai, for any user agent (repeated headers arrive joined)."""
    value = headers.get("X-Robots-Tag", "")
    return not _AI_OPT_OUTS.isdisjoint(re.split(r"[\s,:]+", value.lower()))


class _Retryable(Exception):
    def __init__(self, outcome: _Outcome) -> None:
        super().__init__(outcome.reason)
        self.outcome = outcome


class _Fetcher:
    """Bounded HTTP: one pooled session, a semaphore per host, retries with backoff."""

    def __init__(self, config: IngestConfig, hosts: Iterable[str]) -> None:
        self.config = config
        self.session = requests.Session()
        self.session.headers.update(
            {"User-Agent": config.user_agent, "Accept": "image/*,*/*;q=0.5"}
        )
        pool = max(config.concurrency, config.per_host)
        adapter = requests.adapters.HTTPAdapter(pool_connections=64, pool_maxsize=pool)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.host_slots = {host: threading.BoundedSemaphore(config.per_host) for host in hosts}

    def close(self) -> None:
        self.session.close()

    def fetch(self, url: str) -> _Outcome | tuple[int, bytes]:
        """(HTTP status, body), or the outcome that ends this url (http_error, too_large,
        blocked_by_robots)."""
        attempts = self.config.retries + 1
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.config.backoff_s * 2 ** (attempt - 1))
            try:
                with self.host_slots[_host(url)]:
                    return self._get(url)
            except _Retryable as exc:
                last = exc.outcome
            except (
                requests.Timeout,
                requests.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                last = _Outcome("http_error", f"{type(exc).__name__}")
            except requests.RequestException as exc:
                return _Outcome("http_error", f"{type(exc).__name__}: {exc}")
        return replace(last, reason=f"{last.reason} after {attempts} attempts")

    def _get(self, url: str) -> _Outcome | tuple[int, bytes]:
        config = self.config
        deadline = time.monotonic() + config.timeout_s
        with self.session.get(url, stream=True, timeout=config.timeout_s) as response:
            code = response.status_code
            if code in (408, 429) or code >= 500:
                raise _Retryable(_Outcome("http_error", f"HTTP {code}", code))
            if code >= 400:
                return _Outcome("http_error", f"HTTP {code}", code)
            if _opted_out_of_ai(response.headers):
                reason = f"X-Robots-Tag: {response.headers['X-Robots-Tag']}"
                return _Outcome("blocked_by_robots", reason, code)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > config.max_bytes:
                return _Outcome("too_large", f"{declared} bytes > {config.max_bytes}", code)
            body = bytearray()
            for chunk in response.iter_content(chunk_size=1 << 16):
                body += chunk
                if len(body) > config.max_bytes:
                    return _Outcome("too_large", f"body > {config.max_bytes} bytes", code)
                if time.monotonic() > deadline:
                    raise requests.Timeout(f"download took over {config.timeout_s}s")
            return code, bytes(body)


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _decode(data: bytes, fmt: str, config: IngestConfig) -> Image.Image | _Outcome:
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[fmt]]) as img:
            width, height = img.size
            if width * height > config.max_pixels:
                reason = f"{width}x{height} = {width * height} pixels > {config.max_pixels}"
                return _Outcome("too_large", reason)
            img.load()
            return to_rgb(img)
    except Image.DecompressionBombError as exc:
        return _Outcome("too_large", str(exc))
    except Exception as exc:  # untrusted bytes in a C decoder fail in many ways; all mean "bad"
        return _Outcome("decode_error", f"{type(exc).__name__}: {exc}")


def _process(data: bytes, store_root: Path, config: IngestConfig) -> _Outcome:
    """Validate, normalise and store one downloaded body."""
    sha = hashlib.sha256(data).hexdigest()
    fmt = sniff_format(data)
    known = {"sha256": sha, "fmt": fmt, "size_bytes": len(data)}
    if fmt is None:
        return _Outcome("not_image", _not_image_reason(data), **known)
    decoded = _decode(data, fmt, config)
    if isinstance(decoded, _Outcome):
        return replace(decoded, **known)
    known.update(width=decoded.width, height=decoded.height)
    if min(decoded.size) < config.min_side:
        reason = f"{decoded.width}x{decoded.height} below {config.min_side} px"
        return _Outcome("too_small", reason, **known)
    original = original_path(store_root, sha, fmt)
    normalised = normalised_path(store_root, sha, normalised_tag(config.mode, config.size))
    write_atomic(original, data)
    if not normalised.exists():
        buffer = io.BytesIO()
        normalise(decoded, config.mode, config.size).save(
            buffer, "PNG", compress_level=config.png_compress_level
        )
        write_atomic(normalised, buffer.getvalue())
    return _Outcome(
        "ok",
        path=str(original),
        normalised_path=str(normalised),
        hashes=perceptual_hashes(decoded),
        **known,
    )


def _interleave_hosts(urls: Iterable[str]) -> list[str]:
    """Round-robin over hosts so one slow catalog cannot hold every worker."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(_host(url), []).append(url)
    rounds = itertools.zip_longest(*by_host.values())
    return [url for batch in rounds for url in batch if url is not None]


def _bounded_map(
    pool: ThreadPoolExecutor, fn: Callable[[str], _Outcome], items: list[str], limit: int
) -> Iterator[tuple[str, _Outcome]]:
    """Like pool.map in completion order, with at most `limit` futures alive at once."""
    pending: dict[Future[_Outcome], str] = {}
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

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.rows: list[tuple] = []
        self.hashes: list[tuple[str, int, int]] = []
        self.flushed_at = time.monotonic()

    def add(self, requests_: list[ImageRequest], outcome: _Outcome) -> None:
        now = datetime.now(UTC)
        for request in requests_:
            self.rows.append(
                (
                    *request,
                    outcome.status,
                    outcome.reason,
                    outcome.sha256,
                    outcome.path,
                    outcome.normalised_path,
                    outcome.width,
                    outcome.height,
                    outcome.fmt,
                    outcome.size_bytes,
                    outcome.http_status,
                    now,
                )
            )
        if outcome.hashes is not None:
            self.hashes.append((outcome.sha256, *outcome.hashes))
        if len(self.rows) >= _FLUSH_ROWS or time.monotonic() - self.flushed_at > _FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            batch = pa.Table.from_pylist(
                [dict(zip(_COLUMNS, row, strict=True)) for row in self.rows], schema=_SCHEMA
            )
            self.con.register("_images_batch", batch)
            try:
                self.con.execute(
                    f"INSERT OR REPLACE INTO images ({', '.join(_COLUMNS)}) "
                    "SELECT * FROM _images_batch"
                )
            finally:
                self.con.unregister("_images_batch")
        store_hashes(self.con, self.hashes)
        self.rows, self.hashes = [], []
        self.flushed_at = time.monotonic()


def _existing_rows(
    con: duckdb.DuckDBPyConnection, urls: Iterable[str]
) -> dict[ImageRequest, _Outcome]:
    """Current rows of every request key that shares an image url with this run."""
    con.register("_requested_urls", pa.table({"image_url": pa.array(list(urls), pa.string())}))
    try:
        rows = con.execute(
            "SELECT source, page_url, image_url, status, reason, http_status, sha256, format, "
            "bytes, width, height, path, normalised_path FROM images "
            "SEMI JOIN _requested_urls USING (image_url)"
        ).fetchall()
    finally:
        con.unregister("_requested_urls")
    return {ImageRequest(*row[:3]): _Outcome(*row[3:]) for row in rows}


def _stored(outcome: _Outcome, store_root: Path, tag: str) -> bool:
    """An ok row whose original and normalised copy (for `tag`) are both on disk."""
    if outcome.status != "ok" or not outcome.path or not Path(outcome.path).exists():
        return False
    expected = str(normalised_path(store_root, outcome.sha256, tag))
    return outcome.normalised_path == expected and Path(expected).exists()


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

    Resume: a request already `ok` with both files present is skipped, and one that failed is
    only tried again with `retry_failed`. Each distinct url is fetched at most once per run;
    an url stored by an earlier run is served from the store without the network.
    """
    config = config or IngestConfig()
    store_root = Path(store_root)
    tag = normalised_tag(config.mode, config.size)
    started = time.monotonic()
    ensure_images_table(con)
    wanted = list(dict.fromkeys(ImageRequest(*request) for request in requests))
    existing = _existing_rows(con, {request.image_url for request in wanted})

    stats = IngestStats(requested=len(wanted))
    final: Counter[str] = Counter()
    rejects: Counter[str] = Counter()

    def count(outcome: _Outcome, n: int) -> None:
        final[outcome.status] += n
        if outcome.status != "ok":
            rejects[outcome.reason or outcome.status] += n

    todo: dict[str, list[ImageRequest]] = {}
    for request in wanted:
        row = existing.get(request)
        if row is not None and (
            _stored(row, store_root, tag) if row.status == "ok" else not retry_failed
        ):
            stats.skipped += 1
            count(row, 1)
        else:
            todo.setdefault(request.image_url, []).append(request)
    # An url that an earlier run stored (for any product) needs no network.
    local = {
        request.image_url: row
        for request, row in existing.items()
        if row.status == "ok" and request.image_url in todo and Path(row.path or "").is_file()
    }

    def run_one(url: str) -> _Outcome:
        known = local.get(url)
        if known is not None:
            norm = normalised_path(store_root, known.sha256, tag)
            if norm.exists():
                return replace(known, normalised_path=str(norm))
            outcome = _process(Path(known.path).read_bytes(), store_root, config)
            return replace(outcome, http_status=known.http_status)
        fetched = fetcher.fetch(url)
        if isinstance(fetched, _Outcome):
            return fetched
        code, body = fetched
        return replace(
            _process(body, store_root, config), http_status=code, downloaded_bytes=len(body)
        )

    fetcher = _Fetcher(config, {_host(url) for url in todo})
    writer = _Writer(con)
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
                stats.bytes += outcome.downloaded_bytes
                writer.add(todo[url], outcome)
                count(outcome, len(todo[url]))
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
    if progress:
        progress(
            f"images done: {stats.requested} requested, {stats.skipped} skipped, "
            f"{stats.downloaded} downloaded, {stats.reused} from store, {stats.by_status}"
        )
    return stats
