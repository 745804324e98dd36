"""`LocalSite`, the test server the crawl test files share: routes are declared in Python, and
every request is logged with its headers and timing, so tests read what the crawler really did
from the server's side. Also the process helpers that look for what a crawl left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ilid_platform.crawl.runner import run_crawl
from ilid_platform.crawl.sources import Politeness, Source
from ilid_platform.crawl.store import load_records

FAST = Politeness(download_delay=0, autothrottle=False, concurrency_per_domain=4, timeout_s=10)


@dataclass
class Route:
    body: str | bytes = ""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    content_length: bool = True


@dataclass
class Hit:
    path: str
    status: int
    headers: dict[str, str]
    start: float
    end: float


def same_query(path: str) -> str:
    """The path with its query's arguments unescaped and sorted: how a server tells them."""
    parts = urlsplit(path)
    return parts.path + "?" + "&".join(sorted(unquote(parts.query).split("&")))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    site: LocalSite

    def do_GET(self) -> None:
        site = self.site
        hit = Hit(self.path, 0, dict(self.headers), time.monotonic(), 0.0)
        with site.lock:  # logged on arrival: a client may give up before the answer
            site.log.append(hit)
            site.in_flight += 1
            site.max_in_flight = max(site.max_in_flight, site.in_flight)
        if site.on_request:
            site.on_request(self.path)
        try:
            hit.status = self._respond(
                site.routes.get(self.path)
                or site.routes.get(same_query(self.path))
                or site.routes.get(self._plain_path)
            )
        finally:
            with site.lock:
                site.in_flight -= 1
            hit.end = time.monotonic()

    @property
    def _plain_path(self) -> str:
        return urlsplit(self.path).path

    def _respond(self, route: Route | None) -> int:
        if route is None:
            route = Route("<h1>Not found</h1>", status=404)
        time.sleep(route.delay)
        unchanged = (route.etag and self.headers.get("If-None-Match") == route.etag) or (
            route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
        )
        status = 304 if unchanged else route.status
        body = b"" if unchanged else route.body
        body = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", route.content_type)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.etag:
            self.send_header("ETag", route.etag)
        if route.last_modified:
            self.send_header("Last-Modified", route.last_modified)
        if route.content_length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        # The crawler may give up on a response (size limit, timeout): that is what is tested.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)
        return status

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: `LocalSite.log` is the record."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Crawlers hang up mid-response (size limits, timeouts, kills); that is not an error."""


class LocalSite:
    """A catalog served from memory on a real local HTTP server, with a request log."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[Hit] = []
        self.lock = threading.Lock()
        self.in_flight = self.max_in_flight = 0
        self.on_request: Callable[[str], None] | None = None
        self.server = _Server((host, 0), type("Handler", (_Handler,), {"site": self}))
        self.base = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(self, path: str, body: str | bytes = "", **options: object) -> None:
        self.routes[path] = Route(body, **options)
        if "?" in path:  # a server reads a query's arguments in any order and escaping
            self.routes.setdefault(same_query(path), self.routes[path])

    def paths(self) -> list[str]:
        with self.lock:
            return [hit.path for hit in self.log]

    def hits(self, path: str) -> list[Hit]:
        with self.lock:
            return [hit for hit in self.log if hit.path == path]


# Two product lines of a small hand-written catalog (`crawl_found`'s sites).
PUMPS = {
    "cp-40": "Centrifugal Pump CP-40",
    "sp-12": "Submersible Pump SP-12",
    "gp-7": "Gear Pump GP-7",
    "dp-3": "Diaphragm Pump DP-3",
}
VALVES = {
    "bv-50": "Ball Valve BV-50",
    "gv-80": "Gate Valve GV-80",
    "cv-25": "Check Valve CV-25",
    "sv-15": "Safety Valve SV-15",
}


def crawl_found(tmp_path: Path, build: Callable[[LocalSite], str]) -> dict[str, tuple[str, str]]:
    """Crawl the site `build` serves from the start path it returns: url path to the record's
    name and main photo's path."""
    with LocalSite() as site:
        site.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
        start = build(site)
        source = Source(
            allow_private_addresses=True,
            name="handmade",
            start_urls=[site.base + start],
            politeness=FAST,
        )
        out = tmp_path / "out.jsonl"
        run_crawl(source, out, tmp_path / "job")
    cut = len(site.base)
    return {
        str(r.url)[cut:]: (r.name, str(r.image_urls[0])[cut:] if r.image_urls else "")
        for r in load_records(out)
    }


def assert_found(found: dict[str, tuple[str, str]], expected: dict[str, tuple[str, set]]) -> None:
    """Every product page and no other, each with its name and one of its photo's urls (a
    query's arguments in any order and escaping, as the crawler canonicalises them)."""
    found = {same_query(path) if "?" in path else path: got for path, got in found.items()}
    expected = {same_query(p) if "?" in p else p: want for p, want in expected.items()}
    assert set(found) == set(expected)
    for path, (name, images) in expected.items():
        assert found[path][0] == name, path
        assert found[path][1] in images, (path, found[path][1])


def html(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"


def product_jsonld(name: str, sku: str, **extra: object) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": name,
        "sku": sku,
        "image": f"/img/{sku}.jpg",
        "material": "Steel",
        **extra,
    }
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def sitemap(base: str, paths: list[str], lastmod: str | None = None) -> str:
    stamp = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    urls = "".join(f"<url><loc>{base}{p}</loc>{stamp}</url>" for p in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )


def descendants(pid: int) -> list[int]:
    """Processes below `pid`, from /proc: the crawl child and the browsers it launched."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, pending = [], [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def command_line(pid: int) -> str:
    """A process's command line, or "" once it is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def kill_own(match: str, sig: int = signal.SIGKILL) -> list[int]:
    """Kill this test's own descendant processes whose command line contains `match`."""
    killed = []
    for pid in descendants(os.getpid()):
        if match in command_line(pid):
            try:
                os.kill(pid, sig)
                killed.append(pid)
            except ProcessLookupError:
                pass
    return killed
