"""Settings of a crawl: Scrapy's for one source, and those that come from the environment."""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.settings.default_settings import RETRY_EXCEPTIONS, RETRY_HTTP_CODES

from ilid_platform.crawl.guard import SETTING
from ilid_platform.crawl.sources import Politeness, Source
from ilid_platform.settings import env_number

PLAYWRIGHT_HANDLER = "ilid_platform.crawl.downloader.BrowserDownloadHandler"
_CLONE_NEWUSER = 0x10000000
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READINGS = "readings.jsonl"
PREVIOUS_READINGS = "previous_readings.jsonl"
# Responses a retry may turn around; caching them would replay the failure to the retry.
RETRYABLE_STATUSES = sorted(RETRY_HTTP_CODES)

# One worker reads ~350-400 demo pages/s (2.5-2.9 ms of CPU each), about what one crawl process
# downloads; more help with heavy real pages. The limit is per page, for the page no parser
# should spend minutes on.
DEFAULT_EXTRACT_WORKERS = max(1, min(4, (os.cpu_count() or 2) - 1))
DEFAULT_EXTRACT_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class ExtractSettings:
    workers: int
    timeout_s: float
    pool: str = ""
    """`$ILID_EXTRACT_POOL`, "module:Class" of another pool with WorkerPool's interface; the
    crawl benchmark uses it to measure pebble against the hand-written pool."""


def extract_settings() -> ExtractSettings:
    """`$ILID_EXTRACT_WORKERS` and `$ILID_EXTRACT_TIMEOUT_S`; the runner reads them before it
    starts a crawl child, so that a bad value is refused in the caller's process."""
    return ExtractSettings(
        workers=env_number("ILID_EXTRACT_WORKERS", DEFAULT_EXTRACT_WORKERS, int, 1, 64),
        timeout_s=env_number("ILID_EXTRACT_TIMEOUT_S", DEFAULT_EXTRACT_TIMEOUT_S, float, 0.1),
        pool=os.environ.get("ILID_EXTRACT_POOL", "").strip(),
    )


def chromium_sandbox_possible() -> bool:
    """Whether Chromium can keep its sandbox: not as root (Chromium refuses to start), and only
    where this process may create a user namespace, which Debian's Chromium needs (it has no
    setuid helper): kernels and container runtimes (Docker's default seccomp profile) forbid
    it in many ways, so a forked child tries. `$ILID_CHROMIUM_SANDBOX=off` turns it off."""
    if os.environ.get("ILID_CHROMIUM_SANDBOX", "").strip().lower() in ("off", "0", "false"):
        return False
    if os.geteuid() == 0 or not sys.platform.startswith("linux"):
        return False
    pid = os.fork()
    if pid == 0:  # the probe: no Python code beyond this call, then out
        code = ctypes.CDLL(None, use_errno=True).unshare(_CLONE_NEWUSER)
        os._exit(0 if code == 0 else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def chromium_args() -> list[str]:
    return CHROMIUM_ARGS if chromium_sandbox_possible() else ["--no-sandbox", *CHROMIUM_ARGS]


def user_agent(politeness: Politeness) -> str:
    """The configured agent with `{contact}` filled in from ILID_CRAWL_CONTACT.

    Site operators look for a way to reach whoever runs a crawler; without a configured contact
    the agent says so instead of pretending to be a browser.
    """
    contact = os.environ.get("ILID_CRAWL_CONTACT", "").strip() or "contact: set ILID_CRAWL_CONTACT"
    return politeness.user_agent.replace("{contact}", contact)


def crawl_settings(
    source: Source, out_jsonl: Path, job_dir: Path, previous_jsonl: Path | None = None
) -> dict[str, Any]:
    """Scrapy settings for one source.

    The job dir holds the resume cache (every response of the running job, replayed when a
    killed crawl is run again) and the page readings (`readings.jsonl`, decided into products
    at the end). `previous_jsonl` is the last finished crawl's output, whose validators make
    this crawl's requests conditional; the readings of its pages are `previous_readings.jsonl`.
    """
    from playwright.async_api import Error as PlaywrightError  # only crawls need Playwright

    politeness = source.politeness
    settings: dict[str, Any] = {
        "BOT_NAME": "ilid_platform",
        "USER_AGENT": user_agent(politeness),
        "ROBOTSTXT_OBEY": politeness.obey_robots,
        "DOWNLOAD_DELAY": politeness.download_delay,
        "CONCURRENT_REQUESTS": max(16, politeness.concurrency_per_domain),
        "CONCURRENT_REQUESTS_PER_DOMAIN": politeness.concurrency_per_domain,
        "AUTOTHROTTLE_ENABLED": politeness.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(politeness.download_delay, 0.1),
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": politeness.target_concurrency,
        "DOWNLOAD_TIMEOUT": politeness.timeout_s,
        "DOWNLOAD_MAXSIZE": politeness.max_page_bytes,
        "DOWNLOAD_WARNSIZE": politeness.max_page_bytes // 2,
        "REDIRECT_MAX_TIMES": politeness.max_redirects,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 2,
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_DIR": str((job_dir / "cache").resolve()),
        "HTTPCACHE_STORAGE": "ilid_platform.crawl.cache.ResumeCacheStorage",
        "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.DummyPolicy",
        "HTTPCACHE_IGNORE_HTTP_CODES": RETRYABLE_STATUSES,
        # Items go through one synchronous pipeline, so Scrapy's default of 100 concurrent
        # items only starts 100 idle tasks for every response.
        "CONCURRENT_ITEMS": 1,
        # Scrapy's check re-reads and re-parses `parse`'s source for nearly every response (its
        # cache holds bound methods weakly, and each request has its own); the spider's
        # generator callbacks return no values.
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        "REQUEST_FINGERPRINTER_CLASS": "ilid_platform.crawl.cache.RenderAwareFingerprinter",
        "DOWNLOADER": "ilid_platform.crawl.downloader.PoliteDownloader",
        "ITEM_PIPELINES": {"ilid_platform.crawl.pipelines.ReadingsPipeline": 300},
        "ILID_OUT_JSONL": str(out_jsonl),
        "ILID_READINGS_JSONL": str(job_dir / READINGS),
        "ILID_PREVIOUS_JSONL": str(previous_jsonl) if previous_jsonl else "",
        "ILID_PREVIOUS_READINGS": str(job_dir / PREVIOUS_READINGS) if previous_jsonl else "",
        # Addresses: checked before each request is sent, pinned when it connects.
        "DOWNLOADER_MIDDLEWARES": {
            "ilid_platform.crawl.guard.AddressGuardMiddleware": 50,
            # Scrapy's, with RFC 9309's size limit and status rules (see `robots`).
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "ilid_platform.crawl.robots.RobotsMiddleware": 100,
        },
        "EXTENSIONS": {"ilid_platform.crawl.robots.PrefixDownloads": 0},
        "DNS_RESOLVER": "ilid_platform.crawl.guard.GuardedResolver",
        SETTING: source.allow_private_addresses,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "LOGSTATS_INTERVAL": 15.0,
    }
    if source.browser != "never":
        settings.update(
            {
                "DOWNLOAD_HANDLERS": {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER},
                "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
                "PLAYWRIGHT_BROWSER_TYPE": "chromium",
                "PLAYWRIGHT_LAUNCH_OPTIONS": {
                    "executable_path": os.environ.get("ILID_CHROMIUM", "/usr/bin/chromium"),
                    "headless": True,
                    "args": chromium_args(),
                },
                "PLAYWRIGHT_ABORT_REQUEST": "ilid_platform.crawl.downloader.abort_heavy_request",
                "PLAYWRIGHT_MAX_CONTEXTS": 2,
                # Open pages are bounded by the download concurrency. scrapy-playwright's own
                # page limit only adds a wait for pages still closing, and a request waiting
                # there when the browser crashes waits forever: keep it out of reach.
                "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2 * settings["CONCURRENT_REQUESTS"],
                "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": politeness.timeout_s * 1000,
                # A crashed browser is relaunched on the next page; the pages it took down
                # with it are retried like any dropped connection.
                "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
                "RETRY_EXCEPTIONS": [*RETRY_EXCEPTIONS, PlaywrightError],
            }
        )
    return settings
