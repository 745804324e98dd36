"""build_samples and write_shards on a synthetic warehouse with real PNG files."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from PIL import Image

from ilid_platform.captions.rules import RuleCaptioner
from ilid_platform.captions.store import caption_products
from ilid_platform.dataset.layout import WEBDATASET_DIR, shard_files
from ilid_platform.dataset.samples import SAMPLE_COLUMNS, build_samples
from ilid_platform.dataset.shards import webdataset_sample, write_shards
from ilid_platform.warehouse import connect
from ilid_platform_tests.test_captions_store import add_page, create_upstream_tables

SPECS = {"Material": "stainless steel", "Finish": "polished"}


class Warehouse:
    """Pages, images and clusters the way crawl/ and images/ leave them."""

    def __init__(self, con, root: Path) -> None:
        self.con, self.root, self.n = con, root, 0
        create_upstream_tables(con, native_lists=True)

    def png(self) -> str:
        """A new distinct normalised PNG in the store; returns its sha256."""
        self.n += 1
        buffer = io.BytesIO()
        Image.new("RGB", (24, 24), (self.n * 7 % 256, self.n * 13 % 256, 90)).save(buffer, "PNG")
        data = buffer.getvalue()
        sha = hashlib.sha256(data).hexdigest()
        path = self.root / sha[:2] / f"{sha}.ilid512.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return sha

    def product(
        self, source: str, slug: str, name: str, images: list[tuple[str, str]], **page
    ) -> None:
        """`images`: (sha256 or status, representative sha256 or '' for no cluster row)."""
        url = f"http://{source}/p/{slug}"
        image_urls = [f"http://{source}/img/{slug}-{k}.jpg" for k in range(len(images))]
        add_page(
            self.con,
            source,
            url,
            name,
            description=page.pop("description", ""),
            specs=page.pop("specs", SPECS),
            image_urls=image_urls,
            **page,
        )
        for image_url, (sha, representative) in zip(image_urls, images, strict=True):
            if sha == "http_error":
                self.con.execute(
                    "INSERT INTO images (source, page_url, image_url, status, reason) "
                    "VALUES (?, ?, ?, 'http_error', '404')",
                    [source, url, image_url],
                )
                continue
            path = self.root / sha[:2] / f"{sha}.ilid512.png"
            self.con.execute(
                "INSERT INTO images VALUES (?, ?, ?, 'ok', NULL, ?, ?, ?, 24, 24, 'PNG', ?)",
                [source, url, image_url, sha, str(path), str(path), path.stat().st_size],
            )
            if representative:
                self.con.execute(
                    "INSERT OR REPLACE INTO image_clusters VALUES (?, ?, ?, 1)",
                    [sha, f"c-{representative[:12]}", representative],
                )


@pytest.fixture
def warehouse(tmp_path):
    with connect(tmp_path / "warehouse.duckdb") as con:
        w = Warehouse(con, tmp_path / "images")
        con.execute("BEGIN")  # one commit instead of one per row
        a1, a2, c1, c2, g1 = (w.png() for _ in range(5))
        # A: two photos in two clusters. B: a size variant showing A's first photo again.
        w.product("acme", "hex-m8", "Hex nut M8, stainless steel", [(a1, a1), (a2, a2)])
        w.product("acme", "hex-m10", "Hex nut M10, stainless steel", [(a1, a1)])
        # C: another shop, one photo a near duplicate of A's second (same cluster), one own.
        w.product("boltbarn", "1", "Hex nut M12, stainless steel", [(c1, a2), (c2, c2)])
        # W: a washer photographed like A's first photo: another label, so its own sample.
        w.product("boltbarn", "2", "Washer M8, stainless steel", [(a1, a1)])
        w.product("acme", "broken", "Hex nut M6, stainless steel", [("http_error", "")])
        w.product("acme", "unclustered", "Hex nut M5, stainless steel", [(g1, "")])
        w.product("acme", "gone", "Hex nut M4, stainless steel", [(w.png(), "")], gone=True)
        # the page states no material, finish or text: a sample with nulls, as in ILID
        k = w.png()
        w.product("acme", "clamp", "Pipe clamp with rubber insert", [(k, k)], specs={})
        w.product(
            "acme", "kit", "Accessory set for machine frames", [(w.png(), "")], specs={}
        )  # generic label
        for i in range(40):  # enough clusters for every split to be drawn
            sha = w.png()
            w.product("clampco", f"k{i}", f"Star grip knob M{i}, stainless steel", [(sha, sha)])
        con.execute("COMMIT")
        stats = caption_products(con, RuleCaptioner())
        assert stats.by_status == {"ok": 47, "postfiltered": 1}
        yield con, w, {"a1": a1, "a2": a2, "c2": c2, "k": k}


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_samples_collapse_duplicates_and_keep_clusters_in_one_split(warehouse):
    con, _, sha = warehouse
    stats = build_samples(con, ratios=(0.6, 0.2, 0.2), seed=0)
    columns = [r[0] for r in con.execute("DESCRIBE samples").fetchall()]
    assert tuple(columns) == SAMPLE_COLUMNS
    rows = con.execute(
        "SELECT source, url, sha256, label_short, cluster_id, split FROM samples "
        "WHERE source <> 'clampco' ORDER BY source, url, sha256"
    ).fetchall()
    assert [(r[0], r[1].rsplit("/", 1)[1], r[2], r[3]) for r in rows] == sorted(
        [
            ("acme", "hex-m10", sha["a1"], "hex nut"),  # smallest (source, url) of a1's users
            ("acme", "hex-m8", sha["a2"], "hex nut"),
            ("acme", "clamp", sha["k"], "pipe clamp"),
            ("boltbarn", "1", sha["c2"], "hex nut"),
            ("boltbarn", "2", sha["a1"], "washer"),
        ]
    )
    assert stats.samples == 45 and stats.products == 47
    assert stats.dropped == {
        "product_without_ok_image": 1,
        "image_not_clustered": 1,
        "representative_without_png": 0,
        "duplicate_image_and_label": 2,  # hex-m8 on a1, boltbarn/1 on a2
    }
    assert sum(stats.per_split.values()) == 45 and min(stats.per_split.values()) > 0
    assert stats.per_source == {"acme": 3, "boltbarn": 2, "clampco": 40}
    leaking = con.execute(
        "SELECT count(*) FROM (SELECT cluster_id FROM samples GROUP BY 1 "
        "HAVING count(DISTINCT split) > 1)"
    ).fetchone()[0]
    assert leaking == 0
    image_paths = [Path(p) for (p,) in con.execute("SELECT image_path FROM samples").fetchall()]
    assert all(p.is_file() for p in image_paths)

    before = con.execute("SELECT * FROM samples ORDER BY id").fetchall()
    assert build_samples(con, ratios=(0.6, 0.2, 0.2), seed=0) == stats
    assert con.execute("SELECT * FROM samples ORDER BY id").fetchall() == before
    reseeded = build_samples(con, ratios=(0.6, 0.2, 0.2), seed=7)
    assert reseeded.samples == 45
    assert con.execute("SELECT * FROM samples ORDER BY id").fetchall() != before


def test_shards_ilid_json_and_stats_are_complete_and_reproducible(warehouse, tmp_path):
    con, _, _ = warehouse
    build_samples(con, ratios=(0.6, 0.2, 0.2))
    out = tmp_path / "shards"
    stats = write_shards(con, out, shard_size=10)
    per_split = dict(con.execute("SELECT split, count(*) FROM samples GROUP BY 1").fetchall())
    assert stats.samples == 45 and stats.per_split == {s: per_split[s] for s in per_split}
    expected_files = {
        f"{split}-{i:05d}.parquet" for split, n in per_split.items() for i in range(-(-n // 10))
    }
    assert {p.name for p in shard_files(out)} == expected_files
    assert [p.stem for p in shard_files(out, fmt=WEBDATASET_DIR)] == [
        p.stem for p in shard_files(out)
    ]
    assert stats.files == len(expected_files)

    table = pq.read_table(shard_files(out, ["train"])[0])
    assert table.column_names == [
        "id", "image", "url", "label_short", "label_long", "description", "material",
        "material_finish", "source", "split", "cluster_id",
    ]  # fmt: skip
    first = table.slice(0, 1).to_pylist()[0]
    assert first["split"] == "train"
    assert first["image"]["path"] == f"images/{first['id']}.png"
    assert Image.open(io.BytesIO(first["image"]["bytes"])).format == "PNG"
    assert (out / first["image"]["path"]).read_bytes() == first["image"]["bytes"]
    features = json.loads(table.schema.metadata[b"huggingface"])["info"]["features"]
    assert features["image"] == {"_type": "Image"}

    records = json.loads((out / "ilid.json").read_text())
    assert len(records) == 45
    assert set(records[0]) == {
        "id", "image", "url", "label_short", "label_long", "description", "material",
        "material_finish", "source",
    }  # fmt: skip
    assert all((out / r["image"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for r in records)
    summary = json.loads((out / "_stats.json").read_text())
    assert summary["samples"] == 45
    assert sum(s["samples"] for s in summary["shards"]) == 45
    assert summary["per_source"] == {"acme": 3, "boltbarn": 2, "clampco": 40}

    # unstated fields are null everywhere, and the training text leaves them out
    clamp = next(r for r in records if r["url"].endswith("/clamp"))
    assert (clamp["material"], clamp["material_finish"], clamp["description"]) == (None, None, None)
    rows = [r for f in shard_files(out) for r in pq.read_table(f).to_pylist()]
    assert next(r for r in rows if r["id"] == clamp["id"])["material"] is None
    assert con.execute(
        "SELECT count(*) FROM samples WHERE material IS NULL AND url LIKE '%/clamp'"
    ).fetchone() == (1,)
    assert webdataset_sample({**clamp, "split": "train", "cluster_id": "c", "image": {
        "bytes": b"", "path": "x.png"}})["txt"] == b"a photo of a pipe clamp."  # fmt: skip

    tree = _tree(out)
    again = write_shards(con, out, shard_size=10)
    assert _tree(out) == tree
    assert again.fingerprint == stats.fingerprint
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".shards")] == []


def test_empty_splits_still_get_a_shard_and_missing_images_are_counted(warehouse, tmp_path):
    con, w, sha = warehouse
    build_samples(con, ratios=(1, 0, 0))
    (w.root / sha["c2"][:2] / f"{sha['c2']}.ilid512.png").unlink()
    stats = write_shards(con, tmp_path / "out")
    assert stats.per_split == {"train": 44, "val": 0, "test": 0}
    assert stats.missing_images == 1
    assert sorted(p.name for p in shard_files(tmp_path / "out")) == [
        "test-00000.parquet", "train-00000.parquet", "val-00000.parquet",
    ]  # fmt: skip
    assert pq.read_table(tmp_path / "out" / "parquet" / "val-00000.parquet").num_rows == 0
