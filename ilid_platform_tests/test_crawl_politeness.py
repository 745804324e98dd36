"""Politeness as the server sees it: robots.txt, the User-Agent, delays and concurrency."""

from __future__ import annotations

from pathlib import Path

import pytest

from ilid_platform.crawl.runner import run_crawl
from ilid_platform.crawl.settings import crawl_settings
from ilid_platform.crawl.sources import Politeness, Source
from ilid_platform_tests.local_site import (
    FAST,
    LocalSite,
    html,
    product_jsonld,
    sitemap,
)

ROBOTS = """User-agent: *
Disallow: /private/
Disallow: /*?print=

User-agent: ILIDPlatformBot
Disallow: /private/
Disallow: /not-for-bots/
Disallow: /*?print=
"""


def _shop(site: LocalSite, products: int, delay: float = 0.0) -> None:
    paths = [f"/p/{i}.html" for i in range(products)]
    hidden = ["/private/a.html", "/not-for-bots/b.html", "/p/0.html?print=1"]
    site.add(
        "/robots.txt", ROBOTS + f"Sitemap: {site.base}/sitemap.xml\n", content_type="text/plain"
    )
    site.add("/sitemap.xml", sitemap(site.base, [*paths, hidden[0]]), content_type="text/xml")
    links = "".join(f'<a href="{path}">{path}</a>' for path in [*paths, *hidden])
    site.add("/index.html", html(links))
    for path in [*paths, *hidden]:
        site.add(path, html("", product_jsonld(path, path)), delay=delay)


def test_default_politeness_as_seen_by_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ILID_CRAWL_CONTACT", "mailto:crawl-ops@example.org")
    with LocalSite() as site:
        _shop(site, products=6)
        source = Source(
            allow_private_addresses=True, name="polite", start_urls=[f"{site.base}/index.html"]
        )
        stats = run_crawl(source, tmp_path / "out.jsonl", tmp_path / "job")
        log = list(site.log)

    assert stats.products == 6
    assert log[0].path == "/robots.txt"
    requested = {hit.path for hit in log}
    assert not requested & {"/private/a.html", "/not-for-bots/b.html", "/p/0.html?print=1"}
    assert stats.rejects == {"robots": 3}
    agents = {hit.headers["User-Agent"] for hit in log}
    assert agents == {"ILIDPlatformBot/0.1 (+mailto:crawl-ops@example.org)"}
    # AutoThrottle never goes below the download delay (0.25 s, jittered by +-50 %).
    starts = sorted(hit.start for hit in log if hit.path.startswith("/p/"))
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 0.1
    assert site.max_in_flight == 1


def test_concurrency_per_domain_is_a_hard_limit(tmp_path: Path) -> None:
    with LocalSite() as site:
        _shop(site, products=12, delay=0.2)
        politeness = FAST.model_copy(update={"concurrency_per_domain": 3})
        source = Source(
            allow_private_addresses=True,
            name="busy",
            start_urls=[f"{site.base}/index.html"],
            politeness=politeness,
        )
        stats = run_crawl(source, tmp_path / "out.jsonl", tmp_path / "job")
    assert stats.products == 12
    assert site.max_in_flight == 3


def test_politeness_defaults() -> None:
    settings = crawl_settings(
        Source(name="s", start_urls=["https://shop.example/"]), Path("out.jsonl"), Path("job")
    )
    assert settings["ROBOTSTXT_OBEY"] is True
    assert settings["AUTOTHROTTLE_ENABLED"] is True
    assert settings["AUTOTHROTTLE_TARGET_CONCURRENCY"] == 1.0
    assert settings["DOWNLOAD_DELAY"] == 0.25
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 4
    own = Politeness(user_agent="AcmeResearch/2 (+https://acme.example/bot)")
    custom = crawl_settings(
        Source(name="s", start_urls=["https://shop.example/"], politeness=own),
        Path("out.jsonl"),
        Path("job"),
    )
    assert custom["USER_AGENT"] == "AcmeResearch/2 (+https://acme.example/bot)"
