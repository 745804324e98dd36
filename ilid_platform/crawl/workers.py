"""Worker processes that run one function off the crawl's event loop.

Reading a page (parse, structured data, heuristics, links) is most of the CPU a crawl spends
per page, and the crawl process is a single thread that also drives every download: while it
extracts, nothing is fetched. Workers give that time back to the downloads and use another
core. They also fence off the pages no code should meet in-process: a page that crashes the
parser or keeps it busy for minutes costs its worker, which is replaced, and that page alone.

Each worker is a plain `python -m ilid_platform.crawl.workers` with two pipes, served by
the asyncio loop's reader and writer callbacks. There are no helper threads: the pools of
concurrent.futures and pebble feed their pipes from threads that contend with the crawl for the
GIL, and the standard pool fails every pending task when one worker dies. Nor is the crawl's
main module imported again in every worker, as multiprocessing's spawn and forkserver would.
A worker takes its tasks in order, a few ahead, so that it never waits for the busy crawl loop
between two pages.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import logging
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

logger = logging.getLogger(__name__)

FRAME_HEADER = struct.Struct("!Q")  # payload length; the payload is a pickle
READY, RESULT, ERROR = "ready", "result", "error"
TASKS_AHEAD = 4  # per worker; a worker that dies takes only the first, the others are resent
START_TIMEOUT_S = 120.0


class WorkerError(RuntimeError):
    """The function raised in its worker; the message carries the worker's traceback."""


class WorkerCrashed(RuntimeError):
    """The worker died during the task (a crash in C code, the out-of-memory killer)."""


class WorkerTimeout(TimeoutError):
    """The task ran past the pool's time limit, and its worker was killed."""


@dataclass
class _Task:
    payload: bytes
    future: asyncio.Future[Any]


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    tasks_fd: int
    replies_fd: int
    unsent: bytearray = field(default_factory=bytearray)
    received: bytearray = field(default_factory=bytearray)
    running: deque[_Task] = field(default_factory=deque)
    deadline: asyncio.TimerHandle | None = None
    ready: bool = False  # has imported the function; a task's clock runs only from then on


class WorkerPool:
    """`await pool.run(*args)` returns `function(*args)`, computed in a worker process.

    `function` must be a module-level function and its arguments and result must pickle. A
    task raises WorkerError when the function raised, WorkerCrashed when its worker died and
    WorkerTimeout after `timeout_s`; the worker is then replaced and no other task is lost.
    `start` launches the workers and returns; `wait_ready` (before the event loop runs) blocks
    until every worker has imported the function, so that a crawl's clock does not run while
    they start; `close` stops them.
    """

    def __init__(self, function: Callable[..., Any], workers: int, timeout_s: float) -> None:
        if workers < 1:
            raise ValueError(f"a worker pool needs at least one worker, not {workers}")
        if function.__module__ == "__main__" or "<" in function.__qualname__:
            raise ValueError(f"{function!r} is not importable by a worker process")
        self.target = f"{function.__module__}:{function.__qualname__}"
        self.size, self.timeout_s = workers, timeout_s
        self.workers: list[_Worker] = []
        self.waiting: deque[_Task] = deque()
        self.loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        for _ in range(self.size):
            self.workers.append(self._spawn())

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        for worker in self.workers:
            if not worker.ready:
                self._wait_ready(worker, deadline)

    def _spawn(self) -> _Worker:
        tasks_read, tasks_write = os.pipe()
        replies_read, replies_write = os.pipe()
        command = [sys.executable, "-m", __name__, self.target, str(tasks_read)]
        command.append(str(replies_write))
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, pass_fds=(tasks_read, replies_write)
            )
        finally:
            os.close(tasks_read)
            os.close(replies_write)
        worker = _Worker(process, tasks_write, replies_read)
        if self.loop is not None:
            self._attach(worker)
        return worker

    def _attach(self, worker: _Worker) -> None:
        assert self.loop is not None
        os.set_blocking(worker.tasks_fd, False)
        os.set_blocking(worker.replies_fd, False)
        self.loop.add_reader(worker.replies_fd, self._receive, worker)

    def _wait_ready(self, worker: _Worker, deadline: float) -> None:
        wait = max(0.0, deadline - time.monotonic())
        if not select.select([worker.replies_fd], [], [], wait)[0]:
            self.close()
            raise RuntimeError(
                f"worker for {self.target} did not start within {START_TIMEOUT_S:g} s"
            )
        # Nothing follows the ready frame until the worker has a task, so reading ahead is safe.
        with open(worker.replies_fd, "rb", closefd=False) as replies:
            frame = _read_frame(replies)
        if frame is None:
            code = worker.process.wait()
            self.close()
            raise RuntimeError(
                f"worker for {self.target} did not start (exit code {code});"
                " its error is in the log above"
            )
        worker.ready = pickle.loads(frame)[0] == READY

    async def run(self, *args: Any) -> Any:
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
            for worker in self.workers:
                self._attach(worker)
        future = self.loop.create_future()
        self.waiting.append(_Task(pickle.dumps(args, pickle.HIGHEST_PROTOCOL), future))
        self._dispatch()
        return await future

    def _dispatch(self) -> None:
        while self.waiting:
            worker = min(self.workers, key=lambda w: len(w.running))
            if len(worker.running) >= TASKS_AHEAD:
                return
            task = self.waiting.popleft()
            if task.future.done():  # its caller was cancelled while it waited
                continue
            worker.running.append(task)
            if len(worker.running) == 1 and worker.ready:
                self._start_clock(worker)
            self._send(worker, FRAME_HEADER.pack(len(task.payload)) + task.payload)

    def _send(self, worker: _Worker, data: bytes) -> None:
        """Write what the pipe takes now; the loop writes the rest when it has room."""
        assert self.loop is not None
        if not worker.unsent:
            try:
                data = data[os.write(worker.tasks_fd, data) :]
            except BlockingIOError:
                pass
            except BrokenPipeError:  # the worker died; reading its pipe's end says so
                return
            if not data:
                return
            self.loop.add_writer(worker.tasks_fd, self._flush, worker)
        worker.unsent += data

    def _flush(self, worker: _Worker) -> None:
        assert self.loop is not None
        try:
            del worker.unsent[: os.write(worker.tasks_fd, worker.unsent)]
        except BlockingIOError:
            return
        except BrokenPipeError:
            worker.unsent.clear()
        if not worker.unsent:
            self.loop.remove_writer(worker.tasks_fd)

    def _receive(self, worker: _Worker) -> None:
        try:
            data = os.read(worker.replies_fd, 1 << 20)
        except BlockingIOError:
            return
        if not data:
            self._lost(worker)
            return
        received = worker.received
        received += data
        while len(received) >= FRAME_HEADER.size:
            (size,) = FRAME_HEADER.unpack_from(received)
            end = FRAME_HEADER.size + size
            if len(received) < end:
                break
            kind, value = pickle.loads(received[FRAME_HEADER.size : end])
            del received[:end]
            self._reply(worker, kind, value)

    def _start_clock(self, worker: _Worker) -> None:
        """The first task a worker has is the one it runs now."""
        assert self.loop is not None
        worker.deadline = self.loop.call_later(self.timeout_s, self._expire, worker)

    def _reply(self, worker: _Worker, kind: str, value: Any) -> None:
        if kind == READY:  # a replacement has started
            worker.ready = True
            if worker.running:
                self._start_clock(worker)
            return
        task = worker.running.popleft()
        if worker.deadline:
            worker.deadline.cancel()
        if worker.running:
            self._start_clock(worker)
        if not task.future.done():
            if kind == RESULT:
                task.future.set_result(value)
            else:
                task.future.set_exception(WorkerError(value))
        self._dispatch()

    def _lost(self, worker: _Worker) -> None:
        try:
            code = worker.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            code = worker.process.wait()
        self._replace(worker, WorkerCrashed(f"worker {worker.process.pid} exited ({code})"))

    def _expire(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.wait()
        self._replace(worker, WorkerTimeout(f"no result after {self.timeout_s:g} s"))

    def _replace(self, worker: _Worker, error: Exception) -> None:
        """Fail the task the worker was running, resend the ones it had not started."""
        self._discard(worker)
        if worker.running:
            task = worker.running.popleft()
            self.waiting.extendleft(reversed(worker.running))
            if not task.future.done():
                logger.warning("replacing a worker for %s: %s", self.target, error)
                task.future.set_exception(error)
        self.workers.append(self._spawn())
        self._dispatch()

    def _discard(self, worker: _Worker) -> None:
        self.workers.remove(worker)
        if worker.deadline:
            worker.deadline.cancel()
        if self.loop is not None:
            self.loop.remove_reader(worker.replies_fd)
            self.loop.remove_writer(worker.tasks_fd)
        os.close(worker.tasks_fd)
        os.close(worker.replies_fd)

    def close(self) -> None:
        """Stop every worker; tasks still waiting or running are cancelled."""
        for worker in list(self.workers):
            self._discard(worker)  # the worker reads the end of its input and exits
            for task in worker.running:
                task.future.cancel()
            try:
                worker.process.wait(timeout=0 if worker.running else 5)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
        for task in self.waiting:
            task.future.cancel()
        self.waiting.clear()


def _read_frame(stream: IO[bytes]) -> bytes | None:
    header = stream.read(FRAME_HEADER.size)
    if len(header) < FRAME_HEADER.size:
        return None
    (size,) = FRAME_HEADER.unpack(header)
    payload = stream.read(size)
    return payload if len(payload) == size else None


def _write_frame(stream: IO[bytes], kind: str, value: Any) -> None:
    try:
        payload = pickle.dumps((kind, value), pickle.HIGHEST_PROTOCOL)
    except Exception:  # a result that does not pickle
        payload = pickle.dumps((ERROR, traceback.format_exc()))
    stream.write(FRAME_HEADER.pack(len(payload)) + payload)
    stream.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """A worker: answer each task frame on one pipe with a reply frame on the other."""
    parser = argparse.ArgumentParser(prog=f"python -m {__name__}")
    parser.add_argument("target", help="module:function")
    parser.add_argument("tasks_fd", type=int)
    parser.add_argument("replies_fd", type=int)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the crawl, which closes us
    module, _, name = args.target.partition(":")
    function = getattr(importlib.import_module(module), name)
    # As in the crawl process: the imports' objects live for good, and tasks drop thousands
    # of containers that reference counting frees, which the default threshold re-scans.
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
    with open(args.tasks_fd, "rb") as tasks, open(args.replies_fd, "wb") as replies:
        _write_frame(replies, READY, None)
        while (frame := _read_frame(tasks)) is not None:
            try:
                kind, value = RESULT, function(*pickle.loads(frame))
            except Exception:
                kind, value = ERROR, traceback.format_exc()
            _write_frame(replies, kind, value)
    return 0


if __name__ == "__main__":
    sys.exit(main())
