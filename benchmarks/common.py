"""Shared pieces of the benchmarks: run a tap as a process against the double and measure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import typing as t
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from procore_double import DoubleProcess  # noqa: E402
from tests.conftest import catalog_selecting  # noqa: E402

CLIENT = {"client_id": "double-client-id", "client_secret": "double-client-secret"}


@dataclass
class Measured:
    label: str
    records: int
    state_messages: int
    state_bytes: int
    final_state_bytes: int
    schema_messages: int
    requests: int
    responses_429: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    exit_code: int
    final_state: dict | None


def run_tap(
    double: DoubleProcess,
    *,
    label: str,
    streams: list[str],
    companies: list[int],
    naive: bool = False,
    extra_config: dict | None = None,
    state: dict | None = None,
) -> Measured:
    """Run tap-procore (or the naive SDK-defaults tap) and count what it wrote and asked."""
    double.control.clear_requests()
    config = {
        **CLIENT,
        "api_url": double.url,
        "auth_url": double.url,
        "company_ids": companies,
        "start_date": "2020-01-01T00:00:00Z",
        **(extra_config or {}),
    }
    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp, "config.json")
        command = [sys.executable, "-m"]
        if naive:
            config["streams"] = [s for s in streams if s not in ("companies", "projects")]
            command += ["benchmarks.naive_tap", "--config", str(config_path)]
        else:
            catalog_path = Path(tmp, "catalog.json")
            catalog_path.write_text(json.dumps(catalog_selecting(streams)))
            command += [
                "tap_procore.tap",
                "--config",
                str(config_path),
                "--catalog",
                str(catalog_path),
            ]
        config_path.write_text(json.dumps(config))
        if state is not None:
            state_path = Path(tmp, "state.json")
            state_path.write_text(json.dumps(state))
            command += ["--state", str(state_path)]
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        records = state_messages = state_bytes = schema_messages = 0
        last_state: bytes | None = None
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(b'{"type":"RECORD"'):
                records += 1
                continue
            kind = json.loads(line).get("type")
            if kind == "STATE":
                state_messages += 1
                state_bytes += len(line)
                last_state = line
            elif kind == "SCHEMA":
                schema_messages += 1
            elif kind == "RECORD":
                records += 1
        # wait4 gives this process's own CPU time and peak memory.
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = exit_code = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
    stats = double.control.stats()
    final = json.loads(last_state)["value"] if last_state else None
    return Measured(
        label=label,
        records=records,
        state_messages=state_messages,
        state_bytes=state_bytes,
        final_state_bytes=len(json.dumps(final)) if final else 0,
        schema_messages=schema_messages,
        requests=sum(n for route, n in stats["by_route"].items() if route.startswith("/rest")),
        responses_429=int(stats["by_status"].get("429", 0)),
        wall_seconds=wall,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,
        exit_code=exit_code,
        final_state=final,
    )


def table(rows: list[list[t.Any]], headers: list[str]) -> str:
    cells = [headers, *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + " |"
        for row in cells
    ]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)


def mb(value: int) -> str:
    return f"{value / 1_000_000:.2f} MB" if value >= 100_000 else f"{value / 1000:.1f} kB"
