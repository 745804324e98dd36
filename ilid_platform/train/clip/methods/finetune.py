"""Full contrastive fine-tuning, FLYP-style (Goyal et al., CVPR 2023): fine-tune like CLIP
pre-trains, with the contrastive loss between images and their class-prompt captions.

The caption is "a photo of a {finish} {material} {label_short}." (plus any free-text fields);
each field but label_short is dropped with probability `field_dropout` per step, which
teaches the text tower that the bare zero-shot prompt names the same part; label_short itself
is dropped with probability `label_dropout`, so that "a photo of a {material}." (the material
prompt) occurs in training too. The same loss trains a CLIP from scratch, which is how the
offline stand-in for a foundation model is made.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Sequence
from typing import Any, ClassVar

import open_clip
import torch

from ilid_platform.train.clip.methods.base import Method
from ilid_platform.train.clip.models import LoadedClip
from ilid_platform.train.data import DEFAULT_TEXT_FIELDS, Sample, build_caption, check_text_fields
from ilid_platform.train.distributed import current_world


def clip_param_groups(model: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """open_clip_train's rule: no weight decay on gains, biases, norms and the logit scale."""
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        exclude = param.ndim < 2 or any(k in name for k in ("bn", "ln", "bias", "logit_scale"))
        (no_decay if exclude else decay).append(param)
    return [
        {"params": no_decay, "weight_decay": 0.0},
        {"params": decay, "weight_decay": weight_decay},
    ]


class Finetune(Method):
    name: ClassVar[str] = "finetune"
    trains: ClassVar[bool] = True
    whole_model: ClassVar[bool] = True
    lr: ClassVar[float] = 1e-4
    weight_decay: ClassVar[float] = 0.1

    def __init__(
        self,
        clip: LoadedClip,
        classes: Sequence[str],
        text_fields: Sequence[str] = DEFAULT_TEXT_FIELDS,
        field_dropout: float = 0.3,
        label_dropout: float = 0.0,
        seed: int = 0,
        **options: Any,
    ) -> None:
        super().__init__(clip, classes, **options)
        check_text_fields(text_fields)
        if not (0 <= field_dropout < 1 and 0 <= label_dropout < 1):
            raise ValueError("field_dropout and label_dropout must be in [0, 1)")
        self.clip.requires_grad_(True)
        self.text_fields = tuple(text_fields)
        self.field_dropout = field_dropout
        self.label_dropout = label_dropout
        self.seed = seed
        self.loss_fn = open_clip.ClipLoss()
        self._gathering_loss: open_clip.ClipLoss | None = None
        # counts optimiser steps so caption dropout is a function of (seed, step, sample),
        # which keeps a resumed run identical to an uninterrupted one
        self.register_buffer("steps_done", torch.zeros((), dtype=torch.long))

    def param_groups(self, weight_decay: float) -> list[dict[str, Any]]:
        return clip_param_groups(self.clip, weight_decay)

    def caption(self, sample: Sample) -> str:
        rng = random.Random(f"{self.seed}-{int(self.steps_done)}-{sample.id}")

        def kept(field: str) -> bool:
            chance = self.label_dropout if field == "label_short" else self.field_dropout
            return chance == 0 or rng.random() >= chance

        return build_caption(sample, [f for f in self.text_fields if kept(f)] or self.text_fields)

    def loss(self, images: torch.Tensor, samples: Sequence[Sample]) -> torch.Tensor:
        texts = self.tokenizer([self.caption(s) for s in samples]).to(self.device)
        image_features = self.clip.encode_image(images, normalize=True)
        text_features = self.clip.encode_text(texts, normalize=True)
        return self._loss_fn()(image_features, text_features, self.clip.logit_scale.exp())

    def _loss_fn(self) -> open_clip.ClipLoss:
        """Under DDP, training contrasts each rank's images with every rank's texts (open_clip's
        `local_loss` with `gather_with_grad`: the gradient of the whole global batch's loss,
        once DDP averages it). Evaluation and no-grad passes stay local to the rank."""
        world = current_world()
        if world.size == 1 or not (self.training and torch.is_grad_enabled()):
            return self.loss_fn
        if self._gathering_loss is None:
            # open_clip gathers through torch.distributed.nn, which torch deprecates noisily
            warnings.filterwarnings("ignore", message="torch.distributed.nn.functional.all_gather")
            self._gathering_loss = open_clip.ClipLoss(
                local_loss=True, gather_with_grad=True, rank=world.rank, world_size=world.size
            )
        return self._gathering_loss

    def after_step(self) -> None:
        super().after_step()
        self.steps_done += 1
        with torch.no_grad():
            self.clip.logit_scale.clamp_(0, math.log(100))

    def image_features(self, images: torch.Tensor) -> torch.Tensor:
        return self.clip.encode_image(images, normalize=True).float()

    def trained_state(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().cpu() for k, v in self.clip.state_dict().items()}
