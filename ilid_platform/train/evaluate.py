"""Honest CLIP evaluation: N-way zero-shot, caption retrieval, and ILID's in-batch accuracy.

The headline numbers are N-way zero-shot accuracies, each reported next to chance (1/N) and
the best constant predictor, because a bare accuracy on a small, skewed test split is
meaningless. ILID's in-batch metric (1 of at most 32) is reported only for comparison with the
paper. Everything is deterministic: ties resolve to the lowest index, batches come from a
seeded permutation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from ilid_platform.train.data import (
    DEFAULT_TEXT_FIELDS,
    ZERO_SHOT_TEMPLATES,
    ImageDataset,
    Sample,
    build_caption,
    class_names,
)

ZERO_SHOT_FIELDS = ("label_short", "material")
ILID_BATCH_SIZE = 32


@torch.no_grad()
def encode_images(
    model: torch.nn.Module,
    preprocess: Callable,
    samples: Sequence[Sample],
    batch_size: int = 64,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """L2-normalised image embeddings in sample order."""
    loader = DataLoader(ImageDataset(samples, preprocess), batch_size=batch_size)
    chunks = [model.encode_image(x.to(device), normalize=True).float() for x, _ in loader]
    return torch.cat(chunks).cpu()


@torch.no_grad()
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
    return torch.cat(chunks).float().cpu()


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
    ranking = (image_emb @ text_emb.T).argsort(dim=1, descending=True, stable=True)
    return {
        k: (ranking[:, :k] == targets[:, None]).any(dim=1).float().mean().item()
        for k in ks  # a k beyond the gallery size simply means "always hit"
    }


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


def evaluate_clip(
    model: torch.nn.Module,
    tokenizer: Callable,
    preprocess: Callable,
    samples: Sequence[Sample],
    classes: Mapping[str, Sequence[str]] | None = None,
    text_fields: Sequence[str] = DEFAULT_TEXT_FIELDS,
    templates: Sequence[str] = ZERO_SHOT_TEMPLATES,
    device: torch.device | str = "cpu",
    seed: int = 0,
) -> dict[str, float | int]:
    """Metrics on `samples` (normally the test split).

    `classes` maps a field to its class names; pass the distinct values of the WHOLE dataset
    so a class absent from test still competes. It defaults to the values seen in `samples`.
    """
    if not samples:
        raise ValueError("evaluate_clip needs at least one sample")
    was_training = model.training
    model.eval()
    image_emb = encode_images(model, preprocess, samples, device=device)
    metrics: dict[str, float | int] = {"n_eval": len(samples)}
    for field in ZERO_SHOT_FIELDS:
        names = list(classes[field]) if classes else class_names(samples, field)
        index = {name: i for i, name in enumerate(names)}
        keep = [i for i, s in enumerate(samples) if getattr(s, field) in index]
        if not names or not keep:
            continue
        labels = [getattr(samples[i], field) for i in keep]
        targets = torch.tensor([index[label] for label in labels])
        head = class_text_embeddings(model, tokenizer, names, templates, device)
        metrics[f"zeroshot_{field}_acc"] = zero_shot_accuracy(image_emb[keep], head, targets)
        metrics[f"zeroshot_{field}_chance"] = 1 / len(names)
        metrics[f"zeroshot_{field}_majority"] = Counter(labels).most_common(1)[0][1] / len(keep)
        metrics[f"zeroshot_{field}_classes"] = len(names)
        metrics[f"zeroshot_{field}_n"] = len(keep)

    captions = [build_caption(s, text_fields) for s in samples]
    gallery = sorted(set(captions))
    caption_emb = encode_texts(model, tokenizer, gallery, device=device)
    position = {caption: i for i, caption in enumerate(gallery)}
    targets = torch.tensor([position[c] for c in captions])
    recalls = recall_at_k(image_emb, caption_emb, targets, ks=(1, 5))
    metrics |= {"i2t_r1": recalls[1], "i2t_r5": recalls[5], "i2t_gallery": len(gallery)}

    per_sample_text = caption_emb[targets]
    acc, chance = in_batch_accuracy(image_emb, per_sample_text, captions, seed=seed)
    metrics |= {"ilid_in_batch_acc": acc, "ilid_in_batch_chance": chance}
    model.train(was_training)
    return metrics
