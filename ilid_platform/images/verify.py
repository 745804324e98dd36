"""Is a candidate pair one photo? Keypoints align the two images, then their pixels decide.

Hashes only propose pairs: two different products photographed alike on the same background
share a pHash as easily as a photo and its resized copy. The check needs no trained weights:

1. ORB keypoints of both images are matched and RANSAC fits one similarity transform
   (`cv2.estimateAffinePartial2D`). A copy, however resized, cropped or padded, has many
   matches that agree with it and no rotation; another photo of a similar part has few.
2. The second image is warped onto the first and both are compared on a small grid: after a
   brightness lookup shared by the three channels (any monotone change of exposure or
   contrast is allowed, not a change of colour), a cell has changed where a channel differs
   by more than noise. An overlay band that crosses the image edge to edge (a reseller's
   watermark) is left out; elsewhere only scattered noise may differ, no solid patch. This
   is what rejects a product photo re-used for another colour or print of the product.

`check_pair` returns the verdict and a score, the share of compared cells that agree.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

import cv2
import numpy as np
from PIL import Image

from ilid_platform.images.hashing import DECODE_SIDE
from ilid_platform.images.normalise import content_box, decode_rgb, fit, to_rgb

VERIFY_SIDE = 256
"""Long side of the copy that keypoints are found on and pixels compared from."""

cv2.setNumThreads(1)  # pairs are checked in parallel threads; one OpenCV thread each
# Three pyramid levels: both images are at the same long side, so only a crop or pad (a
# factor of 1.5 at most) changes the scale between them. 2000 candidates, of which `_spread`
# keeps 500.
_ORB = dict(nfeatures=2000, nlevels=3, edgeThreshold=15, patchSize=15, fastThreshold=10)
_KEYPOINTS = 500
_LEVELS = 64  # bins of the brightness lookup
_MIN_MATCHES = 20  # never fewer inliers, however few keypoints an image has
_COLOUR_WINDOW = 7  # cells over which a shift of colour is averaged
_KERNEL = np.ones((3, 3), np.uint8)


@dataclass(frozen=True)
class CheckConfig:
    """When a candidate pair counts as one photo (defaults measured with
    benchmarks/dedup_quality.py on the working part of the corpus and the large catalog)."""

    min_inliers: int = 50
    """Keypoint matches (of 500 per image) that one similarity transform must explain: copies
    of real photos keep about 100 to 400, renders of a like part in a like pose 10 to 50."""
    min_inlier_share: float = 0.6
    """Or this share of the keypoints of the image with fewer (at least 20 matches): a
    plain photo has few keypoints to match, and a copy matches most of them."""
    max_rotation: float = 3.0
    """Degrees; resellers resize, crop and pad, they do not rotate."""
    min_cover: float = 0.6
    """Share of each image's content box that the other image covers once aligned: a crop or
    pad of up to about 20 % per side."""
    compare_cells: int = 64 * 64
    """Cells of the comparison grid (its shape follows the first image's aspect ratio)."""
    tolerance: float = 12.0
    """Levels a channel of a cell in a flat area may differ by, once a brightness lookup shared
    by all channels maps one image onto the other (so exposure, contrast and gamma changes,
    clipping included, cost nothing, while another colour does)."""
    edge_tolerance: float = 0.5
    """Share of the local contrast (luminance range of the 3x3 neighbourhood, the lower of the
    two images) added to the tolerance: at an edge, resampling and sub-cell misalignment
    move values a lot."""
    chroma_tolerance: float = 0.02
    """Shift of chromaticity (each channel over the sum of the three, averaged over 7 x 7
    cells) that makes a cell another colour: dusty pink against grey is 0.025."""
    max_recoloured: float = 0.08
    """Share of compared cells that may change colour: JPEG and clipping shift colours a
    little here and there, a product in another colour shifts a whole part of the picture."""
    max_changed: float = 0.03
    """Share of compared cells, outside an overlay band, that may have changed (noise)."""
    max_solid: float = 0.004
    """Share of compared cells that may lie in solid patches of change (a closing and opening
    of the changed cells keep patches, not scattered noise): another print or label."""
    max_band: float = 0.3
    """Largest share of the grid's rows (or columns) an overlay band may take."""

    @property
    def checker(self) -> str:
        """Names the check and its settings: cached verdicts of other settings are redone."""
        digest = hashlib.sha256(repr(sorted(asdict(self).items())).encode()).hexdigest()
        return f"orb-ransac-v4-{digest[:10]}"


@dataclass(frozen=True)
class Prepared:
    """What the check needs of one image: its pixels, content box and keypoints."""

    pixels: np.ndarray
    box: tuple[int, int, int, int]
    points: np.ndarray
    descriptors: np.ndarray | None
    clipped: float = 0.0
    """Share of pixels at the ends of the range (a channel at 250 or more, or all at 5 or
    less): a brightened copy clips what its original still tells apart."""
    grids: dict = field(default_factory=dict, compare=False, repr=False)
    """The pixels on the comparison grid, by grid size, once a check has needed them."""


@dataclass(frozen=True)
class Check:
    same: bool
    score: float
    """Share of compared cells that agree (outside an overlay band); 0 without alignment."""
    inliers: int
    reason: str
    """Why not the same photo ("" when it is): the first test that failed."""


def prepare(img: Image.Image) -> Prepared:
    """The check's view of an image (any mode; EXIF orientation applied)."""
    pixels = np.asarray(to_rgb(img), dtype=np.uint8)
    scale = VERIFY_SIDE / max(pixels.shape[:2])
    if scale != 1:
        size = (max(1, round(pixels.shape[1] * scale)), max(1, round(pixels.shape[0] * scale)))
        area = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        pixels = cv2.resize(pixels, size, interpolation=area)
    pixels = np.ascontiguousarray(pixels)
    gray = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    orb = cv2.ORB_create(**_ORB)
    keypoints = _spread(orb.detect(gray, None), gray.shape)
    keypoints, descriptors = orb.compute(gray, keypoints)
    points = np.array([k.pt for k in keypoints], np.float32).reshape(-1, 2)
    clipped = float(((pixels.max(axis=2) >= 250) | (pixels.max(axis=2) <= 5)).mean())
    return Prepared(pixels, content_box(pixels), points, descriptors, clipped)


def _spread(keypoints: tuple, shape: tuple[int, ...]) -> list:
    """The strongest `_KEYPOINTS`, at most twice a fair share from each cell of a 4 x 4 grid:
    the sharp corners of a watermark's letters must not crowd out the photo's own."""
    if len(keypoints) <= _KEYPOINTS:
        return list(keypoints)
    xy = np.array([k.pt for k in keypoints])
    cell = (xy[:, 1] * 4 // shape[0]).clip(0, 3) * 4 + (xy[:, 0] * 4 // shape[1]).clip(0, 3)
    order = np.lexsort((-np.array([k.response for k in keypoints]), cell))
    first = np.searchsorted(cell[order], cell[order], side="left")
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order)) - first
    kept = np.flatnonzero(rank < 2 * _KEYPOINTS // 16)
    best = kept[np.argsort([-keypoints[k].response for k in kept], kind="stable")]
    return [keypoints[k] for k in best[:_KEYPOINTS]]


def _align(a: Prepared, b: Prepared) -> tuple[np.ndarray | None, int]:
    """Similarity transform from b's pixels to a's, and how many matches agree with it."""
    if a.descriptors is None or b.descriptors is None:
        return None, 0
    if min(len(a.descriptors), len(b.descriptors)) < 4:
        return None, 0
    matches = cv2.BFMatcher(cv2.NORM_HAMMING).match(b.descriptors, a.descriptors)
    if len(matches) < _MIN_MATCHES:
        return None, len(matches)
    src = b.points[[m.queryIdx for m in matches]]
    dst = a.points[[m.trainIdx for m in matches]]
    # 500 iterations find a transform that 1 match in 8 agrees with (99 % sure); fewer
    # inliers than that are rejected anyway
    transform, inliers = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=3.0, maxIters=500
    )
    if transform is None:
        return None, 0
    return transform, int(inliers.sum())


def _cover(box: tuple[int, int, int, int], transform: np.ndarray, size: tuple[int, int]) -> float:
    """Share of `box` (in the target image) that the source frame of `size` lands on."""
    w, h = size
    corners = np.array([[0, 0], [w, 0], [0, h], [w, h]], np.float64)
    mapped = corners @ transform[:, :2].T + transform[:, 2]
    left, top = np.maximum(mapped.min(axis=0), box[:2])
    right, bottom = np.minimum(mapped.max(axis=0), box[2:])
    area = (box[2] - box[0]) * (box[3] - box[1])
    return max(0.0, right - left) * max(0.0, bottom - top) / area if area else 0.0


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
    """Both images on a grid over a's frame (`_Cells` of each), and where b covers it.

    b is warped onto a's pixels first, a fourth channel marking where it lands; area averaging
    then takes both to the grid alike. a's cells are the same for every pair: they are kept."""
    height, width = a.pixels.shape[:2]
    k = (cells / (width * height)) ** 0.5
    size = (max(8, round(width * k)), max(8, round(height * k)))
    marked = cv2.merge([b.pixels, np.full(b.pixels.shape[:2], 255, np.uint8)])
    warped = cv2.warpAffine(marked, transform, (width, height), flags=cv2.INTER_LINEAR)
    grid = cv2.resize(warped, size, interpolation=cv2.INTER_AREA)
    if size not in a.grids:
        resized = cv2.resize(a.pixels, size, interpolation=cv2.INTER_AREA)
        a.grids[size] = _cells(resized.astype(np.float32))
    return a.grids[size], _cells(grid[..., :3].astype(np.float32)), grid[..., 3] == 255


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


def _band(changed: np.ndarray, axis: int) -> np.ndarray:
    """Lines (rows for axis 0) of an overlay band: many changed cells, reaching both outer
    fifths of the line; one line of margin on each side."""
    share = changed.mean(axis=1 - axis)
    lines = np.moveaxis(changed, axis, 0)
    edge = max(1, lines.shape[1] // 5)
    band = (share >= 0.25) & lines[:, :edge].any(axis=1) & lines[:, -edge:].any(axis=1)
    return np.convolve(band, np.ones(3), mode="same") > 0


def _compare(a: Prepared, b: Prepared, transform: np.ndarray, config: CheckConfig):
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
        found_rows, found_cols = _band(changed, 0), _band(changed, 1)
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


def check_pair(a: Prepared, b: Prepared, config: CheckConfig | None = None) -> Check:
    """Whether b is a (resized, recompressed, brightened, cropped, padded or watermarked)
    copy of a, or a of b; symmetric up to resampling."""
    config = config or CheckConfig()
    if a.pixels.shape == b.pixels.shape and np.array_equal(a.pixels, b.pixels):
        return Check(True, 1.0, len(a.points), "")  # one photo, byte for byte at this size
    transform, inliers = _align(a, b)
    enough = max(_MIN_MATCHES, config.min_inlier_share * min(len(a.points), len(b.points)))
    if transform is None or inliers < min(config.min_inliers, enough):
        return Check(False, 0.0, inliers, "keypoints")
    if abs(np.degrees(np.arctan2(transform[1, 0], transform[0, 0]))) > config.max_rotation:
        return Check(False, 0.0, inliers, "rotated")
    height_b, width_b = b.pixels.shape[:2]
    height_a, width_a = a.pixels.shape[:2]
    inverse = cv2.invertAffineTransform(transform)
    cover = min(
        _cover(a.box, transform, (width_b, height_b)),
        _cover(b.box, inverse, (width_a, height_a)),
    )
    if cover < config.min_cover:
        return Check(False, 0.0, inliers, "framing")
    # The brightness lookup maps the first image's values onto the second's: from a clipped
    # copy back to its original it is no function, so it starts from the less clipped image.
    if b.clipped < a.clipped:
        score, reason = _pixels(b, a, inverse, config)
    else:
        score, reason = _pixels(a, b, transform, config)
    return Check(not reason, score, inliers, reason)


def _pixels(a: Prepared, b: Prepared, transform: np.ndarray, config: CheckConfig):
    """(score, "" or why the pixels differ) with b warped onto a."""
    score, solid, recoloured, band = _compare(a, b, transform, config)
    if band > config.max_band:
        return score, "changed band"
    if score < 1 - config.max_changed:
        return score, "pixels"
    if solid > config.max_solid:
        return score, "changed patch"
    if recoloured > config.max_recoloured:
        return score, "colour"
    return score, ""


def prepare_file(path: Path) -> Prepared:
    """`prepare` of an image file, from the working copy that ingest prepares it from."""
    with Image.open(path) as img:
        return prepare(fit(decode_rgb(img, DECODE_SIDE)[0], DECODE_SIDE))


def prepared_bytes(prepared: Prepared) -> bytes:
    """A prepared image as a file (an uncompressed .npz, about 200 KiB): ingest keeps one per
    image, so a check reads it in a fraction of a millisecond instead of decoding the original
    and finding its keypoints again (a PNG inside would cost 2 ms to decode)."""
    descriptors = prepared.descriptors
    buffer = io.BytesIO()
    np.savez(
        buffer,
        pixels=prepared.pixels,
        box=np.array(prepared.box, np.int64),
        points=prepared.points,
        descriptors=np.zeros((0, 32), np.uint8) if descriptors is None else descriptors,
        clipped=np.float64(prepared.clipped),
    )
    return buffer.getvalue()


def load_prepared(path: Path) -> Prepared:
    """The `Prepared` that `prepared_bytes` wrote to `path`."""
    with np.load(path) as data:
        descriptors = data["descriptors"] if len(data["descriptors"]) else None
        return Prepared(
            data["pixels"],
            tuple(int(v) for v in data["box"]),
            data["points"],
            descriptors,
            float(data["clipped"]),
        )
