"""Retrying: what is worth trying again, how long to wait, and when to give up. One module.

Requests are retried by the SDK's own machinery (`RESTStream.request_decorator`, on the
`backoff` library), wired in tap_procore/client.py: an attempt raises one of the retriable errors
below for what may pass (tap_procore/answers.py decides which, from the answer), the stream's
`backoff_wait_generator` asks a `RetryPolicy` how long to wait, and its `backoff_handler` hands
each wait to `on_wait` (log, count, hold the company's other requests back, renew a rejected
token). The rules:

* transient failures (5xx, 408, a body that is not JSON or not the endpoint's shape, a network
  error that may pass) wait 1, 2, 4 ... seconds (capped, with jitter) and give up after
  `max_retries` attempts;
* 429 (and 503 with Retry-After) wait as long as Procore says, but at least a floor that
  doubles while the company keeps answering 429, so a storm of `Retry-After: 0` does not turn
  into thousands of refused calls, each of which counts against the hour; all rate-limit waits
  of one request together may not exceed `max_rate_limit_wait`;
* a 401 renews the token once per request; a second 401 is final.

Giving up raises `RetriesExhaustedError` with the reason (the scope being read fails), or, when no
other request could do better, `CredentialsRejected`, `LoginFailed` or `RateLimitWaitExceeded`
(the run stops); `named` adds which request it was.
"""

from __future__ import annotations

import logging
import math
import random
import typing as t

import requests
from singer_sdk.exceptions import RetriableAPIError

from tap_procore.dates import parse_http_date
from tap_procore.errors import (
    CredentialsRejected,
    FatalAPIError,
    LoginFailed,
    RateLimitWaitExceeded,
    RetriesExhaustedError,
)
from tap_procore.http import describe_failure

if t.TYPE_CHECKING:
    from tap_procore.transport import Transport

logger = logging.getLogger("tap-procore")

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


def is_transient_status(status: int) -> bool:
    """An HTTP status that may pass on its own: a server error or a request timeout."""
    return status >= 500 or status == 408


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
            wait = max(exc.wait, rate_limit_floor(self._transport, exc.response))
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


def rate_limit_floor(transport: Transport, response: requests.Response | None) -> float:
    """The least a 429 waits: doubled for every further 429 in a row from the company."""
    in_a_row = transport.rate_limited_in_a_row(response)
    return min(RATE_LIMIT_FLOOR_CAP_SECONDS, RATE_LIMIT_FLOOR_SECONDS * 2.0 ** (in_a_row - 1))


#: The exceptions giving up raises (they decide whether the scope or the run stops).
GIVING_UP = (RetriesExhaustedError, CredentialsRejected, LoginFailed, RateLimitWaitExceeded)


def named(
    send: t.Callable[..., t.Any], describe: t.Callable[[t.Any], str]
) -> t.Callable[..., t.Any]:
    """`send` (the SDK's retrying decorator around one attempt), whose giving up names the
    request: the same kind of error, with `describe(prepared request)` in front."""

    def sending(prepared_request: requests.PreparedRequest, context: t.Any) -> t.Any:
        try:
            return send(prepared_request, context)
        except GIVING_UP as exc:
            raise type(exc)(f"{describe(prepared_request)}: {exc}") from None
        except RetriableAPIError as exc:  # backoff's own ceiling on attempts
            msg = (
                f"{describe(prepared_request)}: gave up after {ATTEMPTS_CEILING} attempts; "
                f"last error: {exc}"
            )
            raise RetriesExhaustedError(msg) from None

    return sending


def network_failure(exc: requests.RequestException, url: str, *, logging_in: bool) -> Exception:
    """What a request that got no answer at all raises: fatal at once when no retry can help (an
    unknown host, a certificate that fails verification), else retried."""
    text, transient = describe_failure(exc, url)
    if logging_in:
        text += " (while logging in)"
    if not transient:
        return FatalAPIError(text)
    return (LoginTransient if logging_in else TransientError)(text)


def on_wait(
    details: t.Mapping[str, t.Any],
    *,
    describe: str,
    transport: Transport,
    renew_token: t.Callable[[], None],
) -> None:
    """Before each wait of the SDK's retry loop: say why, count it, and act on it."""
    exc = details.get("exception")
    wait = float(details.get("wait") or 0.0)
    company = details["args"][0].headers.get("Procore-Company-Id", "")
    if isinstance(exc, TokenRejected):
        transport.count_token_refresh()
        logger.info("Access token rejected (401) on %s; requesting a new one", describe)
        renew_token()
    elif isinstance(exc, RateLimited):
        transport.count_rate_limit_wait(wait)
        logger.warning("Waiting %.1fs before retrying %s: %s", wait, describe, exc.reason)
        # Every other request for this company (read-ahead workers) waits as well.
        transport.governor.hold_until(company, wait)
    else:
        reason = str(exc)
        transport.count_retry(reason.split(":")[0])
        logger.warning(
            "Retrying %s in %.1fs (attempt %d of %d): %s",
            describe,
            wait,
            int(details.get("tries") or 0) + 1,
            transport.max_retries,
            reason,
        )
        transport.governor.record_wait(wait, "backoff")


class WithoutBackoffDefaultLines(logging.Filter):
    """The SDK hands `backoff` the stream's logger, and backoff logs every wait there as
    "Backing off attempt(...)"; `on_wait` logs one line that names the request instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.funcName not in ("_log_backoff", "_log_giveup")
