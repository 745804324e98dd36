"""Contrastive fine-tuning of an open_clip model on ILID shards.

The loop follows open_clip_train (AdamW without decay on gains/biases, warmup + cosine,
ClipLoss, learnable logit scale clamped at 100) but stays small enough to call from an asset.
A run is keyed by its config and the shards' content hash, so re-materialising unchanged
inputs returns the stored checkpoint instead of training again.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import open_clip
import torch
from open_clip_train.scheduler import cosine_lr
from torch.utils.data import DataLoader

from ilid_platform.train.data import (
    DEFAULT_TEXT_FIELDS,
    ImageDataset,
    Sample,
    build_caption,
    check_text_fields,
    class_names,
    load_samples,
    shard_fingerprint,
)
from ilid_platform.train.evaluate import (
    ZERO_SHOT_FIELDS,
    evaluate_clip,
)
from ilid_platform.train.runtime import (
    atomic_torch_save,
    atomic_write_json,
    cached_summary,
    config_key,
    resolve_device,
    seed_everything,
    torch_threads,
)

logger = logging.getLogger(__name__)

# Registers the small 64px configs: `ilid-tiny` has a ModifiedResNet image tower because a
# from-scratch ViT of similar cost (`ilid-tiny-vit`: patch 8, width 192, 4 layers) only
# memorises a few hundred images and stays at chance on held-out shapes.
open_clip.add_model_config(Path(__file__).parent / "model_configs")

CHECKPOINT_FORMAT = "ilid-clip/1"
# Settings that change where a run executes, not what it learns: excluded from the cache key.
_RUNTIME_FIELDS = ("device", "num_threads")
# Logged per epoch; the first one selects the checkpoint.
_VAL_METRICS = ("zeroshot_label_short_acc", "zeroshot_material_acc", "i2t_r1")


@dataclass(frozen=True)
class ClipConfig:
    """`pretrained` is an open_clip tag (e.g. "openai" for ViT-B-16) or a local weights file.

    Defaults train `ilid-tiny` from scratch on ~300 images in about two minutes on 2 CPU
    cores; small batches give the from-scratch model enough steps.
    """

    model: str = "ilid-tiny"
    pretrained: str | None = None
    epochs: int = 40
    batch_size: int = 16
    lr: float | None = None  # None: 5e-4 from scratch, 1e-5 when fine-tuning pretrained weights
    weight_decay: float = 0.1
    warmup_steps: int = 20
    seed: int = 0
    device: str = "auto"
    num_threads: int | None = 2
    text_fields: tuple[str, ...] = DEFAULT_TEXT_FIELDS
    # Chance of dropping each caption field except label_short per training step; teaches the
    # text tower that "a photo of a {label_short}." (the zero-shot prompt) names the same part.
    field_dropout: float = 0.3

    def __post_init__(self) -> None:
        check_text_fields(self.text_fields)
        if self.epochs < 1 or self.batch_size < 2 or not 0 <= self.field_dropout < 1:
            raise ValueError("need epochs >= 1, batch_size >= 2 and 0 <= field_dropout < 1")

    @property
    def learning_rate(self) -> float:
        if self.lr is not None:
            return self.lr
        return 1e-5 if self.pretrained else 5e-4

    def key(self, fingerprint: str) -> str:
        fields = {k: v for k, v in asdict(self).items() if k not in _RUNTIME_FIELDS}
        return config_key({**fields, "lr": self.learning_rate, "shards": fingerprint})


@dataclass
class ClipResult:
    checkpoint_path: Path
    metrics: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)
    reused: bool = False


@dataclass
class LoadedClip:
    model: torch.nn.Module
    tokenizer: Callable
    preprocess: Callable
    model_name: str

    @property
    def image_size(self) -> int:
        return _image_size(self.model)


def _image_size(model: torch.nn.Module) -> int:
    size = model.visual.preprocess_cfg["size"]
    return size if isinstance(size, int) else max(size)


def load_clip(source: str | Path, device: str | torch.device = "cpu") -> LoadedClip:
    """Model, tokenizer and eval transform from one of:

    * a checkpoint written by `finetune_clip`;
    * `"MODEL:PRETRAINED"`, an open_clip model name with a pretrained tag or weights file
      (e.g. `"ViT-B-16:openai"`), or a bare model name for random weights;
    * an `hf-hub:` / `local-dir:` open_clip identifier.
    """
    device = resolve_device(str(device))
    path = Path(source)
    payload = None
    if path.is_file() and path.suffix == ".pt":
        payload = torch.load(path, map_location="cpu", weights_only=True)
    overrides: dict[str, Any] = {}
    if isinstance(payload, dict) and payload.get("format") == CHECKPOINT_FORMAT:
        model_name, pretrained = payload["model_name"], None
        cfg = payload["preprocess_cfg"]
        overrides = {
            "image_mean": tuple(cfg["mean"]),
            "image_std": tuple(cfg["std"]),
            "image_interpolation": cfg["interpolation"],
            "image_resize_mode": cfg["resize_mode"],
        }
    elif str(source).startswith(("hf-hub:", "local-dir:")):
        model_name, pretrained = str(source), None
    else:
        model_name, _, tag = str(source).partition(":")
        pretrained = tag or None
    model, _, preprocess = open_clip.create_model_and_transforms(
        model_name, pretrained=pretrained, device=device, **overrides
    )
    if overrides:
        model.load_state_dict(payload["state_dict"])
    model.eval()
    return LoadedClip(model, open_clip.get_tokenizer(model_name), preprocess, model_name)


def _param_groups(model: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
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


def _training_caption(sample: Sample, config: ClipConfig, rng: random.Random) -> str:
    fields = [
        f for f in config.text_fields if f == "label_short" or rng.random() >= config.field_dropout
    ]
    return build_caption(sample, fields or config.text_fields)


def finetune_clip(
    shards_dir: Path,
    out_dir: Path,
    config: ClipConfig = ClipConfig(),
    progress: Callable[[str], None] | None = None,
) -> ClipResult:
    """Train on the train split, keep the epoch with the best val zero-shot label_short
    accuracy, evaluate it on test and store it as `out_dir/clip-<key>.pt` (+ `.json`)."""
    report = progress or logger.info
    fingerprint = shard_fingerprint(Path(shards_dir))
    key = config.key(fingerprint)
    checkpoint_path = Path(out_dir) / f"clip-{key}.pt"
    summary = cached_summary(checkpoint_path)
    if summary is not None:
        report(f"reusing {checkpoint_path.name}: same config and shards")
        return ClipResult(checkpoint_path, summary["metrics"], summary["history"], reused=True)

    with torch_threads(config.num_threads):
        generator = seed_everything(config.seed)
        device = resolve_device(config.device)
        model, train_transform, eval_transform = open_clip.create_model_and_transforms(
            config.model, pretrained=config.pretrained, device=device, output_dict=True
        )
        tokenizer = open_clip.get_tokenizer(config.model)
        samples = load_samples(Path(shards_dir))
        splits = {s: [x for x in samples if x.split == s] for s in ("train", "val", "test")}
        if len(splits["train"]) < 2 or not splits["test"]:
            raise ValueError(f"need >= 2 train and >= 1 test samples in {shards_dir}")
        classes = {f: class_names(samples, f) for f in ZERO_SHOT_FIELDS}
        caption_rng = random.Random(config.seed)
        loader = DataLoader(
            ImageDataset(splits["train"], train_transform, cache_size=_image_size(model)),
            batch_size=min(config.batch_size, len(splits["train"])),
            shuffle=True,
            drop_last=True,
            generator=generator,
        )
        total_steps = config.epochs * len(loader)
        optimizer = torch.optim.AdamW(
            _param_groups(model, config.weight_decay), lr=config.learning_rate
        )
        schedule = cosine_lr(
            optimizer, config.learning_rate, min(config.warmup_steps, total_steps - 1), total_steps
        )
        loss_fn = open_clip.ClipLoss()
        history: list[dict[str, Any]] = []
        best: tuple[float, int, dict[str, torch.Tensor]] | None = None
        for epoch in range(1, config.epochs + 1):
            started, losses = time.perf_counter(), []
            model.train()
            for images, indices in loader:
                lr = schedule((epoch - 1) * len(loader) + len(losses))
                captions = [
                    _training_caption(splits["train"][i], config, caption_rng)
                    for i in indices.tolist()
                ]
                out = model(images.to(device), tokenizer(captions).to(device))
                loss = loss_fn(out["image_features"], out["text_features"], out["logit_scale"])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                with torch.no_grad():
                    model.logit_scale.clamp_(0, math.log(100))
                losses.append(loss.item())
            entry: dict[str, Any] = {
                "epoch": epoch,
                "loss": sum(losses) / len(losses),
                "lr": lr,
                "logit_scale": model.logit_scale.exp().item(),
            }
            if splits["val"]:
                val = evaluate_clip(
                    model,
                    tokenizer,
                    eval_transform,
                    splits["val"],
                    classes,
                    config.text_fields,
                    device=device,
                    seed=config.seed,
                )
                entry |= {f"val_{k}": val[k] for k in _VAL_METRICS if k in val}
            entry["seconds"] = time.perf_counter() - started
            history.append(entry)
            score = entry.get("val_zeroshot_label_short_acc", 0.0)
            report(
                f"epoch {epoch}/{config.epochs} loss {entry['loss']:.4f}"
                + (f" val zero-shot label_short {score:.3f}" if splits["val"] else "")
            )
            if best is None or score > best[0] or not splits["val"]:
                state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
                best = (score, epoch, state)

        assert best is not None
        model.load_state_dict(best[2])
        metrics = evaluate_clip(
            model,
            tokenizer,
            eval_transform,
            splits["test"],
            classes=classes,
            text_fields=config.text_fields,
            device=device,
            seed=config.seed,
        )
    metrics |= {
        "best_epoch": best[1],
        "n_train": len(splits["train"]),
        "n_val": len(splits["val"]),
        "n_test": len(splits["test"]),
        "train_seconds": sum(h["seconds"] for h in history),
    }
    if splits["val"]:
        metrics["val_zeroshot_label_short_acc"] = best[0]
    config_dict = asdict(config)
    atomic_torch_save(
        {
            "format": CHECKPOINT_FORMAT,
            "model_name": config.model,
            "pretrained": config.pretrained,
            "state_dict": best[2],
            # a pretrained tag may bring its own normalisation; reloading must not lose it
            "preprocess_cfg": dict(model.visual.preprocess_cfg),
            "config": config_dict,
            "shards_fingerprint": fingerprint,
        },
        checkpoint_path,
    )
    atomic_write_json(
        {
            "config": config_dict,
            "shards_fingerprint": fingerprint,
            "metrics": metrics,
            "history": history,
        },
        checkpoint_path.with_suffix(".json"),
    )
    acc, chance = metrics["zeroshot_label_short_acc"], metrics["zeroshot_label_short_chance"]
    report(f"saved {checkpoint_path.name}: zero-shot label_short {acc:.3f} (chance {chance:.3f})")
    return ClipResult(checkpoint_path, metrics, history)
