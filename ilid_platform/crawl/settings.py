"""Settings of a crawl that come from the environment rather than from its source."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ilid_platform.settings import env_number

# One worker reads ~1,000 demo pages/s, more than one crawl process downloads; more help with
# heavy real pages. The limit is per page, for the page no parser should spend minutes on.
DEFAULT_EXTRACT_WORKERS = max(1, min(4, (os.cpu_count() or 2) - 1))
DEFAULT_EXTRACT_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class ExtractSettings:
    workers: int
    timeout_s: float


def extract_settings() -> ExtractSettings:
    """`$ILID_EXTRACT_WORKERS` and `$ILID_EXTRACT_TIMEOUT_S`; the runner reads them before it
    starts a crawl child, so that a bad value is refused in the caller's process."""
    return ExtractSettings(
        workers=env_number("ILID_EXTRACT_WORKERS", DEFAULT_EXTRACT_WORKERS, int, 1, 64),
        timeout_s=env_number("ILID_EXTRACT_TIMEOUT_S", DEFAULT_EXTRACT_TIMEOUT_S, float, 0.1),
    )
