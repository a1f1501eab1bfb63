"""Sending one request: building it, pacing it, retrying it with the SDK's machinery.

`RetryingStream.fetch_page` is the one way a stream sends a request. It builds the request from
the SDK's public `get_http_request` (with the company header), authenticates every attempt,
waits for the company's rate budget before each one (tap_procore/pacing.py), and retries with
the SDK's `request_decorator` (on `backoff`), whose hooks ask tap_procore/transport.py how long
to wait. What an answer means is decided by `validate_response` (tap_procore/answers.py).
"""

from __future__ import annotations

import logging
import re
import typing as t
from urllib.parse import urlsplit

import requests
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.streams.rest import HTTPRequest, PageContext

from tap_procore.errors import (
    CredentialsRejected,
    FatalAPIError,
    LoginFailed,
    RateLimitWaitExceeded,
    RetriesExhaustedError,
)
from tap_procore.http import describe_failure
from tap_procore.sdk_private import PrivateStreamHooks
from tap_procore.transport import (
    ATTEMPTS_CEILING,
    LoginTransient,
    RateLimited,
    TokenRejected,
    TransientError,
)

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

logger = logging.getLogger("tap-procore")

_TEMPLATE = re.compile(r"\{(\w+)\}")

#: A request of one attempt: what `request_decorator` wraps.
Send = t.Callable[[requests.PreparedRequest, "Context | None"], requests.Response]


class _WithoutBackoffDefaultLines(logging.Filter):
    """The SDK hands `backoff` the stream's logger, and backoff logs every wait there as
    "Backing off attempt(...)"; `backoff_handler` logs one line that names the request instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.funcName not in ("_log_backoff", "_log_giveup")


_BACKOFF_DEFAULT_LINES = _WithoutBackoffDefaultLines()


def fill_template(value: str, context: t.Mapping[str, t.Any]) -> str:
    """``{name}`` placeholders replaced by the context's values."""
    return _TEMPLATE.sub(lambda match: str(context[match.group(1)]), value)


class RetryingStream(PrivateStreamHooks):
    """Builds, paces, sends and retries the requests of a stream."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.logger.addFilter(_BACKOFF_DEFAULT_LINES)

    # --- the request -----------------------------------------------------------------------------

    def get_url(self, context: Context | None) -> str:
        context = context or {}
        return self.url_base + _TEMPLATE.sub(
            lambda match: str(context[self.path_params.get(match.group(1), match.group(1))]),
            self.path,
        )

    def get_url_params(
        self, context: Context | None, next_page_token: int | str | None
    ) -> dict[str, t.Any]:
        context = context or {}
        params: dict[str, t.Any] = {
            key: fill_template(value, context)
            for key, value in self.query.items()
            # A parent field that is null (a workflow tool without subtype) is not sent.
            if not any(
                name in context and context[name] is None for name in _TEMPLATE.findall(value)
            )
        }
        if self.cursor_param:
            if next_page_token is not None:
                params[self.cursor_param] = next_page_token
            if self.per_page_param:
                params[self.per_page_param] = self.page_size
        elif self.paginated:
            params["page"] = self.page_base if next_page_token is None else next_page_token
            if self.per_page_param:
                params[self.per_page_param] = self.page_size
        window = context.get("_window")
        if window:
            params.update(window)
        return params

    def get_http_request(self, *, page: PageContext) -> HTTPRequest:
        request = super().get_http_request(page=page)
        context = page.stream_context or {}
        request.headers["Procore-Company-Id"] = str(context["company_id"])
        return request

    def build_prepared_request(self, *args: t.Any, **kwargs: t.Any) -> requests.PreparedRequest:
        # Not authenticated here, outside the retry loop, as the SDK does: `send_once`
        # authenticates every attempt, so a token request that fails is retried like the rest.
        request = requests.Request(*args, **kwargs)
        request.headers.setdefault("User-Agent", self.user_agent)
        return self.requests_session.prepare_request(request)

    def prepared(self, context: Context, page: int | str | None) -> requests.PreparedRequest:
        """The request for one page of this stream's listing in `context`."""
        request = self.get_http_request(
            page=PageContext(stream_context=context, next_page_token=page)
        )
        return self.build_prepared_request(
            method=request.method,
            url=request.url,
            params=request.encode_params(),
            headers=request.headers,
            data=request.data,
        )

    def fetch_page(self, context: Context, page: int | str | None) -> requests.Response:
        """Send the request for one page (a page number or cursor; None: the first page of a
        cursor listing, or an endpoint without paging), retrying."""
        prepared = self.prepared(context, page)
        response: requests.Response = self.request_decorator(self.send_once)(prepared, context)
        return response

    def send_once(
        self, prepared_request: requests.PreparedRequest, context: Context | None
    ) -> requests.Response:
        """One attempt: authenticate, send, and let `validate_response` judge the answer."""
        try:
            authenticated = self.authenticator(prepared_request)
        except TransientError as exc:
            # Retried like any other failure; if it never passes, the run stops (LoginFailed).
            raise LoginTransient(str(exc), exc.response) from None
        response = self.requests_session.send(
            authenticated, timeout=self.timeout, allow_redirects=self.allow_redirects
        )
        self.validate_response(response)
        return response

    def describe(self, prepared_request: requests.PreparedRequest) -> str:
        return f"{self.name}: GET {urlsplit(str(prepared_request.url)).path}"

    # --- retries -------------------------------------------------------------------------------

    def request_decorator(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """The SDK's retry decorator, with the pacing governor before every attempt.

        Inside: each attempt waits its turn in the company's rate budget, and a connection
        failure becomes a line that names the host and the kind of failure (fatal at once when
        no retry can help: an unknown host, a certificate that fails verification). Outside:
        giving up becomes one line that names the request.
        """
        retrying = super().request_decorator(self._paced(func))

        def send(prepared_request: requests.PreparedRequest, context: Context | None) -> t.Any:
            try:
                return retrying(prepared_request, context)
            except (
                RetriesExhaustedError,
                CredentialsRejected,
                LoginFailed,
                RateLimitWaitExceeded,
            ) as exc:
                # The same kind of error (it decides whether the scope or the run stops), now
                # naming the request.
                raise type(exc)(f"{self.describe(prepared_request)}: {exc}") from None
            except RetriableAPIError as exc:  # backoff's own ceiling on attempts
                msg = (
                    f"{self.describe(prepared_request)}: gave up after {ATTEMPTS_CEILING} "
                    f"attempts; last error: {exc}"
                )
                raise RetriesExhaustedError(msg) from None

        return send

    def _paced(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        transport = self.tap.transport

        def attempt(prepared_request: requests.PreparedRequest, context: Context | None) -> t.Any:
            transport.governor.before_request(
                prepared_request.headers.get("Procore-Company-Id", "")
            )
            try:
                return func(prepared_request, context)
            except requests.RequestException as exc:
                transport.count_failed_attempt()
                text, transient = describe_failure(exc, str(prepared_request.url))
                failed = getattr(getattr(exc, "request", None), "url", None)
                logging_in = bool(failed) and failed == self.tap.endpoints.token_url
                if logging_in:
                    text += " (while logging in)"
                if not transient:
                    raise FatalAPIError(text) from None
                raise (LoginTransient if logging_in else TransientError)(text) from None

        return attempt

    def backoff_wait_generator(self) -> t.Generator[float, None, None]:
        # Called once per request: each request gets its own count of failures and waits.
        return self.backoff_runtime(value=self.tap.transport.new_policy().wait_for)

    def backoff_max_tries(self) -> int:
        # The policy ends retries (max_retries, max_rate_limit_wait); this is the last guard.
        return ATTEMPTS_CEILING

    def backoff_jitter(self, value: float) -> float:
        # The policy jitters transient waits itself; rate-limit waits are what Procore said.
        return value

    def backoff_handler(self, details: t.Any) -> None:
        exc = details.get("exception")
        wait = float(details.get("wait") or 0.0)
        prepared_request = details["args"][0]
        describe = self.describe(prepared_request)
        transport = self.tap.transport
        company = prepared_request.headers.get("Procore-Company-Id", "")
        if isinstance(exc, TokenRejected):
            transport.count_token_refresh()
            logger.info("Access token rejected (401) on %s; requesting a new one", describe)
            self.tap.authenticator.invalidate()
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
