"""The benchmarks' dataset: the demo catalog at a given size, through the real pipeline.

Shared by `adaptation.py` and `distillation.py`, so both measure on the same shards (and,
with the same `--home`, reuse each other's trained CLIPs).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from ilid_platform.demo.generate import generate_catalog
from ilid_platform.demo.server import running_catalog
from ilid_platform.images.dedup import DedupConfig
from ilid_platform.run_demo import materialize_everything
from ilid_platform.settings import storage_paths
from ilid_platform.train.clip.stage import ClipConfig

# The from-scratch CLIPs train with ClipConfig's defaults, the recipe measured here
# (docs/clip.md, "Training from scratch"); the flags below only override them.
CLIP_DEFAULTS = ClipConfig()
SCRATCH_EPOCHS = CLIP_DEFAULTS.epochs
SPLIT = {"train": 0.6, "val": 0.1, "test": 0.3}  # several hundred test images per shop
# Outside /tmp: the shards and checkpoints are reused across runs and must survive cleaners.
DEFAULT_HOME = Path.home() / ".cache" / "ilid-benchmarks"


def add_catalog_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the large-catalog benchmarks keep their shards and models, and which catalog."""
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME, help="shards, checkpoints")
    parser.add_argument("--size", default="large", help="demo catalog size")
    parser.add_argument("--seed", type=int, default=0, help="catalog, split and training")


def add_scratch_clip_arguments(parser: argparse.ArgumentParser) -> None:
    """How the benchmarks that train CLIP from scratch (stand-in and teachers) train it."""
    parser.add_argument("--epochs", type=int, default=SCRATCH_EPOCHS, help="CLIP on every shop")
    parser.add_argument("--clip-model", default=CLIP_DEFAULTS.model, help="from-scratch CLIP")
    parser.add_argument("--clip-augment", default=CLIP_DEFAULTS.augment, help="its views")
    parser.add_argument(
        "--clip-label-dropout",
        type=float,
        default=CLIP_DEFAULTS.label_dropout,
        help="see ClipConfig.label_dropout",
    )


def scratch_clip(args: argparse.Namespace, epochs: int | None = None) -> ClipConfig:
    """The from-scratch CLIP of `add_scratch_clip_arguments`; `epochs` default: `--epochs`."""
    return ClipConfig(
        model=args.clip_model,
        augment=args.clip_augment,
        label_dropout=args.clip_label_dropout,
        epochs=args.epochs if epochs is None else epochs,
        seed=args.seed,
    )


def prepare(args: argparse.Namespace) -> tuple[Path, Path, Callable[[str], None]]:
    """(shards, checkpoints dir, progress printer) for `add_catalog_arguments`' flags."""
    logging.basicConfig(level=logging.WARNING)
    home = args.home.resolve()
    progress = progress_printer()
    return build_shards(home, args.size, args.seed), home / "checkpoints", progress


def build_shards(home: Path, size: str, seed: int) -> Path:
    """The catalog's shards, built by the assets unless `home` already holds them."""
    os.environ["ILID_HOME"] = str(home)
    paths = storage_paths(home).ensure()
    marker = paths.shards / "benchmark.json"
    # the dedup radius decides the clusters, and with them the samples and the split
    wanted = {"size": size, "seed": seed, "split": SPLIT, "dedup": DedupConfig.threshold}
    if marker.is_file() and json.loads(marker.read_text()) == wanted:
        return paths.shards
    generate_catalog(paths.demo, size=size, seed=seed)
    with running_catalog(paths.demo) as server, dg.DagsterInstance.ephemeral() as instance:
        os.environ["ILID_DEMO_PORT"] = str(server.port)
        run_config = {"ops": {"ilid_samples": {"config": {**SPLIT, "seed": seed}}}}
        materialize_everything(instance, run_config, global_job="dataset_job")
    marker.write_text(json.dumps(wanted))
    return paths.shards


def progress_printer() -> Callable[[str], None]:
    """Progress lines stamped with the seconds since the benchmark started."""
    started = time.perf_counter()

    def progress(line: str) -> None:
        print(f"[{time.perf_counter() - started:7.0f}s] {line}", flush=True)

    return progress
