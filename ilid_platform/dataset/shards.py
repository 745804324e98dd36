"""Write `samples` out as the dataset: Parquet and WebDataset shards, ILID's ilid.json, stats.

Layout of `out_dir` (the writer owns the whole directory):

* `parquet/{split}-{i:05d}.parquet`, split in train/val/test, at most `shard_size` rows each;
  every split has at least its `-00000` shard, possibly empty, so readers can rely on the
  names. Columns: id, image, url, label_short, label_long, description, material,
  material_finish, source, split, cluster_id. `image` is Hugging Face's image struct {bytes:
  the normalised PNG, path: "images/{id}.png"}, and the Arrow schema carries the `datasets`
  feature metadata, so `load_dataset("parquet", data_dir=".../parquet")` decodes it to PIL
  images (it ignores that metadata for a plain binary column).
* `webdataset/{split}-{i:05d}.tar`: the same rows as WebDataset, which open_clip and most CLIP
  trainers stream: per sample `{id}.png` (the normalised PNG, lossless, as in the Parquet),
  `{id}.txt` (the caption our CLIP training uses, `dataset.text.caption_text`) and `{id}.json`
  (every field). Members carry a fixed mtime and owner, so the tars are reproducible.
* `images/{id}.png`: the same PNGs as files, hard-linked from the image store where possible,
  so `ilid.json` works like ILID's release (records name their image file).
* `ilid.json`: ILID records {id, image, url, label_short, label_long, description, material,
  material_finish, source}, `image` being the path relative to `out_dir`.
* `_stats.json`: totals per split and source, and per shard its files, split, rows, bytes.
* `README.md` and `card/`: the dataset card (`dataset.card`).

Everything is written into a sibling temp directory and swapped in, so readers never see a
half-written dataset; identical samples give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import webdataset as wds

from ilid_platform.captions.schema import CAPTION_FIELDS
from ilid_platform.dataset.card import CardOptions, write_card
from ilid_platform.dataset.layout import IMAGES_DIR, PARQUET_DIR, WEBDATASET_DIR
from ilid_platform.dataset.split import SPLITS
from ilid_platform.dataset.text import caption_text

logger = logging.getLogger(__name__)

TEXT_COLUMNS = ("url", *CAPTION_FIELDS, "source", "split", "cluster_id")
ILID_FIELDS = ("id", "image", "url", *CAPTION_FIELDS, "source")
# Small row groups let streaming readers fetch a few images at a time.
ROW_GROUP_SIZE = 100

_HF_FEATURES = {
    "id": {"dtype": "string", "_type": "Value"},
    "image": {"_type": "Image"},
    **{name: {"dtype": "string", "_type": "Value"} for name in TEXT_COLUMNS},
}
IMAGE_TYPE = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
SHARD_SCHEMA = pa.schema(
    [("id", pa.string()), ("image", IMAGE_TYPE)] + [(n, pa.string()) for n in TEXT_COLUMNS],
    metadata={"huggingface": json.dumps({"info": {"features": _HF_FEATURES}})},
)


@dataclass
class ShardStats:
    out_dir: Path
    files: int = 0
    samples: int = 0
    bytes: int = 0
    tar_bytes: int = 0
    per_split: dict[str, int] = field(default_factory=dict)
    missing_images: int = 0
    fingerprint: str = ""


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _clear_leftovers(out_dir: Path) -> None:
    """Temp and old directories of an earlier run that was killed mid-swap."""
    for leftover in out_dir.parent.glob(f".{out_dir.name}.*-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _swap_in(tmp: Path, out_dir: Path) -> None:
    old = out_dir.parent / f".{out_dir.name}.old-{uuid.uuid4().hex[:8]}"
    if out_dir.exists():
        out_dir.rename(old)
    tmp.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


def webdataset_sample(sample: dict) -> dict[str, object]:
    """One WebDataset sample: the PNG, the training caption and every field as JSON."""
    fields = {key: sample[key] for key in ("id", *TEXT_COLUMNS)}
    fields["image"] = sample["image"]["path"]
    return {
        "__key__": sample["id"],
        "png": sample["image"]["bytes"],
        "txt": caption_text(fields).encode(),
        "json": json.dumps(fields, ensure_ascii=False, sort_keys=True).encode(),
    }


def write_tar(samples: list[dict], path: Path) -> None:
    """One WebDataset shard; each sample's `image` is `{"bytes", "path"}`."""
    with wds.TarWriter(str(path), user="ilid", group="ilid", mtime=0, encoder=False) as sink:
        for sample in samples:
            sink.write(webdataset_sample(sample))


def _fingerprinted_files(root: Path) -> list[Path]:
    """Every file but `images/`, whose PNGs the Parquet shards hold byte for byte."""
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.parts[len(root.parts)] != IMAGES_DIR
    )


def write_shards(
    con: duckdb.DuckDBPyConnection,
    out_dir: str | Path,
    shard_size: int = 1000,
    card: CardOptions | None = None,
) -> ShardStats:
    """Replace `out_dir` with the dataset built from the `samples` table."""
    if shard_size < 1:
        raise ValueError("shard_size must be at least 1")
    out_dir = Path(out_dir)
    columns = ["id", "image_path", *TEXT_COLUMNS]
    rows = con.execute(f"SELECT {', '.join(columns)} FROM samples ORDER BY id").fetchall()
    by_split: dict[str, list[dict]] = {name: [] for name in SPLITS}
    for row in rows:
        sample = dict(zip(columns, row, strict=True))
        by_split[sample["split"]].append(sample)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(out_dir)
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{uuid.uuid4().hex[:8]}"
    for folder in (IMAGES_DIR, PARQUET_DIR, WEBDATASET_DIR):
        (tmp / folder).mkdir(parents=True)
    stats = ShardStats(out_dir=out_dir)
    try:
        records, shards = [], []
        for split in SPLITS:
            samples = by_split[split]
            chunks = [samples[i : i + shard_size] for i in range(0, len(samples), shard_size)]
            for index, chunk in enumerate(chunks or [[]]):
                name = f"{PARQUET_DIR}/{split}-{index:05d}.parquet"
                tar = f"{WEBDATASET_DIR}/{split}-{index:05d}.tar"
                kept = []
                for sample in chunk:
                    image = Path(sample["image_path"])
                    if not image.is_file():
                        logger.warning("sample %s: image %s is missing", sample["id"], image)
                        stats.missing_images += 1
                        continue
                    relative = f"images/{sample['id']}.png"
                    _link_or_copy(image, tmp / relative)
                    kept.append(
                        {**sample, "image": {"bytes": image.read_bytes(), "path": relative}}
                    )
                    records.append({**sample, "image": relative})
                table = pa.Table.from_pylist(kept, schema=SHARD_SCHEMA)
                pq.write_table(table, tmp / name, row_group_size=ROW_GROUP_SIZE)
                write_tar(kept, tmp / tar)
                shards.append(
                    {
                        "file": name,
                        "tar": tar,
                        "split": split,
                        "samples": len(kept),
                        "bytes": (tmp / name).stat().st_size,
                        "tar_bytes": (tmp / tar).stat().st_size,
                        "sources": dict(sorted(Counter(s["source"] for s in kept).items())),
                    }
                )
        ilid = [{key: record[key] for key in ILID_FIELDS} for record in records]
        (tmp / "ilid.json").write_text(json.dumps(ilid, ensure_ascii=False, indent=1) + "\n")
        stats.per_split = {split: 0 for split in SPLITS}
        for shard in shards:
            stats.per_split[shard["split"]] += shard["samples"]
        summary = {
            "samples": len(records),
            "per_split": stats.per_split,
            "per_source": dict(sorted(Counter(r["source"] for r in records).items())),
            "missing_images": stats.missing_images,
            "shards": shards,
        }
        (tmp / "_stats.json").write_text(json.dumps(summary, indent=1) + "\n")
        card_fields = ("id", "image", "url", *CAPTION_FIELDS, "source", "split", "cluster_id")
        card_records = [{key: record[key] for key in card_fields} for record in records]
        write_card(con, tmp, card_records, summary, card or CardOptions())
        digest = hashlib.sha256()
        for path in _fingerprinted_files(tmp):
            name = path.relative_to(tmp).as_posix()
            digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        stats.fingerprint = digest.hexdigest()
        stats.files = len(shards)
        stats.samples = len(records)
        stats.bytes = sum(shard["bytes"] for shard in shards)
        stats.tar_bytes = sum(shard["tar_bytes"] for shard in shards)
        _swap_in(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("wrote %d samples in %d shards to %s", stats.samples, stats.files, out_dir)
    return stats
