"""The shards as their consumers read them: webdataset, open_clip's trainer and HF datasets."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
import webdataset as wds
from PIL import Image

from ilid_platform.dataset.samples import build_samples
from ilid_platform.dataset.shards import (
    HF_SPLIT_NAMES,
    PARQUET_DIR,
    WEBDATASET_DIR,
    shard_files,
    write_shards,
)
from ilid_platform.dataset.text import caption_text
from ilid_platform.train.models import MODEL_CONFIG_DIR
from ilid_platform_tests.test_dataset_samples import warehouse  # noqa: F401 (fixture)

SHARD_SIZE = 10


@pytest.fixture
def shards(warehouse, tmp_path):  # noqa: F811
    con, _, _ = warehouse
    build_samples(con, ratios=(0.6, 0.2, 0.2))
    out = tmp_path / "shards"
    stats = write_shards(con, out, shard_size=SHARD_SIZE)
    return out, stats


def _parquet_rows(out: Path, split: str) -> dict[str, dict]:
    return {
        row["id"]: row
        for path in shard_files(out, [split])
        for row in pq.read_table(path).to_pylist()
    }


def test_webdataset_tars_mirror_the_parquet_shards(shards):
    out, stats = shards
    for split, count in stats.per_split.items():
        tars = shard_files(out, [split], WEBDATASET_DIR)
        assert [t.stem for t in tars] == [p.stem for p in shard_files(out, [split])]
        rows = _parquet_rows(out, split)
        dataset = wds.WebDataset([str(t) for t in tars], shardshuffle=False)
        samples = list(dataset.decode("pil"))
        assert len(samples) == count == len(rows)
        for sample in samples:
            row = rows[sample["__key__"]]
            fields = sample["json"]
            assert fields["id"] == row["id"] and fields["split"] == split
            assert {k: fields[k] for k in ("label_short", "material", "source")} == {
                k: row[k] for k in ("label_short", "material", "source")
            }
            assert sample["txt"] == caption_text(row) and sample["txt"].startswith("a photo of")
            assert isinstance(sample["png"], Image.Image)
            assert (
                sample["png"].tobytes() == Image.open(io.BytesIO(row["image"]["bytes"])).tobytes()
            )

    summary = json.loads((out / "_stats.json").read_text())
    assert all(
        s["tar"] == s["file"].replace("parquet", "webdataset", 1).replace(".parquet", ".tar")
        for s in summary["shards"]
    )
    assert sum(s["tar_bytes"] for s in summary["shards"]) == stats.tar_bytes > 0


def test_open_clip_trains_one_epoch_on_the_tars(shards, tmp_path):
    out, stats = shards
    tars = shard_files(out, ["train"], WEBDATASET_DIR)
    assert len(tars) >= 2
    model_dir = tmp_path / "ilid-tiny"
    model_dir.mkdir()
    config = json.loads((MODEL_CONFIG_DIR / "ilid-tiny.json").read_text())
    (model_dir / "open_clip_config.json").write_text(json.dumps({"model_cfg": config}))
    logs = tmp_path / "logs"
    command = [
        sys.executable, "-m", "open_clip_train.main",
        "--train-data", str(out / WEBDATASET_DIR / f"train-{{00000..{len(tars) - 1:05d}}}.tar"),
        "--train-num-samples", str(stats.per_split["train"]),
        "--dataset-type", "webdataset",
        "--model", f"local-dir:{model_dir}",
        "--batch-size", "8", "--epochs", "1", "--workers", "0", "--warmup", "1",
        "--lr", "1e-3", "--seed", "0", "--logs", str(logs), "--name", "wds",
        "--save-frequency", "1", "--report-to", "",
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    log = (logs / "wds" / "out.log").read_text()
    losses = [float(v) for v in re.findall(r"Contrastive_loss: ([0-9.]+)", log)]
    assert losses and all(loss > 0 for loss in losses), log[-2000:]
    assert (logs / "wds" / "checkpoints" / "epoch_1.pt").is_file()


def test_hugging_face_load_dataset_gives_three_splits_with_decoded_images(shards):
    out, stats = shards
    loaded = datasets.load_dataset("parquet", data_dir=str(out / PARQUET_DIR))
    # Hugging Face names the "val" split by its canonical name.
    expected = {HF_SPLIT_NAMES[name]: count for name, count in stats.per_split.items()}
    assert {name: len(split) for name, split in loaded.items()} == expected
    features = loaded["train"].features
    assert isinstance(features["image"], datasets.Image)
    assert features["label_short"] == datasets.Value("string")
    first = loaded["train"][0]
    assert isinstance(first["image"], Image.Image) and first["image"].size == (24, 24)
    assert first["split"] == "train"
