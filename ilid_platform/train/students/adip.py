"""VL2V-ADiP (Addepalli et al., CVPR 2024) as loop tasks: align, then distill.

Align trains only the linear projection P from student features into CLIP space (the
backbone frozen, BatchNorm statistics included); distill freezes P and trains the backbone.
Both minimise -(1/2) [cos(P(f_s(x)), I_t(x)) + cos(P(f_s(x)), T_t(y))], and the student
predicts with the teacher's class-prompt embeddings as a zero-shot head.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import torch
import torch.nn.functional as F

from ilid_platform.train.data import Sample
from ilid_platform.train.loop import InputSpec, LoopConfig, fit
from ilid_platform.train.students.base import Student, TeacherInputs

Phase = Literal["align", "distill"]


def adip_loss(
    student_emb: torch.Tensor, teacher_image_emb: torch.Tensor, teacher_text_emb: torch.Tensor
) -> torch.Tensor:
    """-(1/2)[cos(s, I_t) + cos(s, T_t)], averaged over the batch."""
    image_term = F.cosine_similarity(student_emb, teacher_image_emb, dim=-1)
    text_term = F.cosine_similarity(student_emb, teacher_text_emb, dim=-1)
    return -0.5 * (image_term + text_term).mean()


class AdipTask:
    """One phase of VL2V-ADiP for `loop.fit`; the teacher sees the same augmented view."""

    def __init__(
        self,
        student: Student,
        inputs: TeacherInputs,
        text_head: torch.Tensor,
        classes: Sequence[str],
        phase: Phase,
    ) -> None:
        self.module = student
        self.inputs = inputs
        self.text_head = text_head
        self.index = {name: i for i, name in enumerate(classes)}
        self.phase = phase
        self.input_spec = InputSpec(inputs.size)  # [0, 1] pixels; each model normalises its own
        student.requires_grad_(False)
        self.trainable = student.projection if phase == "align" else student.backbone
        self.trainable.requires_grad_(True)

    def param_groups(self, weight_decay: float) -> list[dict[str, Any]]:
        return [{"params": list(self.trainable.parameters()), "weight_decay": weight_decay}]

    def train_mode(self) -> None:
        self.module.train()
        if self.phase == "align":
            self.module.backbone.eval()

    def after_step(self) -> None:
        pass

    def loss(self, images: torch.Tensor, samples: Sequence[Sample]) -> torch.Tensor:
        teacher_x, student_x = self.inputs.split(images)
        with torch.no_grad():
            image_emb = self.inputs.teacher.image_features(teacher_x).float()
        targets = torch.tensor([self.index[s.label_short] for s in samples], device=images.device)
        return adip_loss(self.module(student_x).float(), image_emb, self.text_head[targets])


def train_adip(
    student: Student,
    inputs: TeacherInputs,
    text_head: torch.Tensor,
    classes: Sequence[str],
    train: Sequence[Sample],
    config: Any,
    device: torch.device,
    progress: Any = None,
) -> list[dict[str, Any]]:
    """Align, then distill (optionally with SWAD weight averaging); returns the history."""
    history: list[dict[str, Any]] = []
    for phase, steps, lr, average_from in (
        ("align", config.align_steps, config.align_lr, None),
        (
            "distill",
            config.distill_steps,
            config.learning_rate,
            config.swad_start if config.swad else None,
        ),
    ):
        task = AdipTask(student, inputs, text_head, classes, phase)
        loop = LoopConfig(
            steps=steps,
            batch_size=config.batch_size,
            lr=lr,
            optimizer="adam",
            schedule="constant",
            validate_every=max(1, steps // 5),
            average_from=average_from,
            seed=config.seed,
        )
        result = fit(
            task,
            train,
            loop,
            device,
            progress=(lambda line, p=phase: progress(f"{p} {line}")) if progress else None,
        )
        history += [{"phase": phase, **entry} for entry in result.history]
    student.requires_grad_(True)
    return history
