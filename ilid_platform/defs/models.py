"""clip_model (CLIP adaptation), adaptation_report (every method compared) and student_model
(VL2V-ADiP distillation)."""

import json
from dataclasses import asdict
from pathlib import Path

import dagster as dg

from ilid_platform.defs.automation import on_upstream_data_change
from ilid_platform.defs.dataset import ilid_shards
from ilid_platform.defs.metadata import metrics_table, rounded
from ilid_platform.defs.resources import IlidStorage
from ilid_platform.defs.training import run_training
from ilid_platform.defs.training_configs import (
    AdaptationReportConfig,
    ClipTrainingConfig,
    StudentTrainingConfig,
)
from ilid_platform.previews import png_data_uri
from ilid_platform.train.clip.adaptation_protocol import Comparison, ProtocolConfig
from ilid_platform.train.clip.stage import ClipConfig, stand_in_config
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
from ilid_platform.train.students.ood_protocol import DistillationProtocol, StudentComparison
from ilid_platform.train.students.stage import DEPLOY_FLOOR, StudentConfig

DEPLOY_CHECK = "deployed_student_beats_chance"


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
        base=stand_in_config(
            config.base_epochs, config.base_augment, config.seed, config.device, config.precision
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
    check_specs=[
        dg.AssetCheckSpec(
            DEPLOY_CHECK,
            asset="student_model",
            blocking=True,
            description=f"The student trained on every shop reaches {DEPLOY_FLOOR:g} x chance "
            "on the test split; below it no ONNX is exported and the step fails.",
        )
    ],
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
                "lr",
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
        teacher=stand_in_config(
            config.teacher_epochs,
            config.teacher_augment,
            config.seed,
            config.device,
            config.precision,
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
    deployed, check = content["deployed"], content["deploy_check"]
    metrics = deployed["metrics"]
    _write_report(storage, "student_comparison", comparison.to_json())
    _write_report(storage, "student_metrics", {**metrics, "deploy_check": check})
    reports = storage.paths.reports
    confusion = {}
    if "in_domain_confusion" in metrics:
        confusion["confusion_matrix"] = _image_markdown(
            confusion_png(metrics["in_domain_confusion"], f"{student.objective} student"),
            reports / "student_confusion.png",
            "confusion matrix of the deployed student on the test split",
        )
    if check["passed"]:
        shipped = {
            "onnx": dg.MetadataValue.path(content["onnx"]),
            "predict": dg.MetadataValue.md(
                f"```\nilid predict {content['onnx']} FOLDER -o predictions.csv\n```"
            ),
        }
    else:  # no ONNX was exported: nothing to offer `ilid predict`
        shipped = {"not_shipped": dg.MetadataValue.md(_deploy_text(check))}
    verdict = comparison.verdict()
    return dg.MaterializeResult(
        metadata={
            **reported,
            "checkpoint": dg.MetadataValue.path(deployed["checkpoint"]),
            **shipped,
            "objective": student.objective,
            "out_of_domain_winner": dg.MetadataValue.md(verdict["text"]),
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
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=DEPLOY_CHECK,
                passed=check["passed"],
                severity=dg.AssetCheckSeverity.ERROR,
                description=_deploy_text(check),
                metadata={k: v for k, v in rounded(check).items() if v is not None},
            )
        ],
    )


def _deploy_text(check: dict) -> str:
    verb = "ships" if check["passed"] else "is not shipped"
    return (
        f"The student trained on every shop {verb}: {check['acc']:.3f} on the test split "
        f"against a floor of {check['floor']:.3f} ({DEPLOY_FLOOR:g} x chance, and above the "
        f"most common class's share {check.get('majority', 0.0):.3f}); its teacher "
        f"{check['teacher_acc']:.3f}."
    )
