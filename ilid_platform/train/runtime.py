"""Process-level plumbing shared by CLIP training and distillation.

Kept in one place so both stages seed, pick devices, limit threads and write checkpoints the
same way: the machine is shared, and a half-written checkpoint must never pass for a finished one.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch


def resolve_device(name: str) -> torch.device:
    """`auto` picks CUDA when present so the same config runs on a laptop and on a GPU node."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


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


def config_key(payload: dict[str, Any]) -> str:
    """Short stable hash of a JSON-able dict; names checkpoints so equal inputs share one file."""
    blob = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _atomic_replace(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_torch_save(obj: Any, path: Path) -> None:
    _atomic_replace(path, lambda tmp: torch.save(obj, tmp))


def atomic_write_json(obj: Any, path: Path) -> None:
    _atomic_replace(path, lambda tmp: tmp.write_text(json.dumps(obj, indent=2, sort_keys=True)))


def cached_summary(checkpoint_path: Path) -> dict[str, Any] | None:
    """The summary saved beside a finished checkpoint, or None when training must run.

    Checkpoints are named by `config_key`, so an existing pair means the same inputs were
    already trained; the summary is written last, so a half-saved run is not reused.
    """
    summary_path = checkpoint_path.with_suffix(".json")
    if checkpoint_path.is_file() and summary_path.is_file():
        return json.loads(summary_path.read_text())
    return None
