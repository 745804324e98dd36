"""`ilid inspect`: one page's reading, decision and reasons, and selectors that pick what it
found, checked by using them as a source's selectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ilid_platform.cli import main
from ilid_platform.crawl.extract import extract_product
from ilid_platform.crawl.inspect import inspect_page
from ilid_platform.crawl.sources import Source
from ilid_platform_tests.corpus_sites import CORPUS, load_site, serving

MLGFIX = CORPUS / "mlgfix" / "www" / "product" / "3ds-3ds-xl-3ds-xl-2dsxl-battery" / "index.html"
URL = "https://mlgfix.example/product/3ds-3ds-xl-3ds-xl-2dsxl-battery/"


def test_inspect_a_saved_page_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", URL, "--html", str(MLGFIX)]) == 0
    out = capsys.readouterr().out
    assert "structured data:\n  none" in out
    assert "decision:\n  product, read by heuristic" in out
    assert "name: '3ds 3ds xl 3ds xl 2dsxl battery'" in out
    assert "selectors (paste into the source's `selectors:`" in out


def test_suggested_selectors_pick_the_same_fields() -> None:
    inspection = inspect_page(MLGFIX.read_bytes(), URL)
    product = inspection.extraction.product
    assert product is not None and set(inspection.suggested) == {"name", "image"}
    source = Source(name="s", start_urls=[URL], selectors=inspection.suggested)
    pinned = extract_product(MLGFIX.read_bytes(), URL, source.selectors).product
    assert pinned["extraction"] == "heuristic+selectors"
    assert (pinned["name"], pinned["image_urls"][0]) == (product["name"], product["image_urls"][0])


def test_inspect_decides_with_pages_of_the_site_as_the_crawl_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Alone, a Magento page's only h1 (the logo's text) reads as its name; with a few pages
    of its site, that h1 is chrome and the product's own heading names it."""
    sources = tmp_path / "sources.yaml"
    with serving(load_site("smullinsupply")) as base:
        source = {"name": "knives", "start_urls": [base + "/"], "allow_private_addresses": True}
        sources.write_text(json.dumps({"sources": [source]}), encoding="utf-8")
        url = f"{base}/knives/pistol-bayonet.html"
        argv = ["inspect", url, "--sources", str(sources), "--source", "knives"]
        assert main([*argv, "--context", "0"]) == 0
        assert "name: 'Magento Commerce'" in capsys.readouterr().out
        assert main(argv) == 0
    out = capsys.readouterr().out
    assert "name: 'Pistol Bayonet'" in out and "pages of the site" in out
    assert 'name: "div.product-name > h2"' in out


def test_inspect_explains_a_site_level_decision_from_the_pages_around_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hand-written catalog whose product page alone says little (a rating as its heading,
    no price, no spec table): its siblings, reached through the listing it links to, show the
    template and the place of each page's own photo, as the crawl sees them."""
    sources = tmp_path / "sources.yaml"
    with serving(load_site("imemsa")) as base:
        source = {"name": "imemsa", "start_urls": [base + "/"], "allow_private_addresses": True}
        sources.write_text(json.dumps({"sources": [source]}), encoding="utf-8")
        url = f"{base}/m-enduro2t/15hp.html"
        assert main(["inspect", url, "--sources", str(sources), "--source", "imemsa"]) == 0
    out = capsys.readouterr().out
    assert "decision:\n  product, read by heuristic" in out
    assert "name: '15 HP'" in out and f"images: ['{base}/m-enduro2t/E15HP.png']" in out
    # Its template speaks for it: the place where its pages show their own photo.
    assert "photo from the place that shows each page's own photo in its template" in out


def test_inspect_refuses_an_internal_address_and_explains_a_non_product(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["inspect", "http://127.0.0.1:9/x.html"]) == 2
    assert "blocked_address: 127.0.0.1 is a loopback address" in capsys.readouterr().err
    contact = CORPUS / "smullinsupply" / "www" / "contacts" / "index.html"
    assert main(["inspect", "https://shop.example/contacts/", "--html", str(contact)]) == 0
    out = capsys.readouterr().out
    assert "not a product (not_product)" in out and "contact page" in out
