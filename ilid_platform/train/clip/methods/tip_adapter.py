"""Tip-Adapter and Tip-Adapter-F (Zhang et al., ECCV 2022): a key-value cache of the shots.

Keys are the frozen image features of the training shots, values their one-hot labels; a
test feature f adds alpha * exp(-beta * (1 - f K^T)) V to the zero-shot logits. Tip-Adapter
needs no training; -F fine-tunes the keys. Both search alpha and beta on the validation
split, as the paper does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
import torch.nn.functional as F

from ilid_platform.train.clip.methods.base import Method, Validate
from ilid_platform.train.clip.models import LoadedClip

ALPHAS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
BETAS = (0.5, 1.0, 2.0, 3.5, 5.5, 8.0, 12.0)


class TipAdapter(Method):
    name: ClassVar[str] = "tip_adapter"
    needs_features: ClassVar[bool] = True

    def __init__(
        self,
        clip: LoadedClip,
        classes: Sequence[str],
        alpha: float = 1.0,
        beta: float = 5.5,
        **options: Any,
    ) -> None:
        super().__init__(clip, classes, **options)
        dim = int(clip.model.text_projection.shape[-1])
        self.keys = torch.nn.Parameter(
            torch.zeros(0, dim, device=self.device), requires_grad=self.trains
        )
        self.register_buffer("values", torch.zeros(0, len(self.classes), device=self.device))
        self.register_buffer("alpha", torch.tensor(alpha, device=self.device))
        self.register_buffer("beta", torch.tensor(beta, device=self.device))

    def prepare(self, features: torch.Tensor, targets: torch.Tensor) -> None:
        self.keys = torch.nn.Parameter(features.detach().clone(), requires_grad=self.trains)
        self.values = F.one_hot(targets, len(self.classes)).float()

    def _load_from_state_dict(self, state_dict: dict, prefix: str, *args: Any) -> None:
        """A saved cache has as many keys as the run had shots; resize before loading."""
        if prefix + "keys" in state_dict:
            self.keys = torch.nn.Parameter(
                torch.empty_like(state_dict[prefix + "keys"], device=self.device),
                requires_grad=self.trains,
            )
            self.values = torch.empty_like(state_dict[prefix + "values"], device=self.device)
        super()._load_from_state_dict(state_dict, prefix, *args)

    def cache_logits(self, features: torch.Tensor) -> torch.Tensor:
        affinity = features @ F.normalize(self.keys, dim=-1).T
        return torch.exp(-self.beta * (1 - affinity)) @ self.values

    def classify(self, features: torch.Tensor) -> torch.Tensor:
        zero_shot = self.logit_scale() * features @ self.text_head().T
        return zero_shot + self.alpha * self.cache_logits(features)

    def tune(
        self, val_features: torch.Tensor, val_targets: torch.Tensor, validate: Validate
    ) -> None:
        with torch.no_grad():
            zero_shot = self.logit_scale() * val_features @ self.text_head().T
            affinity = val_features @ F.normalize(self.keys, dim=-1).T
            best = (-1.0, float(self.alpha), float(self.beta))
            for beta in BETAS:
                cache = torch.exp(-beta * (1 - affinity)) @ self.values
                for alpha in ALPHAS:
                    predictions = (zero_shot + alpha * cache).argmax(1)
                    acc = (predictions == val_targets).float().mean().item()
                    best = max(best, (acc, alpha, beta), key=lambda b: b[0])
        self.alpha.fill_(best[1])
        self.beta.fill_(best[2])
        self.tuning = {"alpha": best[1], "beta": best[2], "val_acc": best[0]}

    def class_embeddings(self, names: Sequence[str]) -> torch.Tensor | None:
        return super().class_embeddings(names) if list(names) == self.classes else None

    def encode_text(self, texts: Sequence[str]) -> torch.Tensor | None:
        return None


class TipAdapterF(TipAdapter):
    name: ClassVar[str] = "tip_adapter_f"
    trains: ClassVar[bool] = True
    lr: ClassVar[float] = 1e-3
