"""How people train from and load the shards: the exact commands, written for one dataset.

The card, the `ilid_shards` metadata and the tests all use these, so the command a person
copies is the command the tests run.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path

from ilid_platform.dataset.layout import PARQUET_DIR, WEBDATASET_DIR, shard_files

# A real-size CLIP for users with pretrained weights; the tests pass a tiny local config.
DEFAULT_OPEN_CLIP_ARGS = (
    "--model", "ViT-B-16", "--pretrained", "openai", "--batch-size", "64", "--epochs", "10",
    "--lr", "1e-5", "--warmup", "100", "--precision", "amp", "--workers", "4",
)  # fmt: skip


def tar_pattern(out_dir: Path, split: str, shown_dir: str | Path | None = None) -> str:
    """The brace pattern of a split's tars, e.g. `{shown_dir}/webdataset/train-{00000..00002}.tar`.

    `shown_dir` (default `out_dir`) is the folder the pattern names: the card, written before
    the folder is swapped into place, names it relative to itself.
    """
    tars = shard_files(out_dir, [split], WEBDATASET_DIR)
    if not tars:
        raise FileNotFoundError(f"no {split} tars in {Path(out_dir) / WEBDATASET_DIR}")
    folder = Path(out_dir if shown_dir is None else shown_dir) / WEBDATASET_DIR
    if len(tars) == 1:
        return str(folder / tars[0].name)
    return str(folder / f"{split}-{{00000..{len(tars) - 1:05d}}}.tar")


def open_clip_command(
    out_dir: Path,
    per_split: Mapping[str, int],
    model_args: Sequence[str] = DEFAULT_OPEN_CLIP_ARGS,
    python: str = "python",
    shown_dir: str | Path | None = None,
) -> list[str]:
    """`python -m open_clip_train.main` on the train tars, validating on val when it has rows."""
    command = [
        python, "-m", "open_clip_train.main", "--dataset-type", "webdataset",
        "--train-data", tar_pattern(out_dir, "train", shown_dir),
        "--train-num-samples", str(per_split["train"]),
    ]  # fmt: skip
    if per_split.get("val"):
        command += [
            "--val-data", tar_pattern(out_dir, "val", shown_dir),
            "--val-num-samples", str(per_split["val"]),
        ]  # fmt: skip
    return command + list(model_args)


def shell_line(command: Sequence[str]) -> str:
    return " ".join(shlex.quote(part) for part in command)


def load_dataset_call(out_dir: str | Path) -> str:
    return f'datasets.load_dataset("parquet", data_dir="{Path(out_dir) / PARQUET_DIR}")'
