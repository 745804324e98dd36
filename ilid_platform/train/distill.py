"""Distil a CLIP teacher into a vision-only timm student (the `student_model` asset).

The objective is pluggable (`StudentConfig.objective`, see `students.OBJECTIVES`); the
default is VL2V-ADiP. Leave-one-source-out gives the out-of-domain test: each catalog
photographs differently. Any CLIP this project produces (or starts from) can teach.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torchvision import transforms

from ilid_platform.train.adapt.run import load_adapted
from ilid_platform.train.checkpoints import RunStore, TrainResult, config_key, source_fingerprint
from ilid_platform.train.data import Sample, class_names, load_samples, shard_fingerprint
from ilid_platform.train.runtime import resolve_device, seed_everything, torch_threads
from ilid_platform.train.scores import accuracy_entry
from ilid_platform.train.students import OBJECTIVES
from ilid_platform.train.students.base import (
    Student,
    TeacherInputs,
    student_and_teacher_accuracy,
)

logger = logging.getLogger(__name__)

STUDENT_FORMAT = "ilid-vl2v-adip-student/1"
_RUNTIME_FIELDS = ("device", "num_threads")


@dataclass(frozen=True)
class StudentConfig:
    """Paper reference: Adam, lr 5e-5, batch 32, ~5k steps, SWAD, ImageNet-pretrained student.

    Defaults fit a from-scratch student on a 2-core CPU, hence the larger lr and few steps.
    """

    arch: str = "resnet18"
    pretrained: bool = False  # True loads timm's ImageNet weights (needs them cached locally)
    objective: str = "adip"
    image_size: int = 64
    align_steps: int = 60
    distill_steps: int = 240
    batch_size: int = 32
    lr: float | None = None  # distill lr; None: 5e-5 (paper) if pretrained, else 1e-3
    align_lr: float = 1e-3  # the fresh linear projection needs a larger step than the backbone
    swad: bool = False
    swad_start: float = 0.5  # average the distill iterates from this fraction of the phase on
    seed: int = 0
    device: str = "auto"
    num_threads: int | None = 2

    def __post_init__(self) -> None:
        if min(self.align_steps, self.distill_steps, self.batch_size) < 1:
            raise ValueError("align_steps, distill_steps and batch_size must be >= 1")
        if not 0 <= self.swad_start < 1:
            raise ValueError("swad_start is a fraction of the distill phase in [0, 1)")
        if self.objective not in OBJECTIVES:
            raise ValueError(
                f"unknown objective {self.objective!r}; choose from {sorted(OBJECTIVES)}"
            )

    @property
    def learning_rate(self) -> float:
        if self.lr is not None:
            return self.lr
        return 5e-5 if self.pretrained else 1e-3


def split_for_holdout(
    samples: Sequence[Sample], holdout_source: str | None
) -> tuple[list[Sample], list[Sample], list[Sample]]:
    """(train, in-domain test, out-of-domain) for leave-one-source-out.

    Train and in-domain test come from the train/test splits of the other sources; every
    sample of the held-out source, whatever its split, is out-of-domain.
    """
    sources = {s.source for s in samples}
    if holdout_source is not None and holdout_source not in sources:
        raise ValueError(f"holdout source {holdout_source!r} not in {sorted(sources)}")
    seen = [s for s in samples if s.source != holdout_source]
    ood = [s for s in samples if s.source == holdout_source]
    return (
        [s for s in seen if s.split == "train"],
        [s for s in seen if s.split == "test"],
        ood,
    )


def distill_student(
    shards_dir: Path,
    teacher_checkpoint: str | Path,
    out_dir: Path,
    config: StudentConfig = StudentConfig(),
    holdout_source: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> TrainResult:
    """Train on the train split of every source but `holdout_source`; report student and
    teacher accuracy in domain (their test split) and out of domain (the held-out source).
    `teacher_checkpoint` is anything `adapt.run.load_adapted` accepts. Idempotent: the same
    inputs return the stored `student-<key>.pt`."""
    report = progress or logger.info
    fingerprint = shard_fingerprint(Path(shards_dir))
    settings = {k: v for k, v in asdict(config).items() if k not in _RUNTIME_FIELDS}
    key = config_key(
        {
            **settings,
            "lr": config.learning_rate,
            "shards": fingerprint,
            "teacher": source_fingerprint(teacher_checkpoint),
            "holdout_source": holdout_source,
        }
    )
    store = RunStore(Path(out_dir), "student", key)
    cached = store.cached()
    if cached is not None:
        report(f"reusing {store.checkpoint_path.name}: same config, teacher, shards and holdout")
        return cached

    with torch_threads(config.num_threads):
        seed_everything(config.seed)
        device = resolve_device(config.device)
        teacher = load_adapted(teacher_checkpoint, device)
        teacher.requires_grad_(False)
        samples = load_samples(Path(shards_dir))
        train, in_domain, out_of_domain = split_for_holdout(samples, holdout_source)
        if not train or not in_domain:
            raise ValueError("need train and test samples from the training sources")
        names = class_names(samples, "label_short")
        with torch.no_grad():
            text_head = teacher.class_embeddings(names)
        if text_head is None:
            raise ValueError(f"a {teacher.name} teacher has no class embeddings for {names}")
        student = Student(config.arch, text_head.shape[1], config.pretrained).to(device)
        inputs = TeacherInputs(teacher, student, config.image_size)
        history = OBJECTIVES[config.objective](
            student, inputs, text_head, names, train, config, device, report
        )
        metrics: dict[str, Any] = {
            "objective": config.objective,
            "holdout_source": holdout_source,
            "train_sources": sorted({s.source for s in train}),
            "n_train": len(train),
            "classes": len(names),
            "chance": 1 / len(names),
            "train_seconds": 0.0,
        }
        for phase in sorted({h["phase"] for h in history}):
            last = [h for h in history if h["phase"] == phase][-1]
            metrics[f"{phase}_loss_final"] = last["loss"]
            metrics["train_seconds"] += last["seconds"]
        index = {n: i for i, n in enumerate(names)}
        for domain, subset in (("in_domain", in_domain), ("ood", out_of_domain)):
            if not subset:
                continue
            targets = torch.tensor([index[s.label_short] for s in subset])
            student_ok, teacher_ok = student_and_teacher_accuracy(
                student, inputs, subset, text_head, targets, device
            )
            for who, correct in (("student", student_ok), ("teacher", teacher_ok)):
                entry = accuracy_entry(correct)
                metrics[f"{who}_{domain}_acc"] = entry["acc"]
                metrics[f"{who}_{domain}_ci"] = entry["ci"]
            metrics[f"{domain}_n"] = len(subset)
    payload = {
        "format": STUDENT_FORMAT,
        "arch": config.arch,
        "image_size": config.image_size,
        "mean": list(inputs.student_norm.mean),
        "std": list(inputs.student_norm.std),
        "state_dict": {k: v.cpu() for k, v in student.state_dict().items()},
        "class_names": names,
        "text_head": text_head.cpu(),
        "config": asdict(config),
        "teacher": str(teacher_checkpoint),
        "holdout_source": holdout_source,
    }
    result = store.save(payload, {"config": asdict(config), "metrics": metrics, "history": history})
    report(
        f"saved {store.checkpoint_path.name}: "
        + ", ".join(
            f"{d} {metrics[f'student_{d}_acc']:.3f} (teacher {metrics[f'teacher_{d}_acc']:.3f})"
            for d in ("in_domain", "ood")
            if f"student_{d}_acc" in metrics
        )
        + f", chance {metrics['chance']:.3f}"
    )
    return result


@dataclass
class LoadedStudent:
    model: Student
    transform: Callable
    class_names: list[str]
    text_head: torch.Tensor

    @torch.no_grad()
    def predict(self, images: torch.Tensor) -> list[str]:
        """Class names for a batch of `transform`ed images, via the stored teacher text head."""
        self.model.eval()
        emb = F.normalize(self.model(images).float(), dim=-1)
        return [self.class_names[i] for i in (emb @ self.text_head.T).argmax(dim=1).tolist()]


def load_student(checkpoint_path: Path, device: str | torch.device = "cpu") -> LoadedStudent:
    """A student checkpoint is self-contained: it carries the teacher's text head."""
    payload = torch.load(checkpoint_path, map_location="cpu", weights_only=True)
    if payload.get("format") != STUDENT_FORMAT:
        raise ValueError(f"{checkpoint_path} is not a VL2V-ADiP student checkpoint")
    device = resolve_device(str(device))
    text_head = payload["text_head"]
    model = Student(payload["arch"], text_head.shape[1])
    model.load_state_dict(payload["state_dict"])
    size = payload["image_size"]
    transform = transforms.Compose(
        [
            transforms.Resize(size, interpolation=transforms.InterpolationMode.BICUBIC),
            transforms.CenterCrop(size),
            transforms.ToTensor(),
            transforms.Normalize(payload["mean"], payload["std"]),
        ]
    )
    return LoadedStudent(
        model.to(device).eval(), transform, payload["class_names"], text_head.to(device)
    )
