"""The crawl refuses internal addresses for start urls, links, robots.txt and redirect hops,
in raw and in rendered fetches, unless the source opts in. Real crawls of real local servers;
"refused" is read from the servers' logs: they never saw the request."""

from __future__ import annotations

from pathlib import Path

from ilid_platform.crawl.runner import run_crawl
from ilid_platform.crawl.sources import Source
from ilid_platform.crawl.store import load_records
from ilid_platform_tests.local_site import FAST, LocalSite, html, product_jsonld


def _shop(site: LocalSite) -> None:
    site.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    site.add("/index.html", html('<a href="/p/1.html">one</a>'))
    site.add("/p/1.html", html("", product_jsonld("Hex Bolt", "HB-1")))


def test_start_urls_on_internal_addresses_are_refused_by_default(tmp_path: Path) -> None:
    with LocalSite() as site:
        _shop(site)
        port = site.base.rsplit(":", 1)[1]
        spellings = [
            site.base,
            f"http://localhost:{port}",
            f"http://2130706433:{port}",
            f"http://0x7f000001:{port}",
            f"http://127.0.0.2:{port}",
            f"http://[::1]:{port}",
        ]
        source = Source(
            name="strict",
            # one path per spelling: w3lib >= 2.6 writes numeric hosts as dotted quads, so
            # without it three spellings would be one url and the dupe filter would drop two
            start_urls=[f"{base}/index.html?spelling={i}" for i, base in enumerate(spellings)],
            allowed_domains=["127.0.0.1", "localhost", "2130706433", "0x7f000001", "127.0.0.2"]
            + ["::1"],
            politeness=FAST,
        )
        stats = run_crawl(source, tmp_path / "out.jsonl", tmp_path / "job")
        assert site.log == [], "not even robots.txt was asked for"
    assert stats.finish_reason == "finished" and stats.products == 0
    # each start url; robots.txt is read by the robots middleware, which a refused request
    # never reaches
    assert stats.rejects == {"blocked_address": len(spellings)}


def test_redirects_into_internal_addresses_are_refused_at_that_hop(tmp_path: Path) -> None:
    """The source opts into 127.0.0.1 only. Scope (allowed_domains) lets the redirect targets
    through; the address policy does not."""
    with LocalSite() as site, LocalSite("127.0.0.3") as inner:
        _shop(site)
        _shop(inner)
        inner_port = inner.base.rsplit(":", 1)[1]
        site.add(
            "/index.html",
            html('<a href="/p/1.html">one</a><a href="/go.html">go</a><a href="/meta">m</a>'),
        )
        site.add("/go.html", status=302, headers={"Location": f"{inner.base}/p/1.html"})
        site.add("/meta", status=301, headers={"Location": "http://169.254.169.254/latest/"})
        site.add(
            "/hex.html",
            status=302,
            # another path than go.html's target, so the dupe filter cannot hide this hop
            headers={"Location": f"http://0x7f000003:{inner_port}/p/2.html"},
        )
        source = Source(
            name="opted-in",
            start_urls=[f"{site.base}/index.html", f"{site.base}/hex.html"],
            allowed_domains=["127.0.0.1", "127.0.0.3", "169.254.169.254", "0x7f000003"],
            allow_private_addresses=["127.0.0.1"],
            politeness=FAST,
        )
        out = tmp_path / "out.jsonl"
        stats = run_crawl(source, out, tmp_path / "job")
        assert inner.log == []
    assert [r.url for r in load_records(out)] == [f"{site.base}/p/1.html"]
    assert stats.rejects == {"blocked_address": 3}


def test_a_rendered_page_cannot_reach_an_internal_address(tmp_path: Path) -> None:
    """In Chromium every request of the page is checked: a script's fetch to a refused address
    is aborted, while the page itself renders and is extracted."""
    with LocalSite() as site, LocalSite("127.0.0.3") as inner:
        site.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
        site.add(
            "/p/1.html",
            html(
                '<div id="app"></div><script>'
                f"fetch('{inner.base}/leak').catch(() => null);"
                "fetch('/api/1.json').then(r => r.json()).then(p => {"
                "document.getElementById('app').innerHTML = `<h1>${p.name}</h1>"
                '<img src="/img/tc.jpg" width="500" height="500"><table>'
                "<tr><th>Material</th><td>Steel</td></tr><tr><th>Finish</th><td>Zinc</td></tr>"
                "</table>`; });</script>"
            ),
        )
        site.add("/api/1.json", '{"name": "Toggle Clamp"}', content_type="application/json")
        source = Source(
            name="rendered",
            start_urls=[f"{site.base}/p/1.html"],
            browser="always",
            allow_private_addresses=["127.0.0.1"],
            politeness=FAST,
        )
        out = tmp_path / "out.jsonl"
        run_crawl(source, out, tmp_path / "job")
        assert "/api/1.json" in site.paths()
        assert inner.log == []
    assert [r.name for r in load_records(out)] == ["Toggle Clamp"]
