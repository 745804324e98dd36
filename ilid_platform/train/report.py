"""Tables and figures of evaluation results: the adaptation comparison, the student
comparison, training curves and confusion matrices.

Shared by the `adaptation_report` asset, the `clip_model` asset and `benchmarks/adaptation.py`
so the UI, the benchmark and the README show the same numbers the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ilid_platform.plots import figure_png, plt
from ilid_platform.previews import markdown_table
from ilid_platform.train.clip.adaptation_protocol import Comparison
from ilid_platform.train.scores import format_accuracy
from ilid_platform.train.students.ood_protocol import (
    TEACHER_SEEN,
    TEACHER_UNSEEN,
    StudentComparison,
)

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
    return figure_png(fig)


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
    return figure_png(fig)


_TEACHER_TITLES = {
    TEACHER_UNSEEN: "teacher that never saw the shop (zero-shot)",
    TEACHER_SEEN: "teacher trained on every shop (zero-shot)",
}


def student_table(comparison: StudentComparison) -> tuple[str, list[str], list[list[str]]]:
    """(caption, headers, rows): method × held-out shop, out-of-domain accuracy with
    intervals, teachers beside."""
    held_outs = list(comparison.runs)
    average = comparison.average()
    methods = list(next(iter(comparison.runs.values())))
    headers = ["student", *(f"{h} held out" for h in held_outs), "average", "in domain (avg)"]
    rows = []
    for method in methods:
        cells = [format_accuracy(comparison.runs[h][method], "ood") for h in held_outs]
        in_domain = sum(comparison.runs[h][method]["in_domain_acc"] for h in held_outs)
        rows.append(
            [
                method,
                *cells,
                format_accuracy(average[method], ""),
                f"{in_domain / len(held_outs):.3f}",
            ]
        )
    for who, title in _TEACHER_TITLES.items():
        if who in average:
            cells = [format_accuracy(comparison.teachers[h][who], "") for h in held_outs]
            rows.append([title, *cells, format_accuracy(average[who], ""), ""])
    n = ", ".join(f"{h}: {comparison.teachers[h][TEACHER_UNSEEN]['n']}" for h in held_outs)
    source = comparison.config.get("distill_from", "unseen")
    images = "every image of the held-out shop"
    if comparison.config.get("ood_images") == "test split":
        images = "the held-out shop's test split, which no model trained on"
    caption = (
        f"Out-of-domain label_short accuracy of each student on {images} ({n}), with "
        "Wilson 95 % intervals; the average is the mean over shops (normal-approximation "
        f"interval). Students learn from the {source} teacher."
    )
    return caption, headers, rows


def student_markdown(comparison: StudentComparison) -> str:
    """`student_table` as a caption and a markdown table."""
    caption, headers, rows = student_table(comparison)
    return "\n\n".join([caption, markdown_table(headers, rows)])


def student_bars_png(comparison: StudentComparison) -> bytes:
    """Grouped bars: per held-out shop (and the average), each student and the teachers."""
    held_outs = list(comparison.runs)
    average = comparison.average()
    names = list(next(iter(comparison.runs.values())))
    names += [who for who in _TEACHER_TITLES if who in average]
    groups = [*held_outs, "average"]
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(max(7, 2 * len(groups)), 5), dpi=100)
    for i, name in enumerate(names):
        values, lows, highs = [], [], []
        for group in groups:
            if group == "average":
                entry = average[name]
            elif name in comparison.runs[group]:
                m = comparison.runs[group][name]
                entry = {"acc": m["ood_acc"], "ci": m["ood_ci"]}
            else:
                entry = comparison.teachers[group][name]
            values.append(entry["acc"])
            lows.append(entry["acc"] - entry["ci"][0])
            highs.append(entry["ci"][1] - entry["acc"])
        xs = [g + (i - (len(names) - 1) / 2) * width for g in range(len(groups))]
        hatch = "//" if name in _TEACHER_TITLES else None
        ax.bar(xs, values, width, yerr=[lows, highs], capsize=2, label=name, hatch=hatch)
    ax.set_xticks(range(len(groups)), [f"{g} held out" if g != "average" else g for g in groups])
    ax.set_ylabel("out-of-domain label_short accuracy (95 %)")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, ncol=3)
    ax.grid(axis="y", alpha=0.3)
    ax.set_title("Students and teachers on shops they never saw")
    return figure_png(fig)


def _series(history: Sequence[dict[str, Any]], key: str) -> tuple[list[float], list[float]]:
    """(step, value) of `key` over a history whose phases each count steps from 1; phases are
    laid end to end, and entries without the key are skipped."""
    offset, xs, ys = 0, [], []
    for phase in dict.fromkeys(h.get("phase", "") for h in history):
        entries = [h for h in history if h.get("phase", "") == phase]
        xs += [offset + h["step"] for h in entries if key in h]
        ys += [h[key] for h in entries if key in h]
        offset += entries[-1]["step"]
    return xs, ys


def history_png(history: Sequence[dict[str, Any]], title: str) -> bytes:
    """One run's training loss and its validation figures against step."""
    fig, (loss_ax, val_ax) = plt.subplots(1, 2, figsize=(8, 3), dpi=100)
    loss_ax.plot(*_series(history, "loss"), label="train loss")
    if any("val_loss" in h for h in history):
        loss_ax.plot(*_series(history, "val_loss"), marker="o", label="val loss")
    loss_ax.set_title(f"{title}: loss")
    loss_ax.set_xlabel("step")
    loss_ax.legend(fontsize=7)
    keys = sorted({k for h in history for k in h if k.startswith("val_") and k != "val_loss"})
    for key in keys:
        val_ax.plot(*_series(history, key), marker="o", label=key.removeprefix("val_"))
    val_ax.set_title(f"{title}: validation" if keys else "no validation during training")
    val_ax.set_xlabel("step")
    val_ax.set_ylim(0, 1)
    if keys:
        val_ax.legend(fontsize=7)
    for ax in (loss_ax, val_ax):
        ax.grid(alpha=0.3)
    return figure_png(fig)


def training_curves_png(comparison: StudentComparison) -> bytes:
    """Training loss and held-in validation accuracy against step, per method and shop."""
    held_outs = list(comparison.histories)
    fig, axes = plt.subplots(2, len(held_outs), figsize=(4 * len(held_outs), 6), dpi=100)
    axes = [[axes[0], axes[1]]] if len(held_outs) == 1 else list(zip(*axes, strict=True))
    for (loss_ax, acc_ax), held_out in zip(axes, held_outs, strict=True):
        for method, history in comparison.histories[held_out].items():
            (line,) = loss_ax.plot(*_series(history, "loss"), label=method)
            acc_ax.plot(*_series(history, "val_acc"), color=line.get_color(), label=method)
        loss_ax.set_title(f"{held_out} held out")
        loss_ax.set_ylabel("training loss (own objective)")
        acc_ax.set_ylabel("val accuracy (training shops)")
        acc_ax.set_xlabel("step")
        acc_ax.set_ylim(0, 1)
        loss_ax.legend(fontsize=7)
        for ax in (loss_ax, acc_ax):
            ax.grid(alpha=0.3)
    return figure_png(fig)
