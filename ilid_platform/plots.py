"""Matplotlib without a display, and one way to turn a figure into PNG bytes.

Every plot of the platform (UI metadata, dataset card, benchmark reports) goes through
`figure_png`, so all of them render headless and identically for identical data.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["figure_png", "plt"]


def figure_png(fig: Any, dpi: int | None = None) -> bytes:
    """Lay out, render and close `fig`; no Software/date metadata, so bytes are reproducible."""
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()
