"""robots.txt as RFC 9309 says, in the crawl and in the image ingest (one reader for both):
the first 500 KiB of a larger file are read, an unreachable file forbids everything, and a
page the file forbids is never requested, start urls included."""

from __future__ import annotations

from pathlib import Path

from ilid_platform.crawl.runner import run_crawl
from ilid_platform.crawl.sources import Source
from ilid_platform.images.download import ImageRequest, IngestConfig, ingest_images
from ilid_platform.robots import MAX_BYTES, parse_rules
from ilid_platform.warehouse import connect
from ilid_platform_tests.catalog_server import JPEG, CatalogServer, encode, scene
from ilid_platform_tests.local_site import FAST, LocalSite, html, product_jsonld

FILLER = "".join(f"# crawl-delay notes, line {i:07d} {'x' * 60}\n" for i in range(80_000))
LARGE_ROBOTS = f"User-agent: *\nDisallow: /private/\n{FILLER}Disallow: /late/\n"
"""5.6 MiB: its first lines disallow /private/, a rule past the first 500 KiB /late/."""


def test_rules_are_read_from_the_first_500_kib() -> None:
    assert len(LARGE_ROBOTS) > 5 * 1024 * 1024
    rules = parse_rules(LARGE_ROBOTS.encode())
    assert not rules.can_fetch("https://shop.example/private/a.html", "ILIDPlatformBot")
    assert rules.can_fetch("https://shop.example/late/a.html", "ILIDPlatformBot")
    # a line cut at the limit is no rule: "Disallow: /" cut from "Disallow: /shop/" is not read
    cut = b"User-agent: *\n" + b"#" * (MAX_BYTES - 30) + b"\nDisallow: /shop/\n"
    assert parse_rules(cut).can_fetch("https://shop.example/other", "bot")
    assert parse_rules("\ufeffUser-agent: *\nDisallow: /\n".encode()).can_fetch("/x", "b") is False


def test_crawl_never_requests_what_robots_txt_forbids(tmp_path: Path) -> None:
    """One crawl over two hosts: a 5.6 MiB robots.txt whose first lines disallow /private/,
    and a robots.txt that answers 503 (unreachable: nothing may be crawled)."""
    with LocalSite() as large, LocalSite() as down:
        large.add("/robots.txt", LARGE_ROBOTS, content_type="text/plain")
        links = '<a href="/private/a.html">a</a> <a href="/p/1.html">1</a>'
        large.add("/index.html", html(links))
        for path in ("/private/start.html", "/private/a.html", "/p/1.html"):
            large.add(path, html("", product_jsonld(path, path)))
        down.add("/robots.txt", "", status=503)
        down.add("/index.html", html("", product_jsonld("Down", "down")))
        source = Source(
            name="robots",
            start_urls=[
                f"{large.base}/private/start.html",
                f"{large.base}/index.html",
                f"{down.base}/index.html",
            ],
            allowed_domains=["127.0.0.1"],
            allow_private_addresses=True,
            politeness=FAST,
        )
        stats = run_crawl(source, tmp_path / "out.jsonl", tmp_path / "job")
        large_paths, down_paths = large.paths(), down.paths()

    assert large_paths.count("/robots.txt") == 1, "read once, for the rules and the sitemaps"
    assert sorted(large_paths) == ["/index.html", "/p/1.html", "/robots.txt"]
    assert set(down_paths) == {"/robots.txt"}, "retried, then nothing of the host is requested"
    assert stats.rejects == {"robots": 3}
    assert stats.products == 1


def test_image_ingest_reads_the_first_500_kib(tmp_path: Path) -> None:
    image = (200, JPEG, encode(scene(100, 100), "JPEG"))
    routes = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, LARGE_ROBOTS.encode()),
        "/a.jpg": image,
        "/private/b.jpg": image,
        "/late/c.jpg": image,
    }
    config = IngestConfig(allow_private_addresses=True, backoff_s=0.01)
    with CatalogServer(routes) as server, connect(tmp_path / "w.duckdb") as con:
        requests = [ImageRequest("shop", "p", server.url + path) for path in routes if "." in path]
        requests = [r for r in requests if not r.image_url.endswith("robots.txt")]
        stats = ingest_images(con, tmp_path / "store", requests, config)
        found = dict(con.execute("SELECT image_url, status FROM images").fetchall())
    assert found == {
        server.url + "/a.jpg": "ok",
        server.url + "/private/b.jpg": "blocked_by_robots",
        server.url + "/late/c.jpg": "ok",
    }
    assert stats.by_status == {"ok": 2, "blocked_by_robots": 1}
    assert server.hits["/private/b.jpg"] == 0 and server.hits["/robots.txt"] == 1
