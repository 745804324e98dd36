"""What an image ingest run may do, and the statuses every requested image ends with."""

from __future__ import annotations

from dataclasses import dataclass

from ilid_platform.images.normalise import Mode

STATUSES = (
    "ok",
    "http_error",
    "not_image",
    "decode_error",
    "too_small",
    "too_large",
    "blocked_by_robots",
    "blocked_address",
)
"""Every request ends with one of these and a reason, never an exception."""


@dataclass(frozen=True)
class IngestConfig:
    concurrency: int = 16
    per_host: int = 8
    timeout_s: float = 15.0
    """Limit for one attempt, from connecting to the last byte."""
    retries: int = 2
    """Extra attempts after a timeout, a connection error, 408, 429 or 5xx (never after 404)."""
    backoff_s: float = 0.5
    """Sleep before retry n is backoff_s * 2**(n-1), or longer if the server sends Retry-After."""
    max_retry_after_s: float = 60.0
    """A Retry-After longer than this ends the url as http_error instead of stalling the run."""
    max_redirects: int = 5
    """Redirect hops followed per url, each checked like a first request."""
    obey_robots: bool = True
    """Check each image url against its host's robots.txt (fetched once per host and run)."""
    allow_private_addresses: bool | tuple[str, ...] = False
    """The source setting of that name: False fetches from public addresses only, True from
    any, a tuple of addresses or networks from those beside the public ones."""
    max_bytes: int = 20_000_000
    max_pixels: int = 40_000_000
    min_side: int = 64
    mode: Mode = "ilid"
    size: int = 512
    png_compress_level: int = 1
    thumbnail_size: int = 128
    checkpoint_s: float = 2.0
    """Finished rows are written at least this often: a killed run loses at most this much."""
    user_agent: str = "ilid-platform/0.1 (research image dataset; honours X-Robots-Tag noai)"
