"""The content-addressed image store: `<root>/ab/cd/<sha256>.<ext>` plus normalised copies,
thumbnails and the near-duplicate check's keypoints beside it."""

from __future__ import annotations

import os
import threading
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


def thumbnail_path(root: Path, sha256: str, size: int = 128) -> Path:
    """Where the JPEG preview (long side `size`) for the UI and the dataset card lives."""
    return shard_dir(root, sha256) / f"{sha256}.thumb{size}.jpg"


def check_path(root: Path, sha256: str) -> Path:
    """Where the near-duplicate check's view of the image (`verify.Prepared`) lives."""
    return shard_dir(root, sha256) / f"{sha256}.check3.bin"


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so readers never see half a file.

    Content addressing makes an existing file final: it is left alone. Ingest writes three
    files per image, so the shard folder is only created when the first write finds it missing.
    """
    if path.exists():
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        handle = tmp.open("wb")
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = tmp.open("wb")
    try:
        with handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
