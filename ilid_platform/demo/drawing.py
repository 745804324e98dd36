"""Procedural product photos: the silhouette tells the part type, colour and texture the material.

Each picture is a pure function of an `ImageSpec`, so the catalog is reproducible byte for byte
and pictures can be rendered in parallel. Shapes are drawn in a unit frame ([-1, 1] square) and
posed by an affine transform; shading is numpy on a float RGB array.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from ilid_platform.demo.shapes import SHAPES, SUPERSAMPLE, Pen

# Base RGB in [0, 1] per material; hue and brightness are kept far apart so a tiny model can
# learn material from colour alone.
MATERIAL_COLOURS: dict[str, tuple[float, float, float]] = {
    "stainless steel": (0.66, 0.67, 0.69),
    "zinc-plated steel": (0.60, 0.68, 0.82),
    "brass": (0.82, 0.64, 0.24),
    "aluminium": (0.88, 0.88, 0.86),
    "black polyamide": (0.09, 0.09, 0.10),
    "copper": (0.78, 0.38, 0.20),
}
POWDER_COAT_COLOURS: dict[str, tuple[float, float, float]] = {
    "RAL 5010 gentian blue": (0.08, 0.24, 0.56),
    "RAL 6018 yellow green": (0.22, 0.58, 0.18),
    "RAL 3020 traffic red": (0.72, 0.08, 0.08),
}


@dataclass(frozen=True)
class ImageSpec:
    """Everything that decides one picture's bytes."""

    part_type: str
    material: str
    finish: str
    colour: str
    style: str
    seed: int
    fmt: str = "JPEG"
    quality: int = 90
    # 0 keeps the demo's mild poses; 1 (the `large` catalog) adds viewpoint tilt, part
    # thickness, a wider scale range and tinted backgrounds, so a part type looks more varied.
    variety: int = 0


# Output canvas (width, height) per photographic style.
STYLE_SIZES = {"studio": (440, 440), "workshop": (420, 340), "moody": (360, 400)}


def _blur(a: np.ndarray, radius: float) -> np.ndarray:
    img = Image.fromarray((np.clip(a, 0, 1) * 255).astype(np.uint8))
    return np.asarray(img.filter(ImageFilter.GaussianBlur(radius)), dtype=np.float32) / 255


def _surface(spec: ImageSpec, mask: np.ndarray, detail: np.ndarray, rng: np.random.Generator):
    """Shade the part: bevelled edges, directional light, and a texture per finish."""
    s = mask.shape[0]
    base = POWDER_COAT_COLOURS.get(spec.colour) or MATERIAL_COLOURS[spec.material]
    colour = np.array(base, dtype=np.float32) * rng.uniform(0.95, 1.05)
    yy, xx = np.mgrid[0:s, 0:s].astype(np.float32) / s - 0.5
    light = rng.uniform(0, 2 * math.pi)
    u = xx * math.cos(light) + yy * math.sin(light)
    soft = _blur(mask, s * 0.025)
    gy, gx = np.gradient(soft)
    rim = (gx * math.cos(light) + gy * math.sin(light)) * s * 0.015
    bevel = 0.72 + 0.28 * np.clip((soft - 0.5) * 2.2, 0, 1)
    shade = bevel * (1.0 - 0.35 * u) - 0.6 * rim
    shade *= 1 - 0.55 * detail
    finish = spec.finish
    highlight = np.zeros_like(shade)
    if finish == "polished":
        phi = rng.uniform(0, math.pi)
        d = xx * math.cos(phi) + yy * math.sin(phi) - rng.uniform(-0.15, 0.15)
        highlight = 0.9 * np.exp(-((d / 0.06) ** 2)) + 0.35 * np.exp(-(((d - 0.18) / 0.04) ** 2))
        shade = shade**1.4
    elif finish in ("brushed", "clear passivated"):
        phi = rng.uniform(0, math.pi)
        idx = ((xx * math.cos(phi) + yy * math.sin(phi) + 0.75) * s).astype(np.int32)
        streaks = np.convolve(rng.normal(0, 1, 2 * s), np.ones(3) / 3, mode="same")
        shade = shade * (1 + 0.09 * streaks[np.clip(idx, 0, 2 * s - 1)])
        highlight = 0.3 * np.exp(-(((u + 0.15) / 0.2) ** 2))
        if finish == "clear passivated":
            hue = np.stack([np.sin(u * 9 + k) for k in (0.0, 2.1, 4.2)], axis=-1)
            colour = colour * (1 + 0.07 * hue)
    elif finish == "anodised":
        shade = shade * (1 + 0.02 * rng.normal(0, 1, shade.shape))
        highlight = 0.15 * np.exp(-(((u + 0.1) / 0.3) ** 2))
    elif finish == "powder-coated":
        shade = shade * (1 + 0.07 * _blur(rng.random(shade.shape), 0.8) - 0.035)
        highlight = 0.08 * np.exp(-(((u + 0.1) / 0.3) ** 2))
    else:
        shade = shade * (1 + 0.015 * rng.normal(0, 1, shade.shape))
        highlight = 0.06 * np.exp(-(((u + 0.1) / 0.3) ** 2))
    rgb = colour * shade[..., None]
    rgb = rgb + highlight[..., None] * (1 - rgb) * (soft[..., None] > 0.55)
    return np.clip(rgb, 0, 1)


def _draw_part(spec: ImageSpec, size: int, rng: np.random.Generator, scale: float, offset: float):
    angle = rng.uniform(0, 2 * math.pi)
    squash = 1.0
    if spec.variety:
        scale *= rng.uniform(0.75, 1.12)
        squash = rng.uniform(0.55, 1.0)
    pen = Pen(size, angle, scale, *rng.uniform(-offset, offset, 2), squash=squash)
    SHAPES[spec.part_type](pen, rng)
    mask = np.asarray(pen.mask.reduce(SUPERSAMPLE), dtype=np.float32) / 255
    detail = np.asarray(pen.detail.reduce(SUPERSAMPLE), dtype=np.float32) / 255
    fg = _surface(spec, mask, detail, rng)
    if spec.variety:
        mask, fg = _thickness(mask, fg, size, rng)
    return mask, fg


def _thickness(mask: np.ndarray, fg: np.ndarray, size: int, rng: np.random.Generator):
    """Extrude the silhouette a few pixels in a random direction, darker: the part's side
    wall as an oblique camera sees it."""
    depth = rng.uniform(0.005, 0.035) * size
    direction = rng.uniform(0, 2 * math.pi)
    dy, dx = round(depth * math.sin(direction)), round(depth * math.cos(direction))
    side = np.roll(mask, (dy, dx), axis=(0, 1))
    wall = np.clip(side - mask, 0, 1)[..., None]
    shaded = np.roll(fg, (dy, dx), axis=(0, 1)) * rng.uniform(0.45, 0.65)
    return np.maximum(mask, side), fg * (1 - wall) + shaded * wall


def _compose(bg: np.ndarray, fg: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return bg * (1 - mask[..., None]) + fg * mask[..., None]


def _studio(spec: ImageSpec, rng: np.random.Generator) -> np.ndarray:
    w, h = STYLE_SIZES["studio"]
    mask, fg = _draw_part(spec, w, rng, rng.uniform(0.62, 0.8), 0.06)
    shadow = np.roll(_blur(mask, w * 0.03), (int(w * 0.03), int(w * 0.02)), axis=(0, 1))
    bg = np.full((h, w, 3), rng.uniform(0.96, 0.99), np.float32) * (1 - 0.25 * shadow[..., None])
    if spec.variety:
        bg = bg * rng.uniform(0.82, 1.0, 3).astype(np.float32)
    return _compose(bg, fg, mask)


def _workshop(spec: ImageSpec, rng: np.random.Generator) -> np.ndarray:
    w, h = STYLE_SIZES["workshop"]
    mask, fg = _draw_part(spec, h, rng, rng.uniform(0.62, 0.8), 0.05)
    rgba = np.dstack([fg, mask])
    img = Image.fromarray((rgba * 255).astype(np.uint8), "RGBA")
    j = h * 0.12
    quad = [
        rng.uniform(0, j),
        rng.uniform(0, j),
        rng.uniform(0, j),
        h - rng.uniform(0, j),
        h - rng.uniform(0, j),
        h - rng.uniform(0, j),
        h - rng.uniform(0, j),
        rng.uniform(0, j),
    ]
    img = img.transform((h, h), Image.Transform.QUAD, quad, Image.Resampling.BILINEAR)
    warped = np.asarray(img, dtype=np.float32) / 255
    top, bottom = rng.uniform(0.45, 0.6), rng.uniform(0.78, 0.9)
    if spec.variety:
        top, bottom = top * rng.uniform(0.6, 1.1), bottom * rng.uniform(0.75, 1.1)
    grad = np.linspace(top, bottom, h, dtype=np.float32)[:, None] + np.linspace(-0.04, 0.04, w)
    bg = np.repeat(grad[..., None], 3, axis=2)
    x0 = int(rng.integers(0, w - h + 1))
    pad_fg = np.zeros((h, w, 3), np.float32)
    pad_mask = np.zeros((h, w), np.float32)
    pad_fg[:, x0 : x0 + h] = warped[..., :3]
    pad_mask[:, x0 : x0 + h] = warped[..., 3]
    bg = bg * (1 - 0.3 * np.roll(_blur(pad_mask, 6), 8, axis=0)[..., None])
    return _compose(bg, pad_fg, pad_mask)


def _moody(spec: ImageSpec, rng: np.random.Generator) -> np.ndarray:
    w, h = STYLE_SIZES["moody"]
    big = max(w, h)
    mask, fg = _draw_part(spec, big, rng, rng.uniform(0.8, 1.05), 0.2)
    tint = np.array([(1.2, 0.95, 0.7), (0.75, 1.0, 1.2), (1.15, 0.78, 1.1)][rng.integers(3)])
    yy, xx = np.mgrid[0:big, 0:big].astype(np.float32) / big - 0.5
    gx, gy = rng.uniform(-0.3, 0.3, 2)
    glow = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / 0.08)[..., None]
    bg = (0.06 + 0.12 * glow) * tint
    edge = np.clip(mask - _blur(mask, 3), 0, 1)[..., None]
    fg = fg * (0.75 + 0.35 * glow) * (0.7 + 0.3 * tint) + 0.8 * edge * tint
    rgb = _compose(bg, fg, mask)
    x0, y0 = (big - w) // 2, (big - h) // 2
    return rgb[y0 : y0 + h, x0 : x0 + w]


STYLES = {"studio": _studio, "workshop": _workshop, "moody": _moody}


def render(spec: ImageSpec) -> bytes:
    """Encode one photo in the spec's style and format."""
    rng = np.random.default_rng(spec.seed)
    rgb = STYLES[spec.style](spec, rng)
    img = Image.fromarray((np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8), "RGB")
    return encode(img, spec.fmt, spec.quality)


def encode(img: Image.Image, fmt: str, quality: int) -> bytes:
    buf = io.BytesIO()
    if fmt == "PNG":
        img.save(buf, "PNG", optimize=False, compress_level=6)
    elif fmt == "WEBP":
        img.save(buf, "WEBP", quality=quality, method=4)
    else:
        img.save(buf, "JPEG", quality=quality, optimize=False, progressive=False)
    return buf.getvalue()


def recompressed_copy(data: bytes, width: int, quality: int) -> bytes:
    """A reseller's copy of another shop's photo: resized and saved again as JPEG."""
    img = Image.open(io.BytesIO(data)).convert("RGB")
    height = round(img.height * width / img.width)
    return encode(img.resize((width, height), Image.Resampling.LANCZOS), "JPEG", quality)
