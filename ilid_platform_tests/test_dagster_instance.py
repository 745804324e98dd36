"""Two runs started at once on a fresh Dagster instance both succeed once `ilid instance init`
(which `ilid demo run` calls) has set the instance up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DEFS = """
import dagster as dg

@dg.asset
def first() -> int:
    return 1

@dg.asset
def second() -> int:
    return 2

defs = dg.Definitions(assets=[first, second])
"""


def test_two_runs_at_once_on_a_fresh_instance(tmp_path: Path) -> None:
    defs = tmp_path / "defs.py"
    defs.write_text(DEFS, encoding="utf-8")
    home = tmp_path / "dagster"
    env = {**os.environ, "DAGSTER_HOME": str(home), "ILID_HOME": str(tmp_path / "ilid")}
    bin_dir = Path(sys.executable).parent

    init = subprocess.run(
        [str(bin_dir / "ilid"), "instance", "init"], env=env, capture_output=True, text=True
    )
    assert init.returncode == 0, init.stderr
    assert init.stdout.strip() == f"dagster instance ready: DAGSTER_HOME={home}"
    assert (home / "dagster.yaml").exists() and (home / "history" / "runs.db").exists()
    again = subprocess.run([str(bin_dir / "ilid"), "instance", "init"], env=env)
    assert again.returncode == 0, "idempotent"

    runs = [
        subprocess.Popen(
            [str(bin_dir / "dagster"), "asset", "materialize", "-f", str(defs), "--select", name],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("first", "second")
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output[-3000:]
        assert "RUN_SUCCESS" in output
