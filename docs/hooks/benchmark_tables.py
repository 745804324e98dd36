"""Benchmark tables in the docs come from the benchmarks' `--json` records, never from a hand.

A page line `<!-- benchmark: NAME -->` becomes the tables of
`docs/benchmarks/results/NAME.json`, rendered by `benchmarks/harness.py`'s `markdown`, with the
command, commit and machine that produced them. A marker without its record fails the build.
Run directly to print one record: `python docs/hooks/benchmark_tables.py RECORD.json`.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "benchmarks" / "results"
MARKER = re.compile(r"^<!-- benchmark: ([\w-]+) -->$", re.MULTILINE)

sys.path.insert(0, str(ROOT / "benchmarks"))
from harness import markdown  # noqa: E402


def render(name: str) -> str:
    path = RESULTS / f"{name}.json"
    if not path.exists():
        record = os.path.relpath(path, ROOT)
        raise FileNotFoundError(
            f"no benchmark record {record}: run the benchmark with --json {record}"
        )
    return markdown(json.loads(path.read_text(encoding="utf-8")))


def on_page_markdown(markdown_text: str, **_: object) -> str:
    return MARKER.sub(lambda m: render(m.group(1)), markdown_text)


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        print(markdown(json.loads(Path(argument).read_text(encoding="utf-8"))))
