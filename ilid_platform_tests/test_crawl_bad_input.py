"""Every kind of bad page a real catalog serves ends up as a counted reason, never a crash."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from ilid_platform.crawl.records import (
    DESCRIPTION_MAX_CHARS,
    NAME_MAX_CHARS,
    SPEC_VALUE_MAX_CHARS,
    SPECS_MAX_ROWS,
)
from ilid_platform.crawl.runner import run_crawl
from ilid_platform.crawl.sources import Source
from ilid_platform.crawl.store import load_records
from ilid_platform.settings import ConfigError
from ilid_platform_tests.local_site import FAST, LocalSite, html, product_jsonld


def _legacy_product(name: str, charset_meta: str = "") -> bytes:
    block = json.dumps({"@type": "Product", "name": name}, ensure_ascii=False)
    head = f'{charset_meta}<script type="application/ld+json">{block}</script>'
    return html("<p>Preis: 8 €</p>", head).encode("cp1252")


def _bad_shop(site: LocalSite) -> list[str]:
    pages = {
        "/ok.html": (html("", product_jsonld("Good Bolt", "GB-1")), {}),
        "/odd-links.html": (
            html(
                '<a href="http://127.0.0.1:port/">bad port</a><a href="http://[::1/">bad host</a>'
                '<a href="/behind-odd-links.html">next</a>',
                '<link rel="canonical" href="http://[broken/">'
                + product_jsonld("Odd", "O-1", image=["/img/odd.jpg", "http://[::1/x.jpg"]),
            ),
            {},
        ),
        "/malformed.html": (bytes(range(256)) * 8, {}),
        "/invalid-jsonld.html": (
            html("<p>x</p>", '<script type="application/ld+json">{"@type": "Product",</script>'),
            {},
        ),
        # Nested past libxml2's limit: what follows is lost, the product before it is not.
        "/too-deep.html": (html("<div>" * 3000 + "<p>lost</p>", product_jsonld("Deep", "D-1")), {}),
        "/wrong-charset.html": (_legacy_product("Flügelmutter"), {}),
        "/no-charset.html": (_legacy_product("Rändelmutter"), {"content_type": "text/html"}),
        "/latin1.html": (
            _legacy_product("Hutmutter", '<meta charset="windows-1252">'),
            {"content_type": "text/html"},
        ),
        "/loop/a.html": ("", {"status": 302, "headers": {"Location": "/loop/b.html"}}),
        "/loop/b.html": ("", {"status": 302, "headers": {"Location": "/loop/a.html"}}),
        "/gone.html": ("<h1>Gone</h1>", {"status": 410}),
        "/error.html": ("<h1>Oops</h1>", {"status": 503}),
        "/slow.html": (html("", product_jsonld("Slow", "S-1")), {"delay": 1.0}),
        "/huge.html": (html("<p>filler</p>" * 3000), {}),
        "/huge-stream.html": (html("<p>filler</p>" * 3000), {"content_length": False}),
        "/download": (b"%PDF-1.4 catalog", {"content_type": "application/pdf"}),
        # 20 kB on the wire, 50 MB once inflated: past max_page_bytes while decompressing
        "/bomb.html": (
            gzip.compress(b"<p>" + b" " * 50_000_000, 9),
            {"headers": {"Content-Encoding": "gzip"}},
        ),
    }
    for path, (body, options) in pages.items():
        site.add(path, body, **options)
    site.add("/behind-odd-links.html", html("", product_jsonld("Found", "F-1")))
    for n in range(12):  # a redirect chain that never ends
        site.add(
            f"/endless/{n}.html", "", status=301, headers={"Location": f"/endless/{n + 1}.html"}
        )
    links = [*pages, "/endless/0.html"]
    site.add("/index.html", html("".join(f'<a href="{path}">{path}</a>' for path in links)))
    site.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    return links


def test_bad_pages_are_rejected_or_flagged_with_reasons(tmp_path: Path) -> None:
    with LocalSite() as site:
        _bad_shop(site)
        politeness = FAST.model_copy(
            update={"timeout_s": 0.5, "max_page_bytes": 20_000, "max_redirects": 5}
        )
        source = Source(
            allow_private_addresses=True,
            name="bad",
            start_urls=[f"{site.base}/index.html"],
            politeness=politeness,
        )
        out = tmp_path / "out.jsonl"
        stats = run_crawl(source, out, tmp_path / "job")
        error_attempts = len(site.hits("/error.html"))
        base = site.base

    assert stats.finish_reason == "finished"
    names = {r.url.rsplit("/", 1)[1]: r.name for r in load_records(out)}
    assert names == {
        "ok.html": "Good Bolt",
        "odd-links.html": "Odd",
        "behind-odd-links.html": "Found",
        "wrong-charset.html": "Flügelmutter",
        "no-charset.html": "Rändelmutter",
        "latin1.html": "Hutmutter",
        "too-deep.html": "Deep",
    }
    odd = next(r for r in load_records(out) if r.name == "Odd")
    assert odd.image_urls == [f"{base}/img/odd.jpg"]
    assert stats.rejects == {
        "malformed_html": 1,  # binary garbage
        "invalid_jsonld": 1,
        "redirect_loop": 1,  # a -> b -> a
        "too_many_redirects": 1,  # a chain longer than max_redirects
        "http_4xx": 1,
        "http_5xx": 1,
        "timeout": 1,
        "too_large": 3,  # announced by Content-Length, streamed without one, a gzip bomb
        "not_html": 1,
    }
    assert stats.issues == {"charset_mismatch": 1, "charset_missing": 1, "malformed_html": 1}
    assert error_attempts == 3  # 5xx is retried twice before it counts
    assert stats.status_counts["503"] == 3


def test_a_page_that_keeps_extraction_busy_costs_that_page_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A source's own XPath can be quadratic in the page's size: on the big page this one would
    # run for about 20 s. The per-page limit kills the worker reading it, and the crawl goes on.
    monkeypatch.setenv("ILID_EXTRACT_TIMEOUT_S", "1")
    slow_xpath = "xpath://p[count(preceding::p) > count(following::p)]"
    with LocalSite() as site:
        site.add(
            "/big.html", html("<p>Part of a long text.</p>" * 20_000, product_jsonld("Big", "B"))
        )
        for sku in ("A", "C", "D"):
            site.add(f"/{sku}.html", html("<p>Short.</p>", product_jsonld(f"Small {sku}", sku)))
        links = "".join(f'<a href="/{p}.html">{p}</a>' for p in ("A", "big", "C", "D"))
        site.add("/index.html", html(links))
        source = Source(
            allow_private_addresses=True,
            name="slow",
            start_urls=[f"{site.base}/index.html"],
            politeness=FAST,
            selectors={"description": slow_xpath},
        )
        stats = run_crawl(source, tmp_path / "out.jsonl", tmp_path / "job")
        big_fetches = len(site.hits("/big.html"))

    assert stats.finish_reason == "finished"
    assert sorted(r.name for r in load_records(tmp_path / "out.jsonl")) == [
        "Small A",
        "Small C",
        "Small D",
    ]
    assert stats.rejects == {"extraction_timeout": 1}
    assert big_fetches == 1


def test_a_bad_extraction_setting_fails_before_the_crawl_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ILID_EXTRACT_WORKERS", "none")
    source = Source(name="any", start_urls=["http://127.0.0.1:9/"], politeness=FAST)
    message = r"^\$ILID_EXTRACT_WORKERS must be an integer between 1 and 64, not 'none'$"
    with pytest.raises(ConfigError, match=message):
        run_crawl(source, tmp_path / "out.jsonl", tmp_path / "job")
    assert not (tmp_path / "job").exists(), "refused before anything was started or written"


def test_fields_are_cut_to_their_limits_and_the_cut_is_counted(tmp_path: Path) -> None:
    """A broken template's megabyte of "name" is not stored whole (records.py's limits)."""
    rows = [{"@type": "PropertyValue", "name": f"Size {n}", "value": "M8"} for n in range(500)]
    rows.append({"@type": "PropertyValue", "name": "Note", "value": "long " * 1000})
    huge = product_jsonld(
        "Hex bolt M8 " * 90_000,
        "H-1",
        description="Zinc plated. " * 80_000,
        additionalProperty=rows,
    )
    with LocalSite() as site:
        site.add("/index.html", html('<a href="/huge.html">h</a> <a href="/ok.html">o</a>'))
        site.add("/huge.html", html("", huge))
        site.add("/ok.html", html("", product_jsonld("Good Bolt", "GB-1")))
        source = Source(
            allow_private_addresses=True,
            name="limits",
            start_urls=[f"{site.base}/index.html"],
            politeness=FAST,
        )
        out = tmp_path / "out.jsonl"
        stats = run_crawl(source, out, tmp_path / "job")

    records = {r.sku: r for r in load_records(out)}
    huge_record, ok = records["H-1"], records["GB-1"]
    assert len(huge_record.name) <= NAME_MAX_CHARS and huge_record.name.startswith("Hex bolt M8")
    assert not huge_record.name.endswith(" ") and len(huge_record.name) > NAME_MAX_CHARS - 15
    assert len(huge_record.description) <= DESCRIPTION_MAX_CHARS
    assert len(huge_record.specs) == SPECS_MAX_ROWS
    assert max(map(len, huge_record.specs.values())) <= SPEC_VALUE_MAX_CHARS
    assert stats.issues == {"name_cut": 1, "description_cut": 1, "specs_cut": 1}
    assert (ok.name, ok.specs) == ("Good Bolt", {"Material": "Steel"})
