"""LoRA (Hu et al., ICLR 2022) on the attention and MLP projections of both towers.

W' = W + (alpha / r) * B A, with B initialised to zero so training starts at the base model;
CLIP-LoRA (Zanella and Ben Ayed, CVPRW 2024) trains it with cross-entropy over the class
prompts, as here. A small parametrization instead of `peft`: open_clip's attention reads its
projection weights directly (`nn.MultiheadAttention.in_proj_weight`, and the ResNet tower's
`AttentionPool2d` passes `q_proj.weight` etc. to `F.multi_head_attention_forward`), so
module-wrapping adapters like peft's never see those calls (measured: no gradient reaches a
peft LoRA on the attention pool). A parametrization changes the weight itself, so every read
sees W + BA, and merging is `remove_parametrizations`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch.nn.utils import parametrize

from ilid_platform.train.clip.methods.base import Method
from ilid_platform.train.clip.models import LoadedClip

# Linear layers by name: attention projections (q/k/v/c_proj of the ResNet attention pool,
# out_proj of nn.MultiheadAttention) and the transformer MLP (c_fc, c_proj).
LINEAR_TARGETS = re.compile(r"(^|\.)(q_proj|k_proj|v_proj|c_proj|out_proj|c_fc)$")


class LowRankDelta(torch.nn.Module):
    """The parametrization W -> W + scale * B A."""

    def __init__(self, out_features: int, in_features: int, rank: int, alpha: float) -> None:
        super().__init__()
        self.A = torch.nn.Parameter(torch.empty(rank, in_features))
        self.B = torch.nn.Parameter(torch.zeros(out_features, rank))
        torch.nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        self.scale = alpha / rank

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        return weight + self.scale * (self.B @ self.A).to(weight.dtype)


def lora_targets(model: torch.nn.Module) -> list[tuple[torch.nn.Module, str, str]]:
    """(module, weight attribute, qualified name) for every adapted projection."""
    targets = []
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.MultiheadAttention) and module.in_proj_weight is not None:
            targets.append((module, "in_proj_weight", f"{name}.in_proj_weight"))
        elif isinstance(module, torch.nn.Linear) and LINEAR_TARGETS.search(name):
            targets.append((module, "weight", f"{name}.weight"))
    return targets


def add_lora(model: torch.nn.Module, rank: int, alpha: float) -> list[str]:
    """Freeze `model` and add a trainable low-rank delta to each target; returns their names."""
    model.requires_grad_(False)
    names = []
    for module, attr, name in lora_targets(model):
        weight = getattr(module, attr)
        delta = LowRankDelta(weight.shape[0], weight.shape[1], rank, alpha).to(weight.device)
        parametrize.register_parametrization(module, attr, delta)
        names.append(name)
    return names


def merge_lora(model: torch.nn.Module) -> None:
    """Fold every delta into its weight, leaving a plain open_clip model."""
    for module in list(model.modules()):
        if parametrize.is_parametrized(module):
            for attr in list(module.parametrizations):
                parametrize.remove_parametrizations(module, attr, leave_parametrized=True)


class LoRA(Method):
    name: ClassVar[str] = "lora"
    trains: ClassVar[bool] = True
    whole_model: ClassVar[bool] = True
    lr: ClassVar[float] = 1e-3

    def __init__(
        self,
        clip: LoadedClip,
        classes: Sequence[str],
        rank: int = 4,
        alpha: float = 8.0,
        **options: Any,
    ) -> None:
        super().__init__(clip, classes, **options)
        self.adapted = add_lora(self.clip, rank, alpha)
        if not any(n.startswith("visual.") for n in self.adapted) or not any(
            not n.startswith("visual.") for n in self.adapted
        ):
            raise TypeError("LoRA found no attention/MLP projections in one of the towers")

    def train_mode(self) -> None:
        """Only the deltas train; the CLIP stays in eval mode, so BatchNorm statistics of a
        ResNet tower do not move."""
        self.train()
        self.clip.eval()

    def image_features(self, images: torch.Tensor) -> torch.Tensor:
        return self.clip.encode_image(images, normalize=True).float()

    def export_clip(self) -> torch.nn.Module:
        merge_lora(self.clip)
        return self.clip
