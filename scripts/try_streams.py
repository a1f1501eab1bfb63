#!/usr/bin/env python3
"""Run the tap against the Procore double for a few streams and show what came out.

    python scripts/try_streams.py rfis,rfi_replies [--projects 4] [--keep-output out.jsonl]

For developers adding streams: it starts the double (generous rate limits), selects the named
streams (their parents are read but not emitted), runs tap-procore and prints records per
stream, the double's responses by status, and any warnings or errors the tap logged.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from procore_double import spawn_double  # noqa: E402


def select(catalog: dict, wanted: set[str]) -> dict:
    for entry in catalog["streams"]:
        chosen = entry["tap_stream_id"] in wanted
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = chosen
    return catalog


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("streams", help="comma-separated stream names, or 'all'")
    parser.add_argument("--projects", type=int, default=4, help="projects per company")
    parser.add_argument("--keep-output", type=Path)
    args = parser.parse_args()

    tap = [sys.executable, "-m", "tap_procore.tap"]
    catalog = json.loads(
        subprocess.run(
            [*tap, "--discover"], capture_output=True, text=True, check=True, cwd=REPO
        ).stdout
    )
    names = {entry["tap_stream_id"] for entry in catalog["streams"]}
    wanted = names if args.streams == "all" else set(args.streams.split(","))
    unknown = wanted - names
    if unknown:
        print(f"unknown streams: {', '.join(sorted(unknown))}")
        return 2

    with (
        spawn_double(
            projects_per_company=args.projects, hourly_limit=10**9, spike_limit=10**9
        ) as double,
        tempfile.TemporaryDirectory() as tmp,
    ):
        config = {
            "client_id": "double-client-id",
            "client_secret": "double-client-secret",
            "company_ids": [c["id"] for c in double.control.tenant()["companies"]],
            "api_url": double.url,
            "auth_url": double.url,
            "start_date": "2020-01-01T00:00:00Z",
        }
        config_path, catalog_path = Path(tmp, "config.json"), Path(tmp, "catalog.json")
        config_path.write_text(json.dumps(config))
        catalog_path.write_text(json.dumps(select(catalog, wanted)))
        result = subprocess.run(
            [*tap, "--config", str(config_path), "--catalog", str(catalog_path)],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=False,
        )
        stats = double.control.stats()

    records: collections.Counter[str] = collections.Counter()
    for line in result.stdout.splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            records[message["stream"]] += 1
    if args.keep_output:
        args.keep_output.write_text(result.stdout)
    for name in sorted(wanted):
        print(f"{name:50} {records[name]:6} records")
    print("double responses by status:", stats["by_status"])
    for route, count in sorted(stats["by_route"].items()):
        print(f"  {count:6}  {route}")
    for line in result.stderr.splitlines():
        if " WARNING " in line or " ERROR " in line or "Traceback" in line:
            print(line[:300])
    print("exit code:", result.returncode)
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
