"""Day one as a new user meets it: settings from the environment (as Meltano passes them), a log
a person can read, one STATE at the end, and error lines that point at the cause."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

from tap_procore.config import CONFIG_SCHEMA, settings_from_environment
from tap_procore.errors import ConfigError
from tests.conftest import CLIENT, REPO, TapRun, company_ids, run_tap

PREFIX = "TAP_PROCORE_"


# --- settings typed from the environment --------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "text", "expected"),
    [
        ("STATE_MESSAGE_INTERVAL", "30", 30),
        ("PROGRESS_INTERVAL", "2.5", 2.5),
        ("MAX_WORKERS", " 4 ", 4),
        ("REQUEST_TIMEOUT", "60.0", 60),
        ("COMPANY_IDS", "[5000000001, 5000000002]", [5000000001, 5000000002]),
        ("COMPANY_IDS", "5000000001,5000000002", [5000000001, 5000000002]),
        ("COMPANY_IDS", '["5000000001"]', [5000000001]),
        ("INCLUDE_INACTIVE_PROJECTS", "true", True),
        ("INCLUDE_INACTIVE_PROJECTS", "0", False),
        ("START_DATE", "2024-01-01T00:00:00", "2024-01-01T00:00:00"),
    ],
)
def test_environment_values_are_typed_by_the_settings_schema(variable, text, expected):
    settings = settings_from_environment({PREFIX + variable: text}, CONFIG_SCHEMA, PREFIX)
    assert list(settings.values()) == [expected]
    assert type(next(iter(settings.values()))) is type(expected)


@pytest.mark.parametrize(
    ("variable", "text", "setting"),
    [
        ("MAX_WORKERS", "four", "max_workers"),
        ("STATE_MESSAGE_INTERVAL", "30s", "state_message_interval"),
        ("COMPANY_IDS", "[1, two]", "company_ids"),
        ("COMPANY_IDS", "1,x", "company_ids"),
        ("INCLUDE_INACTIVE_PROJECTS", "maybe", "include_inactive_projects"),
        ("REQUEST_TIMEOUT", "1.5", "request_timeout"),
    ],
)
def test_a_bad_environment_value_names_the_setting_and_the_variable(variable, text, setting):
    with pytest.raises(ConfigError) as raised:
        settings_from_environment({PREFIX + variable: text}, CONFIG_SCHEMA, PREFIX)
    assert raised.value.setting == setting
    assert PREFIX + variable in str(raised.value)
    assert "\n" not in str(raised.value)


def _environment_run(
    tmp_path: Path, settings: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(PREFIX)}
    env.update({PREFIX + key: value for key, value in settings.items()})
    return subprocess.run(
        [sys.executable, "-m", "tap_procore.tap", "--config", "ENV", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
        check=False,
    )


def test_a_run_configured_only_by_environment_text_works(double, tmp_path):
    # Exactly what Meltano exports: every value is text, integers and lists included.
    catalog = tmp_path / "catalog.json"
    from tests.conftest import catalog_selecting

    catalog.write_text(json.dumps(catalog_selecting(["projects", "rfis"])))
    result = _environment_run(
        tmp_path,
        {
            "CLIENT_ID": CLIENT["client_id"],
            "CLIENT_SECRET": CLIENT["client_secret"],
            "API_URL": double.url,
            "AUTH_URL": double.url,
            "COMPANY_IDS": json.dumps(company_ids(double)),
            "STATE_MESSAGE_INTERVAL": "30",
            "PROGRESS_INTERVAL": "60",
            "MAX_WORKERS": "2",
            "PAGE_SIZE": "500",
            "INCLUDE_INACTIVE_PROJECTS": "false",
        },
        "--catalog",
        str(catalog),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    streams = {json.loads(line).get("stream") for line in result.stdout.splitlines()}
    assert {"projects", "rfis"} <= streams


def test_a_bad_environment_value_stops_with_one_line(tmp_path):
    result = _environment_run(
        tmp_path,
        {"CLIENT_ID": "a", "CLIENT_SECRET": "b", "COMPANY_IDS": "[1]", "MAX_WORKERS": "lots"},
        "--discover",
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, result.stderr
    assert "max_workers" in errors[0] and "TAP_PROCORE_MAX_WORKERS" in errors[0]
    assert "Traceback" not in result.stderr


# --- a log for people -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_run(double, tmp_path_factory) -> TapRun:
    """Every stream the catalog selects by default, default settings, the default tenant."""
    config = {
        **CLIENT,
        "api_url": double.url,
        "auth_url": double.url,
        "company_ids": company_ids(double),
    }
    return run_tap(tmp_path_factory.mktemp("default-run"), config)


def test_a_default_run_logs_progress_and_summary_not_bookkeeping(default_run):
    assert default_run.returncode == 0, default_run.stderr[-2000:]
    lines = default_run.stderr.splitlines()
    assert not [line for line in lines if "METRIC" in line]
    assert not [line for line in lines if "with context keys" in line]
    assert not [line for line in lines if "Skipping deselected stream" in line]
    streams_with_records = len(default_run.records)
    # The summary has a line per stream; everything else is a handful of lines.
    assert len(lines) < streams_with_records * 1.5 + 100, len(lines)
    assert default_run.count("RECORD") > 10 * len(lines)


def test_the_summary_is_the_last_thing_a_run_logs(default_run):
    lines = default_run.stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if "Run summary:" in line)
    summary_markers = (
        "  ",
        "Responses by status",
        "Company ",
        "Not read",
        "Skipped ",
        "Failed ",
        "project_ids not found",
    )
    after = [line.split("| ", 3)[-1] for line in lines[start + 1 :]]
    assert after, "the summary lists the streams"
    assert all(text.startswith(summary_markers) for text in after), [
        text for text in after if not text.startswith(summary_markers)
    ][:3]


def test_state_is_sent_by_the_clock_not_per_partition(default_run):
    # With the default state_message_interval (30 s) a run sends a STATE at most every 30 s
    # (plus the final one after the last record), never one per project or stream. The bound
    # comes from this run's own duration, so a slow machine cannot turn it red.
    allowed = 1 + int(default_run.seconds // 30)
    assert 1 <= default_run.count("STATE") <= allowed, (default_run.count("STATE"), allowed)
    assert default_run.messages[-1]["type"] == "STATE"


def test_debug_brings_back_the_per_parent_lines_and_metrics(double, tmp_path, monkeypatch):
    monkeypatch.setenv("TAP_PROCORE_LOGLEVEL", "DEBUG")
    config = {
        **CLIENT,
        "api_url": double.url,
        "auth_url": double.url,
        "company_ids": company_ids(double)[:1],
    }
    run = run_tap(tmp_path, config, streams=["projects", "rfis", "rfi_replies"])
    assert run.returncode == 0, run.stderr[-2000:]
    assert any("METRIC" in line for line in run.stderr.splitlines())
    assert any("with context keys" in line for line in run.stderr.splitlines())


# --- error lines that point at the cause ---------------------------------------------------------


def test_an_unknown_company_points_at_api_url_as_well(double, tmp_path):
    config = {**CLIENT, "api_url": double.url, "auth_url": double.url, "company_ids": [42]}
    run = run_tap(tmp_path, config, streams=["projects"])
    assert run.returncode == 1
    errors = run.error_lines()
    assert len(errors) == 1, run.stderr
    assert "company_ids" in errors[0] and "api_url" in errors[0]
    assert "Traceback" not in run.stderr


def test_a_wrong_company_id_stops_the_run_before_any_company_is_extracted(double, tmp_path):
    good = company_ids(double)
    config = {**CLIENT, "api_url": double.url, "auth_url": double.url}
    config["company_ids"] = [good[0], 42, good[1], 43]
    run = run_tap(tmp_path, config, streams=["companies", "projects", "rfis"])
    assert run.returncode == 1
    assert run.count("RECORD") == 0, "nothing is extracted before every company is checked"
    errors = run.error_lines()
    assert len(errors) == 1, run.stderr
    assert "Company 42 " in errors[0] and "Company 43 " in errors[0]
    assert str(good[0]) not in errors[0] and str(good[1]) not in errors[0]
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("option", ["--config", "--state", "--catalog"])
@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"{not json", "not valid JSON"), (b"\xff\xfe{}", "not UTF-8"), (None, "was not found")],
)
def test_a_bad_input_file_is_named_in_one_line(tmp_path, option, content, problem):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({**CLIENT, "company_ids": [1]}))
    bad = tmp_path / f"bad{option.strip('-')}.json"
    if content is not None:
        bad.write_bytes(content)
    elif option == "--state":
        bad.mkdir()  # unreadable rather than missing
        problem = "cannot read"
    args: list[t.Any] = ["--config", str(config)] if option != "--config" else []
    args += [option, str(bad)]
    result = subprocess.run(
        [sys.executable, "-m", "tap_procore.tap", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, result.stderr
    assert str(bad) in errors[0] and option.strip("-") in errors[0] and problem in errors[0]
    assert "Traceback" not in result.stderr
