"""The hard parts of Procore, end to end against the double: company header, paging, tokens,
rate limits, faults, 403 skips, daily-log windows, project filters, incremental windows."""

from __future__ import annotations

import collections
import re

import pytest

from tap_procore.streams import STREAM_TYPES
from tests.conftest import (
    FOUNDATION_STREAMS,
    base_config,
    company_ids,
    run_tap,
    tenant_projects,
)

BY_NAME = {stream_class.name: stream_class for stream_class in STREAM_TYPES}
TEMPLATE = re.compile(r"\{(\w+)\}")


def concrete(stream_class, context: dict) -> tuple[str, dict]:
    path = TEMPLATE.sub(
        lambda m: str(context[stream_class.path_params.get(m.group(1), m.group(1))]),
        stream_class.path,
    )
    query = {
        key: TEMPLATE.sub(lambda m: str(context[m.group(1)]), value)
        for key, value in stream_class.query.items()
    }
    return path, query


def truth(double, stream_name: str, context: dict) -> list[dict]:
    path, query = concrete(BY_NAME[stream_name], context)
    answer = double.control.records(path, **query)
    return answer["records"] if answer.get("status", 200) == 200 else []


@pytest.fixture(scope="module")
def full_run(double, tmp_path_factory):
    config = base_config(double.url, company_ids(double))
    double.control.clear_requests()
    run = run_tap(tmp_path_factory.mktemp("full"), config, streams=FOUNDATION_STREAMS)
    requests = double.control.requests(limit=10**6)
    return run, requests


def test_run_succeeds_with_every_foundation_stream(full_run):
    run, _ = full_run
    assert run.returncode == 0, run.stderr[-3000:]
    assert set(run.records) == set(FOUNDATION_STREAMS)
    assert run.count("SCHEMA") == len(FOUNDATION_STREAMS)  # once per stream, not per project


def test_every_request_carries_the_owning_company(double, full_run):
    _, requests = full_run
    owner = {p["id"]: p["company_id"] for p in tenant_projects(double)}
    api_requests = [r for r in requests if r["path"].startswith("/rest/")]
    assert api_requests
    seen_companies = set()
    for request in api_requests:
        header = request["company_header"]
        assert header, request
        seen_companies.add(int(header))
        ids = [int(x) for x in re.findall(r"/projects/(\d+)", request["path"])]
        project_query = request["query"].get("project_id")
        if project_query:
            ids.append(int(project_query))
        for project_id in ids:
            assert owner[project_id] == int(header), request
        company_query = request["query"].get("company_id")
        if company_query:
            assert int(company_query) == int(header)
        assert request["status"] == 200, request
    assert seen_companies == set(company_ids(double))


def test_every_record_arrives_exactly_once(double, full_run):
    run, _ = full_run
    projects = [p for p in tenant_projects(double) if p["active"]]
    records = run.records
    for stream in [
        "rfis",
        "submittals",
        "punch_items",
        "change_events",
        "checklists",
        "observations",
        "direct_costs",
        "incidents",
        "drawing_areas",
        "purchase_order_contracts",
        "project_users",
        "budget_views",
        "manpower_logs",
    ]:
        expected = collections.Counter()
        for project in projects:
            if stream == "rfis" and "rfi" in project["tools_off"]:
                continue
            context = {"company_id": project["company_id"], "project_id": project["id"]}
            for record in truth(double, stream, context):
                expected[(project["id"], record["id"])] += 1
        got = collections.Counter((r["project_id"], r["id"]) for r in records[stream])
        assert got == expected, stream
        assert all(r["company_id"] for r in records[stream])


def test_grandchildren_carry_their_parents_ids(double, full_run):
    run, _ = full_run
    replies = run.records["rfi_replies"]
    rfis = {(r["project_id"], r["id"]) for r in run.records["rfis"]}
    assert len(rfis) > 2345
    assert {(r["project_id"], r["rfi_id"]) for r in replies} == rfis
    sample = next(r for r in run.records["rfis"] if r["project_id"] == 6000100001)
    context = {"company_id": 5000000002, "project_id": 6000100001, "rfi_id": sample["id"]}
    expected = {r["id"] for r in truth(double, "rfi_replies", context)}
    assert {r["id"] for r in replies if r["rfi_id"] == sample["id"]} == expected
    rows = run.records["budget_view_detail_rows"]
    assert rows and all(r["budget_view_id"] and r["project_id"] for r in rows)


def test_ids_above_32_bits_survive(full_run):
    run, _ = full_run
    assert all(r["id"] > 2**32 for r in run.records["rfis"])
    assert all(isinstance(r["id"], int) for r in run.records["submittals"])


def test_pages_are_each_read_once(full_run):
    _, requests = full_run
    pages = collections.Counter(
        r["query"].get("page")
        for r in requests
        if r["path"] == "/rest/v1.0/projects/6000000001/rfis"
    )
    # 2,345 + 3 RFIs at 1,000 per page: pages 1..3, each once.
    assert pages == {"1": 1, "2": 1, "3": 1}
    per_page = {r["query"].get("per_page") for r in requests if "/rfis" in r["path"]}
    assert per_page <= {"1000", None}


def test_inactive_and_unlisted_projects_are_not_extracted(double, full_run):
    run, _ = full_run
    inactive = {p["id"] for p in tenant_projects(double) if not p["active"]}
    assert inactive
    assert not inactive & {r["id"] for r in run.records["projects"]}
    assert not inactive & {r["project_id"] for r in run.records["submittals"]}


def test_tool_switched_off_is_skipped_and_reported(double, full_run):
    run, _requests = full_run
    off = [p for p in tenant_projects(double) if "rfi" in p["tools_off"]]
    assert off
    assert not [r for r in run.records["rfis"] if r["project_id"] == off[0]["id"]]
    assert "Skipping rfis for project" in run.stderr
    assert "Skipped" in run.stderr and f"rfis in project {off[0]['id']}" in run.stderr
    # Other streams of that project still arrive.
    assert [r for r in run.records["submittals"] if r["project_id"] == off[0]["id"]]


def test_incremental_requests_carry_an_updated_at_window(full_run):
    _, requests = full_run
    rfi_requests = [r for r in requests if r["path"].endswith("/rfis")]
    windows = {r["query"].get("filters[updated_at]") for r in rfi_requests}
    assert None not in windows
    lower, upper = next(iter(windows)).split("...")
    assert lower == "2020-01-01T00:00:00Z" and upper.endswith("Z")


def test_daily_logs_are_read_in_date_windows_from_start_date(double, full_run):
    run, requests = full_run
    log_requests = [r for r in requests if r["path"].endswith("/manpower_logs")]
    assert all("start_date" in r["query"] and "end_date" in r["query"] for r in log_requests)
    first_starts = {r["query"]["start_date"] for r in log_requests}
    assert "2020-01-01" in first_starts
    dates = {r["date"] for r in run.records["manpower_logs"]}
    assert len(dates) > 1  # not just today's


def test_project_ids_limit_the_run(double, tmp_path):
    wanted = [6000100002]
    config = base_config(double.url, company_ids(double), project_ids=wanted)
    run = run_tap(tmp_path, config, streams=["projects", "submittals"])
    assert run.returncode == 0, run.stderr[-2000:]
    assert {r["id"] for r in run.records["projects"]} == set(wanted)
    assert {r["project_id"] for r in run.records["submittals"]} == set(wanted)


def test_include_inactive_projects(double, tmp_path):
    config = base_config(double.url, company_ids(double)[:1], include_inactive_projects=True)
    run = run_tap(tmp_path, config, streams=["projects"])
    assert run.returncode == 0, run.stderr[-2000:]
    inactive = {p["id"] for p in tenant_projects(double) if not p["active"]}
    assert inactive <= {r["id"] for r in run.records["projects"]}


def test_small_pages_follow_link_next_to_the_end(double, tmp_path):
    config = base_config(double.url, company_ids(double)[1:2], page_size=2)
    double.control.clear_requests()
    run = run_tap(tmp_path, config, streams=["submittals"])
    assert run.returncode == 0, run.stderr[-2000:]
    requests = [r for r in double.control.requests() if r["path"].endswith("/submittals")]
    projects = {r["path"] for r in requests}
    # 3 records per project at 2 per page: pages 1 and 2 of each project, nothing more.
    assert len(requests) == 2 * len(projects)
    assert len(run.records["submittals"]) == 3 * len(projects)


def test_progress_lines_and_summary_tell_the_operator_what_happens(double, tmp_path):
    config = base_config(double.url, company_ids(double)[:1], progress_interval=0)
    run = run_tap(tmp_path, config, streams=["projects", "rfis", "submittals"])
    assert run.returncode == 0, run.stderr[-2000:]
    progress = [line for line in run.stderr.splitlines() if "Progress after" in line]
    assert progress
    assert re.search(
        r"company 5000000001, project \d of 3 \(\d+\); \d+ records; \d+ requests", progress[-1]
    )
    summary = run.stderr[run.stderr.index("Run summary") :]
    assert re.search(r"Run summary: \d+ records in [\d.]+s, \d+ requests, \d+ retries", summary)
    assert "rfis: " in summary and " requests" in summary
    assert "Company 5000000001: 3 projects extracted" in summary


def test_parents_that_say_they_have_no_children_cost_no_request(fresh_double, tmp_path):
    fresh_double.control.mutate(
        "touch",
        path="/rest/v1.1/projects/6000100001/drawing_areas",
        count=1,
        set={"drawings_count": 0},
    )
    config = base_config(fresh_double.url, [5000000002])
    run = run_tap(tmp_path, config, streams=["drawing_areas", "drawings"])
    assert run.returncode == 0, run.stderr[-2000:]
    areas = run.records["drawing_areas"]
    empty = {a["id"] for a in areas if a.get("drawings_count") == 0}
    asked = {
        int(r["path"].split("/")[4])
        for r in fresh_double.control.requests()
        if r["path"].endswith("/drawings")
    }
    assert empty  # at least the one set to 0 above
    assert asked == {a["id"] for a in areas} - empty
    assert len(asked) >= 1


def test_endpoints_without_paging_are_read_in_one_request(double, tmp_path):
    config = base_config(double.url, [5000000002])
    double.control.clear_requests()
    run = run_tap(tmp_path, config, streams=["specification_sections"])
    assert run.returncode == 0, run.stderr[-2000:]
    requests = [r for r in double.control.requests() if "specification_sections" in r["path"]]
    assert len(requests) == 4  # one per active project
    assert all("page" not in r["query"] and "per_page" not in r["query"] for r in requests)
    expected = sum(
        double.control.records("/rest/v1.0/specification_sections", project_id=pid)["count"]
        for pid in (6000100001, 6000100002, 6000100003, 6000100004)
    )
    assert len(run.records["specification_sections"]) == expected


def test_fields_the_schema_lacks_are_kept_and_reported(double, tmp_path):
    # The double's RFIs have the fields of the API description's RFI update operation, among
    # them `question`, which the tap's RFI schema (from Procore's reference) calls `questions`.
    config = base_config(double.url, [5000000002])
    run = run_tap(tmp_path, config, streams=["rfis"])
    assert run.returncode == 0
    rfis = run.records["rfis"]
    assert rfis and all("question" in r["_procore_extra"] for r in rfis)
    assert any(r["_procore_extra"]["question"] for r in rfis)
    warnings = [line for line in run.stderr.splitlines() if "rfis: kept in _procore_extra" in line]
    assert len(warnings) == 1 and "question" in warnings[0]
