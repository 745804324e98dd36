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
import yaml
from PIL import Image

from ilid_platform.dataset.layout import PARQUET_DIR, WEBDATASET_DIR, shard_files
from ilid_platform.dataset.samples import build_samples
from ilid_platform.dataset.shards import write_shards
from ilid_platform.dataset.split import HF_SPLIT_NAMES
from ilid_platform.dataset.text import caption_text
from ilid_platform.dataset.usage import load_dataset_call, open_clip_command
from ilid_platform.train.clip.models import MODEL_CONFIG_DIR
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
    # The command ilid_shards shows, with a tiny local model instead of a pretrained ViT.
    tiny = [
        "--model", f"local-dir:{model_dir}", "--batch-size", "8", "--epochs", "1",
        "--workers", "0", "--warmup", "1", "--lr", "1e-3", "--seed", "0", "--logs", str(logs),
        "--name", "wds", "--save-frequency", "1", "--report-to", "",
    ]  # fmt: skip
    command = open_clip_command(out, stats.per_split, tiny, python=sys.executable)
    assert command[command.index("--train-data") + 1] == str(
        out / WEBDATASET_DIR / f"train-{{00000..{len(tars) - 1:05d}}}.tar"
    )
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    log = (logs / "wds" / "out.log").read_text()
    losses = [float(v) for v in re.findall(r"Contrastive_loss: ([0-9.]+)", log)]
    assert losses and all(loss > 0 for loss in losses), log[-2000:]
    assert (logs / "wds" / "checkpoints" / "epoch_1.pt").is_file()


def test_hugging_face_load_dataset_gives_three_splits_with_decoded_images(shards):
    out, stats = shards
    call = load_dataset_call(out)  # the call ilid_shards shows, run as written
    assert call == f'datasets.load_dataset("parquet", data_dir="{out / PARQUET_DIR}")'
    loaded = eval(call, {"datasets": datasets})
    # Hugging Face names the "val" split by its canonical name.
    expected = {HF_SPLIT_NAMES[name]: count for name, count in stats.per_split.items()}
    assert {name: len(split) for name, split in loaded.items()} == expected
    features = loaded["train"].features
    assert isinstance(features["image"], datasets.Image)
    assert features["label_short"] == datasets.Value("string")
    first = loaded["train"][0]
    assert isinstance(first["image"], Image.Image) and first["image"].size == (24, 24)
    assert first["split"] == "train"


def test_dataset_card_has_hub_header_sections_and_pictures(shards):
    out, stats = shards
    text = (out / "README.md").read_text()
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert {"license", "task_categories", "size_categories", "pretty_name", "configs"} <= set(meta)
    assert meta["size_categories"] == ["n<1K"]
    files = {f["split"]: f["path"] for f in meta["configs"][0]["data_files"]}
    assert files == {
        "train": "parquet/train-*.parquet",
        "validation": "parquet/val-*.parquet",
        "test": "parquet/test-*.parquet",
    }
    for heading in (
        "## Description", "## Structure", "### An example record", "## Creation",
        "### Sources and crawl dates", "### Robots and AI opt-out policy", "### Captioning",
        "### Pre- and post-filters", "### De-duplication", "## Limitations and biases",
        "## Citation",
    ):  # fmt: skip
        assert heading in body, heading
    # Numbers from the warehouse: the rule captioner's rows and the post-filter's reject.
    assert "| rules |" in body and "| postfiltered |" in body
    # nulls per field: the clamp's page states no material, finish or text
    for field, nulls in (("label_short", 0), ("material", 1), ("description", 45)):
        assert re.search(rf"\| {field} \| string \| [^|]+ \| {nulls} \|", body), field
    assert "arXiv:2406.09637" in body
    assert "open_clip_train.main --dataset-type webdataset --train-data" in body
    assert 'data_dir="parquet"' in body
    pictures = re.findall(r"!\[[^]]*\]\((card/[^)]+)\)", body)
    expected = {
        "card/word_frequency.png", "card/field_lengths.png", "card/top_labels_materials.png",
        "card/samples_per_source_split.png",
        *(f"card/gallery_{source}.png" for source in ("acme", "boltbarn", "clampco")),
    }  # fmt: skip
    assert set(pictures) == expected
    for picture in pictures:
        with Image.open(out / picture) as image:
            assert image.format == "PNG" and image.width > 300

    # Through the card's configs, the folder itself loads as a dataset.
    loaded = datasets.load_dataset(str(out))
    assert {name: len(split) for name, split in loaded.items()} == {
        HF_SPLIT_NAMES[name]: count for name, count in stats.per_split.items()
    }
