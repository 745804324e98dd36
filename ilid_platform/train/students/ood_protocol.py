"""The out-of-domain protocol: every student objective, every shop held out in turn.

For each held-out shop, a teacher that never saw it (the from-scratch `finetune` of the
other shops, or a pretrained CLIP where one is named) is trained first; every objective then
distils it into a student on the other shops' train splits with the same data, budget,
augmentation and averaging, and is tested on every image of the held-out shop. Beside each
student the table shows the zero-shot accuracy on the same images of that teacher and, when
given, of a teacher that did see the shop (the `clip_model` trained on every shop), so the
comparison is honest both ways. Every run is cached by its inputs.

Students can also learn from the teacher that saw the shop (`distill_from: seen`), as the
paper's students learn from a CLIP whose web-scale training covered their test domains. That
teacher trained on the held-out shop's train split, so everyone is then tested on its test
split alone: images no model trained on.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import torch

from ilid_platform.train.clip.evaluate import image_features
from ilid_platform.train.clip.methods.run import load_adapted
from ilid_platform.train.clip.stage import ClipConfig, train_clip
from ilid_platform.train.data import (
    ImageDataset,
    Sample,
    class_names,
    image_batches,
    load_samples,
)
from ilid_platform.train.distributed import current_world
from ilid_platform.train.runtime import resolve_device, torch_threads
from ilid_platform.train.scores import Z95, accuracy_entry
from ilid_platform.train.students.objectives import OBJECTIVES
from ilid_platform.train.students.stage import StudentConfig, distill_student, load_student

logger = logging.getLogger(__name__)

TEACHER_UNSEEN = "teacher_unseen"  # never saw the held-out shop; the students learn from it
TEACHER_SEEN = "teacher_seen"  # the given teacher, trained on every shop


@dataclass(frozen=True)
class DistillationProtocol:
    methods: tuple[str, ...] = OBJECTIVES
    holdouts: tuple[str, ...] | None = None  # None: every source in turn
    student: StudentConfig = field(default_factory=StudentConfig)
    teacher: ClipConfig = field(default_factory=ClipConfig)  # trains the unseen teachers
    # "unseen": students learn from the teacher that never saw the held-out shop (honest
    # out of domain); "seen": from the given teacher, trained on every shop, and then
    # everyone is tested on the held-out shop's test split, which that teacher never saw
    distill_from: Literal["unseen", "seen"] = "unseen"

    def __post_init__(self) -> None:
        unknown = set(self.methods) - set(OBJECTIVES)
        if unknown or not self.methods:
            raise ValueError(f"methods must be among {OBJECTIVES}, got {list(self.methods)}")
        if self.distill_from not in ("unseen", "seen"):
            raise ValueError("distill_from is 'unseen' or 'seen'")

    @property
    def tests_on_test_split(self) -> bool:
        """The seen teacher trained on the held-out shop's train split: everyone is then
        tested on its test split alone, the images no model trained on."""
        return self.distill_from == "seen"


@dataclass
class StudentComparison:
    """`runs[held_out][method]`: the student's metrics; `teachers[held_out][who]`: the
    teachers' zero-shot accuracy on the same held-out images."""

    runs: dict[str, dict[str, dict[str, Any]]]
    teachers: dict[str, dict[str, dict[str, Any]]]
    config: dict[str, Any]
    histories: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    def average(self) -> dict[str, dict[str, Any]]:
        """Per method and teacher: the mean over held-out shops (as DomainBed averages
        domains), with a 95 % interval from the shops' binomial variances."""
        rows: dict[str, list[tuple[float, int]]] = {}
        for held_out, methods in self.runs.items():
            for method, m in methods.items():
                rows.setdefault(method, []).append((m["ood_acc"], m["ood_n"]))
            for who, t in self.teachers[held_out].items():
                rows.setdefault(who, []).append((t["acc"], t["n"]))
        return {name: mean_accuracy(values) for name, values in rows.items()}

    def verdict(self) -> dict[str, Any]:
        """Which objective won out of domain (the mean over held-out shops) and by how much.
        Objectives whose intervals overlap the best one's are tied with it: the text then
        says so instead of ranking them. The best is also set against the teacher that never
        saw the shop and against twice chance."""
        average = self.average()
        ranked = sorted(
            (m for m in average if m not in (TEACHER_UNSEEN, TEACHER_SEEN)),
            key=lambda m: -average[m]["acc"],
        )
        best, top = ranked[0], average[ranked[0]]
        chance = next(iter(next(iter(self.runs.values())).values())).get("chance")
        tied = [m for m in ranked[1:] if not _separated(top, average[m])]
        out: dict[str, Any] = {
            "best": best,
            "acc": top["acc"],
            "ci": top["ci"],
            "tied_with": tied,
            "chance": chance,
        }

        def shown(name: str) -> str:
            return f"{name} {_with_interval(average[name])}"

        if len(ranked) > 1:
            out["runner_up"], out["margin"] = ranked[1], top["acc"] - average[ranked[1]]["acc"]
        if tied:
            text = (
                f"no objective wins: {', '.join(map(shown, [best, *tied]))} have overlapping "
                f"intervals ({best} leads by {out['margin']:+.3f}, within the noise)"
            )
        elif len(ranked) > 1:
            text = f"{best} won by {out['margin']:+.3f}: {shown(best)} against {shown(ranked[1])}"
        else:
            text = shown(best)
        if TEACHER_UNSEEN in average:
            teacher = average[TEACHER_UNSEEN]
            out["over_unseen_teacher"] = top["acc"] - teacher["acc"]
            out["separated_from_unseen_teacher"] = _separated(top, teacher)
            relation = "apart from" if out["separated_from_unseen_teacher"] else "overlapping"
            text += (
                f"; the teacher that never saw the shop {_with_interval(teacher)} "
                f"({out['over_unseen_teacher']:+.3f}, intervals {relation})"
            )
        if chance:
            out["over_twice_chance"] = top["acc"] >= 2 * chance
            text += f"; chance {chance:.3f}"
        out["text"] = text
        return out

    def to_json(self) -> dict[str, Any]:
        """`{held_out: {method: {ood_acc, ood_ci, in_domain_acc, ...}}, "average": {method:
        ood_acc}, "teacher": {held_out: {who: {acc, ci, n}}}, "verdict": ...}`, plus the
        details."""
        average = self.average()
        out: dict[str, Any] = {
            held_out: {
                method: {k: v for k, v in m.items() if k != "checkpoint"}
                for method, m in methods.items()
            }
            for held_out, methods in self.runs.items()
        }
        out["average"] = {name: a["acc"] for name, a in average.items()}
        out["average_ci"] = {name: a["ci"] for name, a in average.items()}
        out["teacher"] = self.teachers
        out["verdict"] = self.verdict()
        out["config"] = self.config
        return out


def _with_interval(a: dict[str, Any]) -> str:
    return f"{a['acc']:.3f} [{a['ci'][0]:.3f}, {a['ci'][1]:.3f}]"


def _separated(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two accuracies' 95 % intervals do not overlap."""
    return a["ci"][0] > b["ci"][1] or b["ci"][0] > a["ci"][1]


def mean_accuracy(values: Sequence[tuple[float, int]]) -> dict[str, Any]:
    """Mean of per-shop accuracies with a normal-approximation interval."""
    k = len(values)
    acc = sum(a for a, _ in values) / k
    var = sum(a * (1 - a) / max(n, 1) for a, n in values) / (k * k)
    half = Z95 * math.sqrt(var)
    return {"acc": acc, "ci": [max(0.0, acc - half), min(1.0, acc + half)], "shops": k}


def out_of_domain(
    samples: Sequence[Sample], held_out: str, protocol: DistillationProtocol
) -> list[Sample]:
    """The held-out shop's images that the protocol tests on."""
    ood = [s for s in samples if s.source == held_out]
    return [s for s in ood if s.split == "test"] if protocol.tests_on_test_split else ood


@torch.no_grad()
def student_accuracy(
    checkpoint: Path, samples: Sequence[Sample], device: torch.device
) -> dict[str, Any]:
    """A stored student's label_short accuracy on `samples`, as `ilid predict` would run it."""
    student = load_student(checkpoint, device)
    predicted: list[str] = []
    for images in image_batches(ImageDataset(samples, student.transform, deterministic=True)):
        predicted += student.predict(images.to(device))
    hits = [p == s.label_short for p, s in zip(predicted, samples, strict=True)]
    return accuracy_entry(torch.tensor(hits))


@torch.no_grad()
def teacher_accuracy(
    teacher_spec: str | Path,
    samples: Sequence[Sample],
    names: Sequence[str],
    device: torch.device,
) -> dict[str, Any]:
    """A CLIP's zero-shot label_short accuracy ("a photo of a {label}.") on `samples`."""
    teacher = load_adapted(teacher_spec, device)
    head = teacher.class_embeddings(names)
    if head is None:
        raise ValueError(f"a {teacher.name} teacher has no class embeddings")
    index = {n: i for i, n in enumerate(names)}
    dataset = ImageDataset(samples, teacher.eval_transform, deterministic=True)
    predicted = (image_features(teacher, dataset, device=device) @ head.T).argmax(1).cpu()
    targets = torch.tensor([index[s.label_short] for s in samples])
    return accuracy_entry(predicted == targets)


def compare_students(
    shards_dir: Path,
    out_dir: Path,
    protocol: DistillationProtocol = DistillationProtocol(),
    seen_teacher: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    teachers_dir: Path | None = None,
) -> StudentComparison:
    """Run every method with every shop held out; `seen_teacher` is a CLIP trained on every
    shop (the `clip_model`), reported beside the students and, with `distill_from: seen`,
    the one they learn from. Unseen teachers are cached in `teachers_dir` (default
    `out_dir/teachers`): the adaptation protocol's stand-ins are the same models."""
    report = progress or logger.info
    samples = load_samples(Path(shards_dir))
    sources = sorted({s.source for s in samples})
    holdouts = list(protocol.holdouts or sources)
    unknown = set(holdouts) - set(sources)
    if unknown or len(sources) < 2:
        raise ValueError(f"held-out shops {sorted(unknown)} not among at least two {sources}")
    if protocol.distill_from == "seen" and seen_teacher is None:
        raise ValueError("distill_from 'seen' needs the teacher trained on every shop")
    names = class_names(samples, "label_short")
    device = resolve_device(protocol.student.device)
    runs: dict[str, dict[str, dict[str, Any]]] = {}
    teachers: dict[str, dict[str, dict[str, Any]]] = {}
    histories: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for held_out in holdouts:
        others = tuple(s for s in sources if s != held_out)
        if protocol.teacher.pretrained:
            unseen: str | Path = protocol.teacher.base_spec()
        else:
            report(f"teacher that never saw {held_out}: finetune on {', '.join(others)}")
            start = replace(protocol.teacher, method="finetune", sources=others)
            where = teachers_dir or Path(out_dir) / "teachers"
            unseen = train_clip(shards_dir, where, start, report)
            unseen = unseen.checkpoint_path
        ood = out_of_domain(samples, held_out, protocol)
        main = current_world().main  # under torchrun every rank trains, rank 0 evaluates
        teachers[held_out] = {}
        with torch_threads(protocol.student.num_threads):
            if main:
                teachers[held_out][TEACHER_UNSEEN] = teacher_accuracy(unseen, ood, names, device)
            if main and seen_teacher is not None:
                seen = teacher_accuracy(seen_teacher, ood, names, device)
                teachers[held_out][TEACHER_SEEN] = seen
        source = seen_teacher if protocol.distill_from == "seen" else unseen
        runs[held_out], histories[held_out] = {}, {}
        for method in protocol.methods:
            report(f"{method} student, {held_out} held out")
            config = replace(protocol.student, objective=method)
            result = distill_student(
                shards_dir, source, Path(out_dir) / "students", config, held_out, report
            )
            if not main:
                continue
            m = result.metrics
            tested = {"acc": m["student_ood_acc"], "ci": m["student_ood_ci"], "n": m["ood_n"]}
            if protocol.tests_on_test_split:  # the run scored every image of the shop
                with torch_threads(protocol.student.num_threads):
                    tested = student_accuracy(result.checkpoint_path, ood, device)
            runs[held_out][method] = {
                "ood_acc": tested["acc"],
                "ood_ci": tested["ci"],
                "ood_n": tested["n"],
                "in_domain_acc": m["student_in_domain_acc"],
                "in_domain_ci": m["student_in_domain_ci"],
                "train_seconds": m["train_seconds"],
                "chance": m["chance"],
                "checkpoint": str(result.checkpoint_path),
            }
            histories[held_out][method] = result.history
    config = {
        **asdict(protocol),
        "holdouts": holdouts,
        "seen_teacher": None if seen_teacher is None else str(seen_teacher),
        "ood_images": "test split" if protocol.tests_on_test_split else "all",
    }
    return StudentComparison(runs, teachers, config, histories)
