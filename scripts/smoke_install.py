#!/usr/bin/env python3
"""Smoke-test an installed tap-procore: what a user runs right after `pip install`.

    python scripts/smoke_install.py --venv DIR [--sync]

Runs the venv's own executables from an empty directory outside this checkout, so that the
package under test is the one installed in DIR (the wheel), never this source tree:

* `tap-procore --version` prints the version of the installed distribution, which is the
  version pyproject.toml declares (its one source);
* `tap-procore --about --format json` names the tap, its capabilities and settings;
* `tap-procore --discover` lists every stream with its schema (the JSON schemas are in the wheel);
* `tap-procore-plan --help` and `tap-procore-webhooks --help` answer;
* with `--sync`, one sync against the Procore double (run from this checkout by the venv's
  Python, as `python -m procore_double`): companies, projects and RFIs, exit code 0.

Prints one line per check and exits 1 at the first that fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DIST = "singer-tap-procore"
SYNC_STREAMS = ("companies", "projects", "rfis")


class SmokeFailure(Exception):
    pass


def declared_version() -> str:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"', text, re.M)
    if not match:
        raise SmokeFailure("pyproject.toml declares no version")
    return match.group(1)


def run(command: list[str], cwd: Path, *, timeout: float = 300) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TAP_PROCORE", "PYTHONPATH", "VIRTUAL_ENV"))
    }
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise SmokeFailure(
            f"{' '.join(command)} exited {result.returncode}:\n{result.stderr[-3000:]}"
        )
    return result.stdout


def check_installed_package(bin_dir: Path, work: Path) -> str:
    python = str(bin_dir / "python")
    where = run([python, "-c", "import tap_procore; print(tap_procore.__file__)"], work).strip()
    venv = bin_dir.parent.resolve()
    if not Path(where).resolve().is_relative_to(venv):
        raise SmokeFailure(f"tap_procore was imported from {where}, not from {venv}")
    return f"tap_procore imported from {where}"


def check_version(bin_dir: Path, work: Path) -> str:
    wanted = declared_version()
    installed = run(
        [
            str(bin_dir / "python"),
            "-c",
            f"import importlib.metadata as m; print(m.version({DIST!r}))",
        ],
        work,
    ).strip()
    printed = run([str(bin_dir / "tap-procore"), "--version"], work).strip()
    if installed != wanted or not printed.startswith(f"tap-procore v{wanted},"):
        raise SmokeFailure(
            f"version: pyproject.toml says {wanted}, the installed distribution {installed}, "
            f"tap-procore --version printed {printed!r}"
        )
    return f"tap-procore --version: {printed}"


def check_about(bin_dir: Path, work: Path) -> str:
    about = json.loads(run([str(bin_dir / "tap-procore"), "--about", "--format", "json"], work))
    settings = about.get("settings", {}).get("properties", {})
    if about.get("name") != "tap-procore" or "discover" not in about.get("capabilities", []):
        raise SmokeFailure(f"--about: unexpected name or capabilities: {about.get('name')!r}")
    if not {"client_id", "client_secret", "company_ids"} <= set(settings):
        raise SmokeFailure(f"--about: settings lack the credentials: {sorted(settings)}")
    return f"tap-procore --about: {len(settings)} settings, version {about.get('version')}"


def check_discover(bin_dir: Path, work: Path) -> tuple[str, dict]:
    catalog = json.loads(run([str(bin_dir / "tap-procore"), "--discover"], work))
    streams = catalog.get("streams", [])
    names = {entry["tap_stream_id"] for entry in streams}
    empty = [entry["tap_stream_id"] for entry in streams if not entry["schema"].get("properties")]
    if len(streams) < 500 or not set(SYNC_STREAMS) <= names or empty:
        raise SmokeFailure(
            f"--discover: {len(streams)} streams, schemaless: {empty[:5]}, "
            f"missing: {sorted(set(SYNC_STREAMS) - names)}"
        )
    return f"tap-procore --discover: {len(streams)} streams, each with its schema", catalog


def check_help(bin_dir: Path, work: Path, command: str) -> str:
    text = run([str(bin_dir / command), "--help"], work)
    if "usage" not in text.lower():
        raise SmokeFailure(f"{command} --help printed no usage")
    return f"{command} --help: usage shown"


def check_sync(bin_dir: Path, work: Path, catalog: dict) -> str:
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in SYNC_STREAMS
    (work / "catalog.json").write_text(json.dumps(catalog))
    double = subprocess.Popen(
        [str(bin_dir / "python"), "-m", "procore_double", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert double.stdout is not None
    try:
        url = double.stdout.readline().strip().rpartition("=")[2]
        if not url.startswith("http://127.0.0.1:"):
            raise SmokeFailure(f"the double did not start (said {url!r})")
        config = {
            "client_id": "double-client-id",
            "client_secret": "double-client-secret",
            "company_ids": [5000000001, 5000000002, 5000000003],
            "api_url": url,
            "auth_url": url,
            "start_date": "2020-01-01T00:00:00Z",
        }
        (work / "config.json").write_text(json.dumps(config))
        output = run(
            [str(bin_dir / "tap-procore"), "--config", "config.json", "--catalog", "catalog.json"],
            work,
        )
    finally:
        double.terminate()
        double.wait(timeout=30)
        double.stdout.close()
    counts = {name: 0 for name in SYNC_STREAMS}
    for line in output.splitlines():
        message = json.loads(line)
        if message.get("type") == "RECORD":
            counts[message["stream"]] += 1
    if counts["companies"] != 3 or counts["rfis"] < 2000:
        raise SmokeFailure(f"sync against the double: unexpected record counts {counts}")
    return "one sync against the double: " + ", ".join(f"{n} {s}" for s, n in counts.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, required=True, help="the venv the tap is installed in")
    parser.add_argument("--sync", action="store_true", help="also sync against the double")
    args = parser.parse_args(argv)
    bin_dir = args.venv.resolve() / "bin"
    label = f"[{args.venv.name}]"
    with tempfile.TemporaryDirectory(prefix="tap-procore-smoke-") as scratch:
        work = Path(scratch)
        try:
            print(label, check_installed_package(bin_dir, work), flush=True)
            print(label, check_version(bin_dir, work), flush=True)
            print(label, check_about(bin_dir, work), flush=True)
            line, catalog = check_discover(bin_dir, work)
            print(label, line, flush=True)
            for command in ("tap-procore-plan", "tap-procore-webhooks"):
                print(label, check_help(bin_dir, work, command), flush=True)
            if args.sync:
                print(label, check_sync(bin_dir, work, catalog), flush=True)
        except (SmokeFailure, subprocess.TimeoutExpired, json.JSONDecodeError) as failure:
            print(f"{label} FAILED: {failure}", file=sys.stderr, flush=True)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
