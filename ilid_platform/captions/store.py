"""Caption every live product in `pages` into the `captions` table, resumably.

A product is captioned again only when its (captioner, model, prompt_version, input_hash)
differs from the stored row, or when its stored row is an `llm_error` (a transient failure that
is worth another try). Rows are written in small batches as captions arrive, so a killed run
keeps everything finished before the kill and the next run picks up the rest.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

from ilid_platform.captions.filters import post_filter, pre_filter, trade_name_pattern
from ilid_platform.captions.prompt import input_hash
from ilid_platform.captions.schema import CAPTION_FIELDS, Captioner, ProductText
from ilid_platform.captions.upstream import require_columns
from ilid_platform.tables import CAPTIONS, insert_rows

logger = logging.getLogger(__name__)

STATUSES = ("ok", "prefiltered", "postfiltered", "llm_error")
# Outcomes that a rerun with the same input would only repeat.
FINAL_STATUSES = frozenset({"ok", "postfiltered"})


@dataclass
class CaptionStats:
    """What one run did (`captioned`, `reused`) and what the table now holds for the run's
    products (`by_status`, `rejects` counted by reason code)."""

    pages: int = 0
    captioned: int = 0
    reused: int = 0
    written: int = 0
    elapsed_s: float = 0.0
    by_status: dict[str, int] = field(default_factory=dict)
    rejects: dict[str, int] = field(default_factory=dict)


def _json(value: object, default: object) -> object:
    """`specs` arrives as JSON text and the lists natively (`VARCHAR[]`); accept JSON text for
    lists too, as a warehouse that stored them as text would hold them."""
    if value is None or value == "":
        return default
    return json.loads(value) if isinstance(value, str) else value


def read_products(con: duckdb.DuckDBPyConnection, source: str | None = None) -> list[ProductText]:
    """Live (not gone) products of one source, or of all, in a stable order."""
    where = "WHERE gone IS NOT TRUE" + (" AND source = ?" if source is not None else "")
    # a warehouse the crawl has not written since `title` was added lacks the column
    has_title = con.execute(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'pages' AND column_name = 'title'"
    ).fetchone()[0]
    rows = con.execute(
        "SELECT source, url, name, description, specs, breadcrumbs, image_urls, sku, brand, "
        f"{'title' if has_title else 'NULL'} FROM pages {where} ORDER BY source, url",
        [source] if source is not None else [],
    ).fetchall()
    products = []
    for src, url, name, description, specs, crumbs, image_urls, sku, brand, title in rows:
        products.append(
            ProductText(
                source=src,
                url=url,
                name=name or "",
                description=description or "",
                specs={str(k): str(v) for k, v in dict(_json(specs, {})).items()},
                breadcrumbs=tuple(str(c) for c in _json(crumbs, [])),
                image_urls=tuple(str(u) for u in _json(image_urls, [])),
                sku=sku,
                brand=brand,
                title=title or "",
            )
        )
    return products


def caption_products(
    con: duckdb.DuckDBPyConnection,
    captioner: Captioner,
    source: str | None = None,
    progress: Callable[[str], None] | None = None,
    batch_size: int = 32,
    require_all_fields: bool = False,
) -> CaptionStats:
    """Pre-filter, caption and post-filter the live products of `source` (all when None).
    `require_all_fields` rejects captions without material, finish or description (stricter
    than ILID, which keeps them with nulls)."""
    started = time.monotonic()
    report = progress or logger.info
    require_columns(con, "pages")
    CAPTIONS.ensure(con)
    products = read_products(con, source)
    stored = {
        (row[0], row[1]): row[2:]
        for row in con.execute(
            "SELECT source, url, status, reason, captioner, model, prompt_version, input_hash "
            "FROM captions" + (" WHERE source = ?" if source is not None else ""),
            [source] if source is not None else [],
        ).fetchall()
    }
    stats = CaptionStats(pages=len(products))
    prepare = getattr(captioner, "prepare", None)
    if prepare is not None:  # a captioner that reads what a site's pages share
        prepare(products)
    identity = (captioner.name, captioner.model, captioner.prompt_version)

    def row(
        product: ProductText,
        digest: str,
        status: str,
        reason: str | None,
        fields: Mapping[str, str] | None = None,
    ) -> dict:
        return {
            "source": product.source,
            "url": product.url,
            **{name: (fields or {}).get(name) for name in CAPTION_FIELDS},
            "status": status,
            "reason": reason,
            "captioner": identity[0],
            "model": identity[1],
            "prompt_version": identity[2],
            "input_hash": digest,
            "created_at": datetime.now(UTC).replace(tzinfo=None),
        }

    prefiltered: list[dict] = []
    todo: dict[tuple[str, str], str] = {}
    to_caption: list[ProductText] = []
    for product in products:
        digest = input_hash(captioner.prompt_version, captioner.model, product, require_all_fields)
        previous = stored.get((product.source, product.url))
        same_input = previous is not None and tuple(previous[2:]) == (*identity, digest)
        reason = pre_filter(product)
        if reason is not None:
            if same_input and previous[:2] == ("prefiltered", reason):
                stats.reused += 1
            else:
                prefiltered.append(row(product, digest, "prefiltered", reason))
        elif same_input and previous[0] in FINAL_STATUSES:
            stats.reused += 1
        else:
            todo[(product.source, product.url)] = digest
            to_caption.append(product)
    insert_rows(con, CAPTIONS, prefiltered, mode="replace")
    stats.written += len(prefiltered)
    report(
        f"captions: {len(products)} live products, {stats.reused} unchanged, "
        f"{len(prefiltered)} newly pre-filtered, {len(to_caption)} to caption with "
        f"{captioner.name}/{captioner.model}"
    )

    batch: list[dict] = []
    for product, outcome in captioner.caption_many(to_caption):
        digest = todo[(product.source, product.url)]
        if outcome.error is not None:
            batch.append(row(product, digest, "llm_error", outcome.error))
        else:
            trade_names = trade_name_pattern(captioner.trade_name_regex, product.brand)
            caption, reason = post_filter(outcome.fields or {}, trade_names, require_all_fields)
            fields = caption.model_dump() if caption is not None else outcome.fields
            status = "ok" if caption is not None else "postfiltered"
            batch.append(row(product, digest, status, reason, fields))
        stats.captioned += 1
        if len(batch) >= batch_size:
            insert_rows(con, CAPTIONS, batch, mode="replace")
            stats.written += len(batch)
            batch = []
            report(f"captions: {stats.captioned}/{len(to_caption)} captioned")
    insert_rows(con, CAPTIONS, batch, mode="replace")
    stats.written += len(batch)

    _summarise(con, source, stats)
    stats.elapsed_s = round(time.monotonic() - started, 3)
    report(f"captions: done in {stats.elapsed_s}s, by status {stats.by_status}")
    return stats


def _summarise(con: duckdb.DuckDBPyConnection, source: str | None, stats: CaptionStats) -> None:
    """Status and reject-reason counts over the captions of the run's live products."""
    rows = con.execute(
        "SELECT c.status, c.reason FROM captions c JOIN pages p USING (source, url) "
        "WHERE p.gone IS NOT TRUE" + (" AND c.source = ?" if source is not None else ""),
        [source] if source is not None else [],
    ).fetchall()
    stats.by_status = dict(Counter(status for status, _ in rows))
    stats.rejects = dict(
        Counter(reason.split(":", 1)[0] for status, reason in rows if status != "ok" and reason)
    )
