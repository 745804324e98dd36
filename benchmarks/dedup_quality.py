"""Near-duplicate quality: precision and recall per transform, pHash alone and with help.

    .venv/bin/python benchmarks/dedup_quality.py [--originals 60] [--threshold 10]

Originals are the first photo of demo products of all three shops (acme, boltbarn, clampco;
generated with `generate_catalog(size="demo")`). Each of `--originals` of them gets eight
near-duplicate variants: 50% resize, JPEG q20, 5% and 15% centred crop, 20% white padding, a
watermark, +30% brightness and a horizontal flip. The first photo of every other product
stays in as a distractor, so every original competes with different products of the same
part type and material (the hard negatives). Cross-shop copies that the catalog's ground
truth lists as duplicates count as the same image.

Everything is clustered by `ilid dedup`'s code path (`dedup_folder`). Per transform, recall
is the share of variants that land in their original's cluster, and precision the share of
a variant's cluster mates that are the same image. Configurations: pHash alone; pHash with
the dHash second opinion on pairs near the threshold; pHash with the open_clip embedding
pass. No pretrained weights can be downloaded here, so the embedding pass uses `ilid-tiny`
with random weights (or `--checkpoint`, e.g. a train_clip checkpoint): its row shows the
mechanics, not what real CLIP weights would do. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from collections import defaultdict
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

from ilid_platform.demo import generate_catalog
from ilid_platform.images.cli import dedup_folder
from ilid_platform.images.dedup import DedupConfig


def _crop(img: Image.Image, fraction: float) -> Image.Image:
    dx, dy = round(img.width * fraction / 2), round(img.height * fraction / 2)
    return img.crop((dx, dy, img.width - dx, img.height - dy))


def _pad(img: Image.Image, fraction: float) -> Image.Image:
    dx, dy = round(img.width * fraction / 2), round(img.height * fraction / 2)
    return ImageOps.expand(img, border=(dx, dy, dx, dy), fill="white")


def _watermark(img: Image.Image) -> Image.Image:
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    font = ImageFont.load_default(size=max(12, img.width // 9))
    for k, y in enumerate(range(img.height // 6, img.height, img.height // 3)):
        origin = (img.width // 12 + k * 10, y)
        draw.text(origin, "SAMPLE (c) shop", font=font, fill=(80, 80, 80, 150))
    return Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")


TRANSFORMS = {
    "resize 50%": lambda img: img.resize((img.width // 2, img.height // 2), Image.BICUBIC),
    "jpeg q20": lambda img: img,
    "crop 5%": lambda img: _crop(img, 0.05),
    "crop 15%": lambda img: _crop(img, 0.15),
    "pad 20% white": lambda img: _pad(img, 0.20),
    "watermark": _watermark,
    "brightness +30%": lambda img: ImageEnhance.Brightness(img).enhance(1.3),
    "hflip": ImageOps.mirror,
}


def _write_variants(rgb: Image.Image, out: Path, name: str, labels: dict[str, dict]) -> None:
    """Every transform of the original `name`, labelled as the same image."""
    for t, (transform, fn) in enumerate(TRANSFORMS.items()):
        quality = 20 if transform == "jpeg q20" else 90
        fn(rgb).save(out / f"{name}-v{t}.jpg", "JPEG", quality=quality)
        labels[f"{name}-v{t}.jpg"] = {**labels[f"{name}.png"], "transform": transform}


def build_set(site: Path, out: Path, originals: int, seed: int) -> dict[str, dict]:
    """Write originals, variants and distractors under `out`; {relative path: label}."""
    truth = json.loads(generate_catalog(site, size="demo").read_text())
    faulty = {(f["shop"], f["image_path"]) for f in truth["faulty_images"]}
    same = {}  # (shop, image path) -> identity shared by listed cross-shop copies
    for k, group in enumerate(truth["duplicate_groups"]):
        for member in group:
            same[(member["shop"], member["image_path"])] = f"dup{k}"
    products = [
        (shop, product)
        for shop, entry in sorted(truth["shops"].items())
        for product in entry["products"]
        if product["image_paths"] and (shop, product["image_paths"][0]) not in faulty
    ]
    chosen = set(random.Random(seed).sample(range(len(products)), originals))
    labels = {}
    for k, (shop, product) in enumerate(products):
        image_path = product["image_paths"][0]
        identity = same.get((shop, image_path), f"{shop}{image_path}")
        kind = (product["part_type"], product["material"])
        with Image.open(site / shop / image_path.lstrip("/")) as img:
            rgb = img.convert("RGB")
        name = f"{shop}-{k:03d}"
        rgb.save(out / f"{name}.png")
        labels[f"{name}.png"] = {"identity": identity, "kind": kind, "transform": None}
        if k in chosen:
            _write_variants(rgb, out, name, labels)
    return labels


CORPUS = Path(__file__).resolve().parents[1] / "ilid_platform_tests" / "corpus"
_PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


def build_corpus_set(corpus: Path, out: Path, originals: int, seed: int) -> dict[str, dict]:
    """Like `build_set`, from real shops' product photos (the extraction corpus, see its
    README for provenance): one image per file name and site, the same photo at two sizes
    counting as one identity; the site is the kind, so other photos of the same shop are the
    hard negatives. Icons and banners under 100 px are left out."""
    photos: dict[tuple[str, str], Path] = {}
    for path in sorted(corpus.rglob("*")):
        if path.suffix.lower() not in _PHOTO_SUFFIXES:
            continue
        site = path.relative_to(corpus).parts[0]
        try:
            with Image.open(path) as img:
                if min(img.size) < 100:
                    continue
        except OSError:
            continue
        key = (site, path.name)
        if key not in photos or path.stat().st_size > photos[key].stat().st_size:
            photos[key] = path
    keys = sorted(photos)
    chosen = set(random.Random(seed).sample(range(len(keys)), min(originals, len(keys))))
    labels = {}
    for k, (site, filename) in enumerate(keys):
        with Image.open(photos[(site, filename)]) as img:
            rgb = img.convert("RGB")
        name = f"{site}-{k:03d}"
        rgb.save(out / f"{name}.png")
        labels[f"{name}.png"] = {"identity": f"{site}/{filename}", "kind": site, "transform": None}
        if k in chosen:
            _write_variants(rgb, out, name, labels)
    return labels


def score(labels: dict[str, dict], clusters: list[list[str]]) -> dict[str, tuple]:
    """Per transform: (recall, precision, predicted pairs); plus hard-negative merges."""
    cluster_of = {path: k for k, members in enumerate(clusters) for path in members}
    original_of = {
        label["identity"]: path for path, label in labels.items() if label["transform"] is None
    }
    found, total, right, predicted = (defaultdict(int) for _ in range(4))
    for path, label in labels.items():
        transform = label["transform"]
        if transform is None:
            continue
        total[transform] += 1
        found[transform] += cluster_of[path] == cluster_of[original_of[label["identity"]]]
        for mate in clusters[cluster_of[path]]:
            if mate != path:
                predicted[transform] += 1
                right[transform] += labels[mate]["identity"] == label["identity"]
    rows = {
        t: (found[t] / total[t], right[t] / predicted[t] if predicted[t] else None, predicted[t])
        for t in TRANSFORMS
    }
    hard = 0
    for members in clusters:
        originals = [labels[p] for p in members if labels[p]["transform"] is None]
        hard += sum(
            a["kind"] == b["kind"] and a["identity"] != b["identity"]
            for i, a in enumerate(originals)
            for b in originals[i + 1 :]
        )
    rows["hard negatives merged"] = (hard,)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--originals", type=int, default=60)
    parser.add_argument("--threshold", type=int, default=DedupConfig.threshold)
    parser.add_argument("--dhash-margin", type=int, default=3)
    parser.add_argument("--dhash-threshold", type=int, default=DedupConfig.dhash_threshold)
    parser.add_argument("--model", default="ilid-tiny", help="open_clip model for embeddings")
    parser.add_argument("--checkpoint", help="pretrained tag or weights (default: random init)")
    parser.add_argument("--threshold-cos", type=float, default=0.9999)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--demo-dir", type=Path, help="reuse a generated demo catalog here")
    parser.add_argument(
        "--corpus", action="store_true", help="real shops' photos instead of the demo catalog"
    )
    args = parser.parse_args()

    configs = {
        "pHash": DedupConfig(threshold=args.threshold),
        f"pHash+dHash(m{args.dhash_margin},d{args.dhash_threshold})": DedupConfig(
            threshold=args.threshold,
            dhash_margin=args.dhash_margin,
            dhash_threshold=args.dhash_threshold,
        ),
        f"pHash+emb({args.model},{args.checkpoint or 'random'},cos{args.threshold_cos})": (
            DedupConfig(
                threshold=args.threshold,
                embedding_model=args.model,
                embedding_pretrained=args.checkpoint,
                threshold_cos=args.threshold_cos,
            )
        ),
    }
    with tempfile.TemporaryDirectory(prefix="ilid-dedup-quality-") as tmp:
        folder = Path(tmp) / "images"
        folder.mkdir()
        if args.corpus:
            labels = build_corpus_set(CORPUS, folder, args.originals, args.seed)
        else:
            site = args.demo_dir or Path(tmp) / "demo"
            labels = build_set(site, folder, args.originals, args.seed)
        variants = sum(label["transform"] is not None for label in labels.values())
        originals = variants // len(TRANSFORMS)
        print(
            f"{len(labels)} images ({'real shops' if args.corpus else 'demo catalog'}): "
            f"{originals} originals x {len(TRANSFORMS)} variants = {variants}, plus "
            f"{len(labels) - variants - originals} distractors; pHash threshold {args.threshold}"
        )
        results = {
            name: score(labels, dedup_folder(folder, config)["clusters"])
            for name, config in configs.items()
        }
    keys = "ABC"
    for key, name in zip(keys, results, strict=False):
        print(f"{key} = {name}")
    print(f"{'transform':18}" + "".join(f" | {k} recall {k} precision {k} pairs" for k in keys))
    for transform in TRANSFORMS:
        cells = []
        for recall, precision, pairs in (results[name][transform] for name in results):
            shown = "n/a" if precision is None else f"{precision:.2f}"
            cells.append(f" | {recall:>8.2f} {shown:>11} {pairs:>7}")
        print(f"{transform:18}" + "".join(cells))
    merged = (f" | {results[name]['hard negatives merged'][0]:>28}" for name in results)
    print(f"{'hard neg. merged':18}" + "".join(merged))


if __name__ == "__main__":
    main()
