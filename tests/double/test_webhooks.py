"""The double's webhooks over real HTTP: hooks and triggers written through the API, deliveries
recorded by control-API changes, filters, paging, retention and disabled hooks."""

from __future__ import annotations

import typing as t

import pytest
import requests

from procore_double import start_double
from tests.conftest import access_token

COMPANY = 5000000001
BASE = f"/rest/v2.0/companies/{COMPANY}/webhooks"
RFIS = "/rest/v1.0/projects/6000000001/rfis"


@pytest.fixture
def api() -> t.Iterator[t.Callable[..., requests.Response]]:
    with start_double(big_lists=[]) as double, requests.Session() as session:
        token = access_token(double.url)

        def call(method: str, path: str, **kwargs: t.Any) -> requests.Response:
            headers = {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(COMPANY)}
            return session.request(method, double.url + path, headers=headers, timeout=10, **kwargs)

        call.control = double.control  # type: ignore[attr-defined]
        yield call


def test_hooks_triggers_and_deliveries(api):
    created = api(
        "POST",
        f"{BASE}/hooks",
        json={
            "namespace": "tap-procore",
            "destination_url": "https://x.invalid",
            "payload_version": "v2.0",
        },
    )
    assert created.status_code == 201
    hook = created.json()["data"]
    assert hook["status"] == "active" and hook["company_id"] == str(COMPANY)
    assert api("POST", f"{BASE}/hooks", json={"namespace": "x"}).status_code == 400

    bulk = api(
        "POST",
        f"{BASE}/hooks/{hook['id']}/triggers/bulk",
        json=[
            {"resource_name": "RFIs", "event_type": event}
            for event in ("create", "update", "delete")
        ]
        + [{"resource_name": "Trades", "event_type": "update"}],
    )
    assert bulk.status_code == 207 and len(bulk.json()["data"]) == 3
    assert "Trades does not offer update events" in bulk.json()["errors"][0]["error"]

    touched = api.control.mutate("touch", path=RFIS, count=2)["ids"]
    deleted = api.control.mutate("delete", path=RFIS, count=1)["ids"]
    api.control.mutate("touch", path="/rest/v1.1/projects/6000000001/submittals", count=1)
    listed = api("GET", f"{BASE}/hooks/{hook['id']}/deliveries", params={"per_page": 2})
    assert listed.headers["Total"] == "3" and 'rel="next"' in listed.headers["Link"]
    payloads = [d["payload"] for d in listed.json()["data"]]
    assert payloads[0]["event_type"] == "delete" and payloads[0]["resource_id"] == deleted[0]
    updates = api(
        "GET", f"{BASE}/hooks/{hook['id']}/deliveries", params={"filter[event_type]": "update"}
    ).json()["data"]
    assert sorted(d["payload"]["resource_id"] for d in updates) == sorted(touched)
    assert {d["payload"]["project_id"] for d in updates} == {6000000001}
    day = payloads[0]["timestamp"][:10]
    assert (
        api(
            "GET", f"{BASE}/hooks/{hook['id']}/deliveries", params={"filter[end]": "2000-01-01"}
        ).headers["Total"]
        == "0"
    )
    assert (
        api("GET", f"{BASE}/hooks/{hook['id']}/deliveries", params={"filter[start]": day}).headers[
            "Total"
        ]
        == "3"
    )
    assert (
        api(
            "GET", f"{BASE}/hooks/{hook['id']}/deliveries", params={"filter[start]": "01/02/2026"}
        ).status_code
        == 400
    )

    # Disabled, the hook records nothing; retention drops what is older than the window.
    assert (
        api("PATCH", f"{BASE}/hooks/{hook['id']}", json={"status": "disabled"}).json()["data"][
            "status"
        ]
        == "disabled"
    )
    api.control.mutate("touch", path=RFIS, count=1)
    assert api("GET", f"{BASE}/hooks/{hook['id']}/deliveries").headers["Total"] == "3"
    api.control.call("POST", "webhooks", {"action": "age_deliveries", "seconds": 86400 * 40})
    assert api("GET", f"{BASE}/hooks/{hook['id']}/deliveries").headers["Total"] == "0"

    resources = api("GET", f"{BASE}/resources", params={"payload_version": "v2.0", "per_page": 100})
    assert resources.headers["Total"] == "121"
    assert api("GET", f"{BASE}/resources").status_code == 400  # payload_version is required
    assert api("DELETE", f"{BASE}/hooks/{hook['id']}").status_code == 204
    assert api("GET", f"{BASE}/hooks").json()["data"] == []
