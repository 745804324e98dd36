"""product_images per source, then image_clusters across every source."""

import dagster as dg

from ilid_platform import previews
from ilid_platform.defs.automation import on_upstream_data_change
from ilid_platform.defs.crawl import crawled_pages
from ilid_platform.defs.metadata import counts_table
from ilid_platform.defs.partitions import source_partitions, sources
from ilid_platform.defs.resources import DUCKDB_POOL, IlidStorage
from ilid_platform.images.dedup import DedupConfig, cluster_images
from ilid_platform.images.download import IngestConfig
from ilid_platform.images.fallback import ingest_source
from ilid_platform.images.hashing import hash_images
from ilid_platform.warehouse import content_version


class ImageIngestConfig(dg.Config):
    mode: str = "ilid"
    size: int = 512
    concurrency: int = 16
    obey_robots: bool = True
    retry_failed: bool = False


class ClusterConfig(dg.Config):
    """Hash radius of a candidate pair, the pixel check, and the optional embedding pass."""

    threshold: int = DedupConfig.threshold
    verify: bool = DedupConfig.verify
    embedding_model: str | None = None
    embedding_pretrained: str | None = None
    threshold_cos: float = DedupConfig.threshold_cos


@dg.asset(
    automation_condition=on_upstream_data_change,
    partitions_def=source_partitions,
    deps=[crawled_pages],
    group_name="images",
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
    # Ahead of `captions` when both wait for the warehouse, so the captions' examples can
    # show each product's image on a partition's first run.
    op_tags={"dagster/priority": "1"},
    description="Downloaded, validated and normalised product images, content-addressed by "
    "sha256; every image gets a status and reason in the `images` table.",
)
def product_images(
    context: dg.AssetExecutionContext, config: ImageIngestConfig, storage: IlidStorage
) -> dg.MaterializeResult:
    source = context.partition_key
    allow_private = sources()[source].allow_private_addresses
    with storage.connect() as con:
        stats = ingest_source(
            con,
            storage.paths.images,
            source,
            IngestConfig(
                mode=config.mode,
                size=config.size,
                concurrency=config.concurrency,
                obey_robots=config.obey_robots,
                allow_private_addresses=(
                    allow_private if isinstance(allow_private, bool) else tuple(allow_private)
                ),
            ),
            retry_failed=config.retry_failed,
            progress=context.log.info,
        )
        version = content_version(
            con,
            "SELECT page_url, image_url, status, sha256 FROM images WHERE source = ?",
            [source],
        )
        gallery = previews.product_images_markdown(con, source)
    return dg.MaterializeResult(
        data_version=dg.DataVersion(version),
        metadata={
            "requested": stats.requested,
            "stand_ins": stats.stand_ins,
            "gallery": dg.MetadataValue.md(gallery),
            "by_status": counts_table(stats.by_status, "status"),
            "by_source": dg.MetadataValue.json(stats.by_source),
            "rejects_by_reason": counts_table(stats.rejects, "reason"),
            "images_per_s": round(stats.images_per_s, 1),
            "downloaded_bytes": stats.bytes,
        },
    )


@dg.asset(
    automation_condition=on_upstream_data_change,
    deps=[product_images],
    group_name="images",
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
    description="Perceptual hashes per image and its views; candidate pairs confirmed by a "
    "keypoint and pixel check; near-duplicate clusters across all sources, one representative "
    "each (`image_hashes`, `image_pair_checks`, `image_clusters`).",
)
def image_clusters(
    context: dg.AssetExecutionContext, config: ClusterConfig, storage: IlidStorage
) -> dg.MaterializeResult:
    with storage.connect() as con:
        hashed = hash_images(con, storage.paths.images, progress=context.log.info)
        stats = cluster_images(
            con,
            DedupConfig(**config.model_dump()),
            progress=context.log.info,
            store_root=storage.paths.images,
        )
        version = content_version(con, "SELECT sha256, cluster_id FROM image_clusters")
        budget = previews.Budget()
        examples = previews.clusters_markdown(con, budget=budget)
        histogram = budget.plot(
            previews.cluster_sizes_png(previews.cluster_sizes(con)), "cluster sizes"
        )
    return dg.MaterializeResult(
        data_version=dg.DataVersion(version),
        metadata={
            "clusters_preview": dg.MetadataValue.md(examples),
            "cluster_size_histogram": dg.MetadataValue.md(histogram),
            "newly_hashed": hashed,
            "images": stats.images,
            "clusters": stats.clusters,
            "multi_image_clusters": stats.multi_image_clusters,
            "largest_cluster": stats.largest_cluster,
            "threshold": stats.threshold,
            "candidate_pairs": stats.candidate_pairs,
            "checked_pairs": stats.checked_pairs,
            "confirmed_pairs": stats.confirmed_pairs,
            "embedding_pairs": stats.embedding_pairs,
        },
    )
