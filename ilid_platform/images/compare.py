"""How much two aligned images differ, cell by cell: the pixel half of `verify.check_pair`.

The second image is warped onto the first and both are compared on a small grid, inside both
content boxes (a pad is no part of the photo). After a brightness lookup shared by the three
channels (any monotone change of exposure or contrast is allowed, not a change of colour), a
cell has changed where a channel differs by more than noise, or where its fine detail does
(one image sharp and the other flat inside the cell). One overlay band that crosses
the picture (a reseller's watermark) may be left out; elsewhere only scattered noise may
differ, no solid patch, no shift of colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import cv2
import numpy as np
from scipy.optimize import isotonic_regression

if TYPE_CHECKING:
    from ilid_platform.images.verify import CheckConfig, Prepared

_LEVELS = 64  # bins of the brightness lookup
_BIN_SHIFT = 2  # a uint8 value's bin of the lookup: 256 / _LEVELS values each
_LAST_ROW = np.array([[0, 0, 1]], np.float64)
_CENTRES = (np.arange(_LEVELS) + 0.5) * 256 / _LEVELS  # of the lookup's bins
_VALUES = np.arange(256)
_BIN_STARTS = np.arange(_LEVELS + 1, dtype=np.uint16) * 256
_COLOUR_WINDOW = 7  # cells over which a shift of colour is averaged
_KERNEL = np.ones((3, 3), np.uint8)
_GAP = np.ones((3, 1), np.uint8)  # bridges gaps of up to two band lines
_DARK, _WHITE = 64, 240  # mean levels below and above which an overlay may not show


class _Cells(NamedTuple):
    """An image on the comparison grid, with what the comparison derives from it alone."""

    values: np.ndarray  # (h, w, 3) float32
    contrast: np.ndarray  # luminance range of each cell's 3 x 3 neighbourhood
    sums: np.ndarray  # (h, w, 1): sum of the channels, plus 1
    colourable: np.ndarray  # neither dark nor clipped: a colour to compare
    chroma: np.ndarray  # each channel over the sum
    levels: np.ndarray  # values as uint8, to index the brightness lookup


def _channel_max(values: np.ndarray) -> np.ndarray:
    """`values.max(axis=2)` of (h, w, 3) cells; numpy reduces a last axis of 3 slowly."""
    return np.maximum(np.maximum(values[..., 0], values[..., 1]), values[..., 2])


def _cells(pixels: np.ndarray) -> _Cells:
    """`_Cells` of (h, w, 3) uint8 cells."""
    values = pixels.astype(np.float32)
    total = values[..., 0] + values[..., 1] + values[..., 2]  # as values.sum(axis=2)
    luma = total / np.float32(3)
    contrast = cv2.dilate(luma, _KERNEL) - cv2.erode(luma, _KERNEL)
    sums = (total + 1)[..., None]
    colourable = (sums[..., 0] > 90) & (_channel_max(pixels) < 240)
    return _Cells(values, contrast, sums, colourable, values / sums, pixels)


def _grid(a: Prepared, b: Prepared, transform: np.ndarray):
    """Both images on a's grid (`_Cells` of each), the cells to compare (inside both content
    boxes), a's `_detail_bounds` and b's luminance on a's fine grid.

    b's grid at twice the resolution (its content box as a fourth channel) is warped onto
    a's, then both are halved alike by area averaging. a's cells are kept."""
    rows, columns = a.grid.shape[:2]
    size = (columns // 2, rows // 2)
    transform = _on_grid(a) @ np.vstack([transform, _LAST_ROW]) @ _from_grid(b)
    warped = cv2.warpAffine(b.grid, transform[:2], (columns, rows), flags=cv2.INTER_LINEAR)
    fine_b = cv2.cvtColor(warped, cv2.COLOR_RGBA2GRAY)
    warped = cv2.resize(warped, size, interpolation=cv2.INTER_AREA)
    if "cells" not in a.cells:
        own = cv2.resize(a.grid, size, interpolation=cv2.INTER_AREA)
        bounds_a = _detail_bounds(cv2.cvtColor(a.grid, cv2.COLOR_RGBA2GRAY))
        a.cells["cells"] = (_cells(own[..., :3]), own[..., 3] == 255, bounds_a)
    cells_a, own, bounds_a = a.cells["cells"]
    return cells_a, _cells(warped[..., :3]), (warped[..., 3] == 255) & own, bounds_a, fine_b


def _on_grid(image: Prepared) -> np.ndarray:
    """3 x 3 transform from an image's frame to its fine grid (as cv2.resize maps pixel
    centres)."""
    scale_x = image.grid.shape[1] / image.size[0]
    scale_y = image.grid.shape[0] / image.size[1]
    return np.array(
        [[scale_x, 0, (scale_x - 1) / 2], [0, scale_y, (scale_y - 1) / 2], [0, 0, 1]], np.float64
    )


def _from_grid(image: Prepared) -> np.ndarray:
    """The inverse of `_on_grid`: from an image's fine grid to its frame."""
    scale_x = image.size[0] / image.grid.shape[1]
    scale_y = image.size[1] / image.grid.shape[0]
    return np.array(
        [[scale_x, 0, (scale_x - 1) / 2], [0, scale_y, (scale_y - 1) / 2], [0, 0, 1]], np.float64
    )


def _bin_medians(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per bin of a's values: how many cells, and the median of b's values there, from keys
    of a's bin times 256 plus b's value (uint16: numpy sorts those by radix)."""
    keys = np.sort(keys, kind="stable")
    ends = np.searchsorted(keys, _BIN_STARTS)
    if not len(keys):
        return np.zeros(_LEVELS, np.int64), np.zeros(_LEVELS, np.int64)
    medians = keys[np.minimum((ends[:-1] + ends[1:]) // 2, len(keys) - 1)] % 256
    return ends[1:] - ends[:-1], medians


def _brightness_lookup(a: np.ndarray, b: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """256-entry table of b's median value for each value of a (channels pooled, uint8 cells
    of (N, 3) arrays): exposure, contrast and gamma changes, however strong, map through it;
    another picture does not. Flat cells decide (at an edge, blur and clipping do not
    commute); a level only edges have is decided by them. The medians are fitted by a
    monotone curve (weighted by their cells), as every change of exposure is: an overlay
    that darkens some cells of one level cannot bend the table for the rest."""
    keys = ((a >> _BIN_SHIFT).astype(np.uint16) << 8) | b  # a's bin, b's value
    counts, medians = _bin_medians(keys[flat].ravel())
    all_counts, all_medians = _bin_medians(keys.ravel())
    sparse = counts < 8
    medians = np.where(sparse, all_medians, medians)
    filled = ~sparse | (all_counts > 0)
    if not filled.any():
        return np.arange(256, dtype=np.float32)
    weights = np.where(sparse, all_counts, counts)[filled]
    medians = isotonic_regression(medians[filled].astype(np.float64), weights=weights).x
    return np.interp(_VALUES, _CENTRES[filled], medians).astype(np.float32)


def _detail_bounds(luma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Highest and lowest of each cell's 2 x 2 values of the fine grid's luminance ((2h, 2w)
    uint8 values)."""
    corners = luma[0::2, 0::2], luma[0::2, 1::2], luma[1::2, 0::2], luma[1::2, 1::2]
    high = np.maximum(np.maximum(corners[0], corners[1]), np.maximum(corners[2], corners[3]))
    low = np.minimum(np.minimum(corners[0], corners[1]), np.minimum(corners[2], corners[3]))
    return high, low


def _detail_changed(
    bounds_a: tuple[np.ndarray, np.ndarray],
    fine_b: np.ndarray,
    lookup: np.ndarray,
    config: CheckConfig,
) -> np.ndarray:
    """Cells sharp in one image and flat in the other (luminance on the fine grid, a's mapped
    through the brightness lookup first; `bounds_a` are a's `_detail_bounds`: the lookup is
    monotone, so it maps a cell's highest and lowest values to those of the mapped cell). A
    cell's mean hides what lies inside it: another print's thin white lines average to the
    grey of a blurred blob, and a lookup free to bend per level maps one onto the other.
    Resizing, JPEG and brightness soften detail or scale it with the lookup's slope; they do
    not wipe a strong edge out (clipping does, and the lookup clips a's fine grid alike)."""
    high_b, low_b = _detail_bounds(fine_b)
    sharp_a = lookup[bounds_a[0]] - lookup[bounds_a[1]]
    sharp_b = high_b.astype(np.float32) - low_b
    high, low = np.maximum(sharp_a, sharp_b), np.minimum(sharp_a, sharp_b)
    return (high > config.detail_contrast) & (low * config.detail_ratio < high)


def _band_lines(changed: np.ndarray, valid: np.ndarray, axis: int) -> np.ndarray:
    """Lines (rows for axis 0) crossed by overlay: a quarter of their compared cells changed,
    reaching both outer fifths of the compared span."""
    lines, seen = np.moveaxis(changed, axis, 0), np.moveaxis(valid, axis, 0)
    width = seen.shape[1]
    counted = seen.sum(axis=1)
    share = lines.sum(axis=1) / np.maximum(counted, 1)
    first_seen, last_seen = seen.argmax(axis=1), width - 1 - seen[:, ::-1].argmax(axis=1)
    first, last = lines.argmax(axis=1), width - 1 - lines[:, ::-1].argmax(axis=1)
    edge = np.maximum(1, (last_seen - first_seen + 1) // 5)
    band = (counted > 0) & (share >= 0.25)
    return band & (first - first_seen < edge) & (last_seen - last < edge)


def _band_possible(changed: np.ndarray, seen: tuple[np.ndarray, np.ndarray]) -> bool:
    """Whether some row or column has a quarter of its compared cells changed, as a band
    line needs (`_band_lines`); `seen` holds the compared cells of each column and row (at
    least 1)."""
    return any((changed.sum(axis=axis) * 4 >= seen[axis]).any() for axis in (0, 1))


def _band(
    changed: np.ndarray, valid: np.ndarray, visible: np.ndarray, widest: float, fill: float
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of one overlay band across the picture in one direction: the run of
    band lines (gaps of two lines bridged) with the most change, if it takes at most
    `widest` of the lines, and two lines of margin on each side (the overlay's soft edge, its
    text's descenders: on a short grid they would take a large share); of a row and a column
    band, the one with more change. An overlay changes its band edge to edge, so at least
    `fill` of the band's `visible` cells (margins included) must have changed: a line of
    other captions on a like shot changes its letters and leaves the gaps between them. All
    other change counts: a wider run, a band each way or a sparse one is no overlay but
    another picture (a product standing the whole height, another label or caption)."""
    found, weights = [], []
    for axis in (0, 1):
        lines = _band_lines(changed, valid, axis)
        closed = cv2.morphologyEx(lines.astype(np.uint8)[:, None], cv2.MORPH_CLOSE, _GAP)[:, 0]
        run = np.cumsum(np.diff(closed.astype(np.int8), prepend=0) == 1) * closed
        if run.any():
            weight = np.bincount(run, weights=changed.sum(axis=1 - axis))
            weight[0] = -1
            lines = run == weight.argmax()
        if lines.mean() > widest:
            lines = np.zeros_like(lines)
        lines = np.convolve(lines, np.ones(5), mode="same") > 0
        seen = np.moveaxis(valid & visible, axis, 0)[lines]
        if np.moveaxis(changed, axis, 0)[lines][seen].sum() < fill * seen.sum():
            lines = np.zeros_like(lines)
        found.append(lines)
        weights.append(np.moveaxis(changed, axis, 0)[lines].sum())
    rows, cols = found
    if weights[0] >= weights[1]:
        return rows, np.zeros_like(cols)
    return np.zeros_like(rows), cols


def compare(
    a: Prepared, b: Prepared, transform: np.ndarray, config: CheckConfig
) -> tuple[float, float, float, float]:
    """Shares of the compared cells outside a band: that agree, that lie in solid patches of
    change, that changed colour; and the share of lines the band takes."""
    cells_a, cells_b, valid, bounds_a, fine_b = _grid(a, b, transform)
    if valid.sum() < 64:
        return 0.0, 1.0, 1.0, 0.0
    grid_b = cells_b.values
    # An edge in both images is where resampling and misalignment move values; an edge in
    # one of them only is a difference.
    contrast = np.minimum(cells_a.contrast, cells_b.contrast)
    tolerance = config.tolerance + config.edge_tolerance * contrast
    # The shared lookup can bend to map pink onto grey; chromaticity cannot. Its shift is
    # averaged over a window: JPEG's colour noise cancels out, a recoloured part does not.
    # Clipped and dark cells have no colour to compare.
    coloured = valid & cells_a.colourable & cells_b.colourable
    weight = coloured.astype(np.float32)
    window = (_COLOUR_WINDOW, _COLOUR_WINDOW)
    shift = cv2.boxFilter((cells_b.chroma - cells_a.chroma) * weight[..., None], -1, window)
    shift /= np.maximum(cv2.boxFilter(weight, -1, window), 1e-3)[..., None]
    recoloured = coloured & (_channel_max(np.abs(shift)) > config.chroma_tolerance)
    # The lookup is fitted again without the overlay band once that is known.
    flat = contrast < 2 * config.tolerance
    # An overlay shows on every cell it crosses but those both images keep black or white.
    visible = (np.maximum(cells_a.sums, cells_b.sums) > 3 * _DARK) & (
        np.minimum(cells_a.sums, cells_b.sums) < 3 * _WHITE
    )
    rows = np.zeros(valid.shape[0], bool)
    cols = np.zeros(valid.shape[1], bool)
    seen = np.maximum(valid.sum(axis=0), 1), np.maximum(valid.sum(axis=1), 1)
    for _ in range(2):
        basis = valid & ~rows[:, None] & ~cols[None, :]
        basis = basis if basis.sum() >= 64 else valid
        lookup = _brightness_lookup(cells_a.levels[basis], cells_b.levels[basis], flat[basis])
        expected = lookup[cells_a.levels]
        changed = (_channel_max(np.abs(grid_b - expected)) > tolerance) & valid
        found_rows, found_cols = np.zeros_like(rows), np.zeros_like(cols)
        if _band_possible(changed, seen):  # most copies have no line to search
            found_rows, found_cols = _band(
                changed, valid, visible[..., 0], config.max_band, config.min_band_fill
            )
        if np.array_equal(found_rows, rows) and np.array_equal(found_cols, cols):
            break  # no band (or the same one): the lookup would not change
        rows, cols = found_rows, found_cols
    kept = valid & ~rows[:, None] & ~cols[None, :]
    changed = (changed | _detail_changed(bounds_a, fine_b, lookup, config)) & kept
    total = max(kept.sum(), 1)
    solid = 0
    if changed.any():
        patches = cv2.morphologyEx(changed.astype(np.uint8), cv2.MORPH_CLOSE, _KERNEL)
        solid = (cv2.morphologyEx(patches, cv2.MORPH_OPEN, _KERNEL).astype(bool) & kept).sum()
    band = float(max(rows.mean(), cols.mean()))
    recoloured = (recoloured & kept).sum() / total
    return float(1 - changed.sum() / total), float(solid / total), float(recoloured), band
