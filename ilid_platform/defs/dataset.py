"""ilid_samples (post-filtered, leakage-free split) and ilid_shards (Parquet + ilid.json)."""

import dagster as dg

from ilid_platform import previews
from ilid_platform.dataset.samples import build_samples
from ilid_platform.dataset.shards import write_shards
from ilid_platform.defs.automation import on_upstream_data_change
from ilid_platform.defs.captions import captions
from ilid_platform.defs.images import image_clusters
from ilid_platform.defs.metadata import counts_table
from ilid_platform.defs.resources import DUCKDB_POOL, IlidStorage
from ilid_platform.warehouse import content_version

CAPTION_FIELDS = ("label_short", "label_long", "description", "material", "material_finish")


class SplitConfig(dg.Config):
    train: float = 0.8
    val: float = 0.1
    test: float = 0.1
    seed: int = 0


@dg.asset(
    automation_condition=on_upstream_data_change,
    deps=[captions, image_clusters],
    group_name="dataset",
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
    description="Captioned products joined to cluster representatives, split so that a "
    "duplicate cluster never spans two splits (`samples`).",
)
def ilid_samples(
    context: dg.AssetExecutionContext, config: SplitConfig, storage: IlidStorage
) -> dg.MaterializeResult:
    with storage.connect() as con:
        stats = build_samples(con, ratios=(config.train, config.val, config.test), seed=config.seed)
        version = content_version(con, "SELECT * FROM samples")
        per_split = dict(con.execute("SELECT split, count(*) FROM samples GROUP BY 1").fetchall())
        per_source = dict(con.execute("SELECT source, count(*) FROM samples GROUP BY 1").fetchall())
        gallery = previews.samples_markdown(con)
    context.log.info(f"samples per split: {per_split}")
    return dg.MaterializeResult(
        data_version=dg.DataVersion(version),
        metadata={
            "samples": sum(per_split.values()),
            "gallery": dg.MetadataValue.md(gallery),
            "per_split": counts_table(per_split, "split"),
            "per_source": counts_table(per_source, "source"),
            "dropped_by_reason": counts_table(stats.dropped, "reason"),
        },
    )


@dg.asset_check(
    asset=ilid_samples, blocking=True, description="No duplicate cluster in two splits."
)
def clusters_stay_in_one_split(storage: IlidStorage) -> dg.AssetCheckResult:
    with storage.connect(read_only=True) as con:
        leaking = con.execute(
            "SELECT count(*) FROM (SELECT cluster_id FROM samples GROUP BY 1 "
            "HAVING count(DISTINCT split) > 1)"
        ).fetchone()[0]
    return dg.AssetCheckResult(passed=leaking == 0, metadata={"leaking_clusters": leaking})


@dg.asset_check(asset=ilid_samples, blocking=True, description="Every sample has its five fields.")
def samples_have_five_fields(storage: IlidStorage) -> dg.AssetCheckResult:
    empty = " OR ".join(f"coalesce(trim({f}), '') = ''" for f in CAPTION_FIELDS)
    with storage.connect(read_only=True) as con:
        incomplete = con.execute(f"SELECT count(*) FROM samples WHERE {empty}").fetchone()[0]
        total = con.execute("SELECT count(*) FROM samples").fetchone()[0]
    return dg.AssetCheckResult(
        passed=incomplete == 0 and total > 0,
        metadata={"incomplete": incomplete, "samples": total},
    )


@dg.asset(
    automation_condition=on_upstream_data_change,
    deps=[ilid_samples],
    group_name="dataset",
    kinds={"parquet"},
    description="Parquet shards with image bytes (HF-datasets compatible), ilid.json in ILID's "
    "record format and per-shard stats.",
)
def ilid_shards(context: dg.AssetExecutionContext, storage: IlidStorage) -> dg.MaterializeResult:
    with storage.connect(read_only=True) as con:
        stats = write_shards(con, storage.paths.shards)
    context.log.info(f"wrote {stats.files} shard files to {storage.paths.shards}")
    return dg.MaterializeResult(
        data_version=dg.DataVersion(stats.fingerprint),
        metadata={
            "path": dg.MetadataValue.path(str(storage.paths.shards)),
            "files": stats.files,
            "per_split": dg.MetadataValue.json(stats.per_split),
            "bytes": stats.bytes,
        },
    )
