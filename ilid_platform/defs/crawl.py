"""crawled_pages: one Scrapy crawl per source partition, then its records into `pages`.

Two steps, so that partitions crawl side by side while the warehouse has one writer: the crawl
(network-bound, in a child process, writes only its own JSONL) holds no pool; storing the
records holds the `duckdb` pool, which the instance limits to one step at a time.
"""

import warnings
from pathlib import Path
from typing import Any

import dagster as dg

from ilid_platform.crawl.runner import run_crawl
from ilid_platform.crawl.store import load_records, store_pages
from ilid_platform.defs.metadata import markdown_table
from ilid_platform.defs.partitions import source_partitions, sources
from ilid_platform.defs.resources import DUCKDB_POOL, IlidStorage
from ilid_platform.warehouse import content_version


@dg.op(description="Crawl one catalog into its products.jsonl; no warehouse access.")
def crawl_catalog(context: dg.OpExecutionContext, storage: IlidStorage) -> dict[str, Any]:
    source = sources()[context.partition_key]
    crawl_dir = storage.paths.crawl / source.name
    out = crawl_dir / "products.jsonl"
    stats = run_crawl(source, out, crawl_dir / "job", progress=context.log.info)
    return {"records": str(out), "stats": stats}


@dg.op(
    pool=DUCKDB_POOL,
    out=dg.Out(dg.Nothing),
    description="Upsert the crawled records into `pages` and mark vanished products gone.",
)
def store_crawled_pages(
    context: dg.OpExecutionContext, storage: IlidStorage, crawl: dict[str, Any]
):
    source = context.partition_key
    records = load_records(Path(crawl["records"]))
    stats = crawl["stats"]
    with storage.connect() as con:
        counts = store_pages(con, source, records)
        version = content_version(
            con, "SELECT url, record_hash, gone FROM pages WHERE source = ?", [source]
        )
    metadata = {
        "products": len(records),
        **{f"pages_{k}": v for k, v in counts.items()},
        "pages_fetched": stats.pages_fetched,
        "product_pages": stats.products,
        "non_product_pages": stats.non_product_pages,
        "products_resumed": stats.products_resumed,
        "unchanged_by_304": stats.not_modified,
        "unchanged_by_lastmod": stats.lastmod_unchanged,
        "browser_retries": stats.browser_retries,
        "pages_per_s": round(stats.pages_per_s, 2),
        "crawl_seconds": round(stats.elapsed_s, 1),
        "status_counts": dg.MetadataValue.json(stats.status_counts),
        "rejects_by_reason": dg.MetadataValue.json(stats.rejects),
        "issues_by_reason": dg.MetadataValue.json(stats.issues),
        "sample": markdown_table(
            ("name", "images", "specs", "url"),
            ((r.name, len(r.image_urls), len(r.specs), r.url) for r in records[:5]),
        ),
    }
    with warnings.catch_warnings():  # an op's data version is a beta parameter of Output
        warnings.simplefilter("ignore", dg.BetaWarning)
        yield dg.Output(None, data_version=dg.DataVersion(version), metadata=metadata)


@dg.graph_asset(
    partitions_def=source_partitions,
    group_name="crawl",
    kinds={"scrapy", "duckdb"},
    description="Product records crawled from one catalog: url, name, text, specs, breadcrumbs, "
    "image urls. Stored in the `pages` table.",
)
def crawled_pages():
    return store_crawled_pages(crawl_catalog())
