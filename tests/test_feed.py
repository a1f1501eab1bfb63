"""The change feed against the double's webhooks: only projects with events are read, deletes
become rows, and every case where the feed cannot be trusted probes the stream and says why.

One small tenant (one company, three projects) for the module; tests run in order and each puts
back what it changes, except the deliveries that the retention test drops (the tests after it do
not need them)."""

from __future__ import annotations

import io
import json
import re
import typing as t

import pytest

from procore_double import DoubleProcess, spawn_double
from tap_procore.webhooks import main as webhooks_main
from tests.conftest import GENEROUS_LIMITS, access_token, base_config, catalog_selecting, run_tap

COMPANY = 5000000001
PROJECTS = [6000000001, 6000000002, 6000000003]
STREAMS = [
    "projects",
    "rfis",
    "rfi_replies",
    "deleted_rfis",
    "submittals",
    "punch_items",
    "deleted_punch_items",
    "trades",
]
RFIS = "/rest/v1.0/projects/{}/rfis"
SUBMITTALS = "/rest/v1.1/projects/{}/submittals"


@pytest.fixture(scope="module")
def double() -> t.Iterator[DoubleProcess]:
    with spawn_double(
        companies=1,
        projects_per_company=3,
        records_per_list=2,
        big_lists=[],
        inactive_projects=[],
        empty_projects=[],
        tools_off={},
        **GENEROUS_LIMITS,
    ) as running:
        yield running


def config(double: DoubleProcess, **extra: t.Any) -> dict:
    return base_config(double.url, [COMPANY], change_feed=True, **extra)


def webhooks(double: DoubleProcess, tmp_path, *args: str) -> str:
    config_path = tmp_path / "webhooks-config.json"
    config_path.write_text(json.dumps(base_config(double.url, [COMPANY])))
    catalog_path = tmp_path / "webhooks-catalog.json"
    catalog_path.write_text(json.dumps(catalog_selecting(STREAMS)))
    out = io.StringIO()
    code = webhooks_main(
        ["--config", str(config_path), "--catalog", str(catalog_path), *args], out=out
    )
    assert code == 0
    return out.getvalue()


def hook(double: DoubleProcess) -> dict:
    (found,) = double.control.call("GET", "webhooks")["hooks"]
    return found


def requested_projects(double: DoubleProcess, since: int, template: str) -> set[int]:
    paths = {template.format(project): project for project in PROJECTS}
    return {paths[r["path"]] for r in double.control.requests(since=since) if r["path"] in paths}


def next_index(double: DoubleProcess) -> int:
    return double.control.stats()["next_index"]


def reason_logged(run, stream: str, reason: str) -> bool:
    pattern = rf"Change feed, company {COMPANY}: probing [^\n]*\b{stream}\b[^\n]*: {reason}"
    return re.search(pattern, run.stderr) is not None


@pytest.fixture(scope="module")
def baseline(double, tmp_path_factory) -> dict:
    """Hook set up, some activity, and a first run with the feed on: the state to start from."""
    tmp_path = tmp_path_factory.mktemp("feed")
    dry = webhooks(
        double, tmp_path, "setup", "--destination-url", "https://example.invalid/x", "--dry-run"
    )
    assert "would create a company-level hook" in dry
    assert double.control.call("GET", "webhooks")["hooks"] == []
    created = webhooks(double, tmp_path, "setup", "--destination-url", "https://example.invalid/x")
    again = webhooks(double, tmp_path, "setup", "--destination-url", "https://example.invalid/x")
    assert "will create 0" in again and "will create 0" not in created
    assert hook(double)["trigger_count"] > 10
    # Activity before the first run (on a stream the tests below do not look at).
    double.control.mutate(
        "touch", path="/rest/v1.1/punch_items", query={"project_id": PROJECTS[2]}, count=1
    )
    first = run_tap(tmp_path, config(double), streams=STREAMS)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "this run is a full reconciliation sweep" in first.stderr
    return first.final_state


def test_only_projects_with_events_are_read_and_deletes_become_rows(double, baseline, tmp_path):
    touched = double.control.mutate("touch", path=RFIS.format(PROJECTS[0]), count=1)["ids"]
    gone_rfi = double.control.mutate("delete", path=RFIS.format(PROJECTS[1]), count=1)["ids"]
    gone_punch = double.control.mutate(
        "delete", path="/rest/v1.1/punch_items", query={"project_id": PROJECTS[1]}, count=1
    )["ids"]
    since = next_index(double)
    run = run_tap(tmp_path, config(double), streams=STREAMS, state=baseline)
    assert run.returncode == 0, run.stderr[-3000:]

    # Read where events were, nowhere else; trades has no update events and is probed.
    assert requested_projects(double, since, RFIS) == {PROJECTS[0], PROJECTS[1]}
    assert requested_projects(double, since, SUBMITTALS) == set()
    assert any(r["path"].endswith("/trades") for r in double.control.requests(since=since))
    assert reason_logged(run, "trades", "Procore fires no update events for 'Trades'")
    assert re.search(r"Change feed: \d+ partitions of streams it covers had no events", run.stderr)

    rfis = {r["id"]: r for r in run.records["rfis"]}
    assert set(touched) <= set(rfis) and rfis[touched[0]].get("_sdc_deleted_at") is None
    assert rfis[gone_rfi[0]]["_sdc_deleted_at"] and rfis[gone_rfi[0]]["project_id"] == PROJECTS[1]
    punch = {r["id"]: r for r in run.records["punch_items"]}
    assert punch[gone_punch[0]]["_sdc_deleted_at"]
    # The feed's state stays a few keys per company.
    feed_state = run.final_state["bookmarks"]["projects"]["change_feed"]
    assert len(json.dumps(feed_state)) < 2_000


def probed_everywhere(double, tmp_path, baseline, template: str, **extra: t.Any):
    since = next_index(double)
    state = extra.pop("state", baseline)
    run = run_tap(tmp_path, config(double, **extra), streams=STREAMS, state=state)
    assert run.returncode == 0, run.stderr[-3000:]
    assert requested_projects(double, since, template) == set(PROJECTS)
    return run


def test_full_sweep_on_demand_and_when_due(double, baseline, tmp_path):
    asked = probed_everywhere(
        double, tmp_path / "asked", baseline, SUBMITTALS, change_feed_full_sweep=True
    )
    assert "full reconciliation sweep (requested (change_feed_full_sweep))" in asked.stderr
    assert (
        asked.final_state["bookmarks"]["projects"]["change_feed"]["full_sweep"]
        > (baseline["bookmarks"]["projects"]["change_feed"]["full_sweep"])
    )
    old = json.loads(json.dumps(baseline))
    old["bookmarks"]["projects"]["change_feed"]["full_sweep"] = "2020-01-01T00:00:00Z"
    due = probed_everywhere(double, tmp_path / "due", baseline, SUBMITTALS, state=old)
    assert "the last one ended 2020-01-01T00:00:00Z, 7 days or more ago" in due.stderr


def test_no_hook_in_the_namespace(double, baseline, tmp_path):
    run = probed_everywhere(double, tmp_path, baseline, RFIS, change_feed_namespace="somebody-else")
    assert reason_logged(run, "rfis", "the company has no hook in namespace 'somebody-else'")


def test_resource_procore_no_longer_lists(double, baseline, tmp_path):
    rename = {"action": "rename_resource", "name": "RFIs", "to": "RFIs (2027)"}
    double.control.call("POST", "webhooks", rename)
    try:
        run = probed_everywhere(double, tmp_path, baseline, RFIS)
    finally:
        double.control.call(
            "POST", "webhooks", {"action": "rename_resource", "name": "RFIs (2027)", "to": "RFIs"}
        )
    assert reason_logged(run, "rfis", "Procore does not list the webhook resource 'RFIs'")
    assert "this tap does not map to streams (their events are ignored): RFIs (2027)" in run.stderr
    assert not reason_logged(run, "submittals", ".")


def test_missing_trigger(double, baseline, tmp_path, requests_session=None):
    triggers = double.control.call("GET", "webhooks")["triggers"]
    (update,) = [
        trigger
        for trigger in triggers
        if trigger["resource_name"] == "RFIs" and trigger["event_type"] == "update"
    ]
    delete_trigger(double, update)
    try:
        run = probed_everywhere(double, tmp_path, baseline, RFIS)
    finally:
        webhooks(double, tmp_path, "setup", "--destination-url", "https://example.invalid/x")
    assert reason_logged(run, "rfis", "the hook has no update trigger for 'RFIs'")


def delete_trigger(double: DoubleProcess, trigger: dict) -> None:
    import requests

    token = access_token(double.url)
    answer = requests.delete(
        f"{double.url}/rest/v2.0/companies/{COMPANY}/webhooks/hooks/"
        f"{trigger['webhook_hook_id']}/triggers/{trigger['id']}",
        headers={"Authorization": f"Bearer {token}", "Procore-Company-Id": str(COMPANY)},
        timeout=10,
    )
    assert answer.status_code == 204


def test_deliveries_that_do_not_reach_back(double, baseline, tmp_path):
    double.control.call("POST", "webhooks", {"action": "set_retention", "days": 0})
    try:
        run = probed_everywhere(double, tmp_path, baseline, SUBMITTALS)
    finally:
        double.control.call("POST", "webhooks", {"action": "set_retention", "days": 30})
    assert reason_logged(
        run, "submittals", "the deliveries listing does not reach back to the stream's bookmark"
    )


def test_disabled_hook(double, baseline, tmp_path):
    hook_id = hook(double)["id"]
    double.control.call(
        "POST", "webhooks", {"action": "set_hook_status", "hook_id": hook_id, "status": "disabled"}
    )
    try:
        run = probed_everywhere(double, tmp_path, baseline, RFIS)
    finally:
        double.control.call(
            "POST",
            "webhooks",
            {"action": "set_hook_status", "hook_id": hook_id, "status": "active"},
        )
    assert reason_logged(run, "rfis", f"hook {hook_id} is disabled")
    # Re-enabled, the hook changed after the bookmark: still probed, for that reason.
    again = probed_everywhere(double, tmp_path, baseline, RFIS)
    assert reason_logged(again, "rfis", f"hook {hook_id} was created or changed at")
