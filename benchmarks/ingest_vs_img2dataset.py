"""Ingest throughput: our `ingest_images` against img2dataset on the same URLs, side by side.

    .venv/bin/python benchmarks/ingest_vs_img2dataset.py [--urls 2000] [--workers 16] [--json OUT]

Inputs are the demo catalog's product photos (360-440 px JPEG, PNG and WebP) and, as a second
set, the same photos re-encoded at catalog size (long side 1600 px, JPEG q90), served from
localhost by a threaded HTTP server in its own process. Every URL is distinct and so is every
body (a trailer after the image's end marker), so neither tool can skip work on content it
has already seen. Both tools resize to 512 x 512 (img2dataset `border`, ours `ilid`: long side
512 and a padded square, edge-replicated instead of black) and write PNG at compression
level 1. Ours also keeps the original, writes a 128 px JPEG thumbnail, takes pHash and dHash
and records a row per image in DuckDB. img2dataset runs in its own venv (see peers.py) with
the same number of concurrent downloads, split over processes as it is meant to be used.
Figures are printed, never asserted.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import shutil
import subprocess
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from harness import Benchmark, Ratio
from peers import peer_python
from PIL import Image

from ilid_platform.demo import generate_catalog
from ilid_platform.images.download import ImageRequest, IngestConfig, ingest_images
from ilid_platform.warehouse import connect

PEER = """
import glob, json, sys, time
from img2dataset import download
args = json.loads(sys.argv[1])
started = time.perf_counter()
download(**args)
elapsed = time.perf_counter() - started
stats = [json.load(open(p)) for p in glob.glob(args["output_folder"] + "/*_stats.json")]
print(json.dumps({"elapsed_s": elapsed, "ok": sum(s["successes"] for s in stats),
                  "count": sum(s["count"] for s in stats)}))
"""


def demo_photos(site: Path) -> list[bytes]:
    """Every readable product photo of the three demo shops."""
    truth = json.loads(generate_catalog(site, size="demo").read_text())
    faulty = {(f["shop"], f["image_path"]) for f in truth["faulty_images"]}
    photos = []
    for shop, entry in truth["shops"].items():
        for product in entry["products"]:
            for path in product["image_paths"]:
                if (shop, path) not in faulty:
                    photos.append((site / shop / path.lstrip("/")).read_bytes())
    return sorted(set(photos))


def catalog_size(photos: list[bytes], side: int = 1600) -> list[bytes]:
    """The photos at the size catalogs serve (long side `side`), as JPEG q90."""
    out = []
    for data in photos:
        with Image.open(io.BytesIO(data)) as img:
            rgb = img.convert("RGB")
        scale = side / max(rgb.size)
        big = rgb.resize((round(rgb.width * scale), round(rgb.height * scale)), Image.LANCZOS)
        buffer = io.BytesIO()
        big.save(buffer, "JPEG", quality=90)
        out.append(buffer.getvalue())
    return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, a keep-alive client waits for
    # the delayed ACK (~40 ms) on every request. Real servers do not behave like that.
    disable_nagle_algorithm = True
    bodies: list[bytes] = []

    def do_GET(self) -> None:
        name = self.path.rsplit("/", 1)[-1].split(".")[0]
        if not name.isdigit():
            self.send_error(404)
            return
        k = int(name)
        body = self.bodies[k % len(self.bodies)] + b"ilid-bench-%d" % k
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def serve(bodies: list[bytes]) -> tuple[str, multiprocessing.Process]:
    """Serve `bodies` at /img/<k>.jpg from a child process, off this process's GIL."""
    _Handler.bodies = bodies
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    child = multiprocessing.get_context("fork").Process(target=httpd.serve_forever, daemon=True)
    child.start()
    httpd.server_close()
    return f"http://127.0.0.1:{httpd.server_address[1]}", child


def run_ours(urls: list[str], out: Path, workers: int) -> dict:
    config = IngestConfig(
        concurrency=workers,
        per_host=workers,
        timeout_s=15,
        retries=2,
        allow_private_addresses=True,  # the benchmark's image server is on loopback
    )
    requests = [ImageRequest("bench", f"{url}.html", url) for url in urls]
    with connect(out / "warehouse.duckdb") as con:
        started = time.perf_counter()
        stats = ingest_images(con, out / "images", requests, config)
        elapsed = time.perf_counter() - started
    return {"elapsed_s": elapsed, "ok": stats.by_status.get("ok", 0), "count": len(urls)}


def run_img2dataset(urls: list[str], out: Path, workers: int, processes: int) -> dict:
    python = peer_python("img2dataset", [["img2dataset"]])
    out.mkdir(parents=True, exist_ok=True)
    url_list = out / "urls.txt"
    url_list.write_text("\n".join(urls) + "\n")
    args = {
        "url_list": str(url_list),
        "input_format": "txt",
        "output_folder": str(out / "img2dataset"),
        "output_format": "files",
        "processes_count": processes,
        "thread_count": max(1, workers // processes),
        "number_sample_per_shard": max(1, len(urls) // (4 * processes)),
        "image_size": 512,
        "resize_mode": "border",
        "encode_format": "png",
        "encode_quality": 1,
        "timeout": 15,
        "retries": 2,
    }
    done = subprocess.run(
        [str(python), "-c", PEER, json.dumps(args)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    bench = Benchmark("ingest_vs_img2dataset", __doc__)
    parser = bench.parser
    parser.add_argument("--urls", type=int, default=2000, help="distinct URLs per input set")
    parser.add_argument("--workers", type=int, default=16, help="concurrent downloads, both tools")
    parser.add_argument("--processes", type=int, default=2, help="img2dataset processes")
    parser.add_argument("--sets", nargs="+", default=["demo", "1600px"], choices=["demo", "1600px"])
    parser.add_argument("--demo-dir", type=Path, help="reuse a generated demo catalog here")
    args = bench.parse()

    with tempfile.TemporaryDirectory(prefix="ilid-ingest-bench-") as tmp:
        work = Path(tmp)
        photos = demo_photos(args.demo_dir or work / "demo")
        inputs = {"demo": photos, "1600px": catalog_size(photos)}
        bench.note(
            f"{len(photos)} distinct demo photos; {args.urls} URLs per set; "
            f"{args.workers} concurrent downloads (img2dataset: {args.processes} processes x "
            f"{max(1, args.workers // args.processes)} threads); cores: "
            f"{multiprocessing.cpu_count()}"
        )
        rows = []
        totals = {"ours": [0, 0.0], "img2dataset": [0, 0.0]}
        for name in args.sets:
            base, server = serve(inputs[name])
            try:
                urls = [f"{base}/img/{k}.jpg" for k in range(args.urls)]
                results = {
                    "ours": run_ours(urls, work / name / "ours", args.workers),
                    "img2dataset": run_img2dataset(
                        urls, work / name / "peer", args.workers, args.processes
                    ),
                }
            finally:
                server.terminate()
            for tool, result in results.items():
                ok, seconds = result["ok"], result["elapsed_s"]
                rows.append([name, tool, ok, round(seconds, 2), round(ok / seconds, 1)])
                print(f"{name} {tool}: {ok} ok in {seconds:.2f} s", flush=True)
            for tool, result in results.items():
                totals[tool][0] += result["ok"]
                totals[tool][1] += result["elapsed_s"]
            shutil.rmtree(work / name)
        ours, peer = (ok / seconds for ok, seconds in totals.values())
        for tool, rate in (("ours", ours), ("img2dataset", peer)):
            ok, seconds = totals[tool]
            rows.append(["all sets", tool, ok, round(seconds, 2), round(rate, 1)])
        bench.table(
            "images ingested per second, same URLs, same concurrency",
            ["input", "tool", "ok", "seconds", "images/s"],
            rows,
        )
    return bench.finish(Ratio("ours/peer", ours / peer, digits=1))


if __name__ == "__main__":
    raise SystemExit(main())
