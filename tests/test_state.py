"""Incremental state that loses nothing: kills and resumes, new projects, new streams, changes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from procore_double import spawn_double
from tap_procore import dates
from tests.conftest import REPO, base_config, catalog_selecting, run_tap

INCREMENTAL = ["rfis", "submittals", "change_events", "punch_items", "project_users", "trades"]
STREAMS = ["projects", "rfi_replies", "budget_views", "manpower_logs", *INCREMENTAL]
KEYS = {
    "projects": ("id",),
    "trades": ("company_id", "id"),
    "rfi_replies": ("project_id", "rfi_id", "id"),
}


def keyed(stream: str, record: dict) -> tuple:
    return (stream, *(record[key] for key in KEYS.get(stream, ("project_id", "id"))))


def keys_of(messages) -> set[tuple]:
    return {keyed(m["stream"], m["record"]) for m in messages if m["type"] == "RECORD"}


@pytest.fixture(scope="module")
def state_double():
    # Small RFI lists keep the replies affordable; 3 companies, 4 projects each.
    with spawn_double(
        hourly_limit=10**9,
        spike_limit=10**9,
        big_lists=[
            {"route": "RestV10ProjectsProjectIdRfisGet", "project_id": 6000100001, "count": 30}
        ],
    ) as running:
        yield running


def config_for(double, **extra):
    return base_config(double.url, [5000000001, 5000000002, 5000000003], **extra)


def run_until_killed(tmp_path, config, after_states: int) -> list[dict]:
    """Run the tap and SIGKILL it after it has written `after_states` STATE messages."""
    config_path = tmp_path / f"config-{after_states}.json"
    catalog_path = tmp_path / f"catalog-{after_states}.json"
    config_path.write_text(json.dumps(config))
    catalog_path.write_text(json.dumps(catalog_selecting(STREAMS)))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tap_procore.tap",
            "--config",
            str(config_path),
            "--catalog",
            str(catalog_path),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    messages = []
    states = 0
    assert process.stdout is not None
    for line in process.stdout:
        message = json.loads(line)
        messages.append(message)
        if message["type"] == "STATE":
            states += 1
            if states == after_states:
                process.send_signal(signal.SIGKILL)
                break
    process.wait(30)
    process.stdout.close()
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    return messages


@pytest.mark.parametrize("kill_after_states", [2, 6, 11])
def test_killed_run_resumed_from_its_last_state_loses_nothing(
    state_double, tmp_path, kill_after_states
):
    config = config_for(state_double)
    clean = run_tap(tmp_path / "clean", config, streams=STREAMS)
    assert clean.returncode == 0, clean.stderr[-2000:]
    expected = keys_of(clean.messages)

    killed = run_until_killed(tmp_path, config, kill_after_states)
    last_state_at = max(i for i, m in enumerate(killed) if m["type"] == "STATE")
    before_checkpoint = killed[: last_state_at + 1]
    checkpoint = killed[last_state_at]["value"]
    assert "sweep" in checkpoint["bookmarks"]["projects"]

    resumed = run_tap(tmp_path / "resumed", config, streams=STREAMS, state=checkpoint)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    union = keys_of(before_checkpoint) | keys_of(resumed.messages)
    missing = expected - union
    assert not missing, sorted(missing)[:10]
    # The resume did not start over: projects finished before the kill were not read again.
    assert len(keys_of(resumed.messages)) < len(expected)
    assert "sweep" not in resumed.final_state["bookmarks"]["projects"]


def test_second_run_reads_only_changes_and_new_projects_get_full_history(tmp_path):
    with spawn_double(hourly_limit=10**9, spike_limit=10**9, big_lists=[]) as double:
        config = config_for(double)
        first = run_tap(tmp_path / "1", config, streams=STREAMS)
        assert first.returncode == 0, first.stderr[-2000:]

        unchanged = run_tap(tmp_path / "2", config, streams=STREAMS, state=first.final_state)
        assert unchanged.returncode == 0
        for stream in INCREMENTAL:
            assert unchanged.records.get(stream, []) == [], stream

        touched = double.control.mutate(
            "touch", path="/rest/v1.0/projects/6000100002/rfis", count=2
        )
        added = double.control.mutate(
            "add", path="/rest/v1.0/change_events", query={"project_id": 6000200001}, count=1
        )
        new_project = double.control.mutate(
            "add_project", company_id=5000000002, name="New build", records_per_list=2
        )
        third = run_tap(tmp_path / "3", config, streams=STREAMS, state=unchanged.final_state)
        assert third.returncode == 0, third.stderr[-2000:]
        new_id = new_project["project"]["id"] if "project" in new_project else new_project["id"]

        rfis = third.records["rfis"]
        assert {r["id"] for r in rfis if r["project_id"] != new_id} == set(touched["ids"])
        assert {
            r["id"] for r in third.records["change_events"] if r["project_id"] != new_id
        } == set(added["ids"])
        # The new project arrives with its whole history, including old records.
        new_rfis = [r for r in rfis if r["project_id"] == new_id]
        expected = double.control.records(f"/rest/v1.0/projects/{new_id}/rfis")["records"]
        assert {r["id"] for r in new_rfis} == {r["id"] for r in expected}
        assert len(new_rfis) == 2
        assert new_id in {r["id"] for r in third.records["projects"]}
        windows = [
            r["query"].get("filters[updated_at]")
            for r in double.control.requests()
            if r["path"] == "/rest/v1.0/projects/6000100002/rfis"
        ]
        # The window starts window_overlap_seconds (300 by default) before the bookmark.
        bookmark = unchanged.final_state["bookmarks"]["rfis"]["replication_key_value"]
        expected_lower = dates.parse_timestamp(bookmark) - dates.seconds(300)
        assert windows[-1].split("...")[0] == dates.format_timestamp(expected_lower)


def test_newly_selected_stream_gets_full_history(tmp_path):
    with spawn_double(hourly_limit=10**9, spike_limit=10**9, big_lists=[]) as double:
        config = config_for(double)
        first = run_tap(tmp_path / "1", config, streams=["rfis"])
        assert first.returncode == 0
        second = run_tap(
            tmp_path / "2", config, streams=["rfis", "submittals"], state=first.final_state
        )
        assert second.returncode == 0, second.stderr[-2000:]
        assert second.records.get("rfis", []) == []
        full = run_tap(tmp_path / "3", config, streams=["submittals"])
        assert keys_of(second.messages) == keys_of(full.messages)
        assert len(second.records["submittals"]) > 0


def test_state_stays_small(tmp_path, state_double):
    run = run_tap(tmp_path, config_for(state_double), streams=STREAMS)
    assert run.returncode == 0
    total = sum(len(json.dumps(state)) for state in run.states)
    final = len(json.dumps(run.final_state))
    assert final < 5_000
    assert total < 100_000
