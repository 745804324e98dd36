"""The command that runs a training stage in its own processes, for Dagster Pipes or a shell."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def torchrun_command(
    stage: str,
    shards: Path,
    out: Path,
    config: dict[str, Any],
    result: Path,
    nproc_per_node: int = 1,
    extra: Sequence[str] = (),
    module: str = "ilid_platform.train",
) -> list[str]:
    """`torchrun --standalone --nproc_per_node N -m ilid_platform.train STAGE ...`, with this
    interpreter's torchrun (`python -m torch.distributed.run`), so the stage runs in the
    same environment as the caller. `--standalone` finds a free port on this host. `module`:
    the entry point (the assets' adds Dagster Pipes)."""
    if nproc_per_node < 1:
        raise ValueError("nproc_per_node must be at least 1")
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        f"--nproc_per_node={nproc_per_node}",
        "-m",
        module,
        stage,
        "--shards",
        str(shards),
        "--out",
        str(out),
        "--config",
        json.dumps(config, sort_keys=True, default=str),
        "--result",
        str(result),
        *extra,
    ]


def shell_line(command: Sequence[str]) -> str:
    """The command as people type it (`torchrun` for this interpreter's module)."""
    words = list(command)
    if words[1:3] == ["-m", "torch.distributed.run"]:
        words = ["torchrun", *words[3:]]
    return shlex.join(words)
