"""The request plan: projects, streams, requests and hours, before a historical sync."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from tests.conftest import CLIENT, REPO, base_config, catalog_selecting, company_ids, run_tap


def run_plan(config_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tap_procore.plan", "--config", str(config_path), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=600,
    )


def test_plan_counts_projects_and_estimates_requests_and_hours(double, tmp_path):
    config = base_config(double.url, [5000000001, 5000000002], max_requests_per_hour=600)
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "catalog.json").write_text(
        json.dumps(catalog_selecting(["projects", "rfis", "submittals", "trades"]))
    )
    double.control.clear_requests()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tap_procore.plan",
            "--config",
            str(tmp_path / "config.json"),
            "--catalog",
            str(tmp_path / "catalog.json"),
            "--sample",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=120,
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
    # The plan reads lists and first pages; it does not sync anything, and says what it used.
    made = [r for r in double.control.requests() if r["path"].startswith("/rest/")]
    # Two project lists, trades (company level) in both companies, one first page per stream.
    assert len(made) <= 2 + 2 + 2
    used = re.search(r"This plan used (\d+) requests to sample", result.stdout)
    assert used and int(used.group(1)) == len(double.control.requests())  # with the token


def test_plan_is_within_a_quarter_of_the_real_run_and_flags_the_hourly_limit(double, tmp_path):
    """The demo tenant, default selection: the plan's total against the requests a real first
    sync makes, and the company whose sweep outgrows the hourly limit named as such."""
    config = {
        **CLIENT,
        "api_url": double.url,
        "auth_url": double.url,
        "company_ids": company_ids(double),
        "start_date": "2024-01-01T00:00:00Z",
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    result = run_plan(tmp_path / "config.json")
    assert result.returncode == 0, result.stderr[-2000:]
    estimate = int(re.search(r"total \(estimate\)\s+(\d+)", result.stdout).group(1))
    per_company = dict(re.findall(r"company (\d+): (\d+) requests", result.stdout))

    before = double.control.stats()["total"]
    run = run_tap(tmp_path, config)
    assert run.returncode == 0, run.stderr[-2000:]
    real = double.control.stats()["total"] - before
    assert abs(estimate - real) <= 0.25 * real, (estimate, real)

    assert set(per_company) == {str(company) for company in company_ids(double)}


def test_plan_prints_no_warnings_about_how_records_are_written(double, tmp_path):
    """The double's projects hold NUL characters: a run says once per stream that it sends
    them as U+FFFD; a plan writes no records, so it has nothing to say about them."""
    config = base_config(double.url, company_ids(double))
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "catalog.json").write_text(json.dumps(catalog_selecting(["projects", "rfis"])))
    result = run_plan(
        tmp_path / "config.json", "--catalog", str(tmp_path / "catalog.json"), "--sample", "2"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "U+FFFD" not in result.stderr, result.stderr[-2000:]
    run = run_tap(tmp_path, config, streams=["projects"])
    assert any("projects: text with NUL characters" in line for line in run.stderr.splitlines())


def test_plan_says_which_company_reaches_the_hourly_limit():
    # The line each company gets, from the estimate and the hourly limit (no pacing to wait on).
    from tap_procore.plan import company_line

    under = company_line(5000000001, 1800, 3600)
    over = company_line(5000000002, 9000, 3600)
    assert "stays under the hourly limit (3600)" in under and "reaches" not in under
    assert "reaches the hourly limit (3600)" in over and "reset 2 times" in over
    assert "9000 requests" in over and "2.5 hours" in over


def test_plan_refuses_bad_config_with_one_line(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"client_id": "x"}))
    result = subprocess.run(
        [sys.executable, "-m", "tap_procore.plan", "--config", str(tmp_path / "config.json")],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "client_secret" in result.stderr.strip().splitlines()[-1]


def test_plan_tells_the_schedule_of_a_budget_and_a_shard(double, tmp_path):
    streams = ["projects", "rfis", "rfi_replies", "submittals", "trades"]
    companies = [5000000001, 5000000002]
    config = base_config(double.url, companies, max_requests_per_run=100, shard="1/2")
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "catalog.json").write_text(json.dumps(catalog_selecting(streams)))
    result = run_plan(tmp_path / "config.json", "--catalog", str(tmp_path / "catalog.json"))
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    total = int(re.search(r"total \(estimate\)\s+(\d+)", out).group(1))
    runs = int(re.search(r"the first sync takes (\d+) runs", out).group(1))
    assert runs == -(-total // 100)
    assert "shard 1/2" in out
    # A later run that probes every partition: the plan's figure against a real one.
    probing = int(re.search(r"probing every partition once: about (\d+) requests", out).group(1))
    first = run_tap(
        tmp_path / "first",
        {k: v for k, v in config.items() if k != "max_requests_per_run"},
        streams=streams,
    )
    assert first.returncode == 0, first.stderr[-2000:]
    double.control.clear_requests()
    second = run_tap(
        tmp_path / "second",
        {k: v for k, v in config.items() if k != "max_requests_per_run"},
        streams=streams,
        state=first.final_state,
    )
    assert second.returncode == 0, second.stderr[-2000:]
    made = len([r for r in double.control.requests() if r["path"].startswith("/rest/")])
    assert 0.75 * made <= probing <= 1.25 * made, (probing, made)
