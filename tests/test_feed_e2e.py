"""The change feed through `meltano run` into PostgreSQL: recycle-bin records and delete events
mark rows deleted (`_sdc_deleted_at` set), and the hook is set up with the `webhooks` command."""

from __future__ import annotations

import uuid

import pytest

from procore_double import spawn_double
from tests.test_e2e_meltano import meltano, meltano_environment, pg_query, postgres_target

pytestmark = pytest.mark.e2e

COMPANY = 5000000001
PROJECTS = [6000000001, 6000000002]
STREAMS = ["projects", "rfis", "punch_items", "deleted_punch_items"]


def deleted(schema: str, table: str) -> dict[tuple[int, int], bool]:
    return {
        (project, ident): marked
        for project, ident, marked in pg_query(
            f'select project_id, id, _sdc_deleted_at is not null from "{schema}"."{table}"'
        )
    }


def test_deletes_reach_postgres_as_marked_rows(tmp_path):
    with spawn_double(
        companies=1,
        projects_per_company=2,
        records_per_list=2,
        big_lists=[],
        inactive_projects=[],
        empty_projects=[],
        tools_off={},
        hourly_limit=10**9,
        spike_limit=10**9,
    ) as double:
        env = meltano_environment(double, tmp_path, [f"{stream}.*" for stream in STREAMS])
        env["TAP_PROCORE_CHANGE_FEED"] = "true"
        schema = f"feed_e2e_{uuid.uuid4().hex[:8]}"
        env = postgres_target(env, schema)
        assert meltano("install", env=env).returncode == 0
        setup = meltano(
            "invoke",
            "tap-procore:webhooks",
            "setup",
            "--destination-url",
            "https://example.invalid/procore",
            env=env,
        )
        assert setup.returncode == 0, setup.stderr[-3000:]
        assert "creating a company-level hook" in setup.stdout
        # Activity before the first run, as in any company with a hook.
        double.control.mutate(
            "touch", path="/rest/v1.1/punch_items", query={"project_id": PROJECTS[1]}, count=1
        )
        try:
            first = meltano("run", "tap-procore", "target-postgres", env=env)
            assert first.returncode == 0, first.stderr[-4000:]
            # Recycle bins: every punch item already in a bin is a marked row of punch_items.
            bins = {
                (pid, record["id"])
                for pid in PROJECTS
                for record in double.control.records(
                    "/rest/v1.1/punch_items/recycle_bin", project_id=pid
                )["records"]
            }
            punch = deleted(schema, "punch_items")
            assert bins and {key for key, marked in punch.items() if marked} == bins
            assert not any(deleted(schema, "rfis").values())

            gone = double.control.mutate(
                "delete", path=f"/rest/v1.0/projects/{PROJECTS[0]}/rfis", count=1
            )["ids"][0]
            double.control.clear_requests()
            second = meltano("run", "tap-procore", "target-postgres", env=env)
            assert second.returncode == 0, second.stderr[-4000:]
            # The delete event marks the row; nothing else in rfis is marked.
            rfis = deleted(schema, "rfis")
            assert {key for key, marked in rfis.items() if marked} == {(PROJECTS[0], gone)}
            # Only the project with an event was asked for its RFIs.
            asked = {r["path"] for r in double.control.requests() if r["path"].endswith("/rfis")}
            assert asked == {f"/rest/v1.0/projects/{PROJECTS[0]}/rfis"}
        finally:
            pg_query(f'drop schema if exists "{schema}" cascade')
