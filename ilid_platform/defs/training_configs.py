"""The launchpad configs of clip_model, adaptation_report and student_model.

Their defaults are the recipes the benchmarks measured on the `large` catalog (each field
names its figure); `make demo` scales their steps and epochs to its budget
(`run_demo.DEMO_RUN_CONFIG`), not the recipe.
"""

import dagster as dg
from pydantic import Field

from ilid_platform.defs.training import nproc_field
from ilid_platform.train.clip.adaptation_protocol import ProtocolConfig
from ilid_platform.train.clip.stage import IN_MEMORY_LIMIT, STAND_IN_AUGMENT, ClipConfig
from ilid_platform.train.students.objectives import OBJECTIVES
from ilid_platform.train.students.stage import StudentConfig

PRECISION_HELP = (
    "fp32, amp_bf16 or amp_fp16 (open_clip's names); autocast on CUDA, fp32 on CPU; amp_bf16 "
    "falls back to fp16 with loss scaling on a GPU without bf16"
)
DEVICE_HELP = "auto (CUDA when present), cpu, or cuda; under torchrun each process its own GPU"
CLIP_DEFAULTS = ClipConfig()
STUDENT_DEFAULTS = StudentConfig()
PROTOCOL_DEFAULTS = ProtocolConfig()
STAND_IN_HELP = (
    "views of the from-scratch CLIPs that never saw the held-out shop (see clip_model's "
    "augment); domainbed's colour jitter makes them more robust to another shop's photos "
    "(0.591 against 0.330 with pose views, large catalog)"
)


class ClipTrainingConfig(dg.Config):
    """Defaults are `ClipConfig`'s from-scratch recipe (`ilid-tiny-96`, `pose` views, label
    dropout 0.05, 80 epochs: label_short 0.901 and material 0.935 on the `large` catalog's 597
    test images); set model/pretrained for a real CLIP.

    `method` picks the adaptation method (see `train.clip.methods.METHODS`); without
    `pretrained`, methods other than `finetune` start from the from-scratch `finetune` of the
    same shards.
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
    stream: bool | None = Field(
        default=CLIP_DEFAULTS.stream,
        description="read the train split from the WebDataset tars as a stream; false: into "
        "memory (decoded images cached between epochs); unset: in memory up to "
        f"{IN_MEMORY_LIMIT} training images",
    )
    workers: int = Field(
        default=CLIP_DEFAULTS.workers, ge=0, description="DataLoader processes per rank"
    )
    field_dropout: float = Field(
        default=CLIP_DEFAULTS.field_dropout,
        ge=0,
        lt=1,
        description="chance of leaving each caption field but label_short out per step, so the "
        "zero-shot prompt 'a photo of a {label_short}.' is a quarter of the captions (demo "
        "catalog, 387 test images: label_short 0.731 at 0.5 against 0.638 at 0.3)",
    )
    label_dropout: float = Field(
        default=CLIP_DEFAULTS.label_dropout,
        ge=0,
        lt=1,
        description="chance of leaving label_short out of a caption, so that material and "
        "finish are also named alone, as their zero-shot prompts do (large catalog: material "
        "0.935 at 0.05 against 0.739 at 0)",
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

    Defaults are `StudentConfig`'s recipe (students start from the teacher's image tower,
    60 + 240 steps, DomainBed views, SWAD: `adip` 0.781 out of domain with the teacher that saw
    the shop, against 0.333 from scratch) and unseen teachers trained as `clip_model` is, for
    80 epochs, with `domainbed` views.
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
    arch: str = Field(
        default=STUDENT_DEFAULTS.arch,
        description="'teacher' (start from the teacher's image tower: out of domain 0.58-0.65 "
        "against 0.26-0.33 for a 64 px resnet18 from scratch) or any timm name",
    )
    pretrained: bool = False
    image_size: int = STUDENT_DEFAULTS.image_size
    lr: float | None = Field(
        default=STUDENT_DEFAULTS.lr,
        description="the backbone's learning rate; unset: 1e-3 (5e-5 with pretrained timm "
        "weights): from the tower, erm held out on acme reached 0.901 at 1e-3 against 0.669 "
        "at 5e-5; a much shorter run keeps more of the teacher at a smaller rate",
    )
    align_steps: int = STUDENT_DEFAULTS.align_steps
    distill_steps: int = STUDENT_DEFAULTS.distill_steps
    batch_size: int = STUDENT_DEFAULTS.batch_size
    augment: str = STUDENT_DEFAULTS.augment
    averaging: str = STUDENT_DEFAULTS.averaging
    validate_every: int = STUDENT_DEFAULTS.validate_every
    # from-scratch training of each teacher that never saw a shop: clip_model's recipe
    teacher_epochs: int = CLIP_DEFAULTS.epochs
    teacher_augment: str = Field(default=STAND_IN_AUGMENT, description=STAND_IN_HELP)
    seed: int = 0
    device: str = Field(default="auto", description=DEVICE_HELP)
    precision: str = Field(default="amp_bf16", description=PRECISION_HELP)
    nproc_per_node: int = nproc_field()


class AdaptationReportConfig(dg.Config):
    """Defaults are `benchmarks/adaptation.py`'s protocol: 1, 4 and 16 shots and all, 200
    steps of batch 16 for every method (at 16 shots on clampco `finetune` 0.63 [0.56, 0.69]
    against 0.16 for `zero_shot`), and a stand-in trained as the students' unseen teachers
    are, so the two assets share it."""

    target_source: str | None = None
    shots: list[int] = [k for k in PROTOCOL_DEFAULTS.shots if k is not None]
    include_all_shots: bool = None in PROTOCOL_DEFAULTS.shots  # the target's whole train split
    methods: list[str] = list(PROTOCOL_DEFAULTS.methods)
    steps: int = PROTOCOL_DEFAULTS.steps
    batch_size: int = PROTOCOL_DEFAULTS.batch_size
    validate_every: int = PROTOCOL_DEFAULTS.validate_every
    base_epochs: int = CLIP_DEFAULTS.epochs  # from-scratch training of the stand-in
    base_augment: str = Field(default=STAND_IN_AUGMENT, description=STAND_IN_HELP)
    seed: int = 0
    device: str = Field(default="auto", description=DEVICE_HELP)
    precision: str = Field(default="amp_bf16", description=PRECISION_HELP)
    nproc_per_node: int = nproc_field()
