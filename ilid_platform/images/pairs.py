"""Candidate pairs from the hash views, and the pixel check's verdict on each.

`candidate_pairs` finds every two images with any view of one within the radius of any view
of the other (one `radius_pairs` search over all views at once). `check_candidates` runs
`verify.check_pair` on them in parallel worker processes, preparing each image once while its
pairs are checked; callers keep the verdicts (the asset in `image_pair_checks`), so a pair is
checked once per check setting.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from ilid_platform.images.neighbours import radius_pairs
from ilid_platform.images.verify import Check, CheckConfig, Prepared, check_pair

logger = logging.getLogger(__name__)

_CHUNK = 64
"""Pairs checked per step (a worker's task); the images they need are prepared first. A step
takes about a tenth of a second: the last one keeps the other workers waiting no longer
than that, and a worker's kept images still serve the pairs of its later steps."""
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

    def fill(self, indices: np.ndarray) -> None:
        missing = [int(i) for i in indices if int(i) not in self.kept]
        for index, prepared in zip(missing, map(self._load, missing), strict=True):
            self.kept[index] = prepared
        for index in indices.tolist():
            self.kept.move_to_end(index)
        while len(self.kept) > max(self.capacity, len(indices)):
            self.kept.popitem(last=False)


_SERIAL = 64
"""Fewer pairs than this are checked in this process: starting workers would cost more."""

_worker: tuple | None = None  # (prepared images, config) of a worker process


def _start_worker(load: Callable[[int], Prepared], config: CheckConfig) -> None:
    global _worker
    _worker = (_Prepared(load, _KEPT_IMAGES), config)


def _check_chunk(chunk: np.ndarray) -> list[Check]:
    prepared, config = _worker
    prepared.fill(np.unique(chunk))
    return [_one(prepared, config, a, b) for a, b in chunk.tolist()]


def _one(prepared: _Prepared, config: CheckConfig, a: int, b: int) -> Check:
    first, second = prepared.kept[a], prepared.kept[b]
    if first is None or second is None:
        return Check(False, 0.0, 0, "unreadable")
    return check_pair(first, second, config)


def check_candidates(
    pairs: np.ndarray,
    load: Callable[[int], Prepared],
    config: CheckConfig | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> list[Check]:
    """The verdict of every pair of image indices, in order; `load(index)` prepares an image
    (e.g. `verify.prepare_file` of its path). A pair with an image that cannot be loaded is
    not the same photo (reason "unreadable").

    The check is mostly small numpy steps that hold the GIL, so pairs are checked in worker
    processes (forked: they inherit `load`, which need not pickle), a chunk of consecutive
    pairs each; pairs come sorted, so a chunk shares its images and each worker loads an
    image once for it. Without fork, or with few pairs or one worker, in this process."""
    config = config or CheckConfig()
    pairs = np.asarray(pairs, np.int64).reshape(-1, 2)
    workers = workers or os.cpu_count() or 1
    chunks = [pairs[start : start + _CHUNK] for start in range(0, len(pairs), _CHUNK)]
    verdicts: list[Check] = []
    started = last = time.monotonic()

    def report(done: int) -> None:
        nonlocal last
        if progress and (time.monotonic() - last > 10 or done == len(pairs)):
            last = time.monotonic()
            progress(
                f"checked {done}/{len(pairs)} candidate pairs "
                f"({(last - started) / max(done, 1) * 1000:.1f} ms each)"
            )

    forking = "fork" in multiprocessing.get_all_start_methods()
    if workers > 1 and forking and len(pairs) >= _SERIAL:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker, initargs=(load, config)
        ) as pool:
            for checked in pool.map(_check_chunk, chunks):
                verdicts += checked
                report(len(verdicts))
        return verdicts
    prepared = _Prepared(load, _KEPT_IMAGES)
    for chunk in chunks:
        prepared.fill(np.unique(chunk))
        verdicts += [_one(prepared, config, a, b) for a, b in chunk.tolist()]
        report(len(verdicts))
    return verdicts
