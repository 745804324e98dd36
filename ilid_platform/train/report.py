"""Tables and figures of evaluation results: the adaptation comparison and confusion matrices.

Shared by the `adaptation_report` asset, the `clip_model` asset and `benchmarks/adaptation.py`
so the UI, the benchmark and the README show the same numbers the same way.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ilid_platform.train.adaptation import Comparison  # noqa: E402
from ilid_platform.train.scores import format_accuracy  # noqa: E402

# (column title, metric prefix) of the comparison table
COLUMNS = (
    ("label_short", "zeroshot_label_short"),
    ("material", "zeroshot_material"),
    ("finish", "zeroshot_material_finish"),
    ("I→T R@1", "i2t_r1"),
    ("T→I R@1", "t2i_r1"),
    ("ILID in-batch (1 of ≤32)", "ilid_in_batch"),
)


def comparison_rows(comparison: Comparison, shots: str) -> list[list[str]]:
    """One row per method at `shots`: accuracies with Wilson 95 % intervals, train time."""
    rows = []
    for method, metrics in comparison.runs[shots].items():
        cells = [format_accuracy(metrics, prefix) for _, prefix in COLUMNS]
        rows.append([method, *cells, f"{metrics.get('train_seconds', 0.0):.1f}"])
    return rows


def comparison_headers() -> list[str]:
    return ["method", *(title for title, _ in COLUMNS), "train s"]


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def cell(value: object) -> str:
        return " ".join(str(value).split()).replace("|", "\\|")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def grouped_markdown(groups: dict[str, dict[str, Any]], title: str) -> str:
    """A per-source or per-class accuracy table (label_short, with intervals)."""
    rows = [[name, format_accuracy(entry, ""), entry["n"]] for name, entry in groups.items()]
    return markdown_table([title, "label_short accuracy [95 % CI]", "n"], rows)


def comparison_markdown(comparison: Comparison) -> str:
    """Every shot count's table, the chance level and the starting model, as one document."""
    any_run = next(iter(next(iter(comparison.runs.values())).values()))
    chance = any_run.get("zeroshot_label_short_chance", float("nan"))
    n_test = any_run.get("n_test", 0)
    parts = [
        f"Adapting to **{comparison.target_source}** ({n_test} test images; label_short chance "
        f"{chance:.3f}). Start: {comparison.base.get('source', '?')}. Accuracies with Wilson "
        "95 % intervals; n/a: the method has no classifier for that field or no text encoder "
        "of its own.",
    ]
    for shots in comparison.runs:
        title = {"all": "all training images", "1": "1 shot per class"}.get(
            shots, f"{shots} shots per class"
        )
        rows = comparison_rows(comparison, shots)
        parts += [f"### {title}", markdown_table(comparison_headers(), rows)]
    return "\n\n".join(parts)


def shots_curve(comparison: Comparison, metric: str = "zeroshot_label_short_acc") -> dict:
    """{method: [(shots label, value, lo, hi), ...]} in the order the shots were run."""
    curves: dict[str, list[tuple[str, float, float, float]]] = {}
    ci = metric.removesuffix("_acc") + "_ci"
    for shots, runs in comparison.runs.items():
        for method, metrics in runs.items():
            if metric in metrics:
                lo, hi = metrics.get(ci, (metrics[metric], metrics[metric]))
                curves.setdefault(method, []).append((shots, metrics[metric], lo, hi))
    return curves


def shots_plot_png(comparison: Comparison) -> bytes:
    """label_short accuracy against shots per class, one line per method, with intervals."""
    curves = shots_curve(comparison)
    labels = list(comparison.runs)
    fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
    for i, (method, points) in enumerate(sorted(curves.items())):
        xs = [labels.index(p[0]) + (i - len(curves) / 2) * 0.02 for p in points]
        ys = [p[1] for p in points]
        errors = [[p[1] - p[2] for p in points], [p[3] - p[1] for p in points]]
        ax.errorbar(xs, ys, yerr=errors, marker="o", capsize=2, label=method)
    any_run = next(iter(comparison.runs[labels[0]].values()))
    chance = any_run.get("zeroshot_label_short_chance")
    if chance:
        ax.axhline(chance, color="grey", linestyle=":", label="chance")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_xlabel("training images per class (shots)")
    ax.set_ylabel("label_short accuracy (95 % Wilson)")
    ax.set_ylim(0, 1)
    ax.set_title(f"Adapting to {comparison.target_source}")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    return _png(fig)


def confusion_png(confusion: dict[str, Any], title: str = "label_short") -> bytes:
    """Row-normalised confusion matrix with counts, true class on the rows."""
    names, matrix = confusion["classes"], confusion["matrix"]
    totals = [max(1, sum(row)) for row in matrix]
    share = [[v / t for v in row] for row, t in zip(matrix, totals, strict=True)]
    size = max(4.0, 0.45 * len(names) + 2)
    fig, ax = plt.subplots(figsize=(size, size), dpi=100)
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                colour = "white" if share[i][j] > 0.5 else "black"
                ax.text(j, i, str(count), ha="center", va="center", fontsize=7, color=colour)
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"confusion: {title}")
    return _png(fig)


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()
