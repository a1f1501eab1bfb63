"""What a failed request means, and how long to wait before trying it again.

Requests are retried by the SDK's own machinery (`RESTStream.request_decorator`, on the
`backoff` library): `validate_response` raises a `RetriableAPIError` subclass for what may pass,
`backoff_wait_generator` asks a `RetryPolicy` how long to wait (through `backoff_runtime`),
and `backoff_handler` logs, counts, holds the company's other requests back and renews a
rejected token. This module holds the policy those hooks share:

* transient failures (5xx, 408, a body that is not JSON, a network error that may pass) wait
  1, 2, 4 ... seconds (capped, with jitter) and give up after `max_retries` attempts;
* 429 (and 503 with Retry-After) wait as long as Procore says, but at least a floor that
  doubles while the company keeps answering 429, so a storm of `Retry-After: 0` does not turn
  into thousands of refused calls, each of which counts against the hour; all rate-limit waits
  of one request together may not exceed `max_rate_limit_wait`;
* a 401 renews the token once per request; a second 401 is final.

Giving up raises `RetriesExhaustedError` with the reason (the scope being read fails), or, when no
other request could do better, `CredentialsRejected` / `RateLimitWaitExceeded` (the run stops); the
stream adds which request it was.
"""

from __future__ import annotations

import math
import random
import threading
import time
import typing as t
from dataclasses import dataclass, field

import requests
from singer_sdk.exceptions import RetriableAPIError

from tap_procore.dates import ProcoreClock, parse_http_date
from tap_procore.errors import (
    CredentialsRejected,
    LoginFailed,
    RateLimitWaitExceeded,
    RetriesExhaustedError,
)
from tap_procore.pacing import RateGovernor

# Waits for transient failures grow 1, 2, 4 ... seconds, capped here.
MAX_BACKOFF_SECONDS = 60.0
# If a 429 carries neither Retry-After nor X-Rate-Limit-Reset, wait this long.
DEFAULT_RATE_LIMIT_WAIT = 10.0
# Every 429 waits at least this long, doubled for each further 429 in a row for the company...
RATE_LIMIT_FLOOR_SECONDS = 1.0
# ... up to this floor.
RATE_LIMIT_FLOOR_CAP_SECONDS = 900.0
# The attempts `backoff` allows one request at most, whatever the policy says: a last guard
# against a loop, far above what max_retries and max_rate_limit_wait allow in practice.
ATTEMPTS_CEILING = 200


class TransientError(RetriableAPIError):
    """A response worth retrying: 5xx, 408, a body that is not valid JSON or not the shape
    the endpoint documents, a connection that failed in a way that may pass."""


class LoginTransient(TransientError):
    """Logging in failed in a way that may pass; if it does not, nothing else can be read."""


class RateLimited(RetriableAPIError):
    """429, or 503 with Retry-After: wait as long as Procore says, then try again."""

    def __init__(self, reason: str, response: requests.Response, wait: float) -> None:
        super().__init__(reason, response)
        self.wait = wait
        self.reason = reason


class TokenRejected(RetriableAPIError):
    """401: the access token expired early or was revoked."""


def _seconds_from_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After in seconds or as an HTTP date; None when it is neither."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        moment = parse_http_date(value)
        if moment is None:
            return None
        seconds = moment.timestamp() - now
    return max(0.0, seconds) if math.isfinite(seconds) else None


def rate_limit_wait(response: requests.Response, now: float) -> tuple[float, str]:
    """Seconds Procore asks to wait after a 429/503, and a human reason for the log."""
    retry_after = _seconds_from_retry_after(response.headers.get("Retry-After"), now)
    reset_raw = response.headers.get("X-Rate-Limit-Reset")
    reset_wait = None
    if reset_raw:
        try:
            reset_wait = max(0.0, float(reset_raw) - now)
        except ValueError:
            reset_wait = None
        if reset_wait is not None and not math.isfinite(reset_wait):
            reset_wait = None
    limit = response.headers.get("X-Rate-Limit-Limit")
    window = f"limit {limit}" if limit else "limit"
    if response.status_code == 503:
        reason = "503 service unavailable (Procore under load)"
    else:
        reason = f"429 rate {window} reached"
    if retry_after is not None:
        return retry_after + 0.05, f"{reason}, Retry-After {retry_after:g}s"
    if reset_wait is not None:
        # A spike window resets within seconds; an hourly one may be an hour away.
        return reset_wait + 0.5, f"{reason}, window resets in {reset_wait:.0f}s"
    return DEFAULT_RATE_LIMIT_WAIT, f"{reason}, no reset header"


@dataclass
class TransportStats:
    requests: int = 0
    #: Answers with a 2xx status: whether anything at all still works (errors.EveryRequestFailing).
    successes: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    retries: int = 0
    retry_reasons: dict[str, int] = field(default_factory=dict)
    rate_limit_waits: int = 0
    rate_limit_wait_seconds: float = 0.0
    token_refreshes: int = 0


class RetryPolicy:
    """The waits of one request: created per request by `backoff_wait_generator`."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self.failures = 0
        self.rate_limited_for = 0.0
        self.token_renewed = False

    def wait_for(self, exc: Exception) -> float:
        """Seconds to wait before the next attempt; raises to stop: RetriesExhaustedError (this
        request's scope fails), CredentialsRejected or RateLimitWaitExceeded (the run stops)."""
        if isinstance(exc, TokenRejected):
            if self.token_renewed:
                msg = (
                    "Procore rejected a freshly issued access token (401); check that the "
                    "service account is installed in this company and still active"
                )
                raise CredentialsRejected(msg)
            self.token_renewed = True
            return 0.0
        if isinstance(exc, RateLimited):
            wait = max(exc.wait, self._transport.rate_limit_floor(exc.response))
            budget = self._transport.max_rate_limit_wait
            if self.rate_limited_for + wait > budget:
                msg = (
                    f"still rate limited after waiting {self.rate_limited_for:.0f}s "
                    f"({exc.reason}); raise max_rate_limit_wait or lower the load on this "
                    "company's budget"
                )
                raise RateLimitWaitExceeded(msg)
            self.rate_limited_for += wait
            return wait
        self.failures += 1
        if self.failures >= self._transport.max_retries:
            msg = f"gave up after {self.failures} attempts; last error: {exc}"
            if isinstance(exc, LoginTransient):
                raise LoginFailed(msg)
            raise RetriesExhaustedError(msg)
        return min(MAX_BACKOFF_SECONDS, 2.0 ** (self.failures - 1)) * random.uniform(0.8, 1.2)


class Transport:
    """Retry settings, the rate governor, Procore's clock and the counts every stream shares."""

    def __init__(
        self,
        *,
        governor: RateGovernor,
        max_retries: int,
        max_rate_limit_wait: float,
        clock: t.Callable[[], float] = time.time,
    ) -> None:
        self.governor = governor
        self.max_retries = max_retries
        self.max_rate_limit_wait = max_rate_limit_wait
        self.clock = clock
        self.procore_clock = ProcoreClock(clock)
        self.stats = TransportStats()
        self._lock = threading.Lock()
        self._rate_limited_in_a_row: dict[str, int] = {}

    def new_policy(self) -> RetryPolicy:
        return RetryPolicy(self)

    @staticmethod
    def company_of(response: requests.Response | None) -> str:
        request = getattr(response, "request", None)
        headers = getattr(request, "headers", None) or {}
        return str(headers.get("Procore-Company-Id", ""))

    def observe(self, response: requests.Response) -> None:
        """Every answer from Procore: counts, rate-limit headers, its clock, 429/503 streaks."""
        company = self.company_of(response)
        code = response.status_code
        with self._lock:
            self.stats.requests += 1
            self.stats.by_status[code] = self.stats.by_status.get(code, 0) + 1
            if 200 <= code < 300:
                self.stats.successes += 1
            if code == 429 or (code == 503 and response.headers.get("Retry-After")):
                self._rate_limited_in_a_row[company] = (
                    self._rate_limited_in_a_row.get(company, 0) + 1
                )
            else:
                self._rate_limited_in_a_row.pop(company, None)
        self.governor.observe(company, response.headers)
        if code < 500:
            self.procore_clock.observe(response.headers.get("Date"))

    def count_failed_attempt(self) -> None:
        """An attempt that got no answer at all (a network failure)."""
        with self._lock:
            self.stats.requests += 1

    def rate_limit_floor(self, response: requests.Response | None) -> float:
        with self._lock:
            in_a_row = self._rate_limited_in_a_row.get(self.company_of(response), 1)
        return min(RATE_LIMIT_FLOOR_CAP_SECONDS, RATE_LIMIT_FLOOR_SECONDS * 2.0 ** (in_a_row - 1))

    def count_retry(self, reason: str) -> None:
        with self._lock:
            self.stats.retries += 1
            self.stats.retry_reasons[reason] = self.stats.retry_reasons.get(reason, 0) + 1

    def count_rate_limit_wait(self, seconds: float) -> None:
        with self._lock:
            self.stats.rate_limit_waits += 1
            self.stats.rate_limit_wait_seconds += seconds

    def count_token_refresh(self) -> None:
        with self._lock:
            self.stats.token_refreshes += 1
