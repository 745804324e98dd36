"""Optional second near-duplicate pass: open_clip image embeddings and cosine pairs.

pHash compares global low frequencies, so a 15% crop or a wide padding moves an image past
any useful Hamming threshold; an image embedding barely moves. The pairs found here are
only extra edges for `dedup.cluster`, so they merge clusters through its representative
check and never chain.

The pass is only as good as the model's weights. With real CLIP weights (`--model ViT-B-16
--pretrained openai`, or a checkpoint written by `train_clip`) it groups crops and pads;
a randomly initialised model, the only kind this sandbox can build without a download,
exercises the mechanics but its similarities mean little.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from ilid_platform.images.hashing import DECODE_SIDE
from ilid_platform.images.normalise import decode_rgb

logger = logging.getLogger(__name__)

_BLOCK = 4096
"""Rows of the similarity matrix computed at once (4096 x n float32)."""


def model_source(model: str, pretrained: str | None = None) -> str:
    """The `load_clip` source for an open_clip model name and a pretrained tag or weights file.

    A `.pt` checkpoint written by `train_clip` is passed as `model` on its own.
    """
    return f"{model}:{pretrained}" if pretrained else model


def _load(path: Path) -> Image.Image:
    with Image.open(path) as img:
        return decode_rgb(img, DECODE_SIDE)[0]


def image_embeddings(
    paths: Sequence[Path],
    model: str,
    pretrained: str | None = None,
    *,
    batch_size: int = 64,
    device: str = "cpu",
    progress: Callable[[str], None] | None = None,
) -> np.ndarray:
    """L2-normalised image embeddings, one float32 row per path (paths must be readable)."""
    import torch  # heavy: only this optional pass needs it

    from ilid_platform.train.clip.stage import load_clip

    clip = load_clip(model_source(model, pretrained), device)
    rows = []
    with ThreadPoolExecutor() as pool, torch.no_grad():
        for start in range(0, len(paths), batch_size):
            images = pool.map(_load, paths[start : start + batch_size])
            batch = torch.stack([clip.preprocess(img) for img in images]).to(device)
            features = clip.model.encode_image(batch).float()
            rows.append(torch.nn.functional.normalize(features, dim=-1).cpu().numpy())
            if progress:
                progress(f"embedded {min(start + batch_size, len(paths))}/{len(paths)} images")
    if not rows:
        return np.empty((0, 0), np.float32)
    return np.concatenate(rows)


def cosine_pairs(embeddings: np.ndarray, threshold_cos: float) -> np.ndarray:
    """Every pair (i, j), i < j, with cosine similarity >= threshold_cos of unit rows, as an
    (M, 2) int64 array sorted by (i, j). Exact and blockwise: O(n^2 d) work, O(block n) memory,
    which suits the tens of thousands of images of one dataset; millions would want an ANN
    index."""
    n = len(embeddings)
    found = [np.empty((0, 2), np.int64)]
    for start in range(0, n, _BLOCK):
        sims = embeddings[start : start + _BLOCK] @ embeddings[start:].T
        rows, cols = np.nonzero(sims >= threshold_cos)
        cols = cols + start
        rows = rows + start
        upper = cols > rows
        found.append(np.stack([rows[upper], cols[upper]], axis=1).astype(np.int64))
    pairs = np.concatenate(found)
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]


def embedding_pairs(
    paths: Sequence[Path],
    model: str,
    threshold_cos: float,
    pretrained: str | None = None,
    *,
    batch_size: int = 64,
    device: str = "cpu",
    progress: Callable[[str], None] | None = None,
) -> np.ndarray:
    """Index pairs of `paths` whose open_clip image embeddings have cosine >= threshold_cos."""
    embeddings = image_embeddings(
        paths, model, pretrained, batch_size=batch_size, device=device, progress=progress
    )
    return cosine_pairs(embeddings, threshold_cos)
