"""Product extraction on real catalog sites nobody here wrote: recall and precision per site.

Each site of `ilid_platform_tests/corpus/` (copies of real shops taken from public
repositories, with hand-checked truth; see its README) is served on loopback and crawled as
`ilid crawl` crawls it, given only its start url and allowed domain. Politeness is relaxed
(no delay, no AutoThrottle), since the server is local; extraction is unchanged.

* recall: product pages whose record has the product's name and its main image first
* precision: records whose page really is a product page

Sites marked `split: holdout` were kept out of the extractor's development until measured
once (figures in the corpus README); their totals are printed apart. New unseen sites belong
there before anyone looks at them.

    .venv/bin/python benchmarks/extraction_quality.py [--site SLUG ...] [--json OUT] [-v]

The last line is the worst site's recall.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from ilid_platform.crawl.sources import Politeness
from ilid_platform_tests.corpus_sites import crawl_site, load_site, site_slugs

FAST = Politeness(download_delay=0, autothrottle=False, concurrency_per_domain=8)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", action="append", help="only these sites (repeatable)")
    parser.add_argument(
        "--split", choices=("dev", "holdout", "all"), default="all", help="which sites"
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()

    slugs = args.site or [
        slug for slug in site_slugs() if args.split in ("all", load_site(slug).split)
    ]
    scores = []
    print(
        f"{'site':<14} {'data':<10} {'products':>8} {'other':>5} {'fetched':>7} {'records':>7}"
        f" {'names':>5} {'images':>6} {'recall':>6} {'precision':>9} {'s':>5}"
    )
    with tempfile.TemporaryDirectory(prefix="ilid-extraction-") as tmp:
        for slug in slugs:
            started = time.monotonic()
            site_score, _ = crawl_site(load_site(slug), Path(tmp), FAST)
            elapsed = time.monotonic() - started
            scores.append(site_score)
            s = site_score
            print(
                f"{s.slug:<14} {s.structured_data[:10]:<10} {s.product_pages:>8}"
                f" {s.negative_pages:>5} {s.pages_fetched:>7} {s.records:>7} {s.name_right:>5}"
                f" {s.image_right:>6} {s.recall:>6.2f} {s.precision:>9.2f} {elapsed:>5.1f}",
                flush=True,
            )
            if args.verbose:
                for miss in s.misses:
                    print(f"    miss {json.dumps(miss, ensure_ascii=False)}")
                for page in s.false_records:
                    print(f"    not a product: {page}")

    def totals(label: str, group: list) -> tuple[float, float]:
        products = sum(s.product_pages for s in group)
        records = sum(s.records for s in group)
        recall = sum(s.found for s in group) / products if products else 1.0
        precision = sum(s.true_records for s in group) / records if records else 1.0
        print(
            f"{label:<14} {'':<10} {products:>8} {sum(s.negative_pages for s in group):>5}"
            f" {sum(s.pages_fetched for s in group):>7} {records:>7}"
            f" {sum(s.name_right for s in group):>5} {sum(s.image_right for s in group):>6}"
            f" {recall:>6.2f} {precision:>9.2f}"
        )
        return recall, precision

    splits = {split: [s for s in scores if s.split == split] for split in ("dev", "holdout")}
    for split, group in splits.items():
        if group and len(group) < len(scores):
            totals(f"total {split}", group)
    recall, precision = totals("total", scores)
    worst = min(scores, key=lambda s: s.recall)
    if args.json:
        figures = {
            s.slug: {
                "structured_data": s.structured_data,
                "split": s.split,
                "product_pages": s.product_pages,
                "negative_pages": s.negative_pages,
                "pages_fetched": s.pages_fetched,
                "records": s.records,
                "recall": round(s.recall, 4),
                "precision": round(s.precision, 4),
                "names_right": s.name_right,
                "images_right": s.image_right,
                "misses": s.misses,
                "false_records": s.false_records,
            }
            for s in scores
        }
        figures["total"] = {
            "recall": round(recall, 4),
            "precision": round(precision, 4),
            "worst_site": worst.slug,
            "worst_recall": round(worst.recall, 4),
        }
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(f"worst site recall: {worst.recall:.2f} ({worst.slug})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
