"""The `pages` table, JSON-lines loading, records and the sources file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ilid_platform.crawl.records import ProductRecord
from ilid_platform.crawl.sources import (
    SourceError,
    default_sources_path,
    get_source,
    load_sources,
)
from ilid_platform.crawl.store import load_records, store_pages
from ilid_platform.warehouse import connect


def record(n: int, **changes: object) -> ProductRecord:
    fields = {
        "source": "acme",
        "url": f"http://shop.test/p/{n}.html",
        "name": f"Bolt {n}",
        "description": "A bolt.",
        "specs": {"Material": "Steel", "Finish": "Zinc"},
        "breadcrumbs": ["Home", "Bolts"],
        "image_urls": [f"http://shop.test/img/{n}.jpg"],
        "sku": f"B-{n}",
        "extraction": "json-ld",
        "fetched_at": "2026-01-01T00:00:00+00:00",
    }
    return ProductRecord(**{**fields, **changes})


def test_record_hash_ignores_fetch_metadata() -> None:
    first = record(1)
    later = record(
        1,
        fetched_at="2026-02-01T00:00:00+00:00",
        http_status=304,
        rendered=True,
        etag='"v2"',
        last_modified="Sun, 01 Feb 2026 00:00:00 GMT",
        lastmod="2026-02-01",
    )
    assert first.record_hash == later.record_hash
    assert first.record_hash != record(1, name="Bolt one").record_hash
    assert ProductRecord.model_validate_json(first.model_dump_json()) == first


def test_store_pages_is_idempotent_and_marks_gone(tmp_path: Path) -> None:
    with connect(tmp_path / "warehouse.duckdb") as con:
        batch = [record(n) for n in range(1, 5)]
        assert store_pages(con, "acme", batch) == {
            "inserted": 4,
            "updated": 0,
            "unchanged": 0,
            "gone": 0,
        }
        assert store_pages(con, "acme", batch) == {
            "inserted": 0,
            "updated": 0,
            "unchanged": 4,
            "gone": 0,
        }
        assert con.execute("SELECT count(*) FROM pages").fetchone()[0] == 4

        later = "2026-03-01T00:00:00+00:00"
        recrawl = [
            record(1, fetched_at=later),
            record(2, fetched_at=later, specs={"Material": "Brass"}),
            record(5, fetched_at=later),
        ]
        assert store_pages(con, "acme", recrawl) == {
            "inserted": 1,
            "updated": 1,
            "unchanged": 1,
            "gone": 2,
        }
        rows = con.execute(
            "SELECT url, gone, specs, breadcrumbs, image_urls, first_seen < last_seen"
            " FROM pages ORDER BY url"
        ).fetchall()
        assert [(r[0][-6:], r[1]) for r in rows] == [
            ("1.html", False),
            ("2.html", False),
            ("3.html", True),
            ("4.html", True),
            ("5.html", False),
        ]
        assert json.loads(rows[1][2]) == {"Material": "Brass"}
        assert rows[0][3] == ["Home", "Bolts"] and rows[0][4] == ["http://shop.test/img/1.jpg"]
        assert [r[5] for r in rows] == [True, True, False, False, False]

        # A product that comes back is revived; a partial crawl marks nothing gone.
        assert store_pages(con, "acme", [record(3, fetched_at=later)], full_crawl=False) == {
            "inserted": 0,
            "updated": 1,
            "unchanged": 0,
            "gone": 0,
        }
        # An empty full crawl is an outage, not an empty catalog.
        assert store_pages(con, "acme", [])["gone"] == 0
        assert con.execute("SELECT count(*) FILTER (WHERE gone) FROM pages").fetchone()[0] == 1

        other = record(1, source="boltbarn")
        assert store_pages(con, "boltbarn", [other])["inserted"] == 1
        with pytest.raises(ValueError, match="boltbarn"):
            store_pages(con, "acme", [other])


def test_pages_of_an_older_warehouse_gain_the_title_column(tmp_path: Path) -> None:
    """A warehouse written before `title` existed gets the column on the next crawl; its rows
    read as no title, and a record without one hashes as it did before the field."""
    path = tmp_path / "warehouse.duckdb"
    with connect(path) as con:
        store_pages(con, "acme", [record(1)])
        con.execute("ALTER TABLE pages DROP COLUMN title")  # the table as it was
        assert store_pages(con, "acme", [record(1), record(2, title="Hex Bolts")])["inserted"] == 1
        rows = con.execute("SELECT url, title FROM pages ORDER BY url").fetchall()
    assert rows == [("http://shop.test/p/1.html", None), ("http://shop.test/p/2.html", "Hex Bolts")]
    without = record(1).model_dump(exclude={"title", "record_hash"})
    assert record(1).record_hash == ProductRecord(**without).record_hash
    assert record(1, title="Hex Bolts").record_hash != record(1).record_hash


def test_load_records_reports_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text(record(1).model_dump_json() + "\n\n" + record(2).model_dump_json() + "\n")
    assert [r.sku for r in load_records(path)] == ["B-1", "B-2"]
    path.write_text(record(1).model_dump_json() + "\n{broken\n")
    with pytest.raises(ValueError, match=r"out.jsonl:2"):
        load_records(path)


def test_sources_file_env_expansion_defaults_and_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        """
sources:
  - name: acme
    start_urls: ["http://127.0.0.1:${DEMO_PORT:-8700}/"]
    browser: auto
    selectors: {name: "h1.title"}
    politeness: {download_delay: "${DELAY:-1.5}", obey_robots: true}
  - name: boltbarn
    sitemap_urls: ["http://127.0.0.2:${DEMO_PORT:-8700}/sitemap.xml"]
    allowed_domains: ["127.0.0.2:8700", "https://cdn.example/"]
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("DEMO_PORT", "9911")
    acme, boltbarn = load_sources(path)
    assert acme.start_urls == ["http://127.0.0.1:9911/"]
    assert acme.allowed_domains == ["127.0.0.1"]
    assert acme.politeness.download_delay == 1.5
    assert acme.politeness.concurrency_per_domain == 4
    assert boltbarn.allowed_domains == ["127.0.0.2", "cdn.example"]
    assert get_source(path, "boltbarn").sitemap_urls == ["http://127.0.0.2:9911/sitemap.xml"]
    with pytest.raises(SourceError, match="unknown source 'nope'.*acme, boltbarn"):
        get_source(path, "nope")

    path.write_text("sources: [name: x\n", encoding="utf-8")
    with pytest.raises(SourceError, match="invalid YAML"):
        load_sources(path)
    path.write_text("- name: x\n  start_urls: [/relative]\n", encoding="utf-8")
    with pytest.raises(SourceError, match="not an absolute"):
        load_sources(path)
    path.write_text("- {name: x, start_urls: ['http://a/'], selectors: {price: '.p'}}\n")
    with pytest.raises(SourceError, match="unknown selector fields"):
        load_sources(path)

    monkeypatch.setenv("ILID_SOURCES", str(path))
    assert default_sources_path() == path
    monkeypatch.delenv("ILID_SOURCES")
    assert default_sources_path().parts[-2:] == ("demo", "sources.yaml")
