"""From page readings to product records: the crawl's one item pipeline.

Every page the spider reads becomes one JSON line in the job's `readings.jsonl`, flushed as it
is written, so a crawl killed at any moment keeps every finished page. When the crawl ends, the
site-level pass (`extract.decide_pages`) decides all pages together, and the products are
written to the output at once (a temporary file, then a rename), so that readers never see a
half-decided catalog. A resumed job keeps the complete lines of the killed attempt; the resume
cache replays those pages, and their readings are not written twice.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from ilid_platform.crawl.extract import Decision, PageReading, decide_pages
from ilid_platform.crawl.extract.categories import listing_categories
from ilid_platform.crawl.records import ProductRecord

logger = logging.getLogger(__name__)

FETCH_FIELDS = ("rendered", "http_status", "fetched_at", "etag", "last_modified", "lastmod")
"""What a reading item carries besides the reading: how and when its page was fetched."""


@dataclass
class SiteOutcome:
    records: list[ProductRecord] = field(default_factory=list)
    non_product_pages: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    issues: Counter[str] = field(default_factory=Counter)
    """Defects pages survived (a wrong charset, a broken JSON-LD block), other than the
    reason a page was rejected for."""
    from_urls: list[str] = field(default_factory=list)
    """The page each record was read from, in the order of `records`."""


def load_reading_items(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """The complete lines of a readings file; a torn last line is skipped."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and "url" in item and "reading" in item:
                yield item


def decide_products(
    items: Iterable[dict[str, Any]], source: str, in_scope: Any = None
) -> SiteOutcome:
    """Decide every page of one crawl together and build its product records.

    A record's url is the page's rel=canonical where `in_scope(url)` allows it, else the
    fetched url; two pages with the same record url give one record (`duplicate`). A page
    without breadcrumbs gets, as its one breadcrumb, the heading of the most specific listing
    that links to it (`categories`).
    """
    # In the order of their urls, not of their arrival: of two pages with one record url the
    # same one is kept, and listings that tie for a product's category tie the same way.
    items = sorted(items, key=lambda item: item["url"])
    readings = [PageReading.from_json(item["reading"]) for item in items]
    decisions = decide_pages(readings)
    # A product page without breadcrumbs gets the category its site lists it under.
    categories = listing_categories(
        readings, [r.url for r, d in zip(readings, decisions, strict=True) if d.product]
    )
    copied = _copied_canonicals(readings, decisions)
    variants = _query_variants(readings, decisions)
    outcome = SiteOutcome()
    seen: set[str] = set()
    for item, reading, decision in zip(items, readings, decisions, strict=True):
        outcome.issues.update(i for i in reading.issues if i != decision.reason)
        outcome.issues.update(decision.issues)
        if decision.product is None:
            if decision.reason == "not_product":
                outcome.non_product_pages += 1
            else:
                outcome.rejects[decision.reason or "not_product"] += 1
            continue
        if reading.url in variants:
            outcome.rejects["duplicate"] += 1
            continue
        url = item["url"]
        if (
            reading.canonical
            and reading.canonical not in copied
            and (in_scope is None or in_scope(reading.canonical))
        ):
            url = _canonical(reading.canonical) or url
        if not decision.product.get("breadcrumbs") and reading.url in categories:
            decision.product["breadcrumbs"] = [categories[reading.url]]
        fetch = {key: item.get(key) for key in FETCH_FIELDS if item.get(key) is not None}
        try:
            record = ProductRecord.model_validate(
                {**decision.product, **fetch, "url": url, "source": source}
            )
        except ValidationError as exc:
            logger.warning("invalid record from %s: %s", item["url"], exc)
            outcome.rejects["invalid_record"] += 1
            continue
        if record.url in seen:
            outcome.rejects["duplicate"] += 1
            continue
        seen.add(record.url)
        outcome.records.append(record)
        outcome.from_urls.append(item["url"])
    return outcome


def _copied_canonicals(readings: list[PageReading], decisions: list[Decision]) -> set[str]:
    """rel=canonical urls that products of different names declare: a <head> copied onto
    every page (from the home page, a template), which says nothing about the page."""
    names: dict[str, set[str]] = {}
    for reading, decision in zip(readings, decisions, strict=True):
        if reading.canonical and decision.product is not None:
            names.setdefault(reading.canonical, set()).add(decision.product["name"])
    return {url for url, found in names.items() if len(found) > 1}


def _query_variants(readings: list[PageReading], decisions: list[Decision]) -> set[str]:
    """Urls of products that repeat, under a query, the product of the same path with a
    shorter query or none (a tab's or a print view's `?qt-product=1`, `?tab=specs`): the same
    name and photo, one page. Pages of one script told apart by their query (`?id=12`) name
    different products and stay."""
    kept: dict[tuple[str, str, str], str] = {}
    for reading, decision in zip(readings, decisions, strict=True):
        product = decision.product
        if product is None:
            continue
        path, _, query = reading.url.partition("?")
        images = product.get("image_urls") or [""]
        key = (path, product.get("name") or "", str(images[0]))
        best = kept.get(key)
        if best is None or (len(query), reading.url) < (len(best.partition("?")[2]), best):
            kept[key] = reading.url
    shown = set(kept.values())
    return {
        reading.url
        for reading, decision in zip(readings, decisions, strict=True)
        if decision.product is not None and reading.url not in shown
    }


def _canonical(url: str) -> str:
    from ilid_platform.crawl.urls import canonical_url

    try:
        return canonical_url(url)
    except ValueError:
        return ""


def write_records(records: Iterable[ProductRecord], path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(record.model_dump_json() + "\n")
    os.replace(tmp, path)


class ReadingsPipeline:
    """Appends each page's reading once; decides and writes the products when the crawl ends."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = Path(crawler.settings["ILID_READINGS_JSONL"])
        self.out = Path(crawler.settings["ILID_OUT_JSONL"])
        self.kept: set[str] = set()
        self.seen: set[str] = set()
        self.items: list[dict[str, Any]] = []
        """The file's readings, in its order: decided at the end without parsing it again."""
        self.file: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReadingsPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            self._keep_complete_lines()
        self.file = self.path.open("a", encoding="utf-8")

    def _keep_complete_lines(self) -> None:
        """A crawl killed mid-write leaves a partial last line; drop it before appending."""
        kept = []
        for item in load_reading_items(self.path):
            self.kept.add(item["url"])
            self.items.append(item)
            kept.append(json.dumps(item, ensure_ascii=False))
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
        os.replace(tmp, self.path)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        url = item["url"]
        if url in self.kept:
            raise DropItem(f"read before the resume: {url}", log_level="DEBUG")
        if url in self.seen:
            raise DropItem(f"read twice: {url}", log_level="DEBUG")
        self.seen.add(url)
        assert self.file is not None
        self.file.write(json.dumps(item, ensure_ascii=False) + "\n")
        self.file.flush()
        self.items.append(item)
        if len(self.seen) % 50 == 0:
            logger.info("pages read: %d", len(self.seen))
        return item

    def close_spider(self) -> None:
        if self.file:
            self.file.close()
        stats, spider = self.crawler.stats, self.crawler.spider
        outcome = decide_products(self.items, spider.source.name, spider.in_catalog)
        write_records(outcome.records, self.out)
        stats.set_value("ilid/products", len(outcome.records))
        resumed = sum(url in self.kept for url in outcome.from_urls)
        stats.set_value("ilid/products_resumed", resumed)
        stats.set_value("ilid/non_product_pages", outcome.non_product_pages)
        for reason, count in outcome.rejects.items():
            stats.inc_value(f"ilid/rejects/{reason}", count)
        for issue, count in outcome.issues.items():
            stats.inc_value(f"ilid/issues/{issue}", count)
        logger.info(
            "site decided: %d products, %d other pages, rejects %s",
            len(outcome.records),
            outcome.non_product_pages,
            dict(outcome.rejects),
        )
