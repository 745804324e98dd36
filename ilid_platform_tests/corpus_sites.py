"""The corpus of real catalog sites (`corpus/`): serve one on loopback, crawl it as `ilid crawl`
does, and score the records against its hand-checked truth.

Shared by the tests that run a few sites and by `benchmarks/extraction_quality.py`, which runs
them all. A product page counts as found when a record for it has the product's name and its
main image first; a record counts as right when its page is a product page.
"""

from __future__ import annotations

import contextlib
import posixpath
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import yaml

from ilid_platform.crawl.records import ProductRecord
from ilid_platform.crawl.runner import CrawlStats, run_crawl
from ilid_platform.crawl.sources import Politeness, Source
from ilid_platform.crawl.store import load_records

CORPUS = Path(__file__).resolve().parent / "corpus"


@dataclass(frozen=True)
class TruthPage:
    path: str
    product: bool
    kind: str = "product"
    names: tuple[str, ...] = ()
    images: tuple[str, ...] = ()


@dataclass(frozen=True)
class Site:
    slug: str
    root: Path
    start_url: str
    structured_data: str
    pages: tuple[TruthPage, ...]
    split: str = "dev"
    """"holdout" for sites kept out of the extractor's development, measured as they come."""

    @property
    def products(self) -> list[TruthPage]:
        return [page for page in self.pages if page.product]


def load_site(slug: str) -> Site:
    truth = yaml.safe_load((CORPUS / slug / "truth.yaml").read_text(encoding="utf-8"))
    pages = []
    for page in truth["pages"]:
        names = [page.get("name"), *(page.get("name_alternates") or [])]
        images = [page.get("image"), *(page.get("image_alternates") or [])]
        pages.append(
            TruthPage(
                path=page["path"],
                product=bool(page["product"]),
                kind=page.get("kind", "product"),
                names=tuple(n for n in names if n),
                images=tuple(i for i in images if i),
            )
        )
    return Site(
        slug=slug,
        root=CORPUS / slug / "www",
        start_url=truth.get("start_url", "/"),
        structured_data=truth.get("structured_data", "none"),
        pages=tuple(pages),
        split=truth.get("split", "dev"),
    )


def site_slugs() -> list[str]:
    return sorted(path.parent.name for path in CORPUS.glob("*/truth.yaml"))


class _Handler(SimpleHTTPRequestHandler):
    """Static files, a directory's index.html, and `/x` for `/x.html` as many servers do."""

    def translate_path(self, path: str) -> str:
        local = super().translate_path(path)
        if not Path(local).exists() and Path(local + ".html").is_file():
            return local + ".html"
        return local

    delay: Callable[[str], float] | None = None

    def do_GET(self) -> None:
        if self.delay is not None:
            time.sleep(self.delay(self.path))
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Crawlers hang up mid-response; that is no error of the site's."""


@contextlib.contextmanager
def serving(
    site: Site, host: str = "127.0.0.1", delay: Callable[[str], float] | None = None
) -> Iterator[str]:
    """The site on a free loopback port; yields its base url (no trailing slash). `delay`
    gives each request path the seconds its answer waits."""
    attributes = {"directory": str(site.root), "delay": staticmethod(delay) if delay else None}
    handler = type("Handler", (_Handler,), attributes)
    server = _Server((host, 0), lambda *args: handler(*args, directory=str(site.root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def source_for(site: Site, base: str, politeness: Politeness | None = None) -> Source:
    """What a new user writes: start url and allowed domain (and, on loopback, the opt-in)."""
    return Source(
        name=site.slug,
        start_urls=[base + site.start_url],
        allowed_domains=[urlsplit(base).hostname or ""],
        allow_private_addresses=True,
        politeness=politeness or Politeness(),
    )


def _page_key(url: str) -> str:
    path = unquote(urlsplit(url).path)
    path = re.sub(r"/index\.html?$", "/", path)
    return posixpath.normpath(path).rstrip("/") or "/"


def image_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc.lower()}{posixpath.normpath(unquote(parts.path))}?{parts.query}"


def normalise_name(text: str) -> str:
    """Case, width, spacing and dash style do not make another name."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return " ".join(re.sub(r"[\s\u00a0]+", " ", text).strip(" -–—|:,.").split())


@dataclass
class SiteScore:
    slug: str
    structured_data: str
    split: str
    product_pages: int
    negative_pages: int
    records: int = 0
    true_records: int = 0
    found: int = 0
    name_right: int = 0
    image_right: int = 0
    pages_fetched: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_records: list[str] = field(default_factory=list)
    by_page: dict[str, ProductRecord] = field(default_factory=dict)
    """The record of each found product page, by truth path (see `page_records`)."""

    @property
    def recall(self) -> float:
        return self.found / self.product_pages if self.product_pages else 1.0

    @property
    def precision(self) -> float:
        return self.true_records / self.records if self.records else 1.0


def _declared_canonical(site: Site, page: TruthPage, base: str) -> str:
    """The page's rel=canonical, resolved as served: a record is filed under it."""
    path = site.root / unquote(page.path).lstrip("/")
    if path.is_dir() or page.path.endswith("/"):
        path = path / "index.html"
    try:
        html = path.read_bytes()
    except OSError:
        return ""
    match = re.search(rb"<link[^>]*rel=[\"']?canonical[\"']?[^>]*>", html, re.I)
    href = re.search(rb"href=[\"']([^\"']+)", match.group(0)) if match else None
    return urljoin(base + page.path, href.group(1).decode("utf-8", "replace")) if href else ""


def _truth_by_key(site: Site, base: str) -> dict[str, TruthPage]:
    truth = {}
    for page in site.pages:
        canonical = _declared_canonical(site, page, base)
        if canonical.startswith(base):
            truth.setdefault(_page_key(canonical), page)
    truth.update({_page_key(urljoin(base, page.path)): page for page in site.pages})
    return truth


def page_records(site: Site, base: str, records: list[ProductRecord]) -> dict[str, ProductRecord]:
    """The first record filed under each product page, by its truth path."""
    truth = _truth_by_key(site, base)
    by_page: dict[str, ProductRecord] = {}
    for record in records:
        page = truth.get(_page_key(record.url))
        if page is not None and page.product:
            by_page.setdefault(page.path, record)
    return by_page


def score(site: Site, base: str, records: list[ProductRecord], stats: CrawlStats) -> SiteScore:
    truth = _truth_by_key(site, base)
    result = SiteScore(
        site.slug,
        site.structured_data,
        site.split,
        product_pages=len(site.products),
        negative_pages=len(site.pages) - len(site.products),
        records=len(records),
        pages_fetched=stats.pages_fetched,
    )
    by_page: dict[str, ProductRecord] = {}
    for record in records:
        page = truth.get(_page_key(record.url))
        if page is not None and page.product:
            result.true_records += 1
            by_page.setdefault(page.path, record)
        else:
            result.false_records.append(_page_key(record.url))
    for page in site.products:
        record = by_page.get(page.path)
        names = {normalise_name(name) for name in page.names}
        images = {image_key(urljoin(base + page.path, image)) for image in page.images}
        name_ok = record is not None and normalise_name(record.name) in names
        image_ok = record is not None and bool(record.image_urls)
        image_ok = image_ok and image_key(record.image_urls[0]) in images
        result.name_right += name_ok
        result.image_right += image_ok
        if name_ok and image_ok:
            result.found += 1
        else:
            result.misses.append(
                {
                    "page": page.path,
                    "expected": page.names[0] if page.names else "",
                    "got": record.name if record else None,
                    "image_expected": page.images[0] if page.images else "",
                    "image_got": record.image_urls[0] if record and record.image_urls else None,
                }
            )
    return result


def crawl_site(
    site: Site, work: Path, politeness: Politeness | None = None
) -> tuple[SiteScore, list[ProductRecord]]:
    """Serve, crawl and score one site; `work` holds the crawl's output and job."""
    with serving(site) as base:
        source = source_for(site, base, politeness)
        out = work / f"{site.slug}.jsonl"
        stats = run_crawl(source, out, work / f"{site.slug}-job")
        records = load_records(out)
        result = score(site, base, records, stats)
        result.by_page = page_records(site, base, records)
        return result, records
