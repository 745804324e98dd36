"""Source partitions as parallel Dagster runs, each with the multiprocess executor.

Dagster executes one run per process (its logging and storage set-up is not thread-safe), so
each partition's run gets its own spawned process, as `dagster job execute` would; its steps
then run in their own processes. Steps that write the warehouse declare the `duckdb` pool,
which the instance limits to one step at a time across all runs (`instance.DAGSTER_YAML`), so
crawls run side by side and warehouse writes queue instead of racing for DuckDB's file lock.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg

logger = logging.getLogger(__name__)

PER_SOURCE_JOB = "per_source_job"
# Step processes fork from a server that imported the definitions once, instead of each
# spawning a fresh interpreter that imports them again (seconds per step on a small machine).
FORKSERVER = {
    "execution": {
        "config": {
            "multiprocess": {
                "start_method": {"forkserver": {"preload_modules": ["ilid_platform.definitions"]}}
            }
        }
    }
}


def run_config(job: dg.JobDefinition) -> dict:
    """Forkserver start-up where the job's executor is the multiprocess one; the in-process
    and k8s executors ($ILID_EXECUTOR) take no such config."""
    return FORKSERVER if job.executor_def is dg.multi_or_in_process_executor else {}


def per_source_job() -> dg.JobDefinition:
    """The job as Dagster rebuilds it in each step process (`dg.reconstructable`)."""
    from ilid_platform.definitions import defs

    return defs.resolve_job_def(PER_SOURCE_JOB)


@dataclass(frozen=True)
class PartitionRun:
    partition: str
    run_id: str | None
    success: bool


def _execute(instance_home: str, partition: str, results: multiprocessing.Queue) -> None:
    run_id, success = None, False
    try:
        with dg.DagsterInstance.from_config(instance_home) as instance:
            result = dg.execute_job(
                dg.reconstructable(per_source_job),
                instance,
                run_config=run_config(per_source_job()),
                tags={"dagster/partition": partition},
            )
            run_id, success = result.run_id, result.success
    finally:
        results.put((partition, run_id, success))


def run_partitions(
    instance: dg.DagsterInstance, partitions: Sequence[str], parallel: int
) -> list[PartitionRun]:
    """Run `per_source_job` for every partition, `parallel` runs at a time, on `instance`, which
    must live on disk: the runs share it across processes."""
    home = instance.root_directory
    if not instance.is_persistent or not home:
        raise ValueError("parallel partition runs need an instance on disk, not an ephemeral one")
    if parallel < 1:
        raise ValueError("parallel must be at least 1")
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue = context.Queue()
    pending, running, finished = list(partitions), {}, []
    while pending or running:
        while pending and len(running) < parallel:
            partition = pending.pop(0)
            process = context.Process(target=_execute, args=(home, partition, results))
            process.start()
            running[partition] = process
            logger.info("source partition %s: run started (pid %s)", partition, process.pid)
        try:
            partition, run_id, success = results.get(timeout=2.0)
        except queue.Empty:
            # A process that died before reporting (killed, out of memory) is a failed run.
            dead = [p for p, process in running.items() if process.exitcode not in (None, 0)]
            for partition in dead:
                code = running.pop(partition).exitcode
                logger.error("source partition %s: run process died (exit %s)", partition, code)
                finished.append(PartitionRun(partition, None, False))
            continue
        running.pop(partition).join()
        finished.append(PartitionRun(partition, run_id, success))
        state = "ok" if success else "FAILED"
        logger.info("source partition %s: run %s %s", partition, run_id, state)
    return finished
