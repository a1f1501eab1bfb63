#!/usr/bin/env python3
"""The quickstart's main job: `meltano run tap-procore target-jsonl` against the bundled
Procore double, then the number of rows that landed per stream.

    python scripts/demo.py [--streams rfis,submittals] [--output output/demo]

The double is a fake Procore on loopback (procore_double): three companies, eleven active
projects, an inactive, an empty and a tool-off project, 2,345 RFIs in one project. Nothing
leaves this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from procore_double import spawn_double  # noqa: E402


def meltano_executable() -> str:
    beside_python = Path(sys.executable).parent / "meltano"
    return str(beside_python) if beside_python.exists() else (shutil.which("meltano") or "meltano")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", help="comma-separated streams to select (default: all)")
    parser.add_argument("--output", type=Path, default=REPO / "output" / "demo")
    args = parser.parse_args()

    if args.output.exists():
        shutil.rmtree(args.output)
    args.output.mkdir(parents=True)
    meltano = meltano_executable()

    with spawn_double(hourly_limit=10**6, spike_limit=10**6) as double:
        companies = [c["id"] for c in double.control.tenant()["companies"]]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_PROCORE", "MELTANO_"))}
        env.update(
            {
                "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
                "TAP_PROCORE_API_URL": double.url,
                "TAP_PROCORE_AUTH_URL": double.url,
                "TAP_PROCORE_CLIENT_ID": "double-client-id",
                "TAP_PROCORE_CLIENT_SECRET": "double-client-secret",
                "TAP_PROCORE_COMPANY_IDS": json.dumps(companies),
                "TARGET_JSONL_DESTINATION_PATH": str(args.output),
                # Each demo starts from scratch rather than from the previous demo's state.
                "MELTANO_DATABASE_URI": f"sqlite:///{args.output / 'meltano.db'}",
            }
        )
        if args.streams:
            env["TAP_PROCORE__SELECT"] = json.dumps([f"{s}.*" for s in args.streams.split(",")])
        print("Installing plugins (tap-procore, target-jsonl) with meltano install ...", flush=True)
        subprocess.run(
            [meltano, "install"], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL
        )
        print(
            f"Running: meltano run tap-procore target-jsonl   (Procore double at {double.url})",
            flush=True,
        )
        run = subprocess.run(
            [meltano, "run", "tap-procore", "target-jsonl"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            print(run.stderr[-4000:])
            return run.returncode
        requests = double.control.stats()["total"]

    counts = {
        path.stem: sum(1 for _ in path.open(encoding="utf-8"))
        for path in sorted(args.output.glob("*.jsonl"))
    }
    width = max(map(len, counts), default=10)
    print(f"\n{'stream':{width}}  rows")
    for stream, rows in counts.items():
        print(f"{stream:{width}}  {rows}")
    print(
        f"\n{len(counts)} streams, {sum(counts.values())} rows, {requests} requests to the "
        f"double; files in {args.output}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
