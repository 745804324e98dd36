"""`ilid dedup FOLDER -o clusters.json`: near-duplicate clusters of every image in a folder.

The same hashes (`file_hashes`, decoded as ingest decodes), the same pixel check and the same
clustering (`cluster_records`) as the `image_clusters` asset, without a warehouse.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from ilid_platform.images.dedup import DedupConfig, cluster_records
from ilid_platform.images.hashing import VIEW_COLUMNS, Hashes, file_hashes
from ilid_platform.images.process import not_image_reason, sniff_format

_Hashed = tuple[Hashes, tuple[int, int], int]


def _hash_one(path: Path) -> _Hashed | str:
    """(hashes, size, bytes) of an image file, or why it cannot be hashed."""
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
        if sniff_format(head) is None:
            return f"not an image: {not_image_reason(head)}"
        hashes, size = file_hashes(path)
        return hashes, size, path.stat().st_size
    except OSError as exc:
        if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
            return f"unreadable: {exc.strerror}"
        return f"decode error: {type(exc).__name__}: {exc}"
    except Image.DecompressionBombError as exc:
        return f"too large: {exc}"
    except Exception as exc:  # untrusted bytes in a C decoder fail in many ways; all mean "bad"
        return f"decode error: {type(exc).__name__}: {exc}"


def dedup_folder(
    folder: Path,
    config: DedupConfig | None = None,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """The clusters document of every file under `folder` (recursively, hidden ones skipped).

    Each cluster lists paths relative to `folder`, representative first; singletons are
    clusters too. Files that are not readable images are listed with the reason.
    """
    config = config or DedupConfig()
    folder = Path(folder)
    files = sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts)
    )
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        results = list(pool.map(_hash_one, files))
    if progress:
        progress(f"hashed {len(files)} files under {folder}")
    readable = [not isinstance(result, str) for result in results]
    paths = list(itertools.compress(files, readable))
    good = list(itertools.compress(results, readable))
    views = np.array(
        [[getattr(hashed, c) for c in VIEW_COLUMNS] for hashed, _, _ in good], np.uint64
    ).reshape(-1, len(VIEW_COLUMNS))
    pixels = np.array([w * h for _, (w, h), _ in good], np.int64)
    nbytes = np.array([size for _, _, size in good], np.int64)
    clustering = cluster_records(views, pixels, nbytes, config, paths=paths, progress=progress)
    representative = clustering.representative
    members: dict[int, list[str]] = {}
    for index in np.argsort(representative != np.arange(len(paths)), kind="stable"):
        members.setdefault(int(representative[index]), []).append(
            paths[index].relative_to(folder).as_posix()
        )
    clusters = sorted(members.values(), key=lambda group: (-len(group), group[0]))
    return {
        "folder": str(folder),
        "threshold": config.threshold,
        "verified": config.verify,
        "candidate_pairs": len(clustering.candidates),
        "confirmed_pairs": (
            sum(check.same for check in clustering.checks)
            if clustering.checks is not None
            else len(clustering.candidates)
        ),
        "embeddings": config.embedding_model is not None,
        "embedding_pairs": clustering.embedding_pairs,
        "images": len(paths),
        "clusters": clusters,
        "unreadable": [
            {"path": path.relative_to(folder).as_posix(), "reason": result}
            for path, result in zip(files, results, strict=True)
            if isinstance(result, str)
        ],
    }


def dedup_command(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ilid dedup",
        description="Cluster the near-duplicate images under a folder: perceptual hashes "
        "propose pairs, a keypoint and pixel check confirms them, clusters never chain.",
    )
    parser.add_argument("folder", type=Path, help="folder searched recursively")
    parser.add_argument("-o", "--output", type=Path, required=True, help="clusters JSON file")
    parser.add_argument(
        "--threshold",
        type=int,
        default=DedupConfig.threshold,
        help="Hamming radius between hash views of a candidate pair (default %(default)s)",
    )
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="trust the hashes: skip the pixel check of candidate pairs",
    )
    parser.add_argument(
        "--embeddings",
        action="store_true",
        help="also pair images whose open_clip embeddings are close",
    )
    parser.add_argument(
        "--model",
        default="ViT-B-16",
        help="open_clip model name, or a train_clip checkpoint (.pt)",
    )
    parser.add_argument(
        "--pretrained",
        default=None,
        help="pretrained tag or weights file for --model (e.g. openai)",
    )
    parser.add_argument(
        "--threshold-cos",
        type=float,
        default=DedupConfig.threshold_cos,
        help="cosine similarity of an embedding pair (default %(default)s)",
    )
    parser.add_argument("--workers", type=int, default=None, help="hashing threads")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    if args.embeddings and not args.pretrained and not args.model.endswith(".pt"):
        print(
            f"warning: {args.model} without --pretrained has random weights; its embedding "
            "pairs mean nothing",
            file=sys.stderr,
        )
    config = DedupConfig(
        threshold=args.threshold,
        verify=not args.no_verify,
        embedding_model=args.model if args.embeddings else None,
        embedding_pretrained=args.pretrained,
        threshold_cos=args.threshold_cos,
    )

    def echo(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    document = dedup_folder(args.folder, config, args.workers, progress=echo)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_name(f".{args.output.name}.tmp")
    tmp.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    tmp.replace(args.output)
    clusters = document["clusters"]
    print(
        f"{document['images']} images in {len(clusters)} clusters "
        f"({sum(len(c) > 1 for c in clusters)} with duplicates), "
        f"{len(document['unreadable'])} unreadable -> {args.output}"
    )
    return 0
