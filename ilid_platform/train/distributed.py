"""One process of a torchrun launch: its rank, its process group, and the rank-0-only work.

torchrun starts `nproc_per_node` copies of the training command and tells each its place
through `RANK`, `WORLD_SIZE` and `LOCAL_RANK`. Without them (a plain `python -m`), the world
is one process and nothing here does any communication.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1

    @property
    def main(self) -> bool:
        """Rank 0 validates, evaluates, saves and reports."""
        return self.rank == 0


SINGLE = World()  # a plain `python -m` run


def current_world() -> World:
    if dist.is_available() and dist.is_initialized():
        return World(dist.get_rank(), dist.get_world_size())
    return SINGLE


def launched_size() -> int:
    """The number of processes torchrun started (1 without torchrun)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def die_with_launcher() -> None:
    """A rank whose torchrun was killed outright (SIGKILL leaves it no chance to stop its
    workers) must not go on training alone, writing the state a resumed run reads: Linux
    kills it with its parent."""
    if sys.platform.startswith("linux") and "TORCHELASTIC_RUN_ID" in os.environ:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the launcher was gone before the call
            raise SystemExit("torchrun exited before this rank started")


@contextmanager
def process_group(device: torch.device) -> Iterator[World]:
    """Join torchrun's process group for the run: nccl between GPUs, gloo on CPU."""
    if launched_size() <= 1 or (dist.is_available() and dist.is_initialized()):
        yield current_world()
        return
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    try:
        yield current_world()
    finally:
        dist.destroy_process_group()


def barrier() -> None:
    """Wait for every rank (after rank 0 wrote a file the others read next, for example)."""
    if current_world().size > 1:
        dist.barrier()


def gather_objects(obj: Any) -> list[Any]:
    """`obj` of every rank, in rank order (a one-element list in a world of one)."""
    world = current_world()
    if world.size == 1:
        return [obj]
    out: list[Any] = [None] * world.size
    dist.all_gather_object(out, obj)
    return out


def mean_over_ranks(value: float) -> float:
    """The mean of a figure every rank measured on its own part (a running loss)."""
    if current_world().size == 1:
        return value
    on = torch.device("cuda", torch.cuda.current_device()) if dist.get_backend() == "nccl" else None
    tensor = torch.tensor([value], dtype=torch.float64, device=on)
    dist.all_reduce(tensor)
    return tensor.item() / current_world().size
