"""Students out of domain: ERM, KD, VL2V-ADiP and its ablation, every shop held out in turn.

Builds the `large` demo catalog's shards (shared with `adaptation.py` in the same `--home`),
trains the teacher on every shop (`clip_model`'s `finetune` from scratch) and, per held-out
shop, a teacher that never saw it; each method then distils that teacher into a student on
the other shops (same data, steps, augmentation and averaging) and is tested on every image
of the held-out shop. Its defaults are the assets' (students from the teacher's tower,
teachers that never saw the shop trained with `domainbed` views). Variants show what an
initialisation or augmentation buys (`--variants arch=resnet18 augment=crop`);
`--unseen-augment pose` trains teachers that transfer worse to another shop's photos;
`--distill-from seen` distils the teacher trained on every
shop, as the paper's students learn from a CLIP that knows their test domains, and tests
every model on the held-out shop's test split, which none trained on. Prints the table, the
targets' margins and the students' CPU throughput (torch and onnxruntime) beside the
teacher's. Runs are cached in `--home`.

    .venv/bin/python benchmarks/distillation.py [--json OUT] [--arch teacher] [--steps 60 240]
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from harness import Benchmark, Ratio
from large_catalog import (
    SCRATCH_EPOCHS,
    add_catalog_arguments,
    add_scratch_clip_arguments,
    prepare,
    scratch_clip,
)

from ilid_platform.train.clip.methods.run import load_adapted
from ilid_platform.train.clip.stage import STAND_IN_AUGMENT, train_clip
from ilid_platform.train.report import student_table
from ilid_platform.train.students.export import export_onnx
from ilid_platform.train.students.objectives import OBJECTIVES
from ilid_platform.train.students.ood_protocol import (
    TEACHER_SEEN,
    TEACHER_UNSEEN,
    DistillationProtocol,
    StudentComparison,
    compare_students,
)
from ilid_platform.train.students.stage import StudentConfig, load_student


def images_per_second(run: Any, batch: np.ndarray | torch.Tensor, repeats: int = 10) -> float:
    run(batch)  # warm up
    started = time.perf_counter()
    for _ in range(repeats):
        run(batch)
    return repeats * len(batch) / (time.perf_counter() - started)


def throughput(student_checkpoint: Path, teacher: Path, batch: int = 64) -> dict[str, float]:
    """Images per second on this machine's CPU, one batch of `batch` at a time."""
    import onnxruntime

    student = load_student(student_checkpoint)
    x = torch.rand(batch, 3, student.image_size, student.image_size)
    with tempfile.TemporaryDirectory() as tmp:
        onnx_path = Path(tmp) / "student.onnx"
        export_onnx(student_checkpoint, onnx_path)
        session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        onnx_ips = images_per_second(lambda b: session.run(None, {name: b}), x.numpy())
    clip = load_adapted(teacher)
    size = clip.input_spec.size
    with torch.no_grad():
        torch_ips = images_per_second(student.logits, x)
        teacher_ips = images_per_second(clip.image_features, torch.rand(batch, 3, size, size))
    return {
        "student_torch": torch_ips,
        "student_onnxruntime": onnx_ips,
        "teacher_torch": teacher_ips,
    }


def margins(comparison: StudentComparison) -> dict[str, float]:
    average = comparison.average()
    out = {}
    if "adip" in average and "kd" in average:
        out["adip_minus_kd"] = average["adip"]["acc"] - average["kd"]["acc"]
    if "adip" in average and "erm" in average:
        out["adip_minus_erm"] = average["adip"]["acc"] - average["erm"]["acc"]
    best = max((m for m in OBJECTIVES if m in average), key=lambda m: average[m]["acc"])
    out["best_student"] = best  # type: ignore[assignment]
    for who in (TEACHER_UNSEEN, TEACHER_SEEN):
        if who in average and average[who]["acc"] > 0:
            out[f"best_over_{who}"] = average[best]["acc"] / average[who]["acc"]
    return out


def parse_variant(text: str) -> dict[str, Any]:
    """`arch=teacher` or `augment=crop,averaging=none`: StudentConfig overrides."""
    fields = StudentConfig.__dataclass_fields__
    out: dict[str, Any] = {}
    for item in text.split(","):
        key, _, value = item.partition("=")
        if key not in fields:
            raise SystemExit(f"unknown StudentConfig field {key!r} in variant {text!r}")
        kind = type(getattr(StudentConfig(), key))
        out[key] = kind(value) if kind in (int, float) else value
    return out


def main() -> int:
    bench = Benchmark("distillation", __doc__)
    parser = bench.parser
    add_catalog_arguments(parser)
    parser.add_argument("--no-throughput", action="store_true")
    add_scratch_clip_arguments(parser)  # --epochs: the seen teacher's
    parser.add_argument("--unseen-epochs", type=int, default=SCRATCH_EPOCHS, help="unseen teachers")
    parser.add_argument("--unseen-augment", default=STAND_IN_AUGMENT, help="unseen teachers' views")
    parser.add_argument("--methods", nargs="+", default=list(OBJECTIVES))
    parser.add_argument("--holdouts", nargs="+", default=None, help="default: every shop")
    parser.add_argument("--arch", default=StudentConfig().arch)
    parser.add_argument("--steps", nargs=2, type=int, default=[60, 240], help="align, distill")
    parser.add_argument("--augment", default=StudentConfig().augment)
    parser.add_argument("--averaging", default=StudentConfig().averaging)
    parser.add_argument("--distill-from", default="unseen", choices=["unseen", "seen"])
    parser.add_argument("--variants", nargs="*", default=[], help="e.g. arch=teacher")
    parser.add_argument("--variant-methods", nargs="+", default=["adip", "kd"])
    args = bench.parse()
    shards, out, progress = prepare(args)

    seen_config = scratch_clip(args)
    seen = train_clip(shards, out / "clip", seen_config, progress).checkpoint_path
    teacher_config = scratch_clip(args, args.unseen_epochs)
    if args.unseen_augment:
        teacher_config = replace(teacher_config, augment=args.unseen_augment)
    student = StudentConfig(
        arch=args.arch,
        align_steps=args.steps[0],
        distill_steps=args.steps[1],
        augment=args.augment,
        averaging=args.averaging,
        seed=args.seed,
    )

    def run(config: StudentConfig, methods: list[str]) -> StudentComparison:
        protocol = DistillationProtocol(
            methods=tuple(methods),
            holdouts=tuple(args.holdouts) if args.holdouts else None,
            student=config,
            teacher=teacher_config,
            distill_from=args.distill_from,
        )
        return compare_students(
            shards,
            out,
            protocol,
            seen,
            progress,
            teachers_dir=out / "adaptation" / "base",  # the adaptation benchmark's stand-ins
        )

    def report(title: str, comparison: StudentComparison) -> dict[str, Any]:
        caption, headers, rows = student_table(comparison)
        bench.table(title, headers, rows, note=caption)
        found = margins(comparison)
        bench.table(
            f"{title}: margins",
            ["margin", "value"],
            [[k, round(v, 3) if isinstance(v, float) else v] for k, v in found.items()],
        )
        return found

    comparison = run(student, args.methods)
    title = f"students: {args.arch}, {args.steps[0]}+{args.steps[1]} steps, {args.augment}"
    result = comparison.to_json()
    result["margins"] = report(title, comparison)
    result["variants"] = {}
    for text in args.variants:
        variant = replace(student, **parse_variant(text))
        extra = run(variant, args.variant_methods)
        result["variants"][text] = {
            "average": {k: v["acc"] for k, v in extra.average().items()},
            "average_ci": {k: v["ci"] for k, v in extra.average().items()},
            "margins": report(f"variant {text}", extra),
            "runs": extra.to_json(),
        }

    first = next(iter(comparison.runs.values()))
    best = result["margins"]["best_student"]
    if not args.no_throughput:
        speed = throughput(Path(first[best]["checkpoint"]), seen)
        result["images_per_second_cpu"] = speed
        bench.table(
            f"images per second, CPU, batches of 64 ({best} student, teacher)",
            ["model", "images/s"],
            [[name, value] for name, value in speed.items()],
        )
    bench.figure("comparison", result)
    average = comparison.average()
    if "adip" in average and "kd" in average:
        ratio = average["adip"]["acc"] / average["kd"]["acc"]
        return bench.finish(Ratio("adip/kd out of domain", ratio))
    return bench.finish()


if __name__ == "__main__":
    raise SystemExit(main())
