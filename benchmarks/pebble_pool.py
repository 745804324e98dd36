"""pebble's ProcessPool behind the crawl's WorkerPool interface, to measure the library against
the hand-written pool (`crawl/workers.py`) in `crawl_vs_scrapy.py --pools own,pebble`.

The crawl child loads it through $ILID_EXTRACT_POOL=pebble_pool:PebblePool; pebble comes from
the peer venv ($ILID_PEER_VENV), never from the project's. Failures map to the same exceptions,
so a page costs the same reject reasons (extraction_error, extraction_crashed,
extraction_timeout) with either pool.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
from collections.abc import Callable
from typing import Any

from pebble import ProcessExpired, ProcessPool

from ilid_platform.crawl.workers import WorkerCrashed, WorkerError, WorkerTimeout


class PebblePool:
    def __init__(self, function: Callable[..., Any], workers: int, timeout_s: float) -> None:
        self.function, self.workers, self.timeout_s = function, workers, timeout_s
        self.pool: ProcessPool | None = None

    def start(self) -> None:
        # fork, as the hand-written pool's workers start before Scrapy is imported
        self.pool = ProcessPool(
            max_workers=self.workers, context=multiprocessing.get_context("fork")
        )

    def wait_ready(self) -> None:
        """pebble starts its workers on the first task."""

    async def run(self, *args: Any) -> Any:
        assert self.pool is not None
        future = self.pool.schedule(self.function, args=args, timeout=self.timeout_s)
        try:
            return await asyncio.wrap_future(future)
        except concurrent.futures.TimeoutError as exc:
            raise WorkerTimeout(f"over {self.timeout_s}s") from exc
        except ProcessExpired as exc:
            raise WorkerCrashed(str(exc)) from exc
        except Exception as exc:
            raise WorkerError(getattr(exc, "traceback", "") or repr(exc)) from exc

    def close(self) -> None:
        if self.pool is not None:
            self.pool.stop()
            self.pool.join(timeout=5)
