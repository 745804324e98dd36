"""Run one adaptation method end to end, and save or reload what it produced.

Every method goes through the same steps: build it on the starting CLIP, hand it the frozen
training features if it wants them, train it in the one loop with selection on validation,
let it tune post-hoc settings on validation, and evaluate it on test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from ilid_platform.train.batches import ShardStream
from ilid_platform.train.clip.evaluate import evaluate_method, image_features
from ilid_platform.train.clip.methods import METHODS, Method
from ilid_platform.train.clip.methods.zero_shot import ZeroShot
from ilid_platform.train.clip.models import (
    CHECKPOINT_FORMAT,
    clip_payload,
    load_clip,
    read_checkpoint,
)
from ilid_platform.train.data import DEFAULT_TEXT_FIELDS, ImageDataset, Sample
from ilid_platform.train.distributed import current_world
from ilid_platform.train.loop import LoopConfig, fit

ADAPTED_FORMAT = "ilid-adapted-clip/1"
SELECT_ON = "label_short_acc"


@dataclass
class MethodRun:
    method: Method
    metrics: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)


def build_method(
    name: str, base: str | Path, classes: Sequence[str], device: torch.device, **options: Any
) -> Method:
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; choose one of {sorted(METHODS)}")
    return METHODS[name](load_clip(base, device), classes, **options).to(device)


def run_method(
    method: Method,
    train: Sequence[Sample] | ShardStream,
    val: Sequence[Sample],
    test: Sequence[Sample],
    classes: Mapping[str, Sequence[str]],
    loop: LoopConfig,
    device: torch.device,
    text_fields: Sequence[str] = DEFAULT_TEXT_FIELDS,
    state_path: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> MethodRun:
    """Prepare, train (if the method trains), tune on val, evaluate on test.

    `train` may be a `ShardStream` for methods that need no training features. Under
    torchrun every rank trains; rank 0 alone measures, tunes and evaluates, and the other
    ranks return no metrics.
    """
    if not train or not test:
        raise ValueError("need training and test samples")
    main = current_world().main
    size = method.input_spec.size
    val_data = (
        ImageDataset(val, method.eval_transform, cache_size=size, deterministic=True)
        if val
        else None
    )
    val_targets = method.targets(val) if val else None

    def validate() -> dict[str, float]:
        assert val_data is not None and val_targets is not None
        feats = image_features(method, val_data, device=device)
        return {SELECT_ON: (method.classify(feats).argmax(1) == val_targets).float().mean().item()}

    if method.needs_features:
        if isinstance(train, ShardStream):
            raise ValueError(f"{method.name} needs the training features: pass samples")
        train_data = ImageDataset(train, method.eval_transform, cache_size=size, deterministic=True)
        method.prepare(image_features(method, train_data, device=device), method.targets(train))
    history: list[dict[str, Any]] = []
    fit_metrics: dict[str, float] = {"train_seconds": 0.0, "best_step": 0}
    if method.trains and not getattr(method, "skip_training", False):
        if main:
            fit_metrics["train_loss_before"] = training_set_loss(method, train, device)
        result = fit(
            method,
            train,
            loop,
            device,
            validate=validate if val else None,
            select_on=SELECT_ON if val else None,
            state_path=state_path,
            progress=progress,
        )
        history = result.history
        fit_metrics |= {
            "train_seconds": result.seconds,
            "best_step": result.best_step,
            "train_steps": result.steps,
            "train_step_seconds": result.step_seconds,
            "train_samples_per_second": result.samples_per_second,
            "resumed_from_step": result.resumed_from,
            "world_size": current_world().size,
        }
        if main:
            fit_metrics["train_loss_after"] = training_set_loss(method, train, device)
    method.eval()
    if not main:
        return MethodRun(method, {}, history)
    if val_data is not None:
        with torch.no_grad():
            method.tune(image_features(method, val_data, device=device), val_targets, validate)
    with torch.no_grad():
        metrics = evaluate_method(
            method, method.eval_transform, test, classes, text_fields, device, seed=loop.seed
        )
    metrics |= {
        "method": method.name,
        "n_train": len(train),
        "n_val": len(val),
        "n_test": len(test),
        **fit_metrics,
        **({"tuning": method.tuning} if method.tuning else {}),
    }
    return MethodRun(method, metrics, history)


@torch.no_grad()
def training_set_loss(
    method: Method,
    train: Sequence[Sample] | ShardStream,
    device: torch.device,
    batch_size: int = 64,
) -> float:
    """The method's loss over its whole training set, without augmentation: a noise-free
    before/after view of what training did (the loop's running loss is per batch). A stream
    is read once, its ragged last batch left out."""
    was_training = method.training
    method.eval()
    if isinstance(train, ShardStream):
        batches: Iterable[tuple[torch.Tensor, list[Sample]]] = train.batches(
            method.eval_transform, batch_size, seed=0, image_size=method.input_spec.size
        ).epoch(0)
    else:
        data = ImageDataset(
            train, method.eval_transform, cache_size=method.input_spec.size, deterministic=True
        )
        batches = (
            (
                torch.stack([data[i][0] for i in range(start, end)]),
                list(train[start:end]),
            )
            for start in range(0, len(train), batch_size)
            for end in [min(start + batch_size, len(train))]
        )
    total, count = 0.0, 0
    for images, batch in batches:
        total += method.loss(images.to(device), batch).item() * len(batch)
        count += len(batch)
    method.train(was_training)
    return total / max(count, 1)


def method_payload(method: Method, base: str | Path, **extra: Any) -> dict[str, Any]:
    """Whole-model methods save an open_clip model; the others their own weights plus a
    reference to the starting model, which must stay where it is to reload them."""
    if method.whole_model:
        return clip_payload(method.export_clip(), method.model_name, method=method.name, **extra)
    return {
        "format": ADAPTED_FORMAT,
        "method": method.name,
        "base": str(base),
        "classes": method.classes,
        "state": method.trained_state(),
        **extra,
    }


def load_adapted(source: str | Path, device: str | torch.device = "cpu") -> Method:
    """Any CLIP this project can produce or start from, as a `Method` (a classifier with
    image features and class embeddings): adapted checkpoints come back as their method,
    plain CLIP models and model specs as zero-shot."""
    payload = read_checkpoint(Path(source))
    device = torch.device(device) if not isinstance(device, torch.device) else device
    if payload is None or payload["format"] == CHECKPOINT_FORMAT:
        return ZeroShot(load_clip(source, device), classes=[]).to(device).eval()
    if payload["format"] != ADAPTED_FORMAT:
        raise ValueError(f"{source} is a {payload['format']} checkpoint, not a CLIP")
    method = build_method(payload["method"], payload["base"], payload["classes"], device)
    missing, unexpected = method.load_state_dict(payload["state"], strict=False)
    if unexpected or any(not k.startswith("clip.") for k in missing):
        raise ValueError(f"{source}: state does not fit {payload['method']}: {unexpected}")
    return method.eval()
