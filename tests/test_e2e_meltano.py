"""Real Meltano, real targets: `meltano run tap-procore target-postgres` into the local
PostgreSQL, and into target-jsonl, against the Procore double.

Every test that runs Meltano in this checkout lives in this file: Meltano keeps its run files in
the project's .meltano/run and clears them when a run ends, so two runs at once in one project
break each other, and pytest-xdist runs a file's tests on one worker, one after another."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from procore_double import spawn_double
from tests.conftest import (
    FOUNDATION_STREAMS,
    REPO,
    discover,
    meltano_install,
    plain_tenant,
    seed_company_webhooks,
)

pytestmark = pytest.mark.e2e

STREAMS = FOUNDATION_STREAMS
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}
STATE_ID = "dev:tap-procore-to-target-postgres"


def meltano(*args: str, env: dict, timeout: float = 900) -> subprocess.CompletedProcess:
    executable = shutil.which("meltano") or str(Path(os.sys.executable).parent / "meltano")
    return subprocess.run(
        [executable, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def meltano_environment(double, database_dir: Path, select: list[str]) -> dict[str, str]:
    """What Meltano needs to run this project against a double, nothing from the caller's
    environment that could change the run."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TAP_PROCORE", "TARGET_", "MELTANO_"))
    }
    companies = [company["id"] for company in double.control.tenant()["companies"]]
    env.update(
        {
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "MELTANO_ENVIRONMENT": "dev",
            "MELTANO_DATABASE_URI": f"sqlite:///{database_dir}/meltano.db",
            "TAP_PROCORE_API_URL": double.url,
            "TAP_PROCORE_AUTH_URL": double.url,
            "TAP_PROCORE_CLIENT_ID": "double-client-id",
            "TAP_PROCORE_CLIENT_SECRET": "double-client-secret",
            "TAP_PROCORE_COMPANY_IDS": json.dumps(companies),
            "TAP_PROCORE_START_DATE": "2020-01-01T00:00:00Z",
            "TAP_PROCORE__SELECT": json.dumps(select),
        }
    )
    return env


def postgres_target(env: dict[str, str], schema: str) -> dict[str, str]:
    return {
        **env,
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema,
        "TARGET_POSTGRES_DATABASE": PG["dbname"],
        "TARGET_POSTGRES_HOST": PG["host"],
        "TARGET_POSTGRES_PORT": str(PG["port"]),
        "TARGET_POSTGRES_USER": PG["user"],
    }


@pytest.fixture(scope="module")
def meltano_env(tmp_path_factory):
    """A double plus the environment Meltano needs; plugins installed once per module."""
    with spawn_double(
        hourly_limit=10**9,
        spike_limit=10**9,
        big_lists=[
            {"route": "RestV10ProjectsProjectIdRfisGet", "project_id": 6000000001, "count": 1500}
        ],
    ) as double:
        env = meltano_environment(
            double, tmp_path_factory.mktemp("meltano"), [f"{stream}.*" for stream in STREAMS]
        )
        meltano_install(lambda: meltano("install", env=env))
        yield double, env


def pg_query(sql: str, *params) -> list[tuple]:
    with psycopg.connect(**PG, autocommit=True) as connection:
        cursor = connection.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def expected_rows(double) -> dict[str, int]:
    counts = {"companies": 3, "projects": 0, "rfis": 0, "submittals": 0, "change_events": 0}
    for project in double.control.tenant()["projects"]:
        if not project["active"]:
            continue
        pid = project["id"]
        counts["projects"] += 1
        counts["submittals"] += double.control.records(f"/rest/v1.1/projects/{pid}/submittals")[
            "count"
        ]
        counts["change_events"] += double.control.records(
            "/rest/v1.0/change_events", project_id=pid
        )["count"]
        if "rfi" not in project["tools_off"]:
            counts["rfis"] += double.control.records(f"/rest/v1.0/projects/{pid}/rfis")["count"]
    return counts


PRIMARY_KEYS = {
    "companies": "id",
    "projects": "id",
    "rfis": "project_id, id",
    "rfi_replies": "project_id, rfi_id, id",
    "submittals": "project_id, id",
    "change_events": "project_id, id",
    "trades": "company_id, id",
    "budget_view_detail_rows": "project_id, budget_view_id, row_key",
}


def test_meltano_run_into_postgres_lands_every_row_once(meltano_env):
    double, env = meltano_env
    schema = f"procore_e2e_{uuid.uuid4().hex[:8]}"
    env = postgres_target(env, schema)
    try:
        run = meltano("run", "tap-procore", "target-postgres", env=env)
        assert run.returncode == 0, run.stderr[-4000:]
        # The shipped meltano.yml quiets the loader's per-batch lines; the tap's summary stays.
        assert "Run summary:" in run.stderr
        assert "Inserting with SQL" not in run.stderr
        assert not [line for line in run.stderr.splitlines() if "METRIC" in line], "METRIC lines"
        tables = {
            row[0]
            for row in pg_query(
                "select table_name from information_schema.tables where table_schema = %s", schema
            )
        }
        assert set(STREAMS) <= tables
        for table, count in expected_rows(double).items():
            assert pg_query(f'select count(*) from "{schema}"."{table}"')[0][0] == count, table
        for table, key in PRIMARY_KEYS.items():
            total, distinct = pg_query(
                f'select count(*), count(distinct ({key})) from "{schema}"."{table}"'
            )[0]
            assert total == distinct > 0, table
        big_ids = pg_query(f'select min(id) from "{schema}"."rfis"')[0][0]
        assert big_ids > 2**32
        replies = pg_query(f'select count(*) from "{schema}"."rfi_replies"')[0][0]
        assert replies == 3 * expected_rows(double)["rfis"]

        # A second run resumes from Meltano's stored state: nothing new, nothing duplicated.
        again = meltano("run", "tap-procore", "target-postgres", env=env)
        assert again.returncode == 0, again.stderr[-4000:]
        for table, count in expected_rows(double).items():
            assert pg_query(f'select count(*) from "{schema}"."{table}"')[0][0] == count, table
        state = meltano("state", "get", "dev:tap-procore-to-target-postgres", env=env)
        assert state.returncode == 0, state.stderr[-2000:]
        bookmarks = json.loads(state.stdout)["singer_state"]["bookmarks"]
        assert bookmarks["rfis"]["replication_key"] == "updated_at"
        assert "sweep" not in bookmarks["projects"]
    finally:
        pg_query(f'drop schema if exists "{schema}" cascade')


def test_meltano_run_killed_mid_run_and_run_again_lands_every_row_once(meltano_env, tmp_path):
    double, env = meltano_env
    schema = f"procore_crash_{uuid.uuid4().hex[:8]}"
    env = {
        **postgres_target(env, schema),
        # Small batches so that the target commits (and confirms state) during the run.
        "TARGET_POSTGRES_BATCH_SIZE_ROWS": "50",
        "TAP_PROCORE_STATE_MESSAGE_INTERVAL": "0",
        "TAP_PROCORE_MAX_REQUESTS_PER_HOUR": str(3600 * 40),
        "MELTANO_DATABASE_URI": f"sqlite:///{tmp_path}/meltano.db",
    }
    executable = shutil.which("meltano") or str(Path(os.sys.executable).parent / "meltano")
    try:
        double.control.clear_requests()
        process = subprocess.Popen(
            [executable, "run", "tap-procore", "target-postgres"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300
        while double.control.stats()["total"] < 600 and time.monotonic() < deadline:
            assert process.poll() is None, "the run ended before it could be killed"
            time.sleep(0.1)
        os.killpg(process.pid, signal.SIGKILL)  # the machine dies: tap, target and Meltano
        process.wait(30)
        tables = [
            row[0]
            for row in pg_query(
                "select table_name from information_schema.tables where table_schema = %s", schema
            )
        ]
        committed = sum(pg_query(f'select count(*) from "{schema}"."{t}"')[0][0] for t in tables)
        assert committed > 0, "nothing was committed before the kill"

        # Meltano keeps the last STATE the target confirmed (target-postgres confirms when it
        # drains, every few minutes), so the rerun resumes from there or from the start; either
        # way rows committed before the kill are upserted, not doubled. Meltano still holds the
        # dead run's lock: --force, as an operator would after a crash.
        again = meltano("run", "--force", "tap-procore", "target-postgres", env=env)
        assert again.returncode == 0, again.stderr[-4000:]
        final = json.loads(meltano("state", "get", STATE_ID, env=env).stdout)["singer_state"]
        assert "sweep" not in final["bookmarks"]["projects"]
        for table, count in expected_rows(double).items():
            assert pg_query(f'select count(*) from "{schema}"."{table}"')[0][0] == count, table
        for table, key in PRIMARY_KEYS.items():
            total, distinct = pg_query(
                f'select count(*), count(distinct ({key})) from "{schema}"."{table}"'
            )[0]
            assert total == distinct > 0, table
    finally:
        pg_query(f'drop schema if exists "{schema}" cascade')


def test_meltano_run_into_jsonl(meltano_env, tmp_path):
    double, env = meltano_env
    env = {**env, "TARGET_JSONL_DESTINATION_PATH": str(tmp_path)}
    run = meltano("run", "tap-procore", "target-jsonl", env=env)
    assert run.returncode == 0, run.stderr[-4000:]
    files = {path.stem: path for path in tmp_path.glob("*.jsonl")}
    assert set(STREAMS) <= set(files)
    for table, count in expected_rows(double).items():
        lines = files[table].read_text().splitlines()
        assert len(lines) == count, table
        if table != "companies":
            assert all(json.loads(line)["company_id"] for line in lines)


def test_meltano_default_selection_leaves_out_the_opt_in_streams(meltano_env):
    """Under this project's meltano.yml (no TAP_PROCORE__SELECT), Meltano selects what the README
    says a newcomer gets: every stream except the opt-in ones."""
    from tap_procore.streams import STREAM_TYPES

    _, env = meltano_env
    env = {k: v for k, v in env.items() if k != "TAP_PROCORE__SELECT"}
    dumped = meltano("invoke", "--dump=catalog", "tap-procore", env=env)
    assert dumped.returncode == 0, dumped.stderr[-3000:]
    selected = {
        entry["tap_stream_id"]: next(
            item["metadata"].get("selected")
            for item in entry["metadata"]
            if item["breadcrumb"] == []
        )
        for entry in json.loads(dumped.stdout)["streams"]
    }
    opt_in = {stream.name for stream in STREAM_TYPES if not stream.selected_by_default}
    assert opt_in, "some streams are opt-in"
    assert {name for name, chosen in selected.items() if not chosen} == opt_in
    assert len(selected) == len(STREAM_TYPES)


# --- the whole catalog ------------------------------------------------------------------------

# Small enough to be quick, big enough that every stream has rows: two companies of two active
# projects, three records per list, with everything the double sends real tenants' way (nulls
# in any field but ids, empty and nested arrays, hostile text, numbers at their types' edges).
WHOLE_CATALOG_TENANT = {
    "companies": 2,
    "projects_per_company": 2,
    "records_per_list": 3,
    "big_lists": [],
    "inactive_projects": [],
    "empty_projects": [],
    "tools_off": {},
}


@pytest.fixture(scope="module")
def whole_catalog_env(tmp_path_factory):
    with spawn_double(hourly_limit=10**9, spike_limit=10**9, **WHOLE_CATALOG_TENANT) as double:
        seed_company_webhooks(double.url, [5000000001, 5000000002])
        # Every stream, explicitly: meltano.yml's default selection may leave some out.
        env = meltano_environment(double, tmp_path_factory.mktemp("whole"), ["*.*"])
        meltano_install(lambda: meltano("install", env=env))
        yield double, env


def distinct_keys_by_stream(output_dir: Path, catalog: dict) -> dict[str, int]:
    """From target-jsonl's files (every record the tap sent, in order): distinct keys per
    stream, after checking that no key is null or repeats within a stream."""
    keys = {
        entry["tap_stream_id"]: next(
            m["metadata"]["table-key-properties"]
            for m in entry["metadata"]
            if m["breadcrumb"] == []
        )
        for entry in catalog["streams"]
    }
    distinct = {}
    for stream, key in keys.items():
        path = output_dir / f"{stream}.jsonl"
        assert path.exists(), f"{stream}: no records"
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        values = [tuple(record.get(name) for name in key) for record in records]
        assert records and all(None not in value for value in values), stream
        assert len(set(values)) == len(values), f"{stream}: a key repeats in the tap's output"
        distinct[stream] = len(values)
    return distinct


def test_every_stream_loads_into_jsonl_and_postgres_every_key_once(whole_catalog_env, tmp_path):
    _, env = whole_catalog_env
    catalog = discover()
    started = time.monotonic()
    jsonl = meltano(
        "run",
        "tap-procore",
        "target-jsonl",
        env={**env, "TARGET_JSONL_DESTINATION_PATH": str(tmp_path)},
    )
    jsonl_seconds = time.monotonic() - started
    assert jsonl.returncode == 0, jsonl.stderr[-4000:]
    expected = distinct_keys_by_stream(tmp_path, catalog)
    assert len(expected) == len(catalog["streams"]) > 280

    schema = f"procore_all_{uuid.uuid4().hex[:8]}"
    try:
        started = time.monotonic()
        run = meltano("run", "tap-procore", "target-postgres", env=postgres_target(env, schema))
        postgres_seconds = time.monotonic() - started
        assert run.returncode == 0, run.stderr[-4000:]
        loaded = {
            table: pg_query(f'select count(*) from "{schema}"."{table}"')[0][0]
            for (table,) in pg_query(
                "select table_name from information_schema.tables where table_schema = %s", schema
            )
        }
        assert loaded == expected
        # The shapes that used to stop the load: a key field left null, an array of arrays.
        assert (
            pg_query(
                f'select count(*) from "{schema}".budget_view_summary_rows '
                "where biller_type is null"
            )[0][0]
            > 0
        )
        assert (
            pg_query(
                f'select count(*) from "{schema}".work_order_contracts where '
                "jsonb_typeof(change_order_requests -> 0) = 'array'"
            )[0][0]
            > 0
        )
    finally:
        pg_query(f'drop schema if exists "{schema}" cascade')
    print(
        f"\nwhole catalog: {len(expected)} streams, {sum(expected.values())} rows; "
        f"meltano run into target-jsonl {jsonl_seconds:.1f}s, "
        f"into target-postgres {postgres_seconds:.1f}s"
    )


# --- the change feed: deletes reach PostgreSQL as marked rows --------------------------------

FEED_PROJECTS = [6000000001, 6000000002]
FEED_STREAMS = ["projects", "rfis", "punch_items", "deleted_punch_items"]


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
        env = meltano_environment(double, tmp_path, [f"{stream}.*" for stream in FEED_STREAMS])
        env["TAP_PROCORE_CHANGE_FEED"] = "true"
        schema = f"feed_e2e_{uuid.uuid4().hex[:8]}"
        env = postgres_target(env, schema)
        meltano_install(lambda: meltano("install", env=env))
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
            "touch", path="/rest/v1.1/punch_items", query={"project_id": FEED_PROJECTS[1]}, count=1
        )
        try:
            first = meltano("run", "tap-procore", "target-postgres", env=env)
            assert first.returncode == 0, first.stderr[-4000:]
            # Recycle bins: every punch item already in a bin is a marked row of punch_items.
            bins = {
                (pid, record["id"])
                for pid in FEED_PROJECTS
                for record in double.control.records(
                    "/rest/v1.1/punch_items/recycle_bin", project_id=pid
                )["records"]
            }
            punch = deleted(schema, "punch_items")
            assert bins and {key for key, marked in punch.items() if marked} == bins
            assert not any(deleted(schema, "rfis").values())

            gone = double.control.mutate(
                "delete", path=f"/rest/v1.0/projects/{FEED_PROJECTS[0]}/rfis", count=1
            )["ids"][0]
            double.control.clear_requests()
            second = meltano("run", "tap-procore", "target-postgres", env=env)
            assert second.returncode == 0, second.stderr[-4000:]
            # The delete event marks the row; nothing else in rfis is marked.
            rfis = deleted(schema, "rfis")
            assert {key for key, marked in rfis.items() if marked} == {(FEED_PROJECTS[0], gone)}
            # Only the project with an event was asked for its RFIs.
            asked = {r["path"] for r in double.control.requests() if r["path"].endswith("/rfis")}
            assert asked == {f"/rest/v1.0/projects/{FEED_PROJECTS[0]}/rfis"}
        finally:
            pg_query(f'drop schema if exists "{schema}" cascade')


# --- one bad listing does not stop the others ---------------------------------------------------

ISOLATION_STREAMS = ["projects", "submittals", "rfis", "rfi_replies", "change_events"]


def test_failed_scopes_land_on_the_next_run_and_everything_else_on_this_one(meltano_env, tmp_path):
    """Three faults at once, each in one scope: a listing answering 502 forever (submittals of
    one project), a record without its key (rfis of another), a wrong-shaped answer in a child
    stream (the replies of one RFI). The run delivers everything else into PostgreSQL and ends
    non-zero naming the three; the next run, the faults gone, delivers the rest."""
    with spawn_double(**plain_tenant(companies=1, records_per_list=3)) as double:
        failing, keyless, child = 6000000001, 6000000002, 6000000003
        replies_of = double.control.records(f"/rest/v1.0/projects/{child}/rfis")["records"][0]["id"]
        double.control.add_faults(
            {"kind": "http_502", "path": f"/projects/{failing}/submittals$", "times": 10**6},
            {"kind": "null_key", "path": f"/projects/{keyless}/rfis$", "times": 10**6},
            {
                "kind": "wrong_shape",
                "path": f"/rfis/{replies_of}/replies$",
                "times": 10**6,
            },
        )
        schema = f"procore_isolation_{uuid.uuid4().hex[:8]}"
        env = {
            **postgres_target(
                meltano_environment(double, tmp_path, [f"{s}.*" for s in ISOLATION_STREAMS]), schema
            ),
            "MELTANO_DATABASE_URI": f"sqlite:///{tmp_path}/meltano.db",
            "TAP_PROCORE_MAX_RETRIES": "2",
        }

        def rows(table: str, project: int | None = None) -> int:
            where = "" if project is None else f" where project_id = {project}"
            return pg_query(f'select count(*) from "{schema}"."{table}"{where}')[0][0]

        def truth(path: str, **query) -> int:
            return double.control.records(path, **query)["count"]

        try:
            first = meltano("run", "tap-procore", "target-postgres", env=env)
            assert first.returncode != 0
            assert "Traceback" not in first.stderr
            failed = [line for line in first.stderr.splitlines() if " failed in project " in line]
            assert any(f"submittals failed in project {failing}" in line for line in failed)
            assert any(f"rfis failed in project {keyless}" in line for line in failed)
            assert any(f"rfi_replies failed in project {child}" in line for line in failed)
            expected = expected_rows(double)
            # Everything else landed.
            assert rows("projects") == expected["projects"]
            assert rows("change_events") == expected["change_events"]
            assert rows("submittals", failing) == 0
            assert rows("submittals") == expected["submittals"] - truth(
                f"/rest/v1.1/projects/{failing}/submittals"
            )
            assert rows("rfis", keyless) == truth(f"/rest/v1.0/projects/{keyless}/rfis") - 1
            assert rows("rfis", child) == truth(f"/rest/v1.0/projects/{child}/rfis")
            assert (
                pg_query(
                    f'select count(*) from "{schema}"."rfi_replies" where rfi_id = %s', replies_of
                )[0][0]
                == 0
            )

            double.control.clear_faults()
            second = meltano("run", "tap-procore", "target-postgres", env=env)
            assert second.returncode == 0, second.stderr[-4000:]
            for table in ("projects", "submittals", "rfis", "change_events"):
                assert rows(table) == expected[table], table
            assert rows("rfi_replies") == 3 * expected["rfis"]
            total, distinct = pg_query(
                f'select count(*), count(distinct (project_id, id)) from "{schema}"."rfis"'
            )[0]
            assert total == distinct
        finally:
            pg_query(f'drop schema if exists "{schema}" cascade')
