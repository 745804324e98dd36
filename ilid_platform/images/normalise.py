"""Image geometry and colour: one place decides how every stored image looks.

ILID stores each image with its long side at 512 px, padded to a square by edge replication;
`keep_ratio` and `center_crop` exist for models that want unpadded or cropped inputs.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from PIL import ExifTags, Image, ImageOps

Mode = Literal["ilid", "keep_ratio", "center_crop"]
MODES: tuple[Mode, ...] = ("ilid", "keep_ratio", "center_crop")

_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N")
_ALPHA = ("RGBA", "RGBa", "LA", "La", "PA")
_WHITE = (255, 255, 255, 255)
_TRANSPOSING_ORIENTATIONS = (5, 6, 7, 8)


def _require_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown normalise mode {mode!r}; expected one of {MODES}")


def normalised_tag(mode: Mode = "ilid", size: int = 512) -> str:
    """File-name tag of a normalised copy, e.g. `ilid512` in `<sha256>.ilid512.png`."""
    _require_mode(mode)
    return f"{mode}{size}"


def to_rgb(img: Image.Image) -> Image.Image:
    """Upright 8-bit RGB as a viewer shows it: EXIF orientation applied, alpha on white.

    Perceptual hashes and normalised copies both start here, so a rotated or transparent
    copy of an image looks the same to every later stage.
    """
    if img.getexif().get(ExifTags.Base.Orientation, 1) != 1:
        img = ImageOps.exif_transpose(img)
    if img.mode in _SIXTEEN_BIT or img.mode in ("I", "F"):
        values = np.asarray(img, dtype=np.float64)
        if img.mode in _SIXTEEN_BIT or values.max(initial=0) > 255:
            values = values / 257.0
        img = Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8), "L")
    if img.mode == "P" or "transparency" in img.info:
        img = img.convert("RGBA") if "transparency" in img.info else img.convert("RGB")
    if img.mode in _ALPHA:
        rgba = img.convert("RGBA")
        img = Image.alpha_composite(Image.new("RGBA", rgba.size, _WHITE), rgba)
    return img if img.mode == "RGB" else img.convert("RGB")


def decode_rgb(img: Image.Image, min_side: int) -> tuple[Image.Image, tuple[int, int]]:
    """Decode an opened image as upright RGB, and its upright full-resolution size.

    A JPEG is decoded inside the DCT at 1/2, 1/4 or 1/8 scale when that still leaves both
    sides at least `min_side` (`draft`): several times faster for large photos, and nothing
    is lost once every later stage shrinks the image to `min_side` or below anyway.
    """
    width, height = img.size
    if img.getexif().get(ExifTags.Base.Orientation, 1) in _TRANSPOSING_ORIENTATIONS:
        width, height = height, width
    img.draft("RGB", (min_side, min_side))
    img.load()
    return to_rgb(img), (width, height)


def _scaled(img: Image.Image, scale: float) -> Image.Image:
    """Bicubic, as CLIP's own preprocessing resizes; a third cheaper than Lanczos."""
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    if size == img.size:
        return img
    return img.resize(size, Image.Resampling.BICUBIC, reducing_gap=3.0)


def fit(img: Image.Image, side: int) -> Image.Image:
    """The image with its long side at `side` (the same object if it already is)."""
    return _scaled(img, side / max(img.size))


def normalised_pixels(img: Image.Image, mode: Mode = "ilid", size: int = 512) -> np.ndarray:
    """Shape an RGB image for the dataset, as an (H, W, 3) uint8 array.

    `ilid`: long side to `size`, then pad to `size` x `size` by replicating edge pixels (the
    ILID recipe; no artificial borders for the model to learn). `keep_ratio`: long side to
    `size`, no padding. `center_crop`: short side to `size`, then the central square.
    An array is what the PNG encoder takes, so ingest skips a round trip through PIL.
    """
    _require_mode(mode)
    img = img if img.mode == "RGB" else img.convert("RGB")
    if mode == "center_crop":
        img = _scaled(img, size / min(img.size))
        left, top = (img.width - size) // 2, (img.height - size) // 2
        return np.asarray(img.crop((left, top, left + size, top + size)))
    pixels = np.asarray(fit(img, size))
    if mode == "keep_ratio":
        return pixels
    height, width = pixels.shape[:2]
    top, left = (size - height) // 2, (size - width) // 2
    out = np.empty((size, size, 3), np.uint8)
    out[top : top + height, left : left + width] = pixels
    out[:top, left : left + width] = pixels[0]
    out[top + height :, left : left + width] = pixels[-1]
    out[:, :left] = out[:, left : left + 1]
    out[:, left + width :] = out[:, left + width - 1 : left + width]
    return out


def content_box(
    pixels: np.ndarray, tolerance: int = 24, min_share: float = 0.01
) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of an (H, W, 3) image once uniform borders are trimmed.

    A border is uniform where pixels stay within `tolerance` of the border's median colour;
    rows and columns with more than `min_share` of other pixels are content. Trimming runs
    twice, so a grey pad around a photo on white loses both. An image that is (nearly) all
    border keeps its full box, so the box is never a speck.
    """
    step = max(1, max(pixels.shape[:2]) // 128)  # borders are wide: every step-th pixel will do
    small = pixels[::step, ::step]
    height, width = small.shape[:2]
    box = (0, 0, width, height)
    for _ in range(2):
        left, top, right, bottom = box
        part = small[top:bottom, left:right].astype(np.int16)
        ring = np.concatenate([part[0], part[-1], part[:, 0], part[:, -1]])
        differs = np.abs(part - np.median(ring, axis=0)).max(axis=2) > tolerance
        rows = np.flatnonzero(differs.mean(axis=1) > min_share)
        cols = np.flatnonzero(differs.mean(axis=0) > min_share)
        if not len(rows) or not len(cols):
            break
        trimmed = (left + cols[0], top + rows[0], left + cols[-1] + 1, top + rows[-1] + 1)
        if trimmed[2] - trimmed[0] < width / 10 or trimmed[3] - trimmed[1] < height / 10:
            break
        if trimmed == box:
            break
        box = tuple(int(v) for v in trimmed)
    full_height, full_width = pixels.shape[:2]
    left, top, right, bottom = box
    return (
        left * step,
        top * step,
        min(full_width, right * step),
        min(full_height, bottom * step),
    )


def thumbnail(img: Image.Image, size: int = 128) -> Image.Image:
    """Small RGB preview (long side at most `size`) for the dataset card and the UI.

    A box reduction does most of the shrinking: a preview does not need Lanczos quality.
    """
    thumb = to_rgb(img)
    if thumb is img:
        thumb = thumb.copy()
    thumb.thumbnail((size, size), Image.Resampling.BICUBIC, reducing_gap=1.5)
    return thumb
