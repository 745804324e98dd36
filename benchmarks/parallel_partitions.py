"""Wall time of the demo's per-source stage: partitions one after another vs side by side.

Before: every source partition's `per_source_job` run in turn, in this process (what `ilid demo
run` did). After: one run per partition at once, each with Dagster's multiprocess executor;
crawls overlap and warehouse writes queue on the `duckdb` pool. Both start from an empty home
and an empty instance, on the same catalog served by the same server, in one invocation.

    .venv/bin/python benchmarks/parallel_partitions.py [--size demo] [--politeness demo|default]

`--politeness demo` crawls as the demo does (no delay, 8 requests per shop at once: the crawl
is a few seconds); `default` removes the demo's override, so each shop is crawled with the
platform's gentle defaults (0.25 s delay, AutoThrottle at 1 request in flight), as a real
catalog would be.

The last line is `ratio sequential/parallel: X.XXx` (above 1 means the parallel stage is faster).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from importlib.resources import files
from pathlib import Path

import dagster as dg
from harness import Benchmark, Ratio

from ilid_platform.demo.generate import generate_catalog
from ilid_platform.demo.server import running_catalog
from ilid_platform.instance import prepare_instance
from ilid_platform.run_demo import materialize_sources
from ilid_platform.settings import storage_paths
from ilid_platform.warehouse import connect


def per_source_stage(root: Path, demo: Path, parallel: int) -> tuple[float, dict[str, int]]:
    """Seconds for the stage from an empty home, and the rows it left per table."""
    if root.exists():
        shutil.rmtree(root)
    os.environ["ILID_HOME"] = str(root)
    paths = storage_paths(root).ensure()
    shutil.copytree(demo, paths.demo, dirs_exist_ok=True)
    home = prepare_instance(root / "dagster")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        started = time.perf_counter()
        materialize_sources(instance, parallel)
        elapsed = time.perf_counter() - started
    with connect(paths.warehouse, read_only=True) as con:
        rows = {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("pages", "images", "captions")
        }
    return elapsed, rows


def default_politeness_sources(work: Path) -> Path:
    """The demo's sources file without its fast-crawl politeness override."""
    shipped = Path(str(files("ilid_platform.demo").joinpath("sources.yaml")))
    lines = shipped.read_text().splitlines(keepends=True)
    out = work / "sources-default-politeness.yaml"
    out.write_text("".join(line for line in lines if not line.strip().startswith("politeness:")))
    return out


def main() -> int:
    bench = Benchmark("parallel_partitions", __doc__)
    parser = bench.parser
    parser.add_argument("--size", default="demo")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--politeness", choices=("demo", "default"), default="demo")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: temp)")
    args = bench.parse()
    logging.basicConfig(level=logging.WARNING)
    work = args.work or Path(tempfile.mkdtemp(prefix="ilid-parallel-"))
    demo = work / "catalog"
    generate_catalog(demo, size=args.size, seed=0)
    if args.politeness == "default":
        os.environ["ILID_SOURCES"] = str(default_politeness_sources(work))
    from ilid_platform.defs.partitions import source_partitions

    partitions = len(source_partitions.get_partition_keys())
    times: dict[str, list[float]] = {"sequential": [], "parallel": []}
    with running_catalog(demo) as server:
        os.environ["ILID_DEMO_PORT"] = str(server.port)
        for repeat in range(args.repeats):
            for mode, parallel in (("sequential", 1), ("parallel", partitions)):
                elapsed, rows = per_source_stage(work / mode, demo, parallel)
                times[mode].append(elapsed)
                print(f"repeat {repeat} {mode:10s} {elapsed:7.1f} s  rows {rows}", flush=True)
                bench.figure(f"{mode}_rows", rows)
    best = {mode: min(values) for mode, values in times.items()}
    bench.figure("seconds", times)
    bench.table(
        f"per-source stage, catalog {args.size}, {args.politeness} politeness, "
        f"best of {args.repeats}",
        ["mode", "seconds"],
        [
            ["one after another, in process", round(best["sequential"], 1)],
            [f"{partitions} parallel runs, multiprocess executor", round(best["parallel"], 1)],
        ],
    )
    return bench.finish(Ratio("sequential/parallel", best["sequential"] / best["parallel"]))


if __name__ == "__main__":
    raise SystemExit(main())
