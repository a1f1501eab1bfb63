"""Pacing to X-Rate-Limit headers and the retry policy, with a fake clock (no real sleeping)."""

from __future__ import annotations

import itertools

import pytest
import requests

from tap_procore.errors import FatalAPIError, RetriesExhaustedError
from tap_procore.pacing import RateGovernor
from tap_procore.transport import (
    RateLimited,
    TokenRejected,
    TransientError,
    Transport,
    rate_limit_wait,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def governor(clock: FakeClock, **kwargs) -> RateGovernor:
    return RateGovernor(clock=clock.time, monotonic=clock.time, sleep=clock.sleep, **kwargs)


def test_full_speed_while_the_window_is_full_then_spread_until_it_resets():
    clock = FakeClock()
    pacer = governor(clock)
    pacer.observe("1", {"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "100",
                        "X-Rate-Limit-Reset": str(int(clock.now + 10))})
    started = clock.now
    starts = []
    for _ in range(99):
        pacer.before_request("1")
        starts.append(clock.now - started)
    # The first 80 go out at once; the last 20% are spread over what is left of the window.
    assert starts[79] == 0
    assert 0 < starts[-1] < 10
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts[80:])]
    assert min(gaps) > 0.3
    # The 100th would break the one-request reserve: it waits for the reset.
    pacer.before_request("1")
    assert clock.now - started >= 10


def test_waits_for_reset_when_the_window_is_spent():
    clock = FakeClock()
    pacer = governor(clock)
    pacer.observe("1", {"X-Rate-Limit-Limit": "3600", "X-Rate-Limit-Remaining": "1",
                        "X-Rate-Limit-Reset": str(int(clock.now + 1800))})
    pacer.before_request("1")
    assert clock.slept and clock.slept[0] == pytest.approx(1800, abs=1)


def test_companies_have_separate_budgets():
    clock = FakeClock()
    pacer = governor(clock)
    pacer.observe("1", {"X-Rate-Limit-Limit": "10", "X-Rate-Limit-Remaining": "0",
                        "X-Rate-Limit-Reset": str(int(clock.now + 60))})
    pacer.before_request("2")
    assert clock.slept == []


def test_max_requests_per_hour_caps_the_rate():
    clock = FakeClock()
    pacer = governor(clock, max_requests_per_hour=360)
    for _ in range(5):
        pacer.before_request("1")
    assert sum(clock.slept) == pytest.approx(40)


def response(status: int, headers: dict | None = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp.headers.update(headers or {})
    return resp


def test_rate_limit_wait_prefers_retry_after_then_reset():
    now = 1_000_000.0
    wait, reason = rate_limit_wait(response(429, {"Retry-After": "7"}), now)
    assert wait == pytest.approx(7.05)
    assert "Retry-After 7s" in reason
    wait, reason = rate_limit_wait(response(429, {"X-Rate-Limit-Reset": str(int(now) + 3000)}), now)
    assert wait == pytest.approx(3000.5)
    assert "resets in 3000s" in reason


def transport(clock: FakeClock, **kwargs) -> Transport:
    settings = {"max_retries": 4, "max_rate_limit_wait": 7200}
    settings.update(kwargs)
    return Transport(governor=governor(clock), sleep=clock.sleep, clock=clock.time, **settings)


def test_hourly_429_is_waited_out_not_given_up():
    clock = FakeClock()
    sender = transport(clock)
    answers = iter([
        RateLimited("hourly", response(429), 3400.0, "429 hourly"),
        response(200),
    ])

    def attempt():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert sender.send(attempt, company="1", describe="GET /x").status_code == 200
    assert sum(clock.slept) >= 3400
    assert sender.stats.rate_limit_waits == 1


def test_rate_limit_wait_budget_ends_the_run_with_a_clear_message():
    clock = FakeClock()
    sender = transport(clock, max_rate_limit_wait=100)

    def attempt():
        raise RateLimited("hourly", response(429), 3400.0, "429 rate limit reached")

    with pytest.raises(RetriesExhaustedError, match="still rate limited"):
        sender.send(attempt, company="1", describe="rfis: GET /x")


def test_transient_errors_back_off_then_give_up():
    clock = FakeClock()
    sender = transport(clock)
    calls = []

    def attempt():
        calls.append(1)
        raise TransientError("HTTP 502 Bad Gateway")

    with pytest.raises(RetriesExhaustedError, match="gave up after 4 attempts; last error: HTTP 502"):
        sender.send(attempt, company="1", describe="GET /x")
    assert len(calls) == 4
    assert len(clock.slept) == 3
    assert clock.slept[1] > clock.slept[0]


def test_connection_errors_are_retried():
    clock = FakeClock()
    sender = transport(clock)
    answers = iter([requests.exceptions.ConnectionError("reset"), ConnectionResetError(),
                    requests.exceptions.ReadTimeout("slow"), response(200)])

    def attempt():
        answer = next(answers)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    assert sender.send(attempt, company="1", describe="GET /x").status_code == 200
    assert sender.stats.retries == 3


def test_a_401_refreshes_the_token_once_then_is_fatal():
    clock = FakeClock()
    sender = transport(clock)
    refreshed = []

    def attempt():
        raise TokenRejected

    with pytest.raises(FatalAPIError, match="freshly issued access token"):
        sender.send(attempt, company="1", describe="GET /x",
                    on_token_rejected=lambda: refreshed.append(1))
    assert refreshed == [1]


def test_a_reset_header_years_away_never_means_waiting_years():
    clock = FakeClock()
    pacer = governor(clock)
    pacer.observe("1", {"X-Rate-Limit-Limit": "10", "X-Rate-Limit-Remaining": "0",
                        "X-Rate-Limit-Reset": str(int(clock.now + 10**8))})
    pacer.before_request("1")
    assert sum(clock.slept) <= 3601
