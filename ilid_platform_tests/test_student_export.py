"""A deployable student: ONNX export parity with torch, its metadata, and `ilid predict` on a
folder of demo photos mixed with files that are not images, for both model kinds."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from PIL import Image

from ilid_platform.cli import main
from ilid_platform.demo.drawing import ImageSpec, render
from ilid_platform.images.normalise import to_rgb
from ilid_platform.train.students.export import MIN_OPSET, export_onnx, read_student
from ilid_platform.train.students.predict import (
    ONNX_FORMAT,
    Preprocessing,
    load_predictor,
    predict_folder,
    read_image,
)
from ilid_platform.train.students.stage import (
    STUDENT_FORMAT,
    StudentConfig,
    distill_student,
    load_student,
)
from ilid_platform_tests.test_train_clip import write_synthetic_shards

# Photos as the demo catalog draws them: three styles (square and non-square canvases) and
# three formats, some of them in nested folders.
PHOTOS = {
    "studio_nut.jpg": ImageSpec("hex nut", "brass", "polished", "", "studio", 1, "JPEG"),
    "workshop_washer.png": ImageSpec("washer", "copper", "matte", "", "workshop", 2, "PNG"),
    "a/moody_bolt.webp": ImageSpec("bolt", "stainless steel", "brushed", "", "moody", 3, "WEBP"),
    "a/b/gear.jpg": ImageSpec("spur gear", "aluminium", "anodised", "", "workshop", 4, "JPEG"),
    "a/b/knob.png": ImageSpec("knob", "black polyamide", "matte", "", "moody", 5, "PNG"),
}
BAD = {  # file -> words its reason must contain
    "zero.png": "empty file",
    "notes.jpg": "not an image",
    "a/truncated.jpg": "truncated",
    "a/b/corrupt.png": "decode error",
}


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real `distill_student` checkpoint, trained for one step per phase (its weights need
    not be good, only real): random ilid-tiny teacher, 72 synthetic images."""
    root = tmp_path_factory.mktemp("student")
    shards = write_synthetic_shards(root / "shards", per_combo=1)
    config = StudentConfig(
        arch="resnet10t", align_steps=1, distill_steps=1, batch_size=8, num_threads=1
    )
    return distill_student(shards, "ilid-tiny", root / "out", config).checkpoint_path


@pytest.fixture(scope="module")
def onnx_path(checkpoint: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_onnx(checkpoint, tmp_path_factory.mktemp("onnx") / "student.onnx").path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("photos")
    for name, spec in PHOTOS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(render(spec))
    # Transparent and greyscale pictures are images too.
    Image.new("RGBA", (90, 50), (200, 30, 30, 128)).save(root / "a/rgba.png")
    Image.new("L", (40, 70), 90).save(root / "a/b/grey.jpg")
    jpeg = (root / "studio_nut.jpg").read_bytes()
    (root / "zero.png").write_bytes(b"")
    (root / "notes.jpg").write_text("shopping list: 20 hex nuts\n")
    (root / "a/truncated.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    (root / "a/b/corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(300))
    (root / ".hidden").mkdir()
    (root / ".hidden/skipped.jpg").write_bytes(jpeg)
    return root


def _good(folder: Path) -> list[str]:
    names = list(PHOTOS) + ["a/rgba.png", "a/b/grey.jpg"]
    return sorted(names, key=lambda n: (folder / n).parts)


def _torch_labels(checkpoint: Path, folder: Path, names: list[str]) -> list[str]:
    """Labels by `students.stage.load_student`'s own transform and predict: the path the student
    was evaluated with, independent of the code under test."""
    loaded = load_student(checkpoint)
    batch = torch.stack([loaded.transform(to_rgb(Image.open(folder / n))) for n in names])
    return loaded.predict(batch)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_preprocessing_matches_the_torchvision_transform(checkpoint: Path, folder: Path) -> None:
    loaded = load_student(checkpoint)
    _, payload = read_student(checkpoint)
    prep = Preprocessing.from_checkpoint(payload)
    for name in _good(folder):
        image = to_rgb(Image.open(folder / name))
        ours = prep(image)
        assert ours.shape == (3, 64, 64) and ours.dtype == np.float32
        assert np.abs(ours - loaded.transform(image).numpy()).max() <= 1e-6, name


def test_onnx_logits_match_torch_on_demo_photos(
    checkpoint: Path, onnx_path: Path, folder: Path
) -> None:
    module, payload = read_student(checkpoint)
    prep = Preprocessing.from_checkpoint(payload)
    names = _good(folder)
    batch = np.stack([read_image(folder / n, prep) for n in names])
    with torch.inference_mode():
        expected = module(torch.from_numpy(batch)).numpy()
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    got = session.run(["logits"], {"images": batch})[0]
    assert got.shape == (len(names), len(payload["class_names"]))
    assert np.abs(got - expected).max() <= 1e-4
    assert got.argmax(1).tolist() == expected.argmax(1).tolist()
    # the batch axis is dynamic: one image alone gives its row of the batch
    alone = session.run(["logits"], {"images": batch[2:3]})[0]
    assert np.abs(alone - got[2:3]).max() <= 1e-4
    # an ADiP head is the teacher's unit-norm text embeddings: the logits are cosines; their
    # argmax is what `load_student(...).predict` says
    assert np.abs(got).max() <= 1 + 1e-5
    labels = [payload["class_names"][i] for i in got.argmax(1)]
    assert labels == _torch_labels(checkpoint, folder, names)


def test_onnx_metadata_describes_classes_preprocessing_and_source(
    checkpoint: Path, onnx_path: Path
) -> None:
    model = onnx.load(str(onnx_path))
    onnx.checker.check_model(model)
    assert {o.domain: o.version for o in model.opset_import}[""] >= MIN_OPSET
    (image_input,) = model.graph.input
    dims = [d.dim_param or d.dim_value for d in image_input.type.tensor_type.shape.dim]
    assert image_input.name == "images" and dims == ["batch", 3, 64, 64]
    assert [o.name for o in model.graph.output] == ["logits"]
    meta = {p.key: p.value for p in model.metadata_props}
    payload = torch.load(checkpoint, weights_only=True)
    assert meta["format"] == ONNX_FORMAT
    assert json.loads(meta["class_names"]) == payload["class_names"]
    assert int(meta["image_size"]) == payload["image_size"] == 64
    assert json.loads(meta["mean"]) == pytest.approx(payload["mean"])
    assert json.loads(meta["std"]) == pytest.approx(payload["std"])
    assert "bicubic" in meta["resize"] and "center crop" in meta["resize"]
    assert "cosine" in meta["output"]
    assert meta["source_format"] == STUDENT_FORMAT
    assert meta["source_checkpoint"] == checkpoint.name
    assert meta["source_sha256"] == hashlib.sha256(checkpoint.read_bytes()).hexdigest()
    assert meta["arch"] == "resnet10t" and meta["teacher"] == "ilid-tiny"
    assert meta["objective"] == "adip"
    assert load_predictor(onnx_path).class_names == payload["class_names"]


def _predict(model: Path, folder: Path, out: Path, *extra: str) -> int:
    return main(["predict", str(model), str(folder), "-o", str(out), *extra])


def test_ilid_predict_labels_a_messy_folder_with_either_model(
    checkpoint: Path,
    onnx_path: Path,
    folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good = _good(folder)
    expected = _torch_labels(checkpoint, folder, good)
    results = {}
    for model in (checkpoint, onnx_path):
        out = tmp_path / model.suffix[1:] / "predictions.csv"
        assert _predict(model, folder, out, "--batch-size", "3", "--progress-every", "4") == 0
        captured = capsys.readouterr()
        rows = _read_csv(out)
        assert [r["path"] for r in rows] == good  # relative, sorted, hidden folder skipped
        assert [r["label"] for r in rows] == expected
        errors = {
            r["path"]: r["reason"] for r in _read_csv(out.with_name("predictions.errors.csv"))
        }
        assert set(errors) == set(BAD)
        for name, words in BAD.items():
            assert words in errors[name], (name, errors[name])
        assert captured.out.strip().splitlines() == [
            f"{len(good)} images predicted, {len(BAD)} unreadable -> {out} "
            f"(unreadable files: {out.with_name('predictions.errors.csv')})"
        ]
        progress = [line for line in captured.err.splitlines() if "/11 files" in line]
        assert len(progress) == 3  # at 6 (first batch past 4), 9 (past 8) and the last file
        assert progress[-1].startswith("predict: 11/11 files, 4 unreadable")
        results[model.suffix] = rows
    pt_scores = [float(r["score"]) for r in results[".pt"]]
    onnx_scores = [float(r["score"]) for r in results[".onnx"]]
    assert np.allclose(pt_scores, onnx_scores, atol=1e-4)
    assert all(-1 <= s <= 1 for s in onnx_scores)


def test_predict_folder_yields_every_file_once(onnx_path: Path, folder: Path) -> None:
    predictor = load_predictor(onnx_path)
    items = list(predict_folder(predictor, folder, batch_size=64))
    assert sorted(i.path for i in items) == sorted(_good(folder) + list(BAD))


def test_onnx_predict_runs_without_torch(onnx_path: Path, folder: Path, tmp_path: Path) -> None:
    """A deployment needs onnxruntime, numpy and PIL; torch made unimportable changes nothing."""
    out = tmp_path / "p.csv"
    code = (
        "import sys; sys.modules['torch'] = None; from ilid_platform.cli import main; "
        f"sys.exit(main(['predict', {str(onnx_path)!r}, {str(folder)!r}, '-o', {str(out)!r}]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(_read_csv(out)) == len(_good(folder))


def _fails(capsys: pytest.CaptureFixture[str], argv: list[str], words: str) -> None:
    assert main(argv) == 2
    *before, last = capsys.readouterr().err.strip().splitlines()
    assert last.startswith("error: ") and words in last, last
    assert all(line.startswith("predict: ") for line in before), before  # progress only


def test_bad_inputs_are_one_line_errors_and_write_nothing(
    checkpoint: Path, onnx_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "p.jpg").write_bytes(render(PHOTOS["studio_nut.jpg"]))
    out = tmp_path / "out" / "pred.csv"
    text_pt, text_onnx = tmp_path / "model.pt", tmp_path / "model.onnx"
    text_pt.write_text("not a checkpoint")
    text_onnx.write_text("not a model")
    foreign_pt = tmp_path / "foreign.pt"
    torch.save({"format": "something/else", "state_dict": {}}, foreign_pt)
    foreign_onnx = tmp_path / "foreign.onnx"  # a valid ONNX model, not one of ours
    foreign = onnx.load(str(onnx_path))
    del foreign.metadata_props[:]
    onnx.save(foreign, str(foreign_onnx))
    empty, hidden_only, junk_only = tmp_path / "empty", tmp_path / "hidden", tmp_path / "junk"
    empty.mkdir()
    (hidden_only / ".cache").mkdir(parents=True)
    (hidden_only / ".cache" / "p.jpg").write_bytes(b"x")
    junk_only.mkdir()
    (junk_only / "a.jpg").write_text("hello")

    for model, where, words in (
        (tmp_path / "missing.pt", photos, "does not exist"),
        (text_pt, photos, "is not a torch checkpoint"),
        (text_onnx, photos, "is not a readable ONNX model"),
        (foreign_pt, photos, "is not a student checkpoint (format 'something/else'"),
        (foreign_onnx, photos, "not an ilid student export"),
        (checkpoint, tmp_path / "nowhere", "does not exist"),
        (checkpoint, photos / "p.jpg", "is not a folder"),
        (checkpoint, empty, "has no files"),
        (onnx_path, hidden_only, "has no files"),
        (onnx_path, junk_only, "none of the 1 files"),
    ):
        _fails(capsys, ["predict", str(model), str(where), "-o", str(out)], words)
        assert not out.parent.exists() or not any(out.parent.iterdir())

    # A failed run leaves an earlier run's output as it was.
    out.parent.mkdir(exist_ok=True)
    out.write_text("earlier\n")
    _fails(capsys, ["predict", str(onnx_path), str(junk_only), "-o", str(out)], "none of")
    assert out.read_text() == "earlier\n" and sorted(out.parent.iterdir()) == [out]

    target = tmp_path / "x" / "student.onnx"
    for argv, words in (
        ([str(tmp_path / "missing.pt")], "does not exist"),
        ([str(text_pt)], "is not a torch checkpoint"),
        ([str(foreign_pt)], "is not a student checkpoint"),
        ([str(checkpoint), "--opset", "16"], "opset 16 is too old"),
    ):
        _fails(capsys, ["export-onnx", *argv, "-o", str(target)], words)
        assert not target.parent.exists() or not any(target.parent.iterdir())


def test_export_onnx_command_writes_a_loadable_model(
    checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "deploy" / "student.onnx"
    assert main(["export-onnx", str(checkpoint), "-o", str(target)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"exported resnet10t student (6 classes, 64 px) -> {target}")
    assert [p.name for p in target.parent.iterdir()] == ["student.onnx"]  # no temp file left
    session = ort.InferenceSession(target.read_bytes(), providers=["CPUExecutionProvider"])
    assert session.get_modelmeta().custom_metadata_map["source_checkpoint"] == checkpoint.name
