"""The per-source stage's concurrency contract, checked without running it (the end-to-end
module runs it and checks the timeline)."""

from __future__ import annotations

import dagster as dg
import pytest

from ilid_platform.definitions import defs
from ilid_platform.defs.resources import DUCKDB_POOL
from ilid_platform.instance import DAGSTER_YAML
from ilid_platform.partition_runs import FORKSERVER, PER_SOURCE_JOB, run_config, run_partitions


def test_every_warehouse_writer_of_the_per_source_job_is_in_the_duckdb_pool():
    job = defs.resolve_job_def(PER_SOURCE_JOB)
    pools = {op.name: op.pool for op in job.graph.iterate_op_defs()}
    assert pools == {
        "crawl_catalog": None,  # network-bound: partitions crawl side by side
        "store_crawled_pages": DUCKDB_POOL,
        "product_images": DUCKDB_POOL,
        "captions": DUCKDB_POOL,
    }


def test_instance_limits_every_pool_to_one_step():
    assert "default_limit: 1" in DAGSTER_YAML


def test_parallel_runs_need_an_instance_on_disk():
    with (
        dg.DagsterInstance.ephemeral() as instance,
        pytest.raises(ValueError, match="instance on disk"),
    ):
        run_partitions(instance, ["acme"], parallel=2)


def test_forkserver_config_goes_only_to_the_multiprocess_executor():
    job = defs.resolve_job_def(PER_SOURCE_JOB)
    assert run_config(job) == FORKSERVER
    assert dg.validate_run_config(job, FORKSERVER)

    @dg.op
    def noop() -> None: ...

    @dg.job(executor_def=dg.in_process_executor)
    def in_process() -> None:
        noop()

    assert run_config(in_process) == {}
