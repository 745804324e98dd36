"""The one Dagster Definitions of the platform."""

import dagster as dg

from ilid_platform.defs import captions, crawl, dataset, images, models
from ilid_platform.defs.executors import executor_from_env
from ilid_platform.defs.jobs import (
    crawl_job,
    dataset_and_models_job,
    dataset_job,
    nightly_crawl,
    per_source_job,
)
from ilid_platform.defs.resources import IlidStorage, captioner_from_env, read_at_load

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([crawl, images, captions, dataset, models]),
    asset_checks=dg.load_asset_checks_from_modules([dataset]),
    jobs=[per_source_job, crawl_job, dataset_job, dataset_and_models_job],
    schedules=[nightly_crawl],
    executor=read_at_load(executor_from_env),
    resources={
        "storage": IlidStorage(),
        "captioner": read_at_load(captioner_from_env),
        "pipes": dg.PipesSubprocessClient(),
    },
)
