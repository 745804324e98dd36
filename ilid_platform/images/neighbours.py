"""Every pair of 64-bit hashes within a Hamming radius, by multi-index hashing.

`radius_pairs` cuts the 64 bits into bands with radii r_k such that sum(r_k + 1) =
threshold + 1, so by the pigeonhole principle any pair within the threshold is within r_k on
at least one band k. Each band is searched exactly (buckets of equal band value, plus
neighbouring buckets found by XOR masks in a direct-address table), candidates are checked
with a vectorised popcount, and a pair is kept only in the first band that finds it, so nothing
is reported twice. Identical hashes are collapsed first, so large groups of equal hashes cost
nothing. A cost model picks brute force instead where that is cheaper.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from math import comb
from typing import Literal

import numpy as np

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


def value_pairs(
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


def collapse(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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
    values, _, members, counts = collapse(hashes)
    a, b = value_pairs(values, threshold, method)
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
