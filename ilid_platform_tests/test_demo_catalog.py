"""The demo catalog: deterministic generation, a consistent answer key, and faults that bite."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, UnidentifiedImageError

from ilid_platform.crawl.sources import default_sources_path, load_sources
from ilid_platform.demo import generate_catalog, running_catalog
from ilid_platform.demo.catalog import SIZES
from ilid_platform.demo.cli import main
from ilid_platform.demo.vocabulary import FINISHES_BY_MATERIAL, SHOPS


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "site"
    generate_catalog(out, size="small", seed=0)
    return out


@pytest.fixture(scope="module")
def truth(site: Path) -> dict:
    return json.loads((site / "ground_truth.json").read_text())


@pytest.fixture(scope="module")
def server(site: Path):
    with running_catalog(site) as running:
        yield running


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith("access-")
    }


def _names(truth: dict) -> set[str]:
    return {p["name"] for shop in truth["shops"].values() for p in shop["products"]}


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read()


def test_same_seed_gives_same_bytes_and_rerun_is_a_no_op(
    site: Path, truth: dict, tmp_path: Path
) -> None:
    again = generate_catalog(tmp_path / "again", size="small", seed=0).parent
    assert _files(site) == _files(again)
    assert len(_files(site)) > 300

    stamp = (again / "ground_truth.json").stat().st_mtime_ns
    started = time.perf_counter()
    generate_catalog(again, size="small", seed=0)
    assert time.perf_counter() - started < 0.5
    assert (again / "ground_truth.json").stat().st_mtime_ns == stamp

    generate_catalog(again, size="small", seed=1)
    reseeded = json.loads((again / "ground_truth.json").read_text())
    assert reseeded["seed"] == 1
    assert _names(reseeded) != _names(truth)


def test_ground_truth_is_complete_and_consistent(site: Path, truth: dict) -> None:
    assert (truth["seed"], truth["size"]) == (0, "small")
    assert set(truth["shops"]) == {"acme", "boltbarn", "clampco"}
    assert len(truth["part_types"]) >= 12 and len(truth["materials"]) >= 6
    faulty = {(f["shop"], f["image_path"]): f["fault"] for f in truth["faulty_images"]}
    assert sorted(faulty.values()) == sorted(
        ["missing_404", "missing_404", "truncated_jpeg", "truncated_jpeg", "not_image", "not_image"]
    )
    seen_types, seen_materials = set(), set()
    for name, shop in truth["shops"].items():
        products = shop["products"]
        n = SIZES["small"].products
        assert len(products) == n
        assert shop["expected_products"] == sum(not p["disallowed"] for p in products) == n - 3
        assert len({p["product_id"] for p in products}) == len({p["path"] for p in products}) == n
        for p in products:
            assert p["finish"] in FINISHES_BY_MATERIAL[p["material"]]
            assert p["disallowed"] == p["path"].startswith(SHOPS[name].disallowed_prefix)
            good = [i for i in p["image_paths"] if (name, i) not in faulty]
            assert good, p
            for image in good:
                assert (site / name / image.lstrip("/")).is_file()
            seen_types.add(p["part_type"])
            seen_materials.add(p["material"])
        shared = [p["image_paths"][0] for p in products]
        assert len(set(shared)) < len(shared), "size variants should share a photo"
    assert seen_types == set(truth["part_types"])
    assert len(seen_materials) >= 6

    assert len(truth["duplicate_groups"]) >= 4
    for group in truth["duplicate_groups"]:
        files = [site / m["shop"] / m["image_path"].lstrip("/") for m in group]
        assert len({m["shop"] for m in group}) == len(group) == 2
        assert files[0].read_bytes() != files[1].read_bytes()
        small = [np.asarray(Image.open(f).convert("L").resize((32, 32)), float) for f in files]
        assert np.abs(small[0] - small[1]).mean() < 6


def test_shops_serve_their_own_markup(server, truth: dict) -> None:
    acme, boltbarn, clampco = (server.base_urls[s] for s in ("acme", "boltbarn", "clampco"))
    status, _, robots = _get(acme + "robots.txt")
    assert status == 200 and f"Sitemap: {acme}sitemap.xml" in robots.decode()
    sitemap = _get(acme + "sitemap.xml")[2].decode()
    acme_products = truth["shops"]["acme"]["products"]
    for p in acme_products:
        assert (f"<loc>{acme}{p['path'][1:]}</loc>" in sitemap) != p["disallowed"]
    _, content_type, page = _get(acme + acme_products[0]["path"][1:])
    assert content_type.startswith("text/html")
    ld = json.loads(re.search(rb'ld\+json">(.*?)</script>', page).group(1))
    assert ld["@type"] == "Product" and ld["material"] == acme_products[0]["material"]
    assert ld["image"][0].startswith(acme)

    assert "Disallow: /clearance/" in _get(boltbarn + "robots.txt")[2].decode()
    assert _get(boltbarn + "sitemap.xml")[0] == 404
    assert _get(boltbarn + "category/fittings/page/2.html")[0] == 200
    bolt = truth["shops"]["boltbarn"]["products"][0]
    page = _get(boltbarn + bolt["path"][1:])[2].decode()
    assert 'itemtype="https://schema.org/Product"' in page
    assert f"<th>Material</th><td>{bolt['material']}</td>" in page

    clamp = truth["shops"]["clampco"]["products"][0]
    shell = _get(clampco + clamp["path"][1:])[2].decode()
    assert clamp["sku"] not in shell and "/static/app.js" in shell
    status, content_type, api = _get(f"{clampco}api/products/{clamp['product_id']}.json")
    data = json.loads(api)
    assert (status, content_type) == (200, "application/json")
    assert data["sku"] == clamp["sku"]
    assert {"label": "Material", "value": clamp["material"]} in data["specs"]
    assert [i["src"] for i in data["images"]] == clamp["image_paths"]

    log = server.access_log.read_text().splitlines()
    host = acme.removeprefix("http://").rstrip("/")
    assert f"{host} /robots.txt 200" in log
    assert any(line.endswith("/sitemap.xml 404") for line in log)


def test_faulty_images_fail_the_way_they_say(server, truth: dict) -> None:
    for fault in truth["faulty_images"]:
        status, content_type, body = _get(server.base_urls[fault["shop"]] + fault["image_path"][1:])
        if fault["fault"] == "missing_404":
            assert status == 404
            continue
        assert (status, content_type) == (200, "image/jpeg")
        if fault["fault"] == "truncated_jpeg":
            with pytest.raises(OSError, match="truncated"):
                Image.open(io.BytesIO(body)).load()
        else:
            with pytest.raises(UnidentifiedImageError):
                Image.open(io.BytesIO(body))
    log = server.access_log.read_text()
    assert sum(f["image_path"] in log for f in truth["faulty_images"]) == 6


def test_slow_page_and_disallowed_section(server, site: Path, truth: dict) -> None:
    slow = json.loads((site / "site.json").read_text())["slow_paths"]["acme"][0]
    started = time.perf_counter()
    assert _get(server.base_urls["acme"] + slow[1:])[0] == 200
    assert time.perf_counter() - started >= 1.4
    hidden = [p for p in truth["shops"]["boltbarn"]["products"] if p["disallowed"]]
    index = _get(server.base_urls["boltbarn"] + "clearance/")[2].decode()
    assert all(p["path"] in index for p in hidden)


def test_slow_pages_can_be_switched_off_for_throughput_runs(site: Path) -> None:
    slow = json.loads((site / "site.json").read_text())["slow_paths"]["acme"][0]
    with running_catalog(site, slow_pages=False) as fast:
        started = time.perf_counter()
        assert _get(fast.base_urls["acme"] + slow[1:])[0] == 200
        assert time.perf_counter() - started < 1.0


def test_cli_generate_and_serve_until_sigterm(site: Path) -> None:
    assert main(["generate", "--dir", str(site), "--size", "small"]) == 0
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ilid_platform.demo",
            "serve",
            "--dir",
            str(site),
            "--size",
            "small",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
        assert f"boltbarn  http://127.0.0.2:{port}/" in "".join(lines)
        assert _get(f"http://127.0.0.3:{port}/robots.txt")[0] == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_sources_file_declares_the_shops_and_strips_their_trade_names(truth: dict) -> None:
    sources = {s.name: s for s in load_sources(default_sources_path())}
    assert sorted(sources) == sorted(truth["shops"])
    assert sources["acme"].sitemap_urls and sources["clampco"].browser == "always"
    for name, shop in truth["shops"].items():
        pattern = re.compile(sources[name].trade_name_regex)
        for product in shop["products"]:
            stripped = pattern.sub("", product["name"])
            assert SHOPS[name].brand not in stripped
            assert not any(line in stripped for line in SHOPS[name].lines), stripped
