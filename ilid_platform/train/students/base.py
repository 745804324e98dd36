"""A vision-only student and the plumbing every distillation objective shares.

The student is a timm backbone f_s plus a linear projection P into the teacher's embedding
space, so whatever objective trains it, it predicts with the teacher's class embeddings.
"""

from __future__ import annotations

from collections.abc import Sequence

import timm
import torch
import torch.nn.functional as F
from torchvision import transforms

from ilid_platform.train.adapt.base import Method
from ilid_platform.train.data import ImageDataset, Sample


class Student(torch.nn.Module):
    """timm backbone f_s plus the linear projection P into the teacher's embedding space."""

    def __init__(self, arch: str, embed_dim: int, pretrained: bool = False) -> None:
        super().__init__()
        self.backbone = timm.create_model(arch, pretrained=pretrained, num_classes=0)
        self.projection = torch.nn.Linear(self.backbone.num_features, embed_dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.projection(self.backbone(x))


class TeacherInputs:
    """One geometric view per image, resized and normalised separately for teacher and
    student: distillation compares both on the same x, but the two models expect different
    resolutions and normalisation statistics."""

    def __init__(self, teacher: Method, student: Student, image_size: int) -> None:
        spec = teacher.input_spec
        data = timm.data.resolve_model_data_config(student.backbone)
        self.teacher = teacher
        self.teacher_size, self.student_size = spec.size, image_size
        self.size = max(self.teacher_size, self.student_size)
        self.teacher_norm = transforms.Normalize(spec.mean, spec.std)
        self.student_norm = transforms.Normalize(data["mean"], data["std"])
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
def student_and_teacher_accuracy(
    student: torch.nn.Module,
    inputs: TeacherInputs,
    samples: Sequence[Sample],
    text_head: torch.Tensor,
    targets: torch.Tensor,
    device: torch.device,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-sample correctness of the student and of the teacher on the same images."""
    student.eval()
    teacher_emb, student_emb = [], []
    dataset = ImageDataset(samples, inputs.eval, cache_size=inputs.size)
    for start in range(0, len(dataset), 64):
        images = torch.stack([dataset[i][0] for i in range(start, min(start + 64, len(dataset)))])
        teacher_x, student_x = inputs.split(images.to(device))
        teacher_emb.append(inputs.teacher.image_features(teacher_x).float())
        student_emb.append(F.normalize(student(student_x).float(), dim=-1))
    head = text_head.cpu()
    student_pred = (torch.cat(student_emb).cpu() @ head.T).argmax(1)
    teacher_pred = (torch.cat(teacher_emb).cpu() @ head.T).argmax(1)
    return student_pred == targets, teacher_pred == targets
