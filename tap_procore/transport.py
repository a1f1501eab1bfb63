"""One place that sends requests to Procore and decides what a failure means.

Every request of every stream (and every token request) goes through `Transport.send`, which
paces to the rate limit, retries what is transient, waits out 429/503 for as long as Procore
asks, refreshes a rejected token once, and turns everything else into a one-line fatal error.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import threading
import time
import typing as t
from dataclasses import dataclass, field

import requests

from tap_procore.errors import FatalAPIError, RetriesExhaustedError
from tap_procore.pacing import RateGovernor

logger = logging.getLogger("tap-procore")

# Waits for transient failures grow 1, 2, 4 ... seconds, capped here.
MAX_BACKOFF_SECONDS = 60.0
# If a 429 carries neither Retry-After nor X-Rate-Limit-Reset, wait this long.
DEFAULT_RATE_LIMIT_WAIT = 10.0


class TransientError(Exception):
    """A response worth retrying: 5xx, 408, a body that is not valid JSON."""

    def __init__(self, message: str, response: requests.Response | None = None) -> None:
        super().__init__(message)
        self.response = response


class RateLimited(Exception):
    """429, or 503 with Retry-After: wait as long as Procore says, then try again."""

    def __init__(self, message: str, response: requests.Response, wait: float, reason: str) -> None:
        super().__init__(message)
        self.response = response
        self.wait = wait
        self.reason = reason


class TokenRejected(Exception):
    """401: the access token expired early or was revoked."""


NETWORK_ERRORS = (
    ConnectionError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


def _seconds_from_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After in seconds or as an HTTP date; None when it is neither."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if parsed.tzinfo is None:
            return None
        seconds = parsed.timestamp() - now
    return max(0.0, seconds) if math.isfinite(seconds) else None


def rate_limit_wait(response: requests.Response, now: float) -> tuple[float, str]:
    """Seconds to wait after a 429/503 and a human reason for the log."""
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
    by_status: dict[int, int] = field(default_factory=dict)
    retries: int = 0
    retry_reasons: dict[str, int] = field(default_factory=dict)
    rate_limit_waits: int = 0
    rate_limit_wait_seconds: float = 0.0
    token_refreshes: int = 0


class Transport:
    """Retry, wait and pacing policy shared by every stream of a run."""

    def __init__(
        self,
        *,
        governor: RateGovernor,
        max_retries: int,
        max_rate_limit_wait: float,
        sleep: t.Callable[[float], None] = time.sleep,
        clock: t.Callable[[], float] = time.time,
    ) -> None:
        self.governor = governor
        self.max_retries = max_retries
        self.max_rate_limit_wait = max_rate_limit_wait
        self.sleep = sleep
        self.clock = clock
        self.stats = TransportStats()
        self._lock = threading.Lock()

    def _count(self, response: requests.Response | None) -> None:
        with self._lock:
            self.stats.requests += 1
            if response is not None:
                code = response.status_code
                self.stats.by_status[code] = self.stats.by_status.get(code, 0) + 1

    def _count_retry(self, reason: str) -> None:
        with self._lock:
            self.stats.retries += 1
            self.stats.retry_reasons[reason] = self.stats.retry_reasons.get(reason, 0) + 1

    def send(
        self,
        attempt: t.Callable[[], requests.Response],
        *,
        company: str,
        describe: str,
        on_token_rejected: t.Callable[[], None] | None = None,
    ) -> requests.Response:
        """Run `attempt` until it returns a good response or the policy gives up.

        `attempt` sends one request and raises TransientError / RateLimited / TokenRejected /
        a network error for the failures this loop knows how to handle.
        """
        failures = 0
        rate_limited_for = 0.0
        token_refreshed = False
        while True:
            self.governor.before_request(company)
            try:
                response = attempt()
            except RateLimited as exc:
                self._count(exc.response)
                self.governor.observe(company, exc.response.headers)
                if rate_limited_for + exc.wait > self.max_rate_limit_wait:
                    msg = (
                        f"{describe}: still rate limited after waiting {rate_limited_for:.0f}s "
                        f"({exc.reason}); raise max_rate_limit_wait or lower the load on this "
                        "company's budget"
                    )
                    raise RetriesExhaustedError(msg) from None
                rate_limited_for += exc.wait
                with self._lock:
                    self.stats.rate_limit_waits += 1
                    self.stats.rate_limit_wait_seconds += exc.wait
                logger.warning(
                    "Waiting %.1fs before retrying %s: %s", exc.wait, describe, exc.reason
                )
                # The next before_request() sleeps this out, and so does every other worker
                # sending for the same company.
                self.governor.hold_until(company, exc.wait)
                continue
            except TokenRejected:
                self._count(None)
                if token_refreshed or on_token_rejected is None:
                    msg = (
                        f"{describe}: Procore rejected a freshly issued access token (401); check "
                        "that the service account is installed in this company and still active"
                    )
                    raise FatalAPIError(msg) from None
                token_refreshed = True
                with self._lock:
                    self.stats.token_refreshes += 1
                logger.info("Access token rejected (401) on %s; requesting a new one", describe)
                on_token_rejected()
                continue
            except TransientError as exc:
                self._count(exc.response)
                if exc.response is not None:
                    self.governor.observe(company, exc.response.headers)
                failures += 1
                reason = str(exc)
            except NETWORK_ERRORS as exc:
                self._count(None)
                failures += 1
                reason = f"{type(exc).__name__}"
            else:
                self._count(response)
                self.governor.observe(company, response.headers)
                return response

            if failures >= self.max_retries:
                msg = f"{describe}: gave up after {failures} attempts; last error: {reason}"
                raise RetriesExhaustedError(msg)
            wait = min(MAX_BACKOFF_SECONDS, 2.0 ** (failures - 1)) * random.uniform(0.8, 1.2)
            self._count_retry(reason.split(":")[0])
            logger.warning(
                "Retrying %s in %.1fs (attempt %d of %d): %s",
                describe,
                wait,
                failures + 1,
                self.max_retries,
                reason,
            )
            self.governor.record_wait(wait, "backoff")
            self.sleep(wait)
