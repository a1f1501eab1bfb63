"""Bad settings stop the tap before any request, with one line that names the setting."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tap_procore.config import resolve_endpoints, validate_config
from tap_procore.errors import ConfigError

GOOD = {"client_id": "id", "client_secret": "secret-value", "company_ids": [1]}


@pytest.mark.parametrize(
    ("change", "setting"),
    [
        ({"client_id": None}, "client_id"),
        ({"client_secret": ""}, "client_secret"),
        ({"company_ids": None}, "company_ids"),
        ({"company_ids": []}, "company_ids"),
        ({"company_ids": ["12"]}, "company_ids"),
        ({"company_ids": [1, 1]}, "company_ids"),
        ({"project_ids": [0]}, "project_ids"),
        ({"environment": "staging"}, "environment"),
        ({"api_url": "http://api.example.com"}, "api_url"),
        ({"auth_url": "ftp://x"}, "auth_url"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"page_size": 0}, "page_size"),
        ({"include_inactive_projects": "yes"}, "include_inactive_projects"),
        ({"state_message_interval": -1}, "state_message_interval"),
    ],
)
def test_each_bad_setting_is_named(change, setting):
    config = {**GOOD, **change}
    config = {key: value for key, value in config.items() if value is not None}
    with pytest.raises(ConfigError) as caught:
        validate_config(config)
    assert caught.value.setting == setting
    assert "\n" not in str(caught.value)


def test_environments_pick_their_hosts_and_loopback_http_is_allowed():
    assert resolve_endpoints({}).token_url == "https://login.procore.com/oauth/token"
    sandbox = resolve_endpoints({"environment": "monthly_sandbox"})
    assert sandbox.api_url == "https://api-monthly.procore.com"
    assert sandbox.token_url == "https://login-sandbox-monthly.procore.com/oauth/token"
    local = resolve_endpoints({"api_url": "http://127.0.0.1:9/", "auth_url": "http://localhost:9"})
    assert local.api_url == "http://127.0.0.1:9"
    assert local.token_url == "http://localhost:9/oauth/token"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"client_id": "x", "company_ids": [1]}, "client_secret"),
        ({**GOOD, "company_ids": "5"}, "company_ids"),
        ({**GOOD, "api_url": "http://10.0.0.1"}, "api_url"),
    ],
)
def test_cli_prints_one_line_and_no_traceback(tmp_path, config, expected):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    result = subprocess.run(
        [sys.executable, "-m", "tap_procore.tap", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, result.stderr
    assert f"'{expected}'" in errors[0]
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"config": None}, "was not found"),
        ({"config": "{not json"}, "not valid JSON"),
        ({"config": json.dumps(GOOD), "state": "[oops"}, "not valid JSON"),
    ],
)
def test_unreadable_input_files_give_one_line(tmp_path, files, expected):
    args = []
    for option, content in files.items():
        path = tmp_path / f"{option}.json"
        if content is not None:
            path.write_text(content)
        args += [f"--{option}", str(path)]
    result = subprocess.run(
        [sys.executable, "-m", "tap_procore.tap", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and expected in errors[0], result.stderr
