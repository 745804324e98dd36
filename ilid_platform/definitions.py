"""The one Dagster Definitions of the platform."""

import dagster as dg

from ilid_platform.defs import captions, crawl, dataset, images, models
from ilid_platform.defs.jobs import (
    crawl_job,
    dataset_and_models_job,
    dataset_job,
    nightly_crawl,
    per_source_job,
)
from ilid_platform.defs.resources import CaptionerResource, IlidStorage

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([crawl, images, captions, dataset, models]),
    asset_checks=dg.load_asset_checks_from_modules([dataset]),
    jobs=[per_source_job, crawl_job, dataset_job, dataset_and_models_job],
    schedules=[nightly_crawl],
    resources={
        "storage": IlidStorage(),
        "captioner": CaptionerResource(
            kind=dg.EnvVar("ILID_CAPTIONER").get_value("rules"),
            ollama_host=dg.EnvVar("OLLAMA_HOST").get_value("http://127.0.0.1:11434"),
            ollama_model=dg.EnvVar("ILID_OLLAMA_MODEL").get_value("llama3.1:8b"),
        ),
    },
)
