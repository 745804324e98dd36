"""The training stage as the assets launch it: `ilid_platform.train.stages` with rank 0
speaking Dagster Pipes.

Progress lines become the run's log lines and the final figures the materialisation's
metadata. Only `dagster_pipes` is imported here, not dagster: every rank starts quickly. Not
launched by Dagster, it behaves as `python -m ilid_platform.train`.
"""

import os
import sys
from contextlib import ExitStack
from typing import Any

from dagster_pipes import PipesContext, PipesEnvVarParamsLoader, open_dagster_pipes

from ilid_platform.train.stages import Reporter, main


class PipesReporter(Reporter):
    def __init__(self, main: bool, pipes: PipesContext | None) -> None:
        super().__init__(main)
        self.pipes = pipes

    def send(self, line: str) -> None:
        if self.pipes is not None:
            self.pipes.log.info(line)

    def finish(self, figures: dict[str, Any]) -> None:
        if self.pipes is None:
            return
        metadata: dict[str, Any] = {**figures, "last_progress": self.last}
        if "checkpoint" in figures:
            metadata["checkpoint"] = {"raw_value": figures["checkpoint"], "type": "path"}
        self.pipes.report_asset_materialization(metadata=metadata)


def run(argv: list[str] | None = None) -> int:
    """Rank 0 (torchrun's `RANK`, known before the process group forms) opens Pipes."""
    rank0 = int(os.environ.get("RANK", "0")) == 0
    with ExitStack() as stack:
        pipes: PipesContext | None = None
        if rank0 and PipesEnvVarParamsLoader().is_dagster_pipes_process():
            pipes = stack.enter_context(open_dagster_pipes())

        def reporter(is_main: bool) -> PipesReporter:
            return PipesReporter(is_main, pipes if is_main else None)

        return main(argv, reporter, prog="python -m ilid_platform.defs.train_process")


if __name__ == "__main__":
    sys.exit(run())
