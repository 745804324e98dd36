"""`ilid predict` and `ilid export-onnx`: a distilled student, deployed.

Bad inputs (a missing or foreign model file, a missing or empty folder) raise
`InputError`, which `ilid` prints as one line; outputs are written whole or not at all.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path

from ilid_platform.train.students.predict import (
    InputError,
    Prediction,
    atomic_path,
    image_files,
    load_predictor,
    predict_folder,
)

PREDICTION_COLUMNS = ("path", "label", "score")
ERROR_COLUMNS = ("path", "reason")


def errors_path(output: Path) -> Path:
    """`predictions.csv` -> `predictions.errors.csv`: the unreadable files, next to it."""
    return output.with_name(f"{output.stem}.errors.csv")


def _echo(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def predict_command(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ilid predict",
        description="Label every image under a folder with a student checkpoint (.pt) or its "
        "ONNX export (.onnx). Writes path,label,score rows (score: the predicted class's "
        "logit, for a distilled student the cosine of the image with the class's text "
        "embedding, in [-1, 1]) and the unreadable "
        "files with their reasons in <output stem>.errors.csv.",
    )
    parser.add_argument("model", type=Path, help="student .pt checkpoint or .onnx export")
    parser.add_argument("folder", type=Path, help="folder searched recursively")
    parser.add_argument("-o", "--output", type=Path, required=True, help="predictions CSV")
    parser.add_argument("--batch-size", type=int, default=64, help="default %(default)s")
    parser.add_argument(
        "--progress-every", type=int, default=1000, help="files per progress line on stderr"
    )
    parser.add_argument("--workers", type=int, default=None, help="image decoding threads")
    args = parser.parse_args(argv)
    if args.batch_size < 1 or args.progress_every < 1:
        parser.error("--batch-size and --progress-every must be at least 1")
    output, errors = args.output, errors_path(args.output)
    if output.is_dir():
        raise InputError(f"output {output} is a folder")
    files = image_files(args.folder)  # folder checks before the (slower) model load
    predictor = load_predictor(args.model)
    _echo(f"predict: {len(files)} files under {args.folder}, {len(predictor.class_names)} classes")
    unreadable: list[tuple[str, str]] = []
    with atomic_path(output) as tmp:
        with tmp.open("w", newline="", encoding="utf-8") as handle:
            rows = csv.writer(handle)
            rows.writerow(PREDICTION_COLUMNS)
            for item in predict_folder(
                predictor,
                args.folder,
                batch_size=args.batch_size,
                progress=_echo,
                progress_every=args.progress_every,
                workers=args.workers,
                files=files,
            ):
                if isinstance(item, Prediction):
                    rows.writerow((item.path, item.label, f"{item.score:.6f}"))
                else:
                    unreadable.append((item.path, item.reason))
        if len(unreadable) == len(files):
            path, reason = unreadable[0]
            raise InputError(
                f"none of the {len(files)} files under {args.folder} is a readable image "
                f"(first: {path}: {reason}); nothing written"
            )
        # Rewritten even when empty, so an old run's list never sits next to new predictions.
        with (
            atomic_path(errors) as tmp_errors,
            tmp_errors.open("w", newline="", encoding="utf-8") as error_handle,
        ):
            error_rows = csv.writer(error_handle)
            error_rows.writerow(ERROR_COLUMNS)
            error_rows.writerows(unreadable)
    print(
        f"{len(files) - len(unreadable)} images predicted, {len(unreadable)} unreadable "
        f"-> {output} (unreadable files: {errors})"
    )
    return 0


def export_onnx_command(argv: Sequence[str] | None = None) -> int:
    from ilid_platform.train.students.export import MIN_OPSET, PARITY_TOLERANCE, export_onnx

    parser = argparse.ArgumentParser(
        prog="ilid export-onnx",
        description="Export a student checkpoint to ONNX (dynamic batch; class names and "
        "preprocessing in the metadata). The file is written only if onnxruntime reproduces "
        f"torch's logits within {PARITY_TOLERANCE:g}.",
    )
    parser.add_argument("checkpoint", type=Path, help="student .pt checkpoint")
    parser.add_argument("-o", "--output", type=Path, required=True, help="ONNX file to write")
    parser.add_argument("--opset", type=int, default=MIN_OPSET, help="default %(default)s")
    args = parser.parse_args(argv)
    if args.output.is_dir():
        raise InputError(f"output {args.output} is a folder")
    result = export_onnx(args.checkpoint, args.output, opset=args.opset)
    size_mb = result.path.stat().st_size / 1e6
    print(
        f"exported {result.arch} student ({result.classes} classes, {result.image_size} px) "
        f"-> {result.path} ({size_mb:.1f} MB); onnxruntime matches torch within "
        f"{result.max_abs_diff:.1e}"
    )
    return 0
