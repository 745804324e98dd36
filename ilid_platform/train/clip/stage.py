"""Train the platform's CLIP on ILID shards with one adaptation method (the `clip_model` asset).

The method comes from `ClipConfig.method`; `finetune` (the default) is full contrastive
training, from scratch or from `pretrained` weights. Every other method needs a starting
model: the `pretrained` one where there is one, else the from-scratch `finetune` of the same
shards (trained first, or reused from the cache). A run is keyed by its config, its starting
model and the shards' content hash, so re-materialising unchanged inputs returns the stored
checkpoint instead of training again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import torch

from ilid_platform.dataset.layout import WEBDATASET_DIR, shard_files
from ilid_platform.train.batches import ShardStream, check_augment
from ilid_platform.train.checkpoints import RunStore, TrainResult, config_key, source_fingerprint
from ilid_platform.train.clip.evaluate import ZERO_SHOT_FIELDS, evaluate_method
from ilid_platform.train.clip.methods import METHODS
from ilid_platform.train.clip.methods.run import build_method, method_payload, run_method
from ilid_platform.train.clip.methods.zero_shot import ZeroShot
from ilid_platform.train.clip.models import LoadedClip, load_clip
from ilid_platform.train.data import (
    DEFAULT_TEXT_FIELDS,
    Sample,
    check_text_fields,
    class_names,
    load_samples,
    shard_fingerprint,
    shard_paths,
)
from ilid_platform.train.distributed import barrier, current_world
from ilid_platform.train.loop import LoopConfig, check_precision
from ilid_platform.train.runtime import resolve_device, seed_everything, torch_threads

logger = logging.getLogger(__name__)

# Settings that change where a run executes, not what it learns: excluded from the cache key.
_RUNTIME_FIELDS = ("device", "num_threads", "workers")
# Options that change nothing at these values stay out of the key there, so the checkpoints
# of configs without them stay valid.
_NEUTRAL_VALUES = {"label_dropout": 0.0, "augment": "crop"}
# Options a method takes from the config (the caption settings only mean something to the
# contrastive methods).
_CAPTION_METHODS = ("finetune", "wise_ft")
# Train splits up to this many images load into memory (their PNGs, about 1.5 GB at most, and
# the decoded images at the model's size); larger ones stream from the tars.
IN_MEMORY_LIMIT = 5000


@dataclass(frozen=True)
class ClipConfig:
    """`pretrained` is an open_clip tag (e.g. "openai" for ViT-B-16) or a local weights file.

    Defaults are the from-scratch recipe measured on the `large` catalog (1,195 train and 597
    test images, `benchmarks/adaptation.py`): `ilid-tiny-96` with `pose` views, label dropout
    0.05, 80 epochs of batch 16 gave label_short 0.901 [0.875, 0.923] and material 0.935
    [0.912, 0.952], against 0.735 and 0.797 for 40 epochs of 64 px `ilid-tiny` with `crop`
    views (docs/clip.md, "Training from scratch"). A smaller budget scales `epochs` (or sets
    `steps`), not the recipe.
    """

    model: str = "ilid-tiny-96"  # 96 px: 0.831 against 0.762 at 64 px (40 epochs, `pose`)
    pretrained: str | None = None
    method: str = "finetune"
    epochs: int = 80  # 0.906 at 80 against 0.831 at 40, label_dropout 0
    steps: int | None = None
    batch_size: int = 16
    lr: float | None = None  # None: the method's default; finetune: 5e-4 from scratch
    weight_decay: float | None = None  # None: the method's default
    warmup_steps: int = 20
    seed: int = 0
    device: str = "auto"
    precision: str = "amp_bf16"  # fp32 | amp_bf16 | amp_fp16, as open_clip names them
    num_threads: int | None = 2
    text_fields: tuple[str, ...] = DEFAULT_TEXT_FIELDS
    # Train, select and test on these sources only (None: all); the adaptation protocol trains
    # its stand-in foundation model on every shop but the one it adapts to.
    sources: tuple[str, ...] | None = None
    # Chance of dropping each caption field except label_short per training step; teaches the
    # text tower that "a photo of a {label_short}." (the zero-shot prompt) names the same part.
    # At 0.5 that prompt is a quarter of the captions instead of 9 %: on the demo catalog (387
    # test images, 30 epochs) label_short 0.731 against 0.638 at 0.3, material 0.853 and 0.858.
    field_dropout: float = 0.5
    # Chance of dropping label_short itself: captions then name the material or finish alone,
    # as their zero-shot prompts do. 0 keeps label_short in every caption: material 0.739
    # against 0.935 at 0.05, for label_short 0.906 against 0.901.
    label_dropout: float = 0.05
    # Training views (see `batches.train_transform`): "crop" as open_clip trains; "pose" adds
    # mirror images and quarter turns, for parts photographed at any angle (0.762 against
    # 0.735 for `crop`, 64 px, 40 epochs).
    augment: str = "pose"
    # Read the train split from the WebDataset tars as a stream (memory independent of the
    # dataset's size), decoded by `workers` DataLoader processes. False: load it into memory,
    # where decoded images are cached between epochs (on CPU a 512 px PNG decode costs about
    # half a 96 px training step per image). None: in memory up to `IN_MEMORY_LIMIT` training
    # images, streamed beyond. Methods that need the training features always load it.
    stream: bool | None = None
    workers: int = 1

    def __post_init__(self) -> None:
        check_text_fields(self.text_fields)
        if self.workers < 0:
            raise ValueError("workers must be >= 0")
        check_augment(self.augment)
        check_precision(self.precision)
        if self.method not in METHODS:
            raise ValueError(f"unknown method {self.method!r}; choose one of {sorted(METHODS)}")
        dropouts = (self.field_dropout, self.label_dropout)
        if self.epochs < 1 or self.batch_size < 2 or not all(0 <= p < 1 for p in dropouts):
            raise ValueError(
                "need epochs >= 1, batch_size >= 2 and 0 <= field_dropout, label_dropout < 1"
            )

    @property
    def from_scratch(self) -> bool:
        return self.method == "finetune" and not self.pretrained

    @property
    def learning_rate(self) -> float:
        if self.lr is not None:
            return self.lr
        if self.from_scratch:
            return 5e-4
        if self.method == "finetune" and self.pretrained:
            return 1e-5
        return METHODS[self.method].lr

    def loop_config(self) -> LoopConfig:
        decay = self.weight_decay
        return LoopConfig(
            epochs=self.epochs,
            steps=self.steps,
            batch_size=self.batch_size,
            lr=self.learning_rate,
            weight_decay=METHODS[self.method].weight_decay if decay is None else decay,
            warmup_steps=self.warmup_steps,
            augment=self.augment,
            precision=self.precision,
            seed=self.seed,
        )

    def method_options(self) -> dict[str, Any]:
        if self.method in _CAPTION_METHODS:
            return {
                "text_fields": self.text_fields,
                "field_dropout": self.field_dropout,
                "label_dropout": self.label_dropout,
                "seed": self.seed,
            }
        return {}

    def base_spec(self) -> str:
        return f"{self.model}:{self.pretrained}" if self.pretrained else self.model

    def key(self, fingerprint: str, base: str, world_size: int = 1) -> str:
        """Equal keys train equal models: the global batch (and with it the result) grows
        with the number of processes, so a launch of another size trains afresh."""
        fields = {
            k: v
            for k, v in asdict(self).items()
            if k not in _RUNTIME_FIELDS and _NEUTRAL_VALUES.get(k, ...) != v
        }
        extra = {"world_size": world_size} if world_size > 1 else {}
        return config_key(
            {**fields, "lr": self.learning_rate, "shards": fingerprint, "base": base, **extra}
        )


# The views of the from-scratch CLIPs that never saw the held-out shop (the adaptation
# report's stand-in and the students' unseen teachers): with DomainBed's colour jitter they
# reach 0.591 on the shop they never saw, against 0.330 with `pose` views (three shops of the
# `large` catalog held out in turn, `benchmarks/distillation.py --unseen-augment domainbed`).
STAND_IN_AUGMENT = "domainbed"


def stand_in_config(
    epochs: int, augment: str, seed: int, device: str = "auto", precision: str = "amp_bf16"
) -> ClipConfig:
    """The from-scratch CLIP of every shop but the held-out one: the adaptation report's
    stand-in for a foundation model and the student protocol's unseen teacher. Both build it
    here, so with the same settings they share one cached model (the protocols set `sources`)."""
    return ClipConfig(epochs=epochs, augment=augment, seed=seed, device=device, precision=precision)


def zero_shot_classes(samples: Sequence[Sample]) -> dict[str, list[str]]:
    """The N classes of each zero-shot field, from the WHOLE dataset."""
    return {f: class_names(samples, f) for f in ZERO_SHOT_FIELDS}


def train_clip(
    shards_dir: Path,
    out_dir: Path,
    config: ClipConfig = ClipConfig(),
    progress: Callable[[str], None] | None = None,
) -> TrainResult:
    """Adapt the starting model with `config.method` on the train split, select on val,
    evaluate on test and store the result as `out_dir/clip-<key>.pt` (+ `.json`)."""
    report = progress or logger.info
    fingerprint = shard_fingerprint(Path(shards_dir))
    config = _resolve_stream(Path(shards_dir), config)
    base = config.base_spec()
    if not config.from_scratch and not config.pretrained:
        report(f"{config.method} starts from the from-scratch finetune of the same shards")
        start = replace(config, method="finetune", lr=None, weight_decay=None)
        base = str(train_clip(shards_dir, out_dir, start, progress).checkpoint_path)
    world = current_world()
    key = config.key(fingerprint, source_fingerprint(base), world.size)
    store = RunStore(Path(out_dir), "clip", key)
    cached = store.cached()
    if cached is not None:
        report(f"reusing {store.checkpoint_path.name}: same config, start and shards")
        return cached

    with torch_threads(config.num_threads):
        seed_everything(config.seed)
        device = resolve_device(config.device)
        classes = zero_shot_classes(load_samples(Path(shards_dir), images=False))
        held = {split: _split(Path(shards_dir), split, config.sources) for split in ("val", "test")}
        method = build_method(
            config.method, base, classes["label_short"], device, **config.method_options()
        )
        train = _training_data(Path(shards_dir), config, method.needs_features, report)
        if len(train) < 2 or not held["test"]:
            raise ValueError(f"need >= 2 train and >= 1 test samples in {shards_dir}")
        run = run_method(
            method,
            train,
            held["val"],
            held["test"],
            classes,
            config.loop_config(),
            device,
            config.text_fields,
            state_path=store.state_path,
            progress=report,
        )
    if not world.main:
        barrier()  # until rank 0 saved: the next run may start from this checkpoint
        return TrainResult(store.checkpoint_path, {}, run.history)
    config_dict = asdict(config)
    payload = method_payload(
        run.method,
        base,
        config=config_dict,
        shards_fingerprint=fingerprint,
        pretrained=config.pretrained,
    )
    result = store.save(
        payload,
        {
            "config": config_dict,
            "base": base,
            "shards_fingerprint": fingerprint,
            "metrics": run.metrics,
            "history": run.history,
        },
    )
    barrier()
    m = run.metrics
    report(
        f"saved {store.checkpoint_path.name}: label_short {m['zeroshot_label_short_acc']:.3f} "
        f"{[round(x, 3) for x in m['zeroshot_label_short_ci']]} "
        f"(chance {m['zeroshot_label_short_chance']:.3f})"
    )
    return result


def _resolve_stream(shards_dir: Path, config: ClipConfig) -> ClipConfig:
    """`stream: None` decided by the train split's size, before the run is keyed."""
    if config.stream is not None:
        return config
    if not shard_paths(shards_dir, ["train"]):
        return replace(config, stream=False)
    train = [
        s
        for s in load_samples(shards_dir, ["train"], images=False)
        if config.sources is None or s.source in config.sources
    ]
    return replace(config, stream=len(train) > IN_MEMORY_LIMIT)


def _split(shards_dir: Path, split: str, sources: Sequence[str] | None) -> list[Sample]:
    """The split's samples from `sources`, images included; none when it has no shards."""
    if not shard_paths(shards_dir, [split]):
        return []
    return [x for x in load_samples(shards_dir, [split]) if sources is None or x.source in sources]


def _training_data(
    shards_dir: Path, config: ClipConfig, needs_features: bool, report: Callable[[str], None]
) -> list[Sample] | ShardStream:
    if config.stream and not needs_features:
        if shard_paths(shards_dir, ["train"]) and not shard_files(
            shards_dir, ["train"], WEBDATASET_DIR
        ):
            report(f"no {WEBDATASET_DIR}/ shards in {shards_dir}: the train split goes to memory")
        else:
            return ShardStream.open(shards_dir, "train", config.sources, config.workers)
    return _split(shards_dir, "train", config.sources)


def evaluate_clip(
    model: torch.nn.Module,
    tokenizer: Callable,
    preprocess: Callable,
    samples: Sequence[Sample],
    classes: Mapping[str, Sequence[str]] | None = None,
    text_fields: Sequence[str] = DEFAULT_TEXT_FIELDS,
    device: torch.device | str = "cpu",
    seed: int = 0,
) -> dict[str, Any]:
    """Every metric of a plain CLIP model (zero-shot) on `samples`."""
    classes = dict(classes or zero_shot_classes(samples))
    flags = [p.requires_grad for p in model.parameters()]
    was_training = model.training
    try:
        method = ZeroShot(LoadedClip(model, tokenizer, preprocess, ""), classes["label_short"])
        return evaluate_method(method, preprocess, samples, classes, text_fields, device, seed)
    finally:
        for param, flag in zip(model.parameters(), flags, strict=True):
            param.requires_grad_(flag)
        model.train(was_training)


__all__ = ["ClipConfig", "LoadedClip", "evaluate_clip", "load_clip", "train_clip"]
