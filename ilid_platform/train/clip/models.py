"""open_clip models: the small from-scratch configs, loading from any source, and saving.

A CLIP checkpoint of this project (`ilid-clip/1`) is a whole open_clip model: what `finetune`,
`wise_ft` and (merged) `lora` produce, and what every adaptation method can start from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import open_clip
import torch

from ilid_platform.train.runtime import resolve_device

# Registers the small from-scratch configs: `ilid-tiny` has a ModifiedResNet image tower
# because a from-scratch ViT of similar cost (`ilid-tiny-vit`: patch 8, width 192, 4 layers)
# only memorises a few hundred images and stays at chance on held-out shapes. `ilid-tiny-96`
# is the same network at 96 px instead of 64, for datasets of a thousand photos and more,
# where resolution rather than width limits it (the `large` catalog: label_short 0.76 at
# 64 px, 0.83 at 96 px; twice the width at 64 px, 0.71).
MODEL_CONFIG_DIR = Path(__file__).parent / "model_configs"
open_clip.add_model_config(MODEL_CONFIG_DIR)

CHECKPOINT_FORMAT = "ilid-clip/1"


@dataclass
class LoadedClip:
    model: torch.nn.Module
    tokenizer: Callable
    preprocess: Callable
    model_name: str

    @property
    def image_size(self) -> int:
        return image_size(self.model)


def image_size(model: torch.nn.Module) -> int:
    size = model.visual.preprocess_cfg["size"]
    return size if isinstance(size, int) else max(size)


def read_checkpoint(path: Path) -> dict[str, Any] | None:
    """The payload of a `.pt` file written by this project, or None for anything else."""
    path = Path(path)
    if not (path.is_file() and path.suffix == ".pt"):
        return None
    payload = torch.load(path, map_location="cpu", weights_only=True)
    return payload if isinstance(payload, dict) and "format" in payload else None


def load_clip(source: str | Path, device: str | torch.device = "cpu") -> LoadedClip:
    """Model, tokenizer and eval transform from one of:

    * a CLIP checkpoint written by this project (`finetune`, `wise_ft`, `lora`);
    * `"MODEL:PRETRAINED"`, an open_clip model name with a pretrained tag or weights file
      (e.g. `"ViT-B-16:openai"`), or a bare model name for random weights;
    * an `hf-hub:` / `local-dir:` open_clip identifier.
    """
    device = resolve_device(str(device))
    payload = read_checkpoint(Path(source))
    overrides: dict[str, Any] = {}
    if payload is not None:
        if payload["format"] != CHECKPOINT_FORMAT:
            raise ValueError(f"{source} is a {payload['format']} checkpoint, not a CLIP model")
        model_name, pretrained = payload["model_name"], None
        cfg = payload["preprocess_cfg"]
        overrides = {
            "image_mean": tuple(cfg["mean"]),
            "image_std": tuple(cfg["std"]),
            "image_interpolation": cfg["interpolation"],
            "image_resize_mode": cfg["resize_mode"],
        }
    elif str(source).startswith(("hf-hub:", "local-dir:")):
        model_name, pretrained = str(source), None
    else:
        model_name, _, tag = str(source).partition(":")
        pretrained = tag or None
    model, _, preprocess = open_clip.create_model_and_transforms(
        model_name, pretrained=pretrained, device=device, **overrides
    )
    if payload is not None:
        model.load_state_dict(payload["state_dict"])
    model.eval()
    return LoadedClip(model, open_clip.get_tokenizer(model_name), preprocess, model_name)


def clip_payload(model: torch.nn.Module, model_name: str, **extra: Any) -> dict[str, Any]:
    """A whole model as an `ilid-clip/1` checkpoint; a pretrained tag may bring its own
    normalisation, which reloading must not lose."""
    return {
        "format": CHECKPOINT_FORMAT,
        "model_name": model_name,
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "preprocess_cfg": dict(model.visual.preprocess_cfg),
        **extra,
    }
