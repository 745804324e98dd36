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
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from ilid_platform.images.compare import compare
from ilid_platform.images.hashing import DECODE_SIDE
from ilid_platform.images.normalise import content_box, decode_rgb, fit, to_rgb

VERIFY_SIDE = 256
"""Long side of the copy that keypoints are found on and pixels compared from."""

cv2.setNumThreads(1)  # pairs are checked in parallel worker processes; one OpenCV thread each
# Three pyramid levels: both images are at the same long side, so only a crop or pad (a
# factor of 1.5 at most) changes the scale between them. 2000 candidates, of which `_spread`
# keeps 500.
_ORB = dict(nfeatures=2000, nlevels=3, edgeThreshold=15, patchSize=15, fastThreshold=10)
_KEYPOINTS = 500
_MIN_MATCHES = 20  # never fewer inliers, however few keypoints an image has


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
    min_spread: float = 0.4
    """Share of the parts of the picture (cells of a 4 x 4 grid holding keypoints) where
    matches agree: copies agree in 0.5 to all of them, photos sharing a logo in 0.2."""
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
    max_band: float = 0.25
    """Largest share of the grid's rows (or columns) an overlay band may take."""

    @property
    def checker(self) -> str:
        """Names the check and its settings: cached verdicts of other settings are redone."""
        digest = hashlib.sha256(repr(sorted(asdict(self).items())).encode()).hexdigest()
        return f"orb-ransac-v5-{digest[:10]}"


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


def _align(a: Prepared, b: Prepared) -> tuple[np.ndarray | None, np.ndarray]:
    """Similarity transform from b's pixels to a's, and the points of a whose matches agree
    with it."""
    none = np.zeros((0, 2), np.float32)
    if a.descriptors is None or b.descriptors is None:
        return None, none
    if min(len(a.descriptors), len(b.descriptors)) < 4:
        return None, none
    matches = cv2.BFMatcher(cv2.NORM_HAMMING).match(b.descriptors, a.descriptors)
    if len(matches) < _MIN_MATCHES:
        return None, none
    src = b.points[[m.queryIdx for m in matches]]
    dst = a.points[[m.trainIdx for m in matches]]
    # 500 iterations find a transform that 1 match in 8 agrees with (99 % sure); fewer
    # inliers than that are rejected anyway
    transform, inliers = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=3.0, maxIters=500
    )
    if transform is None:
        return None, none
    return transform, dst[inliers.ravel().astype(bool)]


def _agreement(a: Prepared, agreed: np.ndarray, transform: np.ndarray, b_size: tuple[int, int]):
    """Share of the cells of a 4 x 4 grid over a that hold keypoints b's frame covers and
    that hold an agreeing match too. A copy agrees all over; two photos that share only a
    logo, a watermark or a label agree in one corner of it."""
    inverse = cv2.invertAffineTransform(transform)
    seen = a.points @ inverse[:, :2].T + inverse[:, 2]
    covered = a.points[
        (seen[:, 0] >= 0) & (seen[:, 1] >= 0) & (seen[:, 0] < b_size[0]) & (seen[:, 1] < b_size[1])
    ]
    height, width = a.pixels.shape[:2]

    def cells(points: np.ndarray) -> np.ndarray:
        column = (points[:, 0] * 4 // width).clip(0, 3)
        row = (points[:, 1] * 4 // height).clip(0, 3)
        return np.unique((row * 4 + column).astype(np.int64))

    held = cells(covered)
    return float(np.isin(held, cells(agreed)).mean()) if len(held) else 0.0


def _cover(box: tuple[int, int, int, int], transform: np.ndarray, size: tuple[int, int]) -> float:
    """Share of `box` (in the target image) that the source frame of `size` lands on."""
    w, h = size
    corners = np.array([[0, 0], [w, 0], [0, h], [w, h]], np.float64)
    mapped = corners @ transform[:, :2].T + transform[:, 2]
    left, top = np.maximum(mapped.min(axis=0), box[:2])
    right, bottom = np.minimum(mapped.max(axis=0), box[2:])
    area = (box[2] - box[0]) * (box[3] - box[1])
    return max(0.0, right - left) * max(0.0, bottom - top) / area if area else 0.0


def check_pair(a: Prepared, b: Prepared, config: CheckConfig | None = None) -> Check:
    """Whether b is a (resized, recompressed, brightened, cropped, padded or watermarked)
    copy of a, or a of b; symmetric up to resampling."""
    config = config or CheckConfig()
    if a.pixels.shape == b.pixels.shape and np.array_equal(a.pixels, b.pixels):
        return Check(True, 1.0, len(a.points), "")  # one photo, byte for byte at this size
    transform, agreed = _align(a, b)
    inliers = len(agreed)
    enough = max(_MIN_MATCHES, config.min_inlier_share * min(len(a.points), len(b.points)))
    if transform is None or inliers < min(config.min_inliers, enough):
        return Check(False, 0.0, inliers, "keypoints")
    if abs(np.degrees(np.arctan2(transform[1, 0], transform[0, 0]))) > config.max_rotation:
        return Check(False, 0.0, inliers, "rotated")
    height_b, width_b = b.pixels.shape[:2]
    if _agreement(a, agreed, transform, (width_b, height_b)) < config.min_spread:
        return Check(False, 0.0, inliers, "one corner")
    height_a, width_a = a.pixels.shape[:2]
    cover = min(
        _cover(a.box, transform, (width_b, height_b)),
        _cover(b.box, cv2.invertAffineTransform(transform), (width_a, height_a)),
    )
    if cover < config.min_cover:
        return Check(False, 0.0, inliers, "framing")
    score, reason = _oriented(a, b, transform, config)
    return Check(not reason, score, inliers, reason)


def _oriented(a: Prepared, b: Prepared, transform: np.ndarray, config: CheckConfig):
    """`_pixels` from the less clipped image: the brightness lookup maps the first image's
    values onto the second's, and from a clipped copy back to its original it is no
    function."""
    if b.clipped < a.clipped:
        return _pixels(b, a, cv2.invertAffineTransform(transform), config)
    return _pixels(a, b, transform, config)


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


_MAGIC = b"ILIDCHK3"


def prepared_bytes(prepared: Prepared) -> bytes:
    """A prepared image as a file (raw arrays behind a small header, about 200 KiB): ingest
    keeps one per image, so a check reads it in microseconds instead of decoding the
    original and finding its keypoints again (an .npz took 0.8 ms to open, a PNG 2 ms)."""
    descriptors = prepared.descriptors
    if descriptors is None:
        descriptors = np.zeros((0, 32), np.uint8)
    height, width = prepared.pixels.shape[:2]
    header = np.array([height, width, len(prepared.points), *prepared.box], np.int64)
    return b"".join(
        [
            _MAGIC,
            header.tobytes(),
            np.float64(prepared.clipped).tobytes(),
            np.ascontiguousarray(prepared.pixels, np.uint8).tobytes(),
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
    height, width, count, *box = np.frombuffer(data, np.int64, 7, start).tolist()
    clipped = float(np.frombuffer(data, np.float64, 1, start + 56)[0])
    start += 64
    pixels = np.frombuffer(data, np.uint8, height * width * 3, start).reshape(height, width, 3)
    start += pixels.size
    points = np.frombuffer(data, np.float32, count * 2, start).reshape(count, 2)
    start += points.nbytes
    if len(data) != start + count * 32:
        raise ValueError(f"{path} is truncated")
    descriptors = np.frombuffer(data, np.uint8, count * 32, start).reshape(count, 32)
    return Prepared(pixels, tuple(box), points, descriptors if count else None, clipped)
