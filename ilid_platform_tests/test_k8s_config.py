"""The Kubernetes deployment as configured: no cluster here, so the instance's run launcher
config and the definitions loaded with the k8s executor are validated against dagster-k8s's
own schemas, and the definitions load with every executor choice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dagster._config import process_config
from dagster_k8s import K8sRunLauncher
from dagster_postgres import PostgresEventLogStorage

INSTANCE = Path(__file__).resolve().parents[1] / "docker" / "k8s" / "dagster.yaml"
POD_ENV = {
    "DAGSTER_PG_HOST": "postgres",
    "DAGSTER_PG_USER": "dagster",
    "DAGSTER_PG_PASSWORD": "secret",
    "DAGSTER_PG_DB": "dagster",
    "ILID_K8S_NAMESPACE": "ilid",
    "ILID_IMAGE": "registry.example/ilid-platform:0.1.0",
}


@pytest.fixture
def instance_yaml(monkeypatch: pytest.MonkeyPatch) -> dict:
    for name, value in POD_ENV.items():
        monkeypatch.setenv(name, value)
    return yaml.safe_load(INSTANCE.read_text(encoding="utf-8"))


def test_the_run_launcher_config_validates_against_dagster_k8s(instance_yaml: dict) -> None:
    launcher = instance_yaml["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_k8s", "K8sRunLauncher")
    result = process_config(K8sRunLauncher.config_type(), launcher["config"])
    assert result.success, result.errors
    assert result.value["job_image"] == POD_ENV["ILID_IMAGE"]
    assert "ILID_EXECUTOR=k8s" in result.value["env_vars"]
    # a misspelt key is refused, so the check above can fail
    broken = {**launcher["config"], "job_imagee": "x"}
    assert not process_config(K8sRunLauncher.config_type(), broken).success


def test_the_instance_storage_is_postgres_and_validates(instance_yaml: dict) -> None:
    storage = instance_yaml["storage"]["postgres"]
    result = process_config(PostgresEventLogStorage.config_type(), storage)
    assert result.success, result.errors
    assert result.value["postgres_db"]["hostname"] == "postgres"
    assert instance_yaml["concurrency"]["pools"]["default_limit"] == 1


def _load_definitions(executor: str, **env: str) -> subprocess.CompletedProcess:
    """Load the definitions in a fresh interpreter, as Dagster does, and report each job's
    executor and its validated execution config."""
    script = """
import json
import dagster as dg
from ilid_platform.definitions import defs
out = {}
for name in ("per_source_job", "dataset_and_models_job"):
    job = defs.resolve_job_def(name)
    config = dg.validate_run_config(job, {})
    out[name] = {"executor": job.executor_def.name, "execution": config.get("execution")}
print(json.dumps(out))
"""
    return subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "ILID_EXECUTOR": executor, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_definitions_with_the_k8s_executor_validate() -> None:
    loaded = _load_definitions("k8s", ILID_K8S_NAMESPACE="lines", ILID_K8S_MAX_CONCURRENT="6")
    assert loaded.returncode == 0, loaded.stderr
    jobs = json.loads(loaded.stdout.strip().splitlines()[-1])
    for job in jobs.values():
        assert job["executor"] == "ilid_k8s"
    execution = jobs["per_source_job"]["execution"]["ilid_k8s"]
    assert execution["job_namespace"] == "lines"
    assert execution["max_concurrent"] == 6
    assert execution["load_incluster_config"] is True


def test_the_default_executor_runs_steps_in_processes_and_a_bad_choice_is_refused() -> None:
    loaded = _load_definitions("")
    assert loaded.returncode == 0, loaded.stderr
    jobs = json.loads(loaded.stdout.strip().splitlines()[-1])
    assert jobs["per_source_job"]["executor"] == "multi_or_in_process_executor"
    bad = _load_definitions("kubernetes")
    assert bad.returncode != 0
    assert "$ILID_EXECUTOR must be one of multiprocess, in_process, k8s" in bad.stderr
