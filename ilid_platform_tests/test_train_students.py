"""Student objectives (ERM, KD, ADiP and its ablation), weight averaging (SWA, EMA, SWAD),
DomainBed augmentation and the student initialised from the teacher's image tower."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from ilid_platform.train.averaging import SWAD, ExponentialAverage, UniformAverage
from ilid_platform.train.batches import train_transform
from ilid_platform.train.clip.methods.run import load_adapted
from ilid_platform.train.clip.stage import ClipConfig
from ilid_platform.train.data import ImageDataset, load_samples
from ilid_platform.train.loop import InputSpec, LoopConfig, fit
from ilid_platform.train.report import student_bars_png, student_markdown, training_curves_png
from ilid_platform.train.students.objectives import OBJECTIVES, build_phases
from ilid_platform.train.students.objectives.base import (
    TEACHER_ARCH,
    Student,
    TeacherInputs,
    student_logits,
    validation,
)
from ilid_platform.train.students.objectives.supervised import KdTask
from ilid_platform.train.students.ood_protocol import (
    TEACHER_SEEN,
    TEACHER_UNSEEN,
    DistillationProtocol,
    StudentComparison,
    compare_students,
    mean_accuracy,
    student_accuracy,
)
from ilid_platform.train.students.stage import StudentConfig, distill_student, load_student
from ilid_platform_tests.test_train_clip import (
    TEST_CLIP_CONFIG,
    shared_dir,
    synthetic_shards_dir,
    trained_teacher,
)

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_shards_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def teacher(tmp_path_factory: pytest.TempPathFactory):
    return trained_teacher(tmp_path_factory)


# ---- weight averaging ----
class _Scalar(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(()))


def _feed(averager, values, losses_at, every: int) -> None:
    module = _Scalar()
    for step, value in enumerate(values, start=1):
        module.w.data.fill_(value)
        averager.update(module, step)
        if step % every == 0:
            averager.validated(losses_at[step // every - 1], step)


def test_swad_averages_densely_over_the_loss_valley_only() -> None:
    # 15 segments of 2 steps; the weight at step t is t. The val loss falls into a valley
    # (segments 3-7) and then rises 3x. Segment 4 is the minimum that 3 validations did not
    # beat; the valley reaches back to segment 3 (under 1.3x the level) and ends once every
    # loss in the 6-segment window is above that threshold.
    losses = [5.0, 3.0, 1.0, 0.9, 1.0, 1.1, 1.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0]
    swad = SWAD(n_converge=3, n_tolerance=6, tolerance_ratio=0.3)
    _feed(swad, range(1, 31), losses, every=2)
    state = swad.averaged_state()
    first, last = swad.valley
    assert (first, last) == (5, 14)  # segments 3-7; the high-loss ones (steps 15+) stay out
    assert state["w"].item() == pytest.approx(sum(range(first, last + 1)) / (last - first + 1))
    assert swad.dead_valley


def test_swad_without_a_valley_returns_the_last_segment() -> None:
    swad = SWAD()
    _feed(swad, range(1, 9), [4.0, 3.0, 2.0, 1.0], every=2)  # still falling at the end
    assert swad.valley is None
    assert swad.averaged_state()["w"].item() == pytest.approx(7.5)  # mean of steps 7 and 8


def test_uniform_and_exponential_averages() -> None:
    swa = UniformAverage(start=4)
    _feed(swa, range(1, 9), [0.0] * 4, every=2)
    assert swa.averaged_state()["w"].item() == pytest.approx((5 + 6 + 7 + 8) / 4)
    ema = ExponentialAverage(decay=0.5)
    _feed(ema, [2.0] * 3, [0.0], every=3)
    assert ema.averaged_state()["w"].item() == pytest.approx(2.0)  # bias-corrected
    with pytest.raises(ValueError, match="ema_decay"):
        ExponentialAverage(decay=1.0)


def test_swad_needs_a_validation_loss(shards: Path) -> None:
    samples = [s for s in load_samples(shards) if s.split == "train"][:16]
    teacher = load_adapted("ilid-tiny")
    names = sorted({s.label_short for s in samples})
    with torch.no_grad():
        head = teacher.class_embeddings(names)
    student = Student("resnet10t", head.shape[1])
    inputs = TeacherInputs(teacher, student, 32, "resnet10t")
    task = build_phases("erm", student, inputs, head, names, 1, 2, 1e-3, 1e-3)[0].task
    with pytest.raises(ValueError, match="swad"):
        fit(task, samples, LoopConfig(steps=2, batch_size=8, averaging="swad"), CPU)


# ---- augmentation ----
def test_domainbed_and_randaugment_views_differ_from_the_plain_one() -> None:
    image = Image.new("RGB", (96, 96), (200, 120, 40))
    image.paste((30, 60, 200), (20, 20, 70, 70))
    spec = InputSpec(64)
    plain = train_transform(spec, "none")(image)
    torch.manual_seed(0)
    for kind in ("domainbed", "randaugment"):
        views = [train_transform(spec, kind)(image) for _ in range(4)]
        assert all(v.shape == (3, 64, 64) for v in views)
        assert any(not torch.allclose(v, plain) for v in views)
        assert not torch.allclose(views[0], views[1])
    with pytest.raises(ValueError, match="augment"):
        LoopConfig(augment="mixup")


def test_pose_views_turn_and_mirror_the_part_and_keep_its_colours() -> None:
    image = Image.new("RGB", (96, 96), (128, 128, 128))
    image.paste((220, 30, 30), (8, 8, 40, 40))  # a red part in the top-left quadrant
    spec = InputSpec(64)
    transform = train_transform(spec, "pose")
    torch.manual_seed(0)
    quadrants = set()
    for _ in range(40):
        view = transform(image)
        red = (view[0] > 0.6) & (view[1] < 0.3)
        ys, xs = torch.nonzero(red, as_tuple=True)
        quadrants.add((bool(ys.float().mean() > 32), bool(xs.float().mean() > 32)))
        assert abs(red.float().mean().item() - (32 / 96) ** 2) < 0.05  # cropped at most 10 %
    assert len(quadrants) == 4  # every quarter turn or mirror image places it elsewhere
    with pytest.raises(ValueError, match="augment"):
        ClipConfig(augment="mixup")


# ---- objectives ----
def test_kd_loss_is_zero_when_the_student_matches_the_teacher(shards: Path, teacher) -> None:
    samples = [s for s in load_samples(shards) if s.split == "train"][:8]
    teacher = load_adapted(teacher.checkpoint_path)
    names = sorted({s.label_short for s in load_samples(shards)})
    with torch.no_grad():
        head = teacher.class_embeddings(names)
    tower = teacher.clip.visual
    student = Student(TEACHER_ARCH, head.shape[1], image_tower=tower)
    inputs = TeacherInputs(teacher, student, 64, TEACHER_ARCH)
    task = KdTask(student, inputs, head, names, temperature=2.0)
    with torch.no_grad():  # the learned head as the teacher's, scaled: identical distributions
        task.class_head.weight.copy_(teacher.logit_scale() * head)
    dataset = ImageDataset(samples, inputs.eval)
    images = torch.stack([dataset[i][0] for i in range(len(dataset))])
    student.eval()
    assert task.loss(images, samples).item() == pytest.approx(0.0, abs=1e-4)
    with torch.no_grad():
        task.class_head.weight.mul_(-1)
    assert task.loss(images, samples).item() > 0.1


@torch.no_grad()
def _teacher_agreement(task, samples) -> float:
    """How often the KD student's class is the teacher's zero-shot class."""
    dataset = ImageDataset(samples, task.inputs.eval, cache_size=task.inputs.size)
    images = torch.stack([dataset[i][0] for i in range(len(dataset))])
    teacher_x, student_x = task.inputs.split(images)
    teacher = (task.teacher_image_embeddings(teacher_x) @ task.text_head.T).argmax(1)
    return (task.logits(student_x).argmax(1) == teacher).float().mean().item()


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_each_objective_learns_and_keeps_its_frozen_parts(
    objective: str, shards: Path, teacher
) -> None:
    torch.manual_seed(0)
    samples = load_samples(shards)
    train = [s for s in samples if s.split == "train"]
    names = sorted({s.label_short for s in samples})
    clip = load_adapted(teacher.checkpoint_path)
    clip.requires_grad_(False)
    with torch.no_grad():
        head = clip.class_embeddings(names)
    student = Student("resnet10t", head.shape[1])
    inputs = TeacherInputs(clip, student, 32, "resnet10t")
    teacher_before = {k: v.clone() for k, v in clip.state_dict().items()}
    # 96 distillation steps: at 32 the ADiP student's accuracy sat at chance on some teachers
    # (0.10 against 1/6), at 96 it measured 0.46
    phases = build_phases(objective, student, inputs, head, names, 8, 96, 1e-2, 3e-3)
    for phase in phases:
        phase.task.freeze_all_but_trainable()
        validate = validation(phase.task, train[:48], CPU)
        before = validate()
        if objective == "kd":
            agreement_before = _teacher_agreement(phase.task, train[:48])
        config = LoopConfig(steps=phase.steps, batch_size=32, lr=phase.lr, optimizer="adam")
        result = fit(phase.task, train, config, CPU)
        after = validate()
        assert after["loss"] < before["loss"], (phase.name, before, after)
    if objective == "kd":
        # KD learns the teacher's answers, right or wrong: it must agree with them more.
        agreement = _teacher_agreement(phases[-1].task, train[:48])
        assert agreement > max(agreement_before, 1 / len(names)), (agreement_before, agreement)
    else:
        assert after["acc"] > max(before["acc"], 1 / len(names))  # learned, above chance
    assert all(torch.equal(v, clip.state_dict()[k]) for k, v in teacher_before.items())
    assert len(result.history) >= 1
    if objective.startswith("adip"):
        assert torch.equal(phases[-1].task.head(), head)  # predicts with the teacher's prompts
    else:
        assert not torch.equal(phases[-1].task.head(), head)


# ---- the white-box student ----
def test_student_from_the_teacher_tower_starts_as_the_teacher_and_reloads(
    shards: Path, teacher, tmp_path: Path
) -> None:
    samples = load_samples(shards)
    clip = load_adapted(teacher.checkpoint_path)
    names = sorted({s.label_short for s in samples})
    with torch.no_grad():
        head = clip.class_embeddings(names)
    tower = load_adapted(teacher.checkpoint_path).clip.visual
    student = Student(TEACHER_ARCH, head.shape[1], image_tower=tower).eval()
    inputs = TeacherInputs(clip, student, 999, TEACHER_ARCH)  # size follows the teacher
    assert inputs.student_size == inputs.teacher_size
    dataset = ImageDataset(samples[:16], inputs.eval)
    teacher_x, student_x = inputs.split(torch.stack([dataset[i][0] for i in range(16)]))
    with torch.no_grad():
        ours = student_logits(student(student_x), head)
        theirs = clip.image_features(teacher_x) @ head.T
    assert torch.allclose(ours, theirs, atol=1e-5)

    config = StudentConfig(
        arch=TEACHER_ARCH, align_steps=4, distill_steps=8, validate_every=4, num_threads=2
    )
    result = distill_student(shards, teacher.checkpoint_path, tmp_path, config, "clampco")
    loaded = load_student(result.checkpoint_path)
    test = [s for s in samples if s.source != "clampco" and s.split == "test"]
    data = ImageDataset(test, loaded.transform)
    predicted = loaded.predict(torch.stack([data[i][0] for i in range(len(data))]))
    hits = sum(p == s.label_short for p, s in zip(predicted, test, strict=True))
    assert hits / len(test) == pytest.approx(result.metrics["student_in_domain_acc"], abs=0.05)
    assert F.normalize(loaded.text_head, dim=-1).shape == head.shape


# ---- the out-of-domain comparison ----
def test_compare_students_holds_out_a_shop_with_both_teachers(
    shards: Path, teacher, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    student = StudentConfig(
        arch="resnet10t",
        image_size=32,
        align_steps=3,
        distill_steps=6,
        validate_every=3,
        num_threads=2,
    )
    protocol = DistillationProtocol(
        methods=("erm", "adip"),
        holdouts=("clampco",),
        student=student,
        teacher=TEST_CLIP_CONFIG,  # never saw clampco: the session's trained teacher
    )
    lines: list[str] = []
    comparison = compare_students(
        shards,
        tmp_path,
        protocol,
        seen_teacher=teacher.checkpoint_path,  # stands in for a teacher of every shop
        progress=lines.append,
        teachers_dir=shared_dir(tmp_path_factory, "checkpoints"),
    )
    assert any(line.startswith("reusing clip-") for line in lines)  # the unseen teacher
    n_ood = sum(s.source == "clampco" for s in load_samples(shards))
    assert set(comparison.runs) == {"clampco"}
    assert set(comparison.runs["clampco"]) == {"erm", "adip"}
    for row in comparison.runs["clampco"].values():
        assert row["ood_n"] == n_ood
        assert row["ood_ci"][0] <= row["ood_acc"] <= row["ood_ci"][1]
    unseen = comparison.teachers["clampco"][TEACHER_UNSEEN]
    assert unseen["n"] == n_ood
    # the same teacher, measured both ways: the student run's own figure agrees
    assert comparison.teachers["clampco"][TEACHER_SEEN]["acc"] == pytest.approx(unseen["acc"])
    out = comparison.to_json()
    assert out["average"]["adip"] == pytest.approx(out["clampco"]["adip"]["ood_acc"])
    assert set(out["teacher"]["clampco"]) == {TEACHER_UNSEEN, TEACHER_SEEN}
    table = student_markdown(comparison)
    assert "| adip |" in table and "clampco held out" in table and "never saw" in table
    for png in (student_bars_png(comparison), training_curves_png(comparison)):
        assert png.startswith(b"\x89PNG") and len(png) > 5000
    again = compare_students(
        shards,
        tmp_path,
        protocol,
        teacher.checkpoint_path,
        teachers_dir=shared_dir(tmp_path_factory, "checkpoints"),
    )
    assert again.runs == comparison.runs  # every run cached

    # the stored student, reloaded as `ilid predict` runs it, scores what its run reported
    samples = load_samples(shards)
    clampco = [s for s in samples if s.source == "clampco"]
    adip = comparison.runs["clampco"]["adip"]
    reloaded = student_accuracy(Path(adip["checkpoint"]), clampco, torch.device("cpu"))
    assert reloaded["acc"] == pytest.approx(adip["ood_acc"], abs=0.02)
    # learning from the teacher that saw the shop: tested on the images it never trained on
    seen = compare_students(
        shards,
        tmp_path,
        replace(protocol, methods=("adip",), distill_from="seen"),
        teacher.checkpoint_path,
        teachers_dir=shared_dir(tmp_path_factory, "checkpoints"),
    )
    held_test = [s for s in clampco if s.split == "test"]
    assert 0 < len(held_test) < n_ood
    assert seen.runs["clampco"]["adip"]["ood_n"] == len(held_test)
    assert {t["n"] for t in seen.teachers["clampco"].values()} == {len(held_test)}
    assert "test split" in student_markdown(seen) and "seen teacher" in student_markdown(seen)
    with pytest.raises(ValueError, match="nosuchshop"):
        compare_students(shards, tmp_path, replace(protocol, holdouts=("nosuchshop",)))


def test_mean_accuracy_interval_narrows_with_more_images() -> None:
    few = mean_accuracy([(0.5, 50), (0.7, 50)])
    many = mean_accuracy([(0.5, 5000), (0.7, 5000)])
    assert few["acc"] == pytest.approx(0.6) == many["acc"]
    assert few["ci"][1] - few["ci"][0] > 5 * (many["ci"][1] - many["ci"][0])


def _comparison(students: dict[str, float], teacher: float, n: int = 300) -> StudentComparison:
    """One held-out shop of `n` images: each student's and the unseen teacher's accuracy."""
    runs = {
        method: {"ood_acc": acc, "ood_n": n, "in_domain_acc": 0.5, "chance": 1 / 13}
        for method, acc in students.items()
    }
    teachers = {TEACHER_UNSEEN: {"acc": teacher, "ci": [0, 1], "n": n}}
    return StudentComparison({"acme": runs}, {"acme": teachers}, config={})


def test_verdict_names_the_winner_and_its_margin_with_intervals() -> None:
    verdict = _comparison({"adip": 0.40, "erm": 0.60, "kd": 0.30}, teacher=0.45).verdict()
    assert verdict["best"] == "erm" and verdict["runner_up"] == "adip"
    assert verdict["margin"] == pytest.approx(0.20) and verdict["tied_with"] == []
    assert verdict["over_unseen_teacher"] == pytest.approx(0.15)
    assert verdict["separated_from_unseen_teacher"] and verdict["over_twice_chance"]
    assert verdict["text"].startswith("erm won by +0.200: erm 0.600 [0.545, 0.655] against adip")
    assert "the teacher that never saw the shop 0.450" in verdict["text"]


def test_verdict_with_overlapping_intervals_says_so_instead_of_ranking() -> None:
    verdict = _comparison({"adip": 0.44, "erm": 0.46, "kd": 0.20}, teacher=0.45).verdict()
    assert verdict["best"] == "erm" and verdict["tied_with"] == ["adip"]
    assert verdict["text"].startswith("no objective wins: erm 0.460 [")
    assert "adip 0.440" in verdict["text"] and "kd" not in verdict["text"]
    assert "intervals overlapping" in verdict["text"]
    assert not _comparison({"erm": 0.1}, teacher=0.09).verdict()["over_twice_chance"]


@pytest.mark.parametrize("arch", ["mobilenetv3_small_100", "resnet10t", "efficientnet_b0"])
def test_any_timm_backbone_projects_into_the_teacher_space(arch: str) -> None:
    student = Student(arch, embed_dim=96).eval()  # MobileNetV3 has a pre-logits head
    with torch.no_grad():
        assert student(torch.rand(2, 3, 64, 64)).shape == (2, 96)
