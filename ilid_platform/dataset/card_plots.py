"""The dataset card's pictures: a gallery per source and plots of the text and the splits.

Each function takes plain records (dicts with the shard columns) and returns PNG bytes, so
the card writer, the `ilid_shards` metadata and the tests draw the same figures.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from PIL import Image

from ilid_platform.captions.schema import CAPTION_FIELDS
from ilid_platform.dataset.split import SPLITS
from ilid_platform.plots import figure_png, plt

DPI = 80
GALLERY_COLUMNS = 4
# Words that say nothing about an industrial product; left out of the word counts.
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "without",
    ]
)
_WORD = re.compile(r"[a-z][a-z0-9-]+")


def words(text: str | None) -> list[str]:
    return [w for w in _WORD.findall((text or "").lower()) if w not in _STOPWORDS]


def gallery_png(records: Sequence[Mapping[str, object]], root: Path, title: str) -> bytes:
    """Up to 8 images (`image`: a path under `root`) in a grid, titled label_short, material."""
    shown = varied(records, 2 * GALLERY_COLUMNS)
    rows = max(1, -(-len(shown) // GALLERY_COLUMNS))
    fig, axes = plt.subplots(rows, GALLERY_COLUMNS, figsize=(8, 2.7 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, record in zip(axes.flat, shown, strict=False):
        with Image.open(root / str(record["image"])) as image:
            image.thumbnail((160, 160))
            ax.imshow(image.convert("RGB"))
        caption = f"{record['label_short']}\n{record['material'] or '-'}"
        ax.set_title(_shorten(caption, 28), fontsize=8)
    fig.suptitle(title, fontsize=10)
    return figure_png(fig, DPI)


def varied(records: Sequence[Mapping[str, object]], count: int) -> list[Mapping[str, object]]:
    """Up to `count` records, one per label_short before any label repeats (in record order)."""
    by_label: dict[str, list[Mapping[str, object]]] = {}
    for record in records:
        by_label.setdefault(str(record["label_short"]), []).append(record)
    chosen: list[Mapping[str, object]] = []
    depth = 0
    while len(chosen) < count and any(len(group) > depth for group in by_label.values()):
        chosen += [group[depth] for group in by_label.values() if len(group) > depth]
        depth += 1
    return chosen[:count]


def word_frequency_png(records: Sequence[Mapping[str, object]], top: int = 10) -> bytes:
    """The most frequent words of each caption field."""
    fig, axes = plt.subplots(1, len(CAPTION_FIELDS), figsize=(15, 3.2))
    for ax, name in zip(axes, CAPTION_FIELDS, strict=True):
        counts = Counter(w for r in records for w in words(r.get(name))).most_common(top)
        labels = [w for w, _ in counts][::-1]
        ax.barh(labels, [n for _, n in counts][::-1], color="#4c72b0")
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
    fig.suptitle("most frequent words per field", fontsize=10)
    return figure_png(fig, DPI)


def field_lengths_png(records: Sequence[Mapping[str, object]]) -> bytes:
    """Histograms of words per field: ILID caps label_short at 4 and description at 30."""
    fig, axes = plt.subplots(1, len(CAPTION_FIELDS), figsize=(15, 2.8))
    for ax, name in zip(axes, CAPTION_FIELDS, strict=True):
        lengths = [len(str(r.get(name) or "").split()) for r in records]
        top = max(lengths, default=0)
        ax.hist(lengths, bins=range(0, top + 2), color="#55a868", align="left")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("words", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle("field lengths", fontsize=10)
    return figure_png(fig, DPI)


def source_split_png(per_source_split: Mapping[str, Mapping[str, int]]) -> bytes:
    """Samples per source, one bar per split."""
    sources = sorted(per_source_split)
    fig, ax = plt.subplots(figsize=(max(4, 1.4 * len(sources) + 2), 2.8))
    width = 0.8 / len(SPLITS)
    for i, split in enumerate(SPLITS):
        xs = [k + (i - 1) * width for k in range(len(sources))]
        ax.bar(xs, [per_source_split[s].get(split, 0) for s in sources], width, label=split)
    ax.set_xticks(range(len(sources)), sources, fontsize=8)
    ax.set_ylabel("samples")
    ax.set_title("samples per source and split", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(axis="y", alpha=0.3)
    return figure_png(fig, DPI)


def top_values_png(records: Sequence[Mapping[str, object]], top: int = 15) -> bytes:
    """The commonest label_short and material values."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.25 * top + 1.2))
    for ax, name in zip(axes, ("label_short", "material"), strict=True):
        counts = Counter(str(r[name]) for r in records if r.get(name)).most_common(top)
        ax.barh([_shorten(v, 30) for v, _ in counts][::-1], [n for _, n in counts][::-1])
        ax.set_title(f"top {name}", fontsize=9)
        ax.tick_params(labelsize=7)
    return figure_png(fig, DPI)


def _shorten(text: str, limit: int) -> str:
    return "\n".join(
        line if len(line) <= limit else line[: limit - 1] + "…" for line in text.split("\n")
    )
