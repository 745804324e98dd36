"""The `ilid` command: the same code paths as the assets, outside Dagster."""

from __future__ import annotations

import argparse
import json
import logging
import sys


def _demo_run(argv: list[str]) -> int:
    from ilid_platform.demo.catalog import SIZES
    from ilid_platform.demo.server import port_number

    parser = argparse.ArgumentParser(
        prog="ilid demo run",
        description="Serve the demo catalog and materialise every asset on it.",
    )
    parser.add_argument("--size", default="demo", choices=sorted(SIZES))
    parser.add_argument(
        "--port",
        type=port_number,
        default=None,
        metavar="PORT",
        help="demo catalog port (default $ILID_DEMO_PORT or 8700)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--parallel",
        type=int,
        default=None,
        metavar="N",
        help="source partitions run side by side, N at a time (default: all; 1: one after "
        "another in this process)",
    )
    args = parser.parse_args(argv)
    if args.parallel is not None and args.parallel < 1:
        parser.error("--parallel must be at least 1")
    from ilid_platform.run_demo import run_demo

    summary = run_demo(size=args.size, port=args.port, seed=args.seed, parallel=args.parallel)
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


def _instance_init(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="ilid instance init",
        description="Create or migrate the Dagster instance at $DAGSTER_HOME (default "
        "$ILID_HOME/dagster) once, before runs start in parallel on it.",
    )
    parser.parse_args(argv)
    from ilid_platform.instance import dagster_home, prepare_instance
    from ilid_platform.settings import storage_paths

    home = prepare_instance(dagster_home(storage_paths().home / "dagster"))
    print(f"dagster instance ready: DAGSTER_HOME={home}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one command; a configuration error is one line on stderr and exit code 2."""
    from ilid_platform.settings import ConfigError

    try:
        return _dispatch(list(sys.argv[1:] if argv is None else argv))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _dispatch(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    usage = (
        "usage: ilid {crawl,inspect,dedup,predict,export-onnx,demo,instance} ...  "
        "(ilid demo {run,serve,generate}, ilid instance init)"
    )
    if not argv:
        print(usage, file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "instance" and rest[:1] == ["init"]:
        return _instance_init(rest[1:])
    if command == "crawl":
        from ilid_platform.crawl.cli import crawl_command

        return crawl_command(rest)
    if command == "inspect":
        from ilid_platform.crawl.cli import inspect_command

        return inspect_command(rest)
    if command == "dedup":
        from ilid_platform.images.cli import dedup_command

        return dedup_command(rest)
    if command == "predict":
        from ilid_platform.train.students.cli import predict_command

        return predict_command(rest)
    if command == "export-onnx":
        from ilid_platform.train.students.cli import export_onnx_command

        return export_onnx_command(rest)
    if command == "demo" and rest[:1] == ["run"]:
        return _demo_run(rest[1:])
    if command == "demo":
        from ilid_platform.demo.cli import main as demo_main

        return demo_main(rest)
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
