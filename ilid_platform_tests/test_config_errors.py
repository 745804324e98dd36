"""A bad setting is refused when it is read, in the caller's process, with one line that names
the setting and the problem: from the `ilid` command line, and first under Dagster."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ilid_platform.cli import main

GOOD = '{name: shop, start_urls: ["http://shop.example/"]'


def sources_file(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(f"sources:\n  - {GOOD}{extra}}}\n", encoding="utf-8")
    return path


def one_error_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    assert err.startswith("error: ")
    return err


@pytest.mark.parametrize(
    "extra, expected",
    [
        (', trade_name_regex: "(?i)(acme"', "trade_name_regex is not a valid regular expression"),
        (', sitemap_urls: ["http://shop.example:99999/s.xml"]', "port must be a number between"),
        (', sitemap_urls: ["http://shop.example/all products"]', "cannot contain spaces"),
        (", allow_private_addresses: [intranet]", "not an IP address or network: 'intranet'"),
        (", selectors: {name: 'h1[['}", "selector 'name'"),
        (", politeness: {timeout_s: 0}", "politeness.timeout_s: Input should be greater than 0"),
        (", browser: sometimes", "browser: Input should be 'never', 'always' or 'auto'"),
    ],
)
def test_a_bad_source_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str, expected: str
) -> None:
    path = sources_file(tmp_path, extra)
    err = one_error_line(capsys, ["crawl", str(path), "-o", str(tmp_path / "o.jsonl")])
    assert err.startswith(f"error: {path}: source 'shop': ")
    assert expected in err
    assert not (tmp_path / "o.jsonl").exists()


def test_bad_yaml_and_missing_file_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - {name: x,\n", encoding="utf-8")
    err = one_error_line(capsys, ["crawl", str(path), "-o", str(tmp_path / "o.jsonl")])
    assert err.startswith(f"error: invalid YAML in sources file {path} at line 3")
    err = one_error_line(capsys, ["crawl", str(tmp_path / "nope.yaml"), "-o", "o.jsonl"])
    assert "cannot read sources file" in err and "No such file or directory" in err


@pytest.mark.parametrize(
    "variable, value, argv, expected",
    [
        (
            "ILID_EXTRACT_WORKERS",
            "abc",
            ["crawl", "SOURCES", "-o", "OUT"],
            "error: $ILID_EXTRACT_WORKERS must be an integer between 1 and 64, not 'abc'",
        ),
        (
            "ILID_EXTRACT_TIMEOUT_S",
            "-3",
            ["crawl", "SOURCES", "-o", "OUT"],
            "error: $ILID_EXTRACT_TIMEOUT_S must be a number of at least 0.1, not '-3'",
        ),
        (
            "ILID_DEMO_PORT",
            "abc",
            ["demo", "serve", "--dir", "DIR"],
            "error: $ILID_DEMO_PORT must be an integer between 1 and 65535, not 'abc'",
        ),
    ],
)
def test_a_bad_environment_variable_is_one_line_naming_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    argv: list[str],
    expected: str,
) -> None:
    monkeypatch.setenv("ILID_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(variable, value)
    replace = {"SOURCES": str(sources_file(tmp_path)), "OUT": str(tmp_path / "o.jsonl")}
    replace["DIR"] = str(tmp_path / "demo")
    err = one_error_line(capsys, [replace.get(arg, arg) for arg in argv])
    assert err == expected
    assert not (tmp_path / "demo").exists(), "refused before the catalog was generated"
    assert not (tmp_path / "home" / "crawl").exists(), "refused before a crawl started"


def test_ilid_home_that_is_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.write_text("not a directory")
    monkeypatch.setenv("ILID_HOME", str(home))
    err = one_error_line(capsys, ["crawl", str(sources_file(tmp_path)), "-o", "o.jsonl"])
    assert err == f"error: $ILID_HOME {home} is not a directory: {home} is a file"
    err = one_error_line(capsys, ["demo", "run"])
    assert err == f"error: $ILID_HOME {home} is not a directory: {home} is a file"


@pytest.mark.parametrize(
    "variable, value, expected",
    [
        (
            "ILID_CAPTIONER",
            "olama",
            "$ILID_CAPTIONER must be one of rules, ollama, openai, not 'olama'",
        ),
        ("ILID_CAPTION_CONCURRENCY", "0", "$ILID_CAPTION_CONCURRENCY must be at least 1, not 0"),
        ("ILID_SOURCES", "MISSING", "cannot read sources file"),
        ("ILID_SOURCES", "BADREGEX", "trade_name_regex is not a valid regular expression"),
    ],
)
def test_under_dagster_the_message_leads_the_failure(
    tmp_path: Path, variable: str, value: str, expected: str
) -> None:
    """What Dagster does first with the definitions, in a fresh interpreter: import them."""
    files = {"MISSING": str(tmp_path / "missing.yaml")}
    files["BADREGEX"] = str(sources_file(tmp_path, ', trade_name_regex: "(x"'))
    env = {**os.environ, variable: files.get(value, value)}
    done = subprocess.run(
        [sys.executable, "-c", "import ilid_platform.definitions"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    first = done.stderr.strip().splitlines()[0]
    assert first.startswith("ILID configuration error: ") and expected in first, first
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ilid_platform.settings.ConfigError: ") and expected in last
    assert done.stderr.count("Traceback") == 1, "no chained traceback"
