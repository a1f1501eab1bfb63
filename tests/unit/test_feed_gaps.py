"""The change feed never costs a row: late deliveries, changes no webhook reports, children the
webhooks do not cover, and delivery listings that cannot be trusted.

In process, against the in-process double's webhooks (real hooks, triggers and deliveries); the
double's clock is moved on between runs so that each run's window is its own hour.
"""

from __future__ import annotations

import io
import json
import typing as t

import pytest

from procore_double import clock
from procore_double.in_process import InProcessDouble, in_process_double
from tap_procore import dates
from tap_procore.webhook_resources import BY_NAME
from tap_procore.webhooks import main as webhooks_main
from tests.conftest import plain_tenant
from tests.unit.in_process_sync import Sync, catalog_selecting, sync

COMPANY = 5000000001
PROJECTS = [6000000001, 6000000002]
RFIS = "/rest/v1.0/projects/{}/rfis"
STREAMS = ["projects", "rfis", "rfi_replies", "project_vendors", "project_vendor_insurances"]
VENDORS = "/rest/v1.1/projects/{}/vendors"
TENANT = plain_tenant(
    companies=1,
    projects_per_company=2,
    records_per_list=3,
)
HOUR = 3600.0


@pytest.fixture
def double(monkeypatch, tmp_path) -> t.Iterator[InProcessDouble]:
    # Procore's clock starts a day behind this machine's, and `later` moves it on an hour at a
    # time (the tap never follows a Procore clock that runs ahead of its own).
    monkeypatch.setattr(clock, "skew_seconds", 24 * HOUR)
    with in_process_double({**TENANT, "clock_skew_seconds": 24 * HOUR}) as running:
        config = {
            "client_id": running.app.config.client_id,
            "client_secret": running.app.config.client_secret,
            "company_ids": [COMPANY],
            "api_url": running.url,
            "auth_url": running.url,
        }
        (tmp_path / "config.json").write_text(json.dumps(config))
        (tmp_path / "catalog.json").write_text(json.dumps(catalog_selecting(STREAMS)))
        out = io.StringIO()
        code = webhooks_main(
            [
                "--config",
                str(tmp_path / "config.json"),
                "--catalog",
                str(tmp_path / "catalog.json"),
                "setup",
                "--destination-url",
                "https://example.invalid/hook",
            ],
            out=out,
        )
        assert code == 0, out.getvalue()
        yield running


def later(hours: float = 1.0) -> None:
    """The double's clock (Procore's, for the tap) moves on."""
    clock.skew_seconds -= hours * HOUR


def run(double: InProcessDouble, state: dict | None = None, **settings: t.Any) -> Sync:
    result = sync(double, [COMPANY], STREAMS, state=state, change_feed=True, **settings)
    assert result.error is None, result.log[-3000:]
    return result


def rfi_reads(double: InProcessDouble, since: int) -> set[int]:
    paths = {RFIS.format(project): project for project in PROJECTS}
    return {paths[e.path] for e in double.exchanges[since:] if e.path in paths}


def vouched_run(double: InProcessDouble) -> Sync:
    """A reconciliation sweep, then a run the feed vouches for (nothing changed)."""
    # Some activity first: the deliveries listing then shows how far back it reaches.
    double.app.api.mutate({"action": "touch", "path": RFIS.format(PROJECTS[1]), "count": 1})
    later()
    first = run(double)
    assert "full reconciliation sweep" in first.log
    later()
    since = len(double.exchanges)
    second = run(double, first.state)
    assert rfi_reads(double, since) == set()  # nothing changed: the feed read no RFIs
    return second


def test_a_delivery_recorded_late_still_gets_its_change_read(double):
    vouched = vouched_run(double)
    upper = vouched.state["bookmarks"]["rfis"]["replication_key_value"]
    later()
    # A change made before the last run's upper bound (10 minutes, twice the overlap), whose
    # delivery Procore records only now.
    stamp = (dates.parse_timestamp(upper) - dates.seconds(600)).strftime("%Y-%m-%dT%H:%M:%SZ")
    changed = double.app.api.mutate(
        {"action": "touch", "path": RFIS.format(PROJECTS[0]), "count": 1, "updated_at": stamp}
    )["ids"]
    later()
    since = len(double.exchanges)
    third = run(double, vouched.state)
    assert rfi_reads(double, since) == {PROJECTS[0]}
    assert set(changed) <= set(third.ids("rfis"))
    # Acted on once: the next run does not read it again.
    later()
    since = len(double.exchanges)
    run(double, third.state)
    assert rfi_reads(double, since) == set()


def test_a_change_no_webhook_reported_arrives_with_the_next_reconciliation(double):
    vouched = vouched_run(double)
    later()
    double.app.api.on_change = lambda *args: 0  # Procore's webhooks miss this edit
    missed = double.app.api.mutate(
        {"action": "touch", "path": RFIS.format(PROJECTS[1]), "count": 1}
    )["ids"]
    later()
    quiet = run(double, vouched.state)
    assert not set(missed) & set(quiet.ids("rfis"))  # the feed cannot know
    later()
    reconciled = run(double, quiet.state, change_feed_full_sweep=True)
    assert set(missed) <= set(reconciled.ids("rfis"))


def test_a_root_is_vouched_for_only_when_every_selected_stream_below_it_fires_events(double):
    vouched = vouched_run(double)
    token = double.app.auth.grant({"grant_type": "client_credentials", **_client(double)})
    hooks = f"/rest/v2.0/companies/{COMPANY}/webhooks/hooks"
    for trigger in double.app.webhooks.describe()["triggers"]:
        if trigger["resource_name"] == "RFI Replies":
            path = f"{hooks}/{trigger['webhook_hook_id']}/triggers/{trigger['id']}"
            _request(double, token["access_token"], "DELETE", path)
    later()
    since = len(double.exchanges)
    probed = run(double, vouched.state)
    # A reply changes without its RFI's trigger: the RFIs (and their replies) are read.
    assert rfi_reads(double, since) == set(PROJECTS)
    assert "probing rfis: the hook has no create trigger for 'RFI Replies'" in probed.log
    # No webhook resource covers vendor insurances: their vendors are read in every project.
    vendor_paths = {VENDORS.format(project) for project in PROJECTS}
    assert vendor_paths <= {e.path for e in double.exchanges[since:]}
    assert "no webhook resource covers project_vendor_insurances, read below it" in probed.log


def test_a_deliveries_listing_short_of_its_total_is_not_trusted(double):
    vouched = vouched_run(double)
    deliveries = f"/rest/v2.0/companies/{COMPANY}/webhooks/hooks/[^/]+/deliveries$"
    double.app.faults.add(
        [{"kind": "wrong_total", "path": deliveries, "total_delta": 5, "times": 100}]
    )
    later()
    since = len(double.exchanges)
    probed = run(double, vouched.state)
    assert rfi_reads(double, since) == set(PROJECTS)
    assert "the deliveries listing could not be read" in probed.log
    assert "Total header says" in probed.log


def test_resources_procore_lists_that_have_streams_map_to_them():
    assert BY_NAME["RFQ Quotes"].streams == ("rfq_quotes",)
    assert BY_NAME["RFQ Responses"].streams == ("rfq_responses",)
    assert BY_NAME["Project Stages"].streams == ("project_stages",)


def _client(double: InProcessDouble) -> dict[str, str]:
    return {
        "client_id": double.app.config.client_id,
        "client_secret": double.app.config.client_secret,
    }


def _request(double: InProcessDouble, token: str, method: str, path: str) -> None:
    import requests

    answer = requests.request(
        method,
        double.url + path,
        headers={"Authorization": f"Bearer {token}", "Procore-Company-Id": str(COMPANY)},
        timeout=30,
    )
    assert answer.status_code < 300, answer.text
