"""Write the demo catalog (three shop roots, ground truth, server manifest) to a directory."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ilid_platform.demo.catalog import CatalogPlan, Picture, ground_truth, plan_catalog
from ilid_platform.demo.drawing import ImageSpec, recompressed_copy, render
from ilid_platform.demo.pages import site_pages
from ilid_platform.demo.vocabulary import SHOPS

logger = logging.getLogger(__name__)

GENERATOR_VERSION = 2
MANIFEST = "site.json"
GROUND_TRUTH = "ground_truth.json"
NOT_AN_IMAGE = (
    b"<!DOCTYPE html><html><head><title>Image not available</title></head>"
    b"<body><h1>Sorry!</h1><p>This image is being updated. Please check back later.</p>"
    b"</body></html>\n"
)


def read_manifest(site_dir: Path) -> dict | None:
    try:
        return json.loads((Path(site_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def generate_catalog(
    out_dir: str | os.PathLike[str],
    size: str = "demo",
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Generate the catalog unless `out_dir` already holds this (seed, size); returns ground truth.

    The manifest is written last, so an interrupted run is redone from scratch next time.
    """
    out = Path(out_dir)
    truth_path = out / GROUND_TRUTH
    manifest = read_manifest(out)
    wanted = {"seed": seed, "size": size, "version": GENERATOR_VERSION}
    if manifest and {k: manifest.get(k) for k in wanted} == wanted and truth_path.exists():
        return truth_path
    report = progress or logger.info
    started = time.perf_counter()
    plan = plan_catalog(size, seed)
    for stale in [*SHOPS, GROUND_TRUTH, MANIFEST]:
        target = out / stale
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    images = _write_images(plan, out)
    report(f"demo catalog: {images} images drawn in {time.perf_counter() - started:.1f}s")
    for name, shop_plan in plan.shops.items():
        for rel, text in site_pages(shop_plan).items():
            _write(out / name / rel, text.encode("utf-8"))
    _write(truth_path, _json(ground_truth(plan)))
    slow = {name: shop_plan.slow_paths for name, shop_plan in plan.shops.items()}
    _write(out / MANIFEST, _json({**wanted, "slow_paths": slow}))
    report(
        f"demo catalog ({size}, seed {seed}) written to {out} in "
        f"{time.perf_counter() - started:.1f}s"
    )
    return truth_path


def _render_all(specs: list[ImageSpec]) -> list[bytes]:
    """Render on every core: a picture is a pure function of its spec."""
    workers = min(os.cpu_count() or 1, max(1, len(specs) // 50))
    if workers < 2:
        return [render(spec) for spec in specs]
    context = multiprocessing.get_context("spawn")  # the caller may hold threads
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(render, specs, chunksize=16))


def _write_images(plan: CatalogPlan, out: Path) -> int:
    """Draw every referenced picture; copies and broken files are derived from drawn ones."""
    to_draw: list[tuple[str, str]] = []
    pending: list[tuple[str, Picture]] = []
    for name, shop_plan in plan.shops.items():
        used = {path for product in shop_plan.products for path in product.image_paths}
        for path in sorted(used):
            picture = shop_plan.pictures[path]
            if picture.copy_of or picture.fault:
                pending.append((name, picture))
            else:
                to_draw.append((name, path))
    specs = [plan.shops[name].pictures[path].spec for name, path in to_draw]
    drawn = dict(zip(to_draw, _render_all(specs), strict=True))
    for (name, path), data in drawn.items():
        _write(out / name / path.lstrip("/"), data)
    for name, picture in pending:
        if picture.copy_of:
            width = 360 if name == "boltbarn" else 400
            data = recompressed_copy(
                drawn[picture.copy_of], width, 45 if name == "boltbarn" else 80
            )
        elif picture.fault == "truncated_jpeg":
            whole = render(picture.spec)
            data = whole[: len(whole) // 2]
        elif picture.fault == "not_image":
            data = NOT_AN_IMAGE
        else:
            continue
        _write(out / name / picture.path.lstrip("/"), data)
    return len(drawn) + len(pending)


def _json(data: dict) -> bytes:
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
