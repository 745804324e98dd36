"""Radius search against brute force, clustering without chaining, and the warehouse tables."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ilid_platform.cli import main as ilid_main
from ilid_platform.images import embeddings, neighbours
from ilid_platform.images.dedup import (
    DedupConfig,
    cluster,
    cluster_images,
)
from ilid_platform.images.embeddings import cosine_pairs, image_embeddings
from ilid_platform.images.hashing import hash_images, perceptual_hashes
from ilid_platform.images.neighbours import radius_pairs
from ilid_platform.images.store import check_path, original_path
from ilid_platform.tables import IMAGES
from ilid_platform.warehouse import connect

RNG = np.random.default_rng(7)


def flip(hashes: np.ndarray, max_bits: int) -> np.ndarray:
    """Each hash with 0..max_bits random bits flipped."""
    out = hashes.copy()
    for k in range(len(out)):
        for bit in RNG.choice(64, RNG.integers(0, max_bits + 1), replace=False):
            out[k] ^= np.uint64(1) << np.uint64(bit)
    return out


def brute_force(hashes: np.ndarray, threshold: int) -> np.ndarray:
    dist = np.bitwise_count(hashes[:, None] ^ hashes[None, :])
    i, j = np.nonzero(np.triu(dist <= threshold, k=1))
    return np.stack([i, j], axis=1)


@pytest.fixture(scope="module")
def planted() -> np.ndarray:
    """Random hashes with near copies (up to 14 bits apart), exact copies and a large group
    of hashes that agree on their low 32 bits (one huge bucket in several bands)."""
    base = RNG.integers(0, 2**64, 2500, dtype=np.uint64)
    near = flip(base[:400], 14)
    exact = np.repeat(base[400:410], 3)
    shared_low = (RNG.integers(0, 2**32, 300, dtype=np.uint64) << np.uint64(32)) | np.uint64(
        0xDEADBEEF
    )
    hashes = np.concatenate([base, near, exact, shared_low, flip(shared_low[:50], 6)])
    return hashes[RNG.permutation(len(hashes))]


@pytest.mark.parametrize("threshold", range(13))
def test_radius_pairs_equals_brute_force(planted: np.ndarray, threshold: int) -> None:
    expected = brute_force(planted, threshold)
    for method in ("auto", "mih", "brute"):
        found = radius_pairs(planted, threshold, method=method)
        assert found.dtype == np.int64 and found.shape[1] == 2
        np.testing.assert_array_equal(found, expected, err_msg=f"{method} t={threshold}")
    assert len(expected) >= 30 or threshold == 0


def test_radius_pairs_edge_cases() -> None:
    assert radius_pairs(np.array([], np.uint64), 5).shape == (0, 2)
    same = np.full(4, 2**63 + 5, np.uint64)
    assert radius_pairs(same, 0).tolist() == [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]
    assert len(radius_pairs(RNG.integers(0, 2**64, 50, dtype=np.uint64), 64)) == 50 * 49 // 2


def test_cluster_does_not_chain() -> None:
    a = np.uint64(0)
    b = np.uint64((1 << 8) - 1)  # 8 bits from a
    c = np.uint64((1 << 16) - 1)  # 8 bits from b, 16 from a
    reps = cluster(np.array([a, b, c], np.uint64), threshold=10)
    assert reps.tolist() == [0, 0, 2]
    # preference decides who leads: with c first, b joins c and a stands alone
    assert cluster(np.array([a, b, c], np.uint64), 10, preference=[2, 1, 0]).tolist() == [0, 2, 2]


def test_cluster_planted_groups() -> None:
    centres = np.array([np.uint64(0), ~np.uint64(0)])
    centres = np.concatenate([centres, RNG.integers(0, 2**64, 40, dtype=np.uint64)])
    members = np.concatenate([flip(np.repeat(centres, 6), 3), centres])
    group = np.concatenate([np.repeat(np.arange(len(centres)), 6), np.arange(len(centres))])
    order = RNG.permutation(len(members))
    members, group = members[order], group[order]
    reps = cluster(members, threshold=8)
    dist = np.bitwise_count(members ^ members[reps])
    assert (dist <= 8).all(), "every member is within the threshold of its representative"
    for g in range(len(centres)):
        assert len(set(reps[group == g])) == 1, "a planted group is one cluster"
    assert len(set(reps)) == len(centres)
    assert (reps[reps] == reps).all(), "a representative represents itself"


def product_photo(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (640, 480), (240, 240, 235))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.integers(0, 560), rng.integers(0, 400)
        w, h = rng.integers(30, 200, 2)
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x, y, x + w, y + h), fill=colour)
    return img


def encode(img: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **params)
    return buffer.getvalue()


def test_cluster_images_groups_a_recompressed_copy(tmp_path: Path) -> None:
    original = product_photo(1)
    files = {
        "original": encode(original, "PNG"),
        "copy": encode(original.resize((320, 240), Image.Resampling.BILINEAR), "JPEG", quality=40),
        "cropped": encode(original.crop((10, 8, 630, 472)).resize((400, 300)), "JPEG", quality=60),
        "other": encode(product_photo(2), "PNG"),
        "third": encode(product_photo(3), "JPEG", quality=90),
    }
    shas = {}
    with connect(tmp_path / "w.duckdb") as con:
        IMAGES.ensure(con)
        for name, data in files.items():
            sha = hashlib.sha256(data).hexdigest()
            fmt = "png" if data.startswith(b"\x89PNG") else "jpeg"
            path = original_path(tmp_path, sha, fmt)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
            for source in ("acme", "boltbarn"):  # the same image in two catalogs
                con.execute(
                    "INSERT INTO images (source, page_url, image_url, status, sha256, path, "
                    "width, height, format, bytes) VALUES (?, ?, ?, 'ok', ?, ?, ?, ?, ?, ?)",
                    [source, name, name, sha, str(path), width, height, fmt, len(data)],
                )
            shas[name] = sha
        assert hash_images(con, tmp_path) == 5
        stats = cluster_images(con, DedupConfig(threshold=10), store_root=tmp_path)
        rows = con.execute("SELECT * FROM image_clusters ORDER BY 1").fetchall()
        table = {sha: rest for sha, *rest in rows}
        assert stats.images == 5 and stats.clusters == 3 and stats.multi_image_clusters == 1
        assert stats.largest_cluster == 3
        cluster_id, representative, size = table[shas["copy"]]
        assert table[shas["original"]] == table[shas["cropped"]] == [cluster_id, representative, 3]
        assert representative == shas["original"], "the image with most duplicates leads"
        assert cluster_id == shas["original"][:16]
        assert table[shas["other"]][1] == shas["other"] and table[shas["other"]][2] == 1

        checks = con.execute("SELECT * FROM image_pair_checks ORDER BY 1, 2").fetchall()
        assert stats.checked_pairs == len(checks) == stats.candidate_pairs >= 3
        assert all(check_path(tmp_path, shas[name]).exists() for name in ("original", "copy")), (
            "the check's view of each image is kept in the store"
        )
        assert sum(same for *_, same, _, _, _ in checks) == stats.confirmed_pairs == 3

        # Rewriting is deterministic, checks no pair again and adds nothing.
        again = cluster_images(con, DedupConfig(threshold=10))
        assert con.execute("SELECT * FROM image_clusters ORDER BY 1").fetchall() == rows
        assert con.execute("SELECT * FROM image_pair_checks ORDER BY 1, 2").fetchall() == checks
        assert again.checked_pairs == 0 and hash_images(con, tmp_path) == 0

        # The embedding pass reads the stored originals (cosine -1: every pair is a candidate);
        # the pixel check still decides, unless it is off.
        everything = DedupConfig(threshold=0, embedding_model="ilid-tiny", threshold_cos=-1)
        stats = cluster_images(con, everything)
        assert stats.embedding_pairs == stats.candidate_pairs == 5 * 4 // 2
        assert stats.checked_pairs == 10 - len(checks) and stats.clusters == 3
        stats = cluster_images(con, replace(everything, verify=False))
        assert stats.clusters == 1 and stats.confirmed_pairs == 10
        assert con.execute("SELECT count(DISTINCT cluster_id) FROM image_clusters").fetchall() == [
            (1,)
        ]

    def phash(name: str) -> int:
        with Image.open(io.BytesIO(files[name])) as img:
            return perceptual_hashes(img)[0]

    assert 0 < bin(phash("original") ^ phash("cropped")).count("1") <= 10, "a near, not exact, pair"


@pytest.mark.parametrize("scale", [10_000, 1_000_000])
def test_large_scale_plans_on_small_input(planted: np.ndarray, scale: int) -> None:
    """The band layouts chosen for big inputs are exact too (checked here on small input)."""
    values = np.unique(planted)
    bands = neighbours._plan(scale, 10)
    i, j = neighbours._mih_unique_pairs(values, 10, bands)
    found = np.stack([i, j], axis=1)
    found = found[np.lexsort((found[:, 1], found[:, 0]))]
    np.testing.assert_array_equal(found, brute_force(values, 10))


def test_extra_pairs_merge_only_through_the_representative() -> None:
    """Embedding pairs A~B and B~C between pHash-distant images: B joins A, C does not."""
    far = np.array([0, 2**64 - 1, 0x00000000FFFFFFFF, 0x0F0F0F0F0F0F0F0F], np.uint64)
    assert cluster(far, 10).tolist() == [0, 1, 2, 3]
    chain = np.array([[0, 1], [1, 2]])
    assert cluster(far, 10, extra_pairs=chain).tolist() == [0, 0, 2, 3]
    assert cluster(far, 10, preference=[1, 0, 2, 3], extra_pairs=chain).tolist() == [1, 1, 1, 3]
    # a pair inside one pHash value, or listed twice, changes nothing
    same = np.array([5, 5, 2**63], np.uint64)
    pairs = np.array([[0, 1], [1, 0], [0, 2], [2, 0]])
    assert cluster(same, 3, extra_pairs=pairs).tolist() == [0, 0, 0]


def test_cosine_pairs_equals_brute_force(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "_BLOCK", 64)  # several blocks, and a ragged last one
    vectors = RNG.normal(size=(300, 16)).astype(np.float32)
    vectors[150:200] = vectors[:50] + RNG.normal(scale=0.05, size=(50, 16))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = vectors @ vectors.T
    i, j = np.nonzero(np.triu(sims >= 0.95, k=1))
    found = cosine_pairs(vectors, 0.95)
    np.testing.assert_array_equal(found, np.stack([i, j], axis=1))
    assert len(found) >= 50


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Photos, a near copy in a subfolder, and every kind of file that is no readable image."""
    root = tmp_path / "photos"
    original = product_photo(1)
    good = encode(original, "JPEG", quality=95)
    write(root / "a" / "original.jpg", good)
    near = original.crop((10, 8, 630, 472)).resize((400, 300))  # 1..10 bits away, see above
    write(root / "a" / "b" / "copy.jpg", encode(near, "JPEG", quality=60))
    write(root / "other.png", encode(product_photo(2), "PNG"))
    rgba = product_photo(3).convert("RGBA")
    write(root / "third.png", encode(rgba, "PNG"))
    write(root / "notes.txt", b"not an image")
    write(root / "page.jpg", b"<!DOCTYPE html><html><body>moved</body></html>")
    write(root / "truncated.jpg", good[: len(good) // 3])
    write(root / "empty.png", b"")
    write(root / ".hidden" / "skipped.jpg", good)
    return root


def test_dedup_cli_writes_relative_clusters_and_reasons(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "clusters.json"
    assert ilid_main(["dedup", str(folder), "-o", str(out), "--threshold", "10"]) == 0
    document = json.loads(out.read_text())
    assert document["images"] == 4 and document["threshold"] == 10
    pair = ["a/original.jpg", "a/b/copy.jpg"]  # representative (more pixels) first
    assert document["clusters"] == [pair, ["other.png"], ["third.png"]]
    reasons = {entry["path"]: entry["reason"] for entry in document["unreadable"]}
    assert reasons.pop("truncated.jpg").startswith("decode error: OSError: image file is trunc")
    assert reasons == {
        "empty.png": "not an image: empty body",
        "notes.txt": "not an image: unknown signature 6e6f7420616e2069",
        "page.jpg": "not an image: html document",
    }

    strict = tmp_path / "strict.json"
    assert ilid_main(["dedup", str(folder), "-o", str(strict), "--threshold", "0"]) == 0
    clusters = json.loads(strict.read_text())["clusters"]
    assert sorted(clusters) == [["a/b/copy.jpg"], ["a/original.jpg"], ["other.png"], ["third.png"]]

    with pytest.raises(SystemExit):
        ilid_main(["dedup", str(folder / "missing"), "-o", str(strict)])


def test_dedup_cli_embedding_pass_runs_open_clip(folder: Path, tmp_path: Path) -> None:
    """A real (randomly initialised) open_clip model: a cosine threshold of -1 pairs every two
    images, so the representative check leaves one cluster led by the largest image."""
    out = tmp_path / "clusters.json"
    argv = ["dedup", str(folder), "-o", str(out), "--threshold", "0", "--embeddings"]
    argv += ["--model", "ilid-tiny", "--threshold-cos", "-1"]
    assert ilid_main([*argv, "--no-verify"]) == 0
    document = json.loads(out.read_text())
    assert document["embeddings"] and document["embedding_pairs"] == 4 * 3 // 2
    assert document["clusters"] == [["a/original.jpg", "a/b/copy.jpg", "other.png", "third.png"]]
    # with the pixel check, the embedding's pairs are only candidates
    assert ilid_main(argv) == 0
    document = json.loads(out.read_text())
    assert document["verified"] and document["candidate_pairs"] == 6
    assert document["confirmed_pairs"] == 1 and len(document["clusters"]) == 3

    paths = [folder / "a" / "original.jpg", folder / "other.png", folder / "a" / "original.jpg"]
    vectors = image_embeddings(paths, "ilid-tiny")
    assert vectors.shape == (3, 128) and np.allclose(np.linalg.norm(vectors, axis=1), 1)
    assert vectors[0] @ vectors[2] > 0.9999, "the same image embeds the same"
