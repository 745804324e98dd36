"""clip_model (CLIP adaptation), adaptation_report (every method compared) and student_model
(VL2V-ADiP distillation)."""

import json
from dataclasses import asdict
from pathlib import Path

import dagster as dg
from pydantic import Field

from ilid_platform.defs.automation import on_upstream_data_change
from ilid_platform.defs.dataset import ilid_shards
from ilid_platform.defs.metadata import metrics_table, rounded
from ilid_platform.defs.resources import IlidStorage
from ilid_platform.defs.training import nproc_field, run_training
from ilid_platform.previews import png_data_uri
from ilid_platform.train.clip.adaptation_protocol import Comparison, ProtocolConfig
from ilid_platform.train.clip.stage import ClipConfig
from ilid_platform.train.report import (
    comparison_markdown,
    confusion_png,
    grouped_markdown,
    history_png,
    shots_plot_png,
    student_bars_png,
    student_markdown,
    training_curves_png,
)
from ilid_platform.train.students.objectives import OBJECTIVES
from ilid_platform.train.students.ood_protocol import DistillationProtocol, StudentComparison
from ilid_platform.train.students.stage import StudentConfig

PRECISION_HELP = (
    "fp32, amp_bf16 or amp_fp16 (open_clip's names); autocast on CUDA, fp32 on CPU; amp_bf16 "
    "falls back to fp16 with loss scaling on a GPU without bf16"
)
DEVICE_HELP = "auto (CUDA when present), cpu, or cuda; under torchrun each process its own GPU"
CLIP_DEFAULTS = ClipConfig()
STUDENT_DEFAULTS = StudentConfig()
PROTOCOL_DEFAULTS = ProtocolConfig()


class ClipTrainingConfig(dg.Config):
    """Defaults train the small from-scratch config on CPU; set model/pretrained for real CLIP.

    `method` picks the adaptation method (see `train.clip.methods.METHODS`); without `pretrained`,
    methods other than `finetune` start from the from-scratch `finetune` of the same shards.
    """

    method: str = CLIP_DEFAULTS.method
    model: str = CLIP_DEFAULTS.model
    pretrained: str | None = None
    epochs: int = CLIP_DEFAULTS.epochs
    batch_size: int = CLIP_DEFAULTS.batch_size
    lr: float | None = None
    seed: int = 0
    device: str = Field(default="auto", description=DEVICE_HELP)
    precision: str = Field(default="amp_bf16", description=PRECISION_HELP)
    nproc_per_node: int = nproc_field()
    stream: bool = Field(
        default=CLIP_DEFAULTS.stream,
        description="read the train split from the WebDataset tars as a stream; false: into "
        "memory (decoded images cached between epochs)",
    )
    workers: int = Field(
        default=CLIP_DEFAULTS.workers, ge=0, description="DataLoader processes per rank"
    )
    label_dropout: float = Field(
        default=CLIP_DEFAULTS.label_dropout,
        ge=0,
        lt=1,
        description="chance of leaving label_short out of a caption, so that material and "
        "finish are also named alone, as their zero-shot prompts do",
    )
    augment: str = Field(
        default=CLIP_DEFAULTS.augment,
        description="training views: crop (open_clip's), pose (adds mirror images and quarter "
        "turns, for parts photographed at any angle), domainbed, randaugment or none",
    )


class StudentTrainingConfig(dg.Config):
    """Every objective in `methods` is trained with each shop held out in turn (`holdouts`,
    default every shop) and compared out of domain; then `objective` is trained on every
    shop with the `clip_model` teacher and exported to ONNX: the student to deploy.

    Defaults keep `make demo` short (13 small students at 32 px, 50 steps each: mechanics,
    not accuracy);
    `benchmarks/distillation.py` runs the comparison at full budget on the `large` catalog.
    """

    objective: str = STUDENT_DEFAULTS.objective
    methods: list[str] = list(OBJECTIVES)
    holdouts: list[str] | None = None
    distill_from: str = Field(
        default="unseen",
        description="the teacher students learn from: 'unseen', the one that never saw the "
        "held-out shop, or 'seen', clip_model (trained on every shop, as CLIP's web data covers "
        "the paper's test domains); 'seen' tests on the held-out shop's test split only",
    )
    arch: str = "mobilenetv3_small_100"  # any timm name, or "teacher" (its image tower)
    pretrained: bool = False
    image_size: int = 32
    align_steps: int = 10
    distill_steps: int = 40
    batch_size: int = STUDENT_DEFAULTS.batch_size
    augment: str = STUDENT_DEFAULTS.augment
    averaging: str = STUDENT_DEFAULTS.averaging
    validate_every: int = 10
    teacher_epochs: int = 10  # from-scratch training of each teacher that never saw a shop
    teacher_augment: str = Field(
        default=CLIP_DEFAULTS.augment,
        description="views of the teachers that never saw a shop (see clip_model's augment); "
        "domainbed's colour jitter makes them more robust to another shop's photos",
    )
    seed: int = 0
    device: str = Field(default="auto", description=DEVICE_HELP)
    precision: str = Field(default="amp_bf16", description=PRECISION_HELP)
    nproc_per_node: int = nproc_field()


class AdaptationReportConfig(dg.Config):
    """The comparison's budget. Defaults keep `make demo` short; `benchmarks/adaptation.py`
    runs the full protocol on the `large` catalog."""

    target_source: str | None = None
    shots: list[int] = [4]
    include_all_shots: bool = True  # also adapt with the target shop's whole train split
    methods: list[str] = list(PROTOCOL_DEFAULTS.methods)
    steps: int = 30
    batch_size: int = PROTOCOL_DEFAULTS.batch_size
    validate_every: int = 10
    base_epochs: int = 10  # from-scratch training of the stand-in foundation model
    seed: int = 0
    device: str = Field(default="auto", description=DEVICE_HELP)
    precision: str = Field(default="amp_bf16", description=PRECISION_HELP)
    nproc_per_node: int = nproc_field()


def _write_report(storage: IlidStorage, name: str, metrics: dict) -> None:
    (storage.paths.reports / f"{name}.json").write_text(json.dumps(metrics, indent=2))


_HEADLINE_SUFFIXES = ("_acc", "_r1", "_r5", "_chance", "_seconds", "n_eval")


def _metric_metadata(metrics: dict) -> dict:
    """Headline figures, rounded, as their own entries (the UI plots them across runs), and
    every scalar with its interval in one table."""
    headline = {
        k: rounded(v)
        for k, v in metrics.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and k.endswith(_HEADLINE_SUFFIXES)
    }
    return {**headline, "metrics": metrics_table(metrics)}


def _image_markdown(png: bytes, path: Path, title: str) -> dg.MetadataValue:
    """The PNG beside the reports, and inline in the UI (Dagster renders data-URI images)."""
    path.write_bytes(png)
    return dg.MetadataValue.md(f"![{title}]({png_data_uri(png)})\n\n`{path}`")


@dg.asset(
    automation_condition=on_upstream_data_change,
    deps=[ilid_shards],
    group_name="models",
    kinds={"pytorch"},
    description="open_clip contrastive fine-tune on the train shards, evaluated on the test split: "
    "N-way zero-shot accuracy (label_short, material) with chance, R@1/R@5, in-batch accuracy.",
)
def clip_model(
    context: dg.AssetExecutionContext,
    config: ClipTrainingConfig,
    storage: IlidStorage,
    pipes: dg.PipesSubprocessClient,
) -> dg.MaterializeResult:
    clip_config = ClipConfig(**config.model_dump(exclude_none=True, exclude={"nproc_per_node"}))
    result, reported = run_training(
        context,
        pipes,
        storage,
        "clip",
        storage.paths.checkpoints / "clip",
        asdict(clip_config),
        config.nproc_per_node,
    )
    metrics, history = result["metrics"], result["history"]
    _write_report(storage, "clip_metrics", metrics)
    confusion = _image_markdown(
        confusion_png(metrics["confusion"], f"label_short, {clip_config.method}"),
        storage.paths.reports / "clip_confusion.png",
        "confusion matrix",
    )
    return dg.MaterializeResult(
        metadata={
            **reported,
            "checkpoint": dg.MetadataValue.path(result["checkpoint"]),
            "method": clip_config.method,
            "confusion_matrix": confusion,
            "training_curves": _image_markdown(
                history_png(history, f"clip_model ({clip_config.method})"),
                storage.paths.reports / "clip_curves.png",
                "loss and validation curves",
            ),
            "accuracy_per_source": dg.MetadataValue.md(
                grouped_markdown(metrics["per_source"], "source")
            ),
            "accuracy_per_class": dg.MetadataValue.md(
                grouped_markdown(metrics["per_class"], "label_short")
            ),
            **_metric_metadata(metrics),
        }
    )


@dg.asset(
    automation_condition=on_upstream_data_change,
    deps=[ilid_shards],
    group_name="models",
    kinds={"pytorch"},
    description="Every CLIP adaptation method adapts the same starting model (a from-scratch "
    "CLIP of the other shops) to one held-out shop at k shots per class, with the same budget; "
    "test accuracy with Wilson intervals, train time, and accuracy against shots.",
)
def adaptation_report(
    context: dg.AssetExecutionContext,
    config: AdaptationReportConfig,
    storage: IlidStorage,
    pipes: dg.PipesSubprocessClient,
) -> dg.MaterializeResult:
    protocol = ProtocolConfig(
        target_source=config.target_source,
        shots=(*config.shots, *([None] if config.include_all_shots else [])),
        methods=tuple(config.methods),
        steps=config.steps,
        batch_size=config.batch_size,
        validate_every=config.validate_every,
        base=ClipConfig(
            epochs=config.base_epochs,
            seed=config.seed,
            device=config.device,
            precision=config.precision,
        ),
        seed=config.seed,
        device=config.device,
        precision=config.precision,
    )
    content, reported = run_training(
        context,
        pipes,
        storage,
        "adaptation",
        storage.paths.checkpoints / "adaptation",
        asdict(protocol),
        config.nproc_per_node,
    )
    comparison = Comparison(**content["comparison"])
    _write_report(storage, "adaptation", comparison.to_json())
    plot = _image_markdown(
        shots_plot_png(comparison),
        storage.paths.reports / "adaptation_shots.png",
        "label_short accuracy against shots",
    )
    return dg.MaterializeResult(
        metadata={
            **reported,
            "target_source": comparison.target_source,
            "comparison": dg.MetadataValue.md(comparison_markdown(comparison)),
            "accuracy_vs_shots": plot,
            "results": dg.MetadataValue.json(rounded(comparison.to_json())),
        }
    )


@dg.asset(
    automation_condition=on_upstream_data_change,
    deps=[clip_model],
    group_name="models",
    kinds={"pytorch", "timm"},
    description="Vision-only students (ERM, KD, VL2V-ADiP and its image-only ablation) with "
    "every shop held out in turn, beside their teachers; the chosen one trained on every shop "
    "and exported to ONNX.",
)
def student_model(
    context: dg.AssetExecutionContext,
    config: StudentTrainingConfig,
    storage: IlidStorage,
    pipes: dg.PipesSubprocessClient,
) -> dg.MaterializeResult:
    student = StudentConfig(
        **config.model_dump(
            include={
                "objective",
                "arch",
                "pretrained",
                "image_size",
                "align_steps",
                "distill_steps",
                "batch_size",
                "augment",
                "averaging",
                "validate_every",
                "seed",
                "device",
                "precision",
            }
        )
    )
    protocol = DistillationProtocol(
        methods=tuple(config.methods),
        holdouts=tuple(config.holdouts) if config.holdouts else None,
        student=student,
        teacher=ClipConfig(
            epochs=config.teacher_epochs,
            augment=config.teacher_augment,
            seed=config.seed,
            device=config.device,
            precision=config.precision,
        ),
        distill_from=config.distill_from,  # type: ignore[arg-type]
    )
    teacher = context.instance.get_latest_materialization_event(clip_model.key)
    teacher_checkpoint = teacher.asset_materialization.metadata["checkpoint"].value
    stand_ins = storage.paths.checkpoints / "adaptation" / "base"
    content, reported = run_training(
        context,
        pipes,
        storage,
        "student",
        storage.paths.checkpoints / "student",
        asdict(protocol),
        config.nproc_per_node,
        # the unseen teachers are the adaptation protocol's stand-ins: shared
        (
            "--teacher",
            str(teacher_checkpoint),
            "--teachers",
            str(stand_ins),
        ),
    )
    comparison = StudentComparison(**content["comparison"])
    deployed = content["deployed"]
    metrics, onnx_path = deployed["metrics"], Path(content["onnx"])
    _write_report(storage, "student_comparison", comparison.to_json())
    _write_report(storage, "student_metrics", metrics)
    reports = storage.paths.reports
    confusion = {}
    if "in_domain_confusion" in metrics:
        confusion["confusion_matrix"] = _image_markdown(
            confusion_png(metrics["in_domain_confusion"], f"{student.objective} student"),
            reports / "student_confusion.png",
            "confusion matrix of the deployed student on the test split",
        )
    return dg.MaterializeResult(
        metadata={
            **reported,
            "checkpoint": dg.MetadataValue.path(deployed["checkpoint"]),
            "onnx": dg.MetadataValue.path(str(onnx_path)),
            "objective": student.objective,
            "out_of_domain": dg.MetadataValue.md(student_markdown(comparison)),
            "out_of_domain_plot": _image_markdown(
                student_bars_png(comparison),
                reports / "student_comparison.png",
                "students and teachers out of domain",
            ),
            "training_curves": _image_markdown(
                training_curves_png(comparison),
                reports / "student_curves.png",
                "training curves",
            ),
            "comparison": dg.MetadataValue.json(rounded(comparison.to_json())),
            "deployed_student_curves": _image_markdown(
                history_png(deployed["history"], f"{student.objective} student, every shop"),
                reports / "student_deployed_curves.png",
                "loss and validation curves of the deployed student",
            ),
            **confusion,
            "in_domain_acc": round(metrics["student_in_domain_acc"], 3),
            "teacher_in_domain_acc": round(metrics["teacher_in_domain_acc"], 3),
            "metrics": metrics_table(metrics),
            "predict": dg.MetadataValue.md(
                f"```\nilid predict {onnx_path} FOLDER -o predictions.csv\n```"
            ),
        }
    )
