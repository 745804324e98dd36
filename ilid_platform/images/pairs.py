"""Candidate pairs from the hash views, and the pixel check's verdict on each.

`candidate_pairs` finds every two images with any view of one within the radius of any view
of the other (one `radius_pairs` search over all views at once). `check_candidates` runs
`verify.check_pair` on them in parallel, preparing each image once while its pairs are
checked; callers keep the verdicts (the asset in `image_pair_checks`), so a pair is checked
once per check setting.
"""

from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ilid_platform.images.neighbours import radius_pairs
from ilid_platform.images.verify import Check, CheckConfig, Prepared, check_pair

logger = logging.getLogger(__name__)

_CHUNK = 512
"""Pairs checked per step; images they need are prepared first, in parallel."""
_KEPT_IMAGES = 1024
"""Prepared images kept for later pairs (about 350 KiB each, their comparison grid included)."""


def candidate_pairs(views: np.ndarray, threshold: int) -> np.ndarray:
    """(M, 2) image indices i < j, sorted, where some view of i is within `threshold` bits of
    some view of j. `views` is (images, views) uint64, one column per view."""
    views = np.ascontiguousarray(views, dtype=np.uint64)
    n, k = views.shape if views.ndim == 2 else (len(views), 1)
    flat = radius_pairs(views.reshape(-1), threshold) // max(k, 1)
    flat = flat[flat[:, 0] != flat[:, 1]]
    key = np.unique(np.minimum(flat[:, 0], flat[:, 1]) * n + np.maximum(flat[:, 0], flat[:, 1]))
    return np.stack([key // max(n, 1), key % max(n, 1)], axis=1)


def merge_pairs(*pair_sets: np.ndarray, n: int) -> np.ndarray:
    """The union of (M, 2) pair arrays over n items, as sorted pairs i < j."""
    stacked = np.concatenate([np.asarray(p, np.int64).reshape(-1, 2) for p in pair_sets])
    stacked = stacked[stacked[:, 0] != stacked[:, 1]]
    key = np.unique(stacked.min(axis=1) * n + stacked.max(axis=1))
    return np.stack([key // max(n, 1), key % max(n, 1)], axis=1)


class _Prepared:
    """Least-recently-used prepared images; None for an image that cannot be read."""

    def __init__(self, load: Callable[[int], Prepared], capacity: int) -> None:
        self.load = load
        self.capacity = capacity
        self.kept: OrderedDict[int, Prepared | None] = OrderedDict()

    def _load(self, index: int) -> Prepared | None:
        try:
            return self.load(index)
        except Exception as exc:  # a file gone or unreadable only fails its own pairs
            logger.warning("cannot check image %d: %s", index, exc)
            return None

    def fill(self, indices: np.ndarray, pool: ThreadPoolExecutor) -> None:
        missing = [int(i) for i in indices if int(i) not in self.kept]
        for index, prepared in zip(missing, pool.map(self._load, missing), strict=True):
            self.kept[index] = prepared
        for index in indices.tolist():
            self.kept.move_to_end(index)
        while len(self.kept) > max(self.capacity, len(indices)):
            self.kept.popitem(last=False)


def check_candidates(
    pairs: np.ndarray,
    load: Callable[[int], Prepared],
    config: CheckConfig | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> list[Check]:
    """The verdict of every pair of image indices, in order; `load(index)` prepares an image
    (e.g. `verify.prepare_file` of its path). A pair with an image that cannot be loaded is
    not the same photo (reason "unreadable")."""
    config = config or CheckConfig()
    pairs = np.asarray(pairs, np.int64).reshape(-1, 2)
    prepared = _Prepared(load, _KEPT_IMAGES)
    verdicts: list[Check] = []
    started = last = time.monotonic()

    def one(pair: tuple[int, int]) -> Check:
        a, b = prepared.kept[pair[0]], prepared.kept[pair[1]]
        if a is None or b is None:
            return Check(False, 0.0, 0, "unreadable")
        return check_pair(a, b, config)

    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        for start in range(0, len(pairs), _CHUNK):
            chunk = pairs[start : start + _CHUNK]
            prepared.fill(np.unique(chunk), pool)
            verdicts += pool.map(one, map(tuple, chunk.tolist()))
            if progress and (time.monotonic() - last > 10 or start + _CHUNK >= len(pairs)):
                last = time.monotonic()
                progress(
                    f"checked {len(verdicts)}/{len(pairs)} candidate pairs "
                    f"({(last - started) / len(verdicts) * 1000:.1f} ms each)"
                )
    return verdicts
