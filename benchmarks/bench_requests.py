#!/usr/bin/env python3
"""Issue 5 (a): requests spent against the minimum possible for the same data.

The minimum is computed from the double's ground truth: per company the company lookup and the
project list pages (300 per page), and per selected stream and project with the tool on,
ceil(rows / 1,000) pages (at least one), nothing for tools that are off. tap-procore is compared
with the SDK-defaults baseline (per_page 100, a 403 per switched-off tool).

    python benchmarks/bench_requests.py
"""

from __future__ import annotations

import math
import re
from functools import partial

from benchmarks.common import run_tap, table
from procore_double import spawn_double
from tap_procore.streams import STREAM_TYPES

STREAMS = [
    "project_tools",
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
    "locations",
]
BIG = [
    {"route": "RestV10ProjectsProjectIdRfisGet", "project_id": 6000000001, "count": 2345},
    {"route": "RestV11ProjectsProjectIdSubmittalsGet", "project_id": 6000100001, "count": 1500},
    {"route": "RestV10ChangeEventsGet", "project_id": 6000200001, "count": 4200},
]
TOOLS_OFF = {
    "6000000004": ["rfi", "submittal_log", "punch_list"],
    "6000100002": ["incidents", "observations"],
}
TEMPLATE = re.compile(r"\{(\w+)\}")


def _fill(context: dict, match: re.Match) -> str:
    return str(context[match.group(1)])


BY_NAME = {stream.name: stream for stream in STREAM_TYPES}


def minimum_requests(double) -> int:
    tenant = double.control.tenant()
    active = [p for p in tenant["projects"] if p["active"]]
    total = 0
    for company in tenant["companies"]:
        projects = [p for p in active if p["company_id"] == company["id"]]
        total += 1 + max(1, math.ceil(len(projects) / 300))
    for project in active:
        context = {"company_id": project["company_id"], "project_id": project["id"]}
        for name in STREAMS:
            stream = BY_NAME[name]
            fill = partial(_fill, context)
            path = TEMPLATE.sub(fill, stream.path)
            query = {k: TEMPLATE.sub(fill, v) for k, v in stream.query.items()}
            truth = double.control.records(path, **query)
            if truth.get("status", 200) != 200:
                continue  # tool off: the least possible is not to ask
            cap = min(stream.max_page_size, 1000)
            total += max(1, math.ceil(truth["count"] / cap)) if stream.paginated else 1
    return total


def main() -> int:
    with spawn_double(
        big_lists=BIG, tools_off=TOOLS_OFF, hourly_limit=10**9, spike_limit=10**9
    ) as double:
        companies = [c["id"] for c in double.control.tenant()["companies"]]
        minimum = minimum_requests(double)
        ours = run_tap(
            double, label="tap-procore", streams=["projects", *STREAMS], companies=companies
        )
        naive = run_tap(
            double,
            label="SDK defaults",
            streams=["projects", *STREAMS],
            companies=companies,
            naive=True,
        )
    rows = [
        [
            m.label,
            m.records,
            m.requests,
            minimum,
            f"{m.requests / minimum:.3f}",
            f"{(m.requests / minimum - 1) * 100:+.1f}%",
            m.exit_code,
        ]
        for m in (ours, naive)
    ]
    print(
        f"{len(STREAMS)} project-level streams, 3 companies, 11 active projects, 3 big lists "
        "(2,345 / 1,500 / 4,200 rows), 5 tools switched off"
    )
    print(table(rows, ["tap", "records", "requests", "minimum", "ratio", "over minimum", "exit"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
