"""Near-duplicate search: our `radius_pairs` against imagededup on the same 64-bit hashes.

    .venv/bin/python benchmarks/dedup_vs_imagededup.py [--peer-timeout 300]

Hashes are uniformly random 64-bit values, 10% of them with a planted near copy (1 to 10 of
64 bits flipped) and 1% with an exact copy. imagededup's `PHash().find_duplicates(
encoding_map=..., max_distance_threshold=10)` gets them as the hex strings its encoder
writes, at 10k and 100k; it runs in its own venv (see peers.py), with its defaults
(Cython brute force, one worker per core). Its package `__init__` files import its CNN
(torch) and plotting (matplotlib), which this code path never calls, so the runner
registers those two packages without running their `__init__` and imports the unmodified
hashing module. At 100k imagededup is stopped after `--peer-timeout` seconds; its full time
is then extrapolated from a timed sample of its own per-query search and labelled so.
Both sides' pair sets are compared where both finished. Then our scale curve: search time,
peak traced memory and recall of the planted pairs at 10k, 100k and 1M. Figures are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from peers import peer_python

from ilid_platform.images.dedup import cluster
from ilid_platform.images.neighbours import radius_pairs

THRESHOLD = 10

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
    elapsed = time.perf_counter() - started
    pairs = sorted({tuple(sorted((int(a), int(b)))) for a, dups in found.items() for b in dups})
    json.dump({"elapsed_s": elapsed, "pairs": pairs}, open(out_path, "w"))
else:  # time a sample of the per-query search that find_duplicates runs for every hash
    searcher = BruteForceCython(encoding, PHash.hamming_distance)
    queries = random.Random(0).sample(sorted(encoding), int(mode))
    started = time.perf_counter()
    for key in queries:
        searcher.search(query=encoding[key], tol=threshold)
    json.dump({"per_query_s": (time.perf_counter() - started) / len(queries)}, open(out_path, "w"))
"""


def planted_hashes(n: int, seed: int = 0) -> tuple[np.ndarray, set[tuple[int, int]]]:
    """n hashes: random ones, 10% near copies (1..10 bits flipped), 1% exact copies; and the
    planted (original, copy) index pairs."""
    rng = np.random.default_rng(seed)
    near, exact = n // 10, n // 100
    base = rng.integers(0, 2**64, n - near - exact, dtype=np.uint64)
    sources = rng.choice(len(base), near + exact, replace=False)
    flips = np.zeros(near + exact, np.uint64)
    for k in range(near):
        for bit in rng.choice(64, rng.integers(1, THRESHOLD + 1), replace=False):
            flips[k] |= np.uint64(1) << np.uint64(bit)
    hashes = np.concatenate([base, base[sources] ^ flips])
    order = rng.permutation(n)
    position = np.empty(n, np.int64)
    position[order] = np.arange(n)
    copies = np.arange(len(base), n)
    planted = {
        (min(a, b), max(a, b)) for a, b in zip(position[sources], position[copies], strict=True)
    }
    return hashes[order], {(int(a), int(b)) for a, b in planted}


def ours(hashes: np.ndarray) -> tuple[float, np.ndarray]:
    started = time.perf_counter()
    pairs = radius_pairs(hashes, THRESHOLD)
    return time.perf_counter() - started, pairs


def run_peer(python: Path, hashes: np.ndarray, mode: str, timeout: float) -> dict | None:
    with tempfile.TemporaryDirectory(prefix="ilid-imagededup-") as tmp:
        encoding = {str(k): f"{int(h):016x}" for k, h in enumerate(hashes)}
        hashes_path, out_path = Path(tmp) / "hashes.json", Path(tmp) / "out.json"
        hashes_path.write_text(json.dumps(encoding))
        command = [str(python), "-c", PEER, str(hashes_path), str(out_path), mode, str(THRESHOLD)]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peer-timeout", type=float, default=300.0)
    parser.add_argument("--peer-sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--scale", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    python = peer_python(
        "imagededup",
        [
            ["--no-deps", "imagededup"],
            ["numpy", "Pillow", "PyWavelets", "scipy", "scikit-learn", "tqdm"],
        ],
    )
    print(
        f"threshold {THRESHOLD}; {os.cpu_count()} cores; imagededup: Cython brute force, "
        f"{os.cpu_count()} workers"
    )
    print(
        f"{'hashes':>9} {'ours s':>8} {'imagededup s':>22} {'speedup':>8} {'pairs':>8} "
        f"{'same pairs':>10}"
    )
    speedup = None
    for n in args.peer_sizes:
        hashes, _ = planted_hashes(n)
        our_s, pairs = ours(hashes)
        peer = run_peer(python, hashes, "full", args.peer_timeout)
        if peer is not None:
            peer_s, label = peer["elapsed_s"], f"{peer['elapsed_s']:.1f}"
            same = "yes" if [tuple(p) for p in peer["pairs"]] == list(map(tuple, pairs)) else "NO"
        else:
            sample = run_peer(python, hashes, "200", args.peer_timeout)
            peer_s = sample["per_query_s"] * n / (os.cpu_count() or 1)
            label = f">{args.peer_timeout:.0f} (extrap. {peer_s:.0f})"
            same = "n/a"
        speedup = peer_s / our_s
        print(f"{n:>9} {our_s:>8.3f} {label:>22} {speedup:>7.0f}x {len(pairs):>8} {same:>10}")
    if speedup is not None and peer is None:
        print(
            "extrap.: imagededup timed out; its time is 200 sampled per-query searches x n "
            "/ cores (it runs one search per hash, spread over all cores)"
        )

    print(
        f"\n{'hashes':>9} {'search s':>9} {'cluster s':>10} {'peak MiB':>9} {'pairs':>9} "
        f"{'planted recall':>15}"
    )
    for n in args.scale:
        hashes, planted = planted_hashes(n)
        tracemalloc.start()
        search_s, pairs = ours(hashes)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        started = time.perf_counter()
        cluster(hashes, THRESHOLD)
        cluster_s = time.perf_counter() - started
        found = set(map(tuple, pairs.tolist()))
        recall = len(planted & found) / len(planted)
        print(
            f"{n:>9} {search_s:>9.2f} {cluster_s:>10.2f} {peak:>9.0f} {len(pairs):>9} "
            f"{recall:>15.4f}"
        )
    print(f"ratio ours/peer: {speedup:.1f}x")


if __name__ == "__main__":
    main()
