"""`ilid crawl SOURCES.yaml --source NAME -o OUT.jsonl`: crawl one catalog from the shell."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ilid_platform.crawl.runner import CrawlError, run_crawl
from ilid_platform.crawl.sources import (
    SourceError,
    default_sources_path,
    get_source,
    load_sources,
)
from ilid_platform.settings import storage_paths


def crawl_command(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ilid crawl", description="Crawl one catalog source into product JSON lines."
    )
    parser.add_argument("sources", type=Path, help="sources YAML file")
    parser.add_argument("--source", help="source name (optional if the file declares one)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="output JSON lines")
    parser.add_argument(
        "--job-dir", type=Path, help="resumable job state (default: $ILID_HOME/crawl/jobs/NAME)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="do not echo the crawl log")
    args = parser.parse_args(argv)

    try:
        if args.source:
            source = get_source(args.sources, args.source)
        else:
            sources = load_sources(args.sources)
            if len(sources) != 1:
                names = ", ".join(s.name for s in sources)
                parser.error(f"--source is required; {args.sources} declares: {names}")
            source = sources[0]
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    job_dir = args.job_dir or storage_paths().crawl / "jobs" / source.name

    def echo(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        stats = run_crawl(
            source,
            args.output,
            job_dir,
            progress=None if args.quiet else echo,
        )
    except CrawlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"crawl of {source.name} finished ({stats.finish_reason}) -> {args.output}")
    print(f"  pages fetched : {stats.pages_fetched}")
    print(f"  products      : {stats.products} (resumed: {stats.products_resumed})")
    print(f"  other pages   : {stats.non_product_pages}")
    print(f"  unchanged     : {stats.not_modified} by 304, {stats.lastmod_unchanged} by lastmod")
    print(f"  elapsed       : {stats.elapsed_s:.1f} s ({stats.pages_per_s:.2f} pages/s)")
    print(f"  http statuses : {dict(sorted(stats.status_counts.items()))}")
    print(f"  rejects       : {dict(sorted(stats.rejects.items()))}")
    print(f"  page issues   : {dict(sorted(stats.issues.items()))}")
    return 0


def inspect_command(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ilid inspect",
        description="Read one page as the crawl does: what each extractor found, the product or "
        "not-product decision with its reasons, and selectors to paste into the source.",
    )
    parser.add_argument("url", help="the page's url")
    parser.add_argument("--sources", type=Path, help="sources YAML file (default: $ILID_SOURCES)")
    parser.add_argument("--source", help="use this source's selectors and address policy")
    parser.add_argument("--html", type=Path, help="read this saved file instead of fetching")
    parser.add_argument(
        "--context",
        type=int,
        default=16,
        help="pages of the site it links to, and pages those link to, fetched to decide it as "
        "the crawl would (default 16; 0 judges the page alone)",
    )
    args = parser.parse_args(argv)

    from ilid_platform.crawl.extract import read_page
    from ilid_platform.crawl.inspect import (
        InspectError,
        context_pages,
        fetch_page,
        inspect_page,
        render,
    )

    try:
        source = None
        if args.source:
            source = get_source(args.sources or default_sources_path(), args.source)
        context = []
        if args.html:
            body, charset = args.html.read_bytes(), None
        else:
            body, charset = fetch_page(args.url, source)
            if args.context > 0:
                reading = read_page(body, args.url, None, charset)
                context = context_pages(reading, source, args.context)
    except (SourceError, InspectError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(render(inspect_page(body, args.url, source, charset, context)))
    return 0
