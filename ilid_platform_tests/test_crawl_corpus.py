"""Real catalog sites from the corpus (copies of shops nobody here wrote), crawled as
`ilid crawl` crawls them, given only a start url and an allowed domain. The whole corpus runs
in `benchmarks/extraction_quality.py`; these sites cover a Magento mirror without structured
data, a WooCommerce mirror whose JSON-LD names the original host, a table-layout catalog
with no headings at all, and a hand-written catalog whose header swallows the page, whose
product headings are ratings ("15 HP") under the company's h1 and whose products are reached
only through thumbnail listings."""

from __future__ import annotations

from pathlib import Path

import pytest

from ilid_platform.crawl.sources import Politeness
from ilid_platform_tests.corpus_sites import crawl_site, load_site

FAST = Politeness(download_delay=0, autothrottle=False, concurrency_per_domain=8)


@pytest.mark.parametrize("slug", ["smullinsupply", "amina", "huading", "imemsa"])
def test_corpus_site_recall_and_precision(slug: str, tmp_path: Path) -> None:
    site = load_site(slug)
    score, records = crawl_site(site, tmp_path, FAST)
    assert score.recall >= 0.9, score.misses
    assert score.precision >= 0.95, score.false_records
    assert score.records == len(records) >= len(site.products) - 1
