"""WiSE-FT (Wortsman et al., CVPR 2022): interpolate the starting and the fine-tuned weights.

theta(alpha) = (1 - alpha) * theta_start + alpha * theta_finetuned; alpha = 0 is the starting
model, 1 the fine-tuned one. alpha is chosen on the validation split and the whole curve is
reported. Fine-tuning is `finetune`'s; given its checkpoint (`finetuned`), none is repeated.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import torch

from ilid_platform.train.clip.methods.base import Validate
from ilid_platform.train.clip.methods.finetune import Finetune
from ilid_platform.train.clip.models import LoadedClip, load_clip

ALPHAS = tuple(round(0.1 * i, 1) for i in range(11))


class WiseFT(Finetune):
    name: ClassVar[str] = "wise_ft"

    def __init__(
        self,
        clip: LoadedClip,
        classes: Sequence[str],
        finetuned: str | Path | None = None,
        **options: Any,
    ) -> None:
        super().__init__(clip, classes, **options)
        self.start = {k: v.detach().clone() for k, v in self.clip.state_dict().items()}
        if finetuned is not None:
            self.clip.load_state_dict(load_clip(finetuned, self.device).model.state_dict())
        self.skip_training = finetuned is not None

    def interpolate(self, alpha: float, end: dict[str, torch.Tensor]) -> None:
        mixed = {}
        for k, start in self.start.items():
            if start.is_floating_point():
                mixed[k] = (1 - alpha) * start + alpha * end[k].to(start.device)
            else:
                mixed[k] = end[k]
        self.clip.load_state_dict(mixed)
        self._head = None

    def tune(
        self, val_features: torch.Tensor, val_targets: torch.Tensor, validate: Validate
    ) -> None:
        end = {k: v.detach().clone() for k, v in self.clip.state_dict().items()}
        curve = []
        for alpha in ALPHAS:
            self.interpolate(alpha, end)
            curve.append((alpha, validate()["label_short_acc"]))
        best = max(curve, key=lambda point: point[1])  # ties: the smaller alpha
        self.interpolate(best[0], end)
        self.tuning = {"alpha": best[0], "alpha_curve_val": [list(p) for p in curve]}
