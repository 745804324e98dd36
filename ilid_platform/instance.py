"""The Dagster instance at $DAGSTER_HOME, set up once before anything runs against it.

Dagster creates a fresh instance's SQLite storage on first use. Two runs started together on a
fresh instance both try, and both fail ("table ... already exists", alembic's "more than one
head"). `prepare_instance` does that set-up (what `dagster instance migrate` does) under a file
lock, so `ilid demo run`, `ilid instance init` and the README's steps leave an instance that
parallel runs can share. The docker deployment keeps its instance in Postgres, where the schema
is created by the webserver before any run, so the race does not arise there.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import logging
import os
from pathlib import Path

import dagster as dg

from ilid_platform.settings import ConfigError

DAGSTER_YAML = """\
# Written by ilid (`ilid instance init`, `ilid demo run`). Assets that write DuckDB share the
# pool "duckdb" (one writer).
concurrency:
  pools:
    default_limit: 1
"""


def dagster_home(default: Path) -> Path:
    """$DAGSTER_HOME, set to `default` when unset; refused when it is no directory."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(default))).resolve()
    if home.exists() and not home.is_dir():
        raise ConfigError(f"$DAGSTER_HOME {home} is not a directory")
    return home


def prepare_instance(home: Path) -> Path:
    """Create `home` with a dagster.yaml if it has none, and create or migrate every storage
    of its instance; safe to run again and from several processes at once."""
    home.mkdir(parents=True, exist_ok=True)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with open(home / ".ilid-instance.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        config = home / "dagster.yaml"
        if not config.exists():
            config.write_text(DAGSTER_YAML, encoding="utf-8")
        quiet = contextlib.redirect_stdout(io.StringIO())  # storages print their migrations
        with quiet, dg.DagsterInstance.from_config(str(home)) as instance:
            instance.upgrade(print_fn=lambda _message: None)
            # touch each storage so that every SQLite file and table exists
            instance.get_runs_count()
            instance.event_log_storage.get_asset_records([])
            if instance.schedule_storage is not None:
                instance.schedule_storage.all_instigator_state()
    return home
