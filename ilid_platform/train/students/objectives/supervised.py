"""The baselines VL2V-ADiP is measured against: ERM and knowledge distillation (KD).

Both train the whole student (backbone and projection) with a learned class head on its
L2-normalised embedding, so they differ from ADiP only in their objective, not in what the
student can represent:

* `erm`: cross-entropy on the label_short classes; no teacher.
* `kd` (Hinton et al., 2015): KL divergence from the teacher's zero-shot class distribution
  (its image embedding against its class-prompt embeddings, at its own logit scale), both
  softened by a temperature T and scaled by T² so gradients keep their size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

from ilid_platform.train.data import Sample
from ilid_platform.train.students.objectives.base import (
    Student,
    StudentTask,
    TeacherInputs,
    student_logits,
)


class LearnedHead(torch.nn.Module):
    """A linear classifier on the normalised embedding (no bias), stored as the class head."""

    def __init__(self, classes: int, embed_dim: int, seed: int = 0) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        weight = torch.randn(classes, embed_dim, generator=generator) / embed_dim**0.5
        self.weight = torch.nn.Parameter(weight)


class ErmTask(StudentTask):
    def __init__(
        self,
        student: Student,
        inputs: TeacherInputs,
        classes: Sequence[str],
        embed_dim: int,
        seed: int = 0,
    ) -> None:
        super().__init__(student, inputs, classes)
        device = student.projection.weight.device
        self.class_head = LearnedHead(len(classes), embed_dim, seed).to(device)
        self.module = torch.nn.ModuleDict({"student": student, "head": self.class_head})
        self.trainable = [student, self.class_head]

    def param_groups(self, weight_decay: float) -> list[dict[str, Any]]:
        """The fresh head learns 10x faster: a cosine classifier needs rows of norm ~10-30
        to be confident, which Adam at the backbone's rate takes most of a run to reach."""
        return [
            {"params": list(self.student.parameters()), "weight_decay": weight_decay},
            {"params": [self.class_head.weight], "weight_decay": 0.0, "lr_scale": 10.0},
        ]

    def head(self) -> torch.Tensor:
        return self.class_head.weight

    def logits(self, student_x: torch.Tensor) -> torch.Tensor:
        return student_logits(self.student(student_x), self.class_head.weight)

    def loss(self, images: torch.Tensor, samples: Sequence[Sample]) -> torch.Tensor:
        _, student_x = self.inputs.split(images)
        return F.cross_entropy(self.logits(student_x), self.targets(samples))


class KdTask(ErmTask):
    def __init__(
        self,
        student: Student,
        inputs: TeacherInputs,
        text_head: torch.Tensor,
        classes: Sequence[str],
        temperature: float,
        seed: int = 0,
    ) -> None:
        super().__init__(student, inputs, classes, text_head.shape[1], seed)
        if temperature <= 0:
            raise ValueError("kd_temperature must be positive")
        self.text_head = text_head
        self.temperature = temperature

    def loss(self, images: torch.Tensor, samples: Sequence[Sample]) -> torch.Tensor:
        teacher_x, student_x = self.inputs.split(images)
        scale = self.inputs.teacher.logit_scale()
        teacher_logits = scale * self.teacher_image_embeddings(teacher_x) @ self.text_head.T
        t = self.temperature
        return (t * t) * F.kl_div(
            F.log_softmax(self.logits(student_x) / t, dim=-1),
            F.log_softmax(teacher_logits / t, dim=-1),
            log_target=True,
            reduction="batchmean",
        )
