"""A vision-only student and the plumbing every distillation objective shares.

The student is a backbone f_s plus a linear projection P into the teacher's embedding
space; it predicts with a class head on its normalised embedding, whatever trained it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import timm
import torch
import torch.nn.functional as F
from torchvision import transforms

from ilid_platform.train.clip.methods.base import Method
from ilid_platform.train.data import ImageDataset, Sample
from ilid_platform.train.loop import InputSpec

TEACHER_ARCH = "teacher"
"""`arch: teacher` starts the student from the teacher's own image tower (white-box setting)."""


class Student(torch.nn.Module):
    """Backbone f_s plus the linear projection P into the teacher's embedding space.

    The backbone is any timm architecture, or (`arch: teacher`) a copy of the teacher's
    image tower with P starting as the identity, so the student starts as the teacher. It
    predicts by `logits`: its L2-normalised embedding against a class head, which is the
    teacher's class-prompt embeddings for ADiP and a learned matrix for ERM and KD.
    """

    def __init__(
        self,
        arch: str,
        embed_dim: int,
        pretrained: bool = False,
        image_tower: torch.nn.Module | None = None,
    ) -> None:
        super().__init__()
        if arch == TEACHER_ARCH:
            if image_tower is None:
                raise ValueError("arch 'teacher' needs the teacher's image tower")
            self.backbone = image_tower
            self.projection = torch.nn.Linear(embed_dim, embed_dim, bias=False)
            with torch.no_grad():
                self.projection.weight.copy_(torch.eye(embed_dim))
        else:
            self.backbone = timm.create_model(arch, pretrained=pretrained, num_classes=0)
            # models with a pre-logits head (MobileNetV3, ...) emit its width, not num_features
            width = getattr(self.backbone, "head_hidden_size", None) or self.backbone.num_features
            self.projection = torch.nn.Linear(width, embed_dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.projection(self.backbone(x))


def eval_transform(size: int, mean: Sequence[float], std: Sequence[float]) -> Callable:
    """How a student sees an image at test time and in deployment (`ilid predict`)."""
    return transforms.Compose(
        [
            transforms.Resize(size, interpolation=transforms.InterpolationMode.BICUBIC),
            transforms.CenterCrop(size),
            transforms.ToTensor(),
            transforms.Normalize(mean, std),
        ]
    )


def student_logits(embedding: torch.Tensor, head: torch.Tensor) -> torch.Tensor:
    """What every student predicts with: its normalised embedding against the class head."""
    return F.normalize(embedding.float(), dim=-1) @ head.T


class TeacherInputs:
    """One geometric view per image, resized and normalised separately for teacher and
    student: distillation compares both on the same x, but the two models expect different
    resolutions and normalisation statistics."""

    def __init__(self, teacher: Method, student: Student, image_size: int, arch: str) -> None:
        spec = teacher.input_spec
        if arch == TEACHER_ARCH:  # the teacher's tower keeps the teacher's input
            image_size, mean, std = spec.size, spec.mean, spec.std
        else:
            data = timm.data.resolve_model_data_config(student.backbone)
            mean, std = data["mean"], data["std"]
        self.teacher = teacher
        self.teacher_size, self.student_size = spec.size, image_size
        self.size = max(self.teacher_size, self.student_size)
        self.teacher_norm = transforms.Normalize(spec.mean, spec.std)
        self.student_norm = transforms.Normalize(mean, std)
        self.student_eval = eval_transform(image_size, mean, std)
        bicubic = transforms.InterpolationMode.BICUBIC
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


@torch.no_grad()
def student_and_teacher_predictions(
    student: torch.nn.Module,
    inputs: TeacherInputs,
    samples: Sequence[Sample],
    student_head: torch.Tensor,
    text_head: torch.Tensor,
    device: torch.device,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-sample predicted class of the student (with its own head, seeing each image as it
    will in deployment) and of the teacher (with its class-prompt embeddings)."""
    student.eval()
    teacher_emb, student_emb = [], []
    teacher_data = ImageDataset(samples, inputs.eval, cache_size=inputs.size, deterministic=True)
    student_data = ImageDataset(samples, inputs.student_eval, deterministic=True)
    for start in range(0, len(samples), 64):
        indices = range(start, min(start + 64, len(samples)))
        images = torch.stack([teacher_data[i][0] for i in indices]).to(device)
        teacher_x, _ = inputs.split(images)
        teacher_emb.append(inputs.teacher.image_features(teacher_x).float().cpu())
        student_x = torch.stack([student_data[i][0] for i in indices]).to(device)
        student_emb.append(student(student_x).float().cpu())
    student_pred = student_logits(torch.cat(student_emb), student_head.cpu()).argmax(1)
    teacher_pred = (torch.cat(teacher_emb) @ text_head.cpu().T).argmax(1)
    return student_pred, teacher_pred


class StudentTask:
    """The loop's side of a student objective: the module, what trains, the loss.

    Subclasses set `trainable` (the modules the phase trains) and implement `loss` and
    `head` (the class head the student predicts with).
    """

    def __init__(self, student: Student, inputs: TeacherInputs, classes: Sequence[str]) -> None:
        self.student = student
        self.inputs = inputs
        self.index = {name: i for i, name in enumerate(classes)}
        self.input_spec = InputSpec(inputs.size)  # [0, 1] pixels; each model normalises its own
        self.module: torch.nn.Module = student
        self.trainable: list[torch.nn.Module] = [student]

    def freeze_all_but_trainable(self) -> None:
        self.module.requires_grad_(False)
        for part in self.trainable:
            part.requires_grad_(True)

    def param_groups(self, weight_decay: float) -> list[dict[str, Any]]:
        params = [p for part in self.trainable for p in part.parameters()]
        return [{"params": params, "weight_decay": weight_decay}]

    def train_mode(self) -> None:
        self.module.train()

    def after_step(self) -> None:
        pass

    def targets(self, samples: Sequence[Sample]) -> torch.Tensor:
        device = self.student.projection.weight.device
        return torch.tensor([self.index[s.label_short] for s in samples], device=device)

    def teacher_image_embeddings(self, teacher_x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return self.inputs.teacher.image_features(teacher_x).float()

    def head(self) -> torch.Tensor:
        raise NotImplementedError

    def loss(self, images: torch.Tensor, samples: Sequence[Sample]) -> torch.Tensor:
        raise NotImplementedError


def validation(
    task: StudentTask, samples: Sequence[Sample], device: torch.device, batch_size: int = 64
) -> Callable[[], dict[str, float]]:
    """The task's loss (what SWAD watches) and the student's accuracy on held-in val images."""
    dataset = ImageDataset(
        samples, task.inputs.eval, cache_size=task.inputs.size, deterministic=True
    )

    @torch.no_grad()
    def validate() -> dict[str, float]:
        total, hits = 0.0, 0
        for start in range(0, len(dataset), batch_size):
            indices = range(start, min(start + batch_size, len(dataset)))
            images = torch.stack([dataset[i][0] for i in indices]).to(device)
            batch = [samples[i] for i in indices]
            total += task.loss(images, batch).item() * len(batch)
            _, student_x = task.inputs.split(images)
            predicted = student_logits(task.student(student_x), task.head()).argmax(1)
            hits += int((predicted == task.targets(batch)).sum())
        return {"loss": total / len(dataset), "acc": hits / len(dataset)}

    return validate
