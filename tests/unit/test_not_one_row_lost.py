"""Not one row lost: listings that change while they are paged, id sources that refuse, and the
rule under both, that a scope keeps its old bookmark unless it was read completely.

Each test runs the tap whole, in process, against the in-process double, whose listings page by
offset as Procore's do: a row deleted (or edited out of the window) between two pages moves every
later row back one place.
"""

from __future__ import annotations

import pytest
import requests_mock

from procore_double.api import Query
from procore_double.in_process import in_process_double
from tap_procore.errors import IncompleteListing
from tap_procore.tap import TapProcore
from tests.conftest import plain_tenant
from tests.unit.in_process_sync import sync

COMPANY = 5000000001
PROJECT = 6000000001
RFIS = f"/rest/v1.0/projects/{PROJECT}/rfis"
INSTRUCTIONS = f"/rest/v1.0/projects/{PROJECT}/instructions"
PAGE = 5
TENANT = plain_tenant(
    companies=1,
    projects_per_company=1,
    big_lists=[
        {"route": "/rest/v1.0/projects/{project_id}/rfis", "project_id": PROJECT, "count": 23},
        {
            "route": "/rest/v1.0/projects/{project_id}/instructions",
            "project_id": PROJECT,
            "count": 23,
        },
    ],
)
LATER = "2099-01-01T00:00:00Z"  # an edit after the run's upper bound leaves its window


def listed_ids(double, path: str) -> list:
    """The ids of a listing, in Procore's (the double's) order."""
    truth = double.app.api.ground_truth(path, Query.from_mapping({}))
    return [row["id"] for row in truth["records"]]


def change_after_page(double, path: str, page: int, action: str, positions, **extra) -> list:
    """Between page `page` and the next, change the rows at `positions`; their ids."""
    ids = listed_ids(double, path)
    chosen = [ids[position] for position in positions]
    mutation = {"action": action, "path": path, "ids": chosen, **extra}
    if action == "add":
        mutation = {"action": "add", "path": path, "count": len(positions)}
    double.app.faults.add(
        [{"kind": "mutate_after_page", "path": f"{path}$", "page": page, "mutation": mutation}]
    )
    return chosen


# Positions: on the page just read, at its end, spanning the boundary, several pages back.
CHANGES = [(1, [0]), (1, [4]), (1, [3, 4, 5]), (2, [0, 6, 9]), (3, [1, 2, 3, 4, 5, 6, 7])]


@pytest.mark.parametrize(("page", "positions"), CHANGES)
@pytest.mark.parametrize("action", ["delete", "touch"])
def test_every_row_that_stayed_is_read_when_rows_leave_between_pages(page, positions, action):
    with in_process_double(TENANT) as double:
        before = listed_ids(double, RFIS)
        extra = {"updated_at": LATER} if action == "touch" else {}
        changed = change_after_page(double, RFIS, page, action, positions, **extra)
        run = sync(double, [COMPANY], ["projects", "rfis"], page_size=PAGE)
    assert run.error is None, run.log
    stayed = set(before) - set(changed)
    assert stayed <= set(run.ids("rfis")), sorted(stayed - set(run.ids("rfis")))
    assert len(run.ids("rfis")) == len(set(run.ids("rfis")))  # each row once


@pytest.mark.parametrize(("page", "positions"), CHANGES[:3])
def test_every_row_is_read_when_rows_are_added_between_pages(page, positions):
    with in_process_double(TENANT) as double:
        before = listed_ids(double, INSTRUCTIONS)
        change_after_page(double, INSTRUCTIONS, page, "add", positions)
        run = sync(double, [COMPANY], ["projects", "instructions"], page_size=PAGE)
    assert run.error is None, run.log
    assert set(before) <= set(run.ids("instructions"))
    assert len(run.ids("instructions")) == len(set(run.ids("instructions")))


def test_rows_deleted_between_pages_of_a_full_table_listing_are_all_read():
    with in_process_double(TENANT) as double:
        before = listed_ids(double, INSTRUCTIONS)
        changed = change_after_page(double, INSTRUCTIONS, 2, "delete", [1, 2])
        run = sync(double, [COMPANY], ["projects", "instructions"], page_size=PAGE)
    assert run.error is None, run.log
    assert set(before) - set(changed) <= set(run.ids("instructions"))


def test_a_listing_that_never_stops_changing_is_given_up_not_looped():
    api = "https://api.example.com"
    served = iter(range(10**6))

    def churning_page(request, context):
        # Each answer: new rows and a new Total, as if the list were rewritten between pages.
        n = next(served)
        context.headers["Total"] = str(20 + n)
        return [{"id": n * 100 + i, "updated_at": "2024-01-01T00:00:00Z"} for i in range(5)]

    config = {
        "client_id": "id",
        "client_secret": "secret-value",
        "company_ids": [COMPANY],
        "api_url": api,
        "auth_url": "https://login.example.com",
        "page_size": PAGE,
    }
    with requests_mock.Mocker() as mock:
        mock.post("https://login.example.com/oauth/token", json={"access_token": "t" * 20})
        mock.get(f"{api}/rest/v1.0/companies/{COMPANY}/trades", json=churning_page)
        stream = TapProcore(config=config, setup_mapper=False).streams["trades"]
        rows = []
        with pytest.raises(IncompleteListing, match="kept changing while it was read"):
            rows.extend(stream.request_records({"company_id": COMPANY}))
        pages = mock.call_count - 1
    # Its 4 pages, at most twice that many read again (and one read ahead), then given up.
    assert pages <= 3 * 4 + 2
    assert len({row["id"] for row in rows}) == len(rows)


def test_a_listing_short_of_its_total_is_read_again_once_then_held_back_at_its_bookmark():
    with in_process_double(TENANT) as double:
        first = sync(double, [COMPANY], ["projects", "rfis"], page_size=PAGE)
        bookmark = first.state["bookmarks"]["rfis"]["replication_key_value"]
        touched = double.app.api.mutate({"action": "touch", "path": RFIS, "count": 2})["ids"]
        # Procore's Total says three more rows than it sends, on every page.
        double.app.faults.add(
            [{"kind": "wrong_total", "path": f"{RFIS}$", "total_delta": 3, "times": 100}]
        )
        short = sync(double, [COMPANY], ["projects", "rfis"], page_size=PAGE, state=first.state)
        double.app.faults.clear()
        after = sync(double, [COMPANY], ["projects", "rfis"], page_size=PAGE, state=short.state)
    assert first.error is None and after.error is None
    assert type(short.error).__name__ == "ScopesFailed"
    assert "reading the listing again from its first page" in short.log
    assert f"rfis in project {PROJECT} (first failure)" in short.log
    # The bookmark moved on, but not for this project: the next run reads it from the old one.
    held = short.state["bookmarks"]["rfis"]
    assert held["replication_key_value"] > bookmark
    assert held["behind"] == {bookmark: [PROJECT]}
    assert short.state["bookmarks"]["projects"]["failing"] == {"rfis": {str(PROJECT): 1}}
    assert set(touched) <= set(after.ids("rfis"))
    assert "behind" not in after.state["bookmarks"]["rfis"]
    assert "failing" not in after.state["bookmarks"]["projects"]


PO_CONTRACTS = "/rest/v1.0/purchase_order_contracts"


@pytest.mark.parametrize("fault", ["http_403", "http_500"])
def test_a_stream_whose_id_source_is_refused_is_read_whole_once_it_answers(fault):
    streams = ["projects", "rfqs"]
    with in_process_double(TENANT) as double:
        double.app.faults.add([{"kind": fault, "path": f"{PO_CONTRACTS}$", "times": 100}])
        refused = sync(double, [COMPANY], streams, max_retries=1)
        double.app.faults.clear()
        granted = sync(double, [COMPANY], streams, state=refused.state)
        everything = sync(double, [COMPANY], streams)
    rfqs = refused.state["bookmarks"]["rfqs"]
    assert rfqs["not_covered"] == [PROJECT]
    assert "its ids come from purchase_order_contracts" in refused.log
    assert (refused.error is None) == (fault == "http_403")  # refused: skipped; failed: failed
    # Every RFQ arrives once the source answers, not only those changed since the bookmark.
    assert everything.ids("rfqs")
    assert set(everything.ids("rfqs")) <= set(refused.ids("rfqs")) | set(granted.ids("rfqs"))
    assert "not_covered" not in granted.state["bookmarks"]["rfqs"]


def test_a_record_without_its_key_is_left_out_named_and_read_again_once_it_has_one():
    with in_process_double(TENANT) as double:
        # The third row of the second page comes without its id, on every read.
        double.app.faults.add([{"kind": "null_key", "path": f"{RFIS}$", "row": 2, "times": 100}])
        broken = sync(double, [COMPANY], ["projects", "rfis", "submittals"], page_size=PAGE)
        double.app.faults.clear()
        fixed = sync(
            double,
            [COMPANY],
            ["projects", "rfis", "submittals"],
            page_size=PAGE,
            state=broken.state,
        )
        all_rfis = listed_ids(double, RFIS)
    assert type(broken.error).__name__ == "ScopesFailed"
    assert "a record without a usable 'id'" in broken.log
    assert "(page 1, row 3)" in broken.log and "it has fields" in broken.log
    # Every other record of the listing, and every other stream, was delivered.
    assert len(broken.ids("rfis")) == len(all_rfis) - 5  # one left out per page
    assert broken.records["submittals"]
    assert broken.state["bookmarks"]["rfis"]["not_covered"] == [PROJECT]
    assert fixed.error is None
    assert set(all_rfis) <= set(broken.ids("rfis")) | set(fixed.ids("rfis"))
