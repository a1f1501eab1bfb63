"""Reading one page: the one way a stream sends a request.

`PageReader.read(context, page)` builds the request for one page of the stream's listing (from the
SDK's public `get_http_request`, with the company header), and sends it inside the SDK's retry
decorator (`request_decorator`, on `backoff`; tap_procore/retries.py says how long to wait and when
to give up). Each attempt waits for the company's rate budget (tap_procore/pacing.py), logs in if
the token needs it, sends, and has the answer judged (tap_procore/answers.py): a `Page`, or an
exception that says to retry, skip the scope, fail it, or stop.
"""

from __future__ import annotations

import typing as t
from urllib.parse import urlsplit

import requests
from singer_sdk.streams.rest import PageContext

from tap_procore.answers import AnswerJudge, AnswerShape, Page
from tap_procore.retries import LoginTransient, TransientError, named, network_failure

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context
    from singer_sdk.streams.rest import HTTPRequest

    from tap_procore.run import RunContext


class Requesting(t.Protocol):
    """What a stream gives the reader: its name and shape, how to build a page's request, and
    the SDK's retry decorator (its backoff hooks are the stream's)."""

    @property
    def name(self) -> str: ...

    @property
    def is_v2(self) -> bool: ...

    @property
    def response_kind(self) -> str: ...

    @property
    def cursor_param(self) -> str | None: ...

    def records_in_body(self, body: t.Any) -> list[dict[str, t.Any]] | None: ...

    @property
    def timeout(self) -> int: ...

    @property
    def allow_redirects(self) -> bool: ...

    @property
    def run(self) -> RunContext: ...

    def get_http_request(self, *, page: PageContext) -> HTTPRequest: ...

    def request_decorator(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]: ...


class PageReader:
    """Reads the pages of one stream's listings."""

    def __init__(self, stream: Requesting) -> None:
        self._stream = stream
        self._run = stream.run
        self._judge = AnswerJudge(
            AnswerShape(
                stream.name,
                stream.is_v2,
                stream.response_kind,
                stream.cursor_param,
                stream.records_in_body,
            ),
            stream.run.transport,
            warn_about_text=lambda: stream.run.writes_records,
        )
        self._send = named(stream.request_decorator(self._attempt), self.describe)

    def read(self, context: Context, page: int | str | None) -> Page:
        """One page (a page number or cursor; None: the first page of a cursor listing, or an
        endpoint without paging), retrying what may pass."""
        self._run.budget.check()
        found: Page = self._send(self.prepared(context, page), context)
        self._run.report.count_request(self._stream.name)
        return found

    def prepared(self, context: Context, page: int | str | None) -> requests.PreparedRequest:
        """The request for one page of the stream's listing in `context`, not yet authenticated:
        every attempt authenticates, so a token request that fails is retried like the rest."""
        stream, run = self._stream, self._run
        http = stream.get_http_request(
            page=PageContext(stream_context=context, next_page_token=page)
        )
        request = requests.Request(
            method=http.method,
            url=http.url,
            params=http.encode_params(),
            headers=http.headers,
            data=http.data,
        )
        request.headers.setdefault("User-Agent", run.http.user_agent)
        return run.http.session.prepare_request(request)

    def describe(self, prepared_request: requests.PreparedRequest) -> str:
        return f"{self._stream.name}: GET {urlsplit(str(prepared_request.url)).path}"

    def _attempt(self, prepared_request: requests.PreparedRequest, context: Context | None) -> Page:
        run = self._run
        run.transport.governor.before_request(
            prepared_request.headers.get("Procore-Company-Id", "")
        )
        try:
            try:
                authenticated = run.http.authenticator(prepared_request)
            except TransientError as exc:
                # Retried like any other failure; if it never passes, the run stops (LoginFailed).
                raise LoginTransient(str(exc), exc.response) from None
            response = run.http.session.send(
                authenticated,
                timeout=self._stream.timeout,
                allow_redirects=self._stream.allow_redirects,
            )
        except requests.RequestException as exc:
            run.transport.count_failed_attempt()
            failed = getattr(getattr(exc, "request", None), "url", None)
            logging_in = bool(failed) and failed == run.http.endpoints.token_url
            raise network_failure(exc, str(prepared_request.url), logging_in=logging_in) from None
        return self._judge.judge(response)
