"""The executor every job uses, chosen by $ILID_EXECUTOR when Dagster loads the definitions.

* `multiprocess` (the default): each step in its own process on this machine; per-source
  partitions of a backfill run side by side, and the `duckdb` pool keeps warehouse writers to
  one at a time.
* `in_process`: every step in the run's process (debugging, small machines).
* `k8s`: each step in its own Kubernetes Job (`dagster-k8s`), for a cluster whose instance
  launches runs with `K8sRunLauncher` (see `docker/k8s/`). Namespace and parallelism come from
  $ILID_K8S_NAMESPACE and $ILID_K8S_MAX_CONCURRENT; the step image is the run's image.
"""

import os

import dagster as dg

from ilid_platform.settings import ConfigError, env_choice, env_int

EXECUTORS = ("multiprocess", "in_process", "k8s")


def k8s_executor_config() -> dict:
    return {
        "job_namespace": os.environ.get("ILID_K8S_NAMESPACE", "").strip() or "ilid",
        "max_concurrent": env_int("ILID_K8S_MAX_CONCURRENT", 4, minimum=1),
        "load_incluster_config": True,
        # volumes, env and image are the K8sRunLauncher's (docker/k8s/dagster.yaml): every step
        # mounts the run's warehouse volume
        "step_k8s_config": {"container_config": {"resources": {"requests": {"cpu": "1"}}}},
    }


def executor_from_env() -> dg.ExecutorDefinition:
    kind = env_choice("ILID_EXECUTOR", "multiprocess", EXECUTORS)
    if kind == "in_process":
        return dg.in_process_executor
    if kind == "multiprocess":
        return dg.multi_or_in_process_executor  # Dagster's default: run config may pick either
    try:
        from dagster_k8s import k8s_job_executor
    except ImportError:
        raise ConfigError(
            "$ILID_EXECUTOR=k8s needs dagster-k8s: pip install 'ilid_platform[deploy]'"
        ) from None
    return k8s_job_executor.configured(k8s_executor_config(), name="ilid_k8s")
