"""Linear probe on frozen image features, initialised from the zero-shot head (CLAP).

Silva-Rodriguez et al. (CVPR 2024, "A Closer Look at the Few-Shot Adaptation of Large
Vision-Language Models") start the probe at the text embeddings of the class prompts and
keep each class's weights near them with a penalty whose strength is that class's zero-shot
confidence on the support set: a class zero-shot already gets right moves little.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
import torch.nn.functional as F

from ilid_platform.train.clip.methods.base import Method
from ilid_platform.train.clip.models import LoadedClip
from ilid_platform.train.data import Sample


class LinearProbe(Method):
    name: ClassVar[str] = "linear_probe"
    trains: ClassVar[bool] = True
    needs_features: ClassVar[bool] = True
    lr: ClassVar[float] = 1e-3

    def __init__(self, clip: LoadedClip, classes: Sequence[str], **options: Any) -> None:
        super().__init__(clip, classes, **options)
        with torch.no_grad():
            head = super().class_embeddings(self.classes)
        self.weight = torch.nn.Parameter(head.clone())
        self.register_buffer("anchor", head.clone())
        self.register_buffer("penalty", torch.zeros(len(self.classes), device=head.device))

    def prepare(self, features: torch.Tensor, targets: torch.Tensor) -> None:
        """CLAP's class-adaptive multipliers: mean zero-shot probability of the true class."""
        with torch.no_grad():
            probs = (self.logit_scale() * features @ self.anchor.T).softmax(dim=1)
            for c in range(len(self.classes)):
                mask = targets == c
                self.penalty[c] = probs[mask, c].mean() if mask.any() else 0.0

    def text_head(self) -> torch.Tensor:
        return F.normalize(self.weight, dim=-1)

    def loss(self, images: torch.Tensor, samples: Sequence[Sample]) -> torch.Tensor:
        ce = super().loss(images, samples)
        drift = ((self.weight - self.anchor) ** 2).sum(dim=1)
        return ce + (self.penalty * drift).sum()

    def class_embeddings(self, names: Sequence[str]) -> torch.Tensor | None:
        return self.text_head() if list(names) == self.classes else None

    def encode_text(self, texts: Sequence[str]) -> torch.Tensor | None:
        return None
