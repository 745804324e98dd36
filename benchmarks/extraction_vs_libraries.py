"""Name and main photo of every corpus product page: ours against readability-lxml and
trafilatura, the boilerplate-removal libraries one would reach for first.

The libraries are told nothing but the page (they have no notion of a product page, so every
page here is one); ours is measured twice, on the page alone (`extract_product`) and decided
with its site (`decide_pages`, what a crawl does). The libraries run in the peer venv
($ILID_PEER_VENV), never in the project's.

    .venv/bin/python benchmarks/extraction_vs_libraries.py [--json OUT]

The last line is `ratio ours/best library (name and photo): X.XXx`: the share of product pages
whose name and photo are both right, ours with its site over the best library.
"""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import unquote, urljoin

from harness import Benchmark, Ratio
from peers import peer_python

from ilid_platform.crawl.extract import decide_pages, extract_product, read_page
from ilid_platform_tests.corpus_sites import (
    image_key,
    load_site,
    normalise_name,
    site_slugs,
)

BASE = "http://127.0.0.1:9"
PEER = r"""
import json, sys
from lxml import html as lhtml
from readability import Document
import trafilatura
out = []
for path, url in json.loads(sys.stdin.read()):
    text = open(path, "rb").read().decode("utf-8", "replace")
    row = {}
    try:
        doc = Document(text)
        summary = lhtml.fromstring(doc.summary())
        img = next((i.get("src") for i in summary.iter("img") if i.get("src")), "")
        row["readability"] = [doc.short_title(), img]
    except Exception:
        row["readability"] = ["", ""]
    meta = trafilatura.extract_metadata(text, default_url=url)
    row["trafilatura"] = [meta.title or "", meta.image or ""] if meta else ["", ""]
    out.append(row)
print(json.dumps(out))
"""


def main() -> int:
    bench = Benchmark("extraction_vs_libraries", __doc__)
    bench.parse()
    pages = []  # (site, truth page, file, url)
    for slug in site_slugs():
        site = load_site(slug)
        for page in site.pages:
            path = site.root / unquote(page.path).lstrip("/")
            if path.is_dir() or page.path.endswith("/"):
                path = path / "index.html"
            pages.append((site, page, path, BASE + page.path))
    products = [(s, p, f, u) for s, p, f, u in pages if p.product]

    def right(page, url: str, name: str, image: str) -> tuple[bool, bool]:
        names = {normalise_name(n) for n in page.names}
        images = {image_key(urljoin(url, i)) for i in page.images}
        return normalise_name(name) in names, bool(image) and image_key(
            urljoin(url, image)
        ) in images

    scores: dict[str, list[int]] = {}

    def count(method: str, name_ok: bool, image_ok: bool) -> None:
        totals = scores.setdefault(method, [0, 0, 0])
        totals[0] += name_ok
        totals[1] += image_ok
        totals[2] += name_ok and image_ok

    for _, page, path, url in products:
        product = extract_product(path.read_bytes(), url).product or {}
        count(
            "ours, page alone",
            *right(page, url, product.get("name", ""), (product.get("image_urls") or [""])[0]),
        )
    for slug in site_slugs():
        site_pages = [(p, f, u) for s, p, f, u in pages if s.slug == slug]
        readings = [read_page(f.read_bytes(), u) for _, f, u in site_pages]
        for (page, _, url), decision in zip(site_pages, decide_pages(readings), strict=True):
            if page.product:
                product = decision.product or {}
                image = (product.get("image_urls") or [""])[0]
                count("ours, with its site", *right(page, url, product.get("name", ""), image))

    python = peer_python("trafilatura", [["readability-lxml", "trafilatura"]])
    payload = json.dumps([[str(f), u] for _, _, f, u in products])
    done = subprocess.run(
        [str(python), "-c", PEER], input=payload, capture_output=True, text=True, check=True
    )
    for (_, page, _, url), row in zip(products, json.loads(done.stdout), strict=True):
        for library, (name, image) in row.items():
            count(library, *right(page, url, name, image))

    n = len(products)
    bench.table(
        f"name and main photo right, {n} product pages of {len(site_slugs())} real sites",
        ["method", "names", "photos", "both"],
        [
            [method, names / n, images / n, both / n]
            for method, (names, images, both) in scores.items()
        ],
    )
    libraries = max(scores[m][2] for m in scores if not m.startswith("ours"))
    ours = max(scores[m][2] for m in scores if m.startswith("ours"))
    return bench.finish(Ratio("ours/best library (name and photo)", ours / max(libraries, 1)))


if __name__ == "__main__":
    sys.exit(main())
