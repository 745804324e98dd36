"""Validate, normalise and store one downloaded image body (the resizer of the ingest).

JPEGs are decoded at reduced scale (`decode_rgb`), one resize makes the 512 px working copy
that the normalised PNG, the thumbnail and the hashes all start from, and the PNG encoder uses
one filter instead of five. Originals, normalised copies and thumbnails are content-addressed
(see `store`), so an image shared by many products is stored once.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from imagecodecs import PNG, png_encode
from PIL import Image

from ilid_platform.images.config import IngestConfig
from ilid_platform.images.hashing import DECODE_SIDE, Hashes, perceptual_hashes
from ilid_platform.images.normalise import (
    decode_rgb,
    fit,
    normalised_pixels,
    normalised_tag,
    thumbnail,
)
from ilid_platform.images.store import (
    check_path,
    normalised_path,
    original_path,
    thumbnail_path,
    write_atomic,
)
from ilid_platform.images.verify import prepare, prepared_bytes

_PIL_FORMATS = {
    "jpeg": "JPEG",
    "png": "PNG",
    "gif": "GIF",
    "webp": "WEBP",
    "bmp": "BMP",
    "tiff": "TIFF",
    "avif": "AVIF",
}


@dataclass(frozen=True)
class Outcome:
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
    hashes: Hashes | None = None
    downloaded_bytes: int = 0


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


def _decode(data: bytes, fmt: str, config: IngestConfig) -> Outcome | tuple[Image.Image, int, int]:
    """Upright RGB (JPEG decoded at a reduced scale where the output allows it) and the upright
    size of the original."""
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[fmt]]) as img:
            width, height = img.size
            if width * height > config.max_pixels:
                reason = f"{width}x{height} = {width * height} pixels > {config.max_pixels}"
                return Outcome("too_large", reason)
            rgb, (width, height) = decode_rgb(img, max(config.size, DECODE_SIDE))
            return rgb, width, height
    except Image.DecompressionBombError as exc:
        return Outcome("too_large", str(exc))
    except Exception as exc:  # untrusted bytes in a C decoder fail in many ways; all mean "bad"
        return Outcome("decode_error", f"{type(exc).__name__}: {exc}")


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _png(pixels: np.ndarray, level: int) -> bytes:
    """PNG with the Up filter and run-length deflate: Pillow always tries five filters per
    row, which made PNG writing the largest cost of ingest; this is twice as fast for about
    3% more bytes."""
    return png_encode(pixels, level=level, strategy=PNG.STRATEGY.RLE, filter=PNG.FILTER.UP)


def process_image(data: bytes, store_root: Path, config: IngestConfig) -> Outcome:
    """Validate, normalise and store one downloaded body; files that exist are not redone."""
    sha = hashlib.sha256(data).hexdigest()
    fmt = sniff_format(data)
    known = {"sha256": sha, "fmt": fmt, "size_bytes": len(data)}
    if fmt is None:
        return Outcome("not_image", not_image_reason(data), **known)
    decoded = _decode(data, fmt, config)
    if isinstance(decoded, Outcome):
        return replace(decoded, **known)
    rgb, width, height = decoded
    known.update(width=width, height=height)
    if min(width, height) < config.min_side:
        reason = f"{width}x{height} below {config.min_side} px"
        return Outcome("too_small", reason, **known)
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
    check = check_path(store_root, sha)
    if not check.exists():  # the near-duplicate check's keypoints, found once per image
        write_atomic(check, prepared_bytes(prepare(working)))
    return Outcome(
        "ok",
        path=str(original),
        normalised_path=str(normalised),
        thumbnail_path=str(thumb),
        hashes=perceptual_hashes(working),
        **known,
    )
