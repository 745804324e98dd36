"""ilid_samples (post-filtered, leakage-free split) and ilid_shards (Parquet, WebDataset, card)."""

import dagster as dg
from pydantic import Field

from ilid_platform import previews
from ilid_platform.captions.schema import REQUIRED_FIELDS
from ilid_platform.dataset.card import CardOptions
from ilid_platform.dataset.layout import PARQUET_DIR, WEBDATASET_DIR
from ilid_platform.dataset.samples import build_samples
from ilid_platform.dataset.shards import write_shards
from ilid_platform.dataset.usage import load_dataset_call, open_clip_command, shell_line
from ilid_platform.defs.automation import on_upstream_data_change
from ilid_platform.defs.captions import captions
from ilid_platform.defs.images import image_clusters
from ilid_platform.defs.metadata import counts_table, markdown_table
from ilid_platform.defs.resources import DUCKDB_POOL, IlidStorage
from ilid_platform.warehouse import content_version


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


@dg.asset_check(
    asset=ilid_samples,
    blocking=True,
    description="Every sample has its required fields (label_short, label_long), as ILID's "
    "post-filter asks; material, finish and description may be null.",
)
def samples_have_required_fields(storage: IlidStorage) -> dg.AssetCheckResult:
    empty = " OR ".join(f"coalesce(trim({f}), '') = ''" for f in REQUIRED_FIELDS)
    with storage.connect(read_only=True) as con:
        incomplete = con.execute(f"SELECT count(*) FROM samples WHERE {empty}").fetchone()[0]
        total = con.execute("SELECT count(*) FROM samples").fetchone()[0]
    return dg.AssetCheckResult(
        passed=incomplete == 0 and total > 0,
        metadata={"incomplete": incomplete, "samples": total},
    )


class ShardsConfig(dg.Config):
    shard_size: int = Field(default=1000, ge=1, description="Rows per Parquet file and tar.")
    pretty_name: str = Field(
        default=CardOptions.pretty_name, description="The dataset card's title."
    )
    license: str = Field(
        default=CardOptions.license,
        description='Hub license id; "other" with license_name when the sources\' terms rule.',
    )
    license_name: str = CardOptions.license_name


def _code(text: str, language: str) -> dg.MetadataValue:
    return dg.MetadataValue.md(f"```{language}\n{text}\n```")


@dg.asset(
    automation_condition=on_upstream_data_change,
    deps=[ilid_samples],
    group_name="dataset",
    kinds={"parquet"},
    description="The dataset as people consume it: Parquet shards (HF datasets), WebDataset tars "
    "(open_clip), ilid.json in ILID's record format, per-shard stats and a dataset card.",
)
def ilid_shards(
    context: dg.AssetExecutionContext, config: ShardsConfig, storage: IlidStorage
) -> dg.MaterializeResult:
    out = storage.paths.shards
    card = CardOptions(config.pretty_name, config.license, config.license_name)
    with storage.connect(read_only=True) as con:
        stats = write_shards(con, out, shard_size=config.shard_size, card=card)
    context.log.info(f"wrote {stats.samples} samples in {stats.files} shards per format to {out}")
    formats = [
        ["Parquet", f"`{out / PARQUET_DIR}`", stats.files, stats.bytes, "HF `datasets`"],
        ["WebDataset", f"`{out / WEBDATASET_DIR}`", stats.files, stats.tar_bytes, "open_clip"],
        ["ILID json", f"`{out / 'ilid.json'}` + `images/`", 1, "", "ILID's tools"],
    ]
    return dg.MaterializeResult(
        data_version=dg.DataVersion(stats.fingerprint),
        metadata={
            "path": dg.MetadataValue.path(str(out)),
            "samples": stats.samples,
            "per_split": counts_table(stats.per_split, "split"),
            "formats": markdown_table(["format", "where", "files", "bytes", "read with"], formats),
            "open_clip_command": _code(shell_line(open_clip_command(out, stats.per_split)), "bash"),
            "load_dataset": _code(f"import datasets\n{load_dataset_call(out)}", "python"),
            "card": dg.MetadataValue.md(previews.card_markdown(out)),
            "missing_images": stats.missing_images,
        },
    )
