"""A product whose main image is a dead link gets its page's own photo instead (real local
server, real warehouse), and that photo becomes its sample."""

from __future__ import annotations

from pathlib import Path

from ilid_platform.captions.rules import RuleCaptioner
from ilid_platform.captions.store import caption_products
from ilid_platform.crawl.records import ProductRecord
from ilid_platform.crawl.store import store_pages
from ilid_platform.dataset.samples import build_samples
from ilid_platform.images.dedup import DedupConfig, cluster_images
from ilid_platform.images.fallback import ingest_source
from ilid_platform.images.hashing import hash_images
from ilid_platform.warehouse import connect
from ilid_platform_tests.test_images_ingest import CONFIG, JPEG, CatalogServer, encode, scene

DEAD_HOST = "http://shop-cdn.invalid"


def _record(base: str, slug: str, name: str, main: list[str], fallbacks: list[str]):
    return ProductRecord(
        source="shop",
        url=f"{base}/p/{slug}",
        name=name,
        description=f"A {name.lower()} for machine frames.",
        image_urls=main,
        image_fallbacks=fallbacks,
        extraction="json-ld",
    )


def test_dead_main_images_fall_back_to_the_pages_own_photos(tmp_path: Path) -> None:
    photo = {f"/img/{k}.jpg": (200, JPEG, encode(scene(96, 96, seed=k), "JPEG")) for k in range(6)}
    routes = {
        **photo,
        "/img/gone.jpg": (404, {}, b"gone"),
        "/img/busy.jpg": (503, {}, b"try later"),
    }
    config = CONFIG.__class__(**{**CONFIG.__dict__, "retries": 0})
    with CatalogServer(routes) as server, connect(tmp_path / "w.duckdb") as con:
        url = server.url
        records = [
            # the structured data names a host that does not resolve: the page's photo
            _record(url, "a", "Hex nut", [f"{DEAD_HOST}/a.jpg"], [f"{url}/img/0.jpg"]),
            # a dead link, then a dead photo too: the next photo
            _record(
                url,
                "b",
                "Pipe clamp",
                [f"{url}/img/gone.jpg"],
                [f"{url}/img/gone.jpg", f"{url}/img/missing.jpg", f"{url}/img/1.jpg"],
            ),
            # a server error is no dead link: no stand-in
            _record(url, "c", "Gate valve", [f"{url}/img/busy.jpg"], [f"{url}/img/2.jpg"]),
            # a main image that works: its page photo is never fetched
            _record(url, "d", "Ball valve", [f"{url}/img/3.jpg"], [f"{url}/img/4.jpg"]),
        ]
        store_pages(con, "shop", records)
        stats = ingest_source(con, tmp_path / "store", "shop", config)
        rows = {
            (page.rsplit("/", 1)[1], image.rsplit("/", 1)[1]): (status, reason)
            for page, image, status, reason in con.execute(
                "SELECT page_url, image_url, status, reason FROM images"
            ).fetchall()
        }
        assert stats.stand_ins == 3  # a: 0.jpg; b: missing.jpg, then 1.jpg
        assert rows[("a", "a.jpg")][0] == "http_error"
        status, why = rows[("a", "0.jpg")]
        assert status == "ok"
        assert why.startswith(f"stands in for {DEAD_HOST}/a.jpg: shop-cdn.invalid unreachable")
        assert rows[("b", "missing.jpg")][0] == "http_error"
        assert rows[("b", "1.jpg")] == ("ok", f"stands in for {url}/img/gone.jpg: HTTP 404")
        assert ("c", "2.jpg") not in rows and ("d", "4.jpg") not in rows
        assert server.hits["/img/2.jpg"] == server.hits["/img/4.jpg"] == 0
        assert server.hits["/img/gone.jpg"] == 1, "a photo that repeats the main image is not"

        hits = server.hits.copy()
        again = ingest_source(con, tmp_path / "store", "shop", config)
        assert again.stand_ins == 0 and server.hits == hits, "a re-run fetches nothing"

        hash_images(con, tmp_path / "store")
        cluster_images(con, DedupConfig())
        caption_products(con, RuleCaptioner())
        build_samples(con)
        sampled = dict(con.execute("SELECT url, image_path FROM samples").fetchall())
        assert sorted(u.rsplit("/", 1)[1] for u in sampled) == ["a", "b", "d"]
