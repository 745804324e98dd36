"""Retake `docs/images/ui.png`: the asset graph of a materialised instance in the Dagster UI.

Run after `make demo`, from the repository root, with the demo's ILID_HOME and DAGSTER_HOME:

    .venv/bin/python docs/ui_screenshot.py [--port 3333] [--out docs/images/ui.png]

It starts `dagster-webserver` on loopback, opens the global asset lineage in Debian's Chromium
through Playwright, waits for the graph, and saves a 1800 x 820 screenshot.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def wait_for(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=3333)
    parser.add_argument("--out", type=Path, default=Path("docs/images/ui.png"))
    parser.add_argument("--path", default="/asset-groups", help="the UI page to take")
    parser.add_argument("--zoom", type=int, default=0, help="ctrl+wheel steps closer")
    args = parser.parse_args()
    if "DAGSTER_HOME" not in os.environ:
        parser.error("set DAGSTER_HOME (and ILID_HOME) to a materialised instance, e.g. the demo's")
    base = f"http://127.0.0.1:{args.port}"
    webserver = subprocess.Popen(
        [sys.executable, "-m", "dagster_webserver", "-m", "ilid_platform.definitions",
         "-h", "127.0.0.1", "-p", str(args.port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(f"{base}/server_info", timeout_s=180)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1800, "height": 820})
            page.goto(base + args.path, wait_until="networkidle", timeout=120_000)
            skip = page.get_by_role("button", name="Skip")  # the first-visit newsletter dialog
            try:
                skip.wait_for(timeout=15_000)
                skip.click()
            except PlaywrightTimeout:
                pass
            page.get_by_role("button", name="Hide navigation").click()
            jump = page.get_by_placeholder("Jump to").bounding_box()
            if jump:  # the asset tree's collapse button sits just right of its search box
                page.mouse.click(jump["x"] + jump["width"] + 22, jump["y"] + jump["height"] / 2)
            page.keyboard.press("Alt+e")  # the graph's "Expand all groups"
            page.wait_for_timeout(3_000)
            page.mouse.move(1000, 450)
            for _ in range(args.zoom):  # closer, so that each asset shows its status card
                page.keyboard.down("Control")
                page.mouse.wheel(0, -100)
                page.keyboard.up("Control")
                page.wait_for_timeout(400)
            page.wait_for_timeout(3_000)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    finally:
        webserver.terminate()
        webserver.wait(timeout=30)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
