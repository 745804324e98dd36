"""The docker deployment as configured: no Docker engine here, so its files are read and
checked for what matters: the web UI on loopback only, no password in the files, pinned images,
code that does not run as root, and Chromium's sandbox kept where it can be."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from ilid_platform.crawl import settings as crawl_settings

DOCKER = Path(__file__).resolve().parents[1] / "docker"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))


def test_the_web_ui_is_published_on_loopback_only(compose: dict) -> None:
    published = {name: service.get("ports", []) for name, service in compose["services"].items()}
    assert published == {
        "postgres": [],
        "ollama": [],
        "webserver": ["127.0.0.1:3000:3000"],
        "daemon": [],
    }
    for ports in published.values():
        for port in ports:
            assert port.count(":") == 2 and port.startswith("127.0.0.1:"), port


def test_no_password_is_written_in_the_deployment(compose: dict) -> None:
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if "PASSWORD" in key:
                assert key.endswith("_FILE") and value.startswith("/run/secrets/"), (name, key)
    assert compose["secrets"] == {"postgres_password": {"file": "./secrets/postgres_password"}}
    everything = "".join(path.read_text() for path in DOCKER.iterdir() if path.is_file())
    literal = r"PASSWORD\s*[:=]\s*(?!\{env|/run/secrets|\"\$\(cat )[\w\"']"
    assert not re.search(literal, everything), re.search(literal, everything)
    dagster_yaml = yaml.safe_load((DOCKER / "dagster.yaml").read_text())
    assert dagster_yaml["storage"]["postgres"]["postgres_db"]["password"] == {
        "env": "DAGSTER_PG_PASSWORD"
    }
    entrypoint = (DOCKER / "entrypoint.sh").read_text()
    assert 'DAGSTER_PG_PASSWORD="$(cat "$DAGSTER_PG_PASSWORD_FILE")"' in entrypoint


def test_images_are_pinned(compose: dict) -> None:
    images = {name: s["image"] for name, s in compose["services"].items() if "image" in s}
    assert images == {
        "postgres": "postgres:16.6-bookworm",
        "ollama": "ollama/ollama:0.5.7",
        "webserver": "ilid-platform:0.1.0",
        "daemon": "ilid-platform:0.1.0",
    }
    base = re.search(r"^FROM (\S+)", (DOCKER / "Dockerfile").read_text(), re.M).group(1)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", base)


def test_the_code_runs_as_an_unprivileged_user() -> None:
    dockerfile = (DOCKER / "Dockerfile").read_text()
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users == ["ilid"]
    assert re.search(r"useradd .*--uid 10001 .*ilid", dockerfile)
    assert dockerfile.index("USER ilid") > dockerfile.index("pip install")


def test_chromium_keeps_its_sandbox_where_it_can(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ILID_CHROMIUM_SANDBOX", raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert "--no-sandbox" in crawl_settings.chromium_args(), (
        "Chromium refuses to run as root otherwise"
    )
    monkeypatch.setattr(os, "geteuid", lambda: 10001)
    userns = subprocess.run(["unshare", "--user", "true"], capture_output=True).returncode == 0
    assert crawl_settings.chromium_sandbox_possible() is userns
    assert ("--no-sandbox" in crawl_settings.chromium_args()) is not userns
    monkeypatch.setenv("ILID_CHROMIUM_SANDBOX", "off")
    assert "--no-sandbox" in crawl_settings.chromium_args()
