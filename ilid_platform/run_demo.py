"""`ilid demo run`: serve the demo catalog, materialise every asset on it, write a summary."""

import json
import logging
import os
import resource
import time
from pathlib import Path
from typing import Any

import dagster as dg

from ilid_platform import warehouse
from ilid_platform.dataset.layout import PARQUET_DIR, WEBDATASET_DIR
from ilid_platform.demo.generate import generate_catalog
from ilid_platform.demo.server import demo_port, running_catalog
from ilid_platform.instance import dagster_home, prepare_instance
from ilid_platform.partition_runs import PER_SOURCE_JOB, run_partitions
from ilid_platform.settings import StoragePaths, storage_paths

logger = logging.getLogger(__name__)

# The demo's split: its catalog is small, so a large test share gives every figure 100+ test
# images (the CLIP test split, and each shop's part of it) at the same crawl cost.
DEMO_SPLIT = {"train": 0.5, "val": 0.1, "test": 0.4}
# The shop the demo adapts CLIP to and holds out from the students: one shop, so the adaptation
# stand-in and the students' unseen teacher are one model; every shop is held out in turn by
# the assets' defaults and by `benchmarks/distillation.py`.
DEMO_HELD_OUT = "acme"
# The assets' defaults are the benchmarks' recipes; the demo scales their steps and epochs to
# fit `make demo` in 15 minutes on a 2-core CPU, and keeps everything else.
DEMO_RUN_CONFIG: dict[str, Any] = {
    "ops": {
        "ilid_samples": {"config": DEMO_SPLIT},
        "clip_model": {"config": {"epochs": 30}},
        "adaptation_report": {
            "config": {
                "target_source": DEMO_HELD_OUT,
                "shots": [4],
                "include_all_shots": False,
                "steps": 30,
                "validate_every": 10,
                "base_epochs": 40,
            }
        },
        "student_model": {
            "config": {
                "holdouts": [DEMO_HELD_OUT],
                "align_steps": 10,
                "distill_steps": 110,
                "validate_every": 20,
                "teacher_epochs": 40,
            }
        },
    }
}


def materialize_sources(instance: dg.DagsterInstance, parallel: int | None = None) -> list[str]:
    """Run the per-source job for every source partition; returns the run ids.

    The partitions run as parallel runs on `instance`, at most `parallel` at once (default:
    all of them when the instance lives on disk); `parallel=1`, and any ephemeral instance, runs
    them one after another in this process, as a debugger prefers.
    """
    from ilid_platform.definitions import defs
    from ilid_platform.defs.partitions import source_partitions

    keys = source_partitions.get_partition_keys()
    if parallel is None:
        parallel = len(keys) if instance.is_persistent else 1
    if parallel > 1:
        runs = run_partitions(instance, keys, parallel)
        failed = [run.partition for run in runs if not run.success]
        if failed:
            raise RuntimeError(f"per_source_job failed for partitions {failed}")
        return [run.run_id for run in runs]
    per_source = defs.resolve_job_def(PER_SOURCE_JOB)
    run_ids = []
    for key in keys:
        logger.info("materialising source partition %s", key)
        run_ids.append(per_source.execute_in_process(instance=instance, partition_key=key).run_id)
    return run_ids


def materialize_global(
    instance: dg.DagsterInstance,
    run_config: dict[str, Any] | None = None,
    global_job: str = "dataset_and_models_job",
) -> str:
    """The cross-source job: by default everything; `dataset_job` stops at the shards."""
    from ilid_platform.definitions import defs

    logger.info("materialising %s", global_job)
    result = defs.resolve_job_def(global_job).execute_in_process(
        instance=instance, run_config=run_config or {}
    )
    return result.run_id


def materialize_everything(
    instance: dg.DagsterInstance,
    run_config: dict[str, Any] | None = None,
    global_job: str = "dataset_and_models_job",
    parallel: int | None = None,
) -> list[str]:
    """Every source partition (`materialize_sources`), then the global job."""
    run_ids = materialize_sources(instance, parallel)
    return [*run_ids, materialize_global(instance, run_config, global_job)]


def _headline(metrics: dict[str, Any]) -> dict[str, Any]:
    """The metrics without the per-class breakdown and confusion matrix (see the report)."""
    return {k: v for k, v in metrics.items() if k != "per_class" and not k.endswith("confusion")}


def adaptation_summary(path: Path) -> dict[str, Any]:
    """label_short test accuracy with its interval per method and shot count."""
    report = json.loads(path.read_text())
    first = next(iter(next(iter(report["runs"].values())).values()))
    return {
        "target_source": report["target_source"],
        "n_test": first.get("n_test"),
        "label_short_acc": {
            shots: {
                method: [
                    round(m["zeroshot_label_short_acc"], 3),
                    *map(round, m["zeroshot_label_short_ci"], (3, 3)),
                ]
                for method, m in runs.items()
            }
            for shots, runs in report["runs"].items()
        },
    }


def _with_interval(acc: float, ci: list[float], n: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"acc": round(acc, 3), "ci": [round(x, 3) for x in ci]}
    return out if n is None else {**out, "n": n}


def student_summary(path: Path) -> dict[str, Any]:
    """Out-of-domain accuracy per method with its interval: per held-out shop and the mean
    over shops; the teachers beside; which objective won, by how much."""
    report = json.loads(path.read_text())
    held_outs = report["config"]["holdouts"]
    return {
        "winner": report["verdict"]["text"],
        "verdict": report["verdict"],
        "average": {
            k: _with_interval(v, report["average_ci"][k]) for k, v in report["average"].items()
        },
        "per_held_out_shop": {
            h: {m: _with_interval(r["ood_acc"], r["ood_ci"], r["ood_n"]) for m, r in runs.items()}
            for h, runs in ((h, report[h]) for h in held_outs)
        },
        "teachers": {
            h: {w: _with_interval(t["acc"], t["ci"], t["n"]) for w, t in teachers.items()}
            for h, teachers in report["teacher"].items()
        },
    }


def deployed_summary(path: Path) -> dict[str, Any]:
    """The student trained on every shop against its teacher, on the test split."""
    m = json.loads(path.read_text())
    check = m["deploy_check"]
    return {
        "objective": m["objective"],
        "student": _with_interval(
            m["student_in_domain_acc"], m["student_in_domain_ci"], m["in_domain_n"]
        ),
        "teacher": _with_interval(m["teacher_in_domain_acc"], m["teacher_in_domain_ci"]),
        "of_teacher": round(check["of_teacher"], 3),
        "chance": round(check["chance"], 3),
        "shipped": check["passed"],
    }


def summarise(paths: StoragePaths, wall_s: float) -> dict[str, Any]:
    with warehouse.connect(paths.warehouse, read_only=True) as con:
        per_source = {
            source: {"products": products}
            for source, products in con.execute(
                "SELECT source, count(*) FROM pages WHERE NOT gone GROUP BY 1 ORDER BY 1"
            ).fetchall()
        }
        for query, field in (
            (
                "SELECT source, count(DISTINCT sha256) FROM images WHERE status = 'ok' GROUP BY 1",
                "images",
            ),
            (
                "SELECT i.source, count(DISTINCT c.cluster_id) FROM images i JOIN image_clusters c "
                "USING (sha256) WHERE i.status = 'ok' GROUP BY 1",
                "clusters",
            ),
            ("SELECT source, count(*) FROM samples GROUP BY 1", "samples"),
        ):
            for source, count in con.execute(query).fetchall():
                per_source.setdefault(source, {})[field] = count
        rejected = con.execute(
            "SELECT source, status, count(*) FROM images WHERE status <> 'ok' GROUP BY 1, 2"
        ).fetchall()
        for source, status, count in rejected:
            per_source[source].setdefault("image_rejects", {})[status] = count
        total_clusters = con.execute(
            "SELECT count(DISTINCT cluster_id) FROM image_clusters"
        ).fetchone()[0]
    reports = paths.reports
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    usage = max(own.ru_maxrss, children.ru_maxrss)
    # CPU seconds of this process and the processes it waited for (runs, training stages):
    # on a shared machine a steadier measure of the work than the wall time
    cpu_s = sum(u.ru_utime + u.ru_stime for u in (own, children))
    return {
        "per_source": per_source,
        "clusters_total": total_clusters,
        "clip": _headline(json.loads((reports / "clip_metrics.json").read_text())),
        "student": deployed_summary(reports / "student_metrics.json"),
        "students_out_of_domain": student_summary(reports / "student_comparison.json"),
        "adaptation": adaptation_summary(reports / "adaptation.json"),
        "wall_time_s": round(wall_s, 1),
        "cpu_time_s": round(cpu_s, 1),
        "peak_rss_mib": round(usage / 1024, 1),
        "paths": {
            "ilid_home": str(paths.home),
            "warehouse": str(paths.warehouse),
            "shards": str(paths.shards),
            "dataset_card": str(paths.shards / "README.md"),
            "webdataset": str(paths.shards / WEBDATASET_DIR),
            "parquet": str(paths.shards / PARQUET_DIR),
            "checkpoints": str(paths.checkpoints),
            "reports": str(reports),
        },
    }


def run_demo(
    size: str = "demo", port: int | None = None, seed: int = 0, parallel: int | None = None
) -> dict[str, Any]:
    """Product and image URLs include the port, so re-runs keep one port for idempotence."""
    started = time.monotonic()
    port = port or demo_port()
    paths = storage_paths().ensure()
    instance_home = prepare_instance(dagster_home(paths.home / "dagster"))
    generate_catalog(paths.demo, size=size, seed=seed)
    with running_catalog(paths.demo, port=port) as server:
        os.environ["ILID_DEMO_PORT"] = str(server.port)
        logger.info("demo catalog up: %s", server.base_urls)
        with dg.DagsterInstance.get() as instance:
            stage_started = time.monotonic()
            materialize_sources(instance, parallel)
            sources_s = time.monotonic() - stage_started
            materialize_global(instance, DEMO_RUN_CONFIG)
    summary = summarise(paths, time.monotonic() - started)
    summary["per_source_stage_s"] = round(sources_s, 1)
    summary["paths"]["dagster_home"] = str(instance_home)
    out = paths.reports / "summary.json"
    out.write_text(json.dumps(summary, indent=2))
    summary["paths"]["summary"] = str(out)
    return summary
