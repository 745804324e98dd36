"""Clustering near-duplicate images without chaining, and the `image_clusters` table.

Candidate pairs come from `neighbours.radius_pairs` over pHashes (optionally confirmed by
dHash, `SecondOpinion`, or by image embeddings); `cluster` then groups images around leaders so
that every member is within the threshold of its cluster's representative.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from ilid_platform.images.embeddings import embedding_pairs
from ilid_platform.images.neighbours import collapse, value_pairs
from ilid_platform.tables import IMAGE_CLUSTERS, IMAGE_HASHES, IMAGES, insert_rows

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SecondOpinion:
    """dHash must agree on pHash pairs near the threshold.

    A pHash pair at distance greater than `threshold - margin` is kept only if the two dHashes
    are within `dhash_threshold`. Closer pairs need no confirmation. `margin=0` turns it off.
    """

    dhashes: np.ndarray
    margin: int
    dhash_threshold: int


def cluster(
    hashes: np.ndarray,
    threshold: int,
    preference: np.ndarray | None = None,
    *,
    second_opinion: SecondOpinion | None = None,
    extra_pairs: np.ndarray | None = None,
) -> np.ndarray:
    """Representative index of every hash; every member is a direct duplicate of it.

    Two images are direct duplicates when their pHashes are within `threshold` (and the
    second opinion, if any, agrees), or when `extra_pairs` ((M, 2) indices, e.g. from
    `embedding_pairs`) lists them. Leader clustering, so A~B~C never chains A and C together:
    hashes are visited in `preference` order (indices, most preferred first; default: index
    order), one that is no direct duplicate of an earlier representative becomes one, and
    every other joins the most preferred representative it duplicates. A representative is
    therefore the most preferred member of its cluster. Equal pHashes always share a cluster.
    """
    hashes = np.ascontiguousarray(hashes, dtype=np.uint64).ravel()
    n = len(hashes)
    rank = np.empty(n, np.int64)
    rank[np.arange(n) if preference is None else np.asarray(preference)] = np.arange(n)
    values, inverse, _, _ = collapse(hashes)
    best_rank = np.full(len(values), n, np.int64)
    np.minimum.at(best_rank, inverse, rank)
    best_member = np.empty(len(values), np.int64)
    best_member[inverse[rank == best_rank[inverse]]] = np.flatnonzero(rank == best_rank[inverse])

    a, b = value_pairs(values, threshold, "auto")
    if second_opinion is not None and second_opinion.margin > 0:
        boundary = np.bitwise_count(values[a] ^ values[b]) > threshold - second_opinion.margin
        dhashes = np.ascontiguousarray(second_opinion.dhashes, dtype=np.uint64).ravel()
        # a distinct pHash speaks through its most preferred image
        d = np.bitwise_count(dhashes[best_member[a]] ^ dhashes[best_member[b]])
        keep = ~boundary | (d <= second_opinion.dhash_threshold)
        a, b = a[keep], b[keep]
    if extra_pairs is not None and len(extra_pairs):
        extra = inverse[np.asarray(extra_pairs, np.int64)]
        extra = extra[extra[:, 0] != extra[:, 1]]
        lo, hi = extra.min(axis=1), extra.max(axis=1)
        key = np.unique(
            np.concatenate([np.minimum(a, b), lo]) * len(values)
            + np.concatenate([np.maximum(a, b), hi])
        )
        a, b = key // len(values), key % len(values)
    return best_member[_leaders(len(values), a, b, best_rank)[inverse]]


def _leaders(n: int, a: np.ndarray, b: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Leader of every node of the graph with edges (a, b), visiting nodes by `rank`."""
    src, dst = np.concatenate([a, b]), np.concatenate([b, a])
    by_src = np.argsort(src, kind="stable")
    src, dst = src[by_src], dst[by_src]
    bounds = np.searchsorted(src, np.arange(n + 1))
    is_leader = np.ones(n, bool)
    covered = np.zeros(n, bool)
    linked = np.unique(src)
    for u in linked[np.argsort(rank[linked], kind="stable")].tolist():
        if covered[u]:
            is_leader[u] = False
        else:
            covered[dst[bounds[u] : bounds[u + 1]]] = True

    leader = np.arange(n)
    joins = ~is_leader[src] & is_leader[dst]
    j_src, j_dst = src[joins], dst[joins]
    pick = np.lexsort((rank[j_dst], j_src))
    j_src, j_dst = j_src[pick], j_dst[pick]
    first = np.ones(len(j_src), bool)
    first[1:] = j_src[1:] != j_src[:-1]
    leader[j_src[first]] = j_dst[first]
    return leader


@dataclass(frozen=True)
class DedupConfig:
    threshold: int = 6
    """pHash Hamming radius of a near duplicate. imagededup's default, 10, merges different
    products photographed alike: on real shops' photos (`benchmarks/dedup_quality.py
    --corpus`, 60 originals x 8 variants, 100 distractors) 16 % of a resized copy's cluster
    mates were other products at 10 and 5 % at 6 (precision 0.84 -> 0.95); on the `large`
    demo catalog, pairs within the radius that are not the same photo fell from 822 to 103,
    while all 47 true cross-shop copies lie within 2. The price is recall on edits: resize and
    JPEG 1.00 -> 0.98, 5 % crops 0.90 -> 0.68, watermarks 0.80 -> 0.82, brightness 0.85 -> 0.83
    (15 % crops, pads and flips were already lost at 10)."""
    dhash_margin: int = 0
    """pHash pairs within this many bits of the threshold also need dHash to agree. Off by
    default: on benchmarks/dedup_quality.py (margin 3, dHash 16) it stopped every merge of
    two different products of the same part type and material and raised recall on crops of
    5% and brightness changes (fewer wrong leaders), but lost a few 15% crops, pads and
    watermarks: it does hurt recall somewhere, so it stays a choice."""
    dhash_threshold: int = 16
    embedding_model: str | None = None
    """open_clip model name or `train_clip` checkpoint for the embedding pass; None: off."""
    embedding_pretrained: str | None = None
    threshold_cos: float = 0.95


def cluster_records(
    phash: np.ndarray,
    dhash: np.ndarray,
    pixels: np.ndarray,
    nbytes: np.ndarray,
    config: DedupConfig,
    paths: Sequence[Path] | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Representative index of every image, and how many embedding pairs were found.

    The representative is the image with the most pixels (ties: more bytes, then input
    order). The embedding pass needs `paths`. The asset and `ilid dedup` both cluster here.
    """
    preference = np.lexsort((np.arange(len(phash)), -np.asarray(nbytes), -np.asarray(pixels)))
    second = SecondOpinion(dhash, config.dhash_margin, config.dhash_threshold)
    extra = None
    if config.embedding_model:
        if paths is None:
            raise ValueError("the embedding pass needs the image paths")
        extra = embedding_pairs(
            paths,
            config.embedding_model,
            config.threshold_cos,
            config.embedding_pretrained,
            progress=progress,
        )
    representative = cluster(
        phash, config.threshold, preference, second_opinion=second, extra_pairs=extra
    )
    return representative, 0 if extra is None else len(extra)


@dataclass(frozen=True)
class ClusterStats:
    images: int
    clusters: int
    multi_image_clusters: int
    largest_cluster: int
    threshold: int
    elapsed_s: float
    embedding_pairs: int = 0


def cluster_images(
    con: duckdb.DuckDBPyConnection,
    config: DedupConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> ClusterStats:
    """Rewrite `image_clusters` from the hashes of every hashed ok image, across all sources.

    `cluster_id` is the first 16 hex digits of the representative's sha256 (ties in
    `cluster_records` go to the lowest sha256), so the table is a pure function of the images
    and the config.
    """
    config = config or DedupConfig()
    started = time.monotonic()
    IMAGES.ensure(con)
    IMAGE_HASHES.ensure(con)
    rows = con.sql(
        "SELECT h.sha256, h.phash, h.dhash, max(i.width * i.height) AS pixels, "
        "max(i.bytes) AS size, min(i.path) AS path "
        "FROM image_hashes h JOIN images i USING (sha256) WHERE i.status = 'ok' "
        "GROUP BY h.sha256, h.phash, h.dhash ORDER BY h.sha256"
    ).to_arrow_table()
    shas = rows.column("sha256").to_numpy(zero_copy_only=False)
    representative, extra = cluster_records(
        rows.column("phash").to_numpy().astype(np.uint64),
        rows.column("dhash").to_numpy().astype(np.uint64),
        rows.column("pixels").fill_null(0).to_numpy(),
        rows.column("size").fill_null(0).to_numpy(),
        config,
        paths=[Path(path) for path in rows.column("path").to_pylist()],
        progress=progress,
    )
    rep_shas = shas[representative]
    cluster_size = np.bincount(representative, minlength=len(shas))[representative]
    table = pa.table(
        {
            "sha256": pa.array(shas, pa.string()),
            "cluster_id": pa.array([sha[:16] for sha in rep_shas], pa.string()),
            "representative_sha256": pa.array(rep_shas, pa.string()),
            "cluster_size": pa.array(cluster_size, pa.int64()),
        }
    )
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(IMAGE_CLUSTERS.ddl(replace=True))
        insert_rows(con, IMAGE_CLUSTERS, table, mode="insert")  # rows come sorted by sha256
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    reps, sizes = np.unique(representative, return_counts=True)
    stats = ClusterStats(
        images=len(shas),
        clusters=len(reps),
        multi_image_clusters=int((sizes > 1).sum()),
        largest_cluster=int(sizes.max(initial=0)),
        threshold=config.threshold,
        elapsed_s=time.monotonic() - started,
        embedding_pairs=extra,
    )
    logger.info("image clusters: %s", stats)
    return stats
