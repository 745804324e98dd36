"""OpenAICaptioner against a real local HTTP server that speaks the OpenAI chat API (the demo's
stand-in LLM server), and through `caption_products` on a real DuckDB file."""

from __future__ import annotations

import json

import pytest

from ilid_platform.captions.llm import CaptionerUnavailable
from ilid_platform.captions.openai_captioner import OpenAICaptioner
from ilid_platform.captions.rules import RuleCaptioner
from ilid_platform.captions.schema import Caption, ProductText
from ilid_platform.captions.store import caption_products
from ilid_platform.demo.llm_server import product_from_prompt, running_llm_server
from ilid_platform.warehouse import connect
from ilid_platform_tests.test_captions_ollama import PRODUCT
from ilid_platform_tests.test_captions_store import add_page, create_upstream_tables
from ilid_platform_tests.webui import free_port


def _captioner(server, **options) -> OpenAICaptioner:
    return OpenAICaptioner(
        base_url=f"{server.url}/v1", model=server.model, backoff_s=0.01, **options
    )


def test_caption_asks_for_the_schema_and_validates_the_answer():
    with running_llm_server(latency_s=0) as server:
        outcome = _captioner(server).caption(PRODUCT)
        body = server.bodies[-1]
    # the stand-in answers with the rule captioner's caption of the product it was shown
    expected = RuleCaptioner().caption(product_from_prompt(body["messages"][-1]["content"]))
    assert outcome.error is None and outcome.fields == expected.fields
    assert outcome.fields["material"] == "stainless steel"
    assert body["model"] == server.model
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == Caption.model_json_schema()
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["messages"][0]["role"] == "system"
    assert product_from_prompt(body["messages"][-1]["content"]).name == PRODUCT.name


def test_server_errors_and_invalid_answers_are_retried_with_the_reason_shown():
    too_long = json.dumps(
        {
            "label_short": "a very long hex nut label",
            "label_long": "hex nut",
            "description": "A nut.",
            "material": "steel",
            "material_finish": "plain",
        }
    )

    def script(body: dict, n: int):
        return {0: (503, "overloaded"), 1: (200, too_long)}.get(n)

    with running_llm_server(latency_s=0, script=script) as server:
        outcome = _captioner(server, retries=2).caption(PRODUCT)
        bodies = list(server.bodies)
    assert outcome.error is None and Caption(**outcome.fields)
    assert len(bodies) == 3
    # the third request shows the rejected answer and why it was rejected
    assert bodies[2]["messages"][-2] == {"role": "assistant", "content": too_long}
    assert "invalid_label_short" in bodies[2]["messages"][-1]["content"]


def test_a_client_error_is_not_retried_and_a_persistent_failure_is_an_outcome():
    with running_llm_server(latency_s=0, script=lambda body, n: (400, "bad request")) as server:
        rejected = _captioner(server, retries=3).caption(PRODUCT)
        assert server.chats == 1
    assert rejected.fields is None and rejected.error.startswith("llm_http_400")

    with running_llm_server(latency_s=0, script=lambda body, n: (500, "boom")) as server:
        failed = _captioner(server, retries=2).caption(PRODUCT)
        assert server.chats == 3
    assert failed.error.startswith("llm_http_500") and "after 3 attempts" in failed.error


def test_check_available_names_the_missing_server_or_model():
    with running_llm_server(latency_s=0) as server:
        _captioner(server).check_available()
        with pytest.raises(CaptionerUnavailable, match="does not serve 'other-model'"):
            OpenAICaptioner(base_url=f"{server.url}/v1", model="other-model").check_available()
    closed = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(CaptionerUnavailable, match="not reachable"):
        OpenAICaptioner(base_url=closed, model="m", timeout_s=2).check_available()


def test_caption_many_keeps_concurrency_requests_in_flight():
    products = [
        ProductText(source="acme", url=f"http://shop.example/p/{i}", name=f"Hex nut M{i}")
        for i in range(24)
    ]
    with running_llm_server(slots=8, latency_s=0.05) as server:
        results = list(_captioner(server, concurrency=3).caption_many(products))
        assert server.max_in_flight == 3
    assert sorted(p.url for p, _ in results) == sorted(p.url for p in products)


def test_caption_products_stores_provenance_and_a_rerun_asks_nothing(tmp_path):
    with connect(tmp_path / "warehouse.duckdb") as con:
        create_upstream_tables(con, native_lists=True)
        for i in range(6):
            add_page(
                con,
                "acme",
                f"http://shop.example/p/{i}",
                f"FixMaster Hex Nut M{i + 4} DIN 934, stainless steel A2",
                description="Hexagon nut for machine screws.",
                specs={"Material": "Stainless steel A2", "Finish": "Polished"},
                image_urls=[f"http://shop.example/i/{i}.jpg"],
            )
        with running_llm_server(latency_s=0.01) as server:
            captioner = _captioner(server, concurrency=4)
            first = caption_products(con, captioner, source="acme")
            asked = server.chats
            again = caption_products(con, captioner, source="acme")
            assert server.chats == asked == 6
        rows = con.execute(
            "SELECT DISTINCT status, captioner, model, prompt_version FROM captions"
        ).fetchall()
    assert first.by_status == {"ok": 6} and first.captioned == 6
    assert again.captioned == 0 and again.reused == 6
    assert rows == [("ok", "openai", server.model, captioner.prompt_version)]
