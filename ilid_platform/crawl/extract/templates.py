"""Pages grouped by template: a MinHash signature of each page's content structure (from
`cues.template_signature`), compared with each group's first page."""

from __future__ import annotations

from collections.abc import Sequence
from operator import eq
from typing import Any

from ilid_platform.crawl.extract.reading import PageReading

TEMPLATE_SIMILARITY = 0.6
"""Share of equal MinHash entries (an estimate of the structures' Jaccard similarity)."""


def template_groups(pages: Sequence[PageReading]) -> dict[str, int]:
    """Pages grouped by structure: a page joins the first group whose first page's signature
    it resembles (estimated Jaccard similarity), else starts one."""
    if len(pages) < 4:
        return {}
    groups: list[list[int]] = []
    assigned: dict[str, int] = {}
    for reading in pages:
        signature = reading.features.template
        if not signature:
            continue
        for index, first in enumerate(groups):
            same = sum(map(eq, signature, first)) / len(signature)  # stops at the shorter
            if same >= TEMPLATE_SIMILARITY:
                assigned[reading.url] = index
                break
        else:
            assigned[reading.url] = len(groups)
            groups.append(signature)
    return assigned


def fingerprint(reading: PageReading) -> tuple[Any, ...]:
    features = reading.features
    return (
        features.title,
        tuple(h["text"] for h in features.headings),
        tuple(i["url"] for i in features.images),
        tuple(features.template),
    )
