"""The listing shapes beyond page/per_page, on real streams with HTTP answered by requests-mock:
cursor paging (v2 workflow instances, v1 webhook deliveries), Resource Planning's pages from 0,
lower-bound updated filters, and what a parent passes its children (the ids it was listed under,
named fields), including company-level id sources read once per company."""

from __future__ import annotations

import typing as t
from urllib.parse import parse_qs, urlsplit

import pytest
import requests_mock

from tap_procore.errors import IncompleteListing
from tap_procore.sweep import Scope
from tap_procore.tap import TapProcore

API = "https://api.example.com"
TOKEN_URL = "https://login.example.com/oauth/token"
TOKEN = {"json": {"access_token": "access-token-123456", "expires_in": 5400}}
COMPANY = 7


@pytest.fixture
def tap() -> t.Iterator[tuple[TapProcore, requests_mock.Mocker]]:
    config = {
        "client_id": "id",
        "client_secret": "secret-value",
        "company_ids": [COMPANY],
        "api_url": API,
        "auth_url": "https://login.example.com",
        "start_date": "2020-01-01T00:00:00Z",
        "page_size": 2,
    }
    with requests_mock.Mocker() as mock:
        mock.post(TOKEN_URL, [TOKEN] * 5)
        yield TapProcore(config=config, setup_mapper=False), mock


def queries(mock: requests_mock.Mocker, path: str) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(r.url).query) for r in mock.request_history if r.path == path]


def test_cursor_listing_follows_the_next_link_then_the_body_and_ends_without_either(tap):
    tap, mock = tap
    path = f"/rest/v2.0/companies/{COMPANY}/workflows/instances"
    mock.get(
        API + path,
        [
            {
                "json": {"data": [{"id": "a"}, {"id": "b"}]},
                "headers": {"Link": f'<{API}{path}?cursor=c2&per_page=2>; rel="next"'},
            },
            {"json": {"data": [{"id": "c"}], "meta": {"next_cursor": "c3"}}},
            {"json": {"data": [{"id": "d"}]}},
        ],
    )
    stream = tap.streams["company_workflow_instances"]
    context = {"company_id": COMPANY, "tool_type": "rfi", "tool_subtype": None}
    assert [r["id"] for r in stream.request_records(context)] == ["a", "b", "c", "d"]
    sent = queries(mock, path)
    assert [q.get("cursor") for q in sent] == [None, ["c2"], ["c3"]]
    assert all(q["per_page"] == ["2"] and q["filters[tool_type]"] == ["rfi"] for q in sent)
    # A null parent field is not sent as the text "None".
    assert all("filters[tool_subtype]" not in q for q in sent)


def test_cursor_listing_ends_when_a_cursor_comes_back(tap):
    tap, mock = tap
    path = f"/rest/v2.0/companies/{COMPANY}/workflows/instances"
    mock.get(API + path, json={"data": [{"id": "a"}], "next_cursor": "same"})
    stream = tap.streams["company_workflow_instances"]
    context = {"company_id": COMPANY, "tool_type": "rfi", "tool_subtype": None}
    rows = []
    with pytest.raises(IncompleteListing, match="cursor 'same' came back again"):
        rows.extend(stream.request_records(context))
    assert len(rows) == 2  # the first page, then the page "same" names, which names itself
    assert len(queries(mock, path)) == 2


def test_keyset_listing_asks_for_the_page_after_the_last_id_while_pages_are_full(tap):
    tap, mock = tap
    path = "/rest/v1.0/webhooks/hooks/5/deliveries"
    mock.get(API + path, [{"json": [{"id": 1}, {"id": 2}]}, {"json": [{"id": 3}]}])
    stream = tap.streams["company_webhook_deliveries"]
    rows = list(stream.request_records({"company_id": COMPANY, "hook_id": 5}))
    assert [row["id"] for row in rows] == [1, 2, 3]
    sent = queries(mock, path)
    assert [q.get("page_start") for q in sent] == [None, ["2"]]
    assert all(q["page_size"] == ["2"] and "per_page" not in q for q in sent)


def test_resource_planning_reads_from_page_0_without_a_page_size_until_a_page_is_short(tap):
    tap, mock = tap
    path = f"/rest/v1.0/workforce-planning/v2/companies/{COMPANY}/projects"
    rows = [{"id": f"00000000-0000-0000-0000-{n:012d}"} for n in range(403)]
    mock.get(API + path, [{"json": rows[:400]}, {"json": rows[400:]}])
    stream = tap.streams["workforce_projects"]
    read = list(stream.request_records({"company_id": COMPANY}))
    assert read == rows  # UUIDs stay text
    sent = queries(mock, path)
    assert [q["page"] for q in sent] == [["0"], ["1"]]
    assert all("per_page" not in q for q in sent)


@pytest.mark.parametrize(
    ("name", "param"),
    [("schedules", "filters[updated_at][gt]"), ("workforce_people", "updated_after")],
)
def test_lower_bound_filters_send_the_bookmark_alone(tap, name, param):
    tap, _ = tap
    stream = tap.streams[name]
    tap.sweep.note_company(COMPANY)
    context = {"company_id": COMPANY, "project_id": 11}
    assert stream.windows(context) == [{param: "2020-01-01T00:00:00Z"}]


def test_children_get_the_id_their_parent_was_listed_under_and_named_fields(tap):
    tap, _ = tap
    items = tap.streams["generic_tool_items"]
    record = {"id": 31, "generic_tool_id": 8}
    context = {"company_id": COMPANY, "project_id": 11}
    assert items.get_child_context(record, context) == {
        **context,
        "generic_tool_item_id": 31,
        "generic_tool_id": 8,
    }
    tools = tap.streams["workflow_tools"]
    child = tools.get_child_context({"type": "correspondence", "subtype": "NCR"}, {"company_id": 7})
    assert child == {"company_id": 7, "tool_type": "correspondence", "tool_subtype": "NCR"}


def test_a_company_level_id_source_is_listed_once_per_company_for_every_project(tap):
    tap, mock = tap
    path = f"/rest/v2.0/companies/{COMPANY}/workflows/tools"
    mock.get(API + path, json={"data": [{"type": "rfi", "subtype": None}, {"type": None}]})
    first = tap.parent_ids("workflow_tools", Scope(COMPANY, 11))
    second = tap.parent_ids("workflow_tools", Scope(COMPANY, 12))
    assert first == second == [("rfi", {"tool_subtype": None})]  # a tool without a type: none
    assert len(queries(mock, path)) == 1
    tap.forget_scope(Scope(COMPANY, 11))  # a finished project keeps the company's list
    tap.parent_ids("workflow_tools", Scope(COMPANY, 13))
    assert len(queries(mock, path)) == 1
