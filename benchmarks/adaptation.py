"""Compare every CLIP adaptation method on the `large` demo catalog and print the table.

Builds the catalog's dataset through the real pipeline (crawl, download, caption, split,
shards; in `--home`, reused when it is already there), trains CLIP from scratch on all three
shops (the `finetune` targets), then runs the adaptation protocol: a CLIP trained from
scratch on two shops stands in for the foundation model and every method adapts it to the
third with k shots per class, on the same split and step budget. Everything is cached in
`--home` by config and data, so a re-run prints at once.

    .venv/bin/python benchmarks/adaptation.py [--json OUT] [--steps 200] [--shots 1 4 16 all]

The ratio line: the best method's label_short over zero-shot's, at the headline shots.
"""

from __future__ import annotations

from typing import Any

from harness import Benchmark, Ratio
from large_catalog import add_catalog_arguments, add_scratch_clip_arguments, prepare, scratch_clip

from ilid_platform.train.clip.adaptation_protocol import ProtocolConfig, compare_methods
from ilid_platform.train.clip.methods import METHODS
from ilid_platform.train.clip.stage import train_clip
from ilid_platform.train.report import COLUMNS, comparison_headers, comparison_rows
from ilid_platform.train.scores import format_accuracy

HEADLINE_SHOTS = "16"


def flat_row(metrics: dict[str, Any]) -> dict[str, Any]:
    """{metric: value, metric_ci: [lo, hi], train_s} for the JSON output."""
    row: dict[str, Any] = {"train_s": metrics.get("train_seconds", 0.0)}
    for _, prefix in COLUMNS:
        key = f"{prefix}_acc" if f"{prefix}_acc" in metrics else prefix
        if key in metrics:
            name = prefix.removeprefix("zeroshot_")
            row[name] = metrics[key]
            if f"{prefix}_ci" in metrics:
                row[f"{name}_ci"] = metrics[f"{prefix}_ci"]
    for extra in ("i2t_r5", "t2i_r5"):
        if extra in metrics:
            row[extra], row[f"{extra}_ci"] = metrics[extra], metrics[f"{extra}_ci"]
    for key in ("n_train", "n_test", "zeroshot_label_short_chance", "tuning"):
        if key in metrics:
            row[key] = metrics[key]
    return row


def main() -> int:
    bench = Benchmark("adaptation", __doc__)
    parser = bench.parser
    add_catalog_arguments(parser)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--shots", nargs="+", default=["1", "4", "16", "all"])
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    add_scratch_clip_arguments(parser)
    args = bench.parse()
    shards, out, progress = prepare(args)

    scratch = scratch_clip(args)
    full = train_clip(shards, out / "clip", scratch, progress)
    shots = tuple(None if k == "all" else int(k) for k in args.shots)
    protocol = ProtocolConfig(
        shots=shots,
        methods=tuple(args.methods),
        steps=args.steps,
        batch_size=args.batch_size,
        base=scratch,
        seed=args.seed,
    )
    comparison = compare_methods(shards, out / "adaptation", protocol, progress)

    m = full.metrics
    bench.table(
        f"finetune from scratch on all shops ({m['n_train']} train, {m['n_test']} test images)",
        ["metric", "accuracy [95 % CI]"],
        [[title, format_accuracy(m, prefix)] for title, prefix in COLUMNS]
        + [
            [f"label_short on {source}", format_accuracy(entry, "")]
            for source, entry in m["per_source"].items()
        ],
        note=", ".join(
            f"{field} chance {m[f'zeroshot_{field}_chance']:.3f}"
            for field in ("label_short", "material")
        ),
    )
    base = comparison.base
    any_run = next(iter(next(iter(comparison.runs.values())).values()))
    for shot_count in comparison.runs:
        bench.table(
            f"adapting to {comparison.target_source} from {base.get('source')}, "
            f"{shot_count} shots per class ({any_run.get('n_test', 0)} test images)",
            comparison_headers(),
            comparison_rows(comparison, shot_count),
        )
    headline = HEADLINE_SHOTS if HEADLINE_SHOTS in comparison.runs else list(comparison.runs)[-1]
    result: dict[str, Any] = {}
    for name in args.methods:
        row = flat_row(comparison.runs[headline][name])
        row["shots"] = headline
        row["by_shots"] = {k: flat_row(r[name]) for k, r in comparison.runs.items()}
        result[name] = row
    bench.figure("methods", result)
    bench.figure("finetune_from_scratch_all_shops", flat_row(full.metrics))
    bench.figure("base_model", {"source": base.get("source"), **flat_row(base)})
    bench.figure("target_source", comparison.target_source)
    runs = comparison.runs[headline]
    accuracy = {
        k: r["zeroshot_label_short_acc"] for k, r in runs.items() if "zeroshot_label_short_acc" in r
    }
    best = max(accuracy, key=accuracy.__getitem__)
    bench.note(f"best at {headline} shots: {best} {accuracy[best]:.3f}")
    if accuracy.get("zero_shot"):
        ratio = accuracy[best] / accuracy["zero_shot"]
        return bench.finish(Ratio(f"{best}/zero_shot label_short", ratio))
    return bench.finish()


if __name__ == "__main__":
    raise SystemExit(main())
