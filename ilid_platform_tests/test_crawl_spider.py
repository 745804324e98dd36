"""Real crawls, in the real child process, of small hand-written shops on local HTTP servers."""

from __future__ import annotations

import gzip
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ilid_platform.crawl.cli import crawl_command
from ilid_platform.crawl.runner import CrawlError, run_crawl
from ilid_platform.crawl.sources import Source
from ilid_platform.crawl.store import load_records
from ilid_platform.crawl.urls import canonical_url
from ilid_platform_tests.local_site import (
    FAST,
    LocalSite,
    command_line,
    html,
    kill_own,
    product_jsonld,
    sitemap,
)


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
