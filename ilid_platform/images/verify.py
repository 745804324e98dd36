"""Is a candidate pair one photo? Keypoints align the two images, then their pixels decide.

Hashes only propose pairs: two different products photographed alike on the same background
share a pHash as easily as a photo and its resized copy. The check needs no trained weights:

1. ORB keypoints of both images are matched and RANSAC fits one similarity transform
   (`cv2.estimateAffinePartial2D`). A copy, however resized, cropped or padded, has many
   matches that agree with it, no rotation, and frames that nest (a crop lies inside its
   original, a pad around it); another photo of a similar part has few matches, and two
   shots aligned on a watermark they share are shifted.
2. The second image is warped onto the first and both are compared on a small grid (each
   image keeps its own at twice its resolution, so a check never touches full pixels): after a
   brightness lookup shared by the three channels (any monotone change of exposure or
   contrast is allowed, not a change of colour), a cell has changed where a channel differs
   by more than noise, or where one image is sharp inside it and the other flat (a cell's
   mean hides another print's thin lines, its fine grid does not). An overlay band that
   crosses the image edge to edge (a reseller's watermark) is left out if it changes much of
   what it crosses (a line of other captions changes its letters only); elsewhere only
   scattered noise may differ, no solid patch. This is what rejects a product photo re-used
   for another colour or print of the product.

`check_pair` returns the verdict and a score, the share of compared cells that agree.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from ilid_platform.images.compare import compare
from ilid_platform.images.hashing import DECODE_SIDE
from ilid_platform.images.normalise import content_box, decode_rgb, fit, to_rgb

VERIFY_SIDE = 256
"""Long side of the copy that keypoints are found on and the comparison grid is made from."""
GRID_CELLS = 64 * 64
"""Cells of an image's comparison grid (its shape follows the image's aspect ratio)."""

cv2.setNumThreads(1)  # pairs are checked in parallel worker processes; one OpenCV thread each
# Three pyramid levels: both images are at the same long side, so only a crop or pad (a
# factor of 1.5 at most) changes the scale between them. 2000 candidates, of which `_spread`
# keeps 300: matching costs their square, and 500 found no more copies in the corpus.
_ORB = dict(nfeatures=2000, nlevels=3, edgeThreshold=15, patchSize=15, fastThreshold=10)
_KEYPOINTS = 300
_SPREAD = 8  # cells per side of the grid that keypoints are spread over
_MIN_MATCHES = 20  # never fewer inliers, however few keypoints an image has


@dataclass(frozen=True)
class CheckConfig:
    """When a candidate pair counts as one photo (defaults measured with
    benchmarks/dedup_quality.py on the working part of the corpus and the large catalog)."""

    min_inliers: int = 50
    """Keypoint matches (of 300 per image) that one similarity transform must explain: copies
    of real photos keep about 60 to 250, renders of a like part in a like pose 10 to 45
    (renders have fewer than 300 keypoints, so this does not scale with `_KEYPOINTS`)."""
    min_inlier_share: float = 0.6
    """Or this share of the keypoints of the image with fewer (at least 20 matches): a
    plain photo has few keypoints to match, and a copy matches most of them."""
    min_spread: float = 0.4
    """Share of the parts of the picture (cells of a 4 x 4 grid holding keypoints) where
    matches agree: copies agree in 0.5 to all of them, photos sharing a logo in 0.2."""
    max_rotation: float = 3.0
    """Degrees; resellers resize, crop and pad, they do not rotate."""
    min_cover: float = 0.6
    """Share of each image's content box that the other image covers once aligned: a crop or
    pad of up to about 20 % per side."""
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
    detail_contrast: float = 50.0
    """Levels of luminance range inside a cell (over its 2 x 2 cells of the fine grid) that
    make it sharp: an edge or a print's line, not noise or soft texture."""
    detail_ratio: float = 6.0
    """A sharp cell has changed where the other image's range there is under its range over
    this ratio: resampling and JPEG of a copy soften an edge to a half or a third, another
    print has no edge there at all (two products photographed alike, with other prints or
    other cells of a panel)."""
    max_solid: float = 0.004
    """Share of compared cells that may lie in solid patches of change (a closing and opening
    of the changed cells keep patches, not scattered noise): another print or label."""
    max_band: float = 0.25
    """Largest share of the grid's rows (or columns) an overlay band may take."""
    min_band_fill: float = 0.3
    """Share of a band's cells (those an overlay shows on: not black or white in both) that
    must have changed: a reseller's band changes 0.34 to all of them (0.58 typically), a
    line of other captions on a like shot 0.2, its letters but not the gaps between them."""
    max_overhang: float = 0.08
    """Share of a side by which the aligned frames may each stick out of the other: a crop
    lies inside its original and a pad around it (two crops of one photo overhang by what
    their cuts differ, 0.05 at most in the corpus); two shots aligned on an overlay they
    share (a watermark, a logo) are shifted, each showing what the other does not (0.13)."""

    @property
    def checker(self) -> str:
        """Names the check and its settings: cached verdicts of other settings are redone."""
        digest = hashlib.sha256(repr(sorted(asdict(self).items())).encode()).hexdigest()
        return f"orb-ransac-v9-{digest[:10]}"


@dataclass(frozen=True)
class Prepared:
    """What the check needs of one image: its comparison grid, content box and keypoints."""

    grid: np.ndarray
    """(h, w, 4) uint8: the image area-averaged onto twice its comparison grid's resolution
    (a warp at it, halved, is nearly what one at full size gives), and as a fourth channel
    its content box likewise (255 where a cell lies wholly inside)."""
    size: tuple[int, int]
    """(width, height) of the frame that points and box are in (long side VERIFY_SIDE)."""
    box: tuple[int, int, int, int]
    points: np.ndarray
    descriptors: np.ndarray | None
    clipped: float = 0.0
    """Share of pixels at the ends of the range (a channel at 250 or more, or all at 5 or
    less): a brightened copy clips what its original still tells apart."""
    cells: dict = field(default_factory=dict, compare=False, repr=False)
    """What the comparison derives from the grid alone, once a check has needed it."""


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
    box = content_box(pixels)
    orb = cv2.ORB_create(**_ORB)
    keypoints = _spread(orb.detect(gray, None), box)
    keypoints, descriptors = orb.compute(gray, keypoints)
    points = np.array([k.pt for k in keypoints], np.float32).reshape(-1, 2)
    clipped = float(((pixels.max(axis=2) >= 250) | (pixels.max(axis=2) <= 5)).mean())
    height, width = pixels.shape[:2]
    k = (GRID_CELLS / (width * height)) ** 0.5
    cells = (max(8, round(width * k)), max(8, round(height * k)))
    mask = np.zeros((height, width), np.uint8)
    mask[box[1] : box[3], box[0] : box[2]] = 255  # a pad is no part of the photo
    fine = (2 * cells[0], 2 * cells[1])
    grid = cv2.resize(cv2.merge([pixels, mask]), fine, interpolation=cv2.INTER_AREA)
    return Prepared(grid, (width, height), box, points, descriptors, clipped)


def _spread(keypoints: tuple, box: tuple[int, int, int, int]) -> list:
    """`_KEYPOINTS` taken in turns from the cells of an 8 x 8 grid over the content box, each
    cell's strongest first: the sharp corners of a watermark's letters must not crowd out the
    photo's own. A band across the picture takes a row or two of cells, so at most their
    share of turns, and the cells it spares keep the keypoints they had without it (so they
    match). The grid spans the content box, not the frame, so that a padded copy's cells
    are its original's."""
    if len(keypoints) <= _KEYPOINTS:
        return list(keypoints)
    xy = np.array([k.pt for k in keypoints])
    response = np.array([k.response for k in keypoints])
    left, top, right, bottom = box
    column = ((xy[:, 0] - left) * _SPREAD // max(right - left, 1)).clip(0, _SPREAD - 1)
    row = ((xy[:, 1] - top) * _SPREAD // max(bottom - top, 1)).clip(0, _SPREAD - 1)
    cell = (row * _SPREAD + column).astype(np.int64)
    order = np.lexsort((-response, cell))
    first = np.searchsorted(cell[order], cell[order], side="left")
    turn = np.empty(len(order), np.int64)
    turn[order] = np.arange(len(order)) - first  # 0 for a cell's strongest
    return [keypoints[k] for k in np.lexsort((-response, turn))[:_KEYPOINTS]]


def _align(a: Prepared, b: Prepared) -> tuple[np.ndarray | None, np.ndarray]:
    """Similarity transform from b's pixels to a's, and the indices of a's points whose
    matches agree with it (one per agreeing match)."""
    none = np.zeros(0, np.int64)
    if a.descriptors is None or b.descriptors is None:
        return None, none
    if min(len(a.descriptors), len(b.descriptors)) < 4:
        return None, none
    if len(b.descriptors) < _MIN_MATCHES:
        return None, none
    # each of b's descriptors and its nearest of a's (BFMatcher.match without its objects)
    _, nearest = cv2.batchDistance(
        b.descriptors, a.descriptors, cv2.CV_32S, normType=cv2.NORM_HAMMING, K=1
    )
    nearest = nearest.ravel()
    # 500 iterations find a transform that 1 match in 8 agrees with (99 % sure); fewer
    # inliers than that are rejected anyway
    transform, inliers = cv2.estimateAffinePartial2D(
        b.points, a.points[nearest], method=cv2.RANSAC, ransacReprojThreshold=3.0, maxIters=500
    )
    if transform is None:
        return None, none
    return transform, nearest[inliers.ravel().astype(bool)]


def _agreement(a: Prepared, agreed: np.ndarray, transform: np.ndarray, b_size: tuple[int, int]):
    """Share of the cells of a 4 x 4 grid over a that hold keypoints b's frame covers and
    that hold an agreeing match too (`agreed`: indices of a's points). A copy agrees all
    over; two photos that share only a logo, a watermark or a label agree in one corner of
    it."""
    inverse = cv2.invertAffineTransform(transform)
    seen = a.points @ inverse[:, :2].T + inverse[:, 2]
    covered = (seen[:, 0] >= 0) & (seen[:, 1] >= 0) & (seen[:, 0] < b_size[0])
    covered &= seen[:, 1] < b_size[1]
    width, height = a.size
    column = (a.points[:, 0] * 4 // width).clip(0, 3)
    row = (a.points[:, 1] * 4 // height).clip(0, 3)
    cell = (row * 4 + column).astype(np.int64)
    held, agrees = np.zeros(16, bool), np.zeros(16, bool)
    held[cell[covered]] = True
    agrees[cell[agreed]] = True
    return float((held & agrees).sum() / held.sum()) if held.any() else 0.0


def _frame(transform: np.ndarray, size: tuple[int, int]) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the frame of `size` once `transform` maps it."""
    (xx, xy, x0), (yx, yy, y0) = transform.tolist()
    w, h = size
    xs = (x0, w * xx + x0, h * xy + x0, w * xx + h * xy + x0)
    ys = (y0, w * yx + y0, h * yy + y0, w * yx + h * yy + y0)
    return min(xs), min(ys), max(xs), max(ys)


def _cover(box: tuple[int, int, int, int], transform: np.ndarray, size: tuple[int, int]) -> float:
    """Share of `box` (in the target image) that the source frame of `size` lands on."""
    low_x, low_y, high_x, high_y = _frame(transform, size)
    left, top = max(low_x, box[0]), max(low_y, box[1])
    right, bottom = min(high_x, box[2]), min(high_y, box[3])
    area = (box[2] - box[0]) * (box[3] - box[1])
    return max(0.0, right - left) * max(0.0, bottom - top) / area if area else 0.0


def _overhang(transform: np.ndarray, a_size: tuple[int, int], b_size: tuple[int, int]) -> float:
    """Largest share of a's side, over both axes, by which neither frame holds the other:
    the smaller of b's overhang past a and a's past b (0 when one lies inside the other)."""
    low_x, low_y, high_x, high_y = _frame(transform, b_size)
    shares = []
    for low, high, side in ((low_x, high_x, a_size[0]), (low_y, high_y, a_size[1])):
        past_b = max(-low, 0.0) + max(high - side, 0.0)
        past_a = max(low, 0.0) + max(side - high, 0.0)
        shares.append(min(past_a, past_b) / side)
    return float(max(shares))


def check_pair(a: Prepared, b: Prepared, config: CheckConfig | None = None) -> Check:
    """Whether b is a (resized, recompressed, brightened, cropped, padded or watermarked)
    copy of a, or a of b; symmetric up to resampling."""
    config = config or CheckConfig()
    if a.size == b.size and _same_keypoints(a, b) and np.array_equal(a.grid, b.grid):
        return Check(True, 1.0, len(a.points), "")  # one photo, byte for byte at this size
    transform, agreed = _align(a, b)
    inliers = len(agreed)
    enough = max(_MIN_MATCHES, config.min_inlier_share * min(len(a.points), len(b.points)))
    if transform is None or inliers < min(config.min_inliers, enough):
        return Check(False, 0.0, inliers, "keypoints")
    if abs(math.degrees(math.atan2(transform[1, 0], transform[0, 0]))) > config.max_rotation:
        return Check(False, 0.0, inliers, "rotated")
    if _agreement(a, agreed, transform, b.size) < config.min_spread:
        return Check(False, 0.0, inliers, "one corner")
    cover = min(
        _cover(a.box, transform, b.size),
        _cover(b.box, cv2.invertAffineTransform(transform), a.size),
    )
    if cover < config.min_cover:
        return Check(False, 0.0, inliers, "framing")
    if _overhang(transform, a.size, b.size) > config.max_overhang:
        return Check(False, 0.0, inliers, "shifted")
    score, reason = _oriented(a, b, transform, config)
    return Check(not reason, score, inliers, reason)


def _same_keypoints(a: Prepared, b: Prepared) -> bool:
    if a.descriptors is None or b.descriptors is None:
        return a.descriptors is b.descriptors
    return np.array_equal(a.points, b.points) and np.array_equal(a.descriptors, b.descriptors)


def _oriented(a: Prepared, b: Prepared, transform: np.ndarray, config: CheckConfig):
    """`_pixels` from the less clipped image first: the brightness lookup maps the first
    image's values onto the second's, and from a clipped copy back to its original it is no
    function. Then, if the pixels differ, from the other: an overlay band unclips what it
    covers, so the banded copy may look the less clipped, and from it the lookup is no
    function either (the band's grey maps to white there, to grey elsewhere)."""
    orders = [(a, b, transform), (b, a, cv2.invertAffineTransform(transform))]
    if b.clipped < a.clipped:
        orders.reverse()
    score, reason = _pixels(*orders[0], config)
    if reason:
        other, why = _pixels(*orders[1], config)
        if not why:
            return other, why
    return score, reason


def _pixels(a: Prepared, b: Prepared, transform: np.ndarray, config: CheckConfig):
    """(score, "" or why the pixels differ) with b warped onto a."""
    score, solid, recoloured, _ = compare(a, b, transform, config)
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


_MAGIC = b"ILIDCHK5"  # 5: keypoints spread in turns over 8 x 8 cells


def prepared_bytes(prepared: Prepared) -> bytes:
    """A prepared image as a file (raw arrays behind a small header, about 35 KiB): ingest
    keeps one per image, so a check reads it in microseconds instead of decoding the
    original and finding its keypoints again (an .npz took 0.8 ms to open, a PNG 2 ms)."""
    descriptors = prepared.descriptors
    if descriptors is None:
        descriptors = np.zeros((0, 32), np.uint8)
    rows, columns = prepared.grid.shape[:2]
    shape = [rows, columns, *prepared.size, len(prepared.points), *prepared.box]
    return b"".join(
        [
            _MAGIC,
            np.array(shape, np.int64).tobytes(),
            np.float64(prepared.clipped).tobytes(),
            np.ascontiguousarray(prepared.grid, np.uint8).tobytes(),
            np.ascontiguousarray(prepared.points, np.float32).tobytes(),
            np.ascontiguousarray(descriptors, np.uint8).tobytes(),
        ]
    )


def load_prepared(path: Path) -> Prepared:
    """The `Prepared` that `prepared_bytes` wrote to `path` (ValueError if it is none)."""
    data = bytearray(path.read_bytes())
    if data[: len(_MAGIC)] != _MAGIC:
        raise ValueError(f"{path} is no prepared image")
    start = len(_MAGIC)
    rows, columns, width, height, count, *box = np.frombuffer(data, np.int64, 9, start).tolist()
    clipped = float(np.frombuffer(data, np.float64, 1, start + 72)[0])
    start += 80
    grid = np.frombuffer(data, np.uint8, rows * columns * 4, start).reshape(rows, columns, 4)
    start += grid.size
    points = np.frombuffer(data, np.float32, count * 2, start).reshape(count, 2)
    start += points.nbytes
    if len(data) != start + count * 32:
        raise ValueError(f"{path} is truncated")
    descriptors = np.frombuffer(data, np.uint8, count * 32, start).reshape(count, 32)
    return Prepared(
        grid, (width, height), tuple(box), points, descriptors if count else None, clipped
    )
