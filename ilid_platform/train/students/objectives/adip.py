"""VL2V-ADiP (Addepalli et al., CVPR 2024) as loop tasks: align, then distill.

Align trains only the linear projection P from student features into CLIP space (the
backbone frozen, BatchNorm statistics included); distill freezes P and trains the backbone.
Both minimise -(1/2) [cos(P(f_s(x)), I_t(x)) + cos(P(f_s(x)), T_t(y))], and the student
predicts with the teacher's class-prompt embeddings as a zero-shot head. The ablation
`adip_image_only` drops the text term: -cos(P(f_s(x)), I_t(x)).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
import torch.nn.functional as F

from ilid_platform.train.data import Sample
from ilid_platform.train.students.objectives.base import Student, StudentTask, TeacherInputs

Phase = Literal["align", "distill"]


def adip_loss(
    student_emb: torch.Tensor,
    teacher_image_emb: torch.Tensor,
    teacher_text_emb: torch.Tensor | None,
) -> torch.Tensor:
    """-(1/2)[cos(s, I_t) + cos(s, T_t)] averaged over the batch; -cos(s, I_t) without text."""
    image_term = F.cosine_similarity(student_emb, teacher_image_emb, dim=-1)
    if teacher_text_emb is None:
        return -image_term.mean()
    text_term = F.cosine_similarity(student_emb, teacher_text_emb, dim=-1)
    return -0.5 * (image_term + text_term).mean()


class AdipTask(StudentTask):
    """One phase of VL2V-ADiP for `loop.fit`; the teacher sees the same augmented view."""

    def __init__(
        self,
        student: Student,
        inputs: TeacherInputs,
        text_head: torch.Tensor,
        classes: Sequence[str],
        phase: Phase,
        image_only: bool = False,
    ) -> None:
        super().__init__(student, inputs, classes)
        self.text_head = text_head
        self.phase = phase
        self.image_only = image_only
        self.trainable = [student.projection if phase == "align" else student.backbone]

    def train_mode(self) -> None:
        self.module.train()
        if self.phase == "align":
            self.student.backbone.eval()

    def head(self) -> torch.Tensor:
        return self.text_head

    def loss(self, images: torch.Tensor, samples: Sequence[Sample]) -> torch.Tensor:
        teacher_x, student_x = self.inputs.split(images)
        image_emb = self.teacher_image_embeddings(teacher_x)
        text_emb = None if self.image_only else self.text_head[self.targets(samples)]
        return adip_loss(self.student(student_x).float(), image_emb, text_emb)


def adip_phases(
    student: Student,
    inputs: TeacherInputs,
    text_head: torch.Tensor,
    classes: Sequence[str],
    image_only: bool = False,
) -> list[StudentTask]:
    return [
        AdipTask(student, inputs, text_head, classes, phase, image_only)
        for phase in ("align", "distill")
    ]
