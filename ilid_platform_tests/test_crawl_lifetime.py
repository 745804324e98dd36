"""A crawl's processes die with whoever started it, and one job directory holds one crawl.

The parent here is a real `ilid crawl` process, killed with SIGKILL, so it can clean nothing
up; what must go with it is read from /proc.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ilid_platform.crawl.runner import CrawlError, run_crawl
from ilid_platform.crawl.sources import Source
from ilid_platform.crawl.store import load_records
from ilid_platform_tests.local_site import (
    FAST,
    LocalSite,
    command_line,
    descendants,
    html,
    product_jsonld,
)

PRODUCTS = 30


def _slow_shop(site: LocalSite, delay: float) -> None:
    site.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    links = "".join(f'<a href="/p/{i}.html">{i}</a>' for i in range(PRODUCTS))
    site.add("/index.html", html(f"<h1>Bolts</h1><p>{links}</p>"))
    for i in range(PRODUCTS):
        site.add(f"/p/{i}.html", html("", product_jsonld(f"Bolt {i}", f"B-{i}")), delay=delay)


def _source(site: LocalSite, browser: str = "never") -> Source:
    return Source(
        name="slow",
        start_urls=[f"{site.base}/index.html"],
        browser=browser,
        allow_private_addresses=True,
        politeness=FAST.model_copy(update={"concurrency_per_domain": 1}),
    )


def _start_cli(source: Source, tmp_path: Path, job: Path) -> subprocess.Popen[bytes]:
    sources = tmp_path / "sources.yaml"
    sources.write_text(json.dumps({"sources": [source.model_dump()]}), encoding="utf-8")
    command = [sys.executable, "-m", "ilid_platform.cli", "crawl", str(sources)]
    command += ["-o", str(tmp_path / "out.jsonl"), "--job-dir", str(job), "-q"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _crawler_pid(job: Path, site: LocalSite, parent: subprocess.Popen[bytes]) -> int:
    """The crawl child's pid, from the job lock, once it is fetching product pages."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert parent.poll() is None, "the crawl ended before the test could kill it"
        try:
            crawler = json.loads((job / "lock").read_text()).get("crawler")
        except (OSError, ValueError):
            crawler = None
        if crawler and any(path.startswith("/p/") for path in site.paths()):
            return int(crawler)
        time.sleep(0.05)
    raise AssertionError("the crawl did not start")


def _alive(pids: list[int]) -> list[int]:
    return [pid for pid in pids if command_line(pid)]


@pytest.mark.parametrize("browser", ["never", "always"])
def test_a_killed_parent_takes_its_crawl_down(tmp_path: Path, browser: str) -> None:
    with LocalSite() as site:
        _slow_shop(site, delay=0.3)
        job = tmp_path / "job"
        parent = _start_cli(_source(site, browser), tmp_path, job)
        crawler = _crawler_pid(job, site, parent)
        family = [crawler, *descendants(crawler)]
        assert any("ilid_platform.crawl.workers" in command_line(pid) for pid in family)
        if browser == "always":
            assert any("chrom" in command_line(pid) for pid in family)

        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while _alive(family) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _alive(family) == [], [command_line(pid) for pid in _alive(family)]
        requests = len(site.log)
        time.sleep(1.0)
        assert len(site.log) == requests, "nobody is crawling any more"


def test_one_crawl_per_job_directory_and_a_rerun_after_a_kill(tmp_path: Path) -> None:
    with LocalSite() as site:
        _slow_shop(site, delay=0.1)
        source, job = _source(site), tmp_path / "job"
        parent = _start_cli(source, tmp_path, job)
        crawler = _crawler_pid(job, site, parent)

        with pytest.raises(CrawlError) as busy:
            run_crawl(source, tmp_path / "second.jsonl", job, lock_wait_s=0.5)
        message = str(busy.value)
        assert message.startswith(f"crawl of source 'slow': another crawl is using {job}")
        assert f"crawler {crawler}" in message and "\n" not in message
        assert not (tmp_path / "second.jsonl").exists()

        # The re-run right after a SIGKILL of the first one's parent waits for the orphan
        # crawler to go, then resumes alone: every product exactly once.
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        stats = run_crawl(source, tmp_path / "out.jsonl", job)
        assert not command_line(crawler)
    records = load_records(tmp_path / "out.jsonl")
    assert stats.finish_reason == "finished"
    assert sorted(r.name for r in records) == sorted(f"Bolt {i}" for i in range(PRODUCTS))
    assert stats.products_resumed > 0
