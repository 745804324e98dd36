"""The adaptation protocol: every method adapts one starting CLIP to a shop it never saw.

Offline there is no foundation model to download, so a CLIP trained from scratch on every
shop but one (`finetune` on their train splits) stands in for it. Each method then adapts it
to the held-out shop with k training images per label_short class (k in `shots`; None: all
of that shop's train split), selects on that shop's val split and is tested on its test
split: same split, same classes, same step budget and batch size for every method. With
`base.pretrained` set, the pretrained model is the starting point instead.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ilid_platform.train.checkpoints import RunStore, config_key, source_fingerprint
from ilid_platform.train.clip.methods import METHODS
from ilid_platform.train.clip.methods.run import build_method, method_payload, run_method
from ilid_platform.train.clip.stage import ClipConfig, train_clip, zero_shot_classes
from ilid_platform.train.data import Sample, load_samples, shard_fingerprint
from ilid_platform.train.distributed import barrier, current_world
from ilid_platform.train.loop import LoopConfig, check_precision
from ilid_platform.train.runtime import resolve_device, seed_everything, torch_threads

logger = logging.getLogger(__name__)

ALL_METHODS = tuple(METHODS)
# Learning rates (Adam) for the full-model methods when adapting the from-scratch stand-in,
# which itself trained at 5e-4; every other method uses its class default. Not tuned per
# shot count: one setting per method, the same for every k.
PROTOCOL_LR = {"finetune": 1e-4, "wise_ft": 1e-4, "lora": 1e-3}


@dataclass(frozen=True)
class ProtocolConfig:
    target_source: str | None = None  # None: the last source by name
    shots: tuple[int | None, ...] = (1, 4, 16, None)
    methods: tuple[str, ...] = ALL_METHODS
    # optimiser steps per adaptation run, the same for every method: `benchmarks/adaptation.py`
    # measured every method at 200 (docs/clip.md, "Choosing")
    steps: int = 200
    batch_size: int = 16
    validate_every: int = 25
    base: ClipConfig = field(default_factory=ClipConfig)  # trains the stand-in (or names weights)
    seed: int = 0
    device: str = "auto"
    precision: str = "amp_bf16"  # fp32 | amp_bf16 | amp_fp16
    num_threads: int | None = 2

    def __post_init__(self) -> None:
        check_precision(self.precision)
        unknown = set(self.methods) - set(METHODS)
        if unknown:
            raise ValueError(f"unknown methods {sorted(unknown)}; choose from {sorted(METHODS)}")
        if any(k is not None and k < 1 for k in self.shots) or not self.shots:
            raise ValueError("shots are positive counts per class, or None for all")

    def loop(self, method: str) -> LoopConfig:
        return LoopConfig(
            steps=self.steps,
            batch_size=self.batch_size,
            lr=PROTOCOL_LR.get(method, METHODS[method].lr),
            weight_decay=METHODS[method].weight_decay,
            warmup_steps=min(10, self.steps // 10),
            validate_every=self.validate_every,
            precision=self.precision,
            seed=self.seed,
        )


def shots_label(k: int | None) -> str:
    return "all" if k is None else str(k)


def few_shot(samples: Sequence[Sample], k: int | None, seed: int = 0) -> list[Sample]:
    """k samples per label_short class (fewer where a class has fewer), drawn with a seeded
    shuffle; the draws for k nest inside those for a larger k."""
    if k is None:
        return list(samples)
    by_class: dict[str, list[Sample]] = {}
    for sample in samples:
        by_class.setdefault(sample.label_short, []).append(sample)
    chosen = []
    for name in sorted(by_class):
        pool = sorted(by_class[name], key=lambda s: s.id)
        random.Random(f"{seed}-{name}").shuffle(pool)
        chosen += pool[:k]
    return chosen


@dataclass
class Comparison:
    target_source: str
    base: dict[str, Any]  # the starting model: where it came from and its in-domain test metrics
    runs: dict[str, dict[str, dict[str, Any]]]  # shots label -> method -> test metrics
    config: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _store(
    out_dir: Path,
    name: str,
    label: str,
    config: ProtocolConfig,
    target: str,
    base_fp: str,
    fingerprint: str,
) -> RunStore:
    key = config_key(
        {
            "method": name,
            "shots": label,
            "loop": asdict(config.loop(name)),
            "target": target,
            "base": base_fp,
            "shards": fingerprint,
        }
    )
    return RunStore(Path(out_dir) / "runs", f"{name}-{label}", key)


def compare_methods(
    shards_dir: Path,
    out_dir: Path,
    config: ProtocolConfig = ProtocolConfig(),
    progress: Callable[[str], None] | None = None,
) -> Comparison:
    """Run every method at every shot count; results are cached per run (config + data)."""
    report = progress or logger.info
    samples = load_samples(Path(shards_dir))
    sources = sorted({s.source for s in samples})
    target = config.target_source or sources[-1]
    if target not in sources or len(sources) < 2:
        raise ValueError(f"target {target!r} must be one of at least two sources {sources}")
    others = tuple(s for s in sources if s != target)
    if config.base.pretrained:
        base_spec, base_info = config.base.base_spec(), {"source": config.base.base_spec()}
    else:
        start = replace(config.base, method="finetune", sources=others)
        trained = train_clip(shards_dir, Path(out_dir) / "base", start, report)
        base_spec = str(trained.checkpoint_path)
        base_info = {"source": f"finetune from scratch on {', '.join(others)}", **trained.metrics}
    classes = zero_shot_classes(samples)
    pool = [s for s in samples if s.source == target and s.split == "train"]
    val = [s for s in samples if s.source == target and s.split == "val"]
    test = [s for s in samples if s.source == target and s.split == "test"]
    if not pool or not test:
        raise ValueError(f"{target} needs train and test samples")
    fingerprint = shard_fingerprint(Path(shards_dir))
    base_fp = source_fingerprint(base_spec)
    runs: dict[str, dict[str, dict[str, Any]]] = {}
    for k in config.shots:
        train = few_shot(pool, k, config.seed)
        label = shots_label(k)
        runs[label] = {}
        for name in config.methods:
            store = _store(out_dir, name, label, config, target, base_fp, fingerprint)
            cached = store.cached(needs_weights=name == "finetune")
            if cached is not None:
                runs[label][name] = cached.metrics
                continue
            report(f"{label}-shot {name} on {target}: {len(train)} training images")
            options: dict[str, Any] = {}
            finetuned = _store(out_dir, "finetune", label, config, target, base_fp, fingerprint)
            if name == "wise_ft" and finetuned.cached() is not None:
                options["finetuned"] = finetuned.checkpoint_path
            with torch_threads(config.num_threads):
                seed_everything(config.seed)
                device = resolve_device(config.device)
                method = build_method(name, base_spec, classes["label_short"], device, **options)
                run = run_method(method, train, val, test, classes, config.loop(name), device)
            if not current_world().main:  # under torchrun rank 0 evaluates and saves
                barrier()
                continue
            if "finetuned" in options:  # its fine-tuning is the finetune run's
                run.metrics["train_seconds"] += finetuned.cached().metrics["train_seconds"]
            payload = method_payload(run.method, base_spec) if name == "finetune" else None
            store.save(payload, {"metrics": run.metrics, "history": run.history})
            barrier()
            runs[label][name] = run.metrics
    return Comparison(target, base_info, runs, {**asdict(config), "base": asdict(config.base)})
