"""Wilson intervals, breakdowns, confusion matrices and two-way retrieval on hand-made numbers."""

from __future__ import annotations

import pytest
import torch

from ilid_platform.train.clip.evaluate import recall_hits, retrieval_metrics
from ilid_platform.train.scores import (
    classification_metrics,
    confusion_matrix,
    format_accuracy,
    grouped_accuracy,
    wilson_interval,
)


def test_wilson_interval_matches_reference_values() -> None:
    # statsmodels.stats.proportion.proportion_confint(8, 10, method="wilson")
    assert wilson_interval(8, 10) == pytest.approx((0.4901625, 0.9433178), abs=1e-6)
    assert wilson_interval(81, 263) == pytest.approx((0.2552885, 0.3662096), abs=1e-6)
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775328, abs=1e-6)
    assert wilson_interval(10, 10) == (pytest.approx(0.7224672, abs=1e-6), 1.0)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    # more trials, narrower interval around the same rate
    assert wilson_interval(80, 100)[0] > wilson_interval(8, 10)[0]


def test_classification_breakdowns_and_confusion() -> None:
    targets = torch.tensor([0, 0, 0, 1, 1, 2])
    predictions = torch.tensor([0, 0, 1, 1, 1, 0])
    m = classification_metrics("zeroshot_x", predictions, targets, n_classes=4)
    assert m["zeroshot_x_acc"] == pytest.approx(4 / 6)
    assert m["zeroshot_x_ci"] == pytest.approx(list(wilson_interval(4, 6)))
    assert m["zeroshot_x_chance"] == 0.25 and m["zeroshot_x_majority"] == 0.5
    assert m["zeroshot_x_classes"] == 4 and m["zeroshot_x_n"] == 6
    assert confusion_matrix(targets, predictions, 3) == [[2, 1, 0], [0, 2, 0], [1, 0, 0]]
    by_source = grouped_accuracy(predictions == targets, ["a", "a", "b", "b", "b", "b"])
    assert by_source["a"]["acc"] == 1.0 and by_source["a"]["n"] == 2
    assert by_source["b"]["acc"] == 0.5 and by_source["b"]["ci"] == list(wilson_interval(2, 4))
    assert format_accuracy(m, "zeroshot_x").startswith("0.667 [")
    assert format_accuracy(m, "missing") == "n/a"
    assert format_accuracy(by_source["b"], "") == "0.500 [{:.3f}, {:.3f}]".format(
        *wilson_interval(2, 4)
    )


def test_text_to_image_recall_counts_any_image_of_the_caption() -> None:
    # 4 images, 3 distinct captions; caption 1 is carried by images 1 and 2
    images = torch.eye(4)
    captions = ["c0", "c1", "c1", "c2"]
    gallery = ["c0", "c1", "c2"]
    texts = torch.tensor([[1.0, 0, 0, 0], [0, 0, 1.0, 0], [0, 1.0, 0, 0.5]])
    text_emb = torch.nn.functional.normalize(texts, dim=-1)
    scores = text_emb @ images.T
    hits = recall_hits(scores, [[0], [1, 2], [3]], ks=(1, 2))
    # c1 hits at rank 1 through image 2; c2 prefers image 1 over its own image 3
    assert hits[1].tolist() == [True, True, False]
    assert hits[2].tolist() == [True, True, True]
    m = retrieval_metrics(images, text_emb, captions, gallery)
    assert m["t2i_r1"] == pytest.approx(2 / 3) and m["t2i_gallery"] == 4
    assert m["i2t_gallery"] == 3
    assert m["t2i_r1_ci"] == pytest.approx(list(wilson_interval(2, 3)))
    assert {"i2t_r1", "i2t_r5", "ilid_in_batch_acc", "ilid_in_batch_ci"} <= set(m)
