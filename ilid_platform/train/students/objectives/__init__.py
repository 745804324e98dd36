"""Vision-only students of a CLIP teacher. `OBJECTIVES` are what a config's `objective:` may
name; `build_phases` turns one into the loop tasks that train it, all on the same budget."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from ilid_platform.train.students.objectives.adip import AdipTask
from ilid_platform.train.students.objectives.base import Student, StudentTask, TeacherInputs
from ilid_platform.train.students.objectives.supervised import ErmTask, KdTask

OBJECTIVES = ("erm", "kd", "adip", "adip_image_only")


@dataclass
class Phase:
    name: str
    task: StudentTask
    steps: int
    lr: float


def build_phases(
    objective: str,
    student: Student,
    inputs: TeacherInputs,
    text_head: torch.Tensor,
    classes: Sequence[str],
    align_steps: int,
    distill_steps: int,
    align_lr: float,
    lr: float,
    kd_temperature: float = 4.0,
    seed: int = 0,
) -> list[Phase]:
    """ADiP spends `align_steps` on the projection, then `distill_steps` on the backbone;
    ERM and KD train everything for the same `align_steps + distill_steps`."""
    if objective in ("adip", "adip_image_only"):
        image_only = objective == "adip_image_only"
        return [
            Phase(
                phase,
                AdipTask(student, inputs, text_head, classes, phase, image_only),
                steps,
                rate,
            )
            for phase, steps, rate in (
                ("align", align_steps, align_lr),
                ("distill", distill_steps, lr),
            )
        ]
    steps = align_steps + distill_steps
    if objective == "erm":
        return [
            Phase("train", ErmTask(student, inputs, classes, text_head.shape[1], seed), steps, lr)
        ]
    if objective == "kd":
        task = KdTask(student, inputs, text_head, classes, kd_temperature, seed)
        return [Phase("train", task, steps, lr)]
    raise ValueError(f"unknown objective {objective!r}; choose from {list(OBJECTIVES)}")


__all__ = ["OBJECTIVES", "Phase", "build_phases"]
