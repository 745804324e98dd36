"""How much two aligned images differ, cell by cell: the pixel half of `verify.check_pair`.

The second image is warped onto the first and both are compared on a small grid, inside both
content boxes (a pad is no part of the photo). After a brightness lookup shared by the three
channels (any monotone change of exposure or contrast is allowed, not a change of colour), a
cell has changed where a channel differs by more than noise. One overlay band that crosses
the picture (a reseller's watermark) may be left out; elsewhere only scattered noise may
differ, no solid patch, no shift of colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import cv2
import numpy as np

if TYPE_CHECKING:
    from ilid_platform.images.verify import CheckConfig, Prepared

_LEVELS = 64  # bins of the brightness lookup
_COLOUR_WINDOW = 7  # cells over which a shift of colour is averaged
_KERNEL = np.ones((3, 3), np.uint8)
_GAP = np.ones((3, 1), np.uint8)  # bridges gaps of up to two band lines


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


def _cells(values: np.ndarray) -> _Cells:
    total = values[..., 0] + values[..., 1] + values[..., 2]  # as values.sum(axis=2)
    luma = total / np.float32(3)
    contrast = cv2.dilate(luma, _KERNEL) - cv2.erode(luma, _KERNEL)
    sums = (total + 1)[..., None]
    colourable = (sums[..., 0] > 90) & (_channel_max(values) < 240)
    levels = np.clip(values, 0, 255).astype(np.uint8)
    return _Cells(values, contrast, sums, colourable, values / sums, levels)


def _grid(a: Prepared, b: Prepared, transform: np.ndarray, cells: int):
    """Both images on a grid over a's frame (`_Cells` of each), and the cells to compare:
    inside both content boxes.

    b is warped onto a's pixels first, a fourth channel marking where it lands; area averaging
    then takes both to the grid alike. a's cells are the same for every pair: they are kept."""
    height, width = a.pixels.shape[:2]
    k = (cells / (width * height)) ** 0.5
    size = (max(8, round(width * k)), max(8, round(height * k)))
    marked = cv2.merge([b.pixels, _box_mask(b.pixels.shape[:2], b.box)])
    warped = cv2.warpAffine(marked, transform, (width, height), flags=cv2.INTER_LINEAR)
    grid = cv2.resize(warped, size, interpolation=cv2.INTER_AREA)
    if size not in a.grids:
        resized = cv2.resize(a.pixels, size, interpolation=cv2.INTER_AREA)
        own = cv2.resize(_box_mask(a.pixels.shape[:2], a.box), size, interpolation=cv2.INTER_AREA)
        a.grids[size] = (_cells(resized.astype(np.float32)), own == 255)
    cells_a, own = a.grids[size]
    return cells_a, _cells(grid[..., :3].astype(np.float32)), (grid[..., 3] == 255) & own


def _box_mask(shape: tuple[int, ...], box: tuple[int, int, int, int]) -> np.ndarray:
    """255 inside the content box, 0 on the trimmed borders: a pad is no part of the photo,
    so its colour is never compared."""
    mask = np.zeros(shape, np.uint8)
    mask[box[1] : box[3], box[0] : box[2]] = 255
    return mask


def _bin_medians(values_a: np.ndarray, values_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per bin of a's values: how many cells, and the median of b's values there."""
    bins = np.minimum(values_a * (_LEVELS / 256), _LEVELS - 1).astype(np.int32)
    keys = np.sort(bins * 256 + np.clip(values_b, 0, 255).astype(np.int32))
    ends = np.searchsorted(keys, np.arange(_LEVELS + 1) * 256)
    if not len(keys):
        return np.zeros(_LEVELS, np.int64), np.zeros(_LEVELS, np.int64)
    medians = keys[np.minimum((ends[:-1] + ends[1:]) // 2, len(keys) - 1)] % 256
    return ends[1:] - ends[:-1], medians


def _brightness_lookup(a: np.ndarray, b: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """256-entry table of b's median value for each value of a (channels pooled, cells of
    (N, 3) arrays): exposure, contrast and gamma changes, however strong, map through it;
    another picture does not. Flat cells decide (at an edge, blur and clipping do not
    commute); a level only edges have is decided by them."""
    counts, medians = _bin_medians(a[flat].ravel(), b[flat].ravel())
    all_counts, all_medians = _bin_medians(a.ravel(), b.ravel())
    sparse = counts < 8
    medians = np.where(sparse, all_medians, medians)
    filled = ~sparse | (all_counts > 0)
    centres = (np.arange(_LEVELS) + 0.5) * 256 / _LEVELS
    if not filled.any():
        return np.arange(256, dtype=np.float32)
    return np.interp(np.arange(256), centres[filled], medians[filled]).astype(np.float32)


def _band_lines(changed: np.ndarray, valid: np.ndarray, axis: int) -> np.ndarray:
    """Lines (rows for axis 0) crossed by overlay: a quarter of their compared cells changed,
    reaching both outer fifths of the compared span; two lines of margin on each side (the
    overlay's soft edge, its text's descenders)."""
    lines, seen = np.moveaxis(changed, axis, 0), np.moveaxis(valid, axis, 0)
    width = seen.shape[1]
    counted = seen.sum(axis=1)
    share = lines.sum(axis=1) / np.maximum(counted, 1)
    first_seen, last_seen = seen.argmax(axis=1), width - 1 - seen[:, ::-1].argmax(axis=1)
    first, last = lines.argmax(axis=1), width - 1 - lines[:, ::-1].argmax(axis=1)
    edge = np.maximum(1, (last_seen - first_seen + 1) // 5)
    band = (counted > 0) & (share >= 0.25)
    band &= (first - first_seen < edge) & (last_seen - last < edge)
    return np.convolve(band, np.ones(5), mode="same") > 0


def _band(changed: np.ndarray, valid: np.ndarray, widest: float) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of one overlay band across the picture in one direction: the run of
    band lines (gaps of two lines bridged) with the most change, if it takes at most
    `widest` of the lines; of a row and a column band, the one with more change. All other
    change counts: a wider run, or a band each way, is no overlay but another picture (a
    product standing the whole height, another label)."""
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
    cells_a, cells_b, valid = _grid(a, b, transform, config.compare_cells)
    if valid.sum() < 64:
        return 0.0, 1.0, 1.0, 0.0
    grid_a, grid_b = cells_a.values, cells_b.values
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
    rows = np.zeros(valid.shape[0], bool)
    cols = np.zeros(valid.shape[1], bool)
    for _ in range(2):
        basis = valid & ~rows[:, None] & ~cols[None, :]
        basis = basis if basis.sum() >= 64 else valid
        lookup = _brightness_lookup(grid_a[basis], grid_b[basis], flat[basis])
        expected = lookup[cells_a.levels]
        changed = (_channel_max(np.abs(grid_b - expected)) > tolerance) & valid
        found_rows, found_cols = _band(changed, valid, config.max_band)
        if np.array_equal(found_rows, rows) and np.array_equal(found_cols, cols):
            break  # no band (or the same one): the lookup would not change
        rows, cols = found_rows, found_cols
    kept = valid & ~rows[:, None] & ~cols[None, :]
    changed &= kept
    solid = cv2.morphologyEx(changed.astype(np.uint8), cv2.MORPH_CLOSE, _KERNEL)
    solid = cv2.morphologyEx(solid, cv2.MORPH_OPEN, _KERNEL).astype(bool) & kept
    total = max(kept.sum(), 1)
    band = float(max(rows.mean(), cols.mean()))
    recoloured = (recoloured & kept).sum() / total
    return float(1 - changed.sum() / total), float(solid.sum() / total), float(recoloured), band
