"""One training stage as its own process: `python -m ilid_platform.train STAGE`.

Every rank of a torchrun launch runs the stage (DDP inside the loop); rank 0 reports its
progress lines and final figures through a `Reporter` and writes `--result`, the JSON the
assets build their pictures from. Plain runs report on stderr; the assets launch
`ilid_platform.defs.train_process`, the same stage with a Reporter that speaks Dagster Pipes.

    torchrun --standalone --nproc_per_node 2 -m ilid_platform.train clip \\
        --shards SHARDS --out CHECKPOINTS --config '{"device": "cpu", "epochs": 5}'
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from ilid_platform.train.checkpoints import TrainResult, atomic_write_json
from ilid_platform.train.clip.adaptation_protocol import ProtocolConfig, compare_methods
from ilid_platform.train.clip.stage import ClipConfig, train_clip
from ilid_platform.train.distributed import die_with_launcher, launched_size, process_group
from ilid_platform.train.runtime import resolve_device
from ilid_platform.train.students.export import export_onnx
from ilid_platform.train.students.ood_protocol import DistillationProtocol, compare_students
from ilid_platform.train.students.stage import (
    DEPLOY_FLOOR,
    StudentConfig,
    deploy_check,
    distill_student,
)

STAGES = ("clip", "adaptation", "student")
# Figures every stage reports back as materialisation metadata, when the result has them.
_REPORTED = (
    "train_steps",
    "resumed_from_step",
    "train_samples_per_second",
    "train_seconds",
    "zeroshot_label_short_acc",
    "student_in_domain_acc",
    "student_ood_acc",
)


def _tuples(data: dict[str, Any]) -> dict[str, Any]:
    """JSON lists back to the tuples the frozen configs hold."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


def clip_config(data: dict[str, Any]) -> ClipConfig:
    return ClipConfig(**_tuples(data))


def protocol_config(data: dict[str, Any]) -> ProtocolConfig:
    return ProtocolConfig(**{**_tuples(data), "base": clip_config(data.get("base", {}))})


def distillation_protocol(data: dict[str, Any]) -> DistillationProtocol:
    return DistillationProtocol(
        **{
            **_tuples(data),
            "student": StudentConfig(**_tuples(data.get("student", {}))),
            "teacher": clip_config(data.get("teacher", {})),
        }
    )


def _threads_per_rank(num_threads: int | None) -> int | None:
    """Ranks on one CPU share its cores instead of each taking `num_threads` of them."""
    size = launched_size()
    if size == 1:
        return num_threads
    return max(1, min(num_threads or os.cpu_count() or 1, (os.cpu_count() or 1) // size))


class Reporter:
    """Rank 0's voice: progress lines on stderr; the other ranks stay quiet. `finish` takes
    the stage's final figures (and `last`, its last progress line); a subclass sends them on."""

    def __init__(self, main: bool) -> None:
        self.main, self.last = main, ""

    def __call__(self, line: str) -> None:
        if not self.main:
            return
        self.last = line
        self.send(line)
        print(line, file=sys.stderr, flush=True)

    def send(self, line: str) -> None:
        """Where else a progress line goes."""

    def finish(self, figures: dict[str, Any]) -> None:
        """The stage's final figures, on rank 0."""


def _result_json(result: TrainResult) -> dict[str, Any]:
    return {
        "checkpoint": None if result.checkpoint_path is None else str(result.checkpoint_path),
        "metrics": result.metrics,
        "history": result.history,
        "reused": result.reused,
    }


def _figures(metrics: dict[str, Any], world_size: int) -> dict[str, Any]:
    figures: dict[str, Any] = {k: metrics[k] for k in _REPORTED if k in metrics}
    figures["world_size"] = world_size
    return figures


def run_stage(args: argparse.Namespace, report: Reporter) -> tuple[dict, dict]:
    """Run the stage on this rank; returns (the result file's content, the figures)."""
    config = json.loads(args.config)
    shards, out = Path(args.shards), Path(args.out)
    size = launched_size()
    if args.stage == "clip":
        clip = clip_config(config)
        clip = replace(clip, num_threads=_threads_per_rank(clip.num_threads))
        result = train_clip(shards, out, clip, report)
        figures = _figures(result.metrics, size) | {"reused": result.reused}
        if result.checkpoint_path is not None:
            figures["checkpoint"] = str(result.checkpoint_path)
        return _result_json(result), figures
    if args.stage == "adaptation":
        protocol = protocol_config(config)
        protocol = replace(protocol, num_threads=_threads_per_rank(protocol.num_threads))
        comparison = compare_methods(shards, out, protocol, report)
        runs = sum(len(methods) for methods in comparison.runs.values())
        return {"comparison": asdict(comparison)}, {"runs": runs, "world_size": size}
    if args.teacher is None:
        raise SystemExit("the student stage needs --teacher")
    protocol = distillation_protocol(config)
    student = replace(protocol.student, num_threads=_threads_per_rank(protocol.student.num_threads))
    protocol = replace(protocol, student=student)
    teachers = Path(args.teachers) if args.teachers else None
    comparison = compare_students(shards, out, protocol, args.teacher, report, teachers)
    report(f"{student.objective} student on every shop, taught by {Path(args.teacher).name}")
    deployed = distill_student(shards, args.teacher, out, student, None, report)
    onnx, check = None, None
    if deployed.checkpoint_path is not None and deployed.metrics:  # rank 0
        check = deploy_check(deployed.metrics)
        if check["passed"]:
            onnx = deployed.checkpoint_path.with_suffix(".onnx")
            if not onnx.is_file():
                export_onnx(deployed.checkpoint_path, onnx)
        else:
            report(
                f"not exported: the student reaches {check['acc']:.3f} in domain, below "
                f"{DEPLOY_FLOOR:g} x chance ({check['floor']:.3f})"
            )
    content = {
        "comparison": asdict(comparison),
        "deployed": _result_json(deployed),
        "deploy_check": check,
        "onnx": None if onnx is None else str(onnx),
    }
    return content, _figures(deployed.metrics, size)


def main(
    argv: Sequence[str] | None = None,
    reporter: Callable[[bool], Reporter] = Reporter,
    prog: str = "python -m ilid_platform.train",
) -> int:
    """Parse the stage's arguments, join torchrun's process group and run the stage;
    `reporter(is_rank_0)` gives the Reporter, which may hold resources for the whole run."""
    die_with_launcher()
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    parser.add_argument("stage", choices=STAGES)
    parser.add_argument("--shards", required=True, help="the ilid_shards folder")
    parser.add_argument("--out", required=True, help="checkpoint folder (runs are cached there)")
    parser.add_argument("--config", default="{}", help="the stage's config as JSON")
    parser.add_argument("--result", help="write the stage's result here (JSON), from rank 0")
    parser.add_argument("--teacher", help="student: the CLIP checkpoint that teaches")
    parser.add_argument("--teachers", help="student: where the unseen teachers are cached")
    args = parser.parse_args(argv)
    device_name = _device_name(args.stage, json.loads(args.config))
    with process_group(resolve_device(device_name)) as world:
        report = reporter(world.main)
        if world.size > 1:
            report(f"{args.stage}: {world.size} processes, DDP on {device_name}")
        content, figures = run_stage(args, report)
        if world.main:
            if args.result:
                atomic_write_json(content, Path(args.result))
            report.finish(figures)
    return 0


def _device_name(stage: str, config: dict[str, Any]) -> str:
    if stage == "student":
        return config.get("student", {}).get("device", "auto")
    return config.get("device", "auto")
