"""Near-duplicate speed: our dedup end to end (view search, pixel check, clustering) against
imagededup's hash search, and the candidate search at a million hashes.

    python benchmarks/dedup_vs_imagededup.py [--json OUT] [--peer-timeout 300]

The set: n images with five 64-bit view hashes each (uniformly random), 10 % of them a planted
edited copy of another image (each view 1 to 8 bits away) and 1 % an exact copy. Ours, with
the defaults of `ilid dedup` and the `image_clusters` asset: `candidate_pairs` over all
views (radius 8), `check_candidates` on every candidate pair, `cluster_pairs`. The pixel check
needs pixels (its workers, one process per core, are credited with all cores as imagededup
is): every planted image is given a real file, a photo of the corpus's working part
for an original and its edited copy (a reseller's edit from dedup_sets.py) for the copy. As
ingest keeps each image's prepared view (keypoints and its comparison grid) beside it, the check
loads those files, each image anew; like imagededup's hashes, they are made before the clock
starts.

imagededup (in its own venv, see peers.py) gets the whole-image hash as the hex strings its
encoder writes and runs `PHash().find_duplicates(encoding_map=..., max_distance_threshold=10)`
with its defaults (Cython brute force, one worker per core). Its package `__init__` files
import its CNN (torch) and plotting, which this path never calls, so the runner registers
those packages without running their `__init__`. Past `--peer-timeout` seconds it is stopped
and its time extrapolated from a timed sample of its own per-query search, labelled so.
Both run in this one process tree, side by side, on a machine whose cores other jobs share:
compare the ratio, not the seconds. Then the candidate search alone at 10^6 hashes.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from dedup_sets import EDITS, FLOORS, corpus_set
from harness import Benchmark, Ratio
from peers import peer_python

from ilid_platform.images.dedup import DedupConfig, cluster_pairs
from ilid_platform.images.neighbours import radius_pairs
from ilid_platform.images.pairs import candidate_pairs, check_candidates
from ilid_platform.images.verify import load_prepared, prepare_file, prepared_bytes

PEER_THRESHOLD = 10
VIEWS = 5

PEER = """
import importlib.util, json, random, sys, time, types
from pathlib import Path
root = Path(importlib.util.find_spec("imagededup").submodule_search_locations[0])
for name in ("imagededup", "imagededup.methods", "imagededup.utils"):
    package = types.ModuleType(name)
    package.__path__ = [str(root.joinpath(*name.split(".")[1:]))]
    sys.modules[name] = package
from imagededup.methods.hashing import PHash
from imagededup.handlers.search.brute_force_cython import BruteForceCython

hashes_path, out_path, mode, threshold = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
encoding = json.load(open(hashes_path))
if mode == "full":
    started = time.perf_counter()
    found = PHash(verbose=False).find_duplicates(
        encoding_map=encoding, max_distance_threshold=threshold
    )
    json.dump({"elapsed_s": time.perf_counter() - started}, open(out_path, "w"))
else:  # time a sample of the per-query search that find_duplicates runs for every hash
    searcher = BruteForceCython(encoding, PHash.hamming_distance)
    queries = random.Random(0).sample(sorted(encoding), int(mode))
    started = time.perf_counter()
    for key in queries:
        searcher.search(query=encoding[key], tol=threshold)
    json.dump({"per_query_s": (time.perf_counter() - started) / len(queries)}, open(out_path, "w"))
"""


def planted_views(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(n, 5) view hashes, and the planted (original, copy) index pairs: 10 % edited copies
    (every view 1..8 bits away), 1 % exact copies."""
    rng = np.random.default_rng(seed)
    near, exact = n // 10, n // 100
    base = rng.integers(0, 2**64, (n - near - exact, VIEWS), dtype=np.uint64)
    sources = rng.choice(len(base), near + exact, replace=False)
    copies = base[sources].copy()
    bits = np.uint64(1) << rng.integers(0, 64, (near, VIEWS, 8)).astype(np.uint64)
    keep = np.arange(8) < rng.integers(1, 9, (near, VIEWS, 1))
    copies[:near] ^= np.bitwise_or.reduce(np.where(keep, bits, np.uint64(0)), axis=2)
    order = rng.permutation(n)
    position = np.empty(n, np.int64)
    position[order] = np.arange(n)
    planted = np.stack([position[sources], position[np.arange(len(base), n)]], axis=1)
    return np.concatenate([base, copies])[order], planted


def photo_files(tmp: Path, n: int, planted: np.ndarray) -> list[Path]:
    """A file per image: planted originals get corpus photos, their copies an edit of that
    photo; every other image a photo (it is in no candidate pair unless chance makes one)."""
    folder = tmp / "photos"
    folder.mkdir(parents=True)
    labels = corpus_set(folder, "dev")
    originals = sorted(name for name, label in labels.items() if label["edit"] is None)
    edited = {name: [] for name in originals}
    for name, label in labels.items():
        if label["edit"] in FLOORS:
            edited[f"{name.rsplit('-e', 1)[0]}.png"].append(name)
    paths = [folder / originals[k % len(originals)] for k in range(n)]
    for k, (original, copy) in enumerate(planted.tolist()):
        photo = originals[k % len(originals)]
        paths[original] = folder / photo
        paths[copy] = folder / edited[photo][k % len(edited[photo])]
    return paths


def keep_prepared(paths: list[Path]) -> dict[Path, Path]:
    """What ingest keeps per image: the check's prepared view, as a file beside the photo."""
    kept = {}
    for path in sorted(set(paths)):
        kept[path] = path.with_suffix(".check.bin")
        kept[path].write_bytes(prepared_bytes(prepare_file(path)))
    return kept


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the check's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def ours(views: np.ndarray, paths: list[Path], kept: dict[Path, Path]) -> dict:
    config = DedupConfig()
    started = time.perf_counter()
    candidates = candidate_pairs(views, config.threshold)
    searched, cpu = time.perf_counter(), cpu_seconds()
    checks = check_candidates(candidates, lambda i: load_prepared(kept[paths[i]]), config.check)
    checked, check_cpu = time.perf_counter(), cpu_seconds() - cpu
    confirmed = candidates[np.array([c.same for c in checks], bool).reshape(-1)]
    cluster_pairs(len(views), confirmed)
    done = time.perf_counter()
    return {
        "search_s": searched - started,
        "check_s": checked - searched,
        "check_cpu_s": check_cpu,
        "cluster_s": done - checked,
        "total_s": done - started,
        "candidates": len(candidates),
        "confirmed": len(confirmed),
    }


def run_peer(python: Path, hashes: np.ndarray, mode: str, timeout: float) -> dict | None:
    with tempfile.TemporaryDirectory(prefix="ilid-imagededup-") as tmp:
        encoding = {str(k): f"{int(h):016x}" for k, h in enumerate(hashes)}
        hashes_path, out_path = Path(tmp) / "hashes.json", Path(tmp) / "out.json"
        hashes_path.write_text(json.dumps(encoding))
        command = [str(python), "-c", PEER, str(hashes_path), str(out_path), mode]
        command.append(str(PEER_THRESHOLD))
        log = Path(tmp) / "log.txt"
        with (
            log.open("w") as sink,
            subprocess.Popen(command, stdout=sink, stderr=sink, start_new_session=True) as process,
        ):
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its pool workers too
                process.wait()
                return None
        if process.returncode:
            raise RuntimeError(f"imagededup runner failed:\n{log.read_text()[-3000:]}")
        return json.loads(out_path.read_text())


def peer_seconds(python: Path, hashes: np.ndarray, timeout: float) -> tuple[float, str]:
    peer = run_peer(python, hashes, "full", timeout)
    if peer is not None:
        return peer["elapsed_s"], f"{peer['elapsed_s']:.1f}"
    sample = run_peer(python, hashes, "200", timeout)
    seconds = sample["per_query_s"] * len(hashes) / (os.cpu_count() or 1)
    return seconds, f">{timeout:.0f} (extrap. {seconds:.0f})"


def timed_search(hashes: np.ndarray, threshold: int) -> tuple[float, float, int]:
    started, cpu = time.perf_counter(), time.process_time()
    found = len(radius_pairs(hashes, threshold))
    return time.perf_counter() - started, time.process_time() - cpu, found


def main() -> int:
    bench = Benchmark("dedup_vs_imagededup", __doc__)
    bench.parser.add_argument("--peer-timeout", type=float, default=300.0)
    bench.parser.add_argument("--images", type=int, nargs="+", default=[100_000])
    bench.parser.add_argument("--scale", type=int, default=1_000_000, help="hashes searched")
    args = bench.parse()
    python = peer_python(
        "imagededup",
        [
            ["--no-deps", "imagededup"],
            ["numpy", "Pillow", "PyWavelets", "scipy", "scikit-learn", "tqdm"],
        ],
    )
    bench.note(f"{os.cpu_count()} cores shared with other jobs; {len(EDITS)} edits per photo")
    rows, ratio = [], None
    with tempfile.TemporaryDirectory(prefix="ilid-dedup-speed-") as tmp:
        for n in args.images:
            views, planted = planted_views(n)
            paths = photo_files(Path(tmp) / str(n), n, planted)
            run = ours(views, paths, keep_prepared(paths))
            peer_s, peer_label = peer_seconds(python, views[:, 0], args.peer_timeout)
            ratio = peer_s / run["total_s"]
            per_check = run["check_s"] / max(run["candidates"], 1) * 1000
            cpu_per_check = run["check_cpu_s"] / max(run["candidates"], 1) * 1000
            seconds = [run["search_s"], run["check_s"], run["cluster_s"], run["total_s"]]
            counts = [run["candidates"], run["confirmed"]]
            rows.append([n, *seconds, *counts, per_check, cpu_per_check, peer_label, ratio])
            bench.figure(
                f"end_to_end_{n}",
                {
                    **run,
                    "peer_s": peer_s,
                    "ms_per_check": per_check,
                    "cpu_ms_per_check": cpu_per_check,
                },
            )
    bench.table(
        "End to end: our search, pixel check and clustering vs imagededup's hash search",
        ["images", "search s", "check s", "cluster s", "ours s", "candidates", "confirmed",
         "ms per checked pair", "CPU ms per checked pair", "imagededup s", "speed-up"],
        rows,
        note="extrap.: imagededup timed out; its time is 200 sampled per-query searches x n "
        "/ cores (it runs one search per hash, spread over all cores)",
    )  # fmt: skip
    threshold = DedupConfig.threshold
    scale_rows = []
    hashes = planted_views(args.scale // VIEWS)[0].reshape(-1)
    wall, cpu, found = timed_search(hashes, threshold)
    scale_rows.append([f"{len(hashes):,} view hashes", threshold, wall, cpu, found])
    single = planted_views(args.scale)[0][:, 0]
    wall, cpu, found = timed_search(single, threshold)
    scale_rows.append([f"{len(single):,} whole-image hashes", threshold, wall, cpu, found])
    bench.table(
        "Candidate search at scale (radius_pairs)",
        ["hashes", "radius", "wall s", "CPU s", "pairs"],
        scale_rows,
    )
    bench.figure("search_1m", scale_rows)
    return bench.finish(ratio=Ratio("ours/imagededup speed-up, end to end", ratio or 0.0, 0))


if __name__ == "__main__":
    sys.exit(main())
