"""Procedural product photos: the silhouette tells the part type, colour and texture the material.

Each picture is a pure function of an `ImageSpec`, so the catalog is reproducible byte for byte
and pictures can be rendered in parallel. Shapes are drawn in a unit frame ([-1, 1] square) and
posed by an affine transform; shading is numpy on a float RGB array.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SUPERSAMPLE = 2

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


class _Pen:
    """Draws unit-frame primitives onto the silhouette (mask) and darkening (detail) layers."""

    def __init__(
        self, size: int, angle: float, scale: float, dx: float, dy: float, squash: float = 1.0
    ) -> None:
        self.px = size * SUPERSAMPLE
        self.squash = squash
        self.mask = Image.new("L", (self.px, self.px), 0)
        self.detail = Image.new("L", (self.px, self.px), 0)
        self.m = ImageDraw.Draw(self.mask)
        self.d = ImageDraw.Draw(self.detail)
        self.k = scale * self.px / 2
        self.cos, self.sin = math.cos(angle), math.sin(angle)
        self.cx, self.cy = self.px / 2 * (1 + dx), self.px / 2 * (1 + dy)

    def pt(self, x: float, y: float) -> tuple[float, float]:
        y = y * self.squash  # foreshortening: the part seen from an oblique viewpoint
        return (
            self.cx + self.k * (x * self.cos - y * self.sin),
            self.cy + self.k * (x * self.sin + y * self.cos),
        )

    def _layer(self, detail: bool) -> ImageDraw.ImageDraw:
        return self.d if detail else self.m

    def poly(self, points: list[tuple[float, float]], fill: int = 255, detail: bool = False):
        self._layer(detail).polygon([self.pt(x, y) for x, y in points], fill=fill)

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: int = 255, detail=False):
        self.poly([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], fill, detail)

    def circle(self, x: float, y: float, r: float, fill: int = 255, detail: bool = False):
        cx, cy = self.pt(x, y)
        rr = r * self.k
        self._layer(detail).ellipse([cx - rr, cy - rr, cx + rr, cy + rr], fill=fill)

    def ring(self, x: float, y: float, r: float, width: float, fill: int = 255, detail=True):
        cx, cy = self.pt(x, y)
        rr = r * self.k
        w = max(1, round(width * self.k))
        self._layer(detail).ellipse([cx - rr, cy - rr, cx + rr, cy + rr], outline=fill, width=w)

    def line(self, points: list[tuple[float, float]], width: float, fill=255, detail=False):
        w = max(1, round(width * self.k))
        self._layer(detail).line(
            [self.pt(x, y) for x, y in points], fill=fill, width=w, joint="curve"
        )
        for x, y in (points[0], points[-1]):
            self.circle(x, y, width / 2, fill, detail)


def _hinge(p: _Pen, rng: np.random.Generator) -> None:
    h = rng.uniform(0.6, 0.8)
    holes = int(rng.integers(2, 4))
    p.rect(-1.0, -h, -0.06, h)
    p.rect(0.06, -h, 1.0, h)
    p.rect(-0.14, -h - 0.05, 0.14, h + 0.05)
    knuckles = 5
    for i in range(1, knuckles):
        y = -h - 0.05 + i * (2 * h + 0.1) / knuckles
        p.line([(-0.14, y), (0.14, y)], 0.025, 200, detail=True)
    p.line([(-0.14, -h), (-0.14, h)], 0.02, 140, detail=True)
    p.line([(0.14, -h), (0.14, h)], 0.02, 140, detail=True)
    for i in range(holes):
        y = -h * 0.6 + i * (1.2 * h / max(holes - 1, 1))
        for x in (-0.55, 0.55):
            p.circle(x, y, 0.13, 110, detail=True)
            p.circle(x, y, 0.075, 0)


def _hex_nut(p: _Pen, rng: np.random.Generator) -> None:
    hexagon = [(0.95 * math.cos(a), 0.95 * math.sin(a)) for a in np.arange(6) * math.pi / 3]
    p.poly(hexagon)
    p.ring(0, 0, 0.86, 0.03, 90)
    hole = rng.uniform(0.42, 0.52)
    p.ring(0, 0, hole + 0.07, 0.07, 150)
    p.circle(0, 0, hole, 0)
    for a in np.arange(6) * math.pi / 3:
        p.line([(0, 0), (0.95 * math.cos(a), 0.95 * math.sin(a))], 0.015, 60, detail=True)
    p.circle(0, 0, hole + 0.03, 0, detail=True)


def _washer(p: _Pen, rng: np.random.Generator) -> None:
    p.circle(0, 0, 0.95)
    hole = rng.uniform(0.38, 0.55)
    p.ring(0, 0, hole + 0.04, 0.04, 120)
    p.ring(0, 0, 0.93, 0.03, 80)
    p.circle(0, 0, hole, 0)


def _spur_gear(p: _Pen, rng: np.random.Generator) -> None:
    teeth = int(rng.integers(14, 26))
    root, tip = 0.8, 0.98
    pts = []
    for i in range(teeth):
        a = 2 * math.pi * i / teeth
        step = 2 * math.pi / teeth
        for frac, r in ((0.0, root), (0.18, tip), (0.42, tip), (0.6, root)):
            pts.append((r * math.cos(a + frac * step), r * math.sin(a + frac * step)))
    p.poly(pts)
    p.ring(0, 0, root - 0.04, 0.03, 110)
    if rng.random() < 0.6:
        for i in range(int(rng.integers(4, 7))):
            a = 2 * math.pi * i / 5 + 0.3
            p.circle(0.5 * math.cos(a), 0.5 * math.sin(a), 0.12, 0)
    p.circle(0, 0, 0.3, 90, detail=True)
    p.circle(0, 0, 0.16, 0)
    p.rect(-0.04, -0.22, 0.04, -0.12, 0)


def _bolt(p: _Pen, rng: np.random.Generator) -> None:
    end = rng.uniform(0.6, 0.98)
    r = rng.uniform(0.15, 0.21)
    p.rect(-0.95, -0.42, -0.6, 0.42)
    p.line([(-0.95, -0.15), (-0.6, -0.15)], 0.025, 110, detail=True)
    p.line([(-0.95, 0.15), (-0.6, 0.15)], 0.025, 110, detail=True)
    p.poly(
        [
            (-0.6, -r),
            (end - 0.06, -r),
            (end, -r + 0.06),
            (end, r - 0.06),
            (end - 0.06, r),
            (-0.6, r),
        ]
    )
    x = -0.6 + (end + 0.6) * rng.uniform(0.2, 0.5)
    while x < end - 0.04:
        p.line([(x, -r), (x + 0.05, r)], 0.018, 150, detail=True)
        x += 0.065


def _compression_spring(p: _Pen, rng: np.random.Generator) -> None:
    turns = int(rng.integers(5, 9))
    h = rng.uniform(0.38, 0.55)
    wire = rng.uniform(0.07, 0.1)
    xs = np.linspace(-0.9, 0.9, 2 * turns + 1)
    for i in range(0, 2 * turns, 2):
        p.line([(xs[i], h), (xs[i + 1], -h)], wire, 255)
        p.line([(xs[i], h), (xs[i + 1], -h)], wire, 150, detail=True)
    for i in range(1, 2 * turns, 2):
        p.line([(xs[i], -h), (xs[i + 1], h)], wire, 255)
    p.line([(xs[0], h), (xs[0], -h)], wire)
    p.line([(xs[-1], h), (xs[-1], -h)], wire)


def _ball_bearing(p: _Pen, rng: np.random.Generator) -> None:
    balls = int(rng.integers(7, 11))
    p.circle(0, 0, 0.95)
    p.ring(0, 0, 0.93, 0.03, 90)
    p.circle(0, 0, 0.77, 210, detail=True)
    p.circle(0, 0, 0.5, 0, detail=True)
    for i in range(balls):
        a = 2 * math.pi * i / balls
        p.circle(0.635 * math.cos(a), 0.635 * math.sin(a), 0.115, 0, detail=True)
    p.ring(0, 0, 0.42, 0.03, 100)
    p.circle(0, 0, 0.3, 0)


def _pulley(p: _Pen, rng: np.random.Generator) -> None:
    spokes = int(rng.integers(3, 6))
    p.circle(0, 0, 0.95)
    p.ring(0, 0, 0.88, 0.1, 190)
    p.ring(0, 0, 0.76, 0.04, 120)
    for i in range(spokes):
        a = 2 * math.pi * (i + 0.5) / spokes
        p.circle(0.5 * math.cos(a), 0.5 * math.sin(a), 0.17, 0)
    p.ring(0, 0, 0.28, 0.06, 130)
    p.circle(0, 0, 0.13, 0)
    p.rect(-0.035, -0.19, 0.035, -0.1, 0)


def _angle_bracket(p: _Pen, rng: np.random.Generator) -> None:
    w = rng.uniform(0.38, 0.5)
    p.poly(
        [
            (-0.9, -0.95),
            (-0.9 + w, -0.95),
            (-0.9 + w, 0.9 - w),
            (0.95, 0.9 - w),
            (0.95, 0.9),
            (-0.9, 0.9),
        ]
    )
    p.poly([(-0.9 + w, 0.9 - w), (-0.9 + w, 0.1), (0.1, 0.9 - w)], 120, detail=True)
    for t in (-0.65, -0.1):
        p.circle(-0.9 + w / 2, t, 0.1, 0)
    for t in (0.35, 0.75):
        p.circle(t, 0.9 - w / 2, 0.1, 0)
    p.line([(-0.9, 0.9), (-0.9 + w, 0.9 - w)], 0.02, 100, detail=True)


def _toggle_clamp(p: _Pen, rng: np.random.Generator) -> None:
    lift = rng.uniform(-0.15, 0.1)
    p.rect(-0.95, 0.5, 0.15, 0.78)
    p.circle(-0.7, 0.65, 0.06, 0)
    p.circle(-0.1, 0.65, 0.06, 0)
    p.rect(-0.62, -0.1, -0.3, 0.55)
    p.line([(-0.46, -0.05), (0.8, -0.05 + lift)], 0.17)
    p.rect(0.74, -0.05 + lift, 0.86, 0.42 + lift)
    p.rect(0.66, 0.42 + lift, 0.94, 0.5 + lift)
    p.rect(0.66, 0.42 + lift, 0.94, 0.5 + lift, 230, detail=True)
    p.line([(-0.46, -0.05), (-0.92, -0.9)], 0.2)
    p.line([(-0.62, -0.4), (-0.92, -0.9)], 0.22, 200, detail=True)
    p.circle(-0.46, -0.05, 0.07, 160, detail=True)


def _knob(p: _Pen, rng: np.random.Generator) -> None:
    lobes = int(rng.choice([3, 4, 5, 6]))
    p.circle(0, 0, 0.62)
    for i in range(lobes):
        a = 2 * math.pi * i / lobes
        p.circle(0.6 * math.cos(a), 0.6 * math.sin(a), 0.36)
    for i in range(lobes):
        a = 2 * math.pi * (i + 0.5) / lobes
        p.circle(0.95 * math.cos(a), 0.95 * math.sin(a), 0.26, 0)
    p.ring(0, 0, 0.3, 0.05, 140)
    p.circle(0, 0, 0.12, 200, detail=True)


def _caster(p: _Pen, rng: np.random.Generator) -> None:
    r = rng.uniform(0.5, 0.6)
    p.rect(-0.75, -0.95, 0.75, -0.8)
    p.rect(-0.35, -0.8, 0.35, -0.65)
    p.poly([(-0.5, -0.65), (0.5, -0.65), (0.22, 0.3), (-0.22, 0.3)])
    p.circle(0, 0.35, r)
    p.ring(0, 0.35, r - 0.06, 0.12, 150)
    p.circle(0, 0.35, 0.11, 170, detail=True)
    p.line([(-0.75, -0.8), (0.75, -0.8)], 0.02, 120, detail=True)
    for x in (-0.55, 0.55):
        p.circle(x, -0.875, 0.045, 0)


def _pipe_elbow(p: _Pen, rng: np.random.Generator) -> None:
    r_in, r_out = rng.uniform(0.35, 0.45), rng.uniform(0.95, 1.05)
    cx, cy = -0.55, 0.55
    arc = np.linspace(-math.pi / 2, 0, 24)
    outer = [(cx + r_out * math.cos(a), cy + r_out * math.sin(a)) for a in arc]
    inner = [(cx + r_in * math.cos(a), cy + r_in * math.sin(a)) for a in arc[::-1]]
    p.poly(outer + inner)
    p.rect(cx - 0.25, cy - r_out - 0.05, cx, cy - r_in + 0.05)
    p.rect(cx + r_in - 0.05, cy, cx + r_out + 0.05, cy + 0.25)
    p.line([(cx, cy - r_out - 0.05), (cx, cy - r_in + 0.05)], 0.025, 120, detail=True)
    p.line([(cx + r_in - 0.05, cy), (cx + r_out + 0.05, cy)], 0.025, 120, detail=True)


SHAPES: dict[str, Callable[[_Pen, np.random.Generator], None]] = {
    "hinge": _hinge,
    "hex nut": _hex_nut,
    "washer": _washer,
    "spur gear": _spur_gear,
    "bolt": _bolt,
    "compression spring": _compression_spring,
    "ball bearing": _ball_bearing,
    "pulley": _pulley,
    "angle bracket": _angle_bracket,
    "toggle clamp": _toggle_clamp,
    "knob": _knob,
    "caster": _caster,
    "pipe elbow": _pipe_elbow,
}

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
    pen = _Pen(size, angle, scale, *rng.uniform(-offset, offset, 2), squash=squash)
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
