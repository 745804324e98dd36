"""CLIP adaptation methods, one module each; `METHODS` maps a config's `method:` to its class."""

from ilid_platform.train.clip.methods.base import Method
from ilid_platform.train.clip.methods.clip_adapter import ClipAdapter
from ilid_platform.train.clip.methods.coop import CoOp
from ilid_platform.train.clip.methods.coop_adapters import CoOpAdapters, CoOpImageAdapter
from ilid_platform.train.clip.methods.finetune import Finetune
from ilid_platform.train.clip.methods.linear_probe import LinearProbe
from ilid_platform.train.clip.methods.lora import LoRA
from ilid_platform.train.clip.methods.tip_adapter import TipAdapter, TipAdapterF
from ilid_platform.train.clip.methods.wise_ft import WiseFT
from ilid_platform.train.clip.methods.zero_shot import ZeroShot

METHODS: dict[str, type[Method]] = {
    cls.name: cls
    for cls in (
        ZeroShot,
        LinearProbe,
        CoOp,
        CoOpImageAdapter,
        CoOpAdapters,
        ClipAdapter,
        TipAdapter,
        TipAdapterF,
        Finetune,
        WiseFT,
        LoRA,
    )
}

__all__ = ["METHODS", "Method"]
