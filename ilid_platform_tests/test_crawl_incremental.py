"""Nightly re-crawls and interrupted crawls, checked from the server's request log."""

from __future__ import annotations

from pathlib import Path

import pytest

from ilid_platform.crawl.pipelines import load_reading_items
from ilid_platform.crawl.runner import CrawlError, run_crawl
from ilid_platform.crawl.sources import Source
from ilid_platform.crawl.store import load_records, store_pages
from ilid_platform.warehouse import connect
from ilid_platform_tests.local_site import (
    FAST,
    LocalSite,
    html,
    kill_own,
    product_jsonld,
)

LAST_MODIFIED = "Wed, 01 Jan 2026 10:00:00 GMT"


def _catalog(site: LocalSite, products: dict[str, str], lastmods: dict[str, str]) -> None:
    """Home page -> one category page -> products; the sitemap lists those with a lastmod."""
    site.add(
        "/robots.txt",
        f"User-agent: *\nSitemap: {site.base}/sitemap.xml\n",
        content_type="text/plain",
    )
    urls = "".join(
        f"<url><loc>{site.base}{path}</loc><lastmod>{stamp}</lastmod></url>"
        for path, stamp in lastmods.items()
    )
    site.add(
        "/sitemap.xml",
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
        content_type="application/xml",
    )
    site.add("/index.html", html('<a href="/category.html">All products</a>'))
    links = "".join(f'<li><a href="{path}">{name}</a></li>' for path, name in products.items())
    site.add("/category.html", html(f"<h1>All products</h1><ul>{links}</ul>"))


def test_second_crawl_revalidates_and_keeps_record_hashes(tmp_path: Path) -> None:
    with LocalSite() as site:
        names = {f"/p/{i}.html": f"Part {i}" for i in range(1, 7)}
        _catalog(site, names, {"/p/1.html": "2026-01-01", "/p/2.html": "2026-01-01"})
        for path, name in names.items():
            site.add(path, html("", product_jsonld(name, name.replace(" ", "-"))))
        site.routes["/p/1.html"].etag = '"p1"'
        site.routes["/p/2.html"].etag = '"p2-v1"'
        site.routes["/p/3.html"].etag = '"p3"'
        site.routes["/p/4.html"].last_modified = LAST_MODIFIED
        source = Source(
            allow_private_addresses=True,
            name="nightly",
            start_urls=[f"{site.base}/index.html"],
            politeness=FAST,
        )
        out, job = tmp_path / "pages.jsonl", tmp_path / "job"

        first = run_crawl(source, out, job)
        before = {r.url: r for r in load_records(out)}
        assert first.products == 6 and first.not_modified == first.lastmod_unchanged == 0
        p = {i: f"{site.base}/p/{i}.html" for i in range(1, 8)}
        assert (before[p[1]].etag, before[p[1]].lastmod) == ('"p1"', "2026-01-01")
        assert (before[p[4]].etag, before[p[4]].last_modified) == (None, LAST_MODIFIED)
        assert before[p[5]].etag is before[p[5]].last_modified is before[p[5]].lastmod is None

        # Overnight: part 2 changed, part 6 was discontinued, part 7 is new.
        names = {**{k: v for k, v in names.items() if k != "/p/6.html"}, "/p/7.html": "Part 7"}
        _catalog(site, names, {"/p/1.html": "2026-01-01", "/p/2.html": "2026-02-01"})
        site.add("/p/2.html", html("", product_jsonld("Part 2 (new)", "Part-2")), etag='"p2-v2"')
        site.add("/p/7.html", html("", product_jsonld("Part 7", "Part-7")))
        del site.routes["/p/6.html"]
        first_run_requests = len(site.log)

        second = run_crawl(source, out, job)

    after = {r.url: r for r in load_records(out)}
    requests = {hit.path: hit for hit in site.log[first_run_requests:]}
    assert sorted(after) == [p[i] for i in (1, 2, 3, 4, 5, 7)]
    assert "/p/1.html" not in requests  # sitemap lastmod unchanged: not even asked
    assert requests["/p/2.html"].headers["If-None-Match"] == '"p2-v1"'
    assert requests["/p/2.html"].status == 200
    assert requests["/p/3.html"].headers["If-None-Match"] == '"p3"'
    assert requests["/p/3.html"].status == 304
    assert requests["/p/4.html"].headers["If-Modified-Since"] == LAST_MODIFIED
    assert requests["/p/4.html"].status == 304
    assert "If-None-Match" not in requests["/p/5.html"].headers
    assert (second.not_modified, second.lastmod_unchanged, second.products) == (2, 1, 6)

    for i in (1, 3, 4, 5):
        assert after[p[i]].record_hash == before[p[i]].record_hash
        assert after[p[i]].model_dump(exclude={"fetched_at", "http_status"}) == before[
            p[i]
        ].model_dump(exclude={"fetched_at", "http_status"})
    assert (after[p[3]].http_status, after[p[5]].http_status) == (304, 200)
    assert after[p[2]].name == "Part 2 (new)" and after[p[2]].etag == '"p2-v2"'
    assert after[p[2]].record_hash != before[p[2]].record_hash

    with connect(tmp_path / "warehouse.duckdb") as con:
        assert store_pages(con, "nightly", before.values())["inserted"] == 6
        assert store_pages(con, "nightly", after.values()) == {
            "inserted": 1,
            "updated": 1,
            "unchanged": 4,
            "gone": 1,
        }
        gone = con.execute("SELECT url FROM pages WHERE gone").fetchall()
        assert gone == [(p[6],)]


def test_crawl_killed_with_sigkill_resumes_without_refetching_or_duplicates(
    tmp_path: Path,
) -> None:
    with LocalSite() as site:
        names = {f"/p/{i}.html": f"Part {i}" for i in range(24)}
        _catalog(site, names, {})
        for path, name in names.items():
            site.add(path, html("", product_jsonld(name, name.replace(" ", "-"))), delay=0.1)
        politeness = FAST.model_copy(update={"concurrency_per_domain": 2})
        source = Source(
            allow_private_addresses=True,
            name="killed",
            start_urls=[f"{site.base}/index.html"],
            politeness=politeness,
        )
        out, job = tmp_path / "pages.jsonl", tmp_path / "job"
        killed: list[int] = []

        def kill_the_crawl(path: str) -> None:
            if (
                path.startswith("/p/")
                and not killed
                and sum(hit.startswith("/p/") for hit in site.paths()) >= 10
            ):
                killed.extend(kill_own("ilid_platform.crawl.child"))

        site.on_request = kill_the_crawl
        with pytest.raises(CrawlError, match="exit code -9"):
            run_crawl(source, out, job)
        assert killed
        site.on_request = None
        assert not out.exists(), "products are written once the whole site is decided"
        readings = job / "readings.jsonl"
        finished_first = {i["url"] for i in load_reading_items(readings) if "/p/" in i["url"]}
        assert 0 < len(finished_first) < 24
        first_run_requests = len(site.log)
        with readings.open("a", encoding="utf-8") as partial:  # killed in the middle of a line
            partial.write('{"url": "http://tru')

        lines: list[str] = []
        resumed = run_crawl(source, out, job, progress=lines.append)

    records = load_records(out)
    assert len(records) == len({r.url for r in records}) == 24
    assert (resumed.products, resumed.products_resumed) == (24, len(finished_first))
    assert resumed.rejects == {}
    assert any("resuming unfinished crawl" in line for line in lines)
    again = [hit.path for hit in site.log[first_run_requests:]]
    # Finished pages and the listings before them come from the job's cache, not the server;
    # only pages that were in flight when the crawl died are fetched a second time.
    assert not {f"{site.base}{path}" for path in again} & finished_first
    assert "/index.html" not in again and "/category.html" not in again
    assert len([path for path in again if path.startswith("/p/")]) <= 24 - len(finished_first)
