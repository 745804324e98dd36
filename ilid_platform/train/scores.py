"""Accuracy with its uncertainty: Wilson intervals, per-group breakdowns, confusion matrices.

A bare accuracy on a few hundred images cannot separate two methods; every accuracy this
project reports carries its Wilson 95 % interval (sound near 0 and 1, unlike the normal
approximation) and, where it is a classification, its chance level.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

Z95 = 1.959963984540054


def wilson_interval(hits: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for `hits` successes in `n` trials; (0, 1) when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    p = hits / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if hits <= 0 else max(0.0, centre - half)
    hi = 1.0 if hits >= n else min(1.0, centre + half)
    return lo, hi


def accuracy_entry(correct: torch.Tensor) -> dict[str, Any]:
    """{acc, ci, n} for a boolean vector of per-item outcomes."""
    n = int(correct.numel())
    hits = int(correct.sum().item())
    lo, hi = wilson_interval(hits, n)
    return {"acc": hits / n if n else 0.0, "ci": [lo, hi], "n": n}


def grouped_accuracy(correct: torch.Tensor, groups: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Accuracy per group value (per source, per class), each with its interval."""
    out: dict[str, dict[str, Any]] = {}
    for value in sorted(set(groups)):
        mask = torch.tensor([g == value for g in groups])
        out[value] = accuracy_entry(correct[mask])
    return out


def confusion_matrix(
    targets: torch.Tensor, predictions: torch.Tensor, classes: int
) -> list[list[int]]:
    """Row = true class, column = predicted class."""
    matrix = torch.zeros(classes, classes, dtype=torch.long)
    matrix.index_put_((targets, predictions), torch.ones_like(targets), accumulate=True)
    return matrix.tolist()


def classification_metrics(
    prefix: str,
    predictions: torch.Tensor,
    targets: torch.Tensor,
    n_classes: int,
) -> dict[str, Any]:
    """`{prefix}_acc`, `_ci`, `_chance` (1/N), `_majority` (best constant guess), `_classes`
    and `_n`."""
    correct = predictions == targets
    entry = accuracy_entry(correct)
    majority = torch.bincount(targets, minlength=n_classes).max().item() / len(targets)
    return {
        f"{prefix}_acc": entry["acc"],
        f"{prefix}_ci": entry["ci"],
        f"{prefix}_chance": 1 / n_classes,
        f"{prefix}_majority": majority,
        f"{prefix}_classes": n_classes,
        f"{prefix}_n": entry["n"],
    }


def format_accuracy(metrics: dict[str, Any], prefix: str) -> str:
    """`0.812 [0.771, 0.847]` for a metric with its interval, or `n/a` when absent. An empty
    prefix reads an `accuracy_entry` ({acc, ci, n})."""
    join = f"{prefix}_" if prefix else ""
    if f"{join}acc" in metrics:
        value = metrics[f"{join}acc"]
    elif prefix in metrics:
        value = metrics[prefix]
    else:
        return "n/a"
    lo, hi = metrics.get(f"{join}ci", (float("nan"), float("nan")))
    return f"{value:.3f} [{lo:.3f}, {hi:.3f}]"
