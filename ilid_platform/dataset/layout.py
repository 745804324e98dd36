"""Where things sit in a shards folder; the writer, the card, the trainers and users agree here.

The two formats live in sibling folders because `datasets` matches split names in every file
below its `data_dir`, tars included.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ilid_platform.dataset.split import SPLITS

PARQUET_DIR = "parquet"
WEBDATASET_DIR = "webdataset"
CARD_DIR = "card"
IMAGES_DIR = "images"
_SUFFIX = {PARQUET_DIR: "parquet", WEBDATASET_DIR: "tar"}


def shard_files(
    out_dir: str | Path, splits: Sequence[str] = SPLITS, fmt: str = PARQUET_DIR
) -> list[Path]:
    """The shard files of `splits` in one format (`PARQUET_DIR` or `WEBDATASET_DIR`), in order."""
    folder = Path(out_dir) / fmt
    return sorted(p for split in splits for p in folder.glob(f"{split}-*.{_SUFFIX[fmt]}"))
