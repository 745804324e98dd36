"""Honest CLIP evaluation: N-way zero-shot per field, retrieval both ways, ILID's in-batch metric.

The headline numbers are N-way classification accuracies, each with its Wilson interval,
chance (1/N) and the best constant predictor, because a bare accuracy on a small, skewed test
split is meaningless. `label_short` is classified by the method's own classifier (a prompt,
an adapter, a probe); the other fields by its text head where it has one. ILID's in-batch
metric (1 of at most 32) is reported only for comparison with the paper. Everything is
deterministic: ties resolve to the lowest index, batches come from a seeded permutation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import torch
import torch.nn.functional as F

from ilid_platform.train.data import (
    DEFAULT_TEXT_FIELDS,
    ZERO_SHOT_TEMPLATES,
    ImageDataset,
    Sample,
    build_caption,
    class_names,
    image_batches,
)
from ilid_platform.train.scores import (
    classification_metrics,
    confusion_matrix,
    grouped_accuracy,
    wilson_interval,
)

ZERO_SHOT_FIELDS = ("label_short", "material", "material_finish")
CLASSIFIED_FIELD = "label_short"
ILID_BATCH_SIZE = 32


class Classifier(Protocol):
    """What evaluation needs from a (possibly adapted) CLIP; `methods.base.Method` provides it."""

    classes: list[str]

    def image_features(self, images: torch.Tensor) -> torch.Tensor: ...

    def classify(self, features: torch.Tensor) -> torch.Tensor: ...

    def class_embeddings(self, names: Sequence[str]) -> torch.Tensor | None: ...

    def encode_text(self, texts: Sequence[str]) -> torch.Tensor | None: ...


def encode_texts(
    model: torch.nn.Module,
    tokenizer: Callable,
    texts: Sequence[str],
    batch_size: int = 256,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    chunks = [
        model.encode_text(tokenizer(list(texts[i : i + batch_size])).to(device), normalize=True)
        for i in range(0, len(texts), batch_size)
    ]
    return torch.cat(chunks).float()


def class_text_embeddings(
    model: torch.nn.Module,
    tokenizer: Callable,
    names: Sequence[str],
    templates: Sequence[str] = ZERO_SHOT_TEMPLATES,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """Zero-shot head: one row per class, the renormalised mean over prompt templates."""
    prompts = [t.format(name) for name in names for t in templates]
    emb = encode_texts(model, tokenizer, prompts, device=device)
    return F.normalize(emb.view(len(names), len(templates), -1).mean(1), dim=-1)


def zero_shot_accuracy(
    image_emb: torch.Tensor, class_emb: torch.Tensor, targets: torch.Tensor
) -> float:
    predictions = (image_emb @ class_emb.T).argmax(dim=1)
    return (predictions == targets).float().mean().item()


def recall_at_k(
    image_emb: torch.Tensor, text_emb: torch.Tensor, targets: torch.Tensor, ks: Sequence[int]
) -> dict[int, float]:
    """Image->text recall: row i hits if text `targets[i]` ranks among its top k."""
    hits = recall_hits(image_emb @ text_emb.T, [[int(t)] for t in targets], ks)
    return {k: v.float().mean().item() for k, v in hits.items()}


def recall_hits(
    scores: torch.Tensor, relevant: Sequence[Sequence[int]], ks: Sequence[int]
) -> dict[int, torch.Tensor]:
    """Per query (row of `scores`): does any relevant column rank in the top k?"""
    ranking = scores.argsort(dim=1, descending=True, stable=True)
    rank_of = torch.empty_like(ranking)
    rank_of.scatter_(1, ranking, torch.arange(scores.shape[1]).expand_as(ranking).contiguous())
    best = torch.tensor([int(rank_of[q, list(rel)].min()) for q, rel in enumerate(relevant)])
    return {k: best < k for k in ks}  # a k beyond the gallery size simply means "always hit"


def in_batch_accuracy(
    image_emb: torch.Tensor,
    text_emb: torch.Tensor,
    captions: Sequence[str],
    batch_size: int = ILID_BATCH_SIZE,
    seed: int = 0,
) -> tuple[float, float]:
    """ILID's metric: pick each image's caption among the captions of its random batch.

    A prediction counts as correct when the chosen caption text equals the image's own, so
    duplicate captions in a batch neither help nor hurt. Returns (accuracy, chance), where
    chance is the mean share of the batch that carries the image's caption.
    """
    order = torch.randperm(len(captions), generator=torch.Generator().manual_seed(seed))
    hits = chance = 0.0
    for batch in order.split(batch_size):
        texts = [captions[i] for i in batch.tolist()]
        predicted = (image_emb[batch] @ text_emb[batch].T).argmax(dim=1).tolist()
        counts = Counter(texts)
        hits += sum(texts[p] == t for p, t in zip(predicted, texts, strict=True))
        chance += sum(counts[t] / len(texts) for t in texts)
    return hits / len(captions), chance / len(captions)


@torch.no_grad()
def image_features(
    method: Classifier,
    dataset: ImageDataset,
    batch_size: int = 64,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """The method's (adapted, L2-normalised) image features in sample order."""
    chunks = [
        method.image_features(images.to(device)).float()
        for images in image_batches(dataset, batch_size)
    ]
    return torch.cat(chunks)


@torch.no_grad()
def evaluate_method(
    method: Classifier,
    transform: Callable,
    samples: Sequence[Sample],
    classes: Mapping[str, Sequence[str]] | None = None,
    text_fields: Sequence[str] = DEFAULT_TEXT_FIELDS,
    device: torch.device | str = "cpu",
    seed: int = 0,
) -> dict[str, Any]:
    """Every metric a method supports on `samples` (normally a test split).

    `classes` maps a field to its class names; pass the distinct values of the WHOLE dataset
    so a class absent from test still competes. It defaults to the values seen in `samples`.
    """
    if not samples:
        raise ValueError("evaluation needs at least one sample")
    classes = dict(classes or {f: class_names(samples, f) for f in ZERO_SHOT_FIELDS})
    feats = image_features(
        method, ImageDataset(samples, transform, deterministic=True), device=device
    )
    metrics: dict[str, Any] = {"n_eval": len(samples)}

    names = list(classes[CLASSIFIED_FIELD])
    if list(method.classes) != names:
        raise ValueError("the method was trained on other label_short classes than evaluated")
    index = {name: i for i, name in enumerate(names)}
    keep = [i for i, s in enumerate(samples) if s.label_short in index]
    targets = torch.tensor([index[samples[i].label_short] for i in keep])
    predictions = method.classify(feats[keep]).argmax(1).cpu()
    metrics |= classification_metrics("zeroshot_label_short", predictions, targets, len(names))
    correct = predictions == targets
    metrics["per_source"] = grouped_accuracy(correct, [samples[i].source for i in keep])
    metrics["per_class"] = grouped_accuracy(correct, [samples[i].label_short for i in keep])
    metrics["confusion"] = {
        "classes": names,
        "matrix": confusion_matrix(targets, predictions, len(names)),
    }

    for field in ZERO_SHOT_FIELDS:
        if field == CLASSIFIED_FIELD or not classes.get(field):
            continue
        head = method.class_embeddings(list(classes[field]))
        if head is None:
            continue
        index = {name: i for i, name in enumerate(classes[field])}
        keep = [i for i, s in enumerate(samples) if getattr(s, field) in index]
        if not keep:
            continue
        targets = torch.tensor([index[getattr(samples[i], field)] for i in keep])
        predictions = (feats[keep] @ head.T).argmax(1).cpu()
        metrics |= classification_metrics(f"zeroshot_{field}", predictions, targets, len(index))

    captions = [build_caption(s, text_fields) for s in samples]
    gallery = sorted(set(captions))
    caption_emb = method.encode_text(gallery)
    if caption_emb is not None:
        metrics |= retrieval_metrics(feats.cpu(), caption_emb.cpu(), captions, gallery, seed)
    return metrics


def retrieval_metrics(
    feats: torch.Tensor,
    caption_emb: torch.Tensor,
    captions: Sequence[str],
    gallery: Sequence[str],
    seed: int = 0,
) -> dict[str, Any]:
    """R@1/R@5 image->text (over distinct captions) and text->image (a caption hits when any
    image carrying it ranks in the top k), and ILID's in-batch accuracy."""
    position = {caption: i for i, caption in enumerate(gallery)}
    targets = [position[c] for c in captions]
    metrics: dict[str, Any] = {"i2t_gallery": len(gallery), "t2i_gallery": len(captions)}
    images_of: list[list[int]] = [[] for _ in gallery]
    for i, t in enumerate(targets):
        images_of[t].append(i)
    similarity = feats @ caption_emb.T
    for direction, scores, relevant in (
        ("i2t", similarity, [[t] for t in targets]),
        ("t2i", similarity.T, images_of),
    ):
        for k, hits in recall_hits(scores, relevant, ks=(1, 5)).items():
            metrics[f"{direction}_r{k}"] = hits.float().mean().item()
            metrics[f"{direction}_r{k}_ci"] = list(wilson_interval(int(hits.sum()), len(hits)))
    acc, chance = in_batch_accuracy(feats, caption_emb[targets], captions, seed=seed)
    lo, hi = wilson_interval(round(acc * len(captions)), len(captions))
    metrics |= {
        "ilid_in_batch_acc": acc,
        "ilid_in_batch_ci": [lo, hi],
        "ilid_in_batch_chance": chance,
    }
    return metrics
