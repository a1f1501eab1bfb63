"""Bad settings stop the tap before any request, with one line that names the setting."""

from __future__ import annotations

import logging

import pytest

from tap_procore.config import resolve_endpoints, unknown_settings, validate_config
from tap_procore.errors import ConfigError
from tap_procore.tap import TapProcore

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


def test_an_unknown_setting_is_named_with_the_nearest_known_one():
    known = ["client_id", "client_secret", "company_ids", "start_date", "page_size"]
    lines = unknown_settings({**GOOD, "start_dat": "2024-01-01", "pgae_size": 5, "zz": 1}, known)
    assert lines == [
        "Unknown setting 'pgae_size' is ignored; did you mean 'page_size'?",
        "Unknown setting 'start_dat' is ignored; did you mean 'start_date'?",
        "Unknown setting 'zz' is ignored; see tap-procore --about",
    ]


def test_the_tap_warns_of_unknown_settings_but_not_of_the_sdks_or_meltanos(caplog):
    config = {
        **GOOD,
        "start_dat": "2024-01-01",
        # The SDK's built-in settings (stream maps, flattening) and Meltano's "_" keys.
        "stream_maps": {},
        "flattening_enabled": False,
        "_meltano_extra": 1,
    }
    with caplog.at_level(logging.WARNING, logger="tap-procore"):
        TapProcore(config=config, validate_config=True, setup_mapper=False)
    unknown = [r.getMessage() for r in caplog.records if "Unknown setting" in r.getMessage()]
    assert unknown == ["Unknown setting 'start_dat' is ignored; did you mean 'start_date'?"]
