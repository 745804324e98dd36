"""The image sets `dedup_quality.py` measures on: real shops' photos with a reseller's edits,
and the large demo catalog as it is.

Edits are what a reseller does to a maker's photo. `FLOORS` are those that issue 28 sets a
recall floor for; the others are reported beside them, without one.
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

from ilid_platform.images.normalise import to_rgb
from ilid_platform_tests.corpus_sites import CORPUS, load_site

GREY = (128, 128, 128)
_PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
SHOT_LEVELS, SHOT_SHARE = 32, 0.002
"""Two originals are one shot when at most `SHOT_SHARE` of their pixels differ by more than
`SHOT_LEVELS` in a channel (`same_shot`)."""


def same_shot(a: Image.Image, b: Image.Image) -> bool:
    """Whether two RGB originals are one shot, re-encoded or resized: the same aspect ratio (to
    1 %) and, at the smaller one's size, at most `SHOT_SHARE` of the pixels more than
    `SHOT_LEVELS` apart in a channel. A palette's quantisation or a recompression moves
    pixels by a few levels, mostly at edges; a person sees two photos where any part differs
    (another colour, print, pose), and that moves far more: in the corpus the closest such
    pair, one hoodie mock-up with two prints, differs in 1.6 % of its pixels."""
    if abs(a.width * b.height - b.width * a.height) > 0.01 * a.width * b.height:
        return False
    size = min(a.size, b.size)
    x, y = (np.asarray(im if im.size == size else im.resize(size, Image.BOX)) for im in (a, b))
    if np.abs(x[::8, ::8].astype(np.int16) - y[::8, ::8]).mean() > SHOT_LEVELS / 4:
        return False  # most pairs are told apart by a sample
    far = (np.abs(x.astype(np.int16) - y) > SHOT_LEVELS).any(axis=2)
    return float(far.mean()) <= SHOT_SHARE


def crop(img: Image.Image, fraction: float, centred: bool = True) -> Image.Image:
    """`fraction` of width and height cut away: half from each side, or all from the top
    left."""
    dx, dy = round(img.width * fraction / 2), round(img.height * fraction / 2)
    if centred:
        return img.crop((dx, dy, img.width - dx, img.height - dy))
    return img.crop((2 * dx, 2 * dy, img.width, img.height))


def pad(img: Image.Image, fraction: float, fill: tuple[int, int, int] | str) -> Image.Image:
    """`fraction` of width and height added as a border, half on each side."""
    dx, dy = round(img.width * fraction / 2), round(img.height * fraction / 2)
    return ImageOps.expand(img, border=(dx, dy, dx, dy), fill=fill)


def watermark_band(img: Image.Image, seed: int) -> Image.Image:
    """A translucent dark band, a seventh of the height, across the whole width at a random
    height, with the reseller's address in white: the usual shop watermark."""
    rng = random.Random(seed)
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    height = max(12, img.height // 7)
    top = round(img.height * rng.uniform(0.15, 0.85) - height / 2)
    draw.rectangle((0, top, img.width, top + height), fill=(30, 30, 30, 120))
    font = ImageFont.load_default(size=max(10, height * 2 // 3))
    draw.text(
        (img.width // 10, top + height // 8),
        "www.reseller-shop.com",
        font=font,
        fill=(255, 255, 255, 200),
    )
    return Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")


def watermark_text(img: Image.Image) -> Image.Image:
    """Three lines of large grey text over the whole picture (no band)."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    font = ImageFont.load_default(size=max(12, img.width // 9))
    for k, y in enumerate(range(img.height // 6, img.height, img.height // 3)):
        origin = (img.width // 12 + k * 10, y)
        draw.text(origin, "SAMPLE (c) shop", font=font, fill=(80, 80, 80, 150))
    return Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")


Edit = Callable[[Image.Image, int], Image.Image]
EDITS: dict[str, Edit] = {
    "resize 50%": lambda img, _: img.resize((img.width // 2, img.height // 2), Image.BICUBIC),
    "jpeg q20": lambda img, _: img,
    "brightness +30%": lambda img, _: ImageEnhance.Brightness(img).enhance(1.3),
    "crop 5%": lambda img, _: crop(img, 0.05),
    "crop 10%": lambda img, _: crop(img, 0.10),
    "pad 10% white": lambda img, _: pad(img, 0.10, "white"),
    "pad 20% white": lambda img, _: pad(img, 0.20, "white"),
    "pad 20% grey": lambda img, _: pad(img, 0.20, GREY),
    "watermark band": watermark_band,
    "brightness -30%": lambda img, _: ImageEnhance.Brightness(img).enhance(0.7),
    "crop 10% off-centre": lambda img, _: crop(img, 0.10, centred=False),
    "crop 15%": lambda img, _: crop(img, 0.15),
    "watermark text": lambda img, _: watermark_text(img),
    "hflip": lambda img, _: ImageOps.mirror(img),
}
FLOORS = list(EDITS)[:9]
"""Edits with a recall floor (0.9): resize, JPEG, brightness, crops up to 10 %, pads up to
20 % (white or grey) and a watermark band."""


def _write_edits(rgb: Image.Image, out: Path, name: str, label: dict, labels: dict) -> None:
    for k, (edit, fn) in enumerate(EDITS.items()):
        path = out / f"{name}-e{k:02d}.jpg"
        seed = zlib.crc32(name.encode())
        fn(rgb, seed).save(path, "JPEG", quality=20 if edit == "jpeg q20" else 90)
        labels[path.name] = {**label, "edit": edit}


def corpus_set(out: Path, split: str) -> dict[str, dict]:
    """Every product photo of the corpus sites of `split` ("holdout" or "dev") and its edits,
    written under `out`; {file name: label}. The site is the kind, so other photos of the same
    shop are the hard negatives. Icons and banners under 100 px are left out.

    The identity is the photo, not the file: one file name at two sizes is one photo, and so
    are two originals of a site that are one shot (`same_shot`: identical pixels, or one
    re-encoded, quantised or resized from the other), which shops do when two products (a
    model for sea water and one for brackish water) look alike. The later file joins the
    identity of the earlier one, and its label keeps its own file as `photo`, so a report can
    list every such join; a crop of one shot stays its own photo."""
    photos: dict[tuple[str, str], Path] = {}
    for site_dir in sorted(p for p in CORPUS.iterdir() if (p / "truth.yaml").exists()):
        if load_site(site_dir.name).split != split:
            continue
        for path in sorted((site_dir / "www").rglob("*")):
            if path.suffix.lower() not in _PHOTO_SUFFIXES:
                continue
            try:
                with Image.open(path) as img:
                    if min(img.size) < 100:
                        continue
            except OSError:
                continue
            key = (site_dir.name, path.name)
            if key not in photos or path.stat().st_size > photos[key].stat().st_size:
                photos[key] = path
    labels: dict[str, dict] = {}
    earlier: dict[str, list[tuple[str, Image.Image]]] = {}  # site -> (identity, pixels)
    for k, ((site, filename), path) in enumerate(sorted(photos.items())):
        with Image.open(path) as img:
            rgb = to_rgb(img).copy()  # as the pipeline sees it: alpha on white
        shots = earlier.setdefault(site, [])
        photo = f"{site}/{filename}"
        identity = next((ident for ident, seen in shots if same_shot(seen, rgb)), photo)
        shots.append((identity, rgb))
        name = f"{site}-{k:03d}"
        label = {"identity": identity, "kind": site, "edit": None, "photo": photo}
        rgb.save(out / f"{name}.png")
        labels[f"{name}.png"] = label
        _write_edits(rgb, out, name, label, labels)
    return labels


def catalog_set(site: Path, out: Path) -> dict[str, dict]:
    """Every image file the catalog's products show (broken ones left out), linked under
    `out`; {file name: label}. Cross-shop copies that the ground truth lists are one identity
    (groups that share an image are joined); the part type is the kind."""
    truth = json.loads((site / "ground_truth.json").read_text())
    faulty = {(f["shop"], f["image_path"]) for f in truth["faulty_images"]}
    identity: dict[tuple[str, str], str] = {}
    for k, group in enumerate(truth["duplicate_groups"]):
        keys = [(member["shop"], member["image_path"]) for member in group]
        joined = {identity[key] for key in keys if key in identity}
        name = min(joined) if joined else f"copy{k}"
        for key, value in list(identity.items()):
            if value in joined:
                identity[key] = name
        identity.update(dict.fromkeys(keys, name))
    labels: dict[str, dict] = {}
    for shop, entry in sorted(truth["shops"].items()):
        for product in entry["products"]:
            for image_path in product["image_paths"]:
                if (shop, image_path) in faulty:
                    continue
                source = site / shop / image_path.lstrip("/")
                name = f"{shop}-{image_path.strip('/').replace('/', '-')}"
                if name not in labels and source.exists():
                    (out / name).symlink_to(source)
                    ident = identity.get((shop, image_path), f"{shop}{image_path}")
                    labels[name] = {"identity": ident, "kind": product["part_type"], "edit": None}
    return labels
