"""Real crawls, in the real child process, of small hand-written shops on local HTTP servers.

`LocalSite` is the test server the other crawl test files share: routes are declared in Python,
and every request is logged with its headers and timing, so tests read what the crawler really
did from the server's side.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ilid_platform.crawl.cli import crawl_command
from ilid_platform.crawl.runner import CrawlError, run_crawl
from ilid_platform.crawl.sources import Politeness, Source
from ilid_platform.crawl.store import load_records
from ilid_platform.crawl.urls import canonical_url

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
                site.routes.get(self.path) or site.routes.get(self._plain_path)
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

    def paths(self) -> list[str]:
        with self.lock:
            return [hit.path for hit in self.log]

    def hits(self, path: str) -> list[Hit]:
        with self.lock:
            return [hit for hit in self.log if hit.path == path]


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


def _build_shop(site: LocalSite) -> None:
    base = site.base
    site.add(
        "/robots.txt",
        f"User-agent: *\nDisallow: /private/\nSitemap: {base}/sitemap_index.xml\n",
        content_type="text/plain",
    )
    site.add(
        "/sitemap_index.xml",
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/sitemaps/products.xml.gz</loc></sitemap></sitemapindex>",
        content_type="application/xml",
    )
    urlset = sitemap(base, ["/p/1.html", "/p/2.html?utm_source=sitemap", "/private/secret.html"])
    site.add(
        "/sitemaps/products.xml.gz",
        gzip.compress(urlset.encode()),
        content_type="application/octet-stream",
    )
    site.add("/index.html", html('<a href="/category/bolts.html">Bolts</a>'))
    cards = "".join(
        f'<div class="card"><a href="{href}"><img src="/img/t{i}.jpg"></a></div>'
        for i, href in enumerate(
            [
                "/p/3.html",
                "/p/4.html",
                "/p/5.html?utm_campaign=spring&gclid=abc#reviews",
                "/p/5-print.html",
                "/private/hidden.html",
                "/missing.html",
            ]
        )
    )
    site.add(
        "/category/bolts.html",
        html(
            f"<h1>Bolts</h1>{cards}<a href='/docs/catalog.pdf'>PDF</a>"
            "<a href='http://offsite.invalid/p/9.html'>partner</a>"
            "<a href='/category/bolts/page/2.html'>next</a>"
        ),
    )
    site.add(
        "/category/bolts/page/2.html",
        html('<h1>Bolts, page 2</h1><a href="/p/6.html"><img src="/img/t6.jpg"></a>'),
    )
    site.add("/p/1.html", html("<h1>Hex Bolt</h1>", product_jsonld("Hex Bolt M8", "HB-8")))
    site.add(
        "/p/2.html",
        html(
            '<div itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">Wing Nut'
            '</h1><img itemprop="image" src="/img/wn.jpg"><meta itemprop="sku" content="WN-6">'
            "<table><tr><th>Material</th><td>Brass</td></tr></table></div>"
        ),
    )
    site.add(
        "/p/3.html",
        html(
            '<h1>Butt Hinge</h1><img src="/img/hinge.jpg" width="600" height="400">'
            "<p>A stainless steel butt hinge for heavy wooden doors and gates.</p>"
            "<table><tr><th>Material</th><td>Stainless steel</td></tr>"
            "<tr><th>Finish</th><td>Brushed</td></tr></table>"
        ),
    )
    latin1 = html(
        '<h1>Schraube Größe 8</h1><img src="/img/s.jpg">'
        "<table><tr><th>Material</th><td>Stahl</td></tr><tr><th>Oberfläche</th>"
        "<td>verzinkt</td></tr></table>",
        '<meta charset="iso-8859-1">',
    )
    site.add("/p/4.html", latin1.encode("latin-1"), content_type="text/html")
    canonical = f'<link rel="canonical" href="{base}/p/5.html">'
    site.add("/p/5.html", html("", canonical + product_jsonld("Eye Bolt", "EB-1")))
    site.add("/p/5-print.html", html("", canonical + product_jsonld("Eye Bolt", "EB-1")))
    site.add("/p/6.html", html("", product_jsonld("Threaded Rod", "TR-1")))
    site.add("/private/secret.html", html("", product_jsonld("Secret", "S-1")))
    site.add("/private/hidden.html", html("", product_jsonld("Hidden", "H-1")))
    site.add(
        "/app/product.html",
        html(
            '<div id="app"></div><script>'
            "fetch('/api/product.json').then(r => r.json()).then(p => {"
            "document.getElementById('app').innerHTML = `<h1>${p.name}</h1>"
            '<img src="${p.image}" width="500" height="500"><p>${p.text}</p><table>'
            "${p.specs.map(s => `<tr><th>${s[0]}</th><td>${s[1]}</td></tr>`).join('')}"
            "</table><video src='/media/demo.mp4' autoplay muted></video>`; });</script>",
            "<style>@font-face{font-family:x;src:url(/fonts/x.woff2)}body{font-family:x}</style>",
        ),
    )
    site.add(
        "/api/product.json",
        json.dumps(
            {
                "name": "Rendered Clamp",
                "image": "/img/clamp.jpg",
                "text": "A clamp that only exists after JavaScript ran in the browser.",
                "specs": [["Material", "Aluminium"], ["Finish", "Anodised blue"]],
            }
        ),
        content_type="application/json",
    )


@pytest.fixture(scope="module")
def shop() -> Iterator[LocalSite]:
    with LocalSite() as site:
        _build_shop(site)
        yield site


def test_crawl_sitemap_links_robots_and_canonical_urls(shop: LocalSite, tmp_path: Path) -> None:
    source = Source(
        allow_private_addresses=True,
        name="handmade",
        start_urls=[f"{shop.base}/index.html"],
        politeness=FAST,
    )
    out = tmp_path / "out.jsonl"
    lines: list[str] = []

    stats = run_crawl(source, out, tmp_path / "job", progress=lines.append)

    records = {r.url: r for r in load_records(out)}
    assert sorted(records) == [f"{shop.base}/p/{i}.html" for i in (1, 2, 3, 4, 5, 6)]
    assert stats.products == 6
    assert stats.status_counts["200"] >= 10
    assert stats.status_counts["404"] == 1
    assert stats.rejects == {"http_4xx": 1, "robots": 2, "duplicate": 1}
    assert stats.non_product_pages == 3  # index and two category pages
    assert stats.issues == {}
    assert stats.pages_fetched >= 12 and stats.pages_per_s > 0 and stats.elapsed_s > 0
    assert not [p for p in shop.paths() if p.startswith("/private/")]
    assert not [p for p in shop.paths() if "pdf" in p]
    assert any("products written" in line or "Spider closed" in line for line in lines)

    hex_bolt = records[f"{shop.base}/p/1.html"]
    assert hex_bolt.source == "handmade"
    assert hex_bolt.name == "Hex Bolt M8"
    assert hex_bolt.sku == "HB-8"
    assert hex_bolt.image_urls == [f"{shop.base}/img/HB-8.jpg"]
    assert hex_bolt.specs == {"Material": "Steel"}
    assert (hex_bolt.extraction, hex_bolt.rendered, hex_bolt.http_status) == ("json-ld", False, 200)
    assert len(hex_bolt.record_hash) == 64
    assert records[f"{shop.base}/p/2.html"].extraction == "microdata"
    assert records[f"{shop.base}/p/3.html"].extraction == "heuristic"
    assert records[f"{shop.base}/p/4.html"].name == "Schraube Größe 8"
    assert records[f"{shop.base}/p/4.html"].specs["Oberfläche"] == "verzinkt"
    # The listing links p/5 with tracking parameters and a fragment: still its category.
    assert [records[f"{shop.base}/p/{i}.html"].breadcrumbs for i in (3, 4, 5)] == [["Bolts"]] * 3

    raw = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {"url", "name", "description", "image_urls", "specs", "breadcrumbs"} <= set(raw[0])
    assert {"etag", "last_modified", "lastmod", "record_hash", "fetched_at"} <= set(raw[0])

    # A finished job starts over (as an incremental crawl of the same catalog).
    again = run_crawl(source, out, tmp_path / "job")
    assert again.products == 6
    assert len(load_records(out)) == 6
    assert {r.record_hash for r in load_records(out)} == {r.record_hash for r in records.values()}


def test_canonical_urls() -> None:
    tracked = "http://Shop.example:80/p/1.html?utm_source=x&b=2&a=1&gclid=z#reviews"
    assert canonical_url(tracked) == "http://shop.example/p/1.html?a=1&b=2"
    session = "https://shop.example:443/p;jsessionid=AB12?id=3&PHPSESSID=x"
    assert canonical_url(session) == "https://shop.example/p?id=3"
    assert canonical_url("https://shop.example:8443/p") == "https://shop.example:8443/p"
    with pytest.raises(ValueError):
        canonical_url("http://shop.example:port/")


def test_cli_with_start_urls_and_allowed_domains_only(
    shop: LocalSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        "  - name: tiny\n"
        "    allow_private_addresses: true\n"
        "    start_urls: ['${SHOP_BASE:-http://127.0.0.1:1}/category/bolts/page/2.html']\n"
        "    allowed_domains: [127.0.0.1]\n"
        "  - name: other\n"
        "    start_urls: [http://127.0.0.1:1/]\n",
        encoding="utf-8",
    )
    out = tmp_path / "tiny.jsonl"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SHOP_BASE", shop.base)
        args = [str(sources), "--source", "tiny", "-o", str(out), "--job-dir", str(tmp_path), "-q"]
        code = crawl_command(args)
    assert code == 0
    # The start page links only the rod; the robots.txt sitemap adds two more.
    assert sorted(r.name for r in load_records(out)) == ["Hex Bolt M8", "Threaded Rod", "Wing Nut"]
    printed = capsys.readouterr().out
    assert "products      : 3" in printed and "rejects" in printed and "pages/s" in printed
    assert crawl_command([str(sources), "--source", "nope", "-o", str(out)]) == 2


def test_failing_child_raises_with_log_tail(tmp_path: Path) -> None:
    job, out = tmp_path / "job", tmp_path / "out.jsonl"
    (job / "cache").mkdir(parents=True)  # an interrupted job, so its readings are resumed ...
    (job / "readings.jsonl").write_text("", encoding="utf-8")
    (job / "readings.tmp").mkdir()  # ... and the pipeline cannot rewrite them
    source = Source(allow_private_addresses=True, name="broken", start_urls=["http://127.0.0.1:1/"])
    with pytest.raises(CrawlError, match=r"(?s)'broken' failed \(exit code 1\).*Error"):
        run_crawl(source, out, job)


def test_processes_left_behind_by_the_child_do_not_hold_the_crawl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A browser or driver that outlives the child keeps its output pipe open; no hang."""
    marker = f"ilid-leftover-{os.getpid()}"
    child = tmp_path / "child"
    child.write_text(
        "#!/bin/bash\n"
        f"exec -a {marker} sleep 120 &\n"  # inherits stdout, as Playwright's driver does
        'while [ "$1" != --stats ]; do shift; done\n'
        'echo \'{"source": "x", "products": 1, "finish_reason": "finished"}\' > "$2"\n',
        encoding="utf-8",
    )
    child.chmod(0o755)
    monkeypatch.setattr("sys.executable", str(child))
    started = time.monotonic()

    stats = run_crawl(
        Source(allow_private_addresses=True, name="x", start_urls=["http://127.0.0.1:1/"]),
        tmp_path / "o",
        tmp_path,
    )

    assert time.monotonic() - started < 30
    assert stats.products == 1
    time.sleep(0.2)
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    assert [pid for pid in pids if command_line(pid).startswith(marker)] == []


@pytest.mark.parametrize("browser", ["always", "auto"])
def test_browser_renders_script_only_product(shop: LocalSite, tmp_path: Path, browser: str) -> None:
    source = Source(
        allow_private_addresses=True,
        name="rendered",
        start_urls=[f"{shop.base}/app/product.html"],
        browser=browser,
        politeness=FAST,
    )
    out = tmp_path / "out.jsonl"
    stats = run_crawl(source, out, tmp_path / "job")

    records = {r.url: r for r in load_records(out)}
    record = records[f"{shop.base}/app/product.html"]
    assert stats.products == len(records) == 3  # the sitemap adds two server-rendered products
    assert record.name == "Rendered Clamp"
    assert record.rendered is True
    assert record.extraction == "heuristic"
    assert record.specs == {"Material": "Aluminium", "Finish": "Anodised blue"}
    assert record.image_urls == [f"{shop.base}/img/clamp.jpg"]
    # "auto" only pays for the browser where the raw HTML had no product.
    assert records[f"{shop.base}/p/1.html"].rendered is (browser == "always")
    assert stats.browser_retries == (1 if browser == "auto" else 0)
    assert "/api/product.json" in shop.paths()
    # The browser aborts images, fonts and media.
    assert not {"/img/clamp.jpg", "/fonts/x.woff2", "/media/demo.mp4"} & set(shop.paths())


def test_a_page_that_never_answers_the_browser_is_rejected_as_a_timeout(tmp_path: Path) -> None:
    """After load, the page's script spins forever, so reading its DOM never returns and no
    Playwright timeout applies; the crawl's own deadline must end that fetch."""
    with LocalSite() as site:
        site.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
        site.add("/index.html", html('<h1>Clamps</h1><a href="/p/ok.html">ok</a>'))
        site.add(
            "/p/spin.html",
            html(
                "<h1>Spinning</h1><script>onload = () => setTimeout(() => { for (;;) {} })</script>"
            ),
        )
        site.add("/p/ok.html", html("", product_jsonld("Toggle Clamp", "TC-1")))
        source = Source(
            allow_private_addresses=True,
            name="spinning",
            start_urls=[f"{site.base}/p/spin.html", f"{site.base}/index.html"],
            browser="always",
            politeness=FAST.model_copy(update={"timeout_s": 2}),
        )
        out = tmp_path / "out.jsonl"
        stats = run_crawl(source, out, tmp_path / "job")

    assert [r.name for r in load_records(out)] == ["Toggle Clamp"]
    assert stats.rejects == {"timeout": 1}
    assert len(site.hits("/p/spin.html")) == 3  # the first try and Scrapy's two retries


def test_crashed_browser_is_restarted(tmp_path: Path) -> None:
    with LocalSite() as site:
        site.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
        links = "".join(f'<a href="/app/{i}.html">item {i}</a>' for i in range(8))
        site.add("/index.html", html(f"<h1>Clamps</h1><p>{links}</p>"))
        for i in range(8):
            site.add(
                f"/app/{i}.html",
                html(
                    '<div id="app"></div><script>'
                    f"fetch('/api/{i}.json').then(r => r.json()).then(p => {{"
                    "document.getElementById('app').innerHTML = `<h1 class='t'>${p.name}</h1>"
                    "<span class='sku'>${p.sku}</span>`; });</script>"
                ),
            )
            site.add(
                f"/api/{i}.json",
                json.dumps({"name": f"Clamp {i}", "sku": f"C-{i}"}),
                content_type="application/json",
                delay=0.2,
            )
        killed: list[int] = []

        def crash_browser_once(path: str) -> None:
            api_calls = sum(p.startswith("/api/") for p in site.paths())
            if path.startswith("/api/") and api_calls == 3 and not killed:
                killed.extend(kill_own("chrom"))

        site.on_request = crash_browser_once
        source = Source(
            allow_private_addresses=True,
            name="crashy",
            start_urls=[f"{site.base}/index.html"],
            browser="always",
            selectors={"name": "h1.t", "sku": ".sku"},
            politeness=FAST.model_copy(update={"concurrency_per_domain": 2}),
        )
        lines: list[str] = []
        out = tmp_path / "out.jsonl"
        stats = run_crawl(source, out, tmp_path / "job", progress=lines.append)

    assert killed, "the browser was never killed"
    assert sum("Browser chromium launched" in line for line in lines) >= 2
    assert sorted(r.name for r in load_records(out)) == [f"Clamp {i}" for i in range(8)]
    assert stats.products == 8
