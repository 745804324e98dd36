"""Zero-shot CLIP: no training, "a photo of a {class}." prompts. The baseline of every table."""

from __future__ import annotations

from typing import ClassVar

from ilid_platform.train.clip.methods.base import Method


class ZeroShot(Method):
    name: ClassVar[str] = "zero_shot"
    whole_model: ClassVar[bool] = True
