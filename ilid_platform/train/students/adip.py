"""VL2V-ADiP (Addepalli et al., CVPR 2024): distil a frozen CLIP teacher into a timm student.

Align trains only a linear projection P from student features into CLIP space, distill then
freezes P and trains the backbone; both minimise
    -(1/2) [cos(P(f_s(x)), I_t(x)) + cos(P(f_s(x)), T_t(y))]
and the student predicts with the teacher's class-prompt text embeddings as a zero-shot head.
Leave-one-source-out gives the out-of-domain test: each catalog photographs differently.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import timm
import torch
import torch.nn.functional as F
from torch.optim.swa_utils import AveragedModel
from torch.utils.data import DataLoader
from torchvision import transforms

from ilid_platform.train.clip import LoadedClip, load_clip
from ilid_platform.train.data import (
    ImageDataset,
    Sample,
    class_names,
    load_samples,
    shard_fingerprint,
)
from ilid_platform.train.evaluate import class_text_embeddings, zero_shot_accuracy
from ilid_platform.train.runtime import (
    atomic_torch_save,
    atomic_write_json,
    cached_summary,
    config_key,
    file_sha256,
    resolve_device,
    seed_everything,
    torch_threads,
)

logger = logging.getLogger(__name__)

STUDENT_FORMAT = "ilid-vl2v-adip-student/1"
_RUNTIME_FIELDS = ("device", "num_threads")
Phase = Literal["align", "distill"]


@dataclass(frozen=True)
class StudentConfig:
    """Paper reference: Adam, lr 5e-5, batch 32, ~5k steps, SWAD, ImageNet-pretrained student.

    Defaults fit a from-scratch student on a 2-core CPU, hence the larger lr and few steps.
    """

    arch: str = "resnet18"
    pretrained: bool = False  # True loads timm's ImageNet weights (needs them cached locally)
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

    @property
    def learning_rate(self) -> float:
        if self.lr is not None:
            return self.lr
        return 5e-5 if self.pretrained else 1e-3


@dataclass
class StudentResult:
    checkpoint_path: Path
    metrics: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)
    reused: bool = False


class Student(torch.nn.Module):
    """timm backbone f_s plus the linear projection P into the teacher's embedding space."""

    def __init__(self, arch: str, embed_dim: int, pretrained: bool = False) -> None:
        super().__init__()
        self.backbone = timm.create_model(arch, pretrained=pretrained, num_classes=0)
        self.projection = torch.nn.Linear(self.backbone.num_features, embed_dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.projection(self.backbone(x))


def adip_loss(
    student_emb: torch.Tensor, teacher_image_emb: torch.Tensor, teacher_text_emb: torch.Tensor
) -> torch.Tensor:
    """-(1/2)[cos(s, I_t) + cos(s, T_t)], averaged over the batch."""
    image_term = F.cosine_similarity(student_emb, teacher_image_emb, dim=-1)
    text_term = F.cosine_similarity(student_emb, teacher_text_emb, dim=-1)
    return -0.5 * (image_term + text_term).mean()


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


class _Inputs:
    """One geometric view per image, normalised separately for teacher and student.

    VL2V-ADiP compares student and teacher on the same x, but the two models expect
    different resolutions and normalisation statistics.
    """

    def __init__(self, teacher: LoadedClip, student: Student, image_size: int) -> None:
        pp = teacher.model.visual.preprocess_cfg
        data = timm.data.resolve_model_data_config(student.backbone)
        self.teacher_size, self.student_size = teacher.image_size, image_size
        self.size = max(self.teacher_size, self.student_size)
        self.teacher_norm = transforms.Normalize(pp["mean"], pp["std"])
        self.student_norm = transforms.Normalize(data["mean"], data["std"])
        bicubic = transforms.InterpolationMode.BICUBIC
        self.train = transforms.Compose(
            [
                transforms.RandomResizedCrop(self.size, scale=(0.9, 1.0), interpolation=bicubic),
                transforms.ToTensor(),
            ]
        )
        self.eval = transforms.Compose(
            [
                transforms.Resize(self.size, interpolation=bicubic),
                transforms.CenterCrop(self.size),
                transforms.ToTensor(),
            ]
        )

    def _resize(self, x: torch.Tensor, size: int) -> torch.Tensor:
        if x.shape[-1] == size:
            return x
        return F.interpolate(x, size=(size, size), mode="bilinear", antialias=True)

    def split(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(teacher input, student input) from a batch of [0, 1] images."""
        return (
            self.teacher_norm(self._resize(x, self.teacher_size)),
            self.student_norm(self._resize(x, self.student_size)),
        )


def _batches(
    loader: DataLoader,
    inputs: _Inputs,
    teacher: LoadedClip,
    text_head: torch.Tensor,
    targets: torch.Tensor,
    device: torch.device,
) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Endless (student x, I_t(x), T_t(y)) batches; the teacher runs on the same views."""
    while True:
        for images, indices in loader:
            teacher_x, student_x = inputs.split(images.to(device))
            with torch.no_grad():
                image_emb = teacher.model.encode_image(teacher_x, normalize=True).float()
            yield student_x, image_emb, text_head[targets[indices].to(device)]


def _tail_mean(losses: Sequence[float], n: int = 10) -> float:
    return sum(losses[-n:]) / len(losses[-n:])


def run_phase(
    student: Student,
    phase: Phase,
    batches: Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
    steps: int,
    lr: float,
    average: AveragedModel | None = None,
    average_from: int = 0,
    progress: Callable[[str], None] | None = None,
) -> list[float]:
    """Align trains only P (backbone frozen, BatchNorm statistics included); distill trains
    only the backbone. Returns the per-step losses."""
    trainable = student.projection if phase == "align" else student.backbone
    student.requires_grad_(False)
    trainable.requires_grad_(True)
    student.train()
    if phase == "align":
        student.backbone.eval()
    optimizer = torch.optim.Adam(trainable.parameters(), lr=lr)
    losses = []
    for step in range(steps):
        student_x, image_emb, text_emb = next(batches)
        loss = adip_loss(student(student_x), image_emb, text_emb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if average is not None and step >= average_from:
            average.update_parameters(student)
        if progress and (step + 1) % max(1, steps // 5) == 0:
            progress(f"{phase} step {step + 1}/{steps} loss {_tail_mean(losses):.4f}")
    student.requires_grad_(True)
    return losses


@torch.no_grad()
def _accuracies(
    student: torch.nn.Module,
    teacher: LoadedClip,
    inputs: _Inputs,
    samples: Sequence[Sample],
    text_head: torch.Tensor,
    targets: torch.Tensor,
    device: torch.device,
) -> tuple[float, float]:
    """(student accuracy, teacher zero-shot accuracy) on the same images."""
    student.eval()
    teacher_emb, student_emb = [], []
    loader = DataLoader(ImageDataset(samples, inputs.eval, cache_size=inputs.size), batch_size=64)
    for images, _ in loader:
        teacher_x, student_x = inputs.split(images.to(device))
        teacher_emb.append(teacher.model.encode_image(teacher_x, normalize=True).float())
        student_emb.append(F.normalize(student(student_x).float(), dim=-1))
    return (
        zero_shot_accuracy(torch.cat(student_emb).cpu(), text_head.cpu(), targets),
        zero_shot_accuracy(torch.cat(teacher_emb).cpu(), text_head.cpu(), targets),
    )


def _teacher_fingerprint(teacher_checkpoint: str | Path) -> str:
    path = Path(teacher_checkpoint)
    return file_sha256(path) if path.is_file() else str(teacher_checkpoint)


def distill_student(
    shards_dir: Path,
    teacher_checkpoint: str | Path,
    out_dir: Path,
    config: StudentConfig = StudentConfig(),
    holdout_source: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> StudentResult:
    """Align then distill on the train split of every source but `holdout_source`; report
    student and teacher accuracy in domain (their test split) and out of domain (the held-out
    source). `teacher_checkpoint` is anything `load_clip` accepts. Idempotent like
    `finetune_clip`: the same inputs return the stored `student-<key>.pt`."""
    report = progress or logger.info
    fingerprint = shard_fingerprint(Path(shards_dir))
    settings = {k: v for k, v in asdict(config).items() if k not in _RUNTIME_FIELDS}
    key = config_key(
        {
            **settings,
            "lr": config.learning_rate,
            "shards": fingerprint,
            "teacher": _teacher_fingerprint(teacher_checkpoint),
            "holdout_source": holdout_source,
        }
    )
    checkpoint_path = Path(out_dir) / f"student-{key}.pt"
    summary = cached_summary(checkpoint_path)
    if summary is not None:
        report(f"reusing {checkpoint_path.name}: same config, teacher, shards and holdout")
        return StudentResult(checkpoint_path, summary["metrics"], summary["history"], reused=True)

    with torch_threads(config.num_threads):
        generator = seed_everything(config.seed)
        device = resolve_device(config.device)
        teacher = load_clip(teacher_checkpoint, device=device)
        teacher.model.requires_grad_(False)
        samples = load_samples(Path(shards_dir))
        train, in_domain, out_of_domain = split_for_holdout(samples, holdout_source)
        if not train or not in_domain:
            raise ValueError("need train and test samples from the training sources")
        names = class_names(samples, "label_short")
        index = {n: i for i, n in enumerate(names)}
        text_head = class_text_embeddings(
            teacher.model, teacher.tokenizer, names, device=device
        ).to(device)
        student = Student(config.arch, text_head.shape[1], config.pretrained).to(device)
        inputs = _Inputs(teacher, student, config.image_size)
        loader = DataLoader(
            ImageDataset(train, inputs.train, cache_size=inputs.size),
            batch_size=min(config.batch_size, len(train)),
            shuffle=True,
            drop_last=True,
            generator=generator,
        )
        train_targets = torch.tensor([index[s.label_short] for s in train])
        batches = _batches(loader, inputs, teacher, text_head, train_targets, device)
        started = time.perf_counter()
        align_losses = run_phase(
            student, "align", batches, config.align_steps, config.align_lr, progress=report
        )
        average = AveragedModel(student, use_buffers=True) if config.swad else None
        distill_losses = run_phase(
            student,
            "distill",
            batches,
            config.distill_steps,
            config.learning_rate,
            average=average,
            average_from=int(config.swad_start * config.distill_steps),
            progress=report,
        )
        final = average.module if average is not None else student
        seconds = time.perf_counter() - started

        metrics: dict[str, Any] = {
            "holdout_source": holdout_source,
            "train_sources": sorted({s.source for s in train}),
            "n_train": len(train),
            "classes": len(names),
            "chance": 1 / len(names),
            "align_loss_final": _tail_mean(align_losses),
            "distill_loss_final": _tail_mean(distill_losses),
            "train_seconds": seconds,
        }
        for domain, subset in (("in_domain", in_domain), ("ood", out_of_domain)):
            if not subset:
                continue
            targets = torch.tensor([index[s.label_short] for s in subset])
            student_acc, teacher_acc = _accuracies(
                final, teacher, inputs, subset, text_head, targets, device
            )
            metrics |= {
                f"{domain}_n": len(subset),
                f"student_{domain}_acc": student_acc,
                f"teacher_{domain}_acc": teacher_acc,
            }
    history = [
        {"phase": phase, "step": i + 1, "loss": loss}
        for phase, losses in (("align", align_losses), ("distill", distill_losses))
        for i, loss in enumerate(losses)
    ]
    atomic_torch_save(
        {
            "format": STUDENT_FORMAT,
            "arch": config.arch,
            "image_size": config.image_size,
            "mean": list(inputs.student_norm.mean),
            "std": list(inputs.student_norm.std),
            "state_dict": {k: v.cpu() for k, v in final.state_dict().items()},
            "class_names": names,
            "text_head": text_head.cpu(),
            "config": asdict(config),
            "teacher": str(teacher_checkpoint),
            "holdout_source": holdout_source,
        },
        checkpoint_path,
    )
    summary = {"config": asdict(config), "metrics": metrics, "history": history}
    atomic_write_json(summary, checkpoint_path.with_suffix(".json"))
    report(
        f"saved {checkpoint_path.name}: "
        + ", ".join(
            f"{d} {metrics[f'student_{d}_acc']:.3f} (teacher {metrics[f'teacher_{d}_acc']:.3f})"
            for d in ("in_domain", "ood")
            if f"student_{d}_acc" in metrics
        )
        + f", chance {metrics['chance']:.3f}"
    )
    return StudentResult(checkpoint_path, metrics, history)


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
