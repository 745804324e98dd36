"""captions per source: five ILID fields from the configured captioner, kept in DuckDB."""

import dagster as dg

from ilid_platform import previews
from ilid_platform.captions.ollama_captioner import OllamaCaptioner
from ilid_platform.captions.openai_captioner import OpenAICaptioner
from ilid_platform.captions.rules import RuleCaptioner
from ilid_platform.captions.store import caption_products
from ilid_platform.defs.automation import on_upstream_data_change
from ilid_platform.defs.crawl import crawled_pages
from ilid_platform.defs.metadata import counts_table
from ilid_platform.defs.partitions import source_partitions, sources
from ilid_platform.defs.resources import DUCKDB_POOL, CaptionerResource, IlidStorage
from ilid_platform.warehouse import content_version


def build_captioner(resource: CaptionerResource, trade_name_regex: str | None):
    """The configured captioner; an LLM one is checked (server up, model served) first."""
    options = {
        "timeout_s": resource.timeout_s,
        "concurrency": resource.concurrency,
        "trade_name_regex": trade_name_regex,
    }
    if resource.kind == "ollama":
        captioner = OllamaCaptioner(
            host=resource.ollama_host, model=resource.ollama_model, **options
        )
    elif resource.kind == "openai":
        captioner = OpenAICaptioner(
            base_url=resource.openai_base_url, model=resource.openai_model, **options
        )
    else:
        return RuleCaptioner(trade_name_regex=trade_name_regex)
    captioner.check_available()
    return captioner


@dg.asset(
    automation_condition=on_upstream_data_change,
    partitions_def=source_partitions,
    deps=[crawled_pages],
    group_name="captions",
    kinds={"ollama", "duckdb"},
    pool=DUCKDB_POOL,
    description="label_short, label_long, description, material and material_finish per "
    "product, with captioner, model, prompt version and input hash (`captions`).",
)
def captions(
    context: dg.AssetExecutionContext, storage: IlidStorage, captioner: CaptionerResource
) -> dg.MaterializeResult:
    source = sources()[context.partition_key]
    with storage.connect() as con:
        stats = caption_products(
            con,
            build_captioner(captioner, source.trade_name_regex),
            source=source.name,
            progress=context.log.info,
            require_all_fields=captioner.require_all_fields,
        )
        version = content_version(
            con,
            "SELECT url, status, input_hash, label_short, label_long, description, material, "
            "material_finish FROM captions WHERE source = ?",
            [source.name],
        )
        examples = previews.captions_markdown(con, source.name)
    return dg.MaterializeResult(
        data_version=dg.DataVersion(version),
        metadata={
            "captioner": captioner.kind,
            "captioned": stats.captioned,
            "reused": stats.reused,
            "by_status": counts_table(stats.by_status, "status"),
            "rejects_by_reason": counts_table(stats.rejects, "reason"),
            "examples": dg.MetadataValue.md(examples),
        },
    )
