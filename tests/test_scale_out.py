"""Scale-out: shards of one company, each its own job with its own project_ids, state and share
of the rate limit, together extract exactly what one full run extracts."""

from __future__ import annotations

from tests.conftest import base_config, run_tap, tenant_projects

PROJECT_STREAMS = ["rfis", "submittals", "change_events", "punch_items"]
KEYS = {"projects": ("id",), "trades": ("company_id", "id")}


def keys(run, streams) -> set[tuple]:
    return {
        (stream, *(record[key] for key in KEYS.get(stream, ("project_id", "id"))))
        for stream in streams
        for record in run.records.get(stream, [])
    }


def test_two_shards_produce_exactly_the_records_of_one_full_run(double, tmp_path):
    companies = [5000000001, 5000000002]
    projects = sorted(
        p["id"] for p in tenant_projects(double) if p["company_id"] in companies and p["active"]
    )
    streams = ["projects", "trades", *PROJECT_STREAMS]
    full = run_tap(tmp_path / "full", base_config(double.url, companies), streams=streams)
    assert full.returncode == 0, full.stderr[-2000:]

    half = len(projects) // 2
    shard_a = run_tap(
        tmp_path / "a",
        base_config(
            double.url, companies, project_ids=projects[:half], max_requests_per_hour=10**6
        ),
        streams=streams,
    )
    # Company-level streams run in one shard only, as the README's shard layout does.
    shard_b = run_tap(
        tmp_path / "b",
        base_config(
            double.url, companies, project_ids=projects[half:], max_requests_per_hour=10**6
        ),
        streams=["projects", *PROJECT_STREAMS],
    )
    assert shard_a.returncode == shard_b.returncode == 0
    a_keys, b_keys = keys(shard_a, streams), keys(shard_b, streams)
    assert a_keys | b_keys == keys(full, streams)
    assert not (a_keys & b_keys)  # no project is read twice
    assert {r["id"] for r in shard_a.records["projects"]} == set(projects[:half])
    # Each shard's state covers its own projects only: they are separate state ids.
    covered_a = shard_a.final_state["bookmarks"]["projects"]["covered"]["projects"]
    assert sorted(p for ids in covered_a.values() for p in ids) == projects[:half]
