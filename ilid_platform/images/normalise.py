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


def _scaled(img: Image.Image, scale: float) -> Image.Image:
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    if size == img.size:
        return img
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def normalise(img: Image.Image, mode: Mode = "ilid", size: int = 512) -> Image.Image:
    """Shape an RGB image for the dataset.

    `ilid`: long side to `size`, then pad to `size` x `size` by replicating edge pixels (the
    ILID recipe; no artificial borders for the model to learn). `keep_ratio`: long side to
    `size`, no padding. `center_crop`: short side to `size`, then the central square.
    """
    _require_mode(mode)
    img = img if img.mode == "RGB" else img.convert("RGB")
    if mode == "center_crop":
        img = _scaled(img, size / min(img.size))
        left, top = (img.width - size) // 2, (img.height - size) // 2
        return img.crop((left, top, left + size, top + size))
    img = _scaled(img, size / max(img.size))
    if mode == "keep_ratio":
        return img
    pixels = np.asarray(img)
    top, left = (size - img.height) // 2, (size - img.width) // 2
    padding = ((top, size - img.height - top), (left, size - img.width - left), (0, 0))
    return Image.fromarray(np.pad(pixels, padding, mode="edge"), "RGB")


def thumbnail(img: Image.Image, size: int = 128) -> Image.Image:
    """Small RGB preview (long side at most `size`) for the dataset card and the UI."""
    thumb = to_rgb(img)
    if thumb is img:
        thumb = thumb.copy()
    thumb.thumbnail((size, size), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return thumb
