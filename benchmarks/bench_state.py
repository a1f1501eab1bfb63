#!/usr/bin/env python3
"""Issue 4: STATE and SCHEMA volume at 1,000 projects, tap-procore against the SDK's defaults.

Runs a first sync and a second (incremental) sync of one company with 1,000 projects and prints
STATE messages and bytes, the final state's size, SCHEMA messages, records, requests and wall
time. Targets: final state under 1 MB, all STATE output under 10 MB.

    python benchmarks/bench_state.py [--projects 1000] [--streams 20] [--naive-streams 2]
"""

from __future__ import annotations

import argparse

from benchmarks.common import mb, run_tap, table
from procore_double import spawn_double

STREAMS = [
    "rfis",
    "submittals",
    "punch_items",
    "change_events",
    "checklists",
    "observations",
    "incidents",
    "direct_costs",
    "purchase_order_contracts",
    "project_users",
    "drawing_areas",
    "budget_views",
    "forms",
    "meetings",
    "locations",
    "images",
    "action_plans",
    "timesheets",
    "prime_contracts",
    "work_order_contracts",
    "coordination_issues",
    "specification_sets",
    "bids",
    "tasks",
    "project_vendors",
    "project_roles",
    "sub_jobs",
    "cost_codes",
    "manpower_logs",
    "daily_log_counts",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--streams", type=int, default=20, help="project-level streams")
    parser.add_argument(
        "--naive-streams",
        type=int,
        default=2,
        help="streams for the SDK-defaults baseline (it grows quadratically)",
    )
    args = parser.parse_args()
    streams = ["projects", *STREAMS[: args.streams]]
    naive_streams = ["projects", *STREAMS[: args.naive_streams]]
    rows = []
    with spawn_double(
        companies=1,
        projects_per_company=args.projects,
        records_per_list=2,
        big_lists=[],
        hourly_limit=10**9,
        spike_limit=10**9,
    ) as double:
        companies = [5000000001]
        runs = [
            # label, streams, naive, resume from the previous run, seconds between STATEs
            ("tap-procore, first sync, STATE after every project", streams, False, False, 0),
            ("tap-procore, second sync, STATE after every project", streams, False, True, 0),
            ("tap-procore, first sync, default (STATE every 30 s)", streams, False, False, None),
            (f"tap-procore, {args.naive_streams} streams", naive_streams, False, False, 0),
            (f"SDK defaults, {args.naive_streams} streams", naive_streams, True, False, None),
        ]
        previous = None
        for label, selected, naive, resume, interval in runs:
            extra = {} if interval is None else {"state_message_interval": interval}
            measured = run_tap(
                double,
                label=label,
                streams=selected,
                companies=companies,
                naive=naive,
                state=previous if resume else None,
                extra_config=extra,
            )
            if not naive and not resume:
                previous = measured.final_state
            rows.append(
                [
                    label,
                    len(selected) - 1,
                    measured.state_messages,
                    mb(measured.state_bytes),
                    mb(measured.final_state_bytes),
                    measured.schema_messages,
                    measured.records,
                    measured.requests,
                    f"{measured.wall_seconds:.1f}s",
                    measured.exit_code,
                ]
            )
    print(f"{args.projects} projects in one company, 2 records per list")
    print(
        table(
            rows,
            [
                "run",
                "project streams",
                "STATE msgs",
                "STATE bytes",
                "final state",
                "SCHEMA msgs",
                "records",
                "requests",
                "wall",
                "exit",
            ],
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
