"""One page's decision: its product record fields, or why there is none, and the evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Decision:
    """One page's outcome: its product record fields, or why there is none, and the evidence
    for either (what `ilid inspect` shows)."""

    product: dict[str, Any] | None
    reason: str | None
    evidence: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    """Defects the record survived: fields cut to their limits (`name_cut`, ...)."""


def demote(decisions: list[Decision], index: int, why: str) -> None:
    decisions[index] = Decision(None, "not_product", [*decisions[index].evidence, why])
