"""Test pictures in every format and mode a catalog serves, and the local HTTP server that serves
them: the image test files share both."""

from __future__ import annotations

import io
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
from PIL import Image


def encode(img: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **params)
    return buffer.getvalue()


def scene(width: int, height: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.stack([x * 255 // width, y * 255 // height, (x + y) % 256], axis=-1)
    pixels = pixels + rng.integers(0, 20, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def banded(width: int, height: int) -> Image.Image:
    """Red top rows, blue bottom rows, grey between: edge padding must copy red and blue."""
    pixels = np.full((height, width, 3), 128, np.uint8)
    pixels[:10] = (255, 0, 0)
    pixels[-10:] = (0, 0, 255)
    return Image.fromarray(pixels, "RGB")


def exif_rotated() -> bytes:
    """Stored 200x100, EXIF orientation 6: shown 100x200 with the red half on top."""
    pixels = np.zeros((100, 200, 3), np.uint8)
    pixels[:, :100] = (255, 0, 0)
    pixels[:, 100:] = (0, 255, 0)
    img = Image.fromarray(pixels, "RGB")
    exif = img.getexif()
    exif[0x0112] = 6
    return encode(img, "JPEG", quality=95, exif=exif.tobytes())


def gif_two_frames() -> bytes:
    red = Image.new("RGB", (120, 90), (255, 0, 0)).convert("P")
    blue = Image.new("RGB", (120, 90), (0, 0, 255)).convert("P")
    return encode(red, "GIF", save_all=True, append_images=[blue], duration=100)


def rgba_half_transparent() -> bytes:
    pixels = np.zeros((100, 160, 4), np.uint8)
    pixels[:, 80:] = (255, 0, 0, 255)
    return encode(Image.fromarray(pixels, "RGBA"), "PNG")


def gray16() -> bytes:
    values = np.tile(np.linspace(0, 65535, 200).astype(np.uint16), (100, 1))
    img = Image.fromarray(values)
    assert img.mode.startswith("I;16")
    return encode(img, "PNG")


class CatalogServer:
    """Serves `routes` {path: (status, headers, body)}; a list of those is served in turn.

    Every request is counted and timed; image paths answer after `delay_s`.
    """

    def __init__(self, routes: dict, delay_s: float = 0.0) -> None:
        self.routes = routes
        self.hits: Counter[str] = Counter()
        self.times: defaultdict[str, list[float]] = defaultdict(list)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits[self.path] += 1
                server.times[self.path].append(time.monotonic())
                if delay_s and self.path != "/robots.txt":
                    time.sleep(delay_s)
                route = server.routes.get(self.path, (404, {}, b"missing"))
                if isinstance(route, list):
                    route = route[min(server.hits[self.path], len(route)) - 1]
                status, headers, body = route
                self.send_response(status)
                for key, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> CatalogServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


JPEG = {"Content-Type": "image/jpeg"}
PNG = {"Content-Type": "image/png"}
