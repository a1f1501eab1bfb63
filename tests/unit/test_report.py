"""The run's progress lines and its summary speak of rate-limit waits in the same words."""

from __future__ import annotations

import logging

from tap_procore.pacing import PacingStats
from tap_procore.report import RunReport
from tap_procore.sweep import Scope
from tap_procore.transport import TransportStats

WAITS = "waited 42.0s on the rate limit (429/503 answers: 2, 12.0s; pacing: 30.0s)"


def stats() -> tuple[TransportStats, PacingStats]:
    transport = TransportStats(
        requests=2210, retries=3, rate_limit_waits=2, rate_limit_wait_seconds=12.0
    )
    return transport, PacingStats(waits=40, waited_seconds=30.0)


def test_progress_and_summary_name_waits_alike(caplog):
    now = [0.0]
    report = RunReport(progress_interval=60, clock=lambda: now[0])
    report.enter_project(Scope(123, 456789), 41, 300)
    now[0] = 1834.0
    with caplog.at_level(logging.INFO, logger="tap-procore"):
        report.maybe_log_progress(*stats())
    (progress,) = [record.getMessage() for record in caplog.records]
    assert progress == (
        "Progress after 1834s: company 123, project 41 of 300 (456789); 0 records; 2210 requests; "
        f"3 retries; {WAITS}"
    )
    summary = report.summary_lines(*stats())[0]
    assert summary.startswith("Run summary: 0 records in 1834.0s, 2210 requests, 3 retries, ")
    assert f", {WAITS}, 0 token refreshes after 401" in summary


def test_no_progress_line_before_the_interval(caplog):
    now = [0.0]
    report = RunReport(progress_interval=60, clock=lambda: now[0])
    now[0] = 59.0
    with caplog.at_level(logging.INFO, logger="tap-procore"):
        report.maybe_log_progress(*stats())
    assert not caplog.records
