"""The one harness every benchmark script runs in: common flags, tables, `--json`, the ratio line.

A script keeps only its comparison. It opens a `Benchmark`, adds its own flags to
`bench.parser`, and reports through `bench.table(...)`, `bench.figure(...)` and `bench.note(...)`:
each is printed as it comes and recorded. `bench.finish(ratio=...)` prints the final line,
`ratio <what>: <value>`, and with `--json PATH` writes the record: the tables and figures with
the command line, the commit and the machine that produced them. The documentation's
benchmark tables are rendered from these records (`docs/hooks/benchmark_tables.py`), never
typed by hand.

    bench = Benchmark("caption_throughput", __doc__)
    bench.parser.add_argument("--slots", type=int, default=8)
    args = bench.parse()
    bench.table("captions per second", ["captioner", "captions/s"], [["ollama", 31.2]])
    return bench.finish(ratio=Ratio("ours/capacity", 0.97))
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RECORD_FORMAT = "ilid-benchmark/1"
REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Ratio:
    """The comparison a benchmark exists for: `what` (e.g. "ours/peer") and its value."""

    what: str
    value: float
    digits: int = 2
    suffix: str = "x"

    def line(self) -> str:
        return f"ratio {self.what}: {self.value:.{self.digits}f}{self.suffix}"


def format_cell(value: Any) -> str:
    """A cell as the tables print it: floats to 3 significant decimals, intervals as [lo, hi]."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, float) for v in value)
    ):
        return f"[{value[0]:.3f}, {value[1]:.3f}]"
    return str(value)


def text_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns aligned with spaces, for the terminal."""
    cells = [[format_cell(v) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def commit() -> str:
    """The checkout's commit, with `-dirty` when tracked files differ from it."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short=10", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}-dirty" if dirty else head


def machine() -> dict[str, Any]:
    """What ran it: CPU model and cores, memory, and the GPU when torch is loaded and has one."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory_gib = round(pages * page_size / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    gpu = None
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        gpu = torch.cuda.get_device_name(0)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "gpu": gpu,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.machine()}",
    }


def markdown_cell(value: Any) -> str:
    return format_cell(value).replace("|", "\\|")


def markdown(record: dict[str, Any], heading_level: int = 3) -> str:
    """A record as the documentation shows it: its tables, its ratio, and what produced them."""
    if record.get("format") != RECORD_FORMAT:
        raise ValueError(f"{record.get('benchmark', '?')}: not an {RECORD_FORMAT} record")
    machine = record["machine"]
    where = f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB"
    if machine.get("gpu"):
        where += f", {machine['gpu']}"
    out = []
    for table in record["tables"]:
        out.append(f"{'#' * heading_level} {table['title']}\n")
        out.append("| " + " | ".join(markdown_cell(c) for c in table["columns"]) + " |")
        out.append("|" + "---|" * len(table["columns"]))
        out += ["| " + " | ".join(markdown_cell(v) for v in row) + " |" for row in table["rows"]]
        if table.get("note"):
            out.append(f"\n{table['note']}")
        out.append("")
    if record.get("ratio"):
        ratio = record["ratio"]
        out.append(f"**ratio {ratio['what']}: {ratio['value']:.2f}**\n")
    load = record.get("load_average") or [None, None]
    busy = f", load {load[0]} at start and {load[1]} at end" if None not in load else ""
    out.append(
        f"Measured with `{record['command']}` at commit `{record['commit']}` on {where} "
        f"({record['started_at'][:10]}, {record['wall_s']:,.0f} s{busy})."
    )
    return "\n".join(out) + "\n"


def load_average() -> float | None:
    """The 1-minute load average: how busy the machine was, since seconds depend on it."""
    try:
        return round(os.getloadavg()[0], 1)
    except OSError:
        return None


class Benchmark:
    """One benchmark run: its argument parser, what it reported, and its record."""

    def __init__(self, name: str, doc: str | None) -> None:
        self.name = name
        self.title = (doc or name).strip().splitlines()[0]
        self.parser = argparse.ArgumentParser(
            description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        self.parser.add_argument(
            "--json",
            type=Path,
            metavar="PATH",
            help="also write the tables and figures, with command, commit and machine, here",
        )
        self.tables: list[dict[str, Any]] = []
        self.figures: dict[str, Any] = {}
        self.notes: list[str] = []
        self.args: argparse.Namespace | None = None
        self.started = time.perf_counter()
        self.load_at_start = load_average()
        self.started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    def parse(self, argv: Sequence[str] | None = None) -> argparse.Namespace:
        self.args = self.parser.parse_args(argv)
        if self.args.json is not None:
            self.args.json.parent.mkdir(parents=True, exist_ok=True)
        return self.args

    def table(
        self,
        title: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        note: str | None = None,
    ) -> None:
        """Print a table and record it (cells as given: numbers stay numbers in the JSON)."""
        print(f"\n{title}\n{text_table(columns, rows)}")
        if note:
            print(note)
        rows = [list(row) for row in rows]
        self.tables.append({"title": title, "columns": list(columns), "rows": rows, "note": note})

    def figure(self, key: str, value: Any) -> None:
        """Record a raw figure (any JSON value) for later readers; not printed."""
        self.figures[key] = value

    def note(self, text: str) -> None:
        """Print a line and keep it with the record."""
        print(text)
        self.notes.append(text)

    def record(self, ratio: Ratio | None) -> dict[str, Any]:
        args = {k: v for k, v in vars(self.args or argparse.Namespace()).items() if k != "json"}
        return {
            "format": RECORD_FORMAT,
            "benchmark": self.name,
            "title": self.title,
            "command": shlex.join(["python", f"benchmarks/{self.name}.py", *sys.argv[1:]]),
            "commit": commit(),
            "machine": machine(),
            "started_at": self.started_at,
            "wall_s": round(time.perf_counter() - self.started, 1),
            "load_average": [self.load_at_start, load_average()],
            "args": json.loads(json.dumps(args, default=str)),
            "tables": self.tables,
            "figures": self.figures,
            "notes": self.notes,
            "ratio": None if ratio is None else {"what": ratio.what, "value": ratio.value},
        }

    def finish(self, ratio: Ratio | None = None) -> int:
        """Write `--json` (atomically), print the ratio line last; the script's exit code."""
        path = self.args.json if self.args is not None else None
        if path is not None:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(json.dumps(self.record(ratio), indent=1, default=str) + "\n")
            tmp.replace(path)
            print(f"\nrecord: {path}")
        if ratio is not None:
            print(ratio.line())
        return 0
