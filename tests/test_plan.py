"""The request plan: projects, streams, requests and hours, before a historical sync."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO, base_config, catalog_selecting


def test_plan_counts_projects_and_estimates_requests_and_hours(double, tmp_path):
    config = base_config(double.url, [5000000001, 5000000002], max_requests_per_hour=600)
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "catalog.json").write_text(
        json.dumps(catalog_selecting(["projects", "rfis", "submittals", "trades"])))
    double.control.clear_requests()
    result = subprocess.run(
        [sys.executable, "-m", "tap_procore.plan", "--config", str(tmp_path / "config.json"),
         "--catalog", str(tmp_path / "catalog.json"), "--sample", "1"],
        capture_output=True, text=True, cwd=REPO, check=False, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    project_line = next(line for line in lines if line.startswith("project-level streams"))
    # 3 active projects in the first company (one inactive), 4 in the second; 2 streams.
    streams, scopes = project_line.split()[2:4]
    assert (streams, scopes) == ("2", "7")
    # The sampled project holds 2,345 RFIs: 3 pages at 1,000, extrapolated to every project.
    requests = int(project_line.split()[4])
    assert requests == 7 * (3 + 1)
    assert "600 requests per hour" in result.stdout
    assert "company 5000000001" in result.stdout and "hours" in result.stdout
    # The plan reads lists and samples; it does not sync anything.
    made = [r for r in double.control.requests() if r["path"].startswith("/rest/")]
    assert len(made) <= 2 + 2 + 2  # project lists, company lookups, one sample per stream


def test_plan_refuses_bad_config_with_one_line(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"client_id": "x"}))
    result = subprocess.run(
        [sys.executable, "-m", "tap_procore.plan", "--config", str(tmp_path / "config.json")],
        capture_output=True, text=True, cwd=REPO, check=False, timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "client_secret" in result.stderr.strip().splitlines()[-1]
