"""A crawl's records do not depend on the order its pages arrive in: the site is decided from
all its pages, whatever the network's timing, concurrency or the workers' speed."""

from __future__ import annotations

import random
from pathlib import Path

from ilid_platform.crawl.pipelines import decide_products, load_reading_items
from ilid_platform.crawl.runner import run_crawl
from ilid_platform.crawl.sources import Politeness
from ilid_platform.crawl.store import load_records
from ilid_platform_tests.corpus_sites import load_site, serving, source_for

# A brochure site (no structured data) whose pages of several templates look alike: the
# template groups, and with them the products, once followed the pages' arrival order.
SITE = "tekpark"


def _crawl(work: Path, concurrency: int, seed: int | None) -> list[tuple[str, str, str]]:
    """The records of one crawl of SITE, each answer delayed by up to 300 ms at random."""

    def delay(path: str) -> float:
        return 0.0 if seed is None else random.Random(f"{seed}:{path}").uniform(0, 0.3)

    politeness = Politeness(
        download_delay=0, autothrottle=False, concurrency_per_domain=concurrency
    )
    with serving(load_site(SITE), delay=delay) as base:
        out = work / "products.jsonl"
        run_crawl(source_for(load_site(SITE), base, politeness), out, work / "job")
        return sorted(
            (r.url.removeprefix(base), r.name, r.image_urls[0].removeprefix(base))
            for r in load_records(out)
        )


def test_site_decided_alike_in_any_order_of_its_pages(tmp_path: Path) -> None:
    _crawl(tmp_path, 8, None)
    items = list(load_reading_items(tmp_path / "job" / "readings.jsonl"))
    assert len(items) >= 15
    outcomes = set()
    for seed in range(12):
        random.Random(seed).shuffle(items)
        outcome = decide_products(items, SITE)
        outcomes.add(tuple((r.url, r.name, str(r.image_urls)) for r in outcome.records))
    assert len(outcomes) == 1


def test_crawl_records_alike_whatever_the_timing(tmp_path: Path) -> None:
    runs = [
        _crawl(tmp_path / f"run{n}", concurrency, seed)
        for n, (concurrency, seed) in enumerate([(1, None), (8, 1), (8, 2), (3, 3)])
    ]
    assert runs[0]
    assert all(run == runs[0] for run in runs[1:])
