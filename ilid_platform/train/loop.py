"""The one training loop: every CLIP adaptation method and every distillation student runs here.

Like open_clip_train's `train_one_epoch`, the loop knows nothing about the objective. A task
(`Task`) gives its module, its trainable parameter groups, its input size and normalisation,
and its loss on a batch of images and their samples; the loop owns everything else: image
loading and augmentation (`batches`), the optimiser and its warmup + cosine schedule, AMP on
CUDA, DDP under torchrun, resumable state, weight averaging, selection on the validation
split, and progress reports.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import torch
from torch.nn.parallel import DistributedDataParallel

from ilid_platform.train.averaging import AVERAGING, Averaging, make_averager
from ilid_platform.train.batches import (
    Augment,
    BatchSource,
    ShardStream,
    batch_source,
    check_augment,
    train_transform,
)
from ilid_platform.train.checkpoints import atomic_torch_save
from ilid_platform.train.data import Sample
from ilid_platform.train.distributed import World, current_world, gather_objects, mean_over_ranks

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
        check_augment(self.augment)


@dataclass
class FitResult:
    history: list[dict[str, Any]] = field(default_factory=list)
    best: dict[str, float] = field(default_factory=dict)  # validation metrics of the kept weights
    best_step: int = 0
    steps: int = 0
    seconds: float = 0.0
    step_seconds: float = 0.0  # in training steps, data loading included, validation not
    warm_step_seconds: float = 0.0  # the same without this launch's first step (start-up)
    warm_steps: int = 0
    samples_per_step: int = 0  # across every rank
    resumed_from: int = 0  # the step a saved state resumed from (0: a fresh start)

    @property
    def samples_per_second(self) -> float:
        """Training throughput after start-up, every rank together."""
        if self.warm_steps < 1 or self.warm_step_seconds <= 0:
            return 0.0
        return self.warm_steps * self.samples_per_step / self.warm_step_seconds


Precision = Literal["fp32", "amp_bf16", "amp_fp16"]
PRECISIONS = ("fp32", "amp_bf16", "amp_fp16")


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
    # fused: one kernel over every parameter; on CPU it updates ilid-tiny-96's 8.3M
    # parameters in 9.5 ms against 60 ms for the default per-tensor loop (a fifth of a step)
    return cls(groups, lr=config.lr, weight_decay=config.weight_decay, fused=True)


def _state_copy(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu", copy=True) for k, v in module.state_dict().items()}


class _LossModule(torch.nn.Module):
    """The task's loss as a module's forward, which is what DDP wraps: its hooks all-reduce
    the gradients of the parameters the forward used."""

    def __init__(self, task: Task) -> None:
        super().__init__()
        self.inner = task.module
        self.__dict__["task"] = task  # not a submodule: its parameters are `inner`'s

    def forward(self, images: torch.Tensor, samples: Sequence[Sample]) -> torch.Tensor:
        return self.task.loss(images, samples)


def _loss_function(task: Task, device: torch.device, world: World) -> Callable[..., torch.Tensor]:
    if world.size == 1:
        return task.loss
    ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(_LossModule(task), device_ids=ids)


def fit(
    task: Task,
    samples: Sequence[Sample] | ShardStream,
    config: LoopConfig,
    device: torch.device,
    validate: Validate | None = None,
    select_on: str | None = None,
    state_path: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> FitResult:
    """Train `task` on `samples` (in memory, or a `ShardStream`); on return the module holds
    the selected weights.

    With `validate`, the weights with the highest `select_on` validation metric are kept
    (ties: the earlier step); without it, the last (or averaged) weights. With `state_path`,
    the loop saves its whole state at every validation point and, when the file exists,
    resumes from it: in memory exactly (same batches, same augmentation draws), from a stream
    with the same batches.

    Under torchrun every rank calls `fit`; gradients are averaged by DDP, and rank 0 alone
    validates, selects, averages and saves the state. Only rank 0's module holds the result.
    """
    report = progress or (lambda _: None)
    if not samples:
        raise ValueError("fit needs at least one training sample")
    world = current_world()
    module = task.module
    # channels-last convolutions: on CPU an ilid-tiny-96 CLIP step costs 133-144 ms instead of
    # 171 (batch 16, one thread); layers without 4-D weights are unaffected
    module.to(memory_format=torch.channels_last)
    transform = train_transform(task.input_spec, config.augment)
    batches = batch_source(
        samples, transform, config.batch_size, config.seed, world, task.input_spec.size
    )
    total = config.steps or config.epochs * batches.per_epoch
    every = config.validate_every or batches.per_epoch
    optimizer = _optimizer(task.param_groups(config.weight_decay), config)
    scales = [g.get("lr_scale", 1.0) for g in optimizer.param_groups]
    use_scaler = autocast_dtype(device, config.precision) == torch.float16
    scaler = torch.amp.GradScaler("cuda", enabled=use_scaler)
    averager = make_averager(config.averaging, total, config.swa_from, config.ema_decay)
    if config.averaging == "swad" and validate is None:
        raise ValueError("swad averaging needs a validation that reports the loss")
    validate = validate if world.main else None

    result = FitResult()
    best_state: dict[str, torch.Tensor] | None = None
    step, losses = 0, []
    torch.manual_seed(config.seed + world.rank)
    random.seed(config.seed + world.rank)
    if state_path is not None and Path(state_path).is_file():
        saved = torch.load(state_path, map_location="cpu", weights_only=False)
        module.load_state_dict(saved["module"])
        optimizer.load_state_dict(saved["optimizer"])
        scaler.load_state_dict(saved["scaler"])
        if saved.get("average") is not None:
            averager.load_state_dict(saved["average"])
        step = saved["step"]
        if len(saved["rng"]) == world.size:  # else keep this launch's per-rank seeds
            torch_rng, python_rng = saved["rng"][world.rank]
            torch.set_rng_state(torch_rng)
            random.setstate(python_rng)
        result.history, result.best, result.best_step = (
            saved["history"],
            saved["best"],
            saved["best_step"],
        )
        best_state = saved["best_state"]
        result.seconds, result.step_seconds = saved["seconds"], saved["step_seconds"]
        result.resumed_from = step
        report(f"resuming at step {step}/{total} from {Path(state_path).name}")

    loss_of = _loss_function(task, device, world)
    started = time.perf_counter() - result.seconds
    first_step_seconds = 0.0
    task.train_mode()
    while step < total:
        mark = time.perf_counter()
        for images, batch in batches.epoch(step // batches.per_epoch, step % batches.per_epoch):
            warmup = min(config.warmup_steps, total - 1)
            lr = _lr_at(step, config.lr, warmup, total, config.schedule == "cosine")
            for group, scale in zip(optimizer.param_groups, scales, strict=True):
                group["lr"] = lr * scale
            with autocast(device, config.precision):
                loss = loss_of(images.to(device, memory_format=torch.channels_last), batch)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            task.after_step()
            losses.append(loss.item())
            step += 1
            averager.update(module, step)
            elapsed = time.perf_counter() - mark
            result.step_seconds += elapsed
            first_step_seconds = first_step_seconds or elapsed
            if step % every == 0 or step == total:
                entry: dict[str, Any] = {
                    "step": step,
                    "epoch": step / batches.per_epoch,
                    "loss": mean_over_ranks(sum(losses) / len(losses)),
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
                    rng = gather_objects((torch.get_rng_state(), random.getstate()))
                    if world.main:
                        atomic_torch_save(
                            {
                                "module": _state_copy(module),
                                "optimizer": optimizer.state_dict(),
                                "scaler": scaler.state_dict(),
                                "average": averager.state_dict(),
                                "step": step,
                                "rng": rng,
                                "history": result.history,
                                "best": result.best,
                                "best_step": result.best_step,
                                "best_state": best_state,
                                "seconds": time.perf_counter() - started,
                                "step_seconds": result.step_seconds,
                            },
                            Path(state_path),
                        )
                report(
                    f"step {step}/{total} loss {entry['loss']:.4f}"
                    + (
                        f" val {select_on} {entry[f'val_{select_on}']:.3f}"
                        if validate and select_on
                        else ""
                    )
                )
            mark = time.perf_counter()
            if step >= total:
                break

    result.steps = step
    result.samples_per_step = batches.batch_size * world.size
    result.warm_step_seconds = result.step_seconds - first_step_seconds
    result.warm_steps = step - result.resumed_from - (1 if first_step_seconds else 0)
    averaged = averager.averaged_state() if world.main else None
    if averaged is not None:
        module.load_state_dict(averaged, strict=False)
        _recompute_batchnorm(task, batches, device, config)
        report(f"loaded the {config.averaging} average of the weights")
    elif best_state is not None:
        module.load_state_dict(best_state)
    module.eval()
    result.seconds = time.perf_counter() - started
    return result


@torch.no_grad()
def _recompute_batchnorm(
    task: Task,
    batches: BatchSource,
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
    for b, (images, batch) in enumerate(batches.epoch(0)):
        if b >= max_batches:
            break
        with autocast(device, config.precision):
            task.loss(images.to(device), batch)
    for m, momentum in zip(norms, momenta, strict=True):
        m.momentum = momentum
