"""How long a crawl's processes live, and how many crawls may use one job directory.

* The crawl child dies with the process that started it (`ilid crawl`, a Dagster step), even
  when that one is killed with SIGKILL and can clean nothing up: Linux's parent-death signal,
  and a watchdog on the parent's pid where that signal is missing or comes too late.
* Dying, the child takes down everything it started: extraction workers, the Playwright
  driver and Chromium. They all share its session (it is a session leader), whatever process
  groups Chromium makes for itself.
* One crawl per job directory: an exclusive lock that the child inherits, so it is held for as
  long as either process lives, and released by the kernel however they end.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

_PR_SET_PDEATHSIG = 1
_WATCH_INTERVAL_S = 0.5


class JobBusy(RuntimeError):
    """Another crawl holds the job directory."""


def kill_session(session_id: int, include_self: bool = True) -> None:
    """SIGKILL every process of a session (on Linux, found through /proc), else its group."""
    me = os.getpid()
    if sys.platform.startswith("linux"):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == me:
                continue
            with contextlib.suppress(OSError):
                if os.getsid(int(entry.name)) == session_id:
                    os.kill(int(entry.name), signal.SIGKILL)
    else:
        with contextlib.suppress(OSError):
            os.killpg(session_id, signal.SIGKILL)
    if include_self and os.getsid(0) == session_id:
        os.kill(me, signal.SIGKILL)


def die_with_parent(parent_pid: int) -> None:
    """Kill this process's whole session as soon as `parent_pid` is no longer its parent.

    Call it first thing in a child started with `start_new_session=True`.
    """

    def end(*_: object) -> None:
        kill_session(os.getsid(0))

    signal.signal(signal.SIGHUP, end)  # Scrapy keeps SIGINT and SIGTERM for its own shutdown
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGHUP, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        end()

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(_WATCH_INTERVAL_S)
        end()

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


class JobLock:
    """An exclusive lock on a job directory, with who holds it written beside it.

    `fd` is handed to the crawl child (`pass_fds`): the lock stays held while either the
    runner or the child lives, so a re-run waits for a crawl its killed parent left behind.
    """

    def __init__(self, job_dir: Path, label: str) -> None:
        self.path = Path(job_dir) / "lock"
        self.label = label
        self.fd = -1

    def acquire(self, wait_s: float) -> JobLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self.holder()
                    os.close(self.fd)
                    self.fd = -1
                    raise JobBusy(
                        f"{self.label}: another crawl is using {self.path.parent} "
                        f"({holder}); wait for it to finish or stop it"
                    ) from None
                time.sleep(0.1)
        self.record(runner=os.getpid())
        return self

    def record(self, **holder: object) -> None:
        """Write who holds the lock (pids, start time) for the message a waiting crawl shows."""
        info = {"since": time.strftime("%Y-%m-%d %H:%M:%S"), **holder}
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, json.dumps(info).encode(), 0)

    def holder(self) -> str:
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return "holder unknown"
        return ", ".join(f"{key} {value}" for key, value in info.items()) or "holder unknown"

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
