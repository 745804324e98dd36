"""crawled_pages: one Scrapy crawl per source partition, run in a child process."""

import dagster as dg

from ilid_platform.crawl.runner import run_crawl
from ilid_platform.crawl.store import load_records, store_pages
from ilid_platform.defs.metadata import markdown_table
from ilid_platform.defs.partitions import source_partitions, sources
from ilid_platform.defs.resources import IlidStorage
from ilid_platform.warehouse import content_version


@dg.asset(
    partitions_def=source_partitions,
    group_name="crawl",
    kinds={"scrapy", "duckdb"},
    description="Product records crawled from one catalog: url, name, text, specs, breadcrumbs, "
    "image urls. Stored in the `pages` table.",
)
def crawled_pages(context: dg.AssetExecutionContext, storage: IlidStorage) -> dg.MaterializeResult:
    source = sources()[context.partition_key]
    crawl_dir = storage.paths.crawl / source.name
    out = crawl_dir / "products.jsonl"
    stats = run_crawl(source, out, crawl_dir / "job", progress=context.log.info)
    records = load_records(out)
    with storage.connect() as con:
        counts = store_pages(con, source.name, records)
        version = content_version(
            con, "SELECT url, record_hash, gone FROM pages WHERE source = ?", [source.name]
        )
    return dg.MaterializeResult(
        data_version=dg.DataVersion(version),
        metadata={
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
        },
    )
