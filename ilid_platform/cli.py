"""The `ilid` command: the same code paths as the assets, outside Dagster."""

from __future__ import annotations

import argparse
import json
import logging
import sys


def _demo_run(argv: list[str]) -> int:
    from ilid_platform.demo.catalog import SIZES

    parser = argparse.ArgumentParser(
        prog="ilid demo run",
        description="Serve the demo catalog and materialise every asset on it.",
    )
    parser.add_argument("--size", default="demo", choices=sorted(SIZES))
    parser.add_argument(
        "--port", type=int, default=None, help="demo catalog port (default $ILID_DEMO_PORT or 8700)"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from ilid_platform.run_demo import run_demo

    summary = run_demo(size=args.size, port=args.port, seed=args.seed)
    print(json.dumps(summary, indent=2))
    paths = summary["paths"]
    print(f"\ndataset shards: {paths['shards']}")
    print(f"checkpoints:    {paths['checkpoints']}")
    print(f"metrics:        {paths['reports']}")
    print(f"summary:        {paths['summary']}")
    print(
        f"web UI:         ILID_HOME={paths['ilid_home']} "
        f"DAGSTER_HOME={paths['dagster_home']} .venv/bin/dagster dev"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    usage = "usage: ilid {crawl,dedup,demo} ...  (ilid demo {run,serve,generate})"
    if not argv:
        print(usage, file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "crawl":
        from ilid_platform.crawl.cli import crawl_command

        return crawl_command(rest)
    if command == "dedup":
        from ilid_platform.images.cli import dedup_command

        return dedup_command(rest)
    if command == "demo" and rest[:1] == ["run"]:
        return _demo_run(rest[1:])
    if command == "demo":
        from ilid_platform.demo.cli import main as demo_main

        return demo_main(rest)
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
