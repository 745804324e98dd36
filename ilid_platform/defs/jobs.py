"""Jobs and the nightly crawl schedule."""

import dagster as dg

from ilid_platform.defs.captions import captions
from ilid_platform.defs.crawl import crawled_pages
from ilid_platform.defs.images import product_images
from ilid_platform.defs.partitions import source_partitions

per_source_job = dg.define_asset_job(
    "per_source_job",
    selection=dg.AssetSelection.assets(crawled_pages, product_images, captions),
    description="Crawl one catalog, download its images and caption its products.",
)

crawl_job = dg.define_asset_job(
    "crawl_job",
    selection=dg.AssetSelection.assets(crawled_pages),
    description="Re-crawl one catalog; downstream assets follow only where data changed.",
)

dataset_job = dg.define_asset_job(
    "dataset_job",
    selection=dg.AssetSelection.groups("dataset") | dg.AssetSelection.assets("image_clusters"),
    description="Cluster images across sources, build samples and shards; no training.",
)

dataset_and_models_job = dg.define_asset_job(
    "dataset_and_models_job",
    selection=dg.AssetSelection.groups("dataset", "models")
    | dg.AssetSelection.assets("image_clusters"),
    description="Cluster images across sources, build samples and shards, train CLIP and the "
    "student.",
)


@dg.schedule(cron_schedule="0 2 * * *", job=crawl_job, execution_timezone="UTC")
def nightly_crawl(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    """Re-crawl every catalog at 02:00 UTC; unchanged products keep their data version, so the
    automation conditions downstream stay quiet."""
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return [
        dg.RunRequest(run_key=f"{key}-{day}", partition_key=key)
        for key in source_partitions.get_partition_keys()
    ]
