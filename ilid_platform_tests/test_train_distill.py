"""VL2V-ADiP distillation: loss, phase freezing, leave-one-source-out and the full run."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from ilid_platform.train.clip.methods.run import load_adapted
from ilid_platform.train.data import ImageDataset, load_samples
from ilid_platform.train.loop import LoopConfig, fit
from ilid_platform.train.students.objectives.adip import AdipTask, adip_loss
from ilid_platform.train.students.objectives.base import Student, TeacherInputs
from ilid_platform.train.students.stage import (
    StudentConfig,
    distill_student,
    load_student,
    split_for_holdout,
)
from ilid_platform_tests.test_train_clip import (
    SHAPES,
    synthetic_shards_dir,
    trained_teacher,
)

TEST_STUDENT_CONFIG = StudentConfig(
    arch="resnet10t",
    image_size=32,
    align_steps=10,
    distill_steps=30,
    batch_size=32,
    validate_every=10,
    num_threads=2,
)


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_shards_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def teacher(tmp_path_factory: pytest.TempPathFactory):
    return trained_teacher(tmp_path_factory)


def test_adip_loss_matches_formula() -> None:
    torch.manual_seed(0)
    s, i, t = torch.randn(3, 5, 8).unbind(0)

    def cos(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return a @ b / (a.norm() * b.norm())

    expected = sum(-0.5 * (cos(s[k], i[k]) + cos(s[k], t[k])) for k in range(5)) / 5
    assert adip_loss(s, i, t).item() == pytest.approx(expected.item(), abs=1e-6)
    # perfectly aligned student: both cosines are 1, loss is -1, whatever the norms
    unit = F.normalize(torch.randn(4, 8), dim=-1)
    assert adip_loss(3 * unit, unit, 2 * unit).item() == pytest.approx(-1.0)
    # the image-only ablation drops the text term
    image_only = sum(-cos(s[k], i[k]) for k in range(5)) / 5
    assert adip_loss(s, i, None).item() == pytest.approx(image_only.item(), abs=1e-6)


def _snapshot(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in module.state_dict().items()}


def _changed(before: dict[str, torch.Tensor], module: torch.nn.Module) -> set[str]:
    return {k for k, v in module.state_dict().items() if not torch.equal(before[k], v)}


def test_align_trains_only_projection_and_distill_only_backbone(shards: Path) -> None:
    torch.manual_seed(0)
    samples = [s for s in load_samples(shards) if s.split == "train"][:32]
    teacher = load_adapted("ilid-tiny")  # random weights are enough to check freezing
    names = sorted({s.label_short for s in load_samples(shards)})
    with torch.no_grad():
        head = teacher.class_embeddings(names)
    student = Student("resnet10t", embed_dim=head.shape[1])
    inputs = TeacherInputs(teacher, student, image_size=32, arch="resnet10t")
    config = LoopConfig(steps=3, batch_size=8, lr=1e-2, optimizer="adam", schedule="constant")

    backbone, projection = _snapshot(student.backbone), _snapshot(student.projection)
    align = AdipTask(student, inputs, head, names, "align")
    align.freeze_all_but_trainable()
    fit(align, samples, config, torch.device("cpu"))
    assert _changed(backbone, student.backbone) == set()  # weights and BatchNorm statistics
    assert _changed(projection, student.projection) == {"weight"}

    backbone, projection = _snapshot(student.backbone), _snapshot(student.projection)
    distill = AdipTask(student, inputs, head, names, "distill")
    distill.freeze_all_but_trainable()
    fit(distill, samples, config, torch.device("cpu"))
    assert _changed(projection, student.projection) == set()
    assert any(k.endswith("conv1.0.weight") for k in _changed(backbone, student.backbone))


def test_split_for_holdout_excludes_source(shards: Path) -> None:
    samples = load_samples(shards)
    split = split_for_holdout(samples, "clampco")
    assert all(s.source != "clampco" and s.split == "train" for s in split.train)
    assert split.val and all(s.source != "clampco" and s.split == "val" for s in split.val)
    assert all(s.source != "clampco" and s.split == "test" for s in split.in_domain)
    ood = split.out_of_domain
    assert ood and {s.source for s in ood} == {"clampco"}
    assert len(ood) == sum(s.source == "clampco" for s in samples)  # every split of it
    everything = split_for_holdout(samples, None)
    assert everything.out_of_domain == []
    assert len(everything.train) == sum(s.split == "train" for s in samples)
    with pytest.raises(ValueError, match="nosuchshop"):
        split_for_holdout(samples, "nosuchshop")


def test_distill_student_leave_one_source_out(shards: Path, teacher, tmp_path: Path) -> None:
    progress: list[str] = []
    result = distill_student(
        shards, teacher.checkpoint_path, tmp_path, TEST_STUDENT_CONFIG, "clampco", progress.append
    )
    m = result.metrics
    assert m["holdout_source"] == "clampco" and "clampco" not in m["train_sources"]
    assert m["train_sources"] == ["acme", "boltbarn"]
    samples = load_samples(shards)
    assert m["n_train"] == sum(s.split == "train" and s.source != "clampco" for s in samples)
    assert m["ood_n"] == sum(s.source == "clampco" for s in samples)
    assert m["chance"] == pytest.approx(1 / len(SHAPES))
    assert m["in_domain_n"] == sum(s.split == "test" and s.source != "clampco" for s in samples)
    for model in ("student", "teacher"):
        assert 0.0 <= m[f"{model}_in_domain_acc"] <= 1.0
        assert 0.0 <= m[f"{model}_ood_acc"] <= 1.0
    assert m["distill_loss_final"] < m["align_loss_final"]
    assert any(line.startswith("distill step") for line in progress)

    loaded = load_student(result.checkpoint_path)
    assert loaded.class_names == sorted(SHAPES)
    in_domain = [s for s in samples if s.split == "test" and s.source != "clampco"]
    dataset = ImageDataset(in_domain, loaded.transform)
    predicted = loaded.predict(torch.stack([dataset[i][0] for i in range(len(dataset))]))
    hits = sum(p == s.label_short for p, s in zip(predicted, in_domain, strict=True))
    assert hits / len(in_domain) == pytest.approx(m["student_in_domain_acc"], abs=0.05)

    again = distill_student(
        shards, teacher.checkpoint_path, tmp_path, TEST_STUDENT_CONFIG, "clampco"
    )
    assert again.reused and again.metrics == m
