"""Label every image under a folder with a deployed student: its checkpoint (.pt, run by
torch) or its ONNX export (.onnx, run by onnxruntime on the CPU).

Both kinds read images the same way (`Preprocessing`: PIL and numpy, no torch) and score the
same way (the normalised student embedding against the class head, cosines for a head of
text embeddings), so they differ only in the runtime that computes the logits. Nothing here
imports torch unless a .pt model is loaded: the ONNX path runs where torch is not installed.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image

from ilid_platform.images.normalise import to_rgb
from ilid_platform.images.process import not_image_reason, sniff_format
from ilid_platform.settings import ConfigError

ONNX_FORMAT = "ilid-student-onnx/1"
INPUT_NAME, OUTPUT_NAME = "images", "logits"
RESIZE_RULE = (
    "shorter side to image_size (PIL bicubic, antialiased; longer side int(image_size * "
    "long / short)), then center crop image_size x image_size"
)
INPUT_RULE = (
    "float32 (N, 3, image_size, image_size): RGB with EXIF orientation applied and alpha "
    "composited on white, scaled to [0, 1], then (x - mean) / std per channel"
)
OUTPUT_RULE = (
    "float32 (N, classes), in class_names order: the L2-normalised student embedding times "
    "each class's row of the head; the head is the teacher's unit-norm class text embeddings "
    "(objective adip), so the logits are cosines in [-1, 1], or a learned matrix"
)


class InputError(ConfigError):
    """A model file or input folder that cannot be used; the command line prints the one-line
    message instead of a traceback."""


@dataclass(frozen=True)
class Preprocessing:
    """The student's input pipeline, the same as `stage.load_student`'s torchvision
    transform (Resize, CenterCrop, ToTensor, Normalize) but without torch, so an ONNX
    deployment reproduces it from the model's metadata alone."""

    image_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]

    def __call__(self, image: Image.Image) -> np.ndarray:
        """(3, S, S) float32 input for one upright RGB image."""
        size = self.image_size
        width, height = image.size
        short, long = min(width, height), max(width, height)
        scaled_long = int(size * long / short)
        target = (size, scaled_long) if width <= height else (scaled_long, size)
        if target != image.size:
            image = image.resize(target, Image.Resampling.BICUBIC)
        top = int(round((image.height - size) / 2.0))
        left = int(round((image.width - size) / 2.0))
        image = image.crop((left, top, left + size, top + size))
        pixels = np.asarray(image, dtype=np.float32) / 255.0
        mean = np.asarray(self.mean, np.float32)
        std = np.asarray(self.std, np.float32)
        return ((pixels - mean) / std).transpose(2, 0, 1)

    def metadata(self) -> dict[str, str]:
        """The ONNX metadata entries that describe this pipeline (all values are strings)."""
        return {
            "image_size": str(self.image_size),
            "mean": json.dumps(list(self.mean)),
            "std": json.dumps(list(self.std)),
            "resize": RESIZE_RULE,
            "input": INPUT_RULE,
        }

    @classmethod
    def from_metadata(cls, meta: dict[str, str]) -> Preprocessing:
        mean, std = json.loads(meta["mean"]), json.loads(meta["std"])
        return cls(int(meta["image_size"]), _triple(mean), _triple(std))

    @classmethod
    def from_checkpoint(cls, payload: Mapping[str, Any]) -> Preprocessing:
        """From a student checkpoint's fields (`stage.load_student` reads the same ones)."""
        return cls(int(payload["image_size"]), _triple(payload["mean"]), _triple(payload["std"]))


def _triple(values: Sequence[float]) -> tuple[float, float, float]:
    a, b, c = (float(v) for v in values)
    return a, b, c


class Predictor(Protocol):
    """A loaded model: class names, its preprocessing, and logits for a batch of inputs."""

    class_names: list[str]
    preprocessing: Preprocessing

    def logits(self, batch: np.ndarray) -> np.ndarray: ...


class OnnxPredictor:
    """An `ilid export-onnx` file run by onnxruntime; everything it needs is in the file."""

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        try:
            self.session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own types for every kind of bad file
            raise InputError(f"{path} is not a readable ONNX model: {first_line(exc)}") from None
        meta = dict(self.session.get_modelmeta().custom_metadata_map)
        if meta.get("format") != ONNX_FORMAT:
            raise InputError(
                f"{path} is an ONNX model but not an ilid student export "
                f"(metadata format {meta.get('format')!r}, expected {ONNX_FORMAT!r})"
            )
        self.metadata = meta
        try:
            self.class_names = [str(name) for name in json.loads(meta["class_names"])]
            self.preprocessing = Preprocessing.from_metadata(meta)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}: damaged metadata: {first_line(exc)}") from None

    def logits(self, batch: np.ndarray) -> np.ndarray:
        return self.session.run([OUTPUT_NAME], {INPUT_NAME: batch})[0]


class TorchPredictor:
    """A student checkpoint run by torch, through the same module the ONNX export traces."""

    def __init__(self, path: Path) -> None:
        import torch

        from ilid_platform.train.students.export import read_student

        self.module, payload = read_student(path)
        self._torch = torch
        self.class_names = list(payload["class_names"])
        self.preprocessing = Preprocessing.from_checkpoint(payload)

    def logits(self, batch: np.ndarray) -> np.ndarray:
        with self._torch.inference_mode():
            return self.module(self._torch.from_numpy(batch)).numpy()


def load_predictor(path: Path) -> Predictor:
    """An ONNX export (by its .onnx suffix) or a student checkpoint (anything else)."""
    path = Path(path)
    if not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise InputError(f"model {path} {what}")
    return OnnxPredictor(path) if path.suffix.lower() == ".onnx" else TorchPredictor(path)


@dataclass(frozen=True)
class Prediction:
    path: str  # relative to the folder, with forward slashes
    label: str
    score: float  # the logit of `label`: a cosine in [-1, 1] for a text-embedding head


@dataclass(frozen=True)
class Unreadable:
    path: str
    reason: str


def image_files(folder: Path) -> list[Path]:
    """Every file under `folder`, recursively, sorted; hidden files and folders are skipped.
    Content decides what is an image, not the extension (a text file named .jpg is caught
    when it is read)."""
    folder = Path(folder)
    if not folder.exists():
        raise InputError(f"folder {folder} does not exist")
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder")
    files = sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts)
    )
    if not files:
        raise InputError(f"folder {folder} has no files")
    return files


def read_image(path: Path, preprocessing: Preprocessing) -> np.ndarray | str:
    """The model input for one file, or why the file cannot be one."""
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
        if not head:
            return "empty file"
        if sniff_format(head) is None:
            return f"not an image: {not_image_reason(head)}"
        with Image.open(path) as image:
            image.load()  # decode now: a truncated file must fail here, not half-read
            return preprocessing(to_rgb(image))
    except Image.DecompressionBombError as exc:
        return f"too large: {exc}"
    except OSError as exc:
        if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
            return f"unreadable: {exc.strerror}"
        return f"decode error: {type(exc).__name__}: {first_line(exc)}"
    except Exception as exc:  # untrusted bytes in a C decoder fail in many ways; all mean "bad"
        return f"decode error: {type(exc).__name__}: {first_line(exc)}"


def predict_folder(
    predictor: Predictor,
    folder: Path,
    batch_size: int = 64,
    progress: Callable[[str], None] | None = None,
    progress_every: int = 1000,
    workers: int | None = None,
    files: list[Path] | None = None,
) -> Iterator[Prediction | Unreadable]:
    """One `Prediction` or `Unreadable` per file under `folder`, in path order.

    Files are decoded by a thread pool (PIL releases the GIL) one batch ahead of the model,
    so decoding overlaps inference; `progress` gets a line every `progress_every` files.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    folder = Path(folder)
    files = image_files(folder) if files is None else files
    batches = [files[i : i + batch_size] for i in range(0, len(files), batch_size)]
    names, prep = predictor.class_names, predictor.preprocessing
    started, done, bad, reported = time.monotonic(), 0, 0, 0
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        pending = pool.map(lambda p: read_image(p, prep), batches[0]) if batches else None
        for index, batch in enumerate(batches):
            inputs = list(pending)
            if index + 1 < len(batches):
                pending = pool.map(lambda p: read_image(p, prep), batches[index + 1])
            good = [x for x in inputs if not isinstance(x, str)]
            logits = predictor.logits(np.stack(good)) if good else np.zeros((0, len(names)))
            best = logits.argmax(axis=1)
            scores = logits[np.arange(len(best)), best]
            k = 0
            for path, item in zip(batch, inputs, strict=True):
                rel = path.relative_to(folder).as_posix()
                if isinstance(item, str):
                    bad += 1
                    yield Unreadable(rel, item)
                else:
                    yield Prediction(rel, names[int(best[k])], float(scores[k]))
                    k += 1
            done += len(batch)
            if progress and (done // progress_every > reported or done == len(files)):
                reported = done // progress_every
                rate = done / max(time.monotonic() - started, 1e-9)
                progress(f"predict: {done}/{len(files)} files, {bad} unreadable, {rate:.0f}/s")


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary sibling to write instead of `path`; it replaces `path` only when the block
    ends without error, so a failed or killed run never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def first_line(exc: BaseException) -> str:
    """An exception as one line, for messages the command line prints whole."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
