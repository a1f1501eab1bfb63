"""Pacing to X-Rate-Limit headers and the retry policy, with a fake clock (no real sleeping).

The retry tests run a real stream's request through the SDK's retry decorator
(`request_decorator`, `backoff_*` hooks), with HTTP answered by requests-mock."""

from __future__ import annotations

import itertools
import time
import typing as t

import pytest
import requests
import requests_mock

from tap_procore.errors import CredentialsRejected, RateLimitWaitExceeded, RetriesExhaustedError
from tap_procore.pacing import RateGovernor
from tap_procore.retries import rate_limit_wait
from tap_procore.tap import TapProcore
from tap_procore.transport import Transport


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
    pacer.observe(
        "1",
        {
            "X-Rate-Limit-Limit": "100",
            "X-Rate-Limit-Remaining": "100",
            "X-Rate-Limit-Reset": str(int(clock.now + 10)),
        },
    )
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


def test_waits_for_reset_when_the_window_is_spent(caplog):
    clock = FakeClock()
    pacer = governor(clock)
    pacer.observe(
        "1",
        {
            "X-Rate-Limit-Limit": "3600",
            "X-Rate-Limit-Remaining": "1",
            "X-Rate-Limit-Reset": str(int(clock.now + 1800)),
        },
    )
    with caplog.at_level("INFO", logger="tap-procore"):
        pacer.before_request("1")
    assert clock.slept and clock.slept[0] == pytest.approx(1800, abs=1)
    assert "Pausing 1799s before the next request for company 1" in caplog.text


def test_companies_have_separate_budgets():
    clock = FakeClock()
    pacer = governor(clock)
    pacer.observe(
        "1",
        {
            "X-Rate-Limit-Limit": "10",
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(int(clock.now + 60)),
        },
    )
    pacer.before_request("2")
    assert clock.slept == []


def test_max_requests_per_hour_caps_the_rate():
    clock = FakeClock()
    pacer = governor(clock, max_requests_per_hour=360)
    for _ in range(5):
        pacer.before_request("1")
    assert sum(clock.slept) == pytest.approx(40)


def response(status: int, headers: dict | None = None) -> requests.Response:
    request = requests.Request("GET", "https://api.example.com/rest/v1.0/companies/1/trades")
    return requests_mock.create_response(
        request.prepare(), status_code=status, headers=headers or {}
    )


def test_rate_limit_wait_prefers_retry_after_then_reset():
    now = 1_000_000.0
    wait, reason = rate_limit_wait(response(429, {"Retry-After": "7"}), now)
    assert wait == pytest.approx(7.05)
    assert "Retry-After 7s" in reason
    wait, reason = rate_limit_wait(response(429, {"X-Rate-Limit-Reset": str(int(now) + 3000)}), now)
    assert wait == pytest.approx(3000.5)
    assert "resets in 3000s" in reason


API = "https://api.example.com"
TRADES_URL = f"{API}/rest/v1.0/companies/1/trades"
TOKEN_URL = "https://login.example.com/oauth/token"
TOKEN = {"json": {"access_token": "access-token-123456", "expires_in": 5400}}
ROWS = {"json": [{"id": 1, "name": "Concrete"}]}


@pytest.fixture
def sender(monkeypatch):
    """The trades stream of a real tap, its HTTP mocked and its clock fake: `send(answers)`
    fetches page 1 through the SDK's retry machinery and returns the response."""
    clock = FakeClock()
    # backoff sleeps with time.sleep; here that sleep only moves the fake clock.
    monkeypatch.setattr(time, "sleep", clock.sleep)

    def make(answers: list[dict], logins: list[dict] | None = None, **settings) -> t.Any:
        config = {
            "client_id": "id",
            "client_secret": "secret-value",
            "company_ids": [1],
            "api_url": API,
            "auth_url": "https://login.example.com",
            "max_retries": 4,
            "max_rate_limit_wait": 7200,
            **settings,
        }
        tap = TapProcore(config=config, setup_mapper=False)
        tap.__dict__["governor"] = governor(clock)
        tap.__dict__["transport"] = Transport(
            governor=tap.governor,
            max_retries=config["max_retries"],
            max_rate_limit_wait=config["max_rate_limit_wait"],
            clock=clock.time,
        )
        mock = requests_mock.Mocker()
        mock.post(TOKEN_URL, logins or [TOKEN] * 10)
        mock.get(TRADES_URL, answers)
        with mock:
            stream = tap.streams["trades"]
            try:
                return stream.reader.read({"company_id": 1}, 1)
            finally:
                make.tap, make.mock = tap, mock  # type: ignore[attr-defined]

    make.clock = clock  # type: ignore[attr-defined]
    return make


def test_hourly_429_is_waited_out_not_given_up(sender):
    reset = str(int(sender.clock.now) + 3400)
    response = sender([{"status_code": 429, "headers": {"X-Rate-Limit-Reset": reset}}, ROWS])
    assert response.records == ROWS["json"]
    assert sum(sender.clock.slept) >= 3400
    assert sender.tap.transport.stats.rate_limit_waits == 1


def test_rate_limit_wait_budget_ends_the_run_with_a_clear_message(sender):
    reset = str(int(sender.clock.now) + 3400)
    with pytest.raises(RateLimitWaitExceeded, match=r"trades: GET .*: still rate limited"):
        sender(
            [{"status_code": 429, "headers": {"X-Rate-Limit-Reset": reset}}],
            max_rate_limit_wait=100,
        )


@pytest.mark.parametrize("status", [429, 503])
def test_a_storm_of_zero_second_429s_waits_longer_each_time_and_ends(sender, status):
    storm = [{"status_code": status, "headers": {"Retry-After": "0"}}]
    with pytest.raises(RateLimitWaitExceeded, match="still rate limited after waiting 7s"):
        sender(storm, max_rate_limit_wait=10)
    assert sender.clock.slept == [1.0, 2.0, 4.0]
    assert sender.mock.call_count == 1 + 4  # the token, then four refused calls


def test_transient_errors_back_off_then_give_up(sender):
    with pytest.raises(
        RetriesExhaustedError, match="gave up after 4 attempts; last error: HTTP 502"
    ):
        sender([{"status_code": 502, "reason": "Bad Gateway"}])
    assert sender.mock.call_count == 1 + 4
    assert len(sender.clock.slept) == 3
    assert sender.clock.slept[1] > sender.clock.slept[0]


def test_connection_errors_are_retried(sender):
    response = sender(
        [
            {"exc": requests.exceptions.ConnectionError("reset")},
            {"exc": requests.exceptions.ReadTimeout("slow")},
            ROWS,
        ]
    )
    assert response.records == ROWS["json"]
    assert sender.tap.transport.stats.retries == 2


def test_an_object_where_a_list_belongs_is_retried_inside_the_loop(sender):
    with pytest.raises(RetriesExhaustedError, match="expected a JSON list, got dict"):
        sender([{"json": {"id": 1}}])
    assert sender.mock.call_count == 1 + 4


def test_a_401_renews_the_token_once_then_is_fatal(sender):
    with pytest.raises(CredentialsRejected, match="freshly issued access token"):
        sender([{"status_code": 401}])
    logins = [r for r in sender.mock.request_history if r.method == "POST"]
    assert len(logins) == 2
    assert sender.tap.transport.stats.token_refreshes == 1


def test_a_failing_login_is_retried_like_any_request(sender):
    response = sender([ROWS], logins=[{"status_code": 503}, TOKEN])
    assert response.records == ROWS["json"]
    assert sender.tap.transport.stats.retries == 1


def test_a_reset_header_years_away_never_means_waiting_years():
    clock = FakeClock()
    pacer = governor(clock)
    pacer.observe(
        "1",
        {
            "X-Rate-Limit-Limit": "10",
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(int(clock.now + 10**8)),
        },
    )
    pacer.before_request("1")
    assert sum(clock.slept) <= 3601


def _spent_window(pacer: RateGovernor, clock: FakeClock, *, reset_in: float) -> None:
    pacer.observe(
        "1",
        {
            "X-Rate-Limit-Limit": "3600",
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(int(clock.now + reset_in)),
        },
    )


def test_a_window_reset_beyond_the_allowance_stops_without_waiting():
    clock = FakeClock()
    pacer = governor(clock, max_rate_limit_wait=10)
    _spent_window(pacer, clock, reset_in=365 * 86400)
    with pytest.raises(RateLimitWaitExceeded) as stopped:
        pacer.before_request("1")
    assert clock.slept == []
    message = str(stopped.value)
    assert "company 1" in message and "max_rate_limit_wait (10s)" in message
    assert "31536000s away" in message


def test_pauses_for_a_window_that_never_resets_add_up_to_the_allowance():
    clock = FakeClock()
    pacer = governor(clock, max_rate_limit_wait=3 * 3600 + 60)
    paused = 0
    with pytest.raises(RateLimitWaitExceeded, match="max_rate_limit_wait"):
        for _ in range(10):
            _spent_window(pacer, clock, reset_in=365 * 86400)  # every answer says the same
            pacer.before_request("1")
            paused += 1
    assert paused == 3 and sum(clock.slept) == pytest.approx(3 * 3600, abs=1)


def test_an_honest_hourly_window_is_waited_out_run_after_run():
    clock = FakeClock()
    pacer = governor(clock, max_rate_limit_wait=2000)
    for _ in range(5):
        _spent_window(pacer, clock, reset_in=1800)
        pacer.before_request("1")  # waits for the reset
        pacer.observe(
            "1",
            {
                "X-Rate-Limit-Limit": "3600",
                "X-Rate-Limit-Remaining": "3599",
                "X-Rate-Limit-Reset": str(int(clock.now + 3600)),
            },
        )
        pacer.before_request("1")  # a fresh window: no pause, the count starts again
    assert sum(clock.slept) == pytest.approx(5 * 1800, abs=5)


def test_the_users_own_pace_is_not_a_wait_for_the_window():
    clock = FakeClock()
    pacer = governor(clock, max_requests_per_hour=60, max_rate_limit_wait=10)
    for _ in range(5):
        pacer.before_request("1")
    assert clock.slept == [pytest.approx(60)] * 4
