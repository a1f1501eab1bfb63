#!/usr/bin/env python3
"""Issue 11: the change feed at 1,000 projects, against probing every project.

One company with 1,000 projects on the double, the streams the webhook resources cover selected,
a company-level hook set up with `tap-procore-webhooks setup`. A first sync (with the feed on: a
full reconciliation sweep, since there is no state yet) is loaded into two PostgreSQL schemas.
Then 1 % of the projects change (a record edited, one added, one deleted in each) and the second
run is made twice from the same state: with the feed and without it (probing). Reported: requests
of each, changed records the feed run missed (must be 0), records the probing run found that the
feed run did not, and whether the two schemas hold equal tables, after the second runs and again
after a reconciliation sweep in each (`change_feed_full_sweep` on the feed side).

    python -m benchmarks.bench_feed [--projects 1000] [--changed-percent 1]

Needs the local PostgreSQL (127.0.0.1:5432, user postgres, database test) and target-postgres as
`meltano install` puts it (.meltano/loaders/target-postgres).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import CLIENT, REPO, table
from procore_double import DoubleProcess, spawn_double
from tests.conftest import catalog_selecting

COMPANY = 5000000001
# Project-level streams whose webhook resources have create and update events (and recycle bins
# whose resources have delete events), with one child that follows its parent.
STREAMS = [
    "rfis",
    "rfi_replies",
    "deleted_rfis",
    "submittals",
    "deleted_submittals",
    "submittal_packages",
    "punch_items",
    "deleted_punch_items",
    "change_events",
    "checklists",
    "observations",
    "incidents",
    "direct_costs",
    "purchase_order_contracts",
    "work_order_contracts",
    "prime_contracts",
    "project_users",
    "drawing_areas",
    "forms",
    "meetings",
    "locations",
    "images",
    "coordination_issues",
    "specification_sets",
    "tasks",
    "cost_codes",
    "sub_jobs",
    "manpower_logs",
    "project_documents",
]
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}
TARGET = REPO / ".meltano" / "loaders" / "target-postgres" / "venv" / "bin" / "target-postgres"
# Columns the target writes for itself: they differ between any two loads.
LOAD_COLUMNS = {
    "_sdc_extracted_at",
    "_sdc_received_at",
    "_sdc_batched_at",
    "_sdc_sequence",
    "_sdc_table_version",
    "_sdc_sync_started_at",
}


@dataclass
class Run:
    label: str
    requests: int
    records: int
    wall: float
    output: Path
    state: dict
    keys: dict[str, set[tuple]] = field(default_factory=dict)
    stderr: str = ""


def run_tap(double: DoubleProcess, work: Path, label: str, config: dict, state: dict | None) -> Run:
    double.control.clear_requests()
    stamp = uuid.uuid4().hex[:8]
    config_path = work / f"config-{stamp}.json"
    catalog_path = work / f"catalog-{stamp}.json"
    output = work / f"output-{stamp}.jsonl"
    config_path.write_text(json.dumps(config))
    catalog_path.write_text(json.dumps(catalog_selecting(["projects", *STREAMS])))
    command = [sys.executable, "-m", "tap_procore.tap", "--config", str(config_path)]
    command += ["--catalog", str(catalog_path)]
    if state is not None:
        state_path = work / f"state-{stamp}.json"
        state_path.write_text(json.dumps(state))
        command += ["--state", str(state_path)]
    started = time.perf_counter()
    with output.open("wb") as out:
        done = subprocess.run(command, cwd=REPO, stdout=out, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{label}: the tap failed: {done.stderr.decode()[-3000:]}")
    records, last_state = 0, {}
    keys: dict[str, set[tuple]] = {}
    with output.open() as lines:
        for line in lines:
            message = json.loads(line)
            if message["type"] == "RECORD":
                records += 1
                record = message["record"]
                key = (record.get("project_id"), record.get("id"), "_sdc_deleted_at" in record)
                keys.setdefault(message["stream"], set()).add(key)
            elif message["type"] == "STATE":
                last_state = message["value"]
    stats = double.control.stats()
    requests = sum(n for route, n in stats["by_route"].items() if route.startswith("/rest"))
    return Run(label, requests, records, wall, output, last_state, keys, done.stderr.decode())


def load(run: Run, schema: str) -> None:
    config = {
        "host": PG["host"],
        "port": PG["port"],
        "user": PG["user"],
        "password": "",
        "database": PG["dbname"],
        "default_target_schema": schema,
        "add_record_metadata": True,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(config, handle)
    try:
        with run.output.open("rb") as source:
            done = subprocess.run(
                [str(TARGET), "--config", handle.name],
                stdin=source,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                check=False,
            )
        if done.returncode != 0:
            raise SystemExit(f"target-postgres failed: {done.stderr.decode()[-3000:]}")
    finally:
        os.unlink(handle.name)


def tables_of(schema: str) -> dict[str, list[tuple]]:
    import psycopg

    found = {}
    with psycopg.connect(**PG, autocommit=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_schema = %s",
                (schema,),
            )
        ]
        for name in sorted(names):
            columns = [
                row[0]
                for row in connection.execute(
                    "select column_name from information_schema.columns where table_schema = %s "
                    "and table_name = %s order by column_name",
                    (schema, name),
                )
                if row[0] not in LOAD_COLUMNS
            ]
            listed = ", ".join(f'"{column}"::text' for column in columns)
            rows = connection.execute(f'select {listed} from "{schema}"."{name}"').fetchall()
            found[name] = sorted(rows, key=repr)
    return found


def differences(left: str, right: str) -> list[str]:
    a, b = tables_of(left), tables_of(right)
    problems = [f"table {name} only on one side" for name in sorted(set(a) ^ set(b))]
    for name in sorted(set(a) & set(b)):
        if a[name] != b[name]:
            problems.append(f"{name}: {len(a[name])} rows vs {len(b[name])}, contents differ")
    return problems


def deleted_rows(schema: str, table_name: str) -> int:
    import psycopg

    with psycopg.connect(**PG, autocommit=True) as connection:
        return connection.execute(
            f'select count(*) from "{schema}"."{table_name}" where _sdc_deleted_at is not null'
        ).fetchone()[0]


def drop(schema: str) -> None:
    import psycopg

    with psycopg.connect(**PG, autocommit=True) as connection:
        connection.execute(f'drop schema if exists "{schema}" cascade')


def change_projects(double: DoubleProcess, projects: list[int]) -> dict[str, set[tuple]]:
    """Edit an RFI, add a submittal and delete a punch item in each project."""
    changed: dict[str, set[tuple]] = {"rfis": set(), "submittals": set(), "punch_items": set()}
    for project in projects:
        touched = double.control.mutate(
            "touch", path=f"/rest/v1.0/projects/{project}/rfis", count=1
        )
        changed["rfis"] |= {(project, i, False) for i in touched["ids"]}
        added = double.control.mutate(
            "add", path=f"/rest/v1.1/projects/{project}/submittals", count=1
        )
        changed["submittals"] |= {(project, i, False) for i in added["ids"]}
        deleted = double.control.mutate(
            "delete", path="/rest/v1.1/punch_items", query={"project_id": project}, count=1
        )
        changed["punch_items"] |= {(project, i, True) for i in deleted["ids"]}
    return changed


def set_up_hook(work: Path, config: dict) -> None:
    """`tap-procore-webhooks setup` for the selected streams."""
    from tap_procore.webhooks import main as webhooks

    (work / "setup.json").write_text(json.dumps(config))
    catalog = work / "setup-catalog.json"
    catalog.write_text(json.dumps(catalog_selecting(["projects", *STREAMS])))
    arguments = ["--config", str(work / "setup.json"), "--catalog", str(catalog), "setup"]
    webhooks(
        [*arguments, "--destination-url", "https://example.invalid/procore"], out=io.StringIO()
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--changed-percent", type=float, default=1.0)
    args = parser.parse_args()
    if not TARGET.exists():
        raise SystemExit(f"{TARGET} is missing: run `meltano install` first")
    schema_feed, schema_probe = (f"bench_feed_{uuid.uuid4().hex[:6]}_{s}" for s in "ab")
    with (
        tempfile.TemporaryDirectory() as tmp,
        spawn_double(
            companies=1,
            projects_per_company=args.projects,
            records_per_list=2,
            big_lists=[],
            inactive_projects=[],
            empty_projects=[],
            tools_off={},
            hourly_limit=10**9,
            spike_limit=10**9,
        ) as double,
    ):
        work = Path(tmp)
        config = {
            **CLIENT,
            "api_url": double.url,
            "auth_url": double.url,
            "company_ids": [COMPANY],
            "start_date": "2020-01-01T00:00:00Z",
        }
        feed_config = {**config, "change_feed": True}
        set_up_hook(work, config)
        projects = [p["id"] for p in double.control.tenant()["projects"]]
        rng = random.Random(11)
        # Activity before the first run, as in any company with a hook in place.
        double.control.mutate(
            "touch", path="/rest/v1.1/punch_items", query={"project_id": projects[0]}, count=1
        )
        first = run_tap(double, work, "first sync (feed on: full sweep)", feed_config, None)
        try:
            for schema in (schema_feed, schema_probe):
                load(first, schema)
            count = max(1, round(len(projects) * args.changed_percent / 100))
            changed = change_projects(double, rng.sample(projects, count))
            with_feed = run_tap(double, work, "second run, change feed", feed_config, first.state)
            probing = run_tap(double, work, "second run, probing", config, first.state)
            missed = sum(
                len(keys - with_feed.keys.get(stream, set())) for stream, keys in changed.items()
            )
            incremental = {"rfis", "submittals", "rfi_replies", "projects"}
            only_probed = sum(
                len(probing.keys.get(stream, set()) - with_feed.keys.get(stream, set()))
                for stream in incremental
            )
            load(with_feed, schema_feed)
            load(probing, schema_probe)
            after_second = differences(schema_feed, schema_probe)
            sweep_feed = run_tap(
                double,
                work,
                "reconciliation sweep, change feed",
                {**feed_config, "change_feed_full_sweep": True},
                with_feed.state,
            )
            sweep_probe = run_tap(double, work, "third run, probing", config, probing.state)
            load(sweep_feed, schema_feed)
            load(sweep_probe, schema_probe)
            after_sweep = differences(schema_feed, schema_probe)
            marked = deleted_rows(schema_feed, "punch_items")
        finally:
            drop(schema_feed)
            drop(schema_probe)
    runs = [first, with_feed, probing, sweep_feed, sweep_probe]
    print(
        f"{args.projects} projects in one company, {len(STREAMS)} project-level streams the "
        f"webhooks cover, {count} projects changed ({args.changed_percent:g} %)"
    )
    print(
        table(
            [[r.label, f"{r.requests:,}", f"{r.records:,}", f"{r.wall:.1f} s"] for r in runs],
            ["run", "requests", "records", "wall"],
        )
    )
    share = with_feed.requests / probing.requests * 100
    print(
        f"second run: {with_feed.requests:,} requests with the feed, {probing.requests:,} "
        f"probing: {share:.2f} % (goal: at most 2 %)"
    )
    print(f"changed records the feed run missed: {missed}")
    print(f"changed records the probing run found and the feed run did not: {only_probed}")
    print(f"punch_items rows marked deleted in PostgreSQL (feed side): {marked}")
    print(
        "PostgreSQL tables after the second runs: "
        + ("equal" if not after_second else "; ".join(after_second))
    )
    print(
        "PostgreSQL tables after a reconciliation sweep: "
        + ("equal" if not after_sweep else "; ".join(after_sweep))
    )
    ok = share <= 2.0 and missed == 0 and only_probed == 0 and not after_sweep
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
