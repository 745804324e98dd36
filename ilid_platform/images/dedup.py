"""Near-duplicate search over 64-bit perceptual hashes, and clustering without chaining.

`radius_pairs` finds every pair within a Hamming radius by multi-index hashing: the 64 bits
are cut into bands with radii r_k such that sum(r_k + 1) = threshold + 1, so by the
pigeonhole principle any pair within the threshold is within r_k on at least one band k.
Each band is searched exactly (buckets of equal band value, plus neighbouring buckets found
by XOR masks in a direct-address table), candidates are checked with a vectorised popcount,
and a pair is kept only in the first band that finds it, so nothing is reported twice.
Identical hashes are collapsed first, so large groups of equal hashes cost nothing.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from math import comb
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import pyarrow as pa

from ilid_platform.images.embeddings import embedding_pairs
from ilid_platform.tables import IMAGE_CLUSTERS, IMAGE_HASHES, IMAGES, insert_rows

logger = logging.getLogger(__name__)

_TABLE_BITS = 22
"""Bands searched with a radius use a direct-address table of 2**bits slots (16 MiB)."""
_CHUNK = 1 << 18
"""Elements per vectorised step: bounds memory to a few hundred MiB whatever the input."""
# Nanoseconds per table lookup, candidate check, brute-force comparison and table slot,
# measured on numpy 2; only used to pick a search plan.
_LOOKUP_COST, _CANDIDATE_COST, _BRUTE_COST, _SLOT_COST = 1.4, 18.0, 2.3, 8.0


@dataclass(frozen=True)
class _Band:
    shift: int
    bits: int
    radius: int

    @property
    def mask(self) -> np.uint64:
        return np.uint64((1 << self.bits) - 1)

    def keys(self, hashes: np.ndarray) -> np.ndarray:
        return (hashes >> np.uint64(self.shift)) & self.mask


def _ball(bits: int, radius: int) -> int:
    return sum(comb(bits, k) for k in range(radius + 1))


def _plan(n: int, threshold: int, brute_allowed: bool = True) -> list[_Band] | None:
    """Cheapest band layout under a cost model of uniform hashes; None means brute force.

    Needs threshold < 64; `threshold + 1` bands with radius 0 are always feasible.
    """
    best, best_cost = None, _BRUTE_COST * n * n / 2 if brute_allowed else float("inf")
    for m in range(1, threshold + 2):
        bits = [64 // m + (k < 64 % m) for k in range(m)]
        spare = threshold + 1 - m
        radii = [spare // m + (k < spare % m) for k in range(m)]
        if any(r and b > _TABLE_BITS for b, r in zip(bits, radii, strict=True)):
            continue
        lookups = sum(n * _ball(b, r) for b, r in zip(bits, radii, strict=True) if r)
        slots = sum(2**b for b, r in zip(bits, radii, strict=True) if r)
        candidates = n * n / 2 * sum(_ball(b, r) / 2**b for b, r in zip(bits, radii, strict=True))
        cost = (
            _LOOKUP_COST * lookups
            + _CANDIDATE_COST * candidates
            + _SLOT_COST * slots
            + 30 * m * n  # sorting each band
        )
        if cost < best_cost:
            shifts = np.cumsum([0, *bits[:-1]])
            best = [_Band(int(s), b, r) for s, b, r in zip(shifts, bits, radii, strict=True)]
            best_cost = cost
    return best


def _ragged(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For runs of the given lengths: the run of every element and its offset in the run."""
    owner = np.repeat(np.arange(len(lengths)), lengths)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return owner, offset


def _expand(
    row_start: np.ndarray,
    row_len: np.ndarray,
    col_start: np.ndarray,
    col_len: np.ndarray,
    same: bool,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """All (row, col) position pairs of rectangular blocks, in chunks of about _CHUNK.

    With `same`, each block is a bucket against itself and only row < col is produced.
    Blocks become rows first, and rows are cut into chunks, so one huge bucket is fine.
    """
    if not same:
        single = (row_len == 1) & (col_len == 1)
        if single.any():
            yield row_start[single], col_start[single]
            rest = ~single
            row_start, row_len = row_start[rest], row_len[rest]
            col_start, col_len = col_start[rest], col_len[rest]
    owner, offset = _ragged(row_len)
    rows = row_start[owner] + offset
    if same:
        first = rows + 1
        width = col_start[owner] + col_len[owner] - first
    else:
        first, width = col_start[owner], col_len[owner]
    ends = np.cumsum(width)
    low = 0
    while low < len(rows):
        done = ends[low - 1] if low else 0
        high = max(int(np.searchsorted(ends, done + _CHUNK, side="right")), low + 1)
        owner, offset = _ragged(width[low:high])
        yield rows[low:high][owner], first[low:high][owner] + offset
        low = high


def _brute_unique_pairs(values: np.ndarray, threshold: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(values)
    found_i, found_j = [], []
    start = 0
    while start < n:
        stop = min(n, start + max(1, _CHUNK // max(1, n - start)))
        dist = np.bitwise_count(values[start:stop, None] ^ values[None, start:])
        rows, cols = np.nonzero(dist <= threshold)
        cols = cols + start
        upper = cols > rows + start
        found_i.append(rows[upper] + start)
        found_j.append(cols[upper])
        start = stop
    return np.concatenate(found_i), np.concatenate(found_j)


def _verified(
    rows: np.ndarray,
    cols: np.ndarray,
    sorted_values: np.ndarray,
    order: np.ndarray,
    threshold: int,
    earlier: list[_Band],
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate positions within the threshold and not already reported by an earlier band."""
    diff = sorted_values[rows] ^ sorted_values[cols]
    near = np.flatnonzero(np.bitwise_count(diff) <= threshold)
    diff, rows, cols = diff[near], rows[near], cols[near]
    keep = np.ones(len(near), bool)
    for band in earlier:
        keep &= np.bitwise_count(band.keys(diff)) > band.radius
    i, j = order[rows[keep]], order[cols[keep]]
    return np.minimum(i, j), np.maximum(i, j)


def _mih_unique_pairs(
    values: np.ndarray, threshold: int, bands: list[_Band]
) -> tuple[np.ndarray, np.ndarray]:
    found_i, found_j = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for k, band in enumerate(bands):
        keys = band.keys(values)
        order = np.argsort(keys, kind="stable")
        sorted_values = values[order]
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        counts = np.diff(np.r_[starts, len(values)])
        shared = counts > 1
        blocks = _expand(starts[shared], counts[shared], starts[shared], counts[shared], True)
        if band.radius:
            neighbours = _neighbour_pairs(sorted_keys.astype(np.int32), starts, counts, band)
            blocks = itertools.chain(blocks, neighbours)
        for rows, cols in blocks:
            i, j = _verified(rows, cols, sorted_values, order, threshold, bands[:k])
            found_i.append(i)
            found_j.append(j)
    return np.concatenate(found_i), np.concatenate(found_j)


def _neighbour_pairs(
    sorted_keys: np.ndarray, starts: np.ndarray, counts: np.ndarray, band: _Band
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Position pairs whose band keys differ by 1..radius bits.

    Every item looks up the buckets at keys `key ^ e`; a pair of buckets (u, u ^ e) is
    visited once, from the side whose key has a 0 at the highest bit of e. Keys are sorted,
    so the lookups sweep the direct-address tables almost in order.
    """
    occupied = np.zeros(1 << band.bits, bool)  # small enough to stay in cache
    start_of = np.zeros(1 << band.bits, np.int32)
    count_of = np.zeros(1 << band.bits, np.int32)
    bucket_keys = sorted_keys[starts]
    occupied[bucket_keys] = True
    start_of[bucket_keys] = starts
    count_of[bucket_keys] = counts
    weights = np.bitwise_count(np.arange(1 << band.bits, dtype=np.uint32))
    masks = np.flatnonzero((weights >= 1) & (weights <= band.radius)).astype(np.int32)
    top_bit = np.floor(np.log2(masks)).astype(np.int64)
    for bit in range(band.bits):
        lower = np.flatnonzero((sorted_keys >> bit) & 1 == 0).astype(np.int32)
        lower_keys = sorted_keys[lower]
        partner = np.empty_like(lower_keys)
        hit_mask = np.empty(len(lower_keys), bool)
        for mask in masks[top_bit == bit]:
            np.bitwise_xor(lower_keys, mask, out=partner)
            np.take(occupied, partner, out=hit_mask)
            hit = np.flatnonzero(hit_mask)
            rows, partner_hit = lower[hit], partner[hit]
            cols = start_of[partner_hit]
            yield rows, cols
            width = count_of[partner_hit]
            more = np.flatnonzero(width > 1)
            if len(more):
                single = np.ones(len(more), np.int64)
                yield from _expand(rows[more], single, cols[more] + 1, width[more] - 1, False)


def _unique_pairs(
    values: np.ndarray, threshold: int, method: Literal["auto", "mih", "brute"]
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) of distinct values within `threshold`."""
    empty = np.empty(0, np.int64)
    if len(values) < 2 or threshold < 1:
        return empty, empty
    bands = None
    if method != "brute" and threshold < 64:
        bands = _plan(len(values), threshold, brute_allowed=method == "auto")
    if bands is None:
        return _brute_unique_pairs(values, threshold)
    return _mih_unique_pairs(values, threshold, bands)


def _collapse(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct values, and each input's value index; members grouped by value (ascending)."""
    values, inverse = np.unique(hashes, return_inverse=True)
    members = np.argsort(inverse, kind="stable")
    counts = np.bincount(inverse, minlength=len(values))
    return values, inverse, members, counts


def radius_pairs(
    hashes: np.ndarray, threshold: int, method: Literal["auto", "mih", "brute"] = "auto"
) -> np.ndarray:
    """Every pair (i, j), i < j, with Hamming distance <= threshold, as an (M, 2) int64 array
    sorted by (i, j). Equal to brute force; `method` only changes how fast it gets there."""
    hashes = np.ascontiguousarray(hashes, dtype=np.uint64).ravel()
    values, _, members, counts = _collapse(hashes)
    a, b = _unique_pairs(values, threshold, method)
    starts = np.cumsum(counts) - counts
    dup = counts > 1
    n = len(hashes)
    keys = [np.empty(0, np.int64)]
    for blocks in (
        _expand(starts[dup], counts[dup], starts[dup], counts[dup], True),
        _expand(starts[a], counts[a], starts[b], counts[b], False),
    ):
        for rows, cols in blocks:
            i, j = members[rows], members[cols]
            keys.append(np.minimum(i, j) * n + np.maximum(i, j))
    key = np.sort(np.concatenate(keys))
    return np.stack([key // max(n, 1), key % max(n, 1)], axis=1)


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
    values, inverse, _, _ = _collapse(hashes)
    best_rank = np.full(len(values), n, np.int64)
    np.minimum.at(best_rank, inverse, rank)
    best_member = np.empty(len(values), np.int64)
    best_member[inverse[rank == best_rank[inverse]]] = np.flatnonzero(rank == best_rank[inverse])

    a, b = _unique_pairs(values, threshold, "auto")
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
    threshold: int = 10
    """pHash Hamming radius of a near duplicate (imagededup's default too)."""
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
