#!/usr/bin/env python3
"""Issue 5 (c): records per second on a zero-latency double, and peak memory by record count.

One project with one big list, read by tap-procore and by the SDK-defaults baseline, at two
sizes. Records/s counts the whole process (start-up included); peak memory is the tap process's
own maximum resident set. Target: 40,000 records/s or more, memory flat in the number of records.

    python benchmarks/bench_throughput.py [--sizes 100000,300000]
"""

from __future__ import annotations

import argparse

from benchmarks.common import run_tap, table
from procore_double import spawn_double

ROUTE = "RestV10ProjectsProjectIdRfisGet"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000")
    args = parser.parse_args()
    rows = []
    for size in [int(value) for value in args.sizes.split(",")]:
        with spawn_double(
            companies=1,
            projects_per_company=1,
            hourly_limit=10**9,
            spike_limit=10**9,
            big_lists=[{"route": ROUTE, "project_id": 6000000001, "count": size}],
        ) as double:
            # Warm the double (records are generated on first use), then measure.
            run_tap(double, label="warm-up", streams=["rfis"], companies=[5000000001])
            for naive in (False, True):
                measured = run_tap(
                    double,
                    label="SDK defaults" if naive else "tap-procore",
                    streams=["rfis"],
                    companies=[5000000001],
                    naive=naive,
                )
                rows.append(
                    [
                        measured.label,
                        f"{measured.records:,}",
                        f"{measured.wall_seconds:.2f}s",
                        f"{measured.records / measured.wall_seconds:,.0f}",
                        f"{measured.records / measured.cpu_seconds:,.0f}",
                        f"{measured.peak_rss_mb:.0f} MB",
                        measured.requests,
                        measured.exit_code,
                    ]
                )
    print(
        table(
            rows,
            [
                "tap",
                "records",
                "wall",
                "records/s",
                "records per CPU-second",
                "peak memory",
                "requests",
                "exit",
            ],
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
