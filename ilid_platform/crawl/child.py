"""Child-process entry point that runs one Scrapy crawl; started by `runner.run_crawl`."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ilid_platform.crawl.extract import read_page_json
from ilid_platform.crawl.lifetime import die_with_parent
from ilid_platform.crawl.settings import extract_settings
from ilid_platform.crawl.workers import WorkerPool


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ilid_platform.crawl.child")
    parser.add_argument("--source-json", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--job-dir", type=Path, required=True)
    parser.add_argument("--stats", type=Path, required=True)
    parser.add_argument("--previous", type=Path, help="the last finished crawl's output")
    parser.add_argument("--parent-pid", type=int, help="die with this process")
    args = parser.parse_args(argv)
    if args.parent_pid:
        die_with_parent(args.parent_pid)

    extract = extract_settings()
    pool_class = WorkerPool
    if extract.pool:  # "module:Class": another pool to measure against (benchmarks only)
        module, _, name = extract.pool.partition(":")
        pool_class = getattr(importlib.import_module(module), name)
    readers = pool_class(read_page_json, workers=extract.workers, timeout_s=extract.timeout_s)
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
    from ilid_platform.crawl.settings import crawl_settings
    from ilid_platform.crawl.sources import Source
    from ilid_platform.crawl.spider import ProductSpider

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


if __name__ == "__main__":
    sys.exit(main())
