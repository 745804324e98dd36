"""The content-addressed image store: `<root>/ab/cd/<sha256>.<ext>` plus normalised copies."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_EXTENSIONS = {"jpeg": "jpg", "tiff": "tif"}


def shard_dir(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256[2:4]


def original_path(root: Path, sha256: str, fmt: str) -> Path:
    """Where the original bytes of an image in sniffed format `fmt` live."""
    return shard_dir(root, sha256) / f"{sha256}.{_EXTENSIONS.get(fmt, fmt)}"


def normalised_path(root: Path, sha256: str, tag: str) -> Path:
    """Where the normalised PNG with tag `tag` (see `normalise.normalised_tag`) lives."""
    return shard_dir(root, sha256) / f"{sha256}.{tag}.png"


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so readers never see half a file.

    Content addressing makes an existing file final: it is left alone.
    """
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
