"""Image ingest against a real local HTTP server serving real files of every awkward kind."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ilid_platform.images.download import (
    STATUSES,
    ImageRequest,
    IngestConfig,
    ingest_images,
    sniff_format,
)
from ilid_platform.images.hashing import hash_images, perceptual_hashes
from ilid_platform.images.normalise import decode_rgb, normalised_pixels, thumbnail, to_rgb
from ilid_platform.warehouse import connect
from ilid_platform_tests.catalog_server import (
    JPEG,
    PNG,
    CatalogServer,
    banded,
    encode,
    exif_rotated,
    gif_two_frames,
    gray16,
    rgba_half_transparent,
    scene,
)
from ilid_platform_tests.test_images_dedup import product_photo

EXPECTED = {
    "/good.jpg": "ok",
    "/good.png": "ok",
    "/good.webp": "ok",
    "/anim.gif": "ok",
    "/cmyk.jpg": "ok",
    "/gray16.png": "ok",
    "/palette.png": "ok",
    "/rgba.png": "ok",
    "/exif.jpg": "ok",
    "/banded.jpg": "ok",
    "/flaky.jpg": "ok",
    "/missing.jpg": "http_error",
    "/broken.jpg": "http_error",
    "/truncated.jpg": "decode_error",
    "/page.jpg": "not_image",
    "/tiny.png": "too_small",
    "/huge.png": "too_large",
    "/noise.png": "too_large",
    "/noai.jpg": "blocked_by_robots",
    "/private/secret.jpg": "blocked_by_robots",
    "/busy.jpg": "ok",
    "/later.jpg": "http_error",
    "/inward.jpg": "blocked_address",
}
OK_URLS = sum(status == "ok" for status in EXPECTED.values())
assert set(EXPECTED.values()) == set(STATUSES), "every status is exercised"


@pytest.fixture(scope="module")
def server():
    good_jpeg = encode(scene(320, 240), "JPEG", quality=90)
    palette = scene(150, 100, seed=3).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    noise = np.random.default_rng(0).integers(0, 256, (700, 700, 3), dtype=np.uint8)
    routes = {
        "/good.jpg": (200, JPEG, good_jpeg),
        "/good.png": (200, PNG, encode(scene(256, 256, seed=1), "PNG")),
        "/good.webp": (200, {"Content-Type": "image/webp"}, encode(scene(200, 300, 2), "WEBP")),
        "/anim.gif": (200, {"Content-Type": "image/gif"}, gif_two_frames()),
        "/cmyk.jpg": (200, JPEG, encode(scene(200, 150, 4).convert("CMYK"), "JPEG")),
        "/gray16.png": (200, PNG, gray16()),
        "/palette.png": (200, PNG, encode(palette, "PNG")),
        "/rgba.png": (200, PNG, rgba_half_transparent()),
        "/exif.jpg": (200, JPEG, exif_rotated()),
        "/banded.jpg": (200, PNG, encode(banded(300, 100), "PNG")),
        "/flaky.jpg": [(500, {}, b"oops"), (200, JPEG, encode(scene(300, 200, 5), "JPEG"))],
        "/broken.jpg": (503, {}, b"down"),
        "/truncated.jpg": (200, JPEG, good_jpeg[: len(good_jpeg) // 2]),
        "/page.jpg": (200, JPEG, b"<!DOCTYPE html><html><body>not an image</body></html>"),
        "/tiny.png": (200, PNG, encode(scene(20, 20), "PNG")),
        "/huge.png": (200, PNG, encode(Image.new("RGB", (1500, 1000), "white"), "PNG")),
        "/noise.png": (200, PNG, encode(Image.fromarray(noise, "RGB"), "PNG")),
        "/noai.jpg": (200, {**JPEG, "X-Robots-Tag": "googlebot: noindex, noai"}, good_jpeg),
        "/robots.txt": (200, {}, b"User-agent: *\nDisallow: /private/\n"),
        "/private/secret.jpg": (200, JPEG, good_jpeg),
        "/busy.jpg": [(429, {"Retry-After": "1"}, b""), (200, JPEG, encode(scene(90, 300), "PNG"))],
        "/later.jpg": (503, {"Retry-After": "3600"}, b""),
    }
    with CatalogServer(routes) as running:
        # a redirect from the allowed loopback address to one no source opted into
        port = running.url.rsplit(":", 1)[1]
        running.routes["/inward.jpg"] = (302, {"Location": f"http://127.0.0.3:{port}/x.jpg"}, b"")
        yield running


CONFIG = IngestConfig(
    allow_private_addresses=("127.0.0.1",),
    concurrency=8,
    per_host=4,
    timeout_s=5,
    backoff_s=0.01,
    max_pixels=1_000_000,
    max_bytes=1_000_000,
)


def requests_for(server: CatalogServer) -> list[ImageRequest]:
    requests = [
        ImageRequest("shop", f"{server.url}/product/{path.strip('/')}.html", server.url + path)
        for path in EXPECTED
    ]
    # a second product showing the same image: one download, two rows
    requests.append(
        ImageRequest("shop", f"{server.url}/product/other.html", server.url + "/good.jpg")
    )
    return requests


def rows(con) -> dict[str, tuple]:
    found = con.execute(
        "SELECT image_url, status, reason, sha256, path, normalised_path, width, height, format, "
        "thumbnail_path FROM images WHERE page_url NOT LIKE '%other.html'"
    ).fetchall()
    return {row[0].split("/", 3)[-1]: row[1:] for row in found}


def test_ingest_statuses_files_resume_and_retry(server, tmp_path: Path) -> None:
    store = tmp_path / "images"
    requests = requests_for(server)
    with connect(tmp_path / "warehouse.duckdb") as con:
        stats = ingest_images(con, store, requests, CONFIG)
        found = rows(con)
        assert {"/" + name: row[0] for name, row in found.items()} == EXPECTED
        assert con.execute("SELECT count(*) FROM images").fetchall()[0][0] == len(requests)
        assert stats.requested == len(requests) and stats.skipped == 0
        assert stats.downloaded == len(EXPECTED)
        assert stats.by_status["ok"] == OK_URLS + 1 and stats.by_status["http_error"] == 3
        assert server.hits["/good.jpg"] == 1, "an url shared by two products is fetched once"
        assert server.hits["/flaky.jpg"] == 2, "a 500 is retried"
        assert server.hits["/broken.jpg"] == 3, "retries give up after 1 + retries attempts"
        assert server.hits["/missing.jpg"] == 1, "a 404 is not retried"
        assert server.hits["/noai.jpg"] == 1
        assert server.hits["/robots.txt"] == 1, "robots.txt is fetched once per host and run"
        assert server.hits["/private/secret.jpg"] == 0, "a disallowed url is never requested"
        first, second = server.times["/busy.jpg"]
        assert second - first >= 1.0, "Retry-After: 1 waits a second, not the 10 ms backoff"
        assert server.hits["/later.jpg"] == 1, "a Retry-After beyond the limit is not waited for"
        assert stats.by_source == {
            "shop": {"requested": len(requests), "fetched": len(EXPECTED), "ok": OK_URLS + 1}
            | {status: n for status, n in Counter(EXPECTED.values()).items() if status != "ok"}
        }

        assert found["missing.jpg"][1] == "HTTP 404"
        assert found["broken.jpg"][1] == "HTTP 503 after 3 attempts"
        assert found["page.jpg"][1] == "html document"
        assert found["huge.png"][1].startswith("1500x1000")
        assert "noai" in found["noai.jpg"][1]
        assert found["truncated.jpg"][1].startswith("OSError")
        assert found["tiny.png"][1] == "20x20 below 64 px"
        assert found["private/secret.jpg"][1] == "robots.txt of " + server.url[7:] + (
            " disallows /private/secret.jpg"
        )
        assert found["later.jpg"][1] == "HTTP 503, Retry-After 3600s > 60s"
        assert found["inward.jpg"][1] == (
            f"127.0.0.3 is a loopback address (redirected from {server.url}/inward.jpg)"
        )

        for name, (status, _, sha, path, norm, width, height, fmt, thumb) in found.items():
            if status != "ok":
                assert path is None and norm is None and thumb is None
                continue
            assert Path(path) == store / sha[:2] / sha[2:4] / f"{sha}.{Path(path).suffix[1:]}"
            assert Path(norm).name == f"{sha}.ilid512.png"
            assert Path(thumb) == Path(path).with_name(f"{sha}.thumb128.jpg")
            assert fmt == sniff_format(Path(path).read_bytes())
            with Image.open(norm) as img:
                assert img.size == (512, 512) and img.mode == "RGB", name
            with Image.open(thumb) as img:
                assert img.format == "JPEG" and max(img.size) == min(128, max(width, height))
                assert abs(img.width / img.height - width / height) < 0.05, name
        assert found["exif.jpg"][5:7] == (100, 200), "EXIF orientation applied"
        assert found["good.webp"][7] == "webp" and found["anim.gif"][7] == "gif"
        assert found["banded.jpg"][7] == "png", "format comes from the bytes, not Content-Type"
        assert not list(store.rglob("*.tmp"))

        def pixels(name: str) -> np.ndarray:
            return np.asarray(Image.open(found[name][4])).astype(int)

        exif = pixels("exif.jpg")  # shown upright: red on top, green below
        assert (np.abs(exif[100] - (255, 0, 0)) < 40).all()
        assert (np.abs(exif[400] - (0, 255, 0)) < 40).all()
        rgba = pixels("rgba.png")  # transparent half composited on white
        assert (rgba[256, 20] == 255).all() and (np.abs(rgba[256, 500] - (255, 0, 0)) < 5).all()
        assert (np.abs(pixels("anim.gif")[256, 256] - (255, 0, 0)) < 5).all(), "first frame"
        gray = pixels("gray16.png")
        assert gray[256, 5, 0] < 20 and gray[256, 506, 0] > 235, "16-bit scaled, not clipped"

        # Resume: nothing is fetched again and no row is added.
        hits = server.hits.copy()
        again = ingest_images(con, store, requests, CONFIG)
        assert server.hits == hits
        assert again.skipped == len(requests) and again.downloaded == 0
        assert again.by_status == stats.by_status
        assert con.execute("SELECT count(*) FROM images").fetchall()[0][0] == len(requests)

        # A lost normalised copy or thumbnail is rebuilt from the stored original, offline.
        Path(found["good.png"][4]).unlink()
        Path(found["good.webp"][8]).unlink()
        rebuilt = ingest_images(con, store, requests, CONFIG)
        assert rebuilt.reused == 2 and rebuilt.downloaded == 0 and server.hits == hits
        assert Path(found["good.png"][4]).exists() and Path(found["good.webp"][8]).exists()

        # retry_failed fetches only the failures again.
        retried = ingest_images(con, store, requests, CONFIG, retry_failed=True)
        assert retried.downloaded == len(EXPECTED) - OK_URLS
        assert server.hits["/missing.jpg"] == 2 and server.hits["/good.jpg"] == 1
        assert server.hits["/robots.txt"] == 2 and server.hits["/private/secret.jpg"] == 0
        assert con.execute("SELECT count(*) FROM images").fetchall()[0][0] == len(requests)

        # Ingest hashed what it decoded; hashing the stored originals gives the same values.
        hashed = con.execute("SELECT sha256, phash, dhash FROM image_hashes ORDER BY 1").fetchall()
        assert len(hashed) == OK_URLS
        assert hash_images(con, store) == 0
        con.execute("DELETE FROM image_hashes")
        assert hash_images(con, store) == OK_URLS
        assert con.execute("SELECT * FROM image_hashes ORDER BY 1").fetchall() == hashed


def test_other_modes_write_their_own_copies(server, tmp_path: Path) -> None:
    request = [ImageRequest("shop", "p", server.url + "/banded.jpg")]
    with connect(tmp_path / "w.duckdb") as con:
        ingest_images(con, tmp_path, request, replace(CONFIG, mode="keep_ratio", size=256))
        ((norm,),) = con.execute("SELECT normalised_path FROM images").fetchall()
    assert norm.endswith(".keep_ratio256.png")
    assert Image.open(norm).size == (256, 85)


def test_ilid_padding_replicates_edges() -> None:
    img = banded(300, 100)
    out = normalised_pixels(img, "ilid", 512).astype(int)
    assert out.shape == (512, 512, 3)
    content = round(100 * 512 / 300)
    top = (512 - content) // 2
    assert (out[:top] == out[top]).all(), "rows above the image copy its first row"
    assert (out[top + content :] == out[top + content - 1]).all()
    assert (np.abs(out[0] - (255, 0, 0)) < 3).all() and (np.abs(out[-1] - (0, 0, 255)) < 3).all()

    assert normalised_pixels(img, "keep_ratio", 512).shape == (171, 512, 3)
    cropped = normalised_pixels(img, "center_crop", 512).astype(int)
    assert cropped.shape == (512, 512, 3)
    assert (np.abs(cropped[0] - (255, 0, 0)) < 3).all(), "short side fills the square"
    tall = normalised_pixels(banded(100, 300).transpose(Image.Transpose.ROTATE_90), "ilid", 64)
    assert tall.shape == (64, 64, 3)
    assert thumbnail(img, 128).size == (128, 43)
    with pytest.raises(ValueError, match="unknown normalise mode"):
        normalised_pixels(img, "stretch")


def test_to_rgb_handles_modes() -> None:
    cmyk = to_rgb(Image.new("CMYK", (4, 4), (0, 255, 255, 0)))
    assert cmyk.mode == "RGB" and cmyk.getpixel((0, 0)) == (255, 0, 0)
    la = to_rgb(Image.new("LA", (4, 4), (0, 0)))
    assert la.getpixel((0, 0)) == (255, 255, 255)
    assert to_rgb(Image.new("1", (4, 4), 1)).getpixel((0, 0)) == (255, 255, 255)


def test_robots_txt_missing_allows_unreachable_blocks(tmp_path: Path) -> None:
    """RFC 9309: no robots.txt (404) allows everything; a 5xx one disallows everything."""
    image = (200, JPEG, encode(scene(100, 100), "JPEG"))
    missing = CatalogServer({"/a.jpg": image})
    down = CatalogServer({"/a.jpg": image, "/b.jpg": image, "/robots.txt": (503, {}, b"")})
    with missing, down, connect(tmp_path / "w.duckdb") as con:
        requests = [
            ImageRequest("shop", "p", url)
            for url in (missing.url + "/a.jpg", down.url + "/a.jpg", down.url + "/b.jpg")
        ]
        stats = ingest_images(con, tmp_path / "store", requests, CONFIG)
        reasons = dict(con.execute("SELECT image_url, reason FROM images").fetchall())
        assert stats.by_status == {"ok": 1, "blocked_by_robots": 2}
        assert reasons[down.url + "/a.jpg"] == (
            f"robots.txt of {down.url[7:]} unreachable: HTTP 503 after 3 attempts"
        )
        assert down.hits == {"/robots.txt": 3}, "retried like any url, then nothing is fetched"
        assert missing.hits == {"/robots.txt": 1, "/a.jpg": 1}

        ignoring = replace(CONFIG, obey_robots=False)
        again = ingest_images(con, tmp_path / "store", requests, ignoring, retry_failed=True)
        assert again.by_status == {"ok": 3} and down.hits["/robots.txt"] == 3


def test_a_host_that_does_not_resolve_or_refuses_is_an_http_error_with_its_cause(
    tmp_path: Path,
) -> None:
    """With robots.txt obeyed, a host that cannot be reached fails on its robots.txt: that is
    a network failure, not a robots rule (`blocked_by_robots` is only for a rule or noai)."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there: the connection is refused
    urls = ("http://no-such-host.invalid/a.jpg", f"http://127.0.0.1:{port}/a.jpg")
    config = replace(CONFIG, retries=0)
    with connect(tmp_path / "w.duckdb") as con:
        requests = [ImageRequest("shop", "p", url) for url in urls]
        stats = ingest_images(con, tmp_path / "store", requests, config)
        found = {
            u: (s, r)
            for u, s, r in con.execute("SELECT image_url, status, reason FROM images").fetchall()
        }
    assert stats.by_status == {"http_error": 2}
    status, reason = found[urls[0]]
    assert reason.startswith("no-such-host.invalid unreachable: NameResolutionError: ")
    assert "Failed to resolve 'no-such-host.invalid'" in reason and "object at" not in reason
    status, reason = found[urls[1]]
    assert reason.startswith(f"127.0.0.1:{port} unreachable: NewConnectionError: ")
    assert "Connection refused" in reason


CHILD = """
import json, sys
from ilid_platform.images.download import ImageRequest, IngestConfig, ingest_images
from ilid_platform.warehouse import connect
args = json.loads(sys.argv[1])
config = IngestConfig(concurrency=2, per_host=2, checkpoint_s=0.05, allow_private_addresses=True)
with connect(args["db"]) as con:
    ingest_images(con, args["store"], [ImageRequest(*r) for r in args["requests"]], config)
"""


def test_killed_ingest_resumes_with_only_the_missing_downloads(tmp_path: Path) -> None:
    """SIGKILL a child process midway through a slow download, then run again: every image
    whose row the killed run wrote is not requested again, every other one exactly once."""
    count = 40
    routes = {f"/{k}.jpg": (200, JPEG, encode(scene(80, 80, seed=k), "JPEG")) for k in range(count)}
    db, store = tmp_path / "w.duckdb", tmp_path / "store"
    with CatalogServer(routes, delay_s=0.1) as server:
        requests = [ImageRequest("shop", f"p{k}", f"{server.url}/{k}.jpg") for k in range(count)]
        payload = json.dumps({"db": str(db), "store": str(store), "requests": requests})
        child = subprocess.Popen([sys.executable, "-c", CHILD, payload])

        def images_requested() -> int:
            return sum(server.hits.values()) - server.hits["/robots.txt"]

        deadline = time.monotonic() + 60
        while images_requested() < count // 2 and time.monotonic() < deadline:
            assert child.poll() is None, "the child finished before it was killed"
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        assert count // 2 <= images_requested() < count
        first_run = server.hits.copy()

        with connect(db) as con:
            kept = {
                url
                for (url,) in con.execute(
                    "SELECT image_url FROM images WHERE status='ok'"
                ).fetchall()
            }
            assert kept, "the killed run checkpointed finished images"
            stats = ingest_images(con, store, requests, CONFIG)
            assert stats.by_status == {"ok": count}
            assert stats.skipped == len(kept) and stats.downloaded == count - len(kept)
        second_run = server.hits - first_run
        second_run.pop("/robots.txt")
        assert set(second_run.values()) == {1}, "each missing image is requested exactly once"
        assert {server.url + path for path in second_run} == {r.image_url for r in requests} - kept


def test_large_jpeg_decodes_at_reduced_scale_and_keeps_its_size(tmp_path: Path) -> None:
    """A 2400x1600 JPEG shown rotated (EXIF 6) is decoded at half scale: enough for 512 px."""
    img = product_photo(9).resize((2400, 1600), Image.Resampling.BICUBIC)
    exif = img.getexif()
    exif[0x0112] = 6
    data = encode(img, "JPEG", quality=90, exif=exif.tobytes())
    with Image.open(io.BytesIO(data)) as opened:
        rgb, size = decode_rgb(opened, 512)
    assert size == (1600, 2400) and rgb.size == (800, 1200)
    with Image.open(io.BytesIO(data)) as opened:
        full = to_rgb(opened)
        assert full.size == (1600, 2400)
    drafted, exact = perceptual_hashes(rgb)[0], perceptual_hashes(full)[0]
    assert bin(drafted ^ exact).count("1") <= 2, "the reduced decode hashes alike"

    with CatalogServer({"/big.jpg": (200, JPEG, data)}) as server:
        request = [ImageRequest("shop", "p", server.url + "/big.jpg")]
        with connect(tmp_path / "w.duckdb") as con:
            roomy = replace(CONFIG, max_pixels=10_000_000, max_bytes=20_000_000)
            assert ingest_images(con, tmp_path / "store", request, roomy).by_status == {"ok": 1}
            ((width, height, norm, thumb),) = con.execute(
                "SELECT width, height, normalised_path, thumbnail_path FROM images"
            ).fetchall()
    assert (width, height) == (1600, 2400), "the original's upright size, not the decoded one"
    assert Image.open(norm).size == (512, 512) and Image.open(thumb).size == (85, 128)


def test_network_failures_end_as_http_errors(tmp_path: Path) -> None:
    """A closed port, a redirect loop, a scheme we cannot fetch and a server too slow to answer:
    each url gets a row and a reason, nothing raises."""
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/a.jpg"
    chain = {f"/hop{k}.jpg": (302, {"Location": f"/hop{k + 1}.jpg"}, b"") for k in range(9)}
    loop = CatalogServer({"/loop.jpg": (302, {"Location": "/loop.jpg"}, b""), **chain})
    slow = CatalogServer({"/slow.jpg": (200, JPEG, encode(scene(80, 80), "JPEG"))}, delay_s=1.0)
    config = replace(CONFIG, obey_robots=False, timeout_s=0.3, retries=1)
    with loop, slow, connect(tmp_path / "w.duckdb") as con:
        urls = [
            closed,
            loop.url + "/loop.jpg",
            loop.url + "/hop0.jpg",
            "ftp://127.0.0.1/a.jpg",
            slow.url + "/slow.jpg",
        ]
        stats = ingest_images(con, tmp_path, [ImageRequest("s", "p", u) for u in urls], config)
        reasons = dict(con.execute("SELECT image_url, reason FROM images").fetchall())
    assert stats.by_status == {"http_error": 5}
    assert reasons[closed] == (
        "NewConnectionError: Failed to establish a new connection: [Errno 111] "
        "Connection refused after 2 attempts"
    )
    assert (
        reasons[loop.url + "/loop.jpg"]
        == f"redirect loop: {loop.url}/loop.jpg -> {loop.url}/loop.jpg"
    )
    assert reasons[loop.url + "/hop0.jpg"] == "more than 5 redirects"
    assert loop.hits["/hop5.jpg"] == 1 and loop.hits["/hop6.jpg"] == 0, "one hop at a time"
    assert reasons["ftp://127.0.0.1/a.jpg"] == "not an http(s) url: ftp://127.0.0.1/a.jpg"
    assert reasons[slow.url + "/slow.jpg"] == "no complete response within 0.3s after 2 attempts"
    assert slow.hits["/slow.jpg"] == 2
