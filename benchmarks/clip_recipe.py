"""The default from-scratch CLIP recipe on the `large` catalog, one training seed at a time.

Trains `ClipConfig()` (the defaults that `clip_model` uses: `ilid-tiny-96`, `pose` views,
label dropout 0.05, 80 epochs) on every shop of the catalog's shards, once per seed in
`--seeds`, and prints each seed's label_short and material zero-shot accuracy on the test
split (Wilson 95 % intervals) and their mean over seeds, against the targets (label_short
0.90, material 0.80). The shards are the other large-catalog benchmarks' (`--home`), and each
seed's model is cached there by its config, so a re-run prints at once.

    .venv/bin/python benchmarks/clip_recipe.py [--seeds 0 1 2] [--epochs 80] [--json OUT]
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from harness import Benchmark
from large_catalog import DEFAULT_HOME, build_shards, progress_printer

from ilid_platform.train.clip.stage import ClipConfig, train_clip

TARGETS = {"label_short": 0.90, "material": 0.80}


def main() -> int:
    bench = Benchmark("clip_recipe", __doc__)
    bench.parser.add_argument("--home", type=Path, default=DEFAULT_HOME, help="shards, models")
    bench.parser.add_argument("--size", default="large", help="demo catalog size")
    bench.parser.add_argument("--catalog-seed", type=int, default=0, help="catalog and split")
    bench.parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="training")
    bench.parser.add_argument("--epochs", type=int, default=ClipConfig().epochs)
    args = bench.parse()
    logging.basicConfig(level=logging.WARNING)
    progress = progress_printer()
    shards = build_shards(args.home.resolve(), args.size, args.catalog_seed)
    out = args.home.resolve() / "checkpoints" / "clip"
    rows, means = [], {field: 0.0 for field in TARGETS}
    for seed in args.seeds:
        config = replace(ClipConfig(), epochs=args.epochs, seed=seed)
        metrics = train_clip(shards, out, config, progress).metrics
        row: list = [seed]
        for field in TARGETS:
            acc = metrics[f"zeroshot_{field}_acc"]
            row += [acc, metrics[f"zeroshot_{field}_ci"]]
            means[field] += acc / len(args.seeds)
        rows.append([*row, metrics["n_test"], round(metrics["train_seconds"])])
        bench.figure(f"seed_{seed}", {k: v for k, v in metrics.items() if k != "confusion"})
    columns = ["seed", "label_short", "95 % interval", "material", "95 % interval"]
    bench.table(
        f"ClipConfig() on the {args.size} catalog, {args.epochs} epochs, per training seed",
        [*columns, "test images", "train s"],
        rows,
    )
    verdict = [
        [field, means[field], target, "met" if means[field] >= target else "NOT met"]
        for field, target in TARGETS.items()
    ]
    bench.table(
        f"mean over {len(args.seeds)} seeds",
        ["zero-shot field", "mean accuracy", "target", "verdict"],
        verdict,
    )
    return bench.finish()


if __name__ == "__main__":
    raise SystemExit(main())
