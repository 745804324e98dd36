"""Cluster-hash splits: deterministic, leakage-free by construction, close to the ratios."""

from __future__ import annotations

from collections import Counter

import pytest

from ilid_platform.dataset.split import assign_split, check_ratios

CLUSTERS = [f"cluster-{i:05d}" for i in range(20000)]


def test_same_cluster_same_split_every_time():
    first = [assign_split(c) for c in CLUSTERS[:500]]
    assert first == [assign_split(c, (0.8, 0.1, 0.1), 0) for c in CLUSTERS[:500]]
    assert first == [assign_split(c, (8, 1, 1), 0) for c in CLUSTERS[:500]]  # normalised


@pytest.mark.parametrize("ratios", [(0.8, 0.1, 0.1), (0.6, 0.2, 0.2), (0.5, 0.5, 0.0)])
def test_fractions_follow_the_ratios(ratios):
    counts = Counter(assign_split(c, ratios) for c in CLUSTERS)
    for name, ratio in zip(("train", "val", "test"), ratios, strict=True):
        assert abs(counts[name] / len(CLUSTERS) - ratio) < 0.012, counts


def test_seed_reshuffles_and_degenerate_ratios():
    changed = sum(assign_split(c, seed=0) != assign_split(c, seed=1) for c in CLUSTERS[:2000])
    assert 400 < changed < 1000  # about 1 - (0.8^2 + 0.1^2 + 0.1^2) = 34% move
    assert {assign_split(c, (1, 0, 0)) for c in CLUSTERS[:300]} == {"train"}
    assert {assign_split(c, (0, 0, 1)) for c in CLUSTERS[:300]} == {"test"}


@pytest.mark.parametrize("ratios", [(0.8, 0.2), (0.9, -0.1, 0.2), (0, 0, 0)])
def test_bad_ratios_are_rejected(ratios):
    with pytest.raises(ValueError, match="split ratios"):
        check_ratios(ratios)
