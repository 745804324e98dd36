"""Real catalogs through the whole pipeline, as a user runs it, down to the samples and shards.

Every site of the corpus (`ilid_platform_tests/corpus/`, copies of real shops nobody here wrote)
is served on loopback and written into a sources file, one entry per site with
`allow_private_addresses: true`. Then, in a fresh ILID_HOME and Dagster instance:

    dagster asset materialize -m ilid_platform.definitions \\
        --select 'crawled_pages,product_images,captions' --partition SITE     (per site)
    dagster asset materialize -m ilid_platform.definitions \\
        --select 'image_clusters,ilid_samples,ilid_shards'                      (once)

Per site it reports the product pages stored, the pages with an ok image, the captions kept
and the samples; then the totals and whether any run or blocking check failed. Sites whose
images live on a host that cannot be reached from here (a CDN) get no ok image: they leave the
denominator of the last line, `samples / stored products with an image: X`.

    .venv/bin/python benchmarks/real_catalogs.py [--site SLUG ...] [--json OUT] [--keep DIR]
        [--executor multiprocess|in_process]
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import yaml
from harness import Benchmark, Ratio

from ilid_platform import warehouse
from ilid_platform.instance import prepare_instance
from ilid_platform_tests.corpus_sites import load_site, serving, site_slugs

PER_SOURCE = "crawled_pages,product_images,captions"
GLOBAL = "image_clusters,ilid_samples,ilid_shards"
FAST = {"download_delay": 0, "autothrottle": False, "concurrency_per_domain": 8}
FLOOR = 0.9


def sources_yaml(bases: dict[str, str]) -> str:
    entries = []
    for slug, base in bases.items():
        site = load_site(slug)
        entries.append(
            {
                "name": slug,
                "start_urls": [base + site.start_url],
                "allowed_domains": ["127.0.0.1"],
                "allow_private_addresses": True,
                "politeness": FAST,
            }
        )
    return yaml.safe_dump({"sources": entries}, sort_keys=False)


def materialize(select: str, env: dict[str, str], partition: str | None, log: Path) -> bool:
    command = [
        str(Path(sys.executable).with_name("dagster")),
        "asset",
        "materialize",
        "-m",
        "ilid_platform.definitions",
        "--select",
        select,
    ]
    if partition:
        command += ["--partition", partition]
    with log.open("ab") as out:
        done = subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    return done.returncode == 0


def site_counts(db: Path) -> dict[str, dict[str, int]]:
    queries = {
        "product_pages": "SELECT source, count(*) FROM pages WHERE NOT gone GROUP BY 1",
        "pages_with_ok_image": "SELECT source, count(DISTINCT page_url) FROM images "
        "WHERE status = 'ok' GROUP BY 1",
        "captions_kept": "SELECT source, count(*) FROM captions WHERE status = 'ok' GROUP BY 1",
        "samples": "SELECT source, count(*) FROM samples GROUP BY 1",
        "products_with_image_sampled": "SELECT source, count(DISTINCT url) FROM samples GROUP BY 1",
    }
    counts: dict[str, dict[str, int]] = {}
    with warehouse.connect(db, read_only=True) as con:
        for key, sql in queries.items():
            with contextlib.suppress(Exception):  # a table a failed stage never made
                for source, n in con.execute(sql).fetchall():
                    counts.setdefault(source, {})[key] = n
    return counts


def failed_checks(env: dict[str, str]) -> list[str]:
    """Blocking asset checks that did not pass in the instance's latest evaluations."""
    import dagster as dg

    failed = []
    with (
        dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", DeprecationWarning)
        for record in instance.get_event_records(
            dg.EventRecordsFilter(dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        ):
            data = record.event_log_entry.dagster_event.event_specific_data
            if not data.passed:
                failed.append(f"{data.asset_key.to_user_string()}:{data.check_name}")
    return sorted(set(failed))


def main() -> int:
    bench = Benchmark("real_catalogs", __doc__)
    parser = bench.parser
    parser.add_argument("--site", action="append", help="only these sites (repeatable)")
    parser.add_argument("--keep", type=Path, help="keep ILID_HOME and the logs in this folder")
    parser.add_argument(
        "--executor",
        choices=("multiprocess", "in_process"),
        default=os.environ.get("ILID_EXECUTOR", "multiprocess"),
        help="$ILID_EXECUTOR for the runs (in_process spares a small machine the step processes)",
    )
    args = bench.parse()
    slugs = args.site or site_slugs()

    work = Path(tempfile.mkdtemp(prefix="ilid-real-catalogs-")) if not args.keep else args.keep
    work.mkdir(parents=True, exist_ok=True)
    home, log = work / "home", work / "dagster.log"
    env = {
        **os.environ,
        "ILID_HOME": str(home),
        "DAGSTER_HOME": str(prepare_instance(home / "dagster")),
        "ILID_SOURCES": str(work / "sources.yaml"),
        "ILID_EXECUTOR": args.executor,
    }
    runs: dict[str, bool] = {}
    with contextlib.ExitStack() as stack:
        bases = {slug: stack.enter_context(serving(load_site(slug))) for slug in slugs}
        (work / "sources.yaml").write_text(sources_yaml(bases), encoding="utf-8")
        for slug in slugs:
            runs[slug] = materialize(PER_SOURCE, env, slug, log)
            print(f"  {slug}: {'ok' if runs[slug] else 'FAILED'}", file=sys.stderr, flush=True)
        runs["(global)"] = materialize(GLOBAL, env, None, log)
    checks = failed_checks(env)
    counts = site_counts(home / "warehouse.duckdb")

    columns = ("product_pages", "pages_with_ok_image", "captions_kept", "samples")
    totals = dict.fromkeys(columns, 0)
    rows = []
    for slug in slugs:
        row = {key: counts.get(slug, {}).get(key, 0) for key in columns}
        for key in columns:
            totals[key] += row[key]
        rows.append([slug, *row.values(), "ok" if runs[slug] else "FAILED"])
    rows.append(["total", *totals.values(), ""])
    bench.table(
        f"real catalogs through the pipeline ({args.executor} executor)",
        ["site", "product pages", "pages with an ok image", "captions kept", "samples", "run"],
        rows,
    )
    failed_runs = [name for name, ok in runs.items() if not ok]
    bench.note(f"failed runs: {failed_runs or 'none'}; failed checks: {checks or 'none'}")
    ratio = (
        totals["samples"] / totals["pages_with_ok_image"] if totals["pages_with_ok_image"] else 0
    )
    bench.figure("totals", totals)
    bench.figure("failed_runs", failed_runs)
    bench.figure("failed_checks", checks)
    bench.figure("floor_met", ratio >= FLOOR and not failed_runs and not checks)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    bench.finish(Ratio("samples/stored products with an image", ratio, digits=3, suffix=""))
    print(f"samples / stored products with an image: {ratio:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
