"""Source partitions come from the sources YAML, so a new catalog is a new partition."""

import dagster as dg

from ilid_platform.crawl.sources import Source, default_sources_path, load_sources
from ilid_platform.defs.resources import read_at_load


def sources() -> dict[str, Source]:
    """Read on every call: ports and hosts in the YAML may come from the environment."""
    return {source.name: source for source in load_sources(default_sources_path())}


source_partitions = dg.StaticPartitionsDefinition(list(read_at_load(sources)))
