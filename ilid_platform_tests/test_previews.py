"""Previews for the web UI: bounded inline thumbnails, tables that survive catalog text,
metrics with their intervals, rounded."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from ilid_platform import previews
from ilid_platform.defs.metadata import counts_table, metrics_table, rounded


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "photo.png"
    Image.linear_gradient("L").convert("RGB").resize((640, 480)).save(path)
    return path


def _decoded(markdown: str) -> Image.Image:
    uri = markdown.split("](", 1)[1].rstrip(")")
    assert uri.startswith("data:image/jpeg;base64,")
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))


def test_thumbnail_is_a_small_jpeg_of_the_image(photo):
    markdown = previews.Budget().image(photo, "a photo")
    assert markdown.startswith("![a photo](")
    thumb = _decoded(markdown)
    assert thumb.format == "JPEG" and max(thumb.size) == previews.THUMBNAIL_SIDE
    assert thumb.size == (96, 72)  # aspect kept
    assert len(markdown) < 5_000


def test_budget_stops_inlining_once_spent(photo):
    one = len(previews.Budget().image(photo))
    budget = previews.Budget(remaining=int(one * 2.5))
    cells = [budget.image(photo) for _ in range(5)]
    assert sum(c.startswith("![") for c in cells) == 2
    assert cells[2:] == ["(preview budget spent)"] * 3
    assert budget.skipped == 3 and budget.remaining < one


def test_missing_and_unreadable_files_say_why(tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    budget = previews.Budget()
    assert budget.image(None) == "(no file)"
    assert budget.image(broken) == "(unreadable)"
    assert budget.image(tmp_path / "absent.png") == "(unreadable)"
    assert budget.remaining == previews.DEFAULT_BUDGET_BYTES


def test_table_cells_cannot_break_the_table():
    table = previews.markdown_table(("a", "b"), [("x | y", "two\nlines"), (None, 3)])
    lines = table.splitlines()
    assert len(lines) == 4
    assert lines[2] == "| x \\| y | two lines |"
    assert lines[3] == "|  | 3 |"


def test_cluster_size_plot_is_a_png():
    png = previews.cluster_sizes_png([(1, 120), (2, 7), (4, 1)])
    assert Image.open(io.BytesIO(png)).format == "PNG"
    assert previews.Budget().plot(png, "sizes").startswith("![sizes](data:image/png;base64,")


def test_metrics_table_pairs_each_accuracy_with_its_interval_rounded():
    metrics = {
        "zeroshot_label_short_acc": 0.63333333,
        "zeroshot_label_short_ci": [0.4555555, 0.7812345],
        "i2t_r1": 0.5,
        "i2t_r1_ci": [0.3, 0.7],
        "n_eval": 30,
        "converged": True,
        "per_class": {"bolt": {"acc": 1.0}},
        "method": "finetune",
    }
    records = {r.data["metric"]: r.data for r in metrics_table(metrics).value.records}
    assert set(records) == {"zeroshot_label_short_acc", "i2t_r1", "n_eval"}
    assert records["zeroshot_label_short_acc"] == {
        "metric": "zeroshot_label_short_acc",
        "value": 0.633,
        "ci95_low": 0.456,
        "ci95_high": 0.781,
    }
    assert (records["i2t_r1"]["ci95_low"], records["i2t_r1"]["ci95_high"]) == (0.3, 0.7)
    assert records["n_eval"]["ci95_low"] is None


def test_rounded_and_counts_table():
    assert rounded({"a": [0.123456, {"b": 2.0004}], "c": "x", "n": 3}) == {
        "a": [0.123, {"b": 2.0}],
        "c": "x",
        "n": 3,
    }
    table = counts_table({"ok": 12, "too_small": 3}, "status").value
    assert [r.data for r in table.records] == [
        {"status": "ok", "count": 12},
        {"status": "too_small", "count": 3},
    ]
    assert [c.name for c in table.schema.columns] == ["status", "count"]
