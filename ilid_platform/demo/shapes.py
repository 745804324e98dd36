"""Part silhouettes: one function per part type draws it in a unit frame ([-1, 1] square),
posed by the pen's affine transform, onto a mask (the silhouette) and a detail layer (the
darkened lines that make a gear a gear)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw

SUPERSAMPLE = 2


class Pen:
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


def _hinge(p: Pen, rng: np.random.Generator) -> None:
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


def _hex_nut(p: Pen, rng: np.random.Generator) -> None:
    hexagon = [(0.95 * math.cos(a), 0.95 * math.sin(a)) for a in np.arange(6) * math.pi / 3]
    p.poly(hexagon)
    p.ring(0, 0, 0.86, 0.03, 90)
    hole = rng.uniform(0.42, 0.52)
    p.ring(0, 0, hole + 0.07, 0.07, 150)
    p.circle(0, 0, hole, 0)
    for a in np.arange(6) * math.pi / 3:
        p.line([(0, 0), (0.95 * math.cos(a), 0.95 * math.sin(a))], 0.015, 60, detail=True)
    p.circle(0, 0, hole + 0.03, 0, detail=True)


def _washer(p: Pen, rng: np.random.Generator) -> None:
    p.circle(0, 0, 0.95)
    hole = rng.uniform(0.38, 0.55)
    p.ring(0, 0, hole + 0.04, 0.04, 120)
    p.ring(0, 0, 0.93, 0.03, 80)
    p.circle(0, 0, hole, 0)


def _spur_gear(p: Pen, rng: np.random.Generator) -> None:
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


def _bolt(p: Pen, rng: np.random.Generator) -> None:
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


def _compression_spring(p: Pen, rng: np.random.Generator) -> None:
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


def _ball_bearing(p: Pen, rng: np.random.Generator) -> None:
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


def _pulley(p: Pen, rng: np.random.Generator) -> None:
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


def _angle_bracket(p: Pen, rng: np.random.Generator) -> None:
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


def _toggle_clamp(p: Pen, rng: np.random.Generator) -> None:
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


def _knob(p: Pen, rng: np.random.Generator) -> None:
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


def _caster(p: Pen, rng: np.random.Generator) -> None:
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


def _pipe_elbow(p: Pen, rng: np.random.Generator) -> None:
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


SHAPES: dict[str, Callable[[Pen, np.random.Generator], None]] = {
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
