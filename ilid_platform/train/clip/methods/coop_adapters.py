"""CoOp with ILID's residual adapters: on the image features, or on image and text features.

ILID's code adds `clip_adapter.Adapter` (reduction 4) after each encoder and trains it
together with the prompt context; the image-only variant is its CoOp-IA, the other CoOp-IA-TA.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch

from ilid_platform.train.clip.methods.clip_adapter import Adapter, embed_dim
from ilid_platform.train.clip.methods.coop import N_CTX, CoOp
from ilid_platform.train.clip.models import LoadedClip


class CoOpAdapters(CoOp):
    name: ClassVar[str] = "coop_adapters"
    text_adapter_on: ClassVar[bool] = True

    def __init__(
        self,
        clip: LoadedClip,
        classes: Sequence[str],
        n_ctx: int = N_CTX,
        reduction: int = 4,
        ratio: float = 0.2,
        **options: Any,
    ) -> None:
        super().__init__(clip, classes, n_ctx, **options)
        dim = embed_dim(clip)
        self.image_adapter = Adapter(dim, reduction, ratio).to(self.device)
        self.text_adapter = (
            Adapter(dim, reduction, ratio).to(self.device) if self.text_adapter_on else None
        )

    def image_features(self, images: torch.Tensor) -> torch.Tensor:
        return self.image_adapter(self.base_features(images))

    def class_embeddings(self, names: Sequence[str]) -> torch.Tensor | None:
        text = self.prompt_embeddings(names)
        return self.text_adapter(text) if self.text_adapter is not None else text


class CoOpImageAdapter(CoOpAdapters):
    name: ClassVar[str] = "coop_image_adapter"
    text_adapter_on: ClassVar[bool] = False
