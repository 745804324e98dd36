"""Process-level plumbing shared by CLIP training and distillation.

Kept in one place so every stage seeds, picks devices and limits threads the same way: the
machine is shared with other jobs.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch


def resolve_device(name: str) -> torch.device:
    """`auto` picks CUDA when present so the same config runs on a laptop and on a GPU node.

    Under torchrun, `cuda` and `auto` mean this rank's own GPU (`LOCAL_RANK`).
    """
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(name)
    if device.type == "cuda" and device.index is None and "LOCAL_RANK" in os.environ:
        device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    return device


@contextmanager
def torch_threads(num_threads: int | None) -> Iterator[None]:
    """Cap intra-op threads for one run and restore the process setting afterwards."""
    previous = torch.get_num_threads()
    if num_threads:
        torch.set_num_threads(num_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def seed_everything(seed: int) -> torch.Generator:
    """Seed every RNG a run touches; returns a generator for data loaders."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def file_sha256(path: Path, digest: Any = None) -> str:
    """Stream a file into `digest` (a new sha256 unless given) and return the hex digest."""
    digest = digest if digest is not None else hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
