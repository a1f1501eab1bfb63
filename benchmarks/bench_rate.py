#!/usr/bin/env python3
"""Issue 5 (b): achieved request rate against the allowed rate, under a tight limit.

The double enforces a spike limit (and, in the second scenario, a short "hourly" window) per
company and reports it in X-Rate-Limit-* headers, as Procore does. The achieved rate is
requests over the time from the first to the last request the double saw. Targets: at least 90%
of the allowed rate, fewer than 1% of calls answered 429.

    python benchmarks/bench_rate.py
"""

from __future__ import annotations

from benchmarks.common import run_tap, table
from procore_double import spawn_double

STREAMS = [
    "projects",
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
]
SCENARIOS = [
    # label, double settings, allowed requests per second
    ("spike 20 per 2 s", {"spike_limit": 20, "spike_window": 2, "hourly_limit": 10**9}, 10.0),
    (
        "spike 25 per 10 s (Procore's example)",
        {"spike_limit": 25, "spike_window": 10, "hourly_limit": 10**9},
        2.5,
    ),
    (
        "'hourly' 40 per 8 s, spike 20 per 2 s",
        {"hourly_limit": 40, "hourly_window": 8, "spike_limit": 20, "spike_window": 2},
        5.0,
    ),
]


def main() -> int:
    rows = []
    for label, limits, allowed in SCENARIOS:
        with spawn_double(companies=1, projects_per_company=14, big_lists=[], **limits) as double:
            measured = run_tap(double, label=label, streams=STREAMS, companies=[5000000001])
            times = [
                r["time"]
                for r in double.control.requests(limit=10**6)
                if r["path"].startswith("/rest/")
            ]
        span = max(times) - min(times)
        # Requests that fit in the measured span at the allowed rate (the first one is free).
        achieved = (len(times) - 1) / span if span else float("inf")
        rows.append(
            [
                label,
                f"{allowed:g}/s",
                len(times),
                f"{span:.1f}s",
                f"{achieved:.2f}/s",
                f"{achieved / allowed * 100:.0f}%",
                measured.responses_429,
                f"{measured.responses_429 / len(times) * 100:.1f}%",
                measured.exit_code,
            ]
        )
    print(
        table(
            rows,
            [
                "limit",
                "allowed",
                "requests",
                "span",
                "achieved",
                "of allowed",
                "429s",
                "429 share",
                "exit",
            ],
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
