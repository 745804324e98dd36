"""caption_products on a real DuckDB file: statuses, reasons, no re-captioning, resume.

The tables other stages own are created here with the contract's columns
(`UPSTREAM_DDL`, lists as JSON text) or, for `pages`, the crawl's real table (`PAGES`, lists
kept natively).
The dataset tests reuse these helpers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import duckdb
import pytest

from ilid_platform.captions.rules import RULES_VERSION, RuleCaptioner
from ilid_platform.captions.schema import CaptionOutcome, ProductText
from ilid_platform.captions.store import caption_products
from ilid_platform.captions.upstream import UpstreamTableError
from ilid_platform.tables import PAGES, insert_rows
from ilid_platform.warehouse import connect
from ilid_platform_tests.test_captions_ollama import VALID, OllamaStub, Reply, ollama_stub

UPSTREAM_DDL = {
    "pages": """CREATE TABLE pages (source VARCHAR NOT NULL, url VARCHAR NOT NULL,
        name VARCHAR, description VARCHAR, specs VARCHAR, breadcrumbs VARCHAR,
        image_urls VARCHAR, sku VARCHAR, brand VARCHAR, extraction VARCHAR, record_hash VARCHAR,
        gone BOOLEAN, PRIMARY KEY (source, url))""",
    "images": """CREATE TABLE images (source VARCHAR NOT NULL, page_url VARCHAR NOT NULL,
        image_url VARCHAR NOT NULL, status VARCHAR NOT NULL, reason VARCHAR, sha256 VARCHAR,
        path VARCHAR, normalised_path VARCHAR, width INTEGER, height INTEGER, format VARCHAR,
        bytes BIGINT, PRIMARY KEY (source, page_url, image_url))""",
    "image_clusters": """CREATE TABLE image_clusters (sha256 VARCHAR PRIMARY KEY,
        cluster_id VARCHAR NOT NULL, representative_sha256 VARCHAR NOT NULL,
        cluster_size BIGINT NOT NULL)""",
}


def create_upstream_tables(con: duckdb.DuckDBPyConnection, native_lists: bool = False) -> None:
    """The contract's columns; with `native_lists`, the crawl's real `pages` table."""
    for table, ddl in UPSTREAM_DDL.items():
        if native_lists and table == "pages":
            PAGES.ensure(con)
        else:
            con.execute(ddl)


def add_page(con: duckdb.DuckDBPyConnection, source: str, url: str, name: str, **fields) -> None:
    """Insert or replace one `pages` row, JSON-encoding lists unless the table keeps them."""
    native = (
        con.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'pages' AND column_name = 'image_urls'"
        )
        .fetchone()[0]
        .endswith("[]")
    )
    crumbs, images = list(fields.get("breadcrumbs", [])), list(fields.get("image_urls", []))
    if native:
        seen = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
        row = {
            "source": source, "url": url, "name": name,
            "description": fields.get("description", ""),
            "specs": json.dumps(fields.get("specs", {})), "breadcrumbs": crumbs,
            "image_urls": images, "image_fallbacks": list(fields.get("image_fallbacks", [])),
            "sku": fields.get("sku"), "brand": fields.get("brand"),
            "title": fields.get("title", ""), "extraction": "test", "rendered": False,
            "http_status": 200, "fetched_at": seen,
            "record_hash": f"hash-{url}", "first_seen": seen, "last_seen": seen,
            "gone": fields.get("gone", False),
        }  # fmt: skip
        insert_rows(con, PAGES, [row], mode="replace")
        return
    con.execute(
        "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'test', ?, ?)",
        [
            source,
            url,
            name,
            fields.get("description", ""),
            json.dumps(fields.get("specs", {})),
            json.dumps(crumbs),
            json.dumps(images),
            fields.get("sku"),
            fields.get("brand"),
            f"hash-{url}",
            fields.get("gone", False),
        ],
    )


HEX_NUT = {
    "description": "FixMaster Pro hex nuts lock bolts in machine frames. Rust free outdoors.",
    "specs": {"Material": "Stainless steel A2", "Finish": "Polished"},
    "breadcrumbs": ["Home", "Fasteners", "Hex nuts"],
    "image_urls": ["http://acme/img/hex.jpg"],
    "sku": "AC-HN-1",
}


def _snapshot(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT * FROM captions ORDER BY source, url").fetchall()


@pytest.mark.parametrize("native_lists", [False, True], ids=["json-text", "native-lists"])
def test_rule_captions_statuses_reasons_and_no_rework(tmp_path, native_lists):
    with connect(tmp_path / "warehouse.duckdb") as con:
        create_upstream_tables(con, native_lists)
        add_page(con, "acme", "http://acme/p/hex", "FixMaster Pro Hex Nut M8 DIN 934", **HEX_NUT)
        add_page(
            con,
            "acme",
            "http://acme/p/noimg",
            "Washer M8 DIN 125, brass, polished",
            **{**HEX_NUT, "image_urls": []},
        )
        add_page(con, "acme", "http://acme/category/nuts", "Hex nuts", **HEX_NUT)
        add_page(
            con,
            "acme",
            "http://acme/p/clamp",
            "Pipe clamp with rubber insert, zinc plated",
            image_urls=["http://acme/img/clamp.jpg"],
            breadcrumbs=["Home", "Pipe clamps"],
        )
        add_page(con, "acme", "http://acme/p/gone", "Hex Nut M10, brass", **HEX_NUT, gone=True)
        add_page(con, "boltbarn", "http://bb/p/1", "Hex nut M8, brass", **HEX_NUT)
        captioner = RuleCaptioner(trade_name_regex=r"(?i)\bfixmaster(?: pro)?\b")

        first = caption_products(con, captioner, source="acme", progress=lambda m: None)
        assert (first.pages, first.captioned, first.reused) == (4, 2, 0)
        assert first.by_status == {"ok": 2, "prefiltered": 2}
        assert first.rejects == {"no_image": 1, "category_page": 1}
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT url, status, label_short, label_long, material, material_finish, "
                "captioner, model, prompt_version FROM captions"
            ).fetchall()
        }
        assert set(rows) == {
            "http://acme/p/hex", "http://acme/p/noimg", "http://acme/category/nuts",
            "http://acme/p/clamp",
        }  # fmt: skip
        assert rows["http://acme/p/hex"][:5] == (
            "ok", "hex nut", "hex nut, stainless steel", "stainless steel", "polished"
        )  # fmt: skip
        assert rows["http://acme/p/hex"][5:] == ("rules", captioner.model, RULES_VERSION)
        # no material stated: kept with a null, as ILID's post-filter keeps it
        assert rows["http://acme/p/clamp"][:5] == (
            "ok", "pipe clamp", "pipe clamp with rubber insert, zinc plated", None, "zinc plated"
        )  # fmt: skip

        before = _snapshot(con)
        again = caption_products(con, captioner, source="acme")
        assert (again.captioned, again.reused, again.written) == (0, 4, 0)
        assert _snapshot(con) == before

        add_page(
            con,
            "acme",
            "http://acme/p/hex",
            "FixMaster Pro Hex Nut M8 DIN 934",
            **{**HEX_NUT, "description": "Hexagon nut for machine frames and steel beams."},
        )
        add_page(
            con, "acme", "http://acme/p/noimg", "Washer M8 DIN 125, brass, polished", **HEX_NUT
        )
        changed = caption_products(con, captioner, source="acme")
        # the hex nut's old text was on most of the shop's pages; now that it is not, what
        # the site shares changed (the model identity with it), so every product is redone
        assert (changed.captioned, changed.reused) == (3, 0)
        assert changed.by_status == {"ok": 3, "prefiltered": 1}
        assert con.execute(
            "SELECT description FROM captions WHERE url = 'http://acme/p/hex'"
        ).fetchone() == ("Hexagon nut for machine frames and steel beams.",)

        everything = caption_products(con, RuleCaptioner(), source=None)
        assert everything.pages == 5
        assert everything.captioned == 4  # another model identity redoes all, boltbarn included
        assert con.execute("SELECT count(*) FROM captions").fetchone()[0] == 5

        strict = caption_products(con, RuleCaptioner(), source="acme", require_all_fields=True)
        assert strict.captioned == 3  # the strict rule is part of a caption's identity
        # the washer's text is the category page's too, so it describes neither: no description
        assert strict.by_status == {"ok": 1, "prefiltered": 1, "postfiltered": 2}
        assert strict.rejects == {"category_page": 1, "missing_fields": 2}


class _KilledAfter:
    """A captioner that dies (like a killed process) after `n` captions."""

    name, model, prompt_version, trade_name_regex = "rules", RULES_VERSION, RULES_VERSION, None

    def __init__(self, n: int) -> None:
        self.n = n
        self.rules = RuleCaptioner()

    def prepare(self, products: Iterable[ProductText]) -> None:
        self.rules.prepare(products)
        self.model = self.rules.model

    def caption_many(
        self, products: Iterable[ProductText]
    ) -> Iterator[tuple[ProductText, CaptionOutcome]]:
        for i, pair in enumerate(self.rules.caption_many(products)):
            if i == self.n:
                raise KeyboardInterrupt
            yield pair


def test_killed_run_keeps_finished_batches_and_resumes(tmp_path):
    with connect(tmp_path / "warehouse.duckdb") as con:
        create_upstream_tables(con)
        for i in range(30):
            add_page(con, "acme", f"http://acme/p/{i:02d}", f"Hex nut M{i}, brass", **HEX_NUT)
        with pytest.raises(KeyboardInterrupt):
            caption_products(con, _KilledAfter(21), batch_size=5)
        assert con.execute("SELECT count(*) FROM captions").fetchone()[0] == 20
        resumed = caption_products(con, RuleCaptioner(), batch_size=5)
        assert (resumed.captioned, resumed.reused) == (10, 20)
        assert resumed.by_status == {"ok": 30}


def test_ollama_captions_are_not_requested_again_for_unchanged_input(tmp_path):
    from ilid_platform.captions.ollama_captioner import OllamaCaptioner

    failing = "Washer"
    script = lambda body, n: (  # noqa: E731
        Reply(status=500) if failing in body["messages"][-1]["content"] else Reply()
    )
    with connect(tmp_path / "warehouse.duckdb") as con, ollama_stub(OllamaStub(script)) as stub:
        create_upstream_tables(con)
        add_page(con, "acme", "http://acme/p/1", "Hex nut M8, stainless steel", **HEX_NUT)
        add_page(con, "acme", "http://acme/p/2", "Hex nut M10, stainless steel", **HEX_NUT)
        add_page(con, "acme", "http://acme/p/3", "Washer M8, stainless steel", **HEX_NUT)
        captioner = OllamaCaptioner(host=stub.url, retries=1, backoff_s=0.01, timeout_s=5)

        first = caption_products(con, captioner)
        assert first.by_status == {"ok": 2, "llm_error": 1}
        assert first.rejects == {"llm_http_500": 1}
        assert len(stub.chats) == 2 + 2  # the failing product was tried twice
        assert con.execute(
            "SELECT label_short, captioner, model FROM captions WHERE url = 'http://acme/p/1'"
        ).fetchone() == (VALID["label_short"], "ollama", captioner.model)

        failing = "nothing fails now"
        second = caption_products(con, captioner)
        assert len(stub.chats) == 5  # only the llm_error row is asked again
        assert (second.captioned, second.reused, second.by_status) == (1, 2, {"ok": 3})

        caption_products(con, captioner)
        assert len(stub.chats) == 5
        add_page(con, "acme", "http://acme/p/2", "Hex nut M12, stainless steel", **HEX_NUT)
        caption_products(con, captioner)
        assert len(stub.chats) == 6


def test_missing_pages_table_is_a_clear_error(tmp_path):
    with connect(tmp_path / "warehouse.duckdb") as con:
        with pytest.raises(UpstreamTableError, match="table 'pages' does not exist"):
            caption_products(con, RuleCaptioner())
        con.execute("CREATE TABLE pages (source VARCHAR, url VARCHAR, name VARCHAR)")
        with pytest.raises(UpstreamTableError, match="lacks columns"):
            caption_products(con, RuleCaptioner())
