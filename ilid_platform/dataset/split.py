"""Leakage-free splits: the split is a pure function of the duplicate cluster's id.

Hashing the cluster id (rather than shuffling samples) keeps every image of a cluster in one
split, keeps a cluster's split stable when other clusters come and go, and needs no state.
"""

from __future__ import annotations

import hashlib

SPLITS = ("train", "val", "test")
# What Hugging Face `datasets` calls them (it infers "validation" from "val" file names).
HF_SPLIT_NAMES = {"train": "train", "val": "validation", "test": "test"}


def check_ratios(ratios: tuple[float, float, float]) -> tuple[float, float, float]:
    """Ratios for (train, val, test), normalised to sum to one."""
    if len(ratios) != len(SPLITS) or any(r < 0 for r in ratios) or sum(ratios) <= 0:
        raise ValueError(f"split ratios must be three non-negative numbers, got {ratios!r}")
    total = float(sum(ratios))
    train, val, test = (r / total for r in ratios)
    return train, val, test


def assign_split(
    cluster_id: str, ratios: tuple[float, float, float] = (0.8, 0.1, 0.1), seed: int = 0
) -> str:
    """'train', 'val' or 'test' for a cluster, the same on every run with the same seed."""
    train, val, _ = check_ratios(ratios)
    digest = hashlib.sha256(f"{seed}\x1f{cluster_id}".encode()).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    if position < train:
        return "train"
    if position < train + val:
        return "val"
    return "test"
