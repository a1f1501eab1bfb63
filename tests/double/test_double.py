"""Tests of the Procore double over real HTTP on loopback.

One double runs as a subprocess for the module (like the tap's tests and
benchmarks use it); each test leaves faults and runtime settings as it found
them.  Tests that change tenant data use projects or lists no other test
reads, or their own in-process double.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from procore_double import DoubleControl, spawn_double, start_double
from procore_double.harness import REPO_ROOT

SHARED_API = REPO_ROOT.parent / "shared" / "procore-api"
ROUTES = REPO_ROOT / "procore_double" / "routes.json"
CLIENT = {"client_id": "double-client-id", "client_secret": "double-client-secret"}
COMPANY_1, COMPANY_2, COMPANY_3 = 5_000_000_001, 5_000_000_002, 5_000_000_003
BIG, INACTIVE, EMPTY, TOOL_OFF = 6_000_000_001, 6_000_000_002, 6_000_000_003, 6_000_000_004
COMPANY_2_PROJECT = 6_000_100_001
COMPANY_3_PROJECT = 6_000_200_001
BIG_RFI_COUNT = 2_345
RFIS = "/rest/v1.0/projects/{}/rfis"
TWO_TO_32 = 2**32


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def double():
    with spawn_double() as running:
        yield running


@pytest.fixture(scope="module")
def control(double) -> DoubleControl:
    return double.control


@pytest.fixture(autouse=True)
def restore_runtime_settings(control):
    yield
    control.clear_faults()
    control.configure(
        token_ttl=5400,
        hourly_limit=3600,
        hourly_window=3600,
        spike_limit=1000,
        spike_window=10,
        reset_rate_limits=True,
    )


class Procore:
    """A minimal Procore client: a session, a token and the company header."""

    def __init__(self, url: str, session: requests.Session):
        self.url = url
        self.session = session
        self.token: str | None = None

    def login(self, **fields: str) -> requests.Response:
        body = {"grant_type": "client_credentials", **CLIENT, **fields}
        answer = self.session.post(f"{self.url}/oauth/token", data=body, timeout=10)
        if answer.status_code == 200:
            self.token = answer.json()["access_token"]
        return answer

    def get(
        self,
        path: str,
        params: Any = None,
        company: int | None = COMPANY_1,
        token: str | None = "current",
        **kwargs: Any,
    ) -> requests.Response:
        headers = {}
        token = self.token if token == "current" else token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if company is not None:
            headers["Procore-Company-Id"] = str(company)
        kwargs.setdefault("timeout", 10)
        return self.session.get(self.url + path, params=params, headers=headers, **kwargs)

    def get_ok(self, path: str, params: Any = None, **kwargs: Any) -> requests.Response:
        answer = self.get(path, params, **kwargs)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
        return answer

    def all_pages(self, path: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Follow Link rel="next" like a tap would."""
        rows: list[Any] = []
        answer = self.get_ok(path, params)
        while True:
            body = answer.json()
            rows.extend(body["data"] if isinstance(body, dict) else body)
            following = answer.links.get("next")
            if not following:
                return rows
            answer = self.get_ok(following["url"].replace(self.url, ""))


@pytest.fixture
def procore(double):
    with requests.Session() as session:
        client = Procore(double.url, session)
        assert client.login().status_code == 200
        yield client


def ids(rows: list[dict[str, Any]]) -> list[Any]:
    return [row["id"] for row in rows]


def epoch(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


# ---------------------------------------------------------------- auth


def test_client_credentials_accepts_form_json_and_multipart(double, procore):
    form = procore.session.post(
        f"{double.url}/oauth/token", data={"grant_type": "client_credentials", **CLIENT}
    )
    as_json = procore.session.post(
        f"{double.url}/oauth/token", json={"grant_type": "client_credentials", **CLIENT}
    )
    multipart = procore.session.post(
        f"{double.url}/oauth/token",
        files={
            name: (None, value)
            for name, value in {"grant_type": "client_credentials", **CLIENT}.items()
        },
    )
    tokens = set()
    for answer in (form, as_json, multipart):
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == 5400
        assert abs(body["created_at"] - time.time()) < 60
        assert "refresh_token" not in body
        tokens.add(body["access_token"])
        assert procore.get("/rest/v1.0/companies", token=body["access_token"]).status_code == 200
    assert len(tokens) == 3


def test_wrong_client_secret_is_invalid_client(procore):
    answer = procore.login(client_secret="not-the-secret")
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_unsupported_grant_type_is_rejected(procore):
    answer = procore.login(grant_type="password")
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"


def test_api_calls_need_a_valid_bearer_token(procore):
    assert procore.get("/rest/v1.0/companies", token=None).status_code == 401
    assert procore.get("/rest/v1.0/companies", token="made-up").status_code == 401
    assert procore.get("/rest/v1.0/companies").status_code == 200


def test_token_expires_after_its_ttl(control, procore):
    control.configure(token_ttl=2)
    answer = procore.login()
    assert answer.json()["expires_in"] == 2
    assert procore.get("/rest/v1.0/companies").status_code == 200
    time.sleep(2.2)
    assert procore.get("/rest/v1.0/companies").status_code == 401
    procore.login()
    assert procore.get("/rest/v1.0/companies").status_code == 200


def test_refresh_token_rotates_and_old_one_is_invalid_grant(procore):
    first = procore.login(grant_type="refresh_token", refresh_token="double-refresh-token-0")
    assert first.status_code == 200, first.text
    rotated = first.json()["refresh_token"]
    assert rotated != "double-refresh-token-0"
    assert procore.get("/rest/v1.0/companies").status_code == 200

    reused = procore.login(grant_type="refresh_token", refresh_token="double-refresh-token-0")
    assert reused.status_code == 401
    assert reused.json()["error"] == "invalid_grant"

    second = procore.login(grant_type="refresh_token", refresh_token=rotated)
    assert second.status_code == 200
    assert second.json()["refresh_token"] not in (rotated, "double-refresh-token-0")
    assert procore.login(grant_type="refresh_token", refresh_token=rotated).status_code == 401


def test_refresh_needs_the_client_secret(procore):
    answer = procore.login(
        grant_type="refresh_token", refresh_token="anything", client_secret="wrong"
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_revoke_tokens_forces_a_new_login(control, procore):
    assert procore.get("/rest/v1.0/companies").status_code == 200
    result = control.add_faults({"kind": "revoke_tokens"})
    assert result["actions"][0]["revoked"] >= 1
    assert procore.get("/rest/v1.0/companies").status_code == 401
    procore.login()
    assert procore.get("/rest/v1.0/companies").status_code == 200


# ------------------------------------------------------ company header


def test_missing_company_header_is_400_even_on_companies(procore):
    for path in ("/rest/v1.0/companies", RFIS.format(BIG)):
        answer = procore.get(path, company=None)
        assert answer.status_code == 400
        assert answer.json() == {"errors": "Missing Procore-Company-Id header!"}


def test_company_header_must_own_the_resource(procore):
    assert procore.get(RFIS.format(BIG), company=COMPANY_2).status_code == 403
    assert (
        procore.get("/rest/v1.1/projects", {"company_id": COMPANY_1}, company=COMPANY_2).status_code
        == 403
    )
    assert (
        procore.get(f"/rest/v1.0/companies/{COMPANY_2}/trades", company=COMPANY_1).status_code
        == 403
    )
    assert procore.get(RFIS.format(COMPANY_2_PROJECT), company=COMPANY_2).status_code == 200
    assert procore.get(RFIS.format(BIG), company=999).status_code == 403


def test_request_log_records_each_api_call(control, procore):
    start = control.stats()["next_index"]
    procore.get(RFIS.format(BIG), {"per_page": 5, "filters[id][]": ["1", "2"]})
    procore.get(RFIS.format(BIG), company=None)
    logged = control.requests(since=start)
    assert [entry["status"] for entry in logged] == [200, 400]
    first = logged[0]
    assert first["method"] == "GET"
    assert first["path"] == RFIS.format(BIG)
    assert first["route"] == "/rest/v1.0/projects/{project_id}/rfis"
    assert first["query"] == {"per_page": "5", "filters[id][]": ["1", "2"]}
    assert first["company_header"] == str(COMPANY_1)
    assert first["authorization"] is True
    assert logged[1]["company_header"] is None
    assert isinstance(first["time"], float)


def test_stats_count_by_status_route_and_company(control, procore):
    control.clear_requests()
    procore.get(RFIS.format(BIG))
    procore.get(RFIS.format(COMPANY_2_PROJECT), company=COMPANY_2)
    procore.get("/rest/v1.0/no/such/route")
    stats = control.stats()
    assert stats["by_status"] == {"200": 2, "404": 1}
    assert stats["by_route"]["/rest/v1.0/projects/{project_id}/rfis"] == 2
    assert stats["by_company"] == {str(COMPANY_1): 2, str(COMPANY_2): 1}


# --------------------------------------------------------------- routing


def test_required_query_param_missing_is_400(procore):
    answer = procore.get("/rest/v1.0/purchase_order_contracts")
    assert answer.status_code == 400
    assert answer.json()["errors"] == "project_id is missing"


def test_unknown_ids_are_404(procore):
    assert procore.get(RFIS.format(6_999_999_999)).status_code == 404
    assert (
        procore.get("/rest/v1.0/companies/5999999999/trades", company=5_999_999_999).status_code
        == 404
    )
    assert procore.get("/rest/v1.0/not/a/procore/route").status_code == 404


def test_literal_segments_win_over_params(procore):
    # /rfis/recycle_bin must not be taken for /rfis/{id}
    recycled = procore.get_ok(f"/rest/v1.0/projects/{BIG}/rfis/recycle_bin").json()
    assert len(recycled) == 1 and recycled[0]["deleted_at"]
    # ...and a deleted RFI is not shown by the show route.
    assert procore.get(f"/rest/v1.0/projects/{BIG}/rfis/{recycled[0]['id']}").status_code == 404


def test_show_route_returns_the_listed_record(procore):
    listed = procore.get_ok(RFIS.format(BIG), {"per_page": 1}).json()[0]
    shown = procore.get_ok(f"/rest/v1.0/projects/{BIG}/rfis/{listed['id']}").json()
    assert shown["id"] == listed["id"]
    assert shown["updated_at"] == listed["updated_at"]


def test_child_routes_need_an_existing_parent(procore):
    rfi = procore.get_ok(RFIS.format(BIG), {"per_page": 1}).json()[0]["id"]
    replies = procore.get_ok(f"/rest/v1.0/projects/{BIG}/rfis/{rfi}/replies").json()
    assert len(replies) == 3 and all(r["id"] > TWO_TO_32 for r in replies)
    assert procore.get(f"/rest/v1.0/projects/{BIG}/rfis/123/replies").status_code == 404

    contract = procore.get_ok("/rest/v1.0/purchase_order_contracts", {"project_id": BIG}).json()[0][
        "id"
    ]
    payments = procore.get_ok(
        "/rest/v1.0/contract_payments", {"project_id": BIG, "contract_id": contract}
    )
    assert len(payments.json()) == 3
    assert (
        procore.get(
            "/rest/v1.0/contract_payments", {"project_id": BIG, "contract_id": 42}
        ).status_code
        == 404
    )
    # The same contract id does not exist in another project.
    assert (
        procore.get(
            "/rest/v1.0/contract_payments", {"project_id": TOOL_OFF, "contract_id": contract}
        ).status_code
        == 404
    )

    view = procore.get_ok("/rest/v1.0/budget_views", {"project_id": BIG}).json()[0]["id"]
    procore.get_ok(f"/rest/v1.0/budget_views/{view}/detail_rows", {"project_id": BIG})
    assert (
        procore.get("/rest/v1.0/budget_views/77/detail_rows", {"project_id": BIG}).status_code
        == 404
    )


def test_same_route_in_two_projects_has_different_records(procore):
    here = ids(procore.get_ok(f"/rest/v1.1/projects/{TOOL_OFF}/submittals").json())
    there = ids(procore.get_ok(f"/rest/v1.1/projects/{BIG}/submittals").json())
    assert len(here) == len(there) == 3
    assert not set(here) & set(there)


def test_single_object_routes_return_one_object(procore):
    budget = procore.get_ok(f"/rest/v1.0/projects/{BIG}/budget").json()
    assert isinstance(budget, dict) and "locked" in budget
    permissions = procore.get_ok("/rest/v1.0/settings/permissions", {"project_id": BIG}).json()
    assert isinstance(permissions, dict) and isinstance(permissions["tools"], (list, type(None)))
    project = procore.get_ok(f"/rest/v1.0/projects/{BIG}", {"company_id": COMPANY_1}).json()
    assert project["id"] == BIG and project["company"]["id"] == COMPANY_1


# ---------------------------------------------------------------- tenant


def test_default_tenant_layout(control):
    tenant = control.tenant()
    assert [c["id"] for c in tenant["companies"]] == [COMPANY_1, COMPANY_2, COMPANY_3]
    projects = {p["id"]: p for p in tenant["projects"]}
    assert len(projects) == 12
    assert projects[INACTIVE]["active"] is False
    assert projects[EMPTY]["empty"] is True
    assert projects[TOOL_OFF]["tools_off"] == ["rfi"]
    assert tenant["big_lists"][0]["count"] == BIG_RFI_COUNT


def test_companies_and_projects_lists(procore):
    companies = procore.get_ok("/rest/v1.0/companies").json()
    assert ids(companies) == [COMPANY_1, COMPANY_2, COMPANY_3]
    assert all(c["is_active"] is True and c["name"] for c in companies)

    active = procore.get_ok("/rest/v1.1/projects", {"company_id": COMPANY_1}).json()
    assert ids(active) == [BIG, EMPTY, TOOL_OFF]
    for project in active:
        assert project["active"] is True
        assert project["company"] == {"id": COMPANY_1, "name": companies[0]["name"]}
        assert epoch(project["created_at"]) <= epoch(project["updated_at"])
    everything = procore.get_ok(
        "/rest/v1.1/projects", {"company_id": COMPANY_1, "filters[by_status]": "All"}
    ).json()
    assert ids(everything) == [BIG, INACTIVE, EMPTY, TOOL_OFF]
    inactive = procore.get_ok(
        "/rest/v1.0/projects", {"company_id": COMPANY_1, "filters[by_status]": "Inactive"}
    ).json()
    assert [(p["id"], p["active"], p["status"]) for p in inactive] == [
        (INACTIVE, False, "Inactive")
    ]
    assert (
        procore.get(
            "/rest/v1.1/projects", {"company_id": COMPANY_1, "filters[by_status]": "Sleeping"}
        ).status_code
        == 400
    )


def test_empty_project_lists_are_empty(procore):
    for path in (
        RFIS.format(EMPTY),
        f"/rest/v1.1/projects/{EMPTY}/submittals",
        f"/rest/v1.0/projects/{EMPTY}/rfis/recycle_bin",
    ):
        answer = procore.get_ok(path)
        assert answer.json() == [] and answer.headers["Total"] == "0"
    assert procore.get_ok("/rest/v1.0/change_events", {"project_id": EMPTY}).json() == []


def test_ids_are_above_two_to_the_32(procore):
    submittals = procore.get_ok(f"/rest/v1.1/projects/{BIG}/submittals").json()
    rfis = procore.get_ok(RFIS.format(BIG), {"per_page": 50}).json()
    vendors = procore.get_ok("/rest/v1.0/vendors", {"company_id": COMPANY_1}).json()
    for record in [*submittals, *rfis, *vendors]:
        assert isinstance(record["id"], int) and record["id"] > TWO_TO_32
    for submittal in submittals:
        for approver in submittal["approvers"]:
            assert isinstance(approver["id"], int) and approver["id"] > TWO_TO_32
    assert all(s["approvers"] for s in submittals)


def test_generated_values_have_schema_types(procore):
    submittal = procore.get_ok(f"/rest/v1.1/projects/{BIG}/submittals").json()[0]
    created = submittal["created_at"]  # may be null, like any field that is not an id
    assert created is None or epoch(created) <= epoch(submittal["updated_at"])
    assert isinstance(submittal["current_revision"], (bool, type(None)))
    assert submittal["due_date"] is None or date.fromisoformat(submittal["due_date"])
    assert submittal["lead_time"] is None or isinstance(submittal["lead_time"], int)
    assert isinstance(submittal["status"], (dict, type(None)))


def test_same_seed_same_tenant_other_seed_other_ids():
    def rfi_ids(seed: int) -> list[int]:
        # The in-process form of the double, used as a context manager.
        settings = {"seed": seed, "companies": 1, "projects_per_company": 1, "big_lists": []}
        with start_double(**settings) as double, requests.Session() as session:
            client = Procore(double.url, session)
            client.login()
            return ids(client.get_ok(RFIS.format(BIG)).json())

    assert rfi_ids(3) == rfi_ids(3)
    assert len(rfi_ids(3)) == 3
    assert set(rfi_ids(3)).isdisjoint(rfi_ids(4))


def test_timecards_without_dates_cover_the_last_week(control, procore):
    path = "/rest/v1.0/timecard_entries"
    truth = control.records(path, project_id=BIG)["records"]
    week_ago = (datetime.now(timezone.utc).date() - timedelta(days=6)).isoformat()
    got = procore.get_ok(path, {"project_id": BIG}).json()
    assert ids(got) == [r["id"] for r in truth if r["date"] >= week_ago]
    assert got and len(got) < len(truth)


def test_lost_item_shapes_come_from_the_resources_other_operations(procore):
    """The API description lost the RFI list's item shape (and its show operation's): the
    double takes the record from the resource's update operation, its writable fields with the
    id and timestamps, so that RFIs look like RFIs rather than {id, name}."""
    routes = {route["path"]: route for route in json.loads(ROUTES.read_text())["routes"]}
    rfis = routes[RFIS.format("{project_id}")]
    assert rfis["item_schema_source"] == "RestV10ProjectsProjectIdRfisIdPatch"
    rows = procore.get_ok(RFIS.format(BIG), {"per_page": 100}).json()
    assert {"id", "subject", "question", "due_date", "created_at", "updated_at"} <= set(rows[0])
    assert all(set(row) == set(rows[0]) for row in rows)
    # A creation time may be null like any field that is not an id; updated_at never is.
    assert all(
        epoch(row["updated_at"]) >= epoch(row["created_at"] or row["updated_at"]) for row in rows
    )
    # Still what real tenants send: nulls in fields that are not ids.
    assert any(row["subject"] is None for row in rows) and all(row["id"] for row in rows)
    # A recycle bin that lost its shape lists the live list's records, with when they were
    # deleted.
    borrowed = [
        route
        for route in routes.values()
        if route["recycle_bin_of"] and route["item_schema_source"] == route["recycle_bin_of"]
    ]
    assert borrowed
    assert all(route["item_schema"]["deleted_at"]["format"] == "date-time" for route in borrowed)


def test_shapes_nothing_describes_get_the_generic_shape(procore):
    routes = {route["path"]: route for route in json.loads(ROUTES.read_text())["routes"]}
    path = "/rest/v1.0/projects/{project_id}/rfis/potential_assignees"
    assert routes[path]["item_schema"] is None
    row = procore.get_ok(path.format(project_id=BIG)).json()[0]
    assert set(row) == {"id", "name", "created_at", "updated_at"}


# ------------------------------------------------------------ pagination


def test_pagination_headers_and_every_record_exactly_once(control, procore):
    first = procore.get_ok(RFIS.format(BIG), {"per_page": 1000, "sort[direction]": "asc"})
    assert first.headers["Total"] == str(BIG_RFI_COUNT)
    assert first.headers["Per-Page"] == "1000"
    links = first.links
    assert set(links) == {"first", "last", "next"}
    assert "page=3" in links["last"]["url"] and "page=2" in links["next"]["url"]
    assert "sort[direction]=asc" in links["next"]["url"]
    assert links["next"]["url"].startswith("http://127.0.0.1:")

    rows = procore.all_pages(RFIS.format(BIG), {"per_page": 1000, "sort[direction]": "asc"})
    assert len(rows) == BIG_RFI_COUNT
    assert len(set(ids(rows))) == BIG_RFI_COUNT
    truth = control.records(RFIS.format(BIG))
    assert sorted(ids(rows)) == sorted(ids(truth["records"]))

    last = procore.get_ok(RFIS.format(BIG), {"per_page": 1000, "page": 3})
    assert len(last.json()) == 345 and "next" not in last.links and "prev" in last.links
    past_end = procore.get_ok(RFIS.format(BIG), {"per_page": 1000, "page": 4})
    assert past_end.json() == [] and past_end.headers["Total"] == str(BIG_RFI_COUNT)


def test_per_page_defaults_and_clamping(procore):
    default = procore.get_ok(RFIS.format(BIG))
    assert default.headers["Per-Page"] == "100" and len(default.json()) == 100
    clamped = procore.get_ok(RFIS.format(BIG), {"per_page": 5000})
    assert clamped.headers["Per-Page"] == "1000" and len(clamped.json()) == 1000
    v2 = f"/rest/v2.0/companies/{COMPANY_1}/projects/{BIG}/commitment_contracts"
    assert procore.get_ok(v2).headers["Per-Page"] == "10"
    assert procore.get_ok(v2, {"per_page": 500}).headers["Per-Page"] == "100"


def test_route_without_paging_params_returns_everything(procore):
    path = f"/rest/v1.0/projects/{BIG}/manual_forecast_line_items"
    answer = procore.get_ok(path, {"page": 2, "per_page": 1})
    assert len(answer.json()) == 3
    assert "Link" not in answer.headers and "Total" not in answer.headers


def test_v2_envelope_and_string_ids(procore):
    answer = procore.get_ok(f"/rest/v2.0/companies/{COMPANY_1}/projects/{BIG}/commitment_contracts")
    body = answer.json()
    assert set(body) == {"data"} and len(body["data"]) == 3
    assert all(isinstance(row["id"], str) and int(row["id"]) > TWO_TO_32 for row in body["data"])


# -------------------------------------------------------- incremental reads


def test_updated_at_filter_returns_exactly_the_window(control, procore):
    truth = control.records(RFIS.format(BIG))["records"]
    stamps = sorted(epoch(r["updated_at"]) for r in truth)
    low, high = stamps[len(stamps) // 4], stamps[len(stamps) // 2]
    to_text = lambda t: datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    window = f"{to_text(low)}...{to_text(high)}"
    got = procore.all_pages(RFIS.format(BIG), {"filters[updated_at]": window, "per_page": 1000})
    expected = {r["id"] for r in truth if low <= epoch(r["updated_at"]) <= high}
    assert set(ids(got)) == expected and len(got) == len(expected) > 0

    day = to_text(high)[:10]
    by_day = procore.all_pages(
        RFIS.format(BIG), {"filters[updated_at]": f"2000-01-01...{day}", "per_page": 1000}
    )
    assert {r["id"] for r in by_day} == {r["id"] for r in truth if r["updated_at"][:10] <= day}

    for malformed in ("yesterday", "2024-01-01", "2024-13-01...2024-12-01"):
        answer = procore.get(RFIS.format(BIG), {"filters[updated_at]": malformed})
        assert answer.status_code == 400, malformed


def test_updated_at_gt_filter_on_v2(control, procore):
    path = f"/rest/v2.0/companies/{COMPANY_1}/projects/{BIG}/schedules"
    truth = control.records(path)["records"]
    cut = sorted(r["updated_at"] for r in truth)[0]
    got = procore.get_ok(path, {"filters[updated_at][gt]": cut}).json()["data"]
    assert {r["schedule_id"] for r in got} == {
        r["schedule_id"] for r in truth if r["updated_at"] > cut
    }


def test_daily_logs_default_to_today_and_honour_date_windows(control, procore):
    path = f"/rest/v1.0/projects/{BIG}/manpower_logs"
    truth = control.records(path)["records"]
    today = datetime.now(timezone.utc).date().isoformat()
    assert any(r["date"] != today for r in truth)
    default = procore.get_ok(path).json()
    assert default and all(r["date"] == today for r in default)
    assert ids(default) == [r["id"] for r in truth if r["date"] == today]

    other_day = next(r["date"] for r in truth if r["date"] != today)
    on_day = procore.get_ok(path, {"log_date": other_day}).json()
    assert ids(on_day) == [r["id"] for r in truth if r["date"] == other_day]

    start = (date.fromisoformat(today) - timedelta(days=400)).isoformat()
    everything = procore.get_ok(path, {"start_date": start, "end_date": today}).json()
    assert sorted(ids(everything)) == sorted(ids(truth))
    assert procore.get(path, {"log_date": "28/11/2026"}).status_code == 400


def test_deleted_records_filters_and_recycle_bins(control, procore):
    path = "/rest/v1.0/change_events"
    params = {"project_id": BIG}
    truth = control.records(path, **params)
    live = procore.get_ok(path, params).json()
    only = procore.get_ok(path, {**params, "filters[include_deleted]": "only"}).json()
    with_deleted = procore.get_ok(path, {**params, "filters[include_deleted]": "with"}).json()
    assert ids(live) == ids(truth["records"])
    assert ids(only) == ids(truth["deleted_records"]) and len(only) == 1
    assert sorted(ids(with_deleted)) == sorted(ids(live) + ids(only))
    assert only[0]["deleted_at"] is not None


def test_touch_then_filtered_read_returns_exactly_the_touched(control, procore):
    path = f"/rest/v1.0/projects/{COMPANY_3_PROJECT}/rfis"
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    touched = control.mutate("touch", path=path, count=2)
    assert len(touched["ids"]) == 2
    window = f"{before.strftime('%Y-%m-%dT%H:%M:%SZ')}...{touched['updated_at']}"
    got = procore.get_ok(path, {"filters[updated_at]": window}, company=COMPANY_3).json()
    assert sorted(ids(got)) == touched["ids"]
    # The first text field of EDITABLE_FIELDS the record has: an RFI's subject.
    assert all("(edited" in row["subject"] or row["subject"].startswith("edited") for row in got)


def test_an_edit_changes_text_never_a_time_an_id_or_a_choice(control, procore):
    """BIM levels' records (as the API description shapes them) have no name or title, and a
    created_at before any other text field: a touch edits text only (here none, so only
    updated_at moves), so a time stays a time."""
    path = "/rest/v1.0/bim_levels"
    query = {"project_id": COMPANY_3_PROJECT}
    touched = control.mutate("touch", path=path, count=1, query=query)
    rows = procore.get_ok(path, query, company=COMPANY_3).json()
    (row,) = [row for row in rows if row["id"] in touched["ids"]]
    edited = [name for name, value in row.items() if "edited" in str(value)]
    assert not [name for name in edited if name == "id" or name.endswith(("_id", "_at", "_date"))]
    assert all(epoch(row[name]) for name in row if name.endswith("_at") and row[name])
    assert row["updated_at"] == touched["updated_at"]


def test_add_and_delete_mutations(control, procore):
    path = RFIS.format(COMPANY_3_PROJECT + 1)
    before = ids(procore.get_ok(path, company=COMPANY_3).json())
    added = control.mutate("add", path=path, count=2)["ids"]
    deleted = control.mutate("delete", path=path, ids=[before[0]])["ids"]
    assert deleted == [before[0]]
    after = ids(procore.get_ok(path, company=COMPANY_3).json())
    assert sorted(after) == sorted([*before[1:], *added])
    recycled = ids(procore.get_ok(f"{path}/recycle_bin", company=COMPANY_3).json())
    assert before[0] in recycled and len(recycled) == 2  # plus the one deleted by default


def test_project_mutations(control, procore):
    added = control.mutate("add_project", company_id=COMPANY_2, name="Új projekt")["project"]
    assert added["id"] > TWO_TO_32
    listed = procore.get_ok("/rest/v1.1/projects", {"company_id": COMPANY_2}, company=COMPANY_2)
    assert added["id"] in ids(listed.json())
    assert procore.get_ok(RFIS.format(added["id"]), company=COMPANY_2).json()

    control.mutate("set_project_active", project_id=added["id"], active=False)
    inactive = procore.get_ok(
        "/rest/v1.1/projects",
        {"company_id": COMPANY_2, "filters[by_status]": "Inactive"},
        company=COMPANY_2,
    ).json()
    assert ids(inactive) == [added["id"]]


def test_every_get_route_answers_without_server_errors(control, procore):
    """Smoke test over the whole route table: no 5xx, and 200s have the declared shape."""
    control.configure(spike_limit=100_000, hourly_limit=100_000)  # 1,265 calls in seconds
    checked = 0
    for route in control.routes()["routes"]:
        if not route["path"].startswith("/rest/"):
            continue
        values = {}
        for name in route["path_params"]:
            where = f"path:{name}"
            values[name] = (
                COMPANY_1
                if route["scope"]["company"] == where
                else BIG
                if route["scope"]["project"] == where
                else 1
            )
        query = {name: BIG if name == "project_id" else 1 for name in route["required_query"]}
        if "company_id" in route["required_query"]:
            query["company_id"] = COMPANY_1
        answer = procore.get(route["path"].format(**values), query)
        assert answer.status_code in (200, 400, 403, 404), (route["path"], answer.text[:200])
        if answer.status_code == 200 and route["response_kind"] != "text":
            body = answer.json()
            if route["envelope"] == "data":
                body = body["data"]
            expected = list if route["response_kind"] == "list" else dict
            assert isinstance(body, expected), route["path"]
            checked += 1
    assert checked > 750  # the rest need real parent ids or other params


# ------------------------------------------------------------------ tools


def test_switched_off_tool_is_403_on_all_its_routes(control, procore):
    answer = procore.get(RFIS.format(TOOL_OFF))
    assert answer.status_code == 403 and "tool is not enabled" in answer.json()["errors"]
    assert procore.get(f"/rest/v1.0/projects/{TOOL_OFF}/rfis/recycle_bin").status_code == 403
    assert procore.get_ok(f"/rest/v1.1/projects/{TOOL_OFF}/submittals").json()
    tools = procore.get_ok(f"/rest/v1.0/projects/{TOOL_OFF}/tools").json()
    state = {t["engine_name"]: t["is_active"] for t in tools}
    assert state["rfi"] is False and state["submittal_log"] is True
    assert set(tools[0]) == {"id", "engine_name", "title", "is_active", "position", "required"}

    control.mutate("set_tool", project_id=TOOL_OFF, tool="rfi", enabled=True)
    try:
        assert procore.get_ok(RFIS.format(TOOL_OFF)).json()
    finally:
        control.mutate("set_tool", project_id=TOOL_OFF, tool="rfi", enabled=False)
    assert procore.get(RFIS.format(TOOL_OFF)).status_code == 403


def test_route_table_exposes_tools(control):
    table = control.routes()
    assert table["count"] == 1265
    by_id = {r["operation_id"]: r for r in table["routes"]}
    assert by_id["RestV10ProjectsProjectIdRfisGet"]["tool"] == "rfi"
    assert by_id["RestV11ProjectsProjectIdSubmittalsGet"]["tool"] == "submittal_log"
    assert by_id["RestV10ProjectsProjectIdManpowerLogsGet"]["tool"] == "daily_log"
    assert by_id["RestV11ProjectsGet"]["tool"] is None
    assert {t["engine_name"] for t in table["tools"]} >= {"rfi", "daily_log", "commitments"}
    rfi_routes = control.routes(tool="rfi")["routes"]
    assert rfi_routes and all(r["tool"] == "rfi" for r in rfi_routes)


# ------------------------------------------------------------ rate limits


def test_rate_limit_headers_on_every_answer(procore):
    for answer in (procore.get(RFIS.format(BIG)), procore.get("/rest/v1.0/nothing/here")):
        assert int(answer.headers["X-Rate-Limit-Limit"]) > 0
        assert int(answer.headers["X-Rate-Limit-Remaining"]) >= 0
        assert int(answer.headers["X-Rate-Limit-Reset"]) >= int(time.time())


def test_spike_limit_gives_429_with_retry_after(control, procore):
    control.configure(spike_limit=4, spike_window=3)
    remaining = []
    for _ in range(3):
        remaining.append(int(procore.get(RFIS.format(BIG)).headers["X-Rate-Limit-Remaining"]))
    assert procore.get(RFIS.format(BIG), token=None).status_code == 401  # failures count too
    assert remaining == [3, 2, 1]
    limited = procore.get(RFIS.format(BIG))
    assert limited.status_code == 429
    assert limited.headers["X-Rate-Limit-Limit"] == "4"
    assert limited.headers["X-Rate-Limit-Remaining"] == "0"
    retry_after = int(limited.headers["Retry-After"])
    assert 1 <= retry_after <= 3
    # Limits are per company: another company is unaffected.
    assert procore.get(RFIS.format(COMPANY_2_PROJECT), company=COMPANY_2).status_code == 200
    time.sleep(retry_after + 0.1)
    assert procore.get(RFIS.format(BIG)).status_code == 200


def test_hourly_limit_reported_when_closest(control, procore):
    control.configure(hourly_limit=3, hourly_window=60, spike_limit=100)
    first = procore.get(RFIS.format(BIG))
    assert first.headers["X-Rate-Limit-Limit"] == "3"
    assert first.headers["X-Rate-Limit-Remaining"] == "2"
    assert abs(int(first.headers["X-Rate-Limit-Reset"]) - (time.time() + 60)) <= 2
    procore.get(RFIS.format(BIG)), procore.get(RFIS.format(BIG))
    limited = procore.get(RFIS.format(BIG))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 50


# ------------------------------------------------------------------ faults


@pytest.mark.parametrize(
    ("kind", "status"), [("http_500", 500), ("http_502", 502), ("http_504", 504), ("http_503", 503)]
)
def test_error_page_faults(control, procore, kind, status):
    control.add_faults({"kind": kind, "path": r"/rfis$", "times": 2})
    for _ in range(2):
        answer = procore.get(RFIS.format(BIG))
        assert answer.status_code == status
        assert answer.headers["Content-Type"].startswith("text/html")
        assert "<html>" in answer.text
        assert ("Retry-After" in answer.headers) is (status == 503)
    assert procore.get("/rest/v1.0/companies").status_code == 200  # path-scoped
    assert procore.get(RFIS.format(BIG)).status_code == 200  # used up


def test_rate_limit_storm(control, procore):
    control.add_faults({"kind": "rate_limit_429", "times": 3, "retry_after": 2})
    statuses = [procore.get(RFIS.format(BIG)) for _ in range(4)]
    assert [a.status_code for a in statuses] == [429, 429, 429, 200]
    assert statuses[0].headers["Retry-After"] == "2"

    control.add_faults({"kind": "rate_limit_429", "retry_after": None, "reset_in": 3})
    reset_only = procore.get(RFIS.format(BIG))
    assert reset_only.status_code == 429 and "Retry-After" not in reset_only.headers
    assert int(reset_only.headers["X-Rate-Limit-Reset"]) >= int(time.time()) + 2


def test_connection_reset(control, procore):
    control.add_faults({"kind": "connection_reset", "times": 1})
    with pytest.raises(requests.ConnectionError):
        procore.get(RFIS.format(BIG))
    assert procore.get(RFIS.format(BIG)).status_code == 200
    assert control.stats()["by_fault"]["connection_reset"] >= 1


def test_timeout_fault_delays_the_answer(control, procore):
    control.add_faults({"kind": "timeout", "seconds": 1.0, "times": 1})
    with pytest.raises(requests.Timeout):
        procore.get(RFIS.format(BIG), timeout=0.3)
    control.add_faults({"kind": "timeout", "seconds": 0.4, "times": 1})
    started = time.monotonic()
    assert procore.get(RFIS.format(BIG)).status_code == 200
    assert time.monotonic() - started >= 0.4


@pytest.mark.parametrize("kind", ["truncated_json", "invalid_json"])
def test_broken_json_faults(control, procore, kind):
    control.add_faults({"kind": kind, "times": 1})
    broken = procore.get(RFIS.format(BIG))
    assert broken.status_code == 200
    with pytest.raises(ValueError):
        json.loads(broken.content)
    assert len(procore.get_ok(RFIS.format(BIG)).json()) == 100


def test_empty_page_in_the_middle_of_a_listing(control, procore):
    control.add_faults({"kind": "empty_page", "page": 2, "times": 1})
    first = procore.get_ok(RFIS.format(BIG), {"per_page": 1000, "page": 1})
    second = procore.get_ok(RFIS.format(BIG), {"per_page": 1000, "page": 2})
    assert len(first.json()) == 1000 and second.json() == []
    assert second.headers["Total"] == str(BIG_RFI_COUNT) and "next" in second.links
    assert len(procore.get_ok(RFIS.format(BIG), {"per_page": 1000, "page": 2}).json()) == 1000


def test_wrong_total_header(control, procore):
    control.add_faults({"kind": "wrong_total", "total_delta": -5, "times": 1})
    answer = procore.get_ok(RFIS.format(BIG), {"per_page": 1000})
    assert answer.headers["Total"] == str(BIG_RFI_COUNT - 5)
    assert procore.get_ok(RFIS.format(BIG)).headers["Total"] == str(BIG_RFI_COUNT)


def test_probabilistic_faults_are_seeded(control, procore):
    def pattern() -> list[int]:
        control.clear_faults()
        control.add_faults({"kind": "http_500", "probability": 0.5, "seed": 11})
        return [procore.get(RFIS.format(BIG), {"per_page": 1}).status_code for _ in range(16)]

    first = pattern()
    assert first == pattern()
    assert 500 in first and 200 in first


def test_faults_can_target_the_token_endpoint(control, procore):
    control.add_faults({"kind": "http_503", "path": "^/oauth/token$", "retry_after": 3})
    answer = procore.login()
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "3"
    assert procore.login().status_code == 200


def test_bad_fault_specs_are_rejected(control):
    from procore_double import ControlError

    with pytest.raises(ControlError) as raised:
        control.add_faults({"kind": "meteor_strike"})
    assert raised.value.status == 400


# ----------------------------------------------------------- process / CLI


def test_command_line_prints_one_url_line_and_stops_on_sigterm():
    process = subprocess.Popen(
        [sys.executable, "-m", "procore_double", "--port", "0", "--seed", "5"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert re.fullmatch(r"PROCORE_DOUBLE_URL=http://127\.0\.0\.1:\d+\n", line)
        url = line.strip().split("=", 1)[1]
        assert DoubleControl(url).health()["ok"] is True
        process.terminate()
        out, _ = process.communicate(timeout=10)
        assert process.returncode == 0
        assert out == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


# ------------------------------------------------------ API description


def needs_shared(test):
    """Runs wherever ../shared/procore-api exists (CI, dev machines); elsewhere the
    check is not applicable, so it is skipped with that reason."""
    test = pytest.mark.shared(test)
    return pytest.mark.skipif(
        not SHARED_API.is_dir(), reason="../shared/procore-api is not present"
    )(test)


@needs_shared
def test_routes_json_is_generated_from_the_api_description():
    script = REPO_ROOT / "scripts" / "generate_double_routes.py"
    checked = subprocess.run(
        [sys.executable, str(script), "--check", "--shared", str(SHARED_API)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr

    catalog = json.loads((SHARED_API / "catalog.json").read_text(encoding="utf-8"))
    gets = {op["operationId"] for op in catalog if op["method"] == "GET"}
    routes = json.loads((REPO_ROOT / "procore_double/routes.json").read_text("utf-8"))
    assert {r["operation_id"] for r in routes["routes"]} == gets
    by_id = {r["operation_id"]: r for r in routes["routes"]}
    gt_routes = {
        r["path"] for r in routes["routes"] if r["updated_at_filter"] == "filters[updated_at][gt]"
    }
    assert len(gt_routes) == 3
    assert by_id["RestV10ProjectsProjectIdRfisGet"]["paginated"] is True
    assert by_id["RestV10ProjectsProjectIdRfisGet"]["updated_at_filter"] == "filters[updated_at]"
    assert by_id["RestV10ChangeEventsGet"]["deleted_filter"] == "filters[include_deleted]"
    assert by_id["RestV10ProjectsProjectIdManpowerLogsGet"]["date_params"] == [
        "log_date",
        "start_date",
        "end_date",
    ]
    assert by_id["RestV11ProjectsGet"]["item_schema_source"] == "RestV10ProjectsIdGet"
    assert by_id["RestV10ProjectsProjectIdBudgetGet"]["response_kind"] == "object"
    assert (
        by_id["RestV20CompaniesCompanyIdProjectsProjectIdCommitmentContractsGet"]["envelope"]
        == "data"
    )


@needs_shared
def test_check_mode_fails_on_a_stale_routes_file(tmp_path):
    stale = tmp_path / "routes.json"
    stale.write_text('{"routes": []}\n', encoding="utf-8")
    script = REPO_ROOT / "scripts" / "generate_double_routes.py"
    checked = subprocess.run(
        [sys.executable, str(script), "--check", "--output", str(stale)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 1
    assert len(checked.stdout.strip().splitlines()) == 1 and "out of date" in checked.stdout


def test_records_without_id_carry_their_id_in_the_resource_field_and_uuids_stay_uuids(
    control, procore
):
    schedules = f"/rest/v2.0/companies/{COMPANY_1}/projects/{BIG}/schedules"
    listed = procore.get_ok(schedules, {"per_page": 100}).json()["data"]
    assert listed and all("id" not in r and isinstance(r["schedule_id"], str) for r in listed)
    # A schedule's schedule_id is what its activities hang under.
    activities = procore.get_ok(f"{schedules}/{listed[0]['schedule_id']}/activities").json()
    assert isinstance(activities["data"], list)
    assert procore.get(f"{schedules}/999/activities").status_code == 404
    people = f"/rest/v1.0/workforce-planning/v2/companies/{COMPANY_1}/people"
    records = control.records(people)["records"]
    assert records and all(re.fullmatch(r"[0-9a-f-]{36}", r["id"]) for r in records)


def test_resource_planning_pages_from_zero_and_its_projects_are_its_own(control, procore):
    people = f"/rest/v1.0/workforce-planning/v2/companies/{COMPANY_1}/people"
    truth = control.records(people)["records"]
    first = procore.get_ok(people, {"page": 0})
    assert [r["id"] for r in first.json()] == [r["id"] for r in truth][:400]
    assert "Link" not in first.headers
    projects = f"/rest/v1.0/workforce-planning/v2/companies/{COMPANY_1}/projects"
    project_id = procore.get_ok(projects, {"page": 0}).json()[0]["id"]
    history = f"{projects}/{project_id}/reports/assignment-history"
    assert procore.get(history).status_code == 200
