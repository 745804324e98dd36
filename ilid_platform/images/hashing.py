"""64-bit perceptual hashes (pHash, dHash) of every stored original, in `image_hashes`.

Hashes are taken from the upright RGB original, not the normalised copy: the ILID edge pad
adds content that differs between an image and a re-cropped copy of it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import imagehash
import numpy as np
from PIL import Image

from ilid_platform.images.normalise import decode_rgb, fit, to_rgb
from ilid_platform.images.store import original_path
from ilid_platform.tables import IMAGE_HASHES, insert_rows

logger = logging.getLogger(__name__)

DECODE_SIDE = 512
"""Hashes see the image decoded at no less than this side (see `decode_rgb`) and then scaled
to this long side: the working copy that ingest makes anyway for the normalised copy, so
ingest and `hash_images` agree bit for bit and hashing costs no extra resize in ingest."""

HASH_INPUT_SIDE = 64
"""The working copy is box-reduced to this long side before hashing: half the cost of 256 px,
still above the 32 px (pHash) and 9 px (dHash) that the hashes look at, and as good on
benchmarks/dedup_quality.py (recall 0.62 vs 0.61, precision 0.86 for both)."""

_BATCH = 2000


def _as_int(image_hash: imagehash.ImageHash) -> int:
    return int.from_bytes(np.packbits(image_hash.hash.ravel()).tobytes(), "big")


def perceptual_hashes(img: Image.Image) -> tuple[int, int]:
    """(pHash, dHash) of an image as unsigned 64-bit ints (bit 63 = first hash bit)."""
    gray = fit(to_rgb(img), DECODE_SIDE).convert("L")
    gray.thumbnail((HASH_INPUT_SIDE, HASH_INPUT_SIDE), Image.Resampling.BICUBIC, reducing_gap=1.0)
    return _as_int(imagehash.phash(gray)), _as_int(imagehash.dhash(gray))


def store_hashes(con: duckdb.DuckDBPyConnection, rows: Iterable[tuple[str, int, int]]) -> int:
    """Insert (sha256, phash, dhash) rows; a sha256 already hashed keeps its row."""
    rows = list(rows)
    if not rows:
        return 0
    IMAGE_HASHES.ensure(con)
    before = con.execute("SELECT count(*) FROM image_hashes").fetchall()[0][0]
    insert_rows(
        con,
        IMAGE_HASHES,
        [{"sha256": sha, "phash": phash, "dhash": dhash} for sha, phash, dhash in rows],
        mode="ignore",
    )
    return con.execute("SELECT count(*) FROM image_hashes").fetchall()[0][0] - before


def file_hashes(path: Path) -> tuple[tuple[int, int], tuple[int, int]]:
    """(pHash, dHash) of an image file, decoded as ingest decodes it, and its upright size."""
    with Image.open(path) as img:
        rgb, size = decode_rgb(img, DECODE_SIDE)
        return perceptual_hashes(rgb), size


def _hash_file(item: tuple[str, Path]) -> tuple[str, int, int] | None:
    sha, path = item
    try:
        return (sha, *file_hashes(path)[0])
    except Exception as exc:  # a missing or unreadable file must not stop the other hashes
        logger.warning("cannot hash %s: %s", path, exc)
        return None


def hash_images(
    con: duckdb.DuckDBPyConnection,
    store_root: Path,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> int:
    """Hash every `ok` image whose sha256 has no row in `image_hashes` yet; returns how many.

    Ingest already hashes what it downloads, so this mostly fills gaps (older rows, or a
    table rebuilt from the content-addressed store). Originals are found by sha256 under
    `store_root`, so a moved store still works.
    """
    IMAGE_HASHES.ensure(con)
    todo = con.execute(
        "SELECT DISTINCT i.sha256, i.format FROM images i "
        "ANTI JOIN image_hashes h USING (sha256) "
        "WHERE i.status = 'ok' AND i.sha256 IS NOT NULL ORDER BY i.sha256"
    ).fetchall()
    items = [(sha, original_path(Path(store_root), sha, fmt)) for sha, fmt in todo]
    added = 0
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        for start in range(0, len(items), _BATCH):
            chunk = items[start : start + _BATCH]
            added += store_hashes(con, filter(None, pool.map(_hash_file, chunk)))
            if progress:
                progress(f"hashed {min(start + _BATCH, len(items))}/{len(items)} images")
    return added
