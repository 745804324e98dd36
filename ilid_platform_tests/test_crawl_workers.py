"""The extraction worker pool: real worker processes, real crashes, real timeouts.

The functions the workers run live at module level here, so a worker can import them.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from ilid_platform.crawl.workers import (
    TASKS_AHEAD,
    WorkerCrashed,
    WorkerError,
    WorkerPool,
    WorkerTimeout,
)


def echo(kind: str, value: Any) -> Any:
    if kind == "ok":
        return (value, os.getpid())
    if kind == "raise":
        raise ValueError(f"bad value {value!r}")
    if kind == "crash":
        os._exit(3)  # as a segfault in C code would: no exception, no reply
    if kind == "sleep":
        time.sleep(value)
    if kind == "unpicklable":
        return threading.Lock()
    raise AssertionError(kind)


async def _gather(pool: WorkerPool, tasks: list[tuple[Any, ...]]) -> list[Any]:
    return await asyncio.gather(*(pool.run(*task) for task in tasks), return_exceptions=True)


def _run(pool: WorkerPool, tasks: list[tuple[Any, ...]]) -> list[Any]:
    pool.start()
    pool.wait_ready()
    try:
        return asyncio.run(_gather(pool, tasks))
    finally:
        pool.close()


def test_results_come_back_in_order_from_every_worker() -> None:
    pool = WorkerPool(echo, workers=2, timeout_s=30)
    results = _run(pool, [("ok", n) for n in range(200)])

    assert [value for value, _ in results] == list(range(200))
    worker_pids = {pid for _, pid in results}
    assert len(worker_pids) == 2 and os.getpid() not in worker_pids
    assert not pool.workers


def test_an_exception_fails_its_task_only_and_carries_the_workers_traceback() -> None:
    pool = WorkerPool(echo, workers=1, timeout_s=30)
    results = _run(pool, [("ok", 1), ("raise", "x"), ("unpicklable", None), ("ok", 2)])

    assert results[0][0] == 1 and results[3][0] == 2
    assert results[0][1] == results[3][1]  # the same worker went on
    assert isinstance(results[1], WorkerError)
    assert "ValueError: bad value 'x'" in str(results[1]) and "in echo" in str(results[1])
    assert isinstance(results[2], WorkerError) and "pickle" in str(results[2])


def test_a_crash_costs_its_task_and_the_worker_is_replaced() -> None:
    # One worker holds TASKS_AHEAD tasks at a time: the ones behind the crash had not started
    # and must be sent to the replacement, not failed.
    pool = WorkerPool(echo, workers=1, timeout_s=30)
    tasks = [("ok", 0), ("crash", None), *[("ok", n) for n in range(1, 2 * TASKS_AHEAD)]]
    results = _run(pool, tasks)

    assert isinstance(results[1], WorkerCrashed) and "(3)" in str(results[1])
    survivors = [results[0], *results[2:]]
    assert [value for value, _ in survivors] == list(range(2 * TASKS_AHEAD))
    assert results[0][1] != results[-1][1]  # answered by the replacement


def test_a_task_past_the_limit_is_killed_and_the_others_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers of this module take 1.5 s to start, longer than the limit: the replacement's
    # start-up must not count against the tasks it inherits.
    module = "import time\ntime.sleep(1.5)\n\ndef nap(seconds):\n    time.sleep(seconds)\n"
    (tmp_path / "slow_start.py").write_text(module + "    return seconds\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    from slow_start import nap  # type: ignore[import-not-found]

    pool = WorkerPool(nap, workers=1, timeout_s=1.0)
    started = time.monotonic()
    results = _run(pool, [(60,), (0,), (0.2,), (0,)])

    assert isinstance(results[0], WorkerTimeout)
    assert results[1:] == [0, 0.2, 0]
    assert time.monotonic() - started < 30


def test_a_worker_that_cannot_start_fails_the_start_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "only_here.py").write_text("def task():\n    return 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))  # the worker's sys.path does not have it
    monkeypatch.delenv("PYTHONPATH", raising=False)
    from only_here import task  # type: ignore[import-not-found]

    pool = WorkerPool(task, workers=1, timeout_s=5)
    pool.start()
    with pytest.raises(RuntimeError, match="only_here:task did not start"):
        pool.wait_ready()
    assert not pool.workers


def test_functions_a_worker_cannot_import_are_refused() -> None:
    with pytest.raises(ValueError, match="not importable"):
        WorkerPool(lambda: 1, workers=1, timeout_s=5)
    with pytest.raises(ValueError, match="at least one worker"):
        WorkerPool(echo, workers=0, timeout_s=5)


def test_close_cancels_what_is_still_running() -> None:
    pool = WorkerPool(echo, workers=1, timeout_s=60)
    pool.start()
    pool.wait_ready()
    process = pool.workers[0].process

    async def close_midway() -> list[Any]:
        tasks = [asyncio.ensure_future(pool.run("sleep", 30)) for _ in range(3)]
        await asyncio.sleep(0.5)
        pool.close()
        return await asyncio.gather(*tasks, return_exceptions=True)

    started = time.monotonic()
    results = asyncio.run(close_midway())

    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    assert process.poll() is not None and time.monotonic() - started < 10
