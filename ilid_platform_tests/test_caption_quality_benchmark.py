"""benchmarks/caption_quality.py against a local server that speaks the OpenAI and Ollama chat
APIs (the demo's stand-in LLM): the `--url` path crawls, asks the server and scores."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ilid_platform.demo.llm_server import running_llm_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import caption_quality  # noqa: E402


@pytest.mark.parametrize("api", ["openai", "ollama"])
def test_benchmark_measures_a_server_given_by_url(tmp_path, monkeypatch, api):
    out = tmp_path / "quality.json"
    with running_llm_server(slots=2, latency_s=0.0) as server:
        url = f"{server.url}/v1" if api == "openai" else server.url
        argv = ["caption_quality.py", "--url", url, "--api", api, "--model", server.model]
        argv += ["--site", "huading", "--json", str(out)]
        monkeypatch.setattr(sys, "argv", argv)
        assert caption_quality.main() == 0
        chats = server.chats
    report = json.loads(out.read_text())["figures"]
    assert report["captioner"] == f"{api}/{server.model}"
    working = report["working"]
    assert working["products"] == 6 and working["captions_kept"] == 6
    # the working part by labelling round: huading came in the first (its captions.yaml round)
    assert report["working_rounds"] == {"1": working}
    assert chats == 6  # one chat per crawled, pre-filtered product
    # the stand-in answers with the rule captioner's caption: Chinese product types (a short
    # name whole)
    assert working["label_short_acceptable"] == 1.0
    rows = report["working_products"]["huading"]
    assert {row["label_short"]["got"] for row in rows} == {"伸缩接头", "传力接头", "压盖式伸缩接头"}
