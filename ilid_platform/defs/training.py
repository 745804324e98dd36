"""Launching a training stage from an asset: torchrun under Dagster Pipes.

The stage's rank 0 streams its progress lines into the run's logs and reports its figures
as the materialisation's metadata; the asset reads the stage's result file for the rest.
"""

import json
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field

from ilid_platform.defs.resources import IlidStorage
from ilid_platform.train.launch import shell_line, torchrun_command

TRAIN_PROCESS = "ilid_platform.defs.train_process"  # the stage, reporting through Pipes
NPROC_HELP = (
    "training processes (torchrun --nproc_per_node): DDP over gloo on CPU, nccl on CUDA, "
    "one GPU per process; the batch size is per process"
)


def nproc_field() -> Any:
    return Field(default=1, ge=1, description=NPROC_HELP)


def run_training(
    context: dg.AssetExecutionContext,
    pipes: dg.PipesSubprocessClient,
    storage: IlidStorage,
    stage: str,
    out: Path,
    config: dict[str, Any],
    nproc_per_node: int,
    extra: tuple[str, ...] = (),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run `stage` to completion; returns (its result file, the metadata it reported plus
    the command that ran). A failed or killed stage raises; its resumable state stays in
    `out`, and the next materialisation picks up from it."""
    result = storage.paths.reports / f".{stage}-{context.run.run_id}.json"
    command = torchrun_command(
        stage, storage.paths.shards, out, config, result, nproc_per_node, extra, TRAIN_PROCESS
    )
    context.log.info(f"launching {shell_line(command)}")
    try:
        reported = pipes.run(context=context, command=command).get_materialize_result()
        content = json.loads(result.read_text())
    finally:
        result.unlink(missing_ok=True)
    metadata = {
        **reported.metadata,
        "training_command": dg.MetadataValue.md(f"```\n{shell_line(command)}\n```"),
    }
    return content, metadata
