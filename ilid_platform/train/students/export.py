"""Export a distilled student to ONNX, so it can be deployed without torch.

The exported graph is `StudentLogits`, the student and its teacher text head as one module,
and `ilid predict` runs the same module on a .pt checkpoint: the two paths cannot drift.
The file carries everything a runtime needs besides pixels (class names, preprocessing,
provenance) in its metadata, and is only written once onnxruntime reproduces torch's logits.
"""

from __future__ import annotations

import io
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import onnx
import torch

from ilid_platform.train.runtime import file_sha256
from ilid_platform.train.students.objectives.base import student_logits
from ilid_platform.train.students.predict import (
    INPUT_NAME,
    ONNX_FORMAT,
    OUTPUT_NAME,
    OUTPUT_RULE,
    InputError,
    Preprocessing,
    atomic_path,
    first_line,
)
from ilid_platform.train.students.stage import STUDENT_FORMAT, load_student

MIN_OPSET = 17
PARITY_TOLERANCE = 1e-4  # max |onnxruntime - torch| over the logits, checked before writing


class StudentLogits(torch.nn.Module):
    """The student's logits: its L2-normalised embedding against the stored class head, the
    product `LoadedStudent.predict` takes the argmax of. The head is used as stored, not
    renormalised, so the numbers are the student's own; with the teacher's unit-norm class
    text embeddings (ADiP) they are cosines."""

    def __init__(self, student: torch.nn.Module, text_head: torch.Tensor) -> None:
        super().__init__()
        self.student = student
        self.register_buffer("text_head", text_head.detach().float())

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return student_logits(self.student(images), self.text_head)


def read_student(path: Path) -> tuple[StudentLogits, dict[str, Any]]:
    """The logits module of a student checkpoint (loaded by `stage.load_student`) and the
    checkpoint's other fields; any file that is not one is a one-line `InputError`."""
    path = Path(path)
    if not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise InputError(f"checkpoint {path} {what}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle, zip and torch errors all mean "not a checkpoint"
        raise InputError(f"{path} is not a torch checkpoint: {first_line(exc)}") from None
    found = payload.get("format") if isinstance(payload, dict) else type(payload).__name__
    if found != STUDENT_FORMAT:
        raise InputError(
            f"{path} is not a student checkpoint (format {found!r}, expected {STUDENT_FORMAT!r})"
        )
    try:
        loaded = load_student(path, "cpu")
    except Exception as exc:  # a damaged state dict or an arch this timm does not know
        raise InputError(f"{path}: cannot load the student: {first_line(exc)}") from None
    fields = {k: v for k, v in payload.items() if k != "state_dict"}
    return StudentLogits(loaded.model, loaded.text_head).eval(), fields


@dataclass(frozen=True)
class OnnxExport:
    path: Path
    arch: str
    classes: int
    image_size: int
    max_abs_diff: float  # onnxruntime against torch on a random batch, before writing
    metadata: dict[str, str]


def export_onnx(checkpoint: Path, out: Path, opset: int = MIN_OPSET) -> OnnxExport:
    """Write `checkpoint`'s student to `out` as ONNX with a dynamic batch axis.

    Input `images` (N, 3, S, S) float32, already preprocessed; output `logits` (N, classes).
    Uses torch's TorchScript exporter: it needs no onnxscript and emits opset 17 as asked
    (torch 2.14's dynamo exporter cannot convert below 18 for this graph).
    """
    if opset < MIN_OPSET:
        raise InputError(f"opset {opset} is too old; use {MIN_OPSET} or newer")
    checkpoint, out = Path(checkpoint), Path(out)
    module, payload = read_student(checkpoint)
    preprocessing = Preprocessing.from_checkpoint(payload)
    size = preprocessing.image_size
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        # The TorchScript exporter is deprecated in favour of the dynamo one (see above).
        warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX export")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"torch\.onnx")
        torch.onnx.export(
            module,
            (torch.zeros(2, 3, size, size),),
            buffer,
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
            opset_version=opset,
            dynamo=False,
        )
    model = onnx.load_from_string(buffer.getvalue())
    metadata = {
        "format": ONNX_FORMAT,
        "class_names": json.dumps(list(payload["class_names"]), ensure_ascii=False),
        **preprocessing.metadata(),
        "output": OUTPUT_RULE,
        "arch": str(payload["arch"]),
        "objective": str(payload.get("objective") or payload.get("config", {}).get("objective")),
        "source_checkpoint": checkpoint.name,
        "source_sha256": file_sha256(checkpoint),
        "source_format": STUDENT_FORMAT,
        "teacher": str(payload.get("teacher", "")),
        "holdout_source": str(payload.get("holdout_source") or ""),
        "exported_with": f"torch {torch.__version__}, onnx {onnx.__version__}",
    }
    for key, value in metadata.items():
        model.metadata_props.add(key=key, value=value)
    model.doc_string = f"ilid student ({payload['arch']}): images -> logits per class"
    onnx.checker.check_model(model, full_check=True)
    data = model.SerializeToString()
    diff = runtime_parity(data, module, size)
    if diff > PARITY_TOLERANCE:
        raise RuntimeError(
            f"onnxruntime's logits differ from torch's by {diff:.2e} (> {PARITY_TOLERANCE}); "
            f"{out} was not written"
        )
    with atomic_path(out) as tmp:
        tmp.write_bytes(data)
    return OnnxExport(out, metadata["arch"], len(payload["class_names"]), size, diff, metadata)


def runtime_parity(model: bytes, module: StudentLogits, size: int, batch: int = 3) -> float:
    """Max |onnxruntime - torch| of the logits on a seeded random batch; a batch size other
    than the traced one also proves the batch axis is dynamic."""
    import onnxruntime as ort

    images = torch.randn(batch, 3, size, size, generator=torch.Generator().manual_seed(0))
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    got = session.run([OUTPUT_NAME], {INPUT_NAME: images.numpy()})[0]
    with torch.inference_mode():
        expected = module(images).numpy()
    return float(abs(got - expected).max())
