"""Download, validate, normalise and store product images; one `images` row per request.

Every request ends with a status and a reason, never an exception: ok, http_error, not_image,
decode_error, too_small, too_large or blocked_by_robots. Originals, normalised copies and
thumbnails are content-addressed (see `store`), so an image shared by many products is stored
once. Image hosts are treated as politely as catalog pages: robots.txt per host, X-Robots-Tag
noai, bounded concurrency per host, and Retry-After pauses the whole host.

Throughput comes from doing each expensive step once: JPEGs are decoded at reduced scale
(`decode_rgb`), one resize makes the 512 px working copy that the normalised PNG, the
thumbnail and the hashes all start from, and the PNG encoder uses one filter instead of five.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import duckdb
import numpy as np
import pyarrow as pa
import urllib3
from imagecodecs import PNG, png_encode
from PIL import Image
from protego import Protego
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError, ResponseError

from ilid_platform.images.hashing import DECODE_SIDE, perceptual_hashes, store_hashes
from ilid_platform.images.normalise import (
    Mode,
    decode_rgb,
    fit,
    normalised_pixels,
    normalised_tag,
    thumbnail,
)
from ilid_platform.images.store import (
    normalised_path,
    original_path,
    thumbnail_path,
    write_atomic,
)

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
_ROBOTS_MAX_BYTES = 500 * 1024
"""RFC 9309's parsing limit for robots.txt; a larger file is treated like a missing one."""
_FLUSH_ROWS = 500
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
    """Sleep before retry n is backoff_s * 2**(n-1), or longer if the server sends Retry-After."""
    max_retry_after_s: float = 60.0
    """A Retry-After longer than this ends the url as http_error instead of stalling the run."""
    obey_robots: bool = True
    """Check each image url against its host's robots.txt (fetched once per host and run)."""
    max_bytes: int = 20_000_000
    max_pixels: int = 40_000_000
    min_side: int = 64
    mode: Mode = "ilid"
    size: int = 512
    png_compress_level: int = 1
    thumbnail_size: int = 128
    checkpoint_s: float = 2.0
    """Finished rows are written at least this often: a killed run loses at most this much."""
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
    by_source: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per source: requested, skipped, fetched (this run) and the count of every final status."""


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
    thumbnail_path: str | None = None
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
    "thumbnail_path",
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
        ("thumbnail_path", pa.string()),
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
        "normalised_path VARCHAR, thumbnail_path VARCHAR, width INTEGER, height INTEGER, "
        "format VARCHAR, bytes BIGINT, http_status INTEGER, updated_at TIMESTAMPTZ, "
        "PRIMARY KEY (source, page_url, image_url))"
    )
    # warehouses created before thumbnails existed
    con.execute("ALTER TABLE images ADD COLUMN IF NOT EXISTS thumbnail_path VARCHAR")


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


def not_image_reason(data: bytes) -> str:
    """What a body that is no image looks like instead (from its first bytes)."""
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


def _opted_out_of_ai(headers: Mapping[str, str]) -> bool:
    """X-Robots-Tag noai/noimageai, for any user agent (repeated headers arrive joined)."""
    value = headers.get("X-Robots-Tag", "")
    return not _AI_OPT_OUTS.isdisjoint(re.split(r"[\s,:]+", value.lower()))


def _retry_after_s(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _Retryable(Exception):
    def __init__(self, outcome: _Outcome, retry_after_s: float | None = None) -> None:
        super().__init__(outcome.reason)
        self.outcome = outcome
        self.retry_after_s = retry_after_s


class _Fetcher:
    """Bounded, polite HTTP: one connection pool, a semaphore per host, retries with backoff
    (longer when a host says Retry-After, for every url of that host), robots.txt per host.

    urllib3 directly rather than requests: a third of the CPU per request, which counts when
    a core decodes 80 images a second.
    """

    def __init__(self, config: IngestConfig, hosts: Iterable[str]) -> None:
        self.config = config
        self.http = urllib3.PoolManager(
            num_pools=64,
            maxsize=max(config.concurrency, config.per_host),
            headers={"User-Agent": config.user_agent, "Accept": "image/*,*/*;q=0.5"},
            retries=urllib3.Retry(total=None, connect=0, read=0, status=0, other=0, redirect=5),
            timeout=urllib3.Timeout(connect=config.timeout_s, read=config.timeout_s),
        )
        hosts = set(hosts)
        self.host_slots = {host: threading.BoundedSemaphore(config.per_host) for host in hosts}
        self.resume_at: dict[str, float] = {}
        self.robots: dict[str, Protego | str] = {}
        self.robots_locks = {host: threading.Lock() for host in hosts}

    def close(self) -> None:
        self.http.clear()

    def fetch(self, url: str) -> _Outcome | tuple[int, bytes]:
        """(HTTP status, body), or the outcome that ends this url (http_error, too_large,
        blocked_by_robots)."""
        if self.config.obey_robots:
            blocked = self._robots_block(url)
            if blocked:
                return _Outcome("blocked_by_robots", blocked)
        return self._with_retries(url, self.config.max_bytes, honour_noai=True)

    def _with_retries(
        self, url: str, max_bytes: int, honour_noai: bool
    ) -> _Outcome | tuple[int, bytes]:
        config, host = self.config, _host(url)
        attempts = config.retries + 1
        delay = 0.0
        for attempt in range(attempts):
            if attempt:
                time.sleep(max(delay, config.backoff_s * 2 ** (attempt - 1)))
            # A host that asked every client to back off is left alone until then.
            pause = self.resume_at.get(host, 0.0) - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            delay = 0.0
            try:
                with self.host_slots[host]:
                    return self._get(url, max_bytes, honour_noai)
            except _Retryable as exc:
                last = exc.outcome
                if exc.retry_after_s is not None:
                    if exc.retry_after_s > config.max_retry_after_s:
                        reason = (
                            f"{last.reason}, Retry-After {exc.retry_after_s:.0f}s "
                            f"> {config.max_retry_after_s:.0f}s"
                        )
                        return replace(last, reason=reason)
                    delay = exc.retry_after_s
                    self.resume_at[host] = max(
                        self.resume_at.get(host, 0.0), time.monotonic() + delay
                    )
            except MaxRetryError as exc:  # connecting failed, or too many redirects
                if isinstance(exc.reason, ResponseError):
                    return _Outcome("http_error", str(exc.reason))
                last = _Outcome("http_error", type(exc.reason).__name__)
            except (urllib3.exceptions.TimeoutError, ProtocolError) as exc:
                last = _Outcome("http_error", type(exc).__name__)
            except urllib3.exceptions.HTTPError as exc:  # a malformed or unsupported url
                return _Outcome("http_error", f"{type(exc).__name__}: {exc}")
        return replace(last, reason=f"{last.reason} after {attempts} attempts")

    def _get(self, url: str, max_bytes: int, honour_noai: bool) -> _Outcome | tuple[int, bytes]:
        config = self.config
        deadline = time.monotonic() + config.timeout_s
        response = self.http.request("GET", url, preload_content=False)
        try:
            code = response.status
            if code in (408, 429) or code >= 500:
                retry_after = _retry_after_s(response.headers.get("Retry-After"))
                raise _Retryable(_Outcome("http_error", f"HTTP {code}", code), retry_after)
            if code >= 400:
                return _Outcome("http_error", f"HTTP {code}", code)
            if honour_noai and _opted_out_of_ai(response.headers):
                reason = f"X-Robots-Tag: {response.headers['X-Robots-Tag']}"
                return _Outcome("blocked_by_robots", reason, code)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                return _Outcome("too_large", f"{declared} bytes > {max_bytes}", code)
            body = bytearray()
            for chunk in response.stream(1 << 16):
                body += chunk
                if len(body) > max_bytes:
                    return _Outcome("too_large", f"body > {max_bytes} bytes", code)
                if time.monotonic() > deadline:
                    raise ReadTimeoutError(None, url, f"download took over {config.timeout_s}s")
            return code, bytes(body)
        finally:
            if not response.isclosed():
                response.close()  # unread bytes: the connection cannot be reused
            response.release_conn()

    def _robots_block(self, url: str) -> str | None:
        """Why robots.txt forbids `url`, or None. One fetch per host; the others wait for it."""
        host = _host(url)
        with self.robots_locks[host]:
            if host not in self.robots:
                self.robots[host] = self._load_robots(url)
        rules = self.robots[host]
        if isinstance(rules, str):
            return rules
        if rules.can_fetch(url, self.config.user_agent):
            return None
        return f"robots.txt of {host} disallows {urlsplit(url).path}"

    def _load_robots(self, url: str) -> Protego | str:
        """Parsed rules; RFC 9309: a missing robots.txt (4xx) allows everything, an
        unreachable one (5xx, network error) disallows everything."""
        parts = urlsplit(url)
        fetched = self._with_retries(
            f"{parts.scheme}://{parts.netloc}/robots.txt", _ROBOTS_MAX_BYTES, honour_noai=False
        )
        if isinstance(fetched, tuple):
            return Protego.parse(fetched[1].decode("utf-8", errors="replace"))
        code = fetched.http_status
        if fetched.status == "http_error" and (code is None or code >= 500):
            return f"robots.txt of {parts.netloc} unreachable: {fetched.reason}"
        return Protego.parse("")


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _decode(data: bytes, fmt: str, config: IngestConfig) -> _Outcome | tuple[Image.Image, int, int]:
    """Upright RGB (JPEG decoded at a reduced scale where the output allows it) and the upright
    size of the original."""
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[fmt]]) as img:
            width, height = img.size
            if width * height > config.max_pixels:
                reason = f"{width}x{height} = {width * height} pixels > {config.max_pixels}"
                return _Outcome("too_large", reason)
            rgb, (width, height) = decode_rgb(img, max(config.size, DECODE_SIDE))
            return rgb, width, height
    except Image.DecompressionBombError as exc:
        return _Outcome("too_large", str(exc))
    except Exception as exc:  # untrusted bytes in a C decoder fail in many ways; all mean "bad"
        return _Outcome("decode_error", f"{type(exc).__name__}: {exc}")


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _png(pixels: np.ndarray, level: int) -> bytes:
    """PNG with the Up filter and run-length deflate: Pillow always tries five filters per
    row, which made PNG writing the largest cost of ingest; this is twice as fast for about
    3% more bytes."""
    return png_encode(pixels, level=level, strategy=PNG.STRATEGY.RLE, filter=PNG.FILTER.UP)


def _process(data: bytes, store_root: Path, config: IngestConfig) -> _Outcome:
    """Validate, normalise and store one downloaded body; files that exist are not redone."""
    sha = hashlib.sha256(data).hexdigest()
    fmt = sniff_format(data)
    known = {"sha256": sha, "fmt": fmt, "size_bytes": len(data)}
    if fmt is None:
        return _Outcome("not_image", not_image_reason(data), **known)
    decoded = _decode(data, fmt, config)
    if isinstance(decoded, _Outcome):
        return replace(decoded, **known)
    rgb, width, height = decoded
    known.update(width=width, height=height)
    if min(width, height) < config.min_side:
        reason = f"{width}x{height} below {config.min_side} px"
        return _Outcome("too_small", reason, **known)
    original = original_path(store_root, sha, fmt)
    normalised = normalised_path(store_root, sha, normalised_tag(config.mode, config.size))
    thumb = thumbnail_path(store_root, sha, config.thumbnail_size)
    # One resize to the working copy serves the normalised copy, the thumbnail and the hashes.
    working = fit(rgb, DECODE_SIDE)
    write_atomic(original, data)
    if not normalised.exists():
        reuse = config.mode != "center_crop" and config.size == DECODE_SIDE
        square = normalised_pixels(working if reuse else rgb, config.mode, config.size)
        write_atomic(normalised, _png(square, config.png_compress_level))
    if not thumb.exists():
        small = working if max(working.size) < max(rgb.size) else rgb  # never enlarged
        write_atomic(thumb, _jpeg(thumbnail(small, config.thumbnail_size), quality=85))
    return _Outcome(
        "ok",
        path=str(original),
        normalised_path=str(normalised),
        thumbnail_path=str(thumb),
        hashes=perceptual_hashes(working),
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

    def __init__(self, con: duckdb.DuckDBPyConnection, every_s: float) -> None:
        self.con = con
        self.every_s = every_s
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
                    outcome.thumbnail_path,
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
        if len(self.rows) >= _FLUSH_ROWS or time.monotonic() - self.flushed_at > self.every_s:
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
            "bytes, width, height, path, normalised_path, thumbnail_path FROM images "
            "SEMI JOIN _requested_urls USING (image_url)"
        ).fetchall()
    finally:
        con.unregister("_requested_urls")
    return {ImageRequest(*row[:3]): _Outcome(*row[3:]) for row in rows}


def _derived_paths(store_root: Path, sha256: str, config: IngestConfig) -> tuple[Path, Path]:
    """The normalised copy and the thumbnail that `config` wants for an image."""
    tag = normalised_tag(config.mode, config.size)
    return (
        normalised_path(store_root, sha256, tag),
        thumbnail_path(store_root, sha256, config.thumbnail_size),
    )


def _stored(outcome: _Outcome, store_root: Path, config: IngestConfig) -> bool:
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
    ensure_images_table(con)
    wanted = list(dict.fromkeys(ImageRequest(*request) for request in requests))
    existing = _existing_rows(con, {request.image_url for request in wanted})

    stats = IngestStats(requested=len(wanted))
    final: Counter[str] = Counter()
    rejects: Counter[str] = Counter()
    by_source: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def count(requests_: list[ImageRequest], outcome: _Outcome) -> None:
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

    def run_one(url: str) -> _Outcome:
        known = local.get(url)
        if known is not None:
            norm, thumb = _derived_paths(store_root, known.sha256, config)
            if norm.exists() and thumb.exists():
                return replace(known, normalised_path=str(norm), thumbnail_path=str(thumb))
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
