"""The benchmark harness records what it prints, and the docs render only what was recorded."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "docs" / "hooks"))

import benchmark_tables  # noqa: E402
from harness import Benchmark, Ratio, markdown  # noqa: E402


def test_record_holds_tables_command_commit_machine_and_ratio(tmp_path, capsys):
    out = tmp_path / "results" / "toy.json"
    bench = Benchmark("toy", "A toy comparison.\n\nMore text.")
    bench.parser.add_argument("--items", type=int, default=3)
    args = bench.parse(["--items", "5", "--json", str(out)])
    assert args.items == 5
    bench.table("speed", ["tool", "items/s", "interval"], [["ours", 12.5, (0.81, 0.9)]])
    bench.figure("raw", {"ours": [1, 2]})
    assert bench.finish(Ratio("ours/peer", 2.345)) == 0

    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[-1] == "ratio ours/peer: 2.35x"
    assert any(line.startswith("ours") and "12.5" in line for line in printed)

    record = json.loads(out.read_text())
    assert record["benchmark"] == "toy" and record["title"] == "A toy comparison."
    assert record["args"] == {"items": 5}
    assert record["tables"][0]["rows"] == [["ours", 12.5, [0.81, 0.9]]]
    assert record["figures"] == {"raw": {"ours": [1, 2]}}
    assert record["ratio"] == {"what": "ours/peer", "value": 2.345}
    assert record["commit"] != "unknown" and record["machine"]["cores"] >= 1

    page = markdown(record)
    assert "| tool | items/s | interval |" in page
    assert "| ours | 12.5 | [0.810, 0.900] |" in page
    assert "**ratio ours/peer: 2.35**" in page
    assert f"at commit `{record['commit']}`" in page


def test_docs_marker_renders_a_record_and_fails_without_one(tmp_path, monkeypatch):
    monkeypatch.setattr(benchmark_tables, "RESULTS", tmp_path)
    bench = Benchmark("toy", "Toy.")
    bench.parse(["--json", str(tmp_path / "toy.json")])
    bench.table("t", ["a"], [[1]])
    bench.finish()
    page = benchmark_tables.on_page_markdown("before\n<!-- benchmark: toy -->\nafter\n")
    assert page.startswith("before\n### t\n") and "| 1 |" in page and page.endswith("after\n")
    with pytest.raises(FileNotFoundError, match="missing"):
        benchmark_tables.on_page_markdown("<!-- benchmark: missing -->\n")


def test_every_marker_in_the_docs_has_its_record():
    """A record named NAME-variant is a run of benchmarks/NAME.py."""
    markers = [
        m.group(1)
        for page in (ROOT / "docs").glob("*.md")
        for m in benchmark_tables.MARKER.finditer(page.read_text(encoding="utf-8"))
    ]
    assert markers, "the docs render no benchmark record"
    for name in markers:
        record = json.loads((benchmark_tables.RESULTS / f"{name}.json").read_text())
        assert record["benchmark"] == name.split("-")[0]
