"""Child-process entry point that runs one Scrapy crawl; started by `runner.run_crawl`."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ilid_platform.crawl.extract import read_page
from ilid_platform.crawl.workers import WorkerPool

# One worker reads ~1,000 demo pages/s, more than one crawl process downloads; more help with
# heavy real pages. The limit is per page, for the page no parser should spend minutes on.
DEFAULT_EXTRACT_WORKERS = max(1, min(4, (os.cpu_count() or 2) - 1))
DEFAULT_EXTRACT_TIMEOUT_S = 60.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ilid_platform.crawl.child")
    parser.add_argument("--source-json", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--job-dir", type=Path, required=True)
    parser.add_argument("--stats", type=Path, required=True)
    parser.add_argument("--previous", type=Path, help="the last finished crawl's output")
    args = parser.parse_args(argv)

    readers = WorkerPool(
        read_page,
        workers=_positive_env("ILID_EXTRACT_WORKERS", DEFAULT_EXTRACT_WORKERS, int),
        timeout_s=_positive_env("ILID_EXTRACT_TIMEOUT_S", DEFAULT_EXTRACT_TIMEOUT_S, float),
    )
    readers.start()
    try:
        return _crawl(args, readers)
    finally:
        readers.close()


def _crawl(args: argparse.Namespace, readers: WorkerPool) -> int:
    # Imported only now, so that the workers start on another core while Scrapy, Twisted and
    # Playwright load here.
    from scrapy.crawler import CrawlerProcess

    from ilid_platform.crawl.runner import CrawlStats
    from ilid_platform.crawl.sources import Source
    from ilid_platform.crawl.spider import ProductSpider, crawl_settings

    source = Source.model_validate_json(args.source_json.read_text(encoding="utf-8"))
    process = CrawlerProcess(crawl_settings(source, args.out, args.job_dir, args.previous))
    crawler = process.create_crawler(ProductSpider)
    process.crawl(crawler, source=source, readers=readers)
    readers.wait_ready()  # before Scrapy's clock starts
    # Scrapy, Twisted, lxml and pydantic leave ~130k long-lived objects behind their imports;
    # frozen, the collector stops re-scanning them on every older-generation pass of the crawl.
    gc.collect()
    gc.freeze()
    # Requests, responses and items build and drop thousands of containers per page, nearly all
    # freed by their reference counts; at the default threshold of 700 the young generation was
    # collected ~20 times per 112-page crawl for 8-14 ms, at 20,000 not once. (Extraction runs
    # in the worker processes, which do the same: see crawl.workers.)
    gc.set_threshold(20_000, 10, 10)
    process.start()

    stats = CrawlStats.from_scrapy(source.name, crawler.stats.get_stats() if crawler.stats else {})
    tmp = args.stats.with_suffix(".tmp")
    tmp.write_text(stats.model_dump_json(indent=2), encoding="utf-8")
    os.replace(tmp, args.stats)
    return 0 if stats.finish_reason == "finished" else 1


def _positive_env(name: str, default: float, kind: type[int] | type[float]) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = kind(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise ValueError(f"${name} must be a positive {kind.__name__}, not {value!r}")
    return number


if __name__ == "__main__":
    sys.exit(main())
