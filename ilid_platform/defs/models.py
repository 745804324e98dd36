"""clip_model (open_clip fine-tuning) and student_model (VL2V-ADiP distillation)."""

import json

import dagster as dg

from ilid_platform.defs.automation import on_upstream_data_change
from ilid_platform.defs.dataset import ilid_shards
from ilid_platform.defs.partitions import sources
from ilid_platform.defs.resources import IlidStorage
from ilid_platform.train.clip import ClipConfig, finetune_clip
from ilid_platform.train.distill import StudentConfig, distill_student

CLIP_DEFAULTS = ClipConfig()
STUDENT_DEFAULTS = StudentConfig()


class ClipTrainingConfig(dg.Config):
    """Defaults train the small from-scratch config on CPU; set model/pretrained for real CLIP."""

    model: str = CLIP_DEFAULTS.model
    pretrained: str | None = None
    epochs: int = CLIP_DEFAULTS.epochs
    batch_size: int = CLIP_DEFAULTS.batch_size
    lr: float | None = None
    seed: int = 0
    device: str = "auto"


class StudentTrainingConfig(dg.Config):
    arch: str = STUDENT_DEFAULTS.arch
    pretrained: bool = False
    align_steps: int = STUDENT_DEFAULTS.align_steps
    distill_steps: int = STUDENT_DEFAULTS.distill_steps
    holdout_source: str | None = None
    seed: int = 0
    device: str = "auto"


def _write_report(storage: IlidStorage, name: str, metrics: dict) -> None:
    (storage.paths.reports / f"{name}.json").write_text(json.dumps(metrics, indent=2))


def _metric_metadata(metrics: dict) -> dict:
    flat = {k: v for k, v in metrics.items() if isinstance(v, int | float)}
    return {**flat, "metrics": dg.MetadataValue.json(metrics)}


@dg.asset(
    automation_condition=on_upstream_data_change,
    deps=[ilid_shards],
    group_name="models",
    kinds={"pytorch"},
    description="open_clip contrastive fine-tune on the train shards, evaluated on the test split: "
    "N-way zero-shot accuracy (label_short, material) with chance, R@1/R@5, in-batch accuracy.",
)
def clip_model(
    context: dg.AssetExecutionContext, config: ClipTrainingConfig, storage: IlidStorage
) -> dg.MaterializeResult:
    clip_config = ClipConfig(**config.model_dump(exclude_none=True))
    result = finetune_clip(
        storage.paths.shards,
        storage.paths.checkpoints / "clip",
        clip_config,
        progress=context.log.info,
    )
    _write_report(storage, "clip_metrics", result.metrics)
    return dg.MaterializeResult(
        metadata={
            "checkpoint": dg.MetadataValue.path(str(result.checkpoint_path)),
            **_metric_metadata(result.metrics),
        }
    )


@dg.asset(
    automation_condition=on_upstream_data_change,
    deps=[clip_model],
    group_name="models",
    kinds={"pytorch", "timm"},
    description="VL2V-ADiP student (align, distill, predict with the teacher's text head), "
    "in-domain and leave-one-source-out accuracy next to the teacher's.",
)
def student_model(
    context: dg.AssetExecutionContext, config: StudentTrainingConfig, storage: IlidStorage
) -> dg.MaterializeResult:
    holdout = config.holdout_source or list(sources())[-1]
    student_config = StudentConfig(
        **config.model_dump(exclude={"holdout_source"}, exclude_none=True)
    )
    teacher = context.instance.get_latest_materialization_event(clip_model.key)
    result = distill_student(
        storage.paths.shards,
        teacher.asset_materialization.metadata["checkpoint"].value,
        storage.paths.checkpoints / "student",
        student_config,
        holdout_source=holdout,
        progress=context.log.info,
    )
    _write_report(storage, "student_metrics", result.metrics)
    return dg.MaterializeResult(
        metadata={
            "checkpoint": dg.MetadataValue.path(str(result.checkpoint_path)),
            "holdout_source": holdout,
            **_metric_metadata(result.metrics),
        }
    )
