"""The sweep's state design: windows, coverage, resume and registry, without HTTP."""

from __future__ import annotations

import copy
import datetime as dt

from tap_procore.dates import format_timestamp as format_ts
from tap_procore.sweep import Scope, Sweep, validate_state

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
START = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
COMPANY = 7


def day(n: int) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def run_sweep(
    state: dict,
    now: dt.datetime,
    projects: list[int],
    streams=("rfis",),
    *,
    stop_after: int | None = None,
    skips=(),
) -> tuple[Sweep, dict]:
    """Simulate one run over one company: returns the sweep and the lower bounds it used."""
    sweep = Sweep(state, company_ids=[COMPANY], start_date=START, now=now)
    sweep.enrol(streams)
    lowers: dict = {}
    sweep.note_company(COMPANY)
    sweep.finish_scope(Scope(COMPANY))
    for index, project in enumerate(sorted(projects)):
        if stop_after is not None and index >= stop_after:
            return sweep, lowers
        scope = Scope(COMPANY, project)
        for stream in streams:
            if sweep.already_done(stream, scope):
                continue
            if (stream, project) in skips:
                sweep.keep_coverage(stream, scope, failed=True)
                continue
            lowers[(stream, project)] = sweep.lower_bound([stream], scope)
        sweep.finish_scope(scope)
    sweep.finish_scope(Scope(COMPANY))
    sweep.complete(incremental={s: "updated_at" for s in streams}, descendants=[])
    return sweep, lowers


def test_first_run_reads_from_start_date_and_then_only_changes():
    state: dict = {}
    _, lowers = run_sweep(state, day(0), [1, 2])
    assert lowers == {("rfis", 1): START, ("rfis", 2): START}
    assert state["bookmarks"]["rfis"]["replication_key_value"] == format_ts(day(0))
    _, lowers = run_sweep(state, day(1), [1, 2])
    assert lowers == {("rfis", 1): day(0), ("rfis", 2): day(0)}


def test_new_project_gets_full_history_and_vanished_project_leaves_the_registry():
    state: dict = {}
    run_sweep(state, day(0), [1, 2])
    _, lowers = run_sweep(state, day(1), [1, 3])
    assert lowers[("rfis", 1)] == day(0)
    assert lowers[("rfis", 3)] == START
    registered = [
        p for ids in state["bookmarks"]["projects"]["covered"]["projects"].values() for p in ids
    ]
    assert sorted(registered) == [1, 3]
    # Project 2 comes back later: it was not swept in between, so it is read in full again.
    _, lowers = run_sweep(state, day(2), [1, 2, 3])
    assert lowers[("rfis", 2)] == START
    assert lowers[("rfis", 3)] == day(1)


def test_newly_selected_stream_gets_full_history():
    state: dict = {}
    run_sweep(state, day(0), [1, 2], streams=("rfis",))
    _, lowers = run_sweep(state, day(1), [1, 2], streams=("rfis", "submittals"))
    assert lowers[("rfis", 1)] == day(0)
    assert lowers[("submittals", 1)] == START


def test_a_project_never_read_whole_stays_uncovered_until_it_is():
    state: dict = {}
    run_sweep(state, day(0), [1, 2], skips={("rfis", 2)})
    assert state["bookmarks"]["rfis"]["not_covered"] == [2]
    _, lowers = run_sweep(state, day(1), [1, 2])
    assert lowers[("rfis", 2)] == START
    assert "not_covered" not in state["bookmarks"]["rfis"]


def test_a_covered_project_not_read_whole_keeps_its_old_bookmark_until_it_is():
    state: dict = {}
    run_sweep(state, day(0), [1, 2])
    # Two sweeps fail project 2: its coverage stays at day 0, the bookmark moves on.
    run_sweep(state, day(1), [1, 2], skips={("rfis", 2)})
    assert state["bookmarks"]["rfis"]["behind"] == {format_ts(day(0)): [2]}
    assert state["bookmarks"]["projects"]["failing"] == {"rfis": {"2": 1}}
    _, lowers = run_sweep(state, day(2), [1, 2], skips={("rfis", 2)})
    assert lowers == {("rfis", 1): day(1)}
    assert state["bookmarks"]["rfis"]["behind"] == {format_ts(day(0)): [2]}
    assert state["bookmarks"]["projects"]["failing"] == {"rfis": {"2": 2}}
    # Read whole at last: from the old bookmark, then like any other project.
    _, lowers = run_sweep(state, day(3), [1, 2])
    assert lowers == {("rfis", 1): day(2), ("rfis", 2): day(0)}
    assert "behind" not in state["bookmarks"]["rfis"]
    assert "failing" not in state["bookmarks"]["projects"]
    validate_state(state)


def test_interrupted_sweep_resumes_with_same_upper_bound_and_skips_finished_projects():
    state: dict = {}
    run_sweep(state, day(0), [1, 2, 3])
    sweep, lowers = run_sweep(state, day(1), [1, 2, 3], stop_after=2)
    assert set(lowers) == {("rfis", 1), ("rfis", 2)}
    checkpoint = copy.deepcopy(state)
    # The resumed run starts later but keeps the interrupted sweep's upper bound.
    sweep, lowers = run_sweep(checkpoint, day(5), [1, 2, 3])
    assert sweep.upper == day(1)
    assert set(lowers) == {("rfis", 3)}
    assert lowers[("rfis", 3)] == day(0)
    assert checkpoint["bookmarks"]["rfis"]["replication_key_value"] == format_ts(day(1))
    assert "sweep" not in checkpoint["bookmarks"]["projects"]


def test_stream_joining_a_resumed_sweep_reads_every_project():
    state: dict = {}
    run_sweep(state, day(0), [1, 2, 3], streams=("rfis",))
    run_sweep(state, day(1), [1, 2, 3], streams=("rfis",), stop_after=2)
    _, lowers = run_sweep(state, day(2), [1, 2, 3], streams=("rfis", "submittals"))
    assert {key for key in lowers if key[0] == "submittals"} == {
        ("submittals", 1),
        ("submittals", 2),
        ("submittals", 3),
    }
    assert {key for key in lowers if key[0] == "rfis"} == {("rfis", 3)}


def test_project_new_in_interrupted_sweep_is_not_redone_but_one_that_appeared_later_is():
    state: dict = {}
    run_sweep(state, day(0), [10, 30])
    run_sweep(state, day(1), [10, 20, 30], stop_after=2)  # 10 and the new 20 are done
    _, lowers = run_sweep(state, day(2), [5, 10, 20, 30])
    # 5 appeared after the interruption below the position: it was never read, so it is.
    assert set(lowers) == {("rfis", 5), ("rfis", 30)}
    assert lowers[("rfis", 5)] == START


def test_state_stays_small_for_a_thousand_projects_and_150_streams():
    import json

    state: dict = {}
    streams = tuple(f"stream_{i}" for i in range(150))
    projects = list(range(5_000_000_001, 5_000_001_001))
    run_sweep(state, day(0), projects, streams=streams)
    run_sweep(state, day(1), projects, streams=streams)
    size = len(json.dumps(state))
    assert size < 100_000, size
