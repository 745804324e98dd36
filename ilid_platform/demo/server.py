"""Serve a generated demo catalog: one threaded HTTP server per shop, each on a loopback IP."""

from __future__ import annotations

import argparse
import os
import posixpath
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ilid_platform.demo.generate import read_manifest
from ilid_platform.demo.pages import ORIGIN
from ilid_platform.demo.vocabulary import SHOPS
from ilid_platform.settings import env_number

DEFAULT_PORT = 8700
SLOW_SECONDS = 1.5
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".js": "application/javascript",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
_TEXT = (".html", ".json", ".xml", ".txt")


@dataclass(frozen=True)
class CatalogServer:
    port: int
    base_urls: dict[str, str]
    access_log: Path
    site_dir: Path


class _AccessLog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = path.open("w", encoding="utf-8", buffering=1)
        self._lock = threading.Lock()

    def write(self, line: str) -> None:
        with self._lock:
            self._file.write(line + "\n")

    def close(self) -> None:
        self._file.close()


class _ShopHandler(BaseHTTPRequestHandler):
    """Static files from the shop root; text gets the real origin; one page answers slowly."""

    protocol_version = "HTTP/1.1"
    server_version = "DemoShop/1.0"
    # Headers and body go out in separate writes; with Nagle on, keep-alive clients stall ~40 ms.
    disable_nagle_algorithm = True
    root: Path
    origin: bytes
    slow_paths: frozenset[str]
    log: _AccessLog

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def _serve(self, body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path in self.slow_paths:
            time.sleep(SLOW_SECONDS)
        file = self._resolve(path)
        if file is None:
            self.send_error(404, "Not Found")
            return
        data = file.read_bytes()
        if file.suffix in _TEXT:
            data = data.replace(ORIGIN.encode(), self.origin)
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPES.get(file.suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "max-age=60")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _resolve(self, path: str) -> Path | None:
        clean = posixpath.normpath(path)
        if not path.startswith("/") or ".." in clean.split("/"):
            return None
        file = self.root / clean.lstrip("/")
        if path.endswith("/") or file.is_dir():
            file = file / "index.html"
        return file if file.is_file() else None

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        headers = getattr(self, "headers", None)
        host = headers.get("Host") if headers else None
        host = host or "{}:{}".format(*self.server.server_address[:2])
        self.log.write(f"{host} {getattr(self, 'path', '-')} {getattr(code, 'value', code)}")

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the access log is the only record."""


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """Clients that hang up mid-response are normal for crawlers; say nothing."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((SHOPS["acme"].host, 0))
        return sock.getsockname()[1]


def _start(
    site_dir: Path, port: int, log: _AccessLog, stack: ExitStack, slow_pages: bool
) -> dict[str, str]:
    slow = (read_manifest(site_dir) or {}).get("slow_paths", {}) if slow_pages else {}
    base_urls = {}
    for name, shop in SHOPS.items():
        origin = f"http://{shop.host}:{port}"
        handler = type(
            f"{name.title()}Handler",
            (_ShopHandler,),
            {
                "root": site_dir / name,
                "origin": origin.encode(),
                "slow_paths": frozenset(slow.get(name, [])),
                "log": log,
            },
        )
        server = _QuietServer((shop.host, port), handler)
        thread = threading.Thread(target=server.serve_forever, name=f"demo-{name}", daemon=True)
        thread.start()
        stack.callback(thread.join, 5)
        stack.callback(server.server_close)
        stack.callback(server.shutdown)
        base_urls[name] = origin + "/"
    return base_urls


@contextmanager
def running_catalog(
    site_dir: str | os.PathLike[str],
    port: int | None = None,
    access_log: str | os.PathLike[str] | None = None,
    slow_pages: bool = True,
) -> Iterator[CatalogServer]:
    """Serve every shop of a generated catalog until the block exits.

    `port=None` picks a port that is free on all three shop addresses. The access log (one
    "host path status" line per request) defaults to `<site_dir>/access-<port>.log`.
    `slow_pages=False` answers the catalog's deliberately slow pages at once, for throughput
    measurements that a fixed stall would turn into a measurement of the stall.
    """
    site = Path(site_dir).resolve()
    if read_manifest(site) is None:
        raise FileNotFoundError(f"no generated demo catalog in {site}; run generate_catalog first")
    for attempt in range(20):
        chosen = port or _free_port()
        log = _AccessLog(Path(access_log) if access_log else site / f"access-{chosen}.log")
        with ExitStack() as stack:
            stack.callback(log.close)
            try:
                base_urls = _start(site, chosen, log, stack, slow_pages)
            except OSError:
                if port is not None or attempt == 19:
                    raise
                continue
            yield CatalogServer(chosen, base_urls, log.path, site)
            return


def demo_port() -> int:
    """$ILID_DEMO_PORT, else 8700: the port of all three shops (on 127.0.0.1, .2 and .3)."""
    return env_number("ILID_DEMO_PORT", DEFAULT_PORT, int, 1, 65535)


def port_number(value: str) -> int:
    """An argparse type: a TCP port, 1 to 65535."""
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port between 1 and 65535, not {value!r}")
    return port
