"""ILID samples: post-filtered captions joined to their products' de-duplicated images.

A sample is one (product, cluster representative) pair: a product's images collapse to the
representatives of their duplicate clusters, so a photo reused across shops or pages becomes
one image. When several products share a representative (size or pack variants photographed
once), one sample per (representative, label_short) is kept, the product with the smallest
(source, url); products with another label_short keep their own sample of the same image.
The cluster decides the split (`assign_split`), so duplicates never straddle train and test.

The table is rebuilt on every run, so an unchanged warehouse yields the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from ilid_platform.captions.upstream import require_columns
from ilid_platform.dataset.split import SPLITS, assign_split, check_ratios
from ilid_platform.tables import SAMPLES
from ilid_platform.warehouse import has_table

SAMPLE_COLUMNS = SAMPLES.column_names

# A product's images are its main images and the page photos that stood in for dead ones
# (`images.fallback`); `{fallbacks}` is NULL in a warehouse from before that column.
_CANDIDATES = """
CREATE OR REPLACE TEMP TABLE sample_products AS
SELECT c.source, c.url, c.label_short, c.label_long, c.description, c.material,
       c.material_finish, p.image_urls, {fallbacks} AS image_fallbacks
FROM captions c JOIN pages p ON p.source = c.source AND p.url = c.url
WHERE c.status = 'ok' AND p.gone IS NOT TRUE;

CREATE OR REPLACE TEMP TABLE sample_images AS
WITH urls AS (
    SELECT source, url,
           unnest(list_concat(
               from_json(CAST(image_urls AS JSON), '["VARCHAR"]'),
               from_json(CAST(image_fallbacks AS JSON), '["VARCHAR"]')
           )) AS image_url
    FROM sample_products
)
SELECT DISTINCT u.source, u.url, i.sha256, k.cluster_id, k.representative_sha256
FROM urls u
JOIN images i ON i.source = u.source AND i.page_url = u.url AND i.image_url = u.image_url
LEFT JOIN image_clusters k ON k.sha256 = i.sha256
WHERE i.status = 'ok' AND i.sha256 IS NOT NULL;

CREATE OR REPLACE TEMP TABLE sample_candidates AS
SELECT DISTINCT si.source, si.url, si.representative_sha256 AS sha256, si.cluster_id,
       n.image_path, sp.label_short, sp.label_long, sp.description, sp.material,
       sp.material_finish
FROM sample_images si
JOIN sample_products sp ON sp.source = si.source AND sp.url = si.url
JOIN (
    SELECT sha256, min(normalised_path) AS image_path FROM images
    WHERE status = 'ok' AND normalised_path IS NOT NULL GROUP BY sha256
) n ON n.sha256 = si.representative_sha256
WHERE si.cluster_id IS NOT NULL;
"""

_SAMPLES = f"""
INSERT INTO samples ({", ".join(SAMPLE_COLUMNS)})
SELECT left(sha256(c.source || chr(31) || c.url || chr(31) || c.sha256), 16) AS id,
       c.source, c.url, c.sha256, c.image_path, c.cluster_id, c.label_short, c.label_long,
       c.description, c.material, c.material_finish, s.split
FROM sample_candidates c JOIN cluster_splits s ON s.cluster_id = c.cluster_id
QUALIFY row_number() OVER (
    PARTITION BY c.sha256, lower(trim(c.label_short)) ORDER BY c.source, c.url
) = 1
ORDER BY id
"""


@dataclass
class SampleStats:
    products: int = 0
    samples: int = 0
    clusters: int = 0
    per_split: dict[str, int] = field(default_factory=dict)
    per_source: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)


def build_samples(
    con: duckdb.DuckDBPyConnection,
    ratios: tuple[float, float, float] = (0.8, 0.1, 0.1),
    seed: int = 0,
) -> SampleStats:
    """Rebuild `samples` from ok captions, live pages, ok images and their clusters."""
    ratios = check_ratios(ratios)
    require_columns(con, "pages", "images", "image_clusters")
    if not has_table(con, "captions"):
        raise RuntimeError("table 'captions' does not exist; run caption_products first")
    has_fallbacks = con.execute(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'pages' AND column_name = 'image_fallbacks'"
    ).fetchone()[0]
    con.execute(_CANDIDATES.format(fallbacks="p.image_fallbacks" if has_fallbacks else "NULL"))
    clusters = [
        r[0] for r in con.execute("SELECT DISTINCT cluster_id FROM sample_candidates").fetchall()
    ]
    splits = pa.table(
        {
            "cluster_id": pa.array(clusters, pa.string()),
            "split": pa.array([assign_split(c, ratios, seed) for c in clusters], pa.string()),
        }
    )
    con.register("cluster_splits", splits)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(SAMPLES.ddl(replace=True))
        con.execute(_SAMPLES)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("cluster_splits")

    def count(sql: str) -> int:
        return con.execute(sql).fetchone()[0]

    stats = SampleStats(
        products=count("SELECT count(*) FROM sample_products"),
        samples=count("SELECT count(*) FROM samples"),
        clusters=count("SELECT count(DISTINCT cluster_id) FROM samples"),
    )
    per_split = dict(con.execute("SELECT split, count(*) FROM samples GROUP BY 1").fetchall())
    stats.per_split = {name: per_split.get(name, 0) for name in SPLITS}
    stats.per_source = dict(
        con.execute("SELECT source, count(*) FROM samples GROUP BY 1 ORDER BY 1").fetchall()
    )
    stats.dropped = {
        "product_without_ok_image": count(
            "SELECT count(*) FROM sample_products p WHERE NOT EXISTS (SELECT 1 FROM sample_images "
            "i WHERE i.source = p.source AND i.url = p.url)"
        ),
        "image_not_clustered": count("SELECT count(*) FROM sample_images WHERE cluster_id IS NULL"),
        "representative_without_png": count(
            "SELECT count(*) FROM (SELECT DISTINCT source, url, representative_sha256 "
            "FROM sample_images WHERE cluster_id IS NOT NULL)"
        )
        - count(
            "SELECT count(*) FROM (SELECT DISTINCT source, url, sha256 FROM sample_candidates)"
        ),
        "duplicate_image_and_label": count("SELECT count(*) FROM sample_candidates")
        - stats.samples,
    }
    con.execute(
        "DROP TABLE sample_candidates; DROP TABLE sample_images; DROP TABLE sample_products"
    )
    return stats
