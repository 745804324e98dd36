"""What a person looks at in the UI: small image galleries and plots as markdown.

Dagster renders markdown metadata, including `![alt](data:image/...)` images (it strips raw
HTML), so previews inline 96 px JPEG thumbnails as data URIs. Every preview draws from one
`Budget`, so an event's metadata stays bounded however large the catalog is; once the budget
is spent, cells say so instead of growing the event.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
from PIL import Image, UnidentifiedImageError

from ilid_platform.captions.schema import CAPTION_FIELDS
from ilid_platform.dataset.layout import CARD_DIR
from ilid_platform.images.normalise import thumbnail
from ilid_platform.warehouse import has_table

THUMBNAIL_SIDE = 96
JPEG_QUALITY = 70
# Dagster keeps every event's metadata in its event log; a few hundred KB per event is fine.
DEFAULT_BUDGET_BYTES = 200_000


def jpeg_data_uri(img: Image.Image, side: int = THUMBNAIL_SIDE) -> str:
    buffer = io.BytesIO()
    thumbnail(img, side).save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def cell(value: object) -> str:
    """A table cell on one line, so catalog text cannot break the table."""
    return " ".join(str("" if value is None else value).split()).replace("|", "\\|")


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


@dataclass
class Budget:
    """Bytes of inline images one metadata event may still carry."""

    remaining: int = DEFAULT_BUDGET_BYTES
    skipped: int = 0

    def image(self, path: str | Path | None, alt: str = "", side: int = THUMBNAIL_SIDE) -> str:
        """Markdown for a thumbnail of the image at `path`, or a short reason it is absent."""
        if not path:
            return "(no file)"
        try:
            with Image.open(path) as img:
                uri = jpeg_data_uri(img, side)
        except (OSError, UnidentifiedImageError):
            return "(unreadable)"
        return self._spend(f"![{cell(alt)}]({uri})")

    def plot(self, png: bytes, alt: str) -> str:
        return self._spend(f"![{cell(alt)}]({png_data_uri(png)})")

    def _spend(self, markdown: str) -> str:
        if len(markdown) > self.remaining:
            self.skipped += 1
            return "(preview budget spent)"
        self.remaining -= len(markdown)
        return markdown


def product_images_markdown(
    con: duckdb.DuckDBPyConnection, source: str, limit: int = 6, budget: Budget | None = None
) -> str:
    """A gallery of originals beside their normalised copies, and one example per reject."""
    budget = budget or Budget()
    ok = con.execute(
        "SELECT image_url, status, path, normalised_path, width, height, format, bytes "
        "FROM images WHERE source = ? AND status = 'ok' ORDER BY image_url LIMIT ?",
        [source, limit],
    ).fetchall()
    rows = [
        (
            budget.image(path, "original"),
            budget.image(normalised, "normalised"),
            status,
            f"{width}×{height} {fmt}, {size:,} B" if width else "",
            url,
        )
        for url, status, path, normalised, width, height, fmt, size in ok
    ]
    parts = [
        "**Downloaded images** (original, normalised copy)",
        markdown_table(("original", "normalised", "status", "original size", "url"), rows),
    ]
    rejects = con.execute(
        "SELECT status, reason, count(*) AS n, min(image_url), arg_min(path, image_url) "
        "FROM images WHERE source = ? AND status <> 'ok' GROUP BY status, reason "
        "ORDER BY n DESC, status, reason",
        [source],
    ).fetchall()
    if rejects:
        parts += [
            "**Rejected, one example per reason**",
            markdown_table(
                ("status", "reason", "images", "example", "example url"),
                [
                    (status, reason, n, budget.image(path, reason) if path else "", url)
                    for status, reason, n, url, path in rejects
                ],
            ),
        ]
    else:
        parts.append("No image of this source was rejected.")
    return "\n\n".join(parts)


def clusters_markdown(
    con: duckdb.DuckDBPyConnection,
    clusters: int = 4,
    members: int = 5,
    budget: Budget | None = None,
) -> str:
    """The largest multi-image clusters, members beside their representative with the pixel
    check's score of the pair (share of compared cells that agree; "not checked" when the check
    was off) and the pHash distance that proposed it."""
    budget = budget or Budget()
    picked = con.execute(
        "SELECT cluster_id, any_value(cluster_size) AS size FROM image_clusters "
        "WHERE cluster_size > 1 GROUP BY cluster_id ORDER BY size DESC, cluster_id LIMIT ?",
        [clusters],
    ).fetchall()
    if not picked:
        return "No near-duplicates: every cluster has one image."
    checks = (
        "(SELECT any_value(c.score) FROM image_pair_checks c "
        "WHERE c.sha256_a = least(k.sha256, k.representative_sha256) "
        "AND c.sha256_b = greatest(k.sha256, k.representative_sha256) AND c.same)"
        if has_table(con, "image_pair_checks")
        else "NULL"
    )
    parts = []
    for cluster_id, size in picked:
        rows = con.execute(
            f"""
            SELECT k.sha256, k.sha256 = k.representative_sha256 AS is_rep,
                   {checks} AS score,
                   bit_count(xor(h.phash, r.phash)) AS phash_distance,
                   (SELECT any_value(i.normalised_path) FROM images i
                    WHERE i.sha256 = k.sha256 AND i.status = 'ok') AS image,
                   (SELECT string_agg(DISTINCT i.source, ', ') FROM images i
                    WHERE i.sha256 = k.sha256) AS sources
            FROM image_clusters k
            JOIN image_hashes h ON h.sha256 = k.sha256
            JOIN image_hashes r ON r.sha256 = k.representative_sha256
            WHERE k.cluster_id = ?
            ORDER BY is_rep DESC, score DESC NULLS LAST, phash_distance, k.sha256
            LIMIT ?
            """,
            [cluster_id, members],
        ).fetchall()
        images = [budget.image(image, sha[:8]) for sha, *_, image, _ in rows]
        notes = [
            "representative"
            if is_rep
            else ("not checked" if score is None else f"check {score:.3f}") + f" · pHash {p}"
            for _, is_rep, score, p, _, _ in rows
        ]
        sources = [src or "" for *_, src in rows]
        headers = [f"`{sha[:8]}`" for sha, *_ in rows]
        parts += [
            f"**Cluster `{cluster_id}`**: {size} images"
            + (f", {len(rows)} shown" if size > len(rows) else ""),
            markdown_table(headers, [images, notes, sources]),
        ]
    return "\n\n".join(parts)


def cluster_sizes(con: duckdb.DuckDBPyConnection) -> list[tuple[int, int]]:
    """(cluster size, number of clusters of that size)."""
    return con.execute(
        "SELECT size, count(*) FROM (SELECT cluster_id, count(*) AS size FROM image_clusters "
        "GROUP BY 1) GROUP BY size ORDER BY size"
    ).fetchall()


def captions_markdown(
    con: duckdb.DuckDBPyConnection, source: str, limit: int = 5, budget: Budget | None = None
) -> str:
    """Image, the product text the captioner read, and the five fields it wrote."""
    budget = budget or Budget()
    # captions do not wait for images: on a first run the images table may not exist yet
    image = (
        "(SELECT any_value(i.normalised_path) FROM images i WHERE i.source = c.source "
        "AND i.page_url = c.url AND i.status = 'ok')"
        if has_table(con, "images")
        else "NULL"
    )
    rows = con.execute(
        f"""
        SELECT c.url, p.name, left(p.description, 160),
               {", ".join(f"c.{f}" for f in CAPTION_FIELDS)}, {image} AS image
        FROM captions c JOIN pages p ON p.source = c.source AND p.url = c.url
        WHERE c.source = ? AND c.status = 'ok'
        ORDER BY c.url LIMIT ?
        """,
        [source, limit],
    ).fetchall()
    table = [
        (
            budget.image(image, name) if image else "(no image yet)",
            f"**{cell(name)}** {cell(text)}",
            *fields,
        )
        for _, name, text, *fields, image in rows
    ]
    return markdown_table(("image", "product text", *CAPTION_FIELDS), table)


def samples_markdown(
    con: duckdb.DuckDBPyConnection, per_source: int = 4, budget: Budget | None = None
) -> str:
    """A few samples of every source: the image the dataset ships and its five fields."""
    budget = budget or Budget()
    rows = con.execute(
        f"""
        SELECT image_path, source, split, {", ".join(CAPTION_FIELDS)} FROM (
            SELECT *, row_number() OVER (PARTITION BY source ORDER BY id) AS n FROM samples
        ) WHERE n <= ? ORDER BY source, id
        """,
        [per_source],
    ).fetchall()
    table = [
        (budget.image(image, label), source, split, label, *fields)
        for image, source, split, label, *fields in rows
    ]
    return markdown_table(("image", "source", "split", *CAPTION_FIELDS), table)


def card_markdown(out_dir: str | Path, budget: Budget | None = None) -> str:
    """The dataset card's pictures inline: galleries as 480 px JPEGs, then the plots as PNGs.

    Reads `card/*.png` as `dataset.card` wrote them; the card itself is the README beside them.
    """
    budget = budget or Budget(remaining=2 * DEFAULT_BUDGET_BYTES)
    folder = Path(out_dir) / CARD_DIR
    galleries = sorted(folder.glob("gallery_*.png"))
    plots = sorted(p for p in folder.glob("*.png") if p not in galleries)
    parts = [f"Card: `{Path(out_dir) / 'README.md'}`"]
    for path in galleries:
        source = path.stem.removeprefix("gallery_")
        parts.append(f"**{cell(source)}**\n\n" + budget.image(path, f"{source} samples", 480))
    parts += [budget.plot(path.read_bytes(), path.stem.replace("_", " ")) for path in plots]
    return "\n\n".join(parts)


def cluster_sizes_png(sizes: Sequence[tuple[int, int]]) -> bytes:
    """Bar chart of how many clusters have each size (log scale: singletons dominate)."""
    from ilid_platform.plots import figure_png, plt

    fig, ax = plt.subplots(figsize=(4, 2.6), dpi=90)
    ax.bar([str(s) for s, _ in sizes], [n for _, n in sizes], color="#4c72b0")
    ax.set_yscale("log")
    ax.set_xlabel("images in cluster")
    ax.set_ylabel("clusters")
    ax.set_title("cluster sizes")
    ax.grid(axis="y", alpha=0.3)
    return figure_png(fig)
