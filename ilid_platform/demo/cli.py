"""`generate` and `serve` for the demo catalog; the project CLI mounts `main` as `ilid demo`."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Sequence
from pathlib import Path

from ilid_platform.demo.catalog import SIZES
from ilid_platform.demo.generate import generate_catalog
from ilid_platform.demo.server import demo_port, port_number, running_catalog
from ilid_platform.settings import storage_paths


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ilid demo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_ in (
        ("generate", "write the catalog (skipped if the directory already holds it)"),
        ("serve", "generate if needed, then serve the three shops until SIGINT/SIGTERM"),
    ):
        cmd = commands.add_parser(name, help=help_)
        cmd.add_argument("--dir", type=Path, default=None, help="default: $ILID_HOME/demo")
        cmd.add_argument("--size", choices=sorted(SIZES), default="demo")
        cmd.add_argument("--seed", type=int, default=0)
        if name == "serve":
            cmd.add_argument(
                "--port",
                type=port_number,
                default=None,
                metavar="PORT",
                help="same port on 127.0.0.1-3 (default: $ILID_DEMO_PORT or 8700)",
            )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    site_dir = args.dir or storage_paths().demo
    port = (args.port or demo_port()) if args.command == "serve" else None
    truth = generate_catalog(site_dir, size=args.size, seed=args.seed)
    print(f"ground truth: {truth}", flush=True)
    if args.command == "generate":
        return 0
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with running_catalog(site_dir, port=port) as server:
        for shop, url in server.base_urls.items():
            print(f"{shop:<9} {url}", flush=True)
        print(f"access log: {server.access_log}", flush=True)
        stop.wait()
    return 0
