"""Two small real corpus sites (neither with product markup nor in English: Chinese and
Russian) through the pipeline to the shards, as a user runs it: a sources file, `dagster asset
materialize` per partition, then the global assets. The same path as
`benchmarks/real_catalogs.py`, which runs every corpus site."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from pathlib import Path

import pytest

from ilid_platform import warehouse
from ilid_platform.instance import prepare_instance
from ilid_platform_tests.corpus_sites import load_site, serving

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from real_catalogs import GLOBAL, PER_SOURCE, failed_checks, materialize, sources_yaml  # noqa: E402

pytestmark = pytest.mark.e2e

SITES = ("huading", "chelaz")


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    work = tmp_path_factory.mktemp("real_catalogs")
    home = work / "home"
    env = {
        **os.environ,
        "ILID_HOME": str(home),
        "DAGSTER_HOME": str(prepare_instance(home / "dagster")),
        "ILID_SOURCES": str(work / "sources.yaml"),
        "ILID_EXECUTOR": "in_process",
    }
    runs = {}
    with contextlib.ExitStack() as stack:
        bases = {slug: stack.enter_context(serving(load_site(slug))) for slug in SITES}
        (work / "sources.yaml").write_text(sources_yaml(bases), encoding="utf-8")
        for slug in SITES:
            runs[slug] = materialize(PER_SOURCE, env, slug, work / "dagster.log")
        runs["global"] = materialize(GLOBAL, env, None, work / "dagster.log")
    log = (work / "dagster.log").read_text(errors="replace")
    return home, env, runs, log


def test_every_run_and_check_passes(pipeline):
    _, env, runs, log = pipeline
    assert all(runs.values()), (runs, log[-3000:])
    assert failed_checks(env) == []


def test_every_site_gives_samples_with_the_required_fields(pipeline):
    home, *_ = pipeline
    with warehouse.connect(home / "warehouse.duckdb", read_only=True) as con:
        per_source = dict(con.execute("SELECT source, count(*) FROM samples GROUP BY 1").fetchall())
        with_image = dict(
            con.execute(
                "SELECT source, count(DISTINCT page_url) FROM images WHERE status = 'ok' GROUP BY 1"
            ).fetchall()
        )
        missing = con.execute(
            "SELECT count(*) FROM samples WHERE coalesce(trim(label_short), '') = '' "
            "OR coalesce(trim(label_long), '') = ''"
        ).fetchone()[0]
        labels = {r[0] for r in con.execute("SELECT DISTINCT label_short FROM samples").fetchall()}
    assert set(per_source) == set(SITES)
    assert all(per_source[s] > 0 for s in SITES)
    # chelaz shows one photo for two gate valves: one sample (same image and label)
    assert sum(per_source.values()) >= 0.9 * sum(with_image.values()), (per_source, with_image)
    assert missing == 0
    assert "伸缩接头" in labels and "задвижка клиновая" in labels  # product types, not models


def test_shards_and_card_list_the_samples_and_their_nulls(pipeline):
    home, *_ = pipeline
    shards = home / "shards"
    records = json.loads((shards / "ilid.json").read_text())
    assert {r["source"] for r in records} == set(SITES)
    card = (shards / "README.md").read_text()
    for site in SITES:
        assert site in card
    nulls = {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"^\| (\w+) \| string \| caption field[^|]* \| (\d+) \|$", card, re.M)
    }
    assert nulls["label_short"] == nulls["label_long"] == 0
    assert set(nulls) == {"label_short", "label_long", "description", "material", "material_finish"}
    assert nulls["material_finish"] == sum(r["material_finish"] is None for r in records)
