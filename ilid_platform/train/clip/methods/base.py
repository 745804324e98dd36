"""What every CLIP adaptation method is: trainable parameters, a loss, and a classifier.

A method wraps a (frozen unless it says otherwise) open_clip model. The training loop sees
it as a `loop.Task`; evaluation sees it as an `evaluate.Classifier`. Everything else (data,
optimiser, schedule, AMP, selection, saving) lives in the loop and the entry points, so a
method module holds only what is particular to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import torch
import torch.nn.functional as F

from ilid_platform.train.clip.evaluate import class_text_embeddings, encode_texts
from ilid_platform.train.clip.models import LoadedClip, image_size
from ilid_platform.train.data import ZERO_SHOT_TEMPLATES, Sample
from ilid_platform.train.loop import InputSpec

Validate = Callable[[], dict[str, float]]


class Method(torch.nn.Module):
    """Base: zero-shot CLIP. Subclasses add parameters and override the pieces they change.

    Class attributes say how a method is run: `trains` (False: no optimiser steps at all),
    `lr` and `weight_decay` (its defaults; a config may override), `whole_model` (the result
    is a plain CLIP model, saved and reloaded as one), `needs_features` (gets the frozen
    training features before training, for a cache or an initialisation).
    """

    name: ClassVar[str] = "zero_shot"
    trains: ClassVar[bool] = False
    lr: ClassVar[float] = 1e-3
    weight_decay: ClassVar[float] = 0.0
    whole_model: ClassVar[bool] = False
    needs_features: ClassVar[bool] = False

    def __init__(self, clip: LoadedClip, classes: Sequence[str], **options: Any) -> None:
        super().__init__()
        if options:
            raise TypeError(f"{self.name} takes no options {sorted(options)}")
        self.clip = clip.model
        self.clip.requires_grad_(False)
        self.tokenizer = clip.tokenizer
        self.model_name = clip.model_name
        self.classes = list(classes)
        self._index = {name: i for i, name in enumerate(self.classes)}
        cfg = clip.model.visual.preprocess_cfg
        self.input_spec = InputSpec(image_size(clip.model), tuple(cfg["mean"]), tuple(cfg["std"]))
        self.eval_transform = clip.preprocess
        self._head: torch.Tensor | None = None
        self.tuning: dict[str, Any] = {}  # what `tune` chose on validation, for the report

    # ---- the loop's side (loop.Task) ----
    @property
    def module(self) -> torch.nn.Module:
        return self

    @property
    def device(self) -> torch.device:
        return self.clip.logit_scale.device

    def param_groups(self, weight_decay: float) -> list[dict[str, Any]]:
        params = [p for p in self.parameters() if p.requires_grad]
        return [{"params": params, "weight_decay": weight_decay}]

    def train_mode(self) -> None:
        """Trainable parts train; the frozen CLIP stays in eval (its BatchNorm statistics too)."""
        self.train()
        if not any(p.requires_grad for p in self.clip.parameters()):
            self.clip.eval()

    def after_step(self) -> None:
        self._head = None

    def load_state_dict(self, state_dict: Any, strict: bool = True, assign: bool = False) -> Any:
        """Loading weights (the loop restoring the selected step) invalidates the cached head."""
        self._head = None
        return super().load_state_dict(state_dict, strict=strict, assign=assign)

    def targets(self, samples: Sequence[Sample]) -> torch.Tensor:
        return torch.tensor([self._index[s.label_short] for s in samples], device=self.device)

    def loss(self, images: torch.Tensor, samples: Sequence[Sample]) -> torch.Tensor:
        """Cross-entropy of the method's classifier over the label_short classes."""
        logits = self.classify(self.image_features(images))
        return F.cross_entropy(logits.float(), self.targets(samples))

    def prepare(self, features: torch.Tensor, targets: torch.Tensor) -> None:
        """Called with the frozen image features of the training set when `needs_features`."""

    def tune(
        self, val_features: torch.Tensor, val_targets: torch.Tensor, validate: Validate
    ) -> None:
        """After training: pick post-hoc hyperparameters on the validation split."""

    # ---- the classifier's side (evaluate.Classifier) ----
    def base_features(self, images: torch.Tensor) -> torch.Tensor:
        """The frozen CLIP's L2-normalised image features."""
        with torch.no_grad():
            return self.clip.encode_image(images, normalize=True).float()

    def image_features(self, images: torch.Tensor) -> torch.Tensor:
        return self.base_features(images)

    def logit_scale(self) -> torch.Tensor:
        return self.clip.logit_scale.exp().float()

    def text_head(self) -> torch.Tensor:
        """Class embeddings of the trained classes; cached between optimiser steps."""
        if self._head is None or self.training:
            head = self.class_embeddings(self.classes)
            if head is None:
                raise NotImplementedError(f"{self.name} must override classify")
            if self.training:
                return head
            self._head = head
        return self._head

    def classify(self, features: torch.Tensor) -> torch.Tensor:
        return self.logit_scale() * features @ self.text_head().T

    def class_embeddings(self, names: Sequence[str]) -> torch.Tensor | None:
        """Text head for any class names (another field's zero-shot); None if the method can
        only classify its own classes."""
        return class_text_embeddings(
            self.clip, self.tokenizer, names, ZERO_SHOT_TEMPLATES, self.device
        )

    def encode_text(self, texts: Sequence[str]) -> torch.Tensor | None:
        """Free-text embeddings for retrieval; None where the method has no text encoder of
        its own beyond class prompts."""
        return encode_texts(self.clip, self.tokenizer, texts, device=self.device)

    # ---- persistence ----
    def trained_state(self) -> dict[str, torch.Tensor]:
        """What a checkpoint must store besides the base model: everything outside `clip.`."""
        return {
            k: v.detach().cpu() for k, v in self.state_dict().items() if not k.startswith("clip.")
        }

    def export_clip(self) -> torch.nn.Module:
        """The adapted weights as one open_clip model (`whole_model` methods only)."""
        if not self.whole_model:
            raise TypeError(f"{self.name} is not a whole-model method")
        return self.clip
