"""The one training loop: every CLIP adaptation method and every distillation student runs here.

Like open_clip_train's `train_one_epoch`, the loop knows nothing about the objective. A task
(`Task`) gives its module, its trainable parameter groups, its input size and normalisation,
and its loss on a batch of images and their samples; the loop owns everything else: image
loading and augmentation, the optimiser and its warmup + cosine schedule, AMP on CUDA,
resumable state, weight averaging, selection on the validation split, and progress reports.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import torch
from torchvision import transforms

from ilid_platform.train.averaging import AVERAGING, Averaging, make_averager
from ilid_platform.train.checkpoints import atomic_torch_save
from ilid_platform.train.data import ImageDataset, Sample

Validate = Callable[[], dict[str, float]]


@dataclass(frozen=True)
class InputSpec:
    """What the task's image encoder expects; the loop builds the transforms from it."""

    size: int
    mean: tuple[float, ...] = (0.0, 0.0, 0.0)
    std: tuple[float, ...] = (1.0, 1.0, 1.0)


class Task(Protocol):
    """An objective the loop can train: a model plus its loss (open_clip_train's split)."""

    module: torch.nn.Module
    input_spec: InputSpec

    def param_groups(self, weight_decay: float) -> list[dict[str, Any]]:
        """Trainable parameters; a group may carry `lr_scale`, a factor on the schedule's lr."""
        ...

    def loss(self, images: torch.Tensor, samples: Sequence[Sample]) -> torch.Tensor: ...

    def train_mode(self) -> None:
        """Put the module in training mode, keeping frozen parts (and their BatchNorm
        statistics) in eval mode."""
        ...

    def after_step(self) -> None:
        """Hook after each optimiser step (clamping a logit scale, for example)."""
        ...


@dataclass(frozen=True)
class LoopConfig:
    """`steps` fixes the budget in optimiser steps (same for every method of a comparison);
    without it the loop runs `epochs` passes over the training samples."""

    epochs: int = 10
    steps: int | None = None
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 0.0
    warmup_steps: int = 0
    optimizer: Literal["adamw", "adam"] = "adamw"
    schedule: Literal["cosine", "constant"] = "cosine"  # both after `warmup_steps` of linear warmup
    augment: bool | Augment = True  # True: "crop"; False: "none"
    validate_every: int | None = None  # steps between validations; None: after every epoch
    averaging: Averaging = "none"  # swad needs a validation that reports "loss"
    swa_from: float = 0.5  # swa: average the iterates from this fraction of the steps on
    ema_decay: float = 0.99
    precision: Precision = "amp_bf16"  # see `autocast`
    seed: int = 0

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or (self.steps is not None and self.steps < 1):
            raise ValueError("need epochs >= 1, batch_size >= 1 and steps >= 1 when given")
        if not 0 <= self.swa_from < 1:
            raise ValueError("swa_from is a fraction of the steps in [0, 1)")
        if self.averaging not in AVERAGING:
            raise ValueError(f"averaging must be one of {AVERAGING}, got {self.averaging!r}")
        check_precision(self.precision)
        if not isinstance(self.augment, bool) and self.augment not in AUGMENTATIONS:
            raise ValueError(f"augment must be one of {AUGMENTATIONS}, got {self.augment!r}")


@dataclass
class FitResult:
    history: list[dict[str, Any]] = field(default_factory=list)
    best: dict[str, float] = field(default_factory=dict)  # validation metrics of the kept weights
    best_step: int = 0
    steps: int = 0
    seconds: float = 0.0


Augment = Literal["none", "crop", "domainbed", "randaugment"]
Precision = Literal["fp32", "amp_bf16", "amp_fp16"]
PRECISIONS = ("fp32", "amp_bf16", "amp_fp16")
AUGMENTATIONS = ("none", "crop", "domainbed", "randaugment")


def train_transform(spec: InputSpec, augment: bool | Augment = True) -> Callable:
    """Training-time views.

    * `crop` (True): a 90-100 % crop, as open_clip trains; product photos are centred.
    * `domainbed`: DomainBed's policy for domain generalisation (70-100 % crop, flip, colour
      jitter 0.3, 10 % grayscale), which SWAD and VL2V-ADiP train with.
    * `randaugment`: `domainbed` plus RandAugment (2 ops, magnitude 9).
    """
    kind = ("crop" if augment else "none") if isinstance(augment, bool) else augment
    bicubic = transforms.InterpolationMode.BICUBIC
    if kind == "none":
        views = [
            transforms.Resize(spec.size, interpolation=bicubic),
            transforms.CenterCrop(spec.size),
        ]
    elif kind == "crop":
        views = [transforms.RandomResizedCrop(spec.size, scale=(0.9, 1.0), interpolation=bicubic)]
    else:
        views = [
            transforms.RandomResizedCrop(spec.size, scale=(0.7, 1.0), interpolation=bicubic),
            transforms.RandomHorizontalFlip(),
            transforms.ColorJitter(0.3, 0.3, 0.3, 0.3),
            transforms.RandomGrayscale(0.1),
        ]
        if kind == "randaugment":
            views.append(transforms.RandAugment(num_ops=2, magnitude=9))
    return transforms.Compose(
        [*views, transforms.ToTensor(), transforms.Normalize(spec.mean, spec.std)]
    )


def check_precision(precision: str) -> None:
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")


def autocast_dtype(device: torch.device, precision: Precision) -> torch.dtype | None:
    """The autocast dtype of `precision` on `device`, None for full precision.

    open_clip's names: `fp32`, `amp_bf16` and `amp_fp16` (fp16 trains with loss scaling). On a
    GPU without bf16, `amp_bf16` falls back to fp16. On CPU every precision trains in fp32:
    CPU autocast is slower than fp32 for these models.
    """
    check_precision(precision)
    if device.type != "cuda" or precision == "fp32":
        return None
    if precision == "amp_bf16" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float16


def autocast(device: torch.device, precision: Precision = "amp_bf16") -> AbstractContextManager:
    dtype = autocast_dtype(device, precision)
    return nullcontext() if dtype is None else torch.autocast("cuda", dtype=dtype)


def _lr_at(step: int, base_lr: float, warmup: int, total: int, cosine: bool = True) -> float:
    if step < warmup:
        return base_lr * (step + 1) / warmup
    if not cosine:
        return base_lr
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1 + math.cos(math.pi * progress)) * base_lr


def _optimizer(groups: list[dict[str, Any]], config: LoopConfig) -> torch.optim.Optimizer:
    groups = [g for g in groups if g["params"]]
    if not groups:
        raise ValueError("the task has no trainable parameters")
    cls = torch.optim.AdamW if config.optimizer == "adamw" else torch.optim.Adam
    return cls(groups, lr=config.lr, weight_decay=config.weight_decay)


def _state_copy(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu", copy=True) for k, v in module.state_dict().items()}


class _Batches:
    """Seeded shuffled batches, reproducible from the generator state at an epoch's start."""

    def __init__(self, dataset: ImageDataset, batch_size: int, seed: int) -> None:
        self.dataset = dataset
        self.batch_size = min(batch_size, len(dataset))
        self.generator = torch.Generator().manual_seed(seed)
        self.per_epoch = len(dataset) // self.batch_size  # drop the ragged last batch

    def epoch(self, skip: int = 0) -> Iterator[tuple[torch.Tensor, list[int]]]:
        order = torch.randperm(len(self.dataset), generator=self.generator).tolist()
        for b in range(skip, self.per_epoch):
            indices = order[b * self.batch_size : (b + 1) * self.batch_size]
            yield torch.stack([self.dataset[i][0] for i in indices]), indices


def fit(
    task: Task,
    samples: Sequence[Sample],
    config: LoopConfig,
    device: torch.device,
    validate: Validate | None = None,
    select_on: str | None = None,
    state_path: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> FitResult:
    """Train `task` on `samples`; on return the module holds the selected weights.

    With `validate`, the weights with the highest `select_on` validation metric are kept
    (ties: the earlier step); without it, the last (or averaged) weights. With `state_path`,
    the loop saves its whole state at every validation point and, when the file exists,
    resumes from it exactly (same batches, same augmentation draws).
    """
    report = progress or (lambda _: None)
    if not samples:
        raise ValueError("fit needs at least one training sample")
    module = task.module
    dataset = ImageDataset(
        samples, train_transform(task.input_spec, config.augment), cache_size=task.input_spec.size
    )
    batches = _Batches(dataset, config.batch_size, config.seed)
    total = config.steps or config.epochs * batches.per_epoch
    every = config.validate_every or batches.per_epoch
    optimizer = _optimizer(task.param_groups(config.weight_decay), config)
    scales = [g.get("lr_scale", 1.0) for g in optimizer.param_groups]
    use_scaler = autocast_dtype(device, config.precision) == torch.float16
    scaler = torch.amp.GradScaler("cuda", enabled=use_scaler)
    averager = make_averager(config.averaging, total, config.swa_from, config.ema_decay)
    if config.averaging == "swad" and validate is None:
        raise ValueError("swad averaging needs a validation that reports the loss")

    result = FitResult()
    best_state: dict[str, torch.Tensor] | None = None
    step, epoch_start_step, losses = 0, 0, []
    epoch_generator = batches.generator.get_state()
    torch.manual_seed(config.seed)
    random.seed(config.seed)
    if state_path is not None and Path(state_path).is_file():
        saved = torch.load(state_path, map_location="cpu", weights_only=False)
        module.load_state_dict(saved["module"])
        optimizer.load_state_dict(saved["optimizer"])
        scaler.load_state_dict(saved["scaler"])
        if saved.get("average") is not None:
            averager.load_state_dict(saved["average"])
        step, epoch_start_step = saved["step"], saved["epoch_start_step"]
        epoch_generator = saved["epoch_generator"]
        torch.set_rng_state(saved["torch_rng"])
        random.setstate(saved["python_rng"])
        result.history, result.best, result.best_step = (
            saved["history"],
            saved["best"],
            saved["best_step"],
        )
        best_state = saved["best_state"]
        result.seconds = saved["seconds"]
        report(f"resuming at step {step}/{total} from {Path(state_path).name}")

    started = time.perf_counter() - result.seconds
    task.train_mode()
    while step < total:
        batches.generator.set_state(epoch_generator)
        for images, indices in batches.epoch(skip=step - epoch_start_step):
            warmup = min(config.warmup_steps, total - 1)
            lr = _lr_at(step, config.lr, warmup, total, config.schedule == "cosine")
            for group, scale in zip(optimizer.param_groups, scales, strict=True):
                group["lr"] = lr * scale
            with autocast(device, config.precision):
                loss = task.loss(images.to(device), [samples[i] for i in indices])
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            task.after_step()
            losses.append(loss.item())
            step += 1
            averager.update(module, step)
            if step % every == 0 or step == total:
                entry: dict[str, Any] = {
                    "step": step,
                    "epoch": step / batches.per_epoch,
                    "loss": sum(losses) / len(losses),
                    "lr": lr,
                }
                losses = []
                if validate is not None:
                    module.eval()
                    val = validate()
                    task.train_mode()
                    entry |= {f"val_{k}": v for k, v in val.items()}
                    if "loss" in val:
                        averager.validated(val["loss"], step)
                    elif config.averaging == "swad":
                        raise ValueError("swad averaging needs the validation to report 'loss'")
                    score = val[select_on] if select_on else -entry["loss"]
                    if best_state is None or score > result.best.get("score", -math.inf):
                        result.best, result.best_step = {**val, "score": score}, step
                        best_state = _state_copy(module)
                entry["seconds"] = time.perf_counter() - started
                result.history.append(entry)
                if state_path is not None and step < total:
                    next_epoch = step % batches.per_epoch == 0
                    atomic_torch_save(
                        {
                            "module": _state_copy(module),
                            "optimizer": optimizer.state_dict(),
                            "scaler": scaler.state_dict(),
                            "average": averager.state_dict(),
                            "step": step,
                            "epoch_start_step": step if next_epoch else epoch_start_step,
                            "epoch_generator": batches.generator.get_state()
                            if next_epoch
                            else epoch_generator,
                            "torch_rng": torch.get_rng_state(),
                            "python_rng": random.getstate(),
                            "history": result.history,
                            "best": result.best,
                            "best_step": result.best_step,
                            "best_state": best_state,
                            "seconds": time.perf_counter() - started,
                        },
                        Path(state_path),
                    )
                report(
                    f"step {step}/{total} loss {entry['loss']:.4f}"
                    + (f" val {select_on} {entry[f'val_{select_on}']:.3f}" if select_on else "")
                )
            if step >= total:
                break
        epoch_start_step = step
        epoch_generator = batches.generator.get_state()

    averaged = averager.averaged_state()
    if averaged is not None:
        module.load_state_dict(averaged, strict=False)
        _recompute_batchnorm(task, batches, samples, device, config)
        report(f"loaded the {config.averaging} average of the weights")
    elif best_state is not None:
        module.load_state_dict(best_state)
    module.eval()
    result.steps = step
    result.seconds = time.perf_counter() - started
    return result


@torch.no_grad()
def _recompute_batchnorm(
    task: Task,
    batches: _Batches,
    samples: Sequence[Sample],
    device: torch.device,
    config: LoopConfig,
    max_batches: int = 20,
) -> None:
    """Averaged weights need BatchNorm statistics of their own (SWA's `update_bn`): reset
    them and take the cumulative mean over training batches, run through the task's loss."""
    norms = [
        m for m in task.module.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
    ]
    norms = [
        m for m in norms if m.track_running_stats and any(p.requires_grad for p in m.parameters())
    ]
    if not norms:
        return
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    task.train_mode()
    for b, (images, indices) in enumerate(batches.epoch()):
        if b >= max_batches:
            break
        with autocast(device, config.precision):
            task.loss(images.to(device), [samples[i] for i in indices])
    for m, momentum in zip(norms, momenta, strict=True):
        m.momentum = momentum
