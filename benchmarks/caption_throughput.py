"""Captions per second of each LLM captioner against a server of known capacity.

The stand-in server (`ilid_platform.demo.llm_server`) speaks the Ollama and the OpenAI chat
APIs, serves `--slots` requests in parallel and holds each for `--latency` seconds, so its
capacity is slots / latency captions per second, as a vLLM or llama.cpp server with that many
slots and that time per answer. Products are the demo catalog's, stored as crawled pages in a
real DuckDB file, and captioned through `caption_products`, the path the `captions` asset
takes (validation, post-filters, the cache by input hash). A second run over the unchanged
products shows how many requests it makes (0 expected).

    .venv/bin/python benchmarks/caption_throughput.py [--products 600 --slots 8 --latency 0.25]
        [--json OUT]

The last line is `ratio ours/capacity: X.XXx`, the lower of the two captioners.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

from harness import Benchmark, Ratio

from ilid_platform.captions.ollama_captioner import OllamaCaptioner
from ilid_platform.captions.openai_captioner import OpenAICaptioner
from ilid_platform.captions.store import caption_products
from ilid_platform.crawl.records import ProductRecord
from ilid_platform.crawl.store import store_pages
from ilid_platform.demo.catalog import plan_catalog
from ilid_platform.demo.llm_server import running_llm_server
from ilid_platform.warehouse import connect


def demo_products(count: int) -> dict[str, list[ProductRecord]]:
    """`count` demo catalog products as crawled records, per shop (sizes grow as needed)."""
    plan = plan_catalog("large", seed=0)
    records: dict[str, list[ProductRecord]] = {}
    products = [p for shop in plan.shops.values() for p in shop.products if not p.disallowed]
    if len(products) < count:
        raise SystemExit(f"the demo catalog has only {len(products)} products")
    for product in products[:count]:
        records.setdefault(product.shop, []).append(
            ProductRecord(
                source=product.shop,
                url=f"http://{product.shop}.example{product.path}",
                name=product.name,
                description=product.description,
                specs=dict(product.specs),
                breadcrumbs=["Home", product.part_type],
                image_urls=[f"http://{product.shop}.example{p}" for p in product.image_paths],
                extraction="benchmark",
            )
        )
    return records


def main() -> int:
    bench = Benchmark("caption_throughput", __doc__)
    parser = bench.parser
    parser.add_argument("--products", type=int, default=600)
    parser.add_argument("--slots", type=int, default=8, help="parallel slots of the server")
    parser.add_argument("--latency", type=float, default=0.25, help="seconds per answer")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="requests in flight (default: slots + slots // 2, so no slot waits for a request)",
    )
    args = bench.parse()
    logging.basicConfig(level=logging.WARNING)
    concurrency = args.concurrency or args.slots + args.slots // 2
    records = demo_products(args.products)
    ratios = {}
    rows = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_llm_server(slots=args.slots, latency_s=args.latency) as server,
    ):
        capacity = server.capacity_per_s
        bench.note(
            f"server: {args.slots} slots x {args.latency:.3f} s = {capacity:.1f} captions/s; "
            f"{args.products} demo products; {concurrency} requests in flight"
        )
        clients = {
            "ollama": OllamaCaptioner(host=server.url, model=server.model, concurrency=concurrency),
            "openai": OpenAICaptioner(
                base_url=f"{server.url}/v1", model=server.model, concurrency=concurrency
            ),
        }
        for name, captioner in clients.items():
            captioner.check_available()
            with connect(Path(tmp) / f"{name}.duckdb") as con:
                for source, shop_records in records.items():
                    store_pages(con, source, shop_records)
                before = server.chats
                started = time.perf_counter()
                statuses: dict[str, int] = {}
                captioned = 0
                for source in records:
                    stats = caption_products(con, captioner, source=source)
                    captioned += stats.captioned
                    for status, n in stats.by_status.items():
                        statuses[status] = statuses.get(status, 0) + n
                elapsed = time.perf_counter() - started
                requests = server.chats - before
                before = server.chats
                rerun_started = time.perf_counter()
                for source in records:
                    caption_products(con, captioner, source=source)
                rerun_s = time.perf_counter() - rerun_started
                rerun_requests = server.chats - before
            rate = captioned / elapsed
            ratios[name] = rate / capacity
            rows.append([name, captioned, round(elapsed, 2), round(rate, 1), ratios[name],
                         requests, rerun_requests, round(rerun_s, 2)])  # fmt: skip
            bench.figure(f"{name}_statuses", statuses)
    bench.table(
        f"captions per second against {capacity:.1f}/s of server capacity",
        ["captioner", "captioned", "seconds", "captions/s", "of capacity", "requests",
         "re-run requests", "re-run s"],
        rows,
    )  # fmt: skip
    return bench.finish(Ratio("ours/capacity", min(ratios.values())))


if __name__ == "__main__":
    raise SystemExit(main())
