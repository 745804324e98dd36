"""The Dagster web UI in a real browser: start `dagster-webserver` on an instance, open asset
pages in Chromium with Playwright, and read what a person would see."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from ilid_platform.crawl.settings import chromium_args

WEBSERVER_START_S = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_webserver(dagster_home: Path, log: Path) -> Iterator[str]:
    """`dagster-webserver` for this project's definitions on the instance at `dagster_home`,
    bound to 127.0.0.1; yields its base URL once it answers."""
    port = free_port()
    executable = Path(sys.executable).with_name("dagster-webserver")
    command = [str(executable) if executable.exists() else shutil.which("dagster-webserver")]
    command += ["-m", "ilid_platform.definitions", "-h", "127.0.0.1", "-p", str(port)]
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}
    with open(log, "wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + WEBSERVER_START_S
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"dagster-webserver exited: {log.read_text()[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/server_info", timeout=5).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"dagster-webserver did not answer: {log.read_text()}")
                time.sleep(1)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


@dataclass
class MarkdownView:
    """One markdown metadata entry as rendered: its images (src prefix, natural width)."""

    images: list[tuple[str, int]]
    text: str

    @property
    def decoded(self) -> int:
        return sum(1 for _, width in self.images if width > 0)


class AssetPages:
    """A Chromium page on the web UI, opening assets and their markdown metadata."""

    def __init__(self, base_url: str, screenshots: Path) -> None:
        self.base_url = base_url
        self.screenshots = screenshots

    def __enter__(self) -> AssetPages:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=os.environ.get("ILID_CHROMIUM", "/usr/bin/chromium"),
            args=chromium_args(),
        )
        self.page = self._browser.new_page(viewport={"width": 1400, "height": 1000})
        return self

    def __exit__(self, *exc: object) -> None:
        self._browser.close()
        self._playwright.stop()

    def open(self, asset: str) -> None:
        self.page.goto(f"{self.base_url}/assets/{asset}", wait_until="networkidle")
        self.page.get_by_text("Metadata", exact=True).first.wait_for(timeout=60_000)
        # a fresh instance greets the first visit with a community dialog
        with contextlib.suppress(Exception):
            self.page.get_by_role("button", name="Skip").click(timeout=5_000)
            self.page.get_by_role("button", name="Skip").wait_for(state="detached")

    def markdown(self, key: str, screenshot: str) -> MarkdownView:
        """Open the `[Show Markdown]` dialog of metadata entry `key`, wait for its images to
        load, screenshot the page and close the dialog."""
        row = self.page.locator("tr", has=self.page.get_by_text(key, exact=True))
        row.get_by_text("[Show Markdown]").click()
        dialog = self.page.get_by_role("dialog")
        dialog.wait_for()
        self.page.wait_for_function(
            "() => Array.from(document.querySelectorAll('[role=dialog] img'))"
            ".every(i => i.complete)",
            timeout=30_000,
        )
        images = dialog.locator("img").evaluate_all(
            "els => els.map(i => [i.getAttribute('src').slice(0, 22), i.naturalWidth])"
        )
        text = dialog.inner_text()
        self.page.wait_for_timeout(800)  # the dialog fades in; screenshot it settled
        self.screenshots.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.screenshots / f"{screenshot}.png"), full_page=True)
        dialog.get_by_role("button", name="Close").click()
        return MarkdownView([(src, width) for src, width in images], text)
