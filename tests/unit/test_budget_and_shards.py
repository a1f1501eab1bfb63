"""Runs with a budget, and shards: a large company read in bounded runs, or by several jobs.

In process, against the in-process double. A run that spends its budget stops at the next page,
saves its state and ends without an error; the next run continues where it stopped. Shards
split the projects by a stable hash; together they read exactly what one job reads.
"""

from __future__ import annotations

import collections

import pytest

from procore_double.in_process import in_process_double
from tap_procore.config import parse_shard
from tap_procore.errors import ConfigError
from tap_procore.hierarchy import shard_of
from tests.conftest import plain_tenant
from tests.unit.in_process_sync import Sync, sync

COMPANY = 5000000001
STREAMS = ["projects", "rfis", "rfi_replies", "submittals", "trades", "company_users"]
TENANT = plain_tenant(
    companies=1,
    projects_per_company=6,
    records_per_list=3,
)
KEYS = {"projects": ("id",), "trades": ("company_id", "id"), "company_users": ("company_id", "id")}


def keys(run: Sync) -> set[tuple]:
    found = set()
    for stream, records in run.records.items():
        names = KEYS.get(stream, ("project_id", "id"))
        found |= {(stream, *(record[name] for name in names)) for record in records}
    return found


def api_paths(double, since: int) -> collections.Counter[tuple[str, str]]:
    """Requests to Procore's API (the login aside), by path and page."""
    return collections.Counter(
        (exchange.path, exchange.query.get("page", ""))
        for exchange in double.exchanges[since:]
        if exchange.path.startswith("/rest/")
    )


def test_a_first_sync_in_bounded_runs_loses_and_repeats_nothing():
    with in_process_double(TENANT) as double:
        whole = sync(double, [COMPANY], STREAMS)
        reference = api_paths(double, 0)
        budget = 12
        state, runs, union = None, 0, set()
        read = collections.Counter()
        while True:
            since = len(double.exchanges)
            run = sync(double, [COMPANY], STREAMS, state=state, max_requests_per_run=budget)
            assert run.error is None, run.log[-2000:]
            runs += 1
            spent = api_paths(double, since)
            # Within its budget, but for the page it was reading when the budget ran out.
            assert sum(spent.values()) <= budget + 1
            read += spent
            union |= keys(run)
            state = run.state
            if "sweep" not in state["bookmarks"]["projects"]:
                break
            assert "Stopped at the run's budget" in run.log
            assert runs < 60
    assert whole.error is None
    assert runs > 3
    assert union == keys(whole)
    # Nothing read twice but what a stop cut short: at most one listing per stop, plus the
    # project list and the company lookup each run starts with.
    repeated = sum((read - reference).values())
    assert repeated <= 3 * runs


def test_a_run_out_of_time_stops_the_same_way():
    with in_process_double(TENANT) as double:
        run = sync(double, [COMPANY], STREAMS, max_run_minutes=1e-6)
    assert run.error is None
    assert "max_run_minutes" in run.log and "Stopped at the run's budget" in run.log
    assert "sweep" in run.state["bookmarks"]["projects"]


def test_shards_together_read_exactly_what_one_job_reads():
    with in_process_double(TENANT) as double:
        whole = sync(double, [COMPANY], STREAMS)
        first = sync(double, [COMPANY], STREAMS, shard="1/2")
        second = sync(double, [COMPANY], STREAMS, shard="2/2")
    assert whole.error is None and first.error is None and second.error is None
    assert keys(first) | keys(second) == keys(whole)
    assert not keys(first) & keys(second)
    # Company-level streams are read by shard 1 only; both shards read projects.
    assert "trades" not in second.records and "trades" in first.records
    assert first.ids("projects") and second.ids("projects")
    assert "company-level streams are read by shard 1 of 2" in second.log


def test_a_project_belongs_to_one_shard_whatever_its_id():
    counts = collections.Counter(
        shard_of(project_id, 4) for project_id in range(10**6, 10**6 + 4000)
    )
    assert set(counts) == {1, 2, 3, 4}
    assert min(counts.values()) > 900  # balanced for consecutive ids
    assert shard_of(123456, 4) == shard_of(123456, 4)


@pytest.mark.parametrize("value", ["0/2", "3/2", "a/b", "2", "", 2])
def test_a_shard_setting_that_is_not_k_of_n_is_named(value):
    with pytest.raises(ConfigError, match="'shard': must be 'k/n'"):
        parse_shard(value)
