"""The image ingest never reaches internal addresses, and its deadline holds against trickling
servers. Every server here is real and listens on loopback; connection attempts are counted at
the socket level, so "blocked" means "never connected", not "connected and discarded"."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ilid_platform import addresses
from ilid_platform.addresses import AddressPolicy, BlockedAddress, address_problem
from ilid_platform.images import fetch
from ilid_platform.images.download import ImageRequest, IngestConfig, ingest_images
from ilid_platform.warehouse import connect
from ilid_platform_tests.catalog_server import JPEG, CatalogServer, encode, scene

IMAGE = encode(scene(120, 90), "JPEG")


@pytest.fixture
def connections(monkeypatch) -> list[tuple[str, int]]:
    """Every (address, port) the fetcher opens a socket to."""
    opened: list[tuple[str, int]] = []
    real = fetch.create_connection

    def counting(address, *args, **kwargs):
        opened.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(fetch, "create_connection", counting)
    return opened


def ingest(tmp_path: Path, urls: list[str], **config) -> dict[str, tuple[str, str]]:
    config = IngestConfig(**{"backoff_s": 0.01, "timeout_s": 3, **config})
    with connect(tmp_path / "w.duckdb") as con:
        ingest_images(con, tmp_path / "store", [ImageRequest("s", "p", u) for u in urls], config)
        rows = con.execute("SELECT image_url, status, reason FROM images").fetchall()
    return {url: (status, reason) for url, status, reason in rows}


def test_every_spelling_of_an_internal_address_is_refused_before_connecting(
    tmp_path: Path, connections
) -> None:
    served = {"/robots.txt": (200, {}, b""), "/a.jpg": (200, JPEG, IMAGE)}
    with CatalogServer(served) as server, CatalogServer(served) as other:
        port, other_port = server.url.rsplit(":", 1)[1], other.url.rsplit(":", 1)[1]
        spellings = {
            f"http://127.0.0.2:{port}/a.jpg": "127.0.0.2 is a loopback address",
            f"http://localhost:{port}/a.jpg": "localhost resolves to",
            f"http://[::1]:{port}/a.jpg": "::1 is a loopback address",
            f"http://2130706433:{port}/a.jpg": "2130706433 resolves to 127.0.0.1, a loopback",
            f"http://0x7f000001:{port}/a.jpg": "0x7f000001 resolves to 127.0.0.1, a loopback",
            f"http://0177.0.0.1:{port}/a.jpg": "0177.0.0.1 resolves to 127.0.0.1, a loopback",
            f"http://[::ffff:127.0.0.1]:{port}/a.jpg": "loopback address (127.0.0.1) in IPv6",
            f"{other.url}/a.jpg": "127.0.0.1 is a loopback address",  # another port
            f"http://10.11.12.13:{port}/a.jpg": "10.11.12.13 is a private address",
            "http://169.254.169.254/latest/meta-data/": "169.254.169.254 is a link-local address",
            "http://[fe80::1]/a.jpg": "fe80::1 is a link-local address",
            "http://224.0.0.1/a.jpg": "224.0.0.1 is a multicast address",
            "http://0.0.0.0/a.jpg": "0.0.0.0 is an unspecified address",
            "http://100.64.0.1/a.jpg": "100.64.0.1 is a shared (carrier-grade NAT) address",
        }
        found = ingest(tmp_path, list(spellings))
        assert connections == [], "no socket was opened, not even for robots.txt"
        assert server.hits == {} and other.hits == {}
        assert other_port != port
    for url, expected in spellings.items():
        status, reason = found[url]
        assert status == "blocked_address", url
        assert expected in reason, (url, reason)


def test_a_redirect_into_a_private_address_is_refused_at_that_hop(
    tmp_path: Path, connections
) -> None:
    """The source opts into its own loopback host only; its redirect to the metadata address and
    to another loopback address are stopped before connecting, robots.txt included."""
    with CatalogServer({}) as server:
        server.routes.update(
            {
                "/robots.txt": (302, {"Location": "http://169.254.169.254/latest/"}, b""),
                "/meta.jpg": (302, {"Location": "http://169.254.169.254/latest/x.jpg"}, b""),
                "/inward.jpg": (302, {"Location": "http://127.0.0.3/x.jpg"}, b""),
                "/hex.jpg": (301, {"Location": "http://0x7f000002/x.jpg"}, b""),
                "/fine.jpg": (302, {"Location": "/a.jpg"}, b""),
                "/a.jpg": (200, JPEG, IMAGE),
            }
        )
        urls = [f"{server.url}/{name}.jpg" for name in ("meta", "inward", "hex", "fine")]
        found = ingest(tmp_path, urls, allow_private_addresses=("127.0.0.1",), obey_robots=False)
        assert found[urls[3]] == ("ok", None)
        for url in urls[:3]:
            status, reason = found[url]
            assert status == "blocked_address" and reason.endswith(f"(redirected from {url})")
        assert "169.254.169.254 is a link-local address" in found[urls[0]][1]
        assert {address for address, _ in connections} == {"127.0.0.1"}

        # With robots obeyed, the redirected robots.txt is refused too, and so is the image.
        found = ingest(tmp_path / "robots", [f"{server.url}/a.jpg"], allow_private_addresses=True)
        assert found[f"{server.url}/a.jpg"][0] == "ok", "robots.txt unreachable: allow all"
        connections.clear()
        found = ingest(
            tmp_path / "strict", [f"{server.url}/a.jpg"], allow_private_addresses=("127.0.0.1",)
        )
        status, reason = found[f"{server.url}/a.jpg"]
        assert status == "blocked_address" and "169.254.169.254 is a link-local" in reason
        assert {address for address, _ in connections} == {"127.0.0.1"}


def test_a_host_name_resolving_inward_is_refused_and_the_checked_address_is_pinned(
    tmp_path: Path, monkeypatch, connections
) -> None:
    """`cdn.example.test` resolves to a private address: refused. `img.example.test` resolves
    to the allowed 127.0.0.1 once, then to 127.0.0.5 (DNS rebinding): the fetch must connect to
    the address it checked, never resolve a second time."""
    answers = {"img.example.test": ["127.0.0.1", "127.0.0.5"], "cdn.example.test": ["10.0.0.7"]}
    lookups: list[str] = []
    real = socket.getaddrinfo

    def fake_getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            lookups.append(host)
            address = answers[host][min(len(lookups) - 1, len(answers[host]) - 1)]
            return real(address, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(addresses.socket, "getaddrinfo", fake_getaddrinfo)
    routes = {"/a.jpg": (200, JPEG, IMAGE)}
    with CatalogServer(routes) as allowed:
        port = int(allowed.url.rsplit(":", 1)[1])
        rebound = ThreadingHTTPServer(("127.0.0.5", port), BaseHTTPRequestHandler)
        threading.Thread(target=rebound.serve_forever, daemon=True).start()
        try:
            urls = [f"http://img.example.test:{port}/a.jpg", f"http://cdn.example.test:{port}/a"]
            found = ingest(
                tmp_path, urls, allow_private_addresses=("127.0.0.1",), obey_robots=False
            )
        finally:
            rebound.shutdown()
            rebound.server_close()
    assert found[urls[0]] == ("ok", None)
    assert found[urls[1]] == (
        "blocked_address",
        "cdn.example.test resolves to 10.0.0.7, a private address",
    )
    assert allowed.hits == {"/a.jpg": 1}
    assert connections == [("127.0.0.1", port)]
    assert lookups.count("img.example.test") == 1


class Trickle(BaseHTTPRequestHandler):
    """Headers at once then a byte every 0.2 s (`/body`), or the status line a byte at a time
    (`/head`); neither ever finishes on its own."""

    def do_GET(self) -> None:
        try:
            if self.path == "/head":
                for byte in b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n" * 1000:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.2)
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            for _ in range(10_000):
                self.wfile.write(b"\xff")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    def log_message(self, *args) -> None:
        pass


def test_the_deadline_holds_inside_reads(tmp_path: Path) -> None:
    """Each recv gets a byte well within its read timeout, so only a deadline enforced inside
    the reads can end these downloads. Both end by timeout_s (per attempt) plus a margin."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        for path, retries in (("/body", 0), ("/head", 0), ("/body", 1)):
            started = time.monotonic()
            found = ingest(
                tmp_path / f"{path[1:]}{retries}",
                [base + path],
                timeout_s=1.5,
                retries=retries,
                obey_robots=False,
                allow_private_addresses=True,
            )
            elapsed = time.monotonic() - started
            attempts = retries + 1
            assert elapsed < attempts * 1.5 + 0.01 * retries + 1.0, (path, elapsed)
            suffix = f" after {attempts} attempts" if retries else ""
            assert found[base + path] == (
                "http_error",
                f"no complete response within 1.5s{suffix}",
            )
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(
    "address, problem",
    [
        ("8.8.8.8", None),
        ("2606:4700::1111", None),
        ("192.168.1.1", "a private address"),
        ("198.18.0.1", "a private address"),
        ("240.0.0.1", "a reserved address"),
        ("ff02::1", "a multicast address"),
        ("fc00::1", "a private address"),
        ("2002:7f00:1::", "a loopback address (127.0.0.1) in IPv6 form"),
        ("64:ff9b::a9fe:a9fe", "a link-local address (169.254.169.254) in IPv6 form"),
    ],
)
def test_address_kinds(address: str, problem: str | None) -> None:
    import ipaddress

    assert address_problem(ipaddress.ip_address(address)) == problem


def test_policy_allows_what_a_source_opts_into() -> None:
    import ipaddress

    loopback = [ipaddress.ip_address("127.0.0.1")]
    AddressPolicy(True).check("localhost", loopback)
    AddressPolicy(["127.0.0.0/30"]).check("localhost", loopback)
    with pytest.raises(BlockedAddress, match="localhost resolves to 127.0.0.1, a loopback"):
        AddressPolicy(["10.0.0.0/8"]).check("localhost", loopback)
    with pytest.raises(BlockedAddress):
        AddressPolicy(False).check("x", [ipaddress.ip_address("8.8.8.8"), *loopback])
    with pytest.raises(ValueError, match="not an IP address or network: 'intranet'"):
        AddressPolicy(["intranet"])
