"""The one home of training results: cache keys, atomic saves and the result type.

Every trained artefact (CLIP fine-tune, adapted CLIP, student) is named by a hash of its
config and of the data it saw, so re-running unchanged inputs returns the stored result
instead of training again. The summary JSON is written after the weights, so a run killed
while saving is never mistaken for a finished one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from ilid_platform.train.runtime import file_sha256


def config_key(payload: dict[str, Any]) -> str:
    """Short stable hash of a JSON-able dict; names checkpoints so equal inputs share one file."""
    blob = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def source_fingerprint(source: str | Path) -> str:
    """Content hash of a checkpoint file, or the spec itself for a model name / pretrained tag."""
    path = Path(source)
    return file_sha256(path) if path.is_file() else str(source)


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


@dataclass
class TrainResult:
    """What every training entry point returns: where the weights are (None when the run
    keeps only its figures), the test metrics, the per-epoch history, and whether the result
    came from the cache."""

    checkpoint_path: Path | None
    metrics: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)
    reused: bool = False
    summary_path: Path | None = None


class RunStore:
    """Files of one keyed run in `out_dir`: `<prefix>-<key>.pt` (weights), `.json` (summary)
    and `.state.pt` (the loop's resumable state while it trains)."""

    def __init__(self, out_dir: Path, prefix: str, key: str) -> None:
        self.key = key
        self.checkpoint_path = Path(out_dir) / f"{prefix}-{key}.pt"
        self.summary_path = self.checkpoint_path.with_suffix(".json")
        self.state_path = self.checkpoint_path.with_suffix(".state.pt")

    def cached(self, needs_weights: bool = True) -> TrainResult | None:
        """The stored result, or None when training must run."""
        if not self.summary_path.is_file():
            return None
        if needs_weights and not self.checkpoint_path.is_file():
            return None
        summary = json.loads(self.summary_path.read_text())
        return TrainResult(
            self.checkpoint_path if needs_weights else None,
            summary["metrics"],
            summary.get("history", []),
            reused=True,
            summary_path=self.summary_path,
        )

    def save(
        self,
        payload: dict[str, Any] | None,
        summary: dict[str, Any],
    ) -> TrainResult:
        """Weights first (when given), then the summary; the resumable state goes last."""
        if payload is not None:
            atomic_torch_save(payload, self.checkpoint_path)
        atomic_write_json(summary, self.summary_path)
        self.state_path.unlink(missing_ok=True)
        return TrainResult(
            self.checkpoint_path if payload is not None else None,
            summary["metrics"],
            summary.get("history", []),
            summary_path=self.summary_path,
        )
