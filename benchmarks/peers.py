"""A separate virtual environment for the peer tools the benchmarks compare against.

img2dataset and imagededup are never project dependencies: they pin other versions of shared
packages (imagededup even wants torch, which the project pins). They live in their own venv,
$ILID_PEER_VENV (default /tmp/ilid-peer-venv), created and filled on first use with pip.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PEER_VENV = Path(os.environ.get("ILID_PEER_VENV", "/tmp/ilid-peer-venv"))


def peer_python(module: str, installs: list[list[str]]) -> Path:
    """The peer venv's python, after making sure `module` imports there.

    `installs` are pip argument lists run in order when it does not, e.g.
    `[["--no-deps", "imagededup"], ["numpy", "scipy"]]` for a package whose declared
    dependencies are heavier than the code path a benchmark calls.
    """
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating peer venv {PEER_VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        # the pip that venv bundles (23.x) fails on some packages' repeated extras
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    probe = [str(python), "-c", f"import importlib.util as u; assert u.find_spec({module!r})"]
    if subprocess.run(probe, capture_output=True).returncode != 0:
        for args in installs:
            print(f"peer venv: pip install {' '.join(args)}", file=sys.stderr)
            subprocess.run([str(python), "-m", "pip", "install", "-q", *args], check=True)
    return python
