"""Near-duplicate quality: pair precision on the large demo catalog and on real shops' photos,
recall per reseller edit, hashes with the pixel check against hashes alone.

    python benchmarks/dedup_quality.py [--json OUT] [--demo-dir DIR] [--split holdout dev]

Real photos: every product photo of the corpus sites (ilid_platform_tests/corpus, see its
README for provenance) of a split, held-out part first, and 14 edits of each (dedup_sets.py):
resize, JPEG q20, brightness, crops, white and grey pads, a watermark band (those nine have a
recall floor of 0.9), and five more without one. The demo catalog: the `large` catalog's
images as they are, whose generator knows which are copies of one another.

Everything is clustered by the code path of `ilid dedup` and the `image_clusters` asset
(`cluster_records` with the default `DedupConfig`), from hashes taken as ingest takes them.
Recall of an edit is the share of edited copies that land in their original's cluster;
pair precision is the share of pairs of images in one cluster that are one photo. A photo
is a shot, not a file: two products of a shop may show one shot, re-encoded or resized
(`dedup_sets.same_shot`), and their originals are one photo; the report lists every such
join, and the photos that the check put in one cluster all the same. The baseline is the
previous default: the whole-image pHash within 6 bits, nothing checked. Figures are printed
(and recorded with `--json`), never asserted.
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from dedup_sets import EDITS, FLOORS, catalog_set, corpus_set
from harness import Benchmark, Ratio

from ilid_platform.demo import generate_catalog
from ilid_platform.images.dedup import DedupConfig, cluster, cluster_records
from ilid_platform.images.hashing import VIEW_COLUMNS, file_hashes

BASELINE_THRESHOLD = 6
PRECISION_FLOOR, RECALL_FLOOR = 0.99, 0.9


def hash_folder(folder: Path, names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(views, pixels, bytes) of every file, hashed as ingest hashes."""
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        hashed = list(pool.map(lambda name: file_hashes(folder / name), names))
    views = np.array([[getattr(h, c) for c in VIEW_COLUMNS] for h, _ in hashed], np.uint64)
    pixels = np.array([w * h for _, (w, h) in hashed], np.int64)
    nbytes = np.array([(folder / name).stat().st_size for name in names], np.int64)
    return views, pixels, nbytes


def clusterings(folder: Path, labels: dict[str, dict]) -> dict[str, dict]:
    """Cluster the set with the default config and with the baseline; figures of each run."""
    names = sorted(labels)
    started = time.perf_counter()
    views, pixels, nbytes = hash_folder(folder, names)
    hashed_s = time.perf_counter() - started
    started = time.perf_counter()
    result = cluster_records(views, pixels, nbytes, DedupConfig(), [folder / n for n in names])
    clustered_s = time.perf_counter() - started
    preference = np.lexsort((np.arange(len(names)), -nbytes, -pixels))
    baseline = cluster(views[:, 0], BASELINE_THRESHOLD, preference)
    return {
        "checked": {
            "representative": result.representative,
            "candidates": len(result.candidates),
            "confirmed": sum(check.same for check in result.checks),
            "seconds": clustered_s,
            "hash_seconds": hashed_s,
        },
        f"pHash {BASELINE_THRESHOLD} bits": {"representative": baseline},
        "names": names,
    }


def pair_figures(names: list[str], labels: dict[str, dict], representative: np.ndarray) -> dict:
    """Pairs in clusters, how many are one photo, how many true pairs were found, and the
    clusters that mix kinds (part types, or shops for the corpus)."""
    members = defaultdict(list)
    for index, rep in enumerate(representative.tolist()):
        members[rep].append(names[index])
    predicted = right = mixed = 0
    for group in members.values():
        for a, b in itertools.combinations(group, 2):
            predicted += 1
            right += labels[a]["identity"] == labels[b]["identity"]
        mixed += len({labels[name]["kind"] for name in group}) > 1
    by_identity = defaultdict(int)
    for label in labels.values():
        by_identity[label["identity"]] += 1
    true_pairs = sum(n * (n - 1) // 2 for n in by_identity.values())
    return {
        "pairs": predicted,
        "same_photo": right,
        "precision": right / predicted if predicted else 1.0,
        "recall": right / true_pairs if true_pairs else 1.0,
        "mixed_clusters": mixed,
    }


def edit_figures(names: list[str], labels: dict[str, dict], representative: np.ndarray) -> dict:
    """Per edit: recall (copies in their own original's cluster) and precision (of their
    mates: images of the same photo)."""
    cluster_of = dict(zip(names, representative.tolist(), strict=True))
    members = defaultdict(list)
    for name, rep in cluster_of.items():
        members[rep].append(name)
    original = {label["photo"]: n for n, label in labels.items() if label["edit"] is None}
    found, total, right, mates = (defaultdict(int) for _ in range(4))
    for name, label in labels.items():
        edit = label["edit"]
        if edit is None:
            continue
        total[edit] += 1
        found[edit] += cluster_of[name] == cluster_of[original[label["photo"]]]
        for mate in members[cluster_of[name]]:
            if mate != name:
                mates[edit] += 1
                right[edit] += labels[mate]["identity"] == label["identity"]
    return {
        edit: (found[edit] / total[edit], right[edit] / mates[edit] if mates[edit] else None)
        for edit in EDITS
    }


def merged_photos(names: list[str], labels: dict[str, dict], representative: np.ndarray):
    """[photo a, photo b, image pairs]: photos whose images share a cluster, most pairs first."""
    members = defaultdict(list)
    for index, rep in enumerate(representative.tolist()):
        members[rep].append(labels[names[index]]["identity"])
    pairs = defaultdict(int)
    for group in members.values():
        for a, b in itertools.combinations(group, 2):
            if a != b:
                pairs[min(a, b), max(a, b)] += 1
    return [[a, b, n] for (a, b), n in sorted(pairs.items(), key=lambda item: -item[1])]


def report_corpus(bench: Benchmark, split: str, tmp: Path) -> dict:
    folder = tmp / f"corpus-{split}"
    folder.mkdir()
    labels = corpus_set(folder, split)
    runs = clusterings(folder, labels)
    names = runs.pop("names")
    part = "held-out part" if split == "holdout" else "working part"
    originals = sum(label["edit"] is None for label in labels.values())
    edits = {name: edit_figures(names, labels, run["representative"]) for name, run in runs.items()}
    pairs = {name: pair_figures(names, labels, run["representative"]) for name, run in runs.items()}
    rows = []
    for edit in EDITS:
        (recall, precision), (base_recall, _) = edits["checked"][edit], edits["pHash 6 bits"][edit]
        floor = RECALL_FLOOR if edit in FLOORS else None
        rows.append([edit, floor, recall, precision, base_recall])
    bench.table(
        f"Corpus photos, {part}: {originals} originals x {len(EDITS)} edits",
        ["edit", "recall floor", "recall", "precision of its mates", "recall, pHash 6 alone"],
        rows,
    )
    joined = sorted(
        [label["photo"], label["identity"]]
        for label in labels.values()
        if label["edit"] is None and label["photo"] != label["identity"]
    )
    if joined:
        bench.table(f"Originals that are one shot, {part}", ["original", "one photo with"], joined)
    merged = merged_photos(names, labels, runs["checked"]["representative"])
    if merged:
        bench.table(
            f"Photos clustered with another photo, {part}", ["photo", "photo", "pairs"], merged
        )
    checked = runs["checked"]
    summary = {
        "images": len(labels),
        "originals": originals,
        "one_shot": joined,
        "merged_photos": merged,
        "pair_precision": pairs["checked"]["precision"],
        "pair_precision_baseline": pairs["pHash 6 bits"]["precision"],
        "pair_recall": pairs["checked"]["recall"],
        "recall": {edit: edits["checked"][edit][0] for edit in EDITS},
        "candidate_pairs": checked["candidates"],
        "confirmed_pairs": checked["confirmed"],
        "seconds": checked["seconds"],
    }
    bench.figure(f"corpus_{split}", summary)
    return summary


def report_catalog(bench: Benchmark, site: Path, tmp: Path) -> dict:
    folder = tmp / "catalog"
    folder.mkdir()
    labels = catalog_set(site, folder)
    runs = clusterings(folder, labels)
    names = runs.pop("names")
    pairs = {name: pair_figures(names, labels, run["representative"]) for name, run in runs.items()}
    rows = [
        [name, f["pairs"], f["same_photo"], f["precision"], f["recall"], f["mixed_clusters"]]
        for name, f in pairs.items()
    ]
    bench.table(
        f"Large demo catalog: {len(labels)} images as they are",
        ["clustering", "pairs in clusters", "same photo", "pair precision", "pair recall",
         "clusters mixing part types"],
        rows,
    )  # fmt: skip
    checked = runs["checked"]
    summary = {
        "images": len(labels),
        **{f"{k}": v for k, v in pairs["checked"].items()},
        "baseline": pairs["pHash 6 bits"],
        "candidate_pairs": checked["candidates"],
        "confirmed_pairs": checked["confirmed"],
        "seconds": checked["seconds"],
    }
    bench.figure("large_catalog", summary)
    return summary


def main() -> int:
    bench = Benchmark("dedup_quality", __doc__)
    bench.parser.add_argument("--demo-dir", type=Path, help="reuse a generated catalog here")
    bench.parser.add_argument("--size", default="large", help="demo catalog size")
    bench.parser.add_argument(
        "--split", nargs="+", default=["holdout", "dev"], choices=["holdout", "dev"]
    )
    bench.parser.add_argument("--skip-catalog", action="store_true")
    args = bench.parse()
    precisions, worst_recall = {}, 1.0
    with tempfile.TemporaryDirectory(prefix="ilid-dedup-quality-") as tmp:
        for split in args.split:
            summary = report_corpus(bench, split, Path(tmp))
            precisions[f"corpus {split}"] = summary["pair_precision"]
            worst_recall = min(worst_recall, *(summary["recall"][e] for e in FLOORS))
        if not args.skip_catalog:
            site = args.demo_dir or Path(tmp) / "demo"
            generate_catalog(site, size=args.size, progress=print)
            precisions[f"{args.size} catalog"] = report_catalog(bench, site, Path(tmp))["precision"]
    met = min(precisions.values()) >= PRECISION_FLOOR and worst_recall >= RECALL_FLOOR
    bench.table(
        "Floors",
        ["figure", "floor", "measured", "met"],
        [
            *([f"pair precision, {k}", PRECISION_FLOOR, v, v >= PRECISION_FLOOR]
              for k, v in precisions.items()),
            ["lowest recall of a floor edit", RECALL_FLOOR, worst_recall,
             worst_recall >= RECALL_FLOOR],
        ],
    )  # fmt: skip
    bench.figure("floors_met", met)
    return bench.finish(ratio=Ratio("lowest pair precision", min(precisions.values()), 3, ""))


if __name__ == "__main__":
    sys.exit(main())
