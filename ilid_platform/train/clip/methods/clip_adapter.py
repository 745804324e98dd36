"""CLIP-Adapter (Gao et al., IJCV 2024): a residual bottleneck MLP on the image features.

f' = r * A(f) + (1 - r) * f with A = Linear(d, d/4) -> ReLU -> Linear(d/4, d) -> ReLU, no
biases, as in ILID's code; r = 0.2 for images. The text side stays the zero-shot head.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
import torch.nn.functional as F

from ilid_platform.train.clip.methods.base import Method
from ilid_platform.train.clip.models import LoadedClip


class Adapter(torch.nn.Module):
    """ILID's residual adapter: a bias-free bottleneck, blended into its input by `ratio`."""

    def __init__(self, dim: int, reduction: int = 4, ratio: float = 0.2) -> None:
        super().__init__()
        self.ratio = ratio
        self.fc = torch.nn.Sequential(
            torch.nn.Linear(dim, dim // reduction, bias=False),
            torch.nn.ReLU(),
            torch.nn.Linear(dim // reduction, dim, bias=False),
            torch.nn.ReLU(),
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        mixed = self.ratio * self.fc(features) + (1 - self.ratio) * features
        return F.normalize(mixed, dim=-1)


def embed_dim(clip: LoadedClip) -> int:
    return int(clip.model.text_projection.shape[-1])


class ClipAdapter(Method):
    name: ClassVar[str] = "clip_adapter"
    trains: ClassVar[bool] = True
    lr: ClassVar[float] = 1e-3

    def __init__(
        self,
        clip: LoadedClip,
        classes: Sequence[str],
        reduction: int = 4,
        ratio: float = 0.2,
        **options: Any,
    ) -> None:
        super().__init__(clip, classes, **options)
        self.image_adapter = Adapter(embed_dim(clip), reduction, ratio).to(self.device)

    def image_features(self, images: torch.Tensor) -> torch.Tensor:
        return self.image_adapter(self.base_features(images))
