"""The dataset card: `README.md` at the root of the shards, in Hugging Face's card format.

A YAML header (license, task categories, size category, pretty name and `configs` whose
`data_files` name the Parquet shards per split, so `load_dataset(out_dir)` works) and the
sections a card is expected to have: description, structure, creation, limitations and
citation. Every number in it is read from the warehouse or the shards when it is written, and
its pictures go to `card/`. Nothing in it depends on the clock, so an unchanged warehouse gives
a byte-identical card and the shards keep their fingerprint.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from ilid_platform.captions.schema import CAPTION_FIELDS, REQUIRED_FIELDS
from ilid_platform.dataset import card_plots
from ilid_platform.dataset.layout import CARD_DIR, PARQUET_DIR, WEBDATASET_DIR
from ilid_platform.dataset.split import HF_SPLIT_NAMES, SPLITS
from ilid_platform.dataset.usage import load_dataset_call, open_clip_command, shell_line
from ilid_platform.previews import markdown_table
from ilid_platform.warehouse import has_table

_TASKS = ["zero-shot-image-classification", "image-classification", "image-to-text"]
_SIZE_CATEGORIES = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
)
ILID_CITATION = """@article{moenck2024ilid,
  title   = {Industrial Language-Image Dataset (ILID): Adapting Vision Foundation Models
             for Industrial Settings},
  author  = {Moenck, Keno and Thieu, Duc Trung and Koch, Julian and Sch{\\"u}ppstuhl, Thorsten},
  journal = {arXiv preprint arXiv:2406.09637},
  year    = {2024}
}"""


@dataclass(frozen=True)
class CardOptions:
    pretty_name: str = "Industrial language-image dataset"
    license: str = "other"
    """An SPDX-style id for the Hub; "other" with `license_name` when the sources' terms rule."""
    license_name: str = "source-catalog-terms"


def size_category(samples: int) -> str:
    return next((name for limit, name in _SIZE_CATEGORIES if samples < limit), "n>10M")


def _rows(con: duckdb.DuckDBPyConnection, table: str, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall() if has_table(con, table) else []


def header(options: CardOptions, samples: int) -> str:
    meta: dict[str, object] = {"license": options.license}
    if options.license == "other":
        meta["license_name"] = options.license_name
    meta |= {
        "task_categories": _TASKS,
        "language": ["en"],
        "size_categories": [size_category(samples)],
        "pretty_name": options.pretty_name,
        "configs": [
            {
                "config_name": "default",
                "data_files": [
                    {"split": HF_SPLIT_NAMES[split], "path": f"{PARQUET_DIR}/{split}-*.parquet"}
                    for split in SPLITS
                ],
            }
        ],
    }
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n"


def _creation(con: duckdb.DuckDBPyConnection) -> str:
    sources = _rows(
        con,
        "pages",
        "SELECT source, count(*) FILTER (WHERE NOT gone), count(*) FILTER (WHERE gone), "
        "strftime(min(first_seen), '%Y-%m-%d'), strftime(max(last_seen), '%Y-%m-%d') "
        "FROM pages GROUP BY 1 ORDER BY 1",
    )
    images = _rows(
        con,
        "images",
        "SELECT status, split_part(coalesce(reason, ''), ':', 1), count(*) FROM images "
        "GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2",
    )
    captioners = _rows(
        con,
        "captions",
        "SELECT captioner, model, prompt_version, count(*) FROM captions WHERE status = 'ok' "
        "GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3",
    )
    rejects = _rows(
        con,
        "captions",
        "SELECT status, split_part(coalesce(reason, ''), ':', 1), count(*) FROM captions "
        "WHERE status <> 'ok' GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2",
    )
    clusters = _rows(
        con,
        "image_clusters",
        "SELECT count(*), count(DISTINCT cluster_id), "
        "count(DISTINCT cluster_id) FILTER (WHERE cluster_size > 1) FROM image_clusters",
    )
    blocked = sum(n for status, _, n in images if status == "blocked_by_robots")
    image_ok = sum(n for status, _, n in images if status == "ok")
    parts = [
        "### Sources and crawl dates\n",
        markdown_table(
            ["source", "live product pages", "pages gone", "first crawled", "last seen"],
            sources,
        )
        if sources
        else "No crawl record (`pages` table) was found in the warehouse.",
        "\n### Robots and AI opt-out policy\n",
        "The crawler obeys each site's robots.txt (RFC 9309) unless a source's politeness "
        "settings say otherwise, and caps requests per host. Every image request is checked "
        "against its host's robots.txt, and an `X-Robots-Tag: noai` or `noimageai` response "
        f"header withdraws the image. Images withheld by these rules: {blocked}.",
        "\n### Images\n",
        f"Image urls downloaded and normalised (long side 512 px, padded by edge replication "
        f"to 512×512 PNG, as in ILID): {image_ok}. The outcome of every requested url:\n",
        markdown_table(["status", "reason", "images"], images) if images else "(none)",
        "\n### Captioning\n",
        "Each product's title, text and specifications are turned into ILID's five fields "
        "(label_short ≤ 4 words, label_long, description ≤ 30 words, material, "
        "material_finish) by the captioner below, with structured output when it is an LLM:\n",
        markdown_table(["captioner", "model", "prompt version", "products"], captioners)
        if captioners
        else "(no captions)",
        "\n### Pre- and post-filters\n",
        "The pre-filter drops products without enough text before the LLM is asked; the "
        "post-filter (ILID's) rejects answers without label_short or label_long, over length, "
        "generic, or holding codes, placeholders or trade names. Rejected products, by reason:\n",
        markdown_table(["stage", "reason", "products"], rejects) if rejects else "(none)",
    ]
    if clusters and clusters[0][0]:
        total, groups, multi = clusters[0]
        parts += [
            "\n### De-duplication and a leakage-free split\n",
            f"{total} distinct images were grouped by perceptual hashes (pHash and dHash "
            f"within a Hamming distance) into {groups} clusters, {multi} of them with more than "
            "one member. Each cluster keeps one representative image. The split is drawn per "
            "cluster, not per sample, so a photo reused across products, pages or shops never "
            "sits in two splits (ILID's own split was per sample).",
        ]
    return "\n".join(parts)


def _limitations(records: Sequence[Mapping[str, object]]) -> str:
    total = len(records) or 1
    sources = Counter(str(r["source"]) for r in records).most_common()
    labels = Counter(str(r["label_short"]) for r in records)
    top5 = sum(n for _, n in labels.most_common(5))
    largest = (
        f"the largest, {sources[0][0]}, holds {sources[0][1] / total:.0%} of the samples"
        if sources
        else "none"
    )
    return "\n".join(
        [
            "* The text is machine-written: an LLM summarised shop text into the five fields. "
            "It can be wrong, and it inherits the shops' wording and omissions; nobody "
            "checked it by hand.",
            f"* Coverage follows the catalogs crawled: {len(sources)} sources; {largest}. "
            f"{len(labels)} distinct label_short values; the five "
            f"commonest cover {top5 / total:.0%} of the samples.",
            "* Images are catalog photos on clean backgrounds, not shop-floor images: "
            "lighting, clutter, wear and viewpoints of a production line are absent.",
            "* Images and texts remain subject to their sources' terms. Check them before "
            "redistributing the dataset or training a commercial model on it.",
        ]
    )


def _caption_field_meaning(name: str) -> str:
    return "caption field, required" if name in REQUIRED_FIELDS else "caption field, may be null"


def _example(records: Sequence[Mapping[str, object]]) -> str:
    record = next((r for r in records if r["split"] == "train"), records[0] if records else None)
    if record is None:
        return "(the dataset is empty)"
    return "```json\n" + json.dumps(dict(record), ensure_ascii=False, indent=1) + "\n```"


def _pictures(
    records: Sequence[Mapping[str, object]], per_source_split: dict, root: Path
) -> dict[str, bytes]:
    pictures = {
        "word_frequency.png": card_plots.word_frequency_png(records),
        "field_lengths.png": card_plots.field_lengths_png(records),
        "samples_per_source_split.png": card_plots.source_split_png(per_source_split),
        "top_labels_materials.png": card_plots.top_values_png(records),
    }
    for source in sorted(per_source_split):
        chosen = [r for r in records if r["source"] == source]
        pictures[f"gallery_{source}.png"] = card_plots.gallery_png(chosen, root, source)
    return pictures


def write_card(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    records: Sequence[Mapping[str, object]],
    summary: Mapping[str, object],
    options: CardOptions = CardOptions(),
) -> dict[str, bytes]:
    """Write `README.md` and `card/*.png` into `out_dir`; returns the pictures by file name.

    `records` are ilid.json's records (`image` relative to `out_dir`) with split and
    cluster_id; `summary` is `_stats.json`.
    """
    per_source_split: dict[str, dict[str, int]] = {}
    for record in records:
        counts = per_source_split.setdefault(str(record["source"]), {})
        counts[str(record["split"])] = counts.get(str(record["split"]), 0) + 1
    pictures = _pictures(records, per_source_split, out_dir) if records else {}
    nulls = {name: sum(1 for r in records if r.get(name) is None) for name in CAPTION_FIELDS}
    (out_dir / CARD_DIR).mkdir(exist_ok=True)
    for name, png in pictures.items():
        (out_dir / CARD_DIR / name).write_bytes(png)

    def picture(name: str, alt: str) -> str:
        return f"![{alt}]({CARD_DIR}/{name})" if name in pictures else ""

    splits = summary.get("per_split", {})
    split_rows = [
        [
            HF_SPLIT_NAMES[s],
            splits.get(s, 0),
            *(per_source_split[src].get(s, 0) for src in sorted(per_source_split)),
        ]
        for s in SPLITS
    ]
    galleries = "\n\n".join(
        picture(f"gallery_{source}.png", f"samples from {source}")
        for source in sorted(per_source_split)
    )
    body = [
        f"# {options.pretty_name}\n",
        "## Description\n",
        f"{summary.get('samples', 0)} image-text pairs of industrial products from "
        f"{len(per_source_split)} web catalogs, built the way ILID (Moenck et al., 2024) "
        "built its dataset: crawl, pre-filter, caption with a local LLM into five fields, "
        "post-filter, download and normalise the images. Use it to adapt CLIP-like models to "
        "industrial parts (zero-shot classification, retrieval, captioning) or to distil them "
        "into small vision models.\n",
        galleries,
        "\n## Structure\n",
        "### Fields\n",
        markdown_table(
            ["field", "type", "meaning", "null"],
            [
                ["id", "string", "stable sample id (source, url, image hash)", 0],
                ["image", "image", "512×512 PNG, the cluster representative", 0],
                ["url", "string", "product page", 0],
                *[
                    [name, "string", _caption_field_meaning(name), nulls[name]]
                    for name in CAPTION_FIELDS
                ],
                ["source", "string", "catalog the product came from", 0],
                ["split", "string", "train / val / test", 0],
                ["cluster_id", "string", "near-duplicate cluster of the image", 0],
            ],
        ),
        f"\n`null` counts the samples without the field (of {len(records)}). As in ILID, "
        "label_short and label_long are required; material, material_finish and description "
        "are null where the product page does not state them, never guessed.",
        "\n### Splits\n",
        markdown_table(["split", "samples", *sorted(per_source_split)], split_rows),
        "\n" + picture("samples_per_source_split.png", "samples per source and split"),
        "\n### Files and how to load them\n",
        f"* `{PARQUET_DIR}/{{split}}-NNNNN.parquet`: Hugging Face `datasets` format, with "
        "decoded images and declared features:\n\n"
        f"  ```python\n  import datasets\n  {load_dataset_call('.')}\n  ```\n\n"
        '  or `datasets.load_dataset("<this folder>")` through the `configs` above.\n'
        f"* `{WEBDATASET_DIR}/{{split}}-NNNNN.tar`: WebDataset (`{{id}}.png`, `{{id}}.txt` the "
        "training caption, `{id}.json` every field), for open_clip (from this folder; pick "
        "your model and schedule):\n\n"
        f"  ```bash\n  {shell_line(open_clip_command(out_dir, splits, shown_dir='.'))}\n  ```\n\n"
        "* `ilid.json` and `images/`: ILID's release format.\n"
        "* `_stats.json`: samples per split, source and shard.\n",
        "### An example record\n",
        _example(records),
        "\n### The text\n",
        picture("top_labels_materials.png", "top labels and materials"),
        "\n" + picture("word_frequency.png", "word frequency per field"),
        "\n" + picture("field_lengths.png", "field length histograms"),
        "\n## Creation\n",
        _creation(con),
        "\n## Limitations and biases\n",
        _limitations(records),
        "\n## Citation\n",
        "This dataset follows the pipeline of ILID:\n",
        "```bibtex\n" + ILID_CITATION + "\n```\n",
    ]
    text = header(options, int(summary.get("samples", 0))) + "\n" + "\n".join(body)
    (out_dir / "README.md").write_text(text)
    return pictures
