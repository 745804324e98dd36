"""Clustering near-duplicate images without chaining, and the `image_clusters` table.

Hashes propose, pixels decide: `pairs.candidate_pairs` finds every two images with a view near
a view of the other (whole image, borders trimmed, centre, top or bottom half), the optional
embedding pass adds its pairs, and `verify.check_pair` keeps those that are one photo. The
clustering then groups images around leaders, so every member is a verified duplicate of its
cluster's representative and A~B~C never chains A and C.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from ilid_platform.images.embeddings import embedding_pairs
from ilid_platform.images.hashing import VIEW_COLUMNS
from ilid_platform.images.neighbours import collapse, value_pairs
from ilid_platform.images.pairs import candidate_pairs, check_candidates, merge_pairs
from ilid_platform.images.store import check_path, write_atomic
from ilid_platform.images.verify import (
    Check,
    CheckConfig,
    Prepared,
    load_prepared,
    prepare_file,
    prepared_bytes,
)
from ilid_platform.tables import (
    IMAGE_CLUSTERS,
    IMAGE_HASHES,
    IMAGE_PAIR_CHECKS,
    IMAGES,
    insert_rows,
)

logger = logging.getLogger(__name__)


def _ranks(n: int, preference: np.ndarray | Sequence[int] | None) -> np.ndarray:
    rank = np.empty(n, np.int64)
    rank[np.arange(n) if preference is None else np.asarray(preference)] = np.arange(n)
    return rank


def cluster(
    hashes: np.ndarray,
    threshold: int,
    preference: np.ndarray | None = None,
    *,
    extra_pairs: np.ndarray | None = None,
) -> np.ndarray:
    """Representative index of every hash by hashes alone (no pixel check); every member is
    a direct duplicate of it.

    Two images are direct duplicates when their hashes are within `threshold`, or when
    `extra_pairs` ((M, 2) indices) lists them. Leader clustering as in `cluster_pairs`; equal
    hashes always share a cluster.
    """
    hashes = np.ascontiguousarray(hashes, dtype=np.uint64).ravel()
    n = len(hashes)
    rank = _ranks(n, preference)
    values, inverse, _, _ = collapse(hashes)
    best_rank = np.full(len(values), n, np.int64)
    np.minimum.at(best_rank, inverse, rank)
    best_member = np.empty(len(values), np.int64)
    best_member[inverse[rank == best_rank[inverse]]] = np.flatnonzero(rank == best_rank[inverse])

    a, b = value_pairs(values, threshold, "auto")
    if extra_pairs is not None and len(extra_pairs):
        extra = inverse[np.asarray(extra_pairs, np.int64)]
        merged = merge_pairs(np.stack([a, b], axis=1), extra, n=len(values))
        a, b = merged[:, 0], merged[:, 1]
    return best_member[_leaders(len(values), a, b, best_rank)[inverse]]


def cluster_pairs(
    n: int, pairs: np.ndarray, preference: np.ndarray | Sequence[int] | None = None
) -> np.ndarray:
    """Representative index of each of n images, given the (M, 2) pairs that are duplicates.

    Images are visited in `preference` order (indices, most preferred first; default: index
    order); one that duplicates no earlier representative becomes one, every other joins the
    most preferred representative it duplicates. So a representative is the most preferred
    member of its cluster, and every member is listed in `pairs` with it.
    """
    pairs = np.asarray(pairs, np.int64).reshape(-1, 2)
    return _leaders(n, pairs[:, 0], pairs[:, 1], _ranks(n, preference))


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
    threshold: int = 8
    """Hamming radius within which a view of one image and a view of another make them a
    candidate pair. With the pixel check deciding, the radius only buys recall: at 8 bits the
    five views find 0.99 of resized, recompressed, brightened, cropped (up to 10 %), padded
    (up to 20 %) and watermarked copies of real shops' photos (benchmarks/dedup_quality.py),
    and a million hashes are searched in seconds (benchmarks/dedup_vs_imagededup.py)."""
    verify: bool = True
    """Check every candidate pair's pixels (`verify.check_pair`); False trusts the hashes."""
    check: CheckConfig = field(default_factory=CheckConfig)
    embedding_model: str | None = None
    """open_clip model name or `train_clip` checkpoint for the embedding pass; None: off."""
    embedding_pretrained: str | None = None
    threshold_cos: float = 0.95


@dataclass(frozen=True)
class Clustering:
    representative: np.ndarray
    """Index of every image's representative."""
    candidates: np.ndarray
    """(M, 2) candidate pairs i < j, from the hash views and the embedding pass."""
    checks: list[Check] | None
    """The pixel check's verdict on every candidate; None when `verify` is off."""
    fresh: np.ndarray
    """Per candidate: checked in this call (no cached verdict)."""
    embedding_pairs: int = 0


def cluster_records(
    views: np.ndarray,
    pixels: np.ndarray,
    nbytes: np.ndarray,
    config: DedupConfig,
    paths: Sequence[Path] | None = None,
    progress: Callable[[str], None] | None = None,
    cached: Callable[[np.ndarray], list[Check | None]] | None = None,
    load: Callable[[int], Prepared] | None = None,
) -> Clustering:
    """Cluster images by their (n, views) hashes; the asset and `ilid dedup` both cluster here.

    The representative is the image with the most confirmed duplicates (ties: more pixels,
    more bytes, then input order): the original that a reseller edited in several ways leads
    its edits, which may not be duplicates of one another (a crop of a pad). The pixel check
    and the embedding pass read `paths` (or the check calls `load(index)` for an image's
    prepared view). `cached(candidates)` may return a known verdict per candidate (None:
    unknown); only the others are checked.
    """
    views = np.asarray(views, np.uint64).reshape(len(pixels), -1)
    n = len(views)
    candidates = candidate_pairs(views, config.threshold)
    extra = np.empty((0, 2), np.int64)
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
        candidates = merge_pairs(candidates, extra, n=n)
    if progress:
        progress(f"{len(candidates)} candidate pairs among {n} images")
    checks = None
    confirmed = candidates
    fresh = np.zeros(len(candidates), bool)
    if config.verify:
        if load is None and paths is None:
            raise ValueError("the pixel check needs the image paths")
        if load is None:
            load = _from_files(paths)
        checks = list(cached(candidates)) if cached else [None] * len(candidates)
        todo = [k for k, check in enumerate(checks) if check is None]
        checked = check_candidates(candidates[todo], load, config.check, progress=progress)
        for k, check in zip(todo, checked, strict=True):
            checks[k] = check
        fresh[todo] = True
        confirmed = candidates[np.array([c.same for c in checks], bool).reshape(-1)]
    degree = np.bincount(confirmed.ravel(), minlength=n)
    preference = np.lexsort((np.arange(n), -np.asarray(nbytes), -np.asarray(pixels), -degree))
    representative = cluster_pairs(n, confirmed, preference)
    return Clustering(representative, candidates, checks, fresh, len(extra))


def _from_files(paths: Sequence[Path]) -> Callable[[int], Prepared]:
    return lambda index: prepare_file(paths[index])


def _from_store(
    store_root: Path, shas: np.ndarray, paths: Sequence[Path]
) -> Callable[[int], Prepared]:
    """Prepared views kept beside the originals (ingest writes them); one that is missing is
    made from the original and kept."""

    def load(index: int) -> Prepared:
        kept = check_path(store_root, shas[index])
        try:
            return load_prepared(kept)
        except (OSError, ValueError, KeyError):
            prepared = prepare_file(paths[index])
            write_atomic(kept, prepared_bytes(prepared))
            return prepared

    return load


@dataclass(frozen=True)
class ClusterStats:
    images: int
    clusters: int
    multi_image_clusters: int
    largest_cluster: int
    threshold: int
    elapsed_s: float
    embedding_pairs: int = 0
    candidate_pairs: int = 0
    checked_pairs: int = 0
    """Candidates whose pixels were checked in this run (the others had a stored verdict)."""
    confirmed_pairs: int = 0
    """Candidates that are one photo (all of them when the check is off)."""


def _stored_checks(
    con: duckdb.DuckDBPyConnection, shas: np.ndarray, checker: str
) -> Callable[[np.ndarray], list[Check | None]]:
    """Looks up stored verdicts of `checker` for candidate pairs (indices into `shas`)."""

    def cached(pairs: np.ndarray) -> list[Check | None]:
        wanted = pa.table(
            {
                "k": pa.array(np.arange(len(pairs)), pa.int64()),
                "a": pa.array(shas[pairs[:, 0]], pa.string()),
                "b": pa.array(shas[pairs[:, 1]], pa.string()),
            }
        )
        con.register("_candidate_pairs", wanted)
        try:
            found = con.execute(
                "SELECT w.k, c.same, c.score, c.inliers, c.reason FROM _candidate_pairs w "
                "JOIN image_pair_checks c ON c.sha256_a = w.a AND c.sha256_b = w.b "
                "WHERE c.checker = ?",
                [checker],
            ).fetchall()
        finally:
            con.unregister("_candidate_pairs")
        checks: list[Check | None] = [None] * len(pairs)
        for k, same, score, inliers, reason in found:
            checks[k] = Check(same, score, inliers, reason or "")
        return checks

    return cached


def _fresh_checks(shas: np.ndarray, clustering: Clustering, checker: str) -> list[dict]:
    """`image_pair_checks` rows of the verdicts reached in this run (an unreadable image is
    not kept: it may be readable next time)."""
    if clustering.checks is None:
        return []
    rows = []
    pairs = clustering.candidates.tolist()
    for (a, b), check, new in zip(pairs, clustering.checks, clustering.fresh, strict=True):
        if new and check.reason != "unreadable":
            rows.append(
                {
                    "sha256_a": shas[a],
                    "sha256_b": shas[b],
                    "checker": checker,
                    "same": check.same,
                    "score": check.score,
                    "inliers": check.inliers,
                    "reason": check.reason or None,
                }
            )
    return rows


def cluster_images(
    con: duckdb.DuckDBPyConnection,
    config: DedupConfig | None = None,
    progress: Callable[[str], None] | None = None,
    store_root: Path | None = None,
) -> ClusterStats:
    """Rewrite `image_clusters` from the hashes of every hashed ok image, across all sources.

    The pixel check reads each image's prepared view from `store_root` (made from the
    original and kept there when missing); without a store it prepares the originals.
    Verdicts of the pixel check are kept in `image_pair_checks`, so a re-run checks only new
    candidate pairs. `cluster_id` is the first 16 hex digits of the representative's sha256
    (ties in `cluster_records` go to the lowest sha256), so the table is a pure function of
    the images and the config.
    """
    config = config or DedupConfig()
    started = time.monotonic()
    for table in (IMAGES, IMAGE_HASHES, IMAGE_PAIR_CHECKS):
        table.ensure(con)
    views = ", ".join(f"coalesce(h.{c}, h.phash) AS {c}" for c in VIEW_COLUMNS)
    rows = con.sql(
        f"SELECT h.sha256, {views}, max(i.width * i.height) AS pixels, "
        "max(i.bytes) AS size, min(i.path) AS path "
        "FROM image_hashes h JOIN images i USING (sha256) WHERE i.status = 'ok' "
        f"GROUP BY ALL ORDER BY h.sha256"
    ).to_arrow_table()
    shas = rows.column("sha256").to_numpy(zero_copy_only=False)
    paths = [Path(path) for path in rows.column("path").to_pylist()]
    checker = config.check.checker
    clustering = cluster_records(
        np.stack([rows.column(c).to_numpy().astype(np.uint64) for c in VIEW_COLUMNS], axis=1),
        rows.column("pixels").fill_null(0).to_numpy(),
        rows.column("size").fill_null(0).to_numpy(),
        config,
        paths=paths,
        progress=progress,
        cached=_stored_checks(con, shas, checker),
        load=None if store_root is None else _from_store(Path(store_root), shas, paths),
    )
    representative = clustering.representative
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
    fresh = _fresh_checks(shas, clustering, checker)
    try:
        con.execute("BEGIN TRANSACTION")
        insert_rows(con, IMAGE_PAIR_CHECKS, fresh, mode="replace")
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
        embedding_pairs=clustering.embedding_pairs,
        candidate_pairs=len(clustering.candidates),
        checked_pairs=len(fresh),
        confirmed_pairs=(
            len(clustering.candidates)
            if clustering.checks is None
            else sum(check.same for check in clustering.checks)
        ),
    )
    logger.info("image clusters: %s", stats)
    return stats
