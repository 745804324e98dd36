"""Run one source's crawl in a child process and report what it did.

Scrapy's Twisted reactor cannot be restarted inside a long-lived process (Dagster, a notebook),
so every crawl gets a fresh interpreter: `python -m ilid_platform.crawl.child`.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

import ilid_platform
from ilid_platform.crawl.lifetime import JobBusy, JobLock, kill_session
from ilid_platform.crawl.settings import PREVIOUS_READINGS, READINGS, extract_settings
from ilid_platform.crawl.sources import Source

logger = logging.getLogger(__name__)

STDERR_TAIL_LINES = 40


class CrawlError(RuntimeError):
    """The crawl child process failed; the message carries the tail of its log."""


class CrawlStats(BaseModel):
    """What one crawl did; the asset reports it as metadata.

    `rejects` counts pages and requests that yielded nothing, by reason (HTTP errors, timeouts,
    robots, size limit, malformed HTML, ...); `issues` counts defects that pages survived
    (a wrong charset, a broken JSON-LD block next to good markup). `products` is the number of
    records in the output, `products_resumed` of them kept from an interrupted attempt.
    """

    source: str = ""
    pages_fetched: int = 0
    products: int = 0
    products_resumed: int = 0
    non_product_pages: int = 0
    status_counts: dict[str, int] = {}
    rejects: dict[str, int] = {}
    issues: dict[str, int] = {}
    not_modified: int = 0
    lastmod_unchanged: int = 0
    browser_retries: int = 0
    pages_per_s: float = 0.0
    elapsed_s: float = 0.0
    finish_reason: str = ""

    @classmethod
    def from_scrapy(cls, source: str, stats: Mapping[str, Any]) -> CrawlStats:
        """Summarise Scrapy's stats collector and the spider's `ilid/*` counters."""

        def prefixed(prefix: str) -> dict[str, int]:
            return {k[len(prefix) :]: int(v) for k, v in stats.items() if k.startswith(prefix)}

        # Responses replayed from the resume cache were fetched by an earlier attempt.
        pages = int(stats.get("response_received_count", 0)) - int(stats.get("httpcache/hit", 0))
        elapsed = float(stats.get("elapsed_time_seconds", 0.0))
        resumed = int(stats.get("ilid/products_resumed", 0))
        return cls(
            source=source,
            pages_fetched=pages,
            products=int(stats.get("ilid/products", 0)),
            products_resumed=resumed,
            non_product_pages=int(stats.get("ilid/non_product_pages", 0)),
            status_counts=prefixed("downloader/response_status_count/"),
            rejects=prefixed("ilid/rejects/"),
            issues=prefixed("ilid/issues/"),
            not_modified=int(stats.get("ilid/incremental/not_modified", 0)),
            lastmod_unchanged=int(stats.get("ilid/incremental/lastmod_unchanged", 0)),
            browser_retries=int(stats.get("ilid/browser_retries", 0)),
            pages_per_s=round(pages / elapsed, 3) if elapsed else 0.0,
            elapsed_s=round(elapsed, 3),
            finish_reason=str(stats.get("finish_reason", "")),
        )


def run_crawl(
    source: Source,
    out_jsonl: Path,
    job_dir: Path,
    progress: Callable[[str], None] | None = None,
    lock_wait_s: float = 30.0,
) -> CrawlStats:
    """Crawl `source` into `out_jsonl`; `job_dir` keeps what the next run needs.

    * Output: every page read is a line of the job's `readings.jsonl`; when the crawl ends,
      the pages are decided together (the site-level pass) and the products are written to
      `out_jsonl` at once.
    * Resume: a run that did not finish (killed, even with SIGKILL) left its complete readings
      and a cache of every response it received. Running again appends to the same readings,
      replays cached pages instead of fetching them, and reads no page twice.
    * Incremental: when the last run finished, its output becomes `previous.jsonl` (and its
      readings `previous_readings.jsonl`), and this run revalidates those products (sitemap
      <lastmod>, ETag / Last-Modified) instead of downloading them again.
    * One crawl per job dir: a second one waits up to `lock_wait_s` for the first to end, then
      fails with CrawlError naming the holder. The child dies with this process.
    """
    extract_settings()  # a bad setting fails here, in one line, not inside the child
    out_jsonl, job_dir = Path(out_jsonl).resolve(), Path(job_dir).resolve()
    try:
        lock = JobLock(job_dir, f"crawl of source {source.name!r}").acquire(lock_wait_s)
    except JobBusy as exc:
        raise CrawlError(str(exc)) from None
    try:
        return _run_locked(source, out_jsonl, job_dir, lock, progress)
    finally:
        lock.release()


def _run_locked(
    source: Source,
    out_jsonl: Path,
    job_dir: Path,
    lock: JobLock,
    progress: Callable[[str], None] | None,
) -> CrawlStats:
    out_jsonl.parent.mkdir(parents=True, exist_ok=True)
    cache_dir, finished = job_dir / "cache", job_dir / "finished"
    previous, stats_path = job_dir / "previous.jsonl", job_dir / "stats.json"
    readings = job_dir / READINGS
    if finished.exists() or not cache_dir.exists() or not readings.exists():
        if finished.exists() and out_jsonl.exists() and readings.exists():
            os.replace(out_jsonl, previous)
            os.replace(readings, job_dir / PREVIOUS_READINGS)
        out_jsonl.unlink(missing_ok=True)
        readings.unlink(missing_ok=True)
        shutil.rmtree(cache_dir, ignore_errors=True)
        finished.unlink(missing_ok=True)
    elif progress:
        progress(f"resuming unfinished crawl of {source.name} from {job_dir}")
    stats_path.unlink(missing_ok=True)
    source_path = job_dir / "source.json"
    source_path.write_text(source.model_dump_json(indent=2), encoding="utf-8")

    command = [
        sys.executable,
        "-m",
        "ilid_platform.crawl.child",
        "--source-json",
        str(source_path),
        "--out",
        str(out_jsonl),
        "--job-dir",
        str(job_dir),
        "--stats",
        str(stats_path),
        "--parent-pid",
        str(os.getpid()),
    ]
    if previous.exists():
        command += ["--previous", str(previous)]
    # The child must import this very checkout, whatever its working directory.
    package_root = str(Path(ilid_platform.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)

    tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
    # Its own session, so the browsers and Playwright driver it starts (which inherit its
    # output pipe) go down with it: left running, they would hold the pipe open forever. It
    # inherits the job lock, which it then holds for as long as it lives.
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        start_new_session=True,
        pass_fds=(lock.fd,),
    )
    lock.record(runner=os.getpid(), crawler=process.pid)
    reaper = threading.Thread(target=_reap_group_on_exit, args=(process,), daemon=True)
    reaper.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip("\n")
            tail.append(line)
            if progress:
                progress(line)
            else:
                logger.debug("%s", line)
        returncode = process.wait()
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        reaper.join()
    if returncode != 0 or not stats_path.exists():
        raise CrawlError(
            f"crawl of source {source.name!r} failed (exit code {returncode}); last log lines:\n"
            + "\n".join(tail)
        )
    stats = CrawlStats.model_validate_json(stats_path.read_text(encoding="utf-8"))
    finished.touch()
    shutil.rmtree(cache_dir, ignore_errors=True)
    return stats


def _reap_group_on_exit(process: subprocess.Popen[str]) -> None:
    """Once the crawl child has exited, kill whatever it left behind in its session."""
    process.wait()
    kill_session(process.pid, include_self=False)
