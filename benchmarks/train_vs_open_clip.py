"""Training throughput: our CLIP loop against `open_clip_train.main` on the same shards.

Both train the same model config from random init, reading the same WebDataset tars of
the `--size` demo catalog (built through the real pipeline by `large_catalog.prepare`, cached
in `--home`; `--shard-size` re-writes them from the warehouse with `write_shards` into smaller
files, cached too), with the same batch size, epochs, precision, lr, loader workers and torch
threads (OMP_NUM_THREADS for both, plus our `num_threads`). Each side runs once, one after the
other (`--repeats` alternates them and keeps each side's fastest run: other processes' load
only ever slows a run down), each in a fresh folder (so our run cache cannot answer), after
the train shards were read once to warm the page cache.

How each side is measured (samples/s leaves out start-up and the run's first step on both):
* ours: `torchrun --standalone --nproc_per_node 1 -m ilid_platform.train clip`; the figure is
  RESULT.json's `train_samples_per_second`: the loop's warm steps x batch size over the time in
  those steps (data loading included; start-up, the first step, validation and evaluation
  excluded). `seconds` in the table is `train_step_seconds` (all steps, the first included).
* open_clip: `python -m open_clip_train.main --log-every-n-steps 1` (no val data, no zero-shot,
  checkpoint only at the end); each logged step's time is batch / its "Batch (t): ..., X/s"
  figure (data wait included: time from the previous step's end to this one's end, so
  checkpointing between epochs is not in it). samples/s = (steps - 1) x batch over the sum of
  every step's time but the run's first. `seconds` in the table sums all steps.

    .venv/bin/python benchmarks/train_vs_open_clip.py --shard-size 256 --repeats 3
    # a GPU, real-size model: --device cuda --model ViT-B-16 --precision amp --workers 4

The last line is `ratio ours/open_clip: X.XXx` (ours samples/s over open_clip's).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from argparse import Namespace
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from harness import Benchmark, Ratio
from large_catalog import add_catalog_arguments, prepare

from ilid_platform.dataset.layout import PARQUET_DIR, WEBDATASET_DIR, shard_files
from ilid_platform.dataset.shards import write_shards
from ilid_platform.dataset.usage import open_clip_command
from ilid_platform.settings import storage_paths
from ilid_platform.train.clip.models import MODEL_CONFIG_DIR
from ilid_platform.warehouse import connect

# Our precision names -> open_clip's (its `amp` is fp16 autocast with loss scaling).
OPEN_CLIP_PRECISION = {"fp32": "fp32", "amp_bf16": "amp_bf16", "amp_fp16": "amp"}
SIDES = ["ours", "open_clip"]
Env = dict[str, str]
STEP_LINE = re.compile(
    r"Train Epoch: \d+ \[.*?\] Data \(t\): [\d.]+ Batch \(t\): [\d.]+, ([\d.e+]+)/s"
)


@dataclass
class Throughput:
    side: str
    steps: int
    samples: int
    seconds: float  # every step
    samples_per_second: float  # without start-up and the first step


def resharded(home: Path, shards: Path, shard_size: int | None) -> Path:
    """The pipeline's shards, or the same warehouse rows re-written `shard_size` per file."""
    if shard_size is None:
        return shards
    out = home / f"shards-{shard_size}"
    marker = home / f"shards-{shard_size}.json"
    wanted = (shards / "benchmark.json").read_text()
    if not (out.is_dir() and marker.is_file() and marker.read_text() == wanted):
        with connect(storage_paths(home).warehouse, read_only=True) as con:
            write_shards(con, out, shard_size=shard_size)
        marker.write_text(wanted)
    return out


def open_clip_model(name: str, folder: Path) -> str:
    """`local-dir:` for our own model configs (e.g. ilid-tiny), the plain name for open_clip's."""
    config = MODEL_CONFIG_DIR / f"{name}.json"
    if not config.is_file():
        return name
    folder.mkdir(parents=True)
    model_cfg = json.loads(config.read_text())
    (folder / "open_clip_config.json").write_text(json.dumps({"model_cfg": model_cfg}))
    return f"local-dir:{folder}"


def run_logged(command: list[str], log: Path, env: Env) -> None:
    with log.open("w") as handle:
        code = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, env=env).returncode
    if code:
        tail = log.read_text()[-4000:]
        raise SystemExit(f"{command[:6]} failed with {code}; log {log}:\n{tail}")


def run_ours(shards: Path, n_train: int, work: Path, args: Namespace, env: Env) -> Throughput:
    config = {
        "model": args.model, "epochs": args.epochs, "batch_size": args.batch_size,
        "precision": args.precision, "workers": args.workers, "device": args.device,
        "warmup_steps": 0, "lr": args.lr, "seed": args.seed, "num_threads": args.threads,
    }  # fmt: skip
    result = work / "result.json"
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "1",
        "-m", "ilid_platform.train", "clip", "--shards", str(shards), "--out", str(work / "out"),
        "--config", json.dumps(config), "--result", str(result),
    ]  # fmt: skip
    run_logged(command, work / "train.log", env)
    metrics = json.loads(result.read_text())["metrics"]
    steps = int(metrics["train_steps"])
    return Throughput(
        "ours",
        steps,
        steps * args.batch_size,
        float(metrics["train_step_seconds"]),
        float(metrics["train_samples_per_second"]),
    )


def run_open_clip(shards: Path, n_train: int, work: Path, args: Namespace, env: Env) -> Throughput:
    logs = work / "logs"
    model_args = [
        "--model", open_clip_model(args.model, work / "model"),
        "--batch-size", str(args.batch_size), "--epochs", str(args.epochs),
        "--precision", OPEN_CLIP_PRECISION[args.precision], "--workers", str(args.workers),
        "--lr", str(args.lr), "--warmup", "0", "--seed", str(args.seed),
        "--device", args.device, "--logs", str(logs), "--name", "run", "--report-to", "",
        "--log-every-n-steps", "1", "--save-frequency", "0", "--val-frequency", "0",
        "--zeroshot-frequency", "0",
    ]  # fmt: skip
    # Train split only: open_clip_command adds --val-data when the counts name a val split.
    command = open_clip_command(shards, {"train": n_train}, model_args, python=sys.executable)
    run_logged(command, work / "train.log", env)
    rates = [float(m) for m in STEP_LINE.findall((logs / "run" / "out.log").read_text())]
    if len(rates) < 2:
        raise SystemExit(f"open_clip logged {len(rates)} steps; need 2 (more data or epochs)")
    seconds = [args.batch_size / rate for rate in rates]
    steps = len(rates)
    warm = (steps - 1) * args.batch_size / sum(seconds[1:])
    return Throughput("open_clip", steps, steps * args.batch_size, sum(seconds), warm)


def warm_page_cache(shards: Path) -> int:
    """Read the train files once so neither side pays the first read; the train row count."""
    for fmt in (PARQUET_DIR, WEBDATASET_DIR):
        for path in shard_files(shards, ["train"], fmt):
            path.read_bytes()
    return sum(pq.ParquetFile(p).metadata.num_rows for p in shard_files(shards, ["train"]))


def main() -> int:
    bench = Benchmark("train_vs_open_clip", __doc__)
    parser = bench.parser
    add_catalog_arguments(parser)
    parser.add_argument("--shard-size", type=int, default=None, help="rows per tar")
    parser.add_argument("--model", default="ilid-tiny")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--precision", default="fp32", choices=[*OPEN_CLIP_PRECISION, "amp"])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="data loader processes")
    parser.add_argument("--threads", type=int, default=2, help="torch threads per side")
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--sides", nargs="+", default=SIDES, choices=SIDES)
    parser.add_argument("--repeats", type=int, default=1, help="runs per side; the fastest")
    parser.add_argument("--keep", action="store_true", help="keep the runs' folder")
    args = bench.parse()
    args.precision = "amp_fp16" if args.precision == "amp" else args.precision
    if args.device == "cpu" and args.precision != "fp32":
        parser.error("on CPU our loop trains fp32 whatever the precision; pass --precision fp32")
    pipeline_shards, _, progress = prepare(args)
    home = args.home.resolve()
    shards = resharded(home, pipeline_shards, args.shard_size)
    n_train = warm_page_cache(shards)
    tars = len(shard_files(shards, ["train"], WEBDATASET_DIR))
    progress(f"{n_train} train samples in {tars} tars ({shards}); {args.model} on {args.device}")
    if tars < args.workers:
        parser.error(f"open_clip needs at least one tar per worker: {tars} < {args.workers}")
    work = Path(tempfile.mkdtemp(prefix="train_vs_open_clip-", dir=home))
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
    runs: dict[str, list[Throughput]] = {side: [] for side in args.sides}
    for repeat in range(args.repeats):  # alternating, so drifts in machine load hit both
        for side in args.sides:
            progress(f"training {side} ({repeat + 1}/{args.repeats}) ...")
            run = run_ours if side == "ours" else run_open_clip
            folder = work / f"{side}-{repeat}"
            folder.mkdir()
            runs[side].append(run(shards, n_train, folder, args, env))
            progress(f"{side}: {runs[side][-1].samples_per_second:.1f} samples/s")
    rows = {k: max(v, key=lambda t: t.samples_per_second) for k, v in runs.items()}
    if not args.keep:
        shutil.rmtree(work)
    bench.table(
        f"{args.model}, batch {args.batch_size}, {args.epochs} epochs, {args.precision}, "
        f"{args.workers} workers, {args.threads} threads, {args.device}",
        ["side", "steps", "samples", "seconds", "samples/s"],
        [
            [row.side, row.steps, row.samples, round(row.seconds, 2), row.samples_per_second]
            for row in rows.values()
        ],
        note=f"the fastest of {args.repeats} run(s) per side",
    )
    bench.figure("runs", {k: [vars(t) for t in v] for k, v in runs.items()})
    if {"ours", "open_clip"} <= rows.keys():
        ratio = rows["ours"].samples_per_second / rows["open_clip"].samples_per_second
        return bench.finish(Ratio("ours/open_clip", ratio))
    return bench.finish()


if __name__ == "__main__":
    raise SystemExit(main())
