"""Crawl throughput: our product spider against a bare Scrapy spider on the same URLs.

    .venv/bin/python benchmarks/crawl_vs_scrapy.py [--size demo] [--repeat 2]

Generates the demo catalog into a temporary directory and serves it, with the catalog's one
deliberately slow page answering at once: its fixed 1.5 s stall would otherwise be most of a
shop's crawl time, and its place in each spider's request order would decide the ratio. For
each server-rendered shop (acme: JSON-LD and a sitemap; boltbarn: microdata behind paginated
listings) our `run_crawl` crawls the shop as the asset does: discovery, robots.txt, extraction,
canonical urls, the resume cache and JSON lines. The bare spider then fetches exactly the URLs
our crawl fetched (read from the server's access log, duplicates included) and does nothing
with them. Both run in a child process with the same concurrency (per domain and in total),
AutoThrottle off and no delays, and both are timed by Scrapy's own clock (first request to
close, so interpreter start-up is not counted). clampco, the shop that needs a browser, is
measured for our spider alone. The server-rendered measurements are repeated and the best run
kept, because this machine is shared. Figures are printed, never asserted; the last line is the
ratio of our pages/s to the bare spider's for the server-rendered shop where it is lowest (the
target of 0.8 holds per source); the line before it gives the ratio over both shops together.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ilid_platform.crawl.runner import CrawlStats, run_crawl
from ilid_platform.crawl.sources import Source, default_sources_path, load_sources
from ilid_platform.demo import generate_catalog, running_catalog

PLAIN_SHOPS = ("acme", "boltbarn")
BROWSER_SHOPS = ("clampco",)


def plain_scrapy(urls_file: Path, concurrency: int, stats_file: Path) -> None:
    """The baseline: fetch every listed url once, parse nothing, write nothing."""
    from scrapy import Request, Spider
    from scrapy.crawler import CrawlerProcess

    urls = urls_file.read_text(encoding="utf-8").split()

    class PlainSpider(Spider):
        name = "plain"

        async def start(self):  # type: ignore[override]
            for url in urls:
                yield Request(url, dont_filter=True, callback=self.parse)

        def parse(self, response):  # type: ignore[override]
            return None

    process = CrawlerProcess(
        {
            "LOG_LEVEL": "INFO",
            "ROBOTSTXT_OBEY": False,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            # Scrapy's per-domain cap leaks under the asyncio reactor (see PoliteDownloader in
            # ilid_platform/crawl/spider.py); the total cap keeps the bare spider at the same
            # number of requests in flight as ours.
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "HTTPERROR_ALLOW_ALL": True,
            "TELNETCONSOLE_ENABLED": False,
        }
    )
    crawler = process.create_crawler(PlainSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    pages = int(stats.get("response_received_count", 0))
    elapsed = float(stats.get("elapsed_time_seconds", 0.0))
    stats_file.write_text(json.dumps({"pages": pages, "elapsed_s": elapsed}), encoding="utf-8")


def _run_plain(urls: list[str], concurrency: int, work: Path) -> tuple[int, float]:
    urls_file, stats_file = work / "urls.txt", work / "plain-stats.json"
    urls_file.write_text("\n".join(urls), encoding="utf-8")
    command = [sys.executable, __file__, "--plain-urls", str(urls_file)]
    command += ["--concurrency", str(concurrency), "--plain-stats", str(stats_file)]
    subprocess.run(command, check=True, capture_output=True)
    stats = json.loads(stats_file.read_text(encoding="utf-8"))
    return stats["pages"], stats["elapsed_s"]


def _log_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _run_ours(source: Source, work: Path, access_log: Path) -> tuple[CrawlStats, list[str], float]:
    """One fresh crawl (new job dir: no previous output, nothing to revalidate)."""
    before = len(_log_lines(access_log))
    started = time.perf_counter()
    stats = run_crawl(source, work / "out.jsonl", work / "job")
    wall = time.perf_counter() - started
    time.sleep(0.2)  # let the server threads finish their log lines
    urls = [
        f"http://{host}{path}"
        for host, path, _ in (line.split(" ", 2) for line in _log_lines(access_log)[before:])
        if host.split(":")[0] in source.allowed_domains
    ]
    return stats, urls, wall


def _rate(pages: int, seconds: float) -> float:
    return pages / seconds if seconds else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="demo", help="demo catalog size (demo or small)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement, best kept")
    parser.add_argument("--plain-urls", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--plain-stats", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=8, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain_urls:
        plain_scrapy(args.plain_urls, args.concurrency, args.plain_stats)
        return 0

    rows = []
    totals = {"ours": [0, 0.0], "plain": [0, 0.0]}
    with tempfile.TemporaryDirectory(prefix="ilid-crawl-bench-") as tmp:
        site = Path(tmp) / "site"
        generate_catalog(site, size=args.size)
        with running_catalog(site, slow_pages=False) as catalog:
            os.environ["ILID_DEMO_PORT"] = str(catalog.port)
            sources = {s.name: s for s in load_sources(default_sources_path())}
            for name in (*PLAIN_SHOPS, *BROWSER_SHOPS):
                source = sources[name]
                best: tuple[CrawlStats, list[str], float] | None = None
                plain_best: tuple[int, float] | None = None
                for attempt in range(args.repeat if name in PLAIN_SHOPS else 1):
                    work = Path(tmp) / f"{name}-{attempt}"
                    work.mkdir()
                    run = _run_ours(source, work, catalog.access_log)
                    if best is None or run[0].pages_per_s > best[0].pages_per_s:
                        best = run
                    if name in PLAIN_SHOPS:
                        concurrency = source.politeness.concurrency_per_domain
                        plain = _run_plain(run[1], concurrency, work)
                        if plain_best is None or _rate(*plain) > _rate(*plain_best):
                            plain_best = plain
                assert best is not None
                stats, _, wall = best
                row = [name, stats.pages_fetched, stats.products, stats.elapsed_s, wall]
                row.append(stats.pages_per_s)
                if plain_best:
                    totals["ours"][0] += stats.pages_fetched
                    totals["ours"][1] += stats.elapsed_s
                    totals["plain"][0] += plain_best[0]
                    totals["plain"][1] += plain_best[1]
                    row += [plain_best[0], plain_best[1], _rate(*plain_best)]
                    row.append(stats.pages_per_s / _rate(*plain_best))
                rows.append(row)

    header = (
        f"{'shop':<9} {'pages':>5} {'prods':>5} {'ours s':>7} {'wall s':>7} {'ours p/s':>9}"
        f" {'plain pages':>11} {'plain s':>8} {'plain p/s':>9} {'ratio':>6}"
    )
    print(f"catalog {args.size}; acme, boltbarn: best of {args.repeat} runs; clampco: 1 run")
    print(header)
    for row in rows:
        line = f"{row[0]:<9} {row[1]:>5} {row[2]:>5} {row[3]:>7.2f} {row[4]:>7.2f} {row[5]:>9.1f}"
        if len(row) > 6:
            line += f" {row[6]:>11} {row[7]:>8.2f} {row[8]:>9.1f} {row[9]:>6.2f}"
        else:
            line += f" {'(browser shop: ours only)':>37}"
        print(line)
    ours_rate = _rate(int(totals["ours"][0]), totals["ours"][1])
    plain_rate = _rate(int(totals["plain"][0]), totals["plain"][1])
    print(
        f"acme+boltbarn: ours {ours_rate:.1f} pages/s, plain Scrapy {plain_rate:.1f} pages/s,"
        f" ratio {ours_rate / plain_rate:.2f}"
    )
    lowest = min((row for row in rows if len(row) > 6), key=lambda row: row[9])
    print(f"ratio ours/plain-scrapy ({lowest[0]}, the lower shop): {lowest[9]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
