"""Every adaptation method learns on a tiny set and leaves its frozen parts alone.

The starting model is the session's small CLIP trained on acme and boltbarn; the tiny set is
4 images per class from their test split, which it never trained on and gets about half
right zero-shot. (Its features of clampco, the unseen dark shop, are nearly collapsed: a
from-scratch model on 200 images does not transfer, which is the benchmark's business.)
Accuracy is measured on the tiny training set itself: these tests show that each method's
parameters, loss and classifier fit together; whether a method generalises is what
`benchmarks/adaptation.py` measures.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from ilid_platform.train.checkpoints import atomic_torch_save
from ilid_platform.train.clip.adaptation_protocol import few_shot
from ilid_platform.train.clip.methods import METHODS
from ilid_platform.train.clip.methods.lora import merge_lora
from ilid_platform.train.clip.methods.run import (
    build_method,
    load_adapted,
    method_payload,
    run_method,
)
from ilid_platform.train.clip.stage import zero_shot_classes
from ilid_platform.train.data import load_samples
from ilid_platform.train.loop import LoopConfig
from ilid_platform.train.runtime import seed_everything
from ilid_platform_tests.test_train_clip import (
    SEEN_SOURCES,
    synthetic_shards_dir,
    trained_teacher,
)

CPU = torch.device("cpu")
TRAINED = [name for name, cls in METHODS.items() if cls.trains]
# Per-method steps at batch 16 on 72 images: enough to fit, small enough for the suite.
STEPS = {"finetune": 40, "wise_ft": 40, "lora": 40}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return trained_teacher(tmp_path_factory).checkpoint_path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    """4 unseen images per class (24) and the classes of the whole dataset."""
    samples = load_samples(synthetic_shards_dir(tmp_path_factory))
    pool = [s for s in samples if s.source in SEEN_SOURCES and s.split == "test"]
    return few_shot(pool, 4), zero_shot_classes(samples)


def _run(name: str, base: Path, samples, classes, val=None, **options):
    seed_everything(0)
    method = build_method(name, base, classes["label_short"], CPU, **options)
    before = {k: v.clone() for k, v in method.clip.state_dict().items()}
    loop = LoopConfig(steps=STEPS.get(name, 30), batch_size=16, lr=_lr(name), validate_every=10)
    run = run_method(method, samples, val or [], samples, classes, loop, CPU)
    return method, run, before


def _lr(name: str) -> float:
    return {"finetune": 5e-4, "wise_ft": 5e-4, "lora": 3e-3}.get(name, 1e-2)


@pytest.fixture(scope="module")
def zero_shot_acc(base: Path, tiny) -> float:
    _, run, _ = _run("zero_shot", base, *tiny)
    return run.metrics["zeroshot_label_short_acc"]


@pytest.mark.parametrize("name", TRAINED)
def test_method_learns_and_keeps_frozen_parts(name: str, base: Path, tiny, zero_shot_acc) -> None:
    samples, classes = tiny
    val = samples if name == "wise_ft" else None  # wise_ft picks alpha on val
    method, run, before = _run(name, base, samples, classes, val=val)
    assert len(run.history) >= 2
    assert run.metrics["train_loss_after"] < run.metrics["train_loss_before"]
    acc = run.metrics["zeroshot_label_short_acc"]
    assert acc > zero_shot_acc + 0.15, (acc, zero_shot_acc)
    lo, hi = run.metrics["zeroshot_label_short_ci"]
    assert lo <= acc <= hi

    after = method.clip.state_dict()
    changed = {k for k, v in before.items() if k in after and not torch.equal(v, after[k])}
    if name in ("finetune", "wise_ft"):  # whole model trains: both towers moved
        assert any(k.startswith("visual.") for k in changed)
        assert any(k.startswith("transformer.") for k in changed)
    if name == "wise_ft":  # the whole alpha curve is reported and the best point kept
        curve = run.metrics["tuning"]["alpha_curve_val"]
        assert [a for a, _ in curve] == [round(0.1 * i, 1) for i in range(11)]
        best = max(score for _, score in curve)
        assert dict(map(tuple, curve))[run.metrics["tuning"]["alpha"]] == best
        assert best > curve[0][1]  # fine-tuning helped over the starting weights (alpha = 0)
    if name == "lora":  # the originals stay; only the low-rank deltas moved (B starts at 0)
        assert {k for k in changed if not k.endswith((".A", ".B"))} == set()
        moved = [k for k, v in after.items() if k.endswith(".B") and v.abs().sum() > 0]
        assert any(k.startswith("visual.") for k in moved)
        assert any(k.startswith("transformer.") for k in moved)
        images = torch.rand(2, 3, 64, 64)
        with torch.no_grad():  # merging folds the deltas in and leaves a plain model
            adapted = method.clip.encode_image(images)
            merge_lora(method.clip)
            assert torch.allclose(method.clip.encode_image(images), adapted, atol=1e-5)
        assert not any("parametrizations" in k for k in method.clip.state_dict())
    if name not in ("finetune", "wise_ft", "lora"):  # frozen CLIP, BatchNorm statistics too
        assert changed == set(), sorted(changed)[:5]
        assert not any(p.requires_grad for p in method.clip.parameters())


def test_tip_adapter_needs_no_training_and_beats_zero_shot(base, tiny, zero_shot_acc) -> None:
    samples, classes = tiny
    method, run, before = _run("tip_adapter", base, samples, classes, val=samples)
    assert run.history == [] and run.metrics["train_seconds"] == 0
    assert method.keys.shape[0] == len(samples)
    assert run.metrics["zeroshot_label_short_acc"] > zero_shot_acc + 0.15
    assert set(run.metrics["tuning"]) == {"alpha", "beta", "val_acc"}
    assert all(torch.equal(v, method.clip.state_dict()[k]) for k, v in before.items())


@pytest.mark.parametrize("name", ["coop_adapters", "tip_adapter_f", "linear_probe"])
def test_adapted_checkpoint_reloads_with_same_predictions(name, base, tiny, tmp_path) -> None:
    samples, classes = tiny
    seed_everything(0)
    method = build_method(name, base, classes["label_short"], CPU)
    loop = LoopConfig(steps=5, batch_size=16, lr=1e-2)
    run = run_method(method, samples, [], samples, classes, loop, CPU)
    atomic_torch_save(method_payload(method, base), tmp_path / "adapted.pt")
    again = load_adapted(tmp_path / "adapted.pt")
    images = torch.rand(4, 3, 64, 64)
    with torch.no_grad():
        expected = method.classify(method.image_features(images))
        assert torch.allclose(again.classify(again.image_features(images)), expected, atol=1e-5)
    assert run.metrics["method"] == name


def test_finetune_leaves_label_short_out_of_captions_only_when_asked(base, tiny) -> None:
    samples, classes = tiny
    names = classes["label_short"]
    captions = {}
    for label_dropout in (0.0, 0.5):
        method = build_method("finetune", base, names, CPU, label_dropout=label_dropout)
        captions[label_dropout] = [method.caption(s) for s in samples]

    def named(p: float) -> list[bool]:
        return [s.label_short in c for s, c in zip(samples, captions[p], strict=True)]

    assert all(named(0.0))
    assert 0.2 < sum(named(0.5)) / len(samples) < 0.8
    # a caption without label_short still names the part's material or finish
    for sample, caption in zip(samples, captions[0.5], strict=True):
        assert (
            sample.label_short in caption
            or sample.material in caption
            or (sample.material_finish in caption)
        )
    with pytest.raises(ValueError, match="label_dropout"):
        build_method("finetune", base, names, CPU, label_dropout=1.0)
