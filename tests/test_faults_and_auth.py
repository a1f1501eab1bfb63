"""Faults the internet and Procore throw at a nightly run, and the login flows.

Each fault either leaves the run complete (exit 0, every record), fails the one scope it hit
(the rest delivered, exit non-zero, that scope read again next run), or stops the run with one
clear line (exit non-zero). Never exit 0 with records missing.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time

import pytest

from procore_double import start_double
from tests.conftest import REPO, base_config, catalog_selecting, run_tap

STREAMS = ["projects", "submittals", "change_events", "rfis"]


def expected_counts(double, companies) -> dict[str, int]:
    """Ground truth for STREAMS in the given companies (active projects, tools on)."""
    counts = {"projects": 0, "submittals": 0, "change_events": 0, "rfis": 0}
    for project in double.control.tenant()["projects"]:
        if project["company_id"] not in companies or not project["active"]:
            continue
        counts["projects"] += 1
        pid = project["id"]
        counts["submittals"] += double.control.records(f"/rest/v1.1/projects/{pid}/submittals")[
            "count"
        ]
        counts["change_events"] += double.control.records(
            "/rest/v1.0/change_events", project_id=pid
        )["count"]
        if "rfi" not in project["tools_off"]:
            counts["rfis"] += double.control.records(f"/rest/v1.0/projects/{pid}/rfis")["count"]
    return counts


def record_counts(run) -> dict[str, int]:
    return {stream: len(run.records.get(stream, [])) for stream in STREAMS}


def assert_complete(run, double, companies):
    assert run.returncode == 0, run.stderr[-3000:]
    assert record_counts(run) == expected_counts(double, companies)
    # Nothing read twice either: keys are unique.
    keys = [(r["project_id"], r["id"]) for r in run.records["submittals"]]
    assert len(keys) == len(set(keys))


FAULTS = {
    "http_500_html": {"kind": "http_500", "path": "submittals$", "times": 3},
    "http_502": {"kind": "http_502", "path": "change_events", "times": 2},
    "http_504": {"kind": "http_504", "times": 2},
    "http_503_retry_after": {"kind": "http_503", "retry_after": 1, "times": 2},
    "rate_limit_429_retry_after": {"kind": "rate_limit_429", "retry_after": 1, "times": 3},
    "rate_limit_429_reset_only": {
        "kind": "rate_limit_429",
        "retry_after": None,
        "reset_in": 1,
        "times": 2,
    },
    "connection_reset": {"kind": "connection_reset", "times": 3},
    "truncated_json": {"kind": "truncated_json", "path": "submittals$", "times": 2},
    "invalid_json": {"kind": "invalid_json", "times": 2},
    "timeout": {"kind": "timeout", "seconds": 4, "path": "change_events", "times": 1},
    "empty_page_mid_listing": {"kind": "empty_page", "page": 2, "path": "submittals$", "times": 4},
    # The first read of a listing ends short of its Total; the second agrees.
    "wrong_total": {"kind": "wrong_total", "total_delta": 5, "path": "submittals$", "times": 2},
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_is_survived_with_every_record(fresh_double, tmp_path, fault):
    companies = [5000000001, 5000000002]
    page_size = 2 if fault in ("empty_page_mid_listing", "wrong_total") else 1000
    config = base_config(fresh_double.url, companies, request_timeout=2, page_size=page_size)
    fresh_double.control.add_faults(FAULTS[fault])
    run = run_tap(tmp_path, config, streams=STREAMS)
    deadline = time.monotonic() + 10  # a timed-out request is logged when the double answers
    while not fresh_double.control.stats()["by_fault"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert fresh_double.control.stats()["by_fault"], f"fault {fault} never fired"
    assert_complete(run, fresh_double, companies)
    assert "Traceback" not in run.stderr


def test_a_listing_failing_forever_in_one_project_stops_that_scope_only(fresh_double, tmp_path):
    companies = [5000000001]
    project = 6000000001
    config = base_config(fresh_double.url, companies, max_retries=3)
    broken = f"/rest/v1.1/projects/{project}/submittals"
    fresh_double.control.add_faults({"kind": "http_502", "path": f"{broken}$", "times": 1000})
    run = run_tap(tmp_path, config, streams=STREAMS)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and "tap-procore stopped" not in run.stderr
    failed = [line for line in run.error_lines() if " failed in " in line]
    assert len(failed) == 1
    assert f"submittals failed in project {project}" in failed[0]
    assert "gave up after 3 attempts" in failed[0]
    assert "tap-procore finished with failures" in run.error_lines()[-1]
    # Every other stream and project was delivered.
    expected = expected_counts(fresh_double, companies)
    missing = fresh_double.control.records(broken)["count"]
    assert missing > 0
    assert record_counts(run) == {**expected, "submittals": expected["submittals"] - missing}
    # The fault gone, the next run delivers the failed scope's rows (all of them).
    fresh_double.control.clear_faults()
    again = run_tap(tmp_path / "again", config, streams=STREAMS, state=run.final_state)
    assert again.returncode == 0, again.stderr[-3000:]
    delivered = {r["id"] for r in again.records["submittals"] if r["project_id"] == project}
    assert len(delivered) == missing
    assert "failing" not in again.final_state["bookmarks"]["projects"]


def test_hourly_limit_is_waited_out(tmp_path):
    # A 6-second "hour" with room for 15 requests: the run must wait for the reset, not fail.
    with start_double(hourly_limit=15, hourly_window=6, spike_limit=10**6, big_lists=[]) as dbl:
        config = base_config(dbl.url, [5000000002])
        run = run_tap(tmp_path, config, streams=STREAMS)
        assert_complete(run, dbl, [5000000002])
        statuses = dbl.control.stats()["by_status"]
    assert statuses.get("429", 0) <= 1  # paced to the headers, not bounced off the limit


def test_short_lived_tokens_are_renewed(tmp_path):
    with start_double(token_ttl=2, hourly_limit=10**9, spike_limit=10**9, big_lists=[]) as dbl:
        # Paced to 2 requests/s, the run outlives several 2-second tokens.
        config = base_config(dbl.url, [5000000002], max_requests_per_hour=3600 * 2)
        run = run_tap(tmp_path, config, streams=STREAMS)
        assert_complete(run, dbl, [5000000002])
        token_requests = [r for r in dbl.control.requests() if r["path"] == "/oauth/token"]
        statuses = dbl.control.stats()["by_status"]
    assert len(token_requests) >= 3
    assert statuses.get("401", 0) == 0  # renewed before expiry, not after a failure


def test_token_revoked_mid_run_is_replaced_once(tmp_path):
    with start_double(hourly_limit=10**9, spike_limit=10**9, big_lists=[]) as dbl:
        config = base_config(dbl.url, [5000000001, 5000000002], max_requests_per_hour=3600 * 5)
        config_path = tmp_path / "config.json"
        config_path.write_text(json.dumps(config))
        catalog_path = tmp_path / "catalog.json"
        catalog_path.write_text(json.dumps(catalog_selecting(STREAMS)))
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tap_procore.tap",
                "--config",
                str(config_path),
                "--catalog",
                str(catalog_path),
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        out: dict[str, str] = {}
        reader = threading.Thread(
            target=lambda: out.update(
                zip(("stdout", "stderr"), process.communicate(), strict=False)
            )
        )
        reader.start()
        deadline = time.monotonic() + 60
        while dbl.control.stats()["total"] < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        dbl.control.add_faults({"kind": "revoke_tokens"})
        reader.join(300)
        assert process.returncode == 0, out["stderr"][-3000:]
        assert "Access token rejected (401)" in out["stderr"]
        assert dbl.control.stats()["by_status"].get("401", 0) >= 1


def test_wrong_secret_is_fatal_and_never_printed(fresh_double, tmp_path):
    config = base_config(fresh_double.url, [5000000001])
    config["client_secret"] = "sekrit-that-must-not-leak-42"
    run = run_tap(tmp_path, config, streams=STREAMS)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "Procore refused the client credentials (401 invalid_client)" in run.error_lines()[-1]
    assert "sekrit-that-must-not-leak-42" not in run.stderr + run.stdout


def test_company_without_access_stops_the_run(fresh_double, tmp_path):
    config = base_config(fresh_double.url, [5000000001, 5999999999])
    run = run_tap(tmp_path, config, streams=STREAMS)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "5999999999" in run.error_lines()[-1]


def test_refresh_tokens_rotate_and_the_newest_is_kept(tmp_path):
    token_file = tmp_path / "procore-refresh-token"
    with start_double(token_ttl=2, hourly_limit=10**9, spike_limit=10**9, big_lists=[]) as dbl:
        config = base_config(
            dbl.url,
            [5000000002],
            refresh_token="double-refresh-token-0",
            refresh_token_path=str(token_file),
            max_requests_per_hour=3600 * 2,
        )
        first = run_tap(tmp_path, config, streams=STREAMS)
        assert_complete(first, dbl, [5000000002])
        rotated = token_file.read_text().strip()
        assert rotated and rotated != "double-refresh-token-0"
        assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
        # The configured token is dead now; the next run logs in with the file's newest one.
        second = run_tap(tmp_path, config, streams=["projects"])
        assert second.returncode == 0, second.stderr[-2000:]
        newest = token_file.read_text().strip()
        assert newest != rotated
        issued = len([r for r in dbl.control.requests() if r["path"] == "/oauth/token"])
    assert issued >= 3
    for run in (first, second):
        output = run.stdout + run.stderr
        assert "double-refresh-token-0" not in output
        assert rotated not in output and newest not in output
        assert "double-client-secret" not in output


def test_access_tokens_never_appear_in_output(tmp_path):
    with start_double(token_ttl=2, hourly_limit=10**9, spike_limit=10**9, big_lists=[]) as dbl:
        config = base_config(dbl.url, [5000000002], max_requests_per_hour=3600 * 10)
        os.environ["TAP_PROCORE_LOGLEVEL"] = "DEBUG"
        try:
            run = run_tap(tmp_path, config, streams=STREAMS)
        finally:
            del os.environ["TAP_PROCORE_LOGLEVEL"]
        issued = list(dbl.app.auth._tokens)  # every live token the double handed out
    assert run.returncode == 0, run.stderr[-2000:]
    output = run.stdout + run.stderr
    assert issued
    for token in issued:
        assert token not in output
