"""Caption quality on real catalog pages: the captioner against hand-labelled truth.

Every corpus site with caption truth (`ilid_platform_tests/corpus/<site>/captions.yaml`, see
its CAPTIONS.md) is served on loopback and crawled as the pipeline crawls it; each labelled
product's record is then pre-filtered, captioned and post-filtered as the `captions` asset
does, and what would be kept is compared with the labels:

* label_short (and label_long): share of products whose value is an acceptable form;
* material and finish: precision over the products given one, recall over the products whose
  page states one;
* descriptions: share that are boilerplate (they hold a labelled template/shop string of
  their page, or the page has no real description).

A product the crawl missed or a filter dropped has no caption: a miss, and a null. The rules
captioner runs by default; `--url` measures an Ollama or OpenAI-compatible server instead.
Held-out sites (`split: heldout`) are printed first and only as totals; per-product detail
(`-v`, and the JSON) covers the working part only.

    .venv/bin/python benchmarks/caption_quality.py [--url URL [--api ollama|openai] --model M]
        [--site SLUG ...] [--json OUT] [-v]

The last line is the held-out part's label_short acceptable rate (the working part's when no
held-out site is measured).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness import Benchmark, Ratio

from ilid_platform.captions.filters import post_filter, pre_filter, trade_name_pattern
from ilid_platform.captions.ollama_captioner import OllamaCaptioner
from ilid_platform.captions.openai_captioner import OpenAICaptioner
from ilid_platform.captions.rules import RuleCaptioner
from ilid_platform.captions.schema import ProductText
from ilid_platform.crawl.sources import Politeness
from ilid_platform_tests.corpus_captions import (
    CaptionScore,
    caption_sites,
    caption_split,
    load_truth,
    product_text,
    score_product,
)
from ilid_platform_tests.corpus_sites import crawl_site, load_site

FAST = Politeness(download_delay=0, autothrottle=False, concurrency_per_domain=8)
FLOORS = {
    "label_short_acceptable": (">=", 0.85),
    "material_precision": (">=", 0.95),
    "material_recall": (">=", 0.6),
    "boilerplate_share": ("<=", 0.0),
}


def build_captioner(args: argparse.Namespace):
    if not args.url:
        return RuleCaptioner()
    options = {"timeout_s": args.timeout_s, "concurrency": args.concurrency}
    api = args.api or ("openai" if args.url.rstrip("/").endswith("/v1") else "ollama")
    if api == "openai":
        captioner = OpenAICaptioner(base_url=args.url, model=args.model, **options)
    else:
        captioner = OllamaCaptioner(host=args.url, model=args.model, **options)
    captioner.check_available()
    return captioner


def kept_captions(captioner, products: list[ProductText]) -> dict[str, dict | None]:
    """By url: the caption the `captions` asset would keep, or None (filtered, failed)."""
    kept: dict[str, dict | None] = {}
    prepare = getattr(captioner, "prepare", None)
    if prepare is not None:  # as `caption_products` does: every live product of the site
        prepare(products)
    todo = []
    for product in products:
        if pre_filter(product) is None:
            todo.append(product)
        else:
            kept[product.url] = None
    for product, outcome in captioner.caption_many(todo):
        if outcome.error is not None:
            kept[product.url] = None
            continue
        trade_names = trade_name_pattern(captioner.trade_name_regex, product.brand)
        caption, _ = post_filter(outcome.fields or {}, trade_names)
        kept[product.url] = caption.model_dump() if caption is not None else None
    return kept


def score_site(slug: str, captioner, work: Path) -> tuple[CaptionScore, list[dict[str, Any]], str]:
    truth = load_truth(slug)
    crawl, _ = crawl_site(load_site(slug), work, FAST)
    products = {path: product_text(record) for path, record in crawl.by_page.items()}
    kept = kept_captions(captioner, list(products.values()))
    result = CaptionScore()
    rows = []
    for labelled in truth.products:
        product = products.get(labelled.path)
        result.found += product is not None
        caption = kept.get(product.url) if product is not None else None
        result.kept += caption is not None
        rows.append({**score_product(labelled, caption, result), "found": product is not None})
    return result, rows, truth.round


COLUMNS = [
    "part", "products", "found", "kept", "label_short", "label_short (found)", "label_long",
    "material P", "material R", "finish P", "finish R", "descriptions", "boilerplate share",
]  # fmt: skip


def _row(label: str, summary: dict[str, Any]) -> list[Any]:
    keys = (
        "products", "found_by_crawl", "captions_kept", "label_short_acceptable",
        "label_short_acceptable_when_found", "label_long_acceptable", "material_precision",
        "material_recall", "finish_precision", "finish_recall", "descriptions",
        "boilerplate_share",
    )  # fmt: skip
    return [label, *(summary.get(key) for key in keys)]


def main() -> int:
    bench = Benchmark("caption_quality", __doc__)
    parser = bench.parser
    parser.add_argument("--url", help="an Ollama or OpenAI-compatible server (default: rules)")
    parser.add_argument("--api", choices=("ollama", "openai"), help="default: from the url")
    parser.add_argument("--model", default="llama3.1:8b", help="model name on the server")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout-s", type=float, default=120.0)
    parser.add_argument("--site", action="append", help="only these sites (repeatable)")
    parser.add_argument("-v", "--verbose", action="store_true", help="working part per product")
    args = bench.parse()

    captioner = build_captioner(args)
    slugs = args.site or caption_sites()
    groups = {"heldout": CaptionScore(), "working": CaptionScore()}
    per_site: dict[str, dict[str, Any]] = {}
    # the working part by labelling round: rounds tuned on long ago against recent ones
    rounds: dict[str, CaptionScore] = {}
    detail: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="ilid-captions-") as tmp:
        for slug in slugs:
            split = "heldout" if caption_split(slug) == "heldout" else "working"
            site_score, rows, labelled_in = score_site(slug, captioner, Path(tmp))
            groups[split].add(site_score)
            if split == "working":
                rounds.setdefault(labelled_in or "-", CaptionScore()).add(site_score)
                per_site[slug] = site_score.summary()
                detail[slug] = rows
            print(f"  {slug}: done ({split})", file=sys.stderr, flush=True)

    identity = f"{captioner.name}/{captioner.model}"
    summaries = {name: group.summary() for name, group in groups.items()}
    parts = [name for name in ("heldout", "working") if summaries[name]["products"]]
    bench.table(
        f"caption quality of {identity}: held-out part first (totals only), then working",
        COLUMNS,
        [_row(name, summaries[name]) for name in parts],
        note="label_short (found): over the products the crawl found; the other rates count "
        "a product the crawl missed as a miss.",
    )
    by_round = {name: rounds[name].summary() for name in sorted(rounds)}
    if by_round:
        bench.table(
            "working part by labelling round (CAPTIONS.md; each round after the first was a "
            "held-out part measured once, then studied)",
            COLUMNS,
            [_row(f"round {name}", summary) for name, summary in by_round.items()],
        )
    if per_site:
        bench.table(
            "working part per site",
            COLUMNS,
            [_row(slug, summary) for slug, summary in per_site.items()],
        )
    if args.verbose:
        for slug, rows in detail.items():
            for row in rows:
                marks = " ".join(
                    f"{name}={row[name]['got']!r}{'' if row[name]['ok'] else ' ✗'}"
                    for name in ("label_short", "material", "material_finish")
                )
                print(f"    {slug}{row['path']}: {marks}")
    floors = {}
    for part in parts:
        for key, (op, limit) in FLOORS.items():
            value = summaries[part][key]
            met = value is not None and (value >= limit if op == ">=" else value <= limit)
            floors[f"{part}.{key}"] = {"value": value, "floor": f"{op} {limit}", "met": met}
    for key, value in (("captioner", identity), ("sites", slugs), ("floors", floors)):
        bench.figure(key, value)
    for part in parts:
        bench.figure(part, summaries[part])
    bench.figure("working_rounds", by_round)
    bench.figure("working_sites", per_site)
    bench.figure("working_products", detail)
    missed = [k for k, v in floors.items() if not v["met"]]
    bench.note("floors missed: " + (", ".join(missed) if missed else "none"))
    first = parts[0] if parts else "working"
    value = summaries[first]["label_short_acceptable"] or 0.0
    return bench.finish(Ratio(f"{first} label_short acceptable", value, suffix=""))


if __name__ == "__main__":
    raise SystemExit(main())
