"""CLIP fine-tuning, loading and evaluation on procedurally drawn synthetic shards.

Shape stands for the part type (label_short) and colour for the material, so a model that
learns anything beats chance by a wide margin; each source draws a different background,
which gives the distillation tests a real domain shift.
"""

from __future__ import annotations

import io
import json
import math
import random
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch
from PIL import Image, ImageDraw
from torchvision import transforms

from ilid_platform.dataset.layout import PARQUET_DIR, WEBDATASET_DIR
from ilid_platform.dataset.shards import write_tar
from ilid_platform.train.clip.evaluate import (
    in_batch_accuracy,
    recall_at_k,
    zero_shot_accuracy,
)
from ilid_platform.train.clip.stage import ClipConfig, evaluate_clip, load_clip, train_clip
from ilid_platform.train.data import (
    ImageDataset,
    build_caption,
    class_names,
    load_samples,
    shard_fingerprint,
)

SHAPES = ("hex nut", "flat washer", "square plate", "triangle bracket", "star knob", "cross clamp")
MATERIALS = {
    "brass": (222, 184, 35),
    "copper": (196, 64, 40),
    "anodized aluminium": (40, 90, 220),
    "green plastic": (40, 170, 70),
}
FINISHES = ("polished", "matte")
SOURCES = ("acme", "boltbarn", "clampco")
# Small but learnable: ~40 s of CLIP training on ~200 images on 2 CPU cores. Two of the three
# sources, as the adaptation protocol trains its stand-in foundation model: the distillation
# and adaptation tests then use clampco as the shop the teacher never saw.
SEEN_SOURCES = ("acme", "boltbarn")
# The 64 px model with open_clip's crop, streamed: the tests' budget, not the large catalog's
# recipe (ClipConfig's defaults), which costs twice as much per image; the caption dropouts
# these tiny runs converge with in their few steps.
SMALL_CLIP = {
    "model": "ilid-tiny",
    "augment": "crop",
    "field_dropout": 0.3,
    "label_dropout": 0.0,
    "stream": True,
}
# The session teacher trains from memory: its ~200 images decode once, not every epoch
# from the tars (streaming keeps its coverage in test_train_distributed).
TEST_CLIP_CONFIG = ClipConfig(
    epochs=20,
    warmup_steps=10,
    num_threads=2,
    sources=SEEN_SOURCES,
    **{**SMALL_CLIP, "stream": False},
)


def _polygon(cx: float, cy: float, r: float, n: int, turn: float, inner: float = 1.0):
    points = []
    for i in range(n * (2 if inner < 1 else 1)):
        radius = r * (inner if inner < 1 and i % 2 else 1.0)
        angle = turn + math.pi * 2 * i / (n * (2 if inner < 1 else 1))
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def draw_part(
    shape: str, colour: tuple[int, int, int], finish: str, source: str, rng: random.Random
) -> Image.Image:
    """A 512x512 product shot: one coloured shape on the source's background style.

    Pose jitter is mild so a from-scratch ViT can learn shapes from ~200 images in seconds;
    the finish is visible (polished parts are brighter) so every caption word is grounded.
    """
    size = 512
    if source == "acme":
        image = Image.new("RGB", (size, size), (250, 250, 250))
    elif source == "boltbarn":
        ramp = Image.linear_gradient("L").resize((size, size)).point(lambda v: 90 + v // 3)
        image = Image.merge("RGB", (ramp, ramp, ramp))
    else:
        image = Image.new("RGB", (size, size), (25, 25, 35))
    background = image.getpixel((2, 2))
    draw = ImageDraw.Draw(image)
    r = rng.uniform(0.26, 0.32) * size
    cx, cy = (size / 2 + rng.uniform(-0.05, 0.05) * size for _ in range(2))
    turn = rng.uniform(-0.25, 0.25) - math.pi / 2
    shift = 35 if finish == "polished" else -35
    fill = tuple(max(0, min(255, c + shift + rng.randint(-10, 10))) for c in colour)
    if shape == "hex nut":
        draw.polygon(_polygon(cx, cy, r, 6, turn), fill=fill)
        draw.ellipse((cx - r / 3, cy - r / 3, cx + r / 3, cy + r / 3), fill=background)
    elif shape == "flat washer":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
        draw.ellipse((cx - r / 2, cy - r / 2, cx + r / 2, cy + r / 2), fill=background)
    elif shape == "square plate":
        draw.polygon(_polygon(cx, cy, r, 4, turn + math.pi / 4), fill=fill)
    elif shape == "triangle bracket":
        draw.polygon(_polygon(cx, cy, r, 3, turn), fill=fill)
    elif shape == "star knob":
        draw.polygon(_polygon(cx, cy, r, 5, turn, inner=0.45), fill=fill)
    else:
        w = r / 3
        draw.rectangle((cx - r, cy - w, cx + r, cy + w), fill=fill)
        draw.rectangle((cx - w, cy - r, cx + w, cy + r), fill=fill)
    return image


def write_synthetic_shards(
    out_dir: Path,
    per_combo: int = 2,
    seed: int = 0,
    hf_image_struct: bool = False,
    train_shards: int = 1,
) -> Path:
    """Parquet and WebDataset shards in the ILID layout; `per_combo` images per (shape,
    material, source); the train split cut into `train_shards` shards."""
    rng = random.Random(seed)
    rows = []
    for source in SOURCES:
        for shape in SHAPES:
            for material, colour in MATERIALS.items():
                for k in range(per_combo):
                    finish = rng.choice(FINISHES)
                    buffer = io.BytesIO()
                    draw_part(shape, colour, finish, source, rng).save(buffer, format="PNG")
                    split = rng.choices(("train", "val", "test"), weights=(70, 15, 15))[0]
                    png = buffer.getvalue()
                    rows.append(
                        {
                            "id": f"{source}-{shape}-{material}-{k}".replace(" ", "_"),
                            "image": {"bytes": png, "path": None} if hf_image_struct else png,
                            "url": f"http://{source}.test/{shape}/{k}",
                            "label_short": shape,
                            "label_long": f"{finish} {material} {shape} for machine assembly",
                            "description": f"A {shape} made of {material} with a {finish} finish.",
                            "material": material,
                            "material_finish": finish,
                            "source": source,
                            "split": split,
                            "cluster_id": f"c{len(rows)}",
                        }
                    )
    for folder in (PARQUET_DIR, WEBDATASET_DIR):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
    for split in ("train", "val", "test"):
        rows_of_split = [r for r in rows if r["split"] == split]
        parts = train_shards if split == "train" else 1
        for i in range(parts):
            chunk = rows_of_split[i::parts]
            pq.write_table(
                pa.Table.from_pylist(chunk), out_dir / PARQUET_DIR / f"{split}-{i:05d}.parquet"
            )
            tar_rows = [
                {
                    **r,
                    "image": {
                        "bytes": r["image"]["bytes"] if hf_image_struct else r["image"],
                        "path": None,
                    },
                }
                for r in chunk
            ]
            write_tar(tar_rows, out_dir / WEBDATASET_DIR / f"{split}-{i:05d}.tar")
    return out_dir


def shared_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A directory shared by every test module of the session (the base temp dir)."""
    return tmp_path_factory.getbasetemp() / name


def synthetic_shards_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = shared_dir(tmp_path_factory, "synthetic_shards")
    if not (path / PARQUET_DIR / "test-00000.parquet").exists():
        write_synthetic_shards(path, per_combo=6)
    return path


def trained_teacher(tmp_path_factory: pytest.TempPathFactory):
    """Trains once per session; a second call returns the cached checkpoint."""
    shards = synthetic_shards_dir(tmp_path_factory)
    return train_clip(shards, shared_dir(tmp_path_factory, "checkpoints"), TEST_CLIP_CONFIG)


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_shards_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def teacher(tmp_path_factory: pytest.TempPathFactory):
    return trained_teacher(tmp_path_factory)


def test_load_samples_accepts_plain_bytes_and_hf_struct(tmp_path: Path) -> None:
    plain = load_samples(write_synthetic_shards(tmp_path / "plain", per_combo=1))
    hf_dir = write_synthetic_shards(tmp_path / "hf", per_combo=1, hf_image_struct=True)
    struct = load_samples(hf_dir)
    assert len(plain) == len(struct) == len(SHAPES) * len(MATERIALS) * len(SOURCES)
    assert [s.image for s in plain] == [s.image for s in struct]
    assert plain[0].image.startswith(b"\x89PNG")
    assert {s.split for s in plain} == {"train", "val", "test"}


def test_caption_builder_and_fingerprint(tmp_path: Path) -> None:
    shards = write_synthetic_shards(tmp_path / "s", per_combo=1)
    sample = load_samples(shards)[0]
    base = f"a photo of a {sample.material_finish} {sample.material} {sample.label_short}."
    assert build_caption(sample) == base
    long_caption = build_caption(sample, ("label_short", "description"))
    assert long_caption == f"a photo of a {sample.label_short}. {sample.description}"
    with pytest.raises(ValueError):
        build_caption(sample, ("price",))
    before = shard_fingerprint(shards)
    write_synthetic_shards(shards, per_combo=1)  # identical rewrite
    assert shard_fingerprint(shards) == before
    write_synthetic_shards(shards, per_combo=1, seed=1)
    assert shard_fingerprint(shards) != before


def test_image_dataset_shares_decoded_images_but_never_mixes_two_datasets(
    tmp_path: Path,
) -> None:
    samples = load_samples(write_synthetic_shards(tmp_path / "s", per_combo=1))[:3]
    # the same ids, other pictures: a second run of a test, or another catalog
    by_id = {s.id: s for s in load_samples(write_synthetic_shards(tmp_path / "o", 1, seed=1))}
    others = [by_id[s.id] for s in samples]
    assert samples[0].image != others[0].image
    dataset = ImageDataset(samples, lambda im: torch.tensor(im.size), cache_size=64)
    assert dataset[1][0].tolist() == [64, 64] and dataset[1][1] == 1
    # a later dataset of the process gets the decoded image without decoding it again
    assert ImageDataset(samples, lambda im: im, cache_size=64)[1][0] is dataset._image(1)
    view = transforms.Compose(
        [transforms.Resize(32), transforms.CenterCrop(32), transforms.ToTensor()]
    )
    first = ImageDataset(samples, view, deterministic=True)[0][0]
    assert ImageDataset(samples, view, deterministic=True)[0][0] is first  # kept
    assert not torch.equal(ImageDataset(others, view, deterministic=True)[0][0], first)
    assert torch.equal(ImageDataset(samples, view)[0][0], first)  # recomputed, the same


def test_metrics_on_hand_made_embeddings() -> None:
    eye = torch.eye(4)
    targets = torch.tensor([0, 1, 2, 3])
    assert zero_shot_accuracy(eye, eye, targets) == 1.0
    assert zero_shot_accuracy(eye, eye[[1, 0, 2, 3]], targets) == 0.5
    assert recall_at_k(eye, eye, targets, ks=(1, 5)) == {1: 1.0, 5: 1.0}
    # image 0 prefers text 1 (0.9) over its own text (0.5): miss at R@1, hit at R@2
    images = torch.tensor([[0.5, 0.9, 0.0, 0.0], [0, 1.0, 0, 0], [0, 0, 1.0, 0], [0, 0, 0, 1.0]])
    assert recall_at_k(images, eye, targets, ks=(1, 2)) == {1: 0.75, 2: 1.0}
    captions = [f"caption {i}" for i in range(40)]
    emb = torch.eye(40)
    acc, chance = in_batch_accuracy(emb, emb, captions, batch_size=32)
    assert acc == 1.0
    assert chance == pytest.approx((32 * (1 / 32) + 8 * (1 / 8)) / 40)  # batches of 32 and 8
    # every image's own text scores lowest: all wrong
    assert in_batch_accuracy(emb, -emb, captions)[0] == 0.0
    # identical captions: whichever text wins is the right one
    assert in_batch_accuracy(emb, -emb, ["same"] * 40) == (1.0, 1.0)


def test_load_clip_from_model_spec() -> None:
    for name in ("ilid-tiny", "ilid-tiny-vit"):
        loaded = load_clip(name)  # bare model name: random weights, no download
        assert loaded.image_size == 64 and loaded.model_name == name
        image = loaded.preprocess(Image.new("RGB", (512, 512)))
        assert loaded.model.encode_image(image[None]).shape == (1, 128)
    with pytest.raises(RuntimeError, match="not a known tag"):
        load_clip("ilid-tiny:/no/such/weights.pt")


def test_finetune_learns_and_saves_reloadable_checkpoint(shards: Path, teacher) -> None:
    metrics = teacher.metrics
    for field in ("label_short", "material", "material_finish"):
        for suffix in ("acc", "ci", "chance", "majority", "classes"):
            assert f"zeroshot_{field}_{suffix}" in metrics
        lo, hi = metrics[f"zeroshot_{field}_ci"]
        assert 0 <= lo <= metrics[f"zeroshot_{field}_acc"] <= hi <= 1
    assert metrics["zeroshot_label_short_classes"] == len(SHAPES)
    assert metrics["zeroshot_material_chance"] == pytest.approx(1 / len(MATERIALS))
    retrieval = {f"{d}_r{k}{s}" for d in ("i2t", "t2i") for k in (1, 5) for s in ("", "_ci")}
    assert retrieval | {"ilid_in_batch_acc", "ilid_in_batch_chance"} <= set(metrics)
    test = [s for s in load_samples(shards) if s.split == "test" and s.source in SEEN_SOURCES]
    assert metrics["n_test"] == len(test)
    assert set(metrics["per_source"]) == set(SEEN_SOURCES)
    assert sum(v["n"] for v in metrics["per_class"].values()) == len(test)
    matrix = metrics["confusion"]["matrix"]
    assert sum(map(sum, matrix)) == len(test)
    assert sum(matrix[i][i] for i in range(len(matrix))) == round(
        metrics["zeroshot_label_short_acc"] * len(test)
    )
    assert metrics["zeroshot_label_short_acc"] > 2 * metrics["zeroshot_label_short_chance"]
    assert len(teacher.history) == TEST_CLIP_CONFIG.epochs  # one validation per epoch
    assert teacher.history[-1]["loss"] < teacher.history[0]["loss"]
    assert teacher.checkpoint_path.is_file()
    summary = json.loads(teacher.checkpoint_path.with_suffix(".json").read_text())
    assert summary["metrics"] == metrics

    loaded = load_clip(teacher.checkpoint_path)
    samples = load_samples(shards)
    classes = {f: class_names(samples, f) for f in ("label_short", "material", "material_finish")}
    again = evaluate_clip(loaded.model, loaded.tokenizer, loaded.preprocess, test, classes)
    assert again == {k: v for k, v in metrics.items() if k in again}


def test_rerun_with_same_config_reuses_checkpoint(shards: Path, teacher, tmp_path_factory) -> None:
    started = time.perf_counter()
    progress: list[str] = []
    again = train_clip(
        shards, shared_dir(tmp_path_factory, "checkpoints"), TEST_CLIP_CONFIG, progress.append
    )
    assert again.reused and time.perf_counter() - started < 5
    assert again.checkpoint_path == teacher.checkpoint_path
    assert again.metrics == teacher.metrics
    assert "reusing" in progress[0]
