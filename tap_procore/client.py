"""ProcoreStream: the one base every stream stands on.

A stream class only declares what is particular to its endpoint (name, path, keys, replication,
parent, fixed query parameters, whether it is read by date windows). Everything Procore-specific
is handled here, once: the company header, page/per_page paging that follows ``Link`` and
``Total``, per-endpoint page-size caps, v2 ``data`` envelopes and string ids, incremental windows,
403/404 skips per project, and the hand-off of every request to the shared Transport.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import sys
import time
import typing as t
from concurrent.futures import Future
from functools import cached_property
from urllib.parse import urljoin, urlsplit

import msgspec
import requests
from singer_sdk import RESTStream, SchemaDirectory, StreamSchema
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.helpers._catalog import pop_deselected_record_properties
from singer_sdk.helpers._util import utc_now
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.pagination import PageNumberPaginator
from singer_sdk.singerlib import RecordMessage
from singer_sdk.streams.rest import HTTPRequest, PageContext

from tap_procore import dates, schemas
from tap_procore.conform import RecordConformer, without_nul
from tap_procore.deletes import DELETED_AT, SchemaWithDeletes, deleted_at_of, main_stream_of
from tap_procore.errors import FatalAPIError, ProcoreError, RetriesExhaustedError, ScopeUnavailable
from tap_procore.http import MAX_REDIRECTS, describe_failure, origin
from tap_procore.redaction import SecretRedactor
from tap_procore.sweep import Scope
from tap_procore.transport import (
    ATTEMPTS_CEILING,
    RateLimited,
    TokenRejected,
    TransientError,
    rate_limit_wait,
)

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_procore.tap import TapProcore

logger = logging.getLogger("tap-procore")

SCHEMAS = SchemaDirectory(schemas)
#: The key column of streams whose rows have no unique id of their own (see surrogate_key_of).
ROW_KEY = "row_key"
_KEY_ENCODER = msgspec.json.Encoder(order="sorted")
_JSON_DECODER = msgspec.json.Decoder()
_TEMPLATE = re.compile(r"\{(\w+)\}")
# How often an empty page that Total says should have rows is read again.
EMPTY_PAGE_RETRIES = 2
_COUNT = re.compile(r"\s*([0-9]{1,18})\s*")


class TooDeep(ValueError):
    """JSON nested deeper than Python can walk: no retry makes it shallower."""


def decode_json(content: bytes) -> t.Any:
    try:
        try:
            return _JSON_DECODER.decode(content)
        except msgspec.DecodeError:
            # msgspec refuses integers beyond 64 bits; the standard library does not.
            import json

            return json.loads(content)
    except RecursionError:
        raise TooDeep("JSON nested too deeply to read") from None


def header_count(value: str | None) -> int | None:
    """A count header (Total, Per-Page) or page number: ASCII digits only (``²`` is not 2)."""
    match = _COUNT.fullmatch(value or "")
    return int(match.group(1)) if match else None


class _WithoutBackoffDefaultLines(logging.Filter):
    """The SDK hands `backoff` the stream's logger, and backoff logs every wait there as
    "Backing off attempt(...)"; `backoff_handler` logs one line that names the request instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.funcName not in ("_log_backoff", "_log_giveup")


_BACKOFF_DEFAULT_LINES = _WithoutBackoffDefaultLines()


class ProcorePaginator(PageNumberPaginator):
    """Page numbers, driven by ``Link: rel="next"`` and, when Link is missing, by ``Total``.

    Procore omits ``rel="next"`` on the last page. An empty page in the middle of a listing
    (``next`` still present) does not end it; a page past ``Total`` with no ``next`` does. A
    response with neither header (a proxy that strips them) is followed while pages come back
    full, so that rows are never left behind; that costs one extra request at most.
    """

    def __init__(self, per_page: int) -> None:
        super().__init__(start_value=1)
        self.per_page = per_page
        self.rows_seen = 0
        self.total: int | None = None
        self.last_page_rows = 0
        self._consecutive_empty = 0

    def count_rows(self, rows: int) -> None:
        self.rows_seen += rows
        self.last_page_rows = rows
        self._consecutive_empty = 0 if rows else self._consecutive_empty + 1

    def has_more(self, response: requests.Response) -> bool:
        total = header_count(response.headers.get("Total"))
        if total is not None:
            self.total = total
        if self._consecutive_empty > 3:
            return False  # a server that keeps saying "next" over empty pages
        if "next" in response.links:
            return True
        if response.headers.get("Link"):
            return False  # a Link header without rel="next": this was the last page
        if self.total is not None:
            return self._consecutive_empty == 0 and self.rows_seen < self.total
        full = header_count(response.headers.get("Per-Page")) or self.per_page
        return full > 0 and self.last_page_rows >= full

    def get_next(self, response: requests.Response) -> int | None:
        # Always the next page number, whatever page the Link names: Procore's is always the
        # next one, and a link back (a loop) or far ahead (skipped rows) is not followed.
        return self._value + 1

    def continue_if_empty(self, response: requests.Response) -> bool:
        return self.has_more(response)


class ProcoreStream(RESTStream[int]):
    """Base for every Procore stream. Subclasses are declarative."""

    # --- what a stream declares ------------------------------------------------------------
    #: API path; ``{company_id}``, ``{project_id}`` and parent keys are filled from the context.
    path: str
    primary_keys: t.ClassVar[tuple[str, ...]] = ("id",)
    replication_key: str | None = None
    #: Path parameters whose name in Procore's path differs from the context key holding the
    #: value, e.g. {"id": "budget_line_item_id"} for a show endpoint.
    path_params: t.ClassVar[dict[str, str]] = {}
    #: Fixed query parameters; values may be templates such as "{project_id}".
    query: t.ClassVar[dict[str, str]] = {}
    #: False for endpoints that declare no page/per_page (they answer everything at once).
    paginated: t.ClassVar[bool] = True
    #: The endpoint's own per_page ceiling.
    max_page_size: t.ClassVar[int] = 1000
    #: "list", or "object" for endpoints that answer one object per scope.
    response_kind: t.ClassVar[str] = "list"
    #: Parameter names of daily-log style endpoints that must be read in date windows.
    date_params: t.ClassVar[tuple[str, str] | None] = None
    #: Procore tool (engine name) the endpoint belongs to; off in a project -> not requested.
    tool: t.ClassVar[str | None] = None
    #: Context key under which this stream passes each record's id to its child streams.
    child_id_key: t.ClassVar[str | None] = None
    #: Where to find the child id in this stream's records (default "id").
    child_id_field: t.ClassVar[str] = "id"
    #: For endpoints that need a parent id as a query parameter and have several possible
    #: parents (contract payments: prime, purchase order and work order contracts): the
    #: streams whose ids to use, and the parameter that carries them. Every parent id of the
    #: scope is used on every run, since these endpoints filter on their own updated_at.
    ids_from: t.ClassVar[tuple[str, ...]] = ()
    id_param: t.ClassVar[str | None] = None
    #: For data that has no endpoint of its own but comes inside each parent record (submittal
    #: approvers inside submittals): the parent record's field holding the list.
    embedded_in: t.ClassVar[str | None] = None
    #: The parent record's count of this stream's records (drawing areas' drawings_count): a
    #: parent that says 0 costs no request.
    parent_count_field: t.ClassVar[str | None] = None
    #: True when this stream hands every record to its children whatever its own window
    #: (projects), so its children are not limited to records changed since the bookmark.
    children_see_every_record: t.ClassVar[bool] = False
    #: False for streams that users should opt into (expensive or rarely useful).
    selected_by_default: bool = True
    #: For rows Procore gives no unique id of their own: the fields that identify a row in its
    #: list. They may be null, so they cannot be key columns; the stream's key uses `row_key`,
    #: derived from them by `surrogate_key` (unique within one list, see `post_process`).
    surrogate_key_of: t.ClassVar[tuple[str, ...]] = ()
    #: What `row_key` is, for the schema's description (default: said from surrogate_key_of).
    row_key_description: t.ClassVar[str | None] = None

    schema: t.ClassVar[StreamSchema] = SchemaWithDeletes(SCHEMAS)
    state_partitioning_keys: t.ClassVar[tuple[str, ...]] = ()  # see tap_procore/sweep.py
    is_sorted = False
    # RecordConformer (conform.py) already makes every top-level value fit its declared type.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    _tap: TapProcore
    current_parent_record: dict | None = None
    # Our own progress lines and summary replace the SDK's one metric line per request.
    _LOG_REQUEST_METRICS = False

    def __init__(self, tap: TapProcore, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(tap, *args, **kwargs)
        self.logger.addFilter(_BACKOFF_DEFAULT_LINES)
        self._schema_written = False
        self._conformer = RecordConformer(
            self.name, self.schema.get("properties", {}), self.primary_keys or ()
        )
        self._row_key_list: tuple = ()
        self._warned_nul = False
        self._row_keys_seen: dict[str, int] = {}
        self._everything_selected: bool | None = None
        self.records_written = 0
        # (scope, id) of records a recycle bin already wrote here, whole, as deleted.
        self._from_recycle_bin: set[tuple[Scope, str]] = set()

    # --- where requests go ---------------------------------------------------------------------

    @property
    def url_base(self) -> str:
        return self._tap.endpoints.api_url

    @property
    def requests_session(self) -> requests.Session:
        return self._tap.http_session

    @property
    def authenticator(self) -> t.Any:
        return self._tap.authenticator

    @property
    def timeout(self) -> int:
        return int(self.config.get("request_timeout") or 300)

    @property
    def user_agent(self) -> str:
        return self._tap.user_agent

    @property
    def page_size(self) -> int:
        return max(1, min(int(self.config.get("page_size") or 1000), self.max_page_size))

    @property
    def is_v2(self) -> bool:
        return self.path.startswith("/rest/v2")

    # --- the tree --------------------------------------------------------------------------

    @staticmethod
    def scope_of(context: Context | None) -> Scope:
        assert context is not None, "Procore streams always run inside a company"
        return Scope(int(context["company_id"]), context.get("project_id"))

    def generate_child_contexts(
        self, record: dict, context: Context | None
    ) -> t.Iterable[dict | None]:
        if self.child_streams and DELETED_AT not in record:  # a deleted record has no children
            child_context = self.get_child_context(record, context)
            if child_context is not None:
                yield child_context

    def get_child_context(self, record: dict, context: Context | None) -> dict | None:
        # Children run right after this, synchronously: embedded children read the record here.
        self.current_parent_record = record
        child_id = record.get(self.child_id_field)
        if self.child_id_key is None or child_id is None:
            return None
        return {**(context or {}), self.child_id_key: child_id}

    def _active_descendants(self) -> list[ProcoreStream]:
        found: list[ProcoreStream] = []
        for child in self.child_streams:
            if child.selected:
                found.append(child)  # type: ignore[arg-type]
            found.extend(child._active_descendants())  # type: ignore[attr-defined]
        return found

    def coverage_streams(self) -> list[str]:
        """Streams whose coverage this stream's window must satisfy (itself and its children)."""
        names = [self.name] if self.selected else []
        if not self.children_see_every_record:
            names.extend(child.name for child in self._active_descendants())
        return names

    # --- requests ----------------------------------------------------------------------------

    def _template(self, value: str, context: Context) -> str:
        return _TEMPLATE.sub(lambda match: str(context[match.group(1)]), value)

    def get_url(self, context: Context | None) -> str:
        context = context or {}
        return self.url_base + _TEMPLATE.sub(
            lambda match: str(context[self.path_params.get(match.group(1), match.group(1))]),
            self.path,
        )

    def get_url_params(self, context: Context | None, next_page_token: int | None) -> dict:
        context = context or {}
        params: dict[str, t.Any] = {
            key: self._template(value, context) for key, value in self.query.items()
        }
        if self.paginated:
            params["page"] = next_page_token or 1
            params["per_page"] = self.page_size
        window = context.get("_window")
        if window:
            params.update(window)
        return params

    def build_prepared_request(self, *args: t.Any, **kwargs: t.Any) -> requests.PreparedRequest:
        # Not authenticated here, outside the retry loop, as the SDK does: `_request`
        # authenticates every attempt, so a token request that fails is retried like the rest.
        request = requests.Request(*args, **kwargs)
        request.headers.setdefault("User-Agent", self.user_agent)
        return self.requests_session.prepare_request(request)

    def get_http_request(self, *, page: PageContext) -> HTTPRequest:
        request = super().get_http_request(page=page)
        context = page.stream_context or {}
        request.headers["Procore-Company-Id"] = str(context["company_id"])
        return request

    @property
    def http_headers(self) -> dict:
        return {"Accept": "application/json"}

    def _describe(self, prepared_request: requests.PreparedRequest) -> str:
        return f"{self.name}: GET {urlsplit(str(prepared_request.url)).path}"

    def request_decorator(self, func: t.Callable) -> t.Callable:
        """The SDK's retry decorator, with the pacing governor before every attempt.

        Inside: each attempt waits its turn in the company's rate budget, and a connection
        failure becomes a line that names the host and the kind of failure (fatal at once when
        no retry can help: an unknown host, a certificate that fails verification). Outside:
        giving up becomes one line that names the request.
        """
        transport = self._tap.transport

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
                if failed and failed == self._tap.endpoints.token_url:
                    text += " (while logging in)"
                if not transient:
                    raise FatalAPIError(text) from None
                raise TransientError(text) from None

        retrying = super().request_decorator(attempt)

        def send(prepared_request: requests.PreparedRequest, context: Context | None) -> t.Any:
            try:
                return retrying(prepared_request, context)
            except RetriesExhaustedError as exc:
                raise RetriesExhaustedError(f"{self._describe(prepared_request)}: {exc}") from None
            except RetriableAPIError as exc:  # backoff's own ceiling on attempts
                msg = (
                    f"{self._describe(prepared_request)}: gave up after {ATTEMPTS_CEILING} "
                    f"attempts; last error: {exc}"
                )
                raise RetriesExhaustedError(msg) from None

        return send

    # --- the SDK's retry hooks ------------------------------------------------------------------

    def backoff_wait_generator(self) -> t.Generator[float, None, None]:
        # Called once per request: each request gets its own count of failures and waits.
        return self.backoff_runtime(value=self._tap.transport.new_policy().wait_for)

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
        describe = self._describe(prepared_request)
        transport = self._tap.transport
        if isinstance(exc, TokenRejected):
            transport.count_token_refresh()
            logger.info("Access token rejected (401) on %s; requesting a new one", describe)
            self._tap.authenticator.invalidate()
        elif isinstance(exc, RateLimited):
            transport.count_rate_limit_wait(wait)
            logger.warning("Waiting %.1fs before retrying %s: %s", wait, describe, exc.reason)
            # Every other request for this company (read-ahead workers) waits as well.
            transport.governor.hold_until(
                prepared_request.headers.get("Procore-Company-Id", ""), wait
            )
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

    def validate_response(self, response: requests.Response) -> None:
        self._tap.transport.observe(response)
        status = response.status_code
        if status == 401:
            raise TokenRejected("HTTP 401", response)
        if status == 429 or (status == 503 and response.headers.get("Retry-After")):
            wait, reason = rate_limit_wait(response, self._tap.transport.clock())
            raise RateLimited(reason, response, wait)
        if status >= 500 or status == 408:
            raise TransientError(f"HTTP {status} {_short(response.reason)}", response)
        if 300 <= status < 400:
            raise FatalAPIError(self._redirect_refused(response))
        if status in (403, 404):
            raise ScopeUnavailable(status, _body_summary(response))
        if status >= 400:
            msg = (
                f"{self.name}: GET {urlsplit(response.url).path} was refused with HTTP {status}: "
                f"{_body_summary(response)}"
            )
            raise FatalAPIError(msg)
        try:
            body = decode_json(response.content)
        except TooDeep as exc:
            raise FatalAPIError(f"{self.name}: GET {urlsplit(response.url).path}: {exc}") from None
        except ValueError:
            raise TransientError("response body is not valid JSON", response) from None
        if b"\\u0000" in response.content:  # rare: only such pages pay for the walk
            body = without_nul(body)
            if not self._warned_nul:
                self._warned_nul = True
                logger.warning("%s: text with NUL characters; they are sent as U+FFFD", self.name)
        records = self._records_in(body)
        if records is None:
            # Inside the retry loop: a proxy's odd answer may pass, and if not, one line.
            msg = f"{self.name}: expected a JSON list, got {type(body).__name__}"
            raise TransientError(msg, response)
        response.procore_records = records  # type: ignore[attr-defined]

    def _redirect_refused(self, response: requests.Response) -> str:
        where = f"{self.name}: GET {urlsplit(response.url).path}"
        location = response.headers.get("Location")
        if not location:
            return f"{where} answered HTTP {response.status_code}, a redirect without a target"
        scheme, host, port = origin(urljoin(response.url, location))
        return (
            f"{where} was redirected (HTTP {response.status_code}) to {scheme}://{host}:{port}; "
            "not followed: redirects are followed only within api_url's origin (at most "
            f"{MAX_REDIRECTS}), so rows only ever come from api_url; set api_url to the address "
            "that answers"
        )

    def _records_in(self, body: t.Any) -> list[dict] | None:
        """The records of a decoded body, or None when it is not the shape the endpoint has."""
        # v2 wraps everything in {"data": ...}; a few v1 lists do too (budget changes).
        enveloped = self.is_v2 or self.response_kind == "list"
        if isinstance(body, dict) and "data" in body and enveloped:
            body = body["data"]
        if self.response_kind == "object":
            if isinstance(body, dict):
                return [body]
            if body is None:
                return []
        if isinstance(body, list):
            return [item for item in body if isinstance(item, dict)]
        return None

    def parse_response(self, response: requests.Response) -> list[dict]:
        return response.procore_records  # type: ignore[attr-defined,no-any-return]

    def get_new_paginator(self) -> ProcorePaginator | None:
        return ProcorePaginator(self.page_size) if self.paginated else None

    def _fetch(self, context: Context, page: int | None) -> requests.Response:
        paginator = ProcorePaginator(self.page_size)
        # A paginator only carries the page number here; paging decisions are made by the caller.
        paginator._value = page or 1
        prepared = self._prepare_request(context=context, page=paginator)
        return self.request_decorator(self._request)(prepared, context)

    def first_page(self, context: Context) -> requests.Response:
        """The first page of this listing in `context` (the request plan samples with it)."""
        self._tap.report.count_request(self.name)
        return self._fetch(context, 1 if self.paginated else None)

    def request_records(self, context: Context | None) -> t.Iterable[dict]:
        """Read every page of one listing, in order.

        The next page is fetched while this one's records are processed (it is known to exist:
        Procore said `next`), and with max_workers > 1 up to that many of the pages `Total`
        promises are in flight at once. Requests stay paced by the governor either way.
        """
        context = context or {}
        if not self.paginated:
            response = self._fetch(context, None)
            self._tap.report.count_request(self.name)
            yield from self.parse_response(response)
            return
        paginator = ProcorePaginator(self.page_size)
        guard = ListingGuard()
        workers = int(self.config.get("max_workers") or 1)
        in_flight: dict[int, Future] = {}
        empty_retries = 0
        try:
            while not paginator.finished:
                page = paginator.current_value
                pending = in_flight.pop(page, None)
                response = pending.result() if pending else self._fetch(context, page)
                self._tap.report.count_request(self.name)
                rows = self.parse_response(response)
                if (
                    not rows
                    and empty_retries < EMPTY_PAGE_RETRIES
                    and _short_of_total(response, paginator)
                ):
                    # An empty page while Total promises more rows is a hiccup, not the end.
                    empty_retries += 1
                    logger.warning(
                        "%s: page %s came back empty although Total says %s rows; reading it again",
                        self.name,
                        page,
                        response.headers.get("Total"),
                    )
                    time.sleep(1.0)
                    continue
                problem = guard.problem(rows, paginator.total, paginator.per_page)
                if problem is not None:
                    logger.warning(
                        "%s: page %s %s; this listing ends here (scope %s)",
                        self.name,
                        page,
                        problem,
                        _scope_text(context),
                    )
                    break
                paginator.count_rows(len(rows))
                paginator.advance(response)
                if not paginator.finished:
                    self._read_ahead(context, paginator, workers, in_flight)
                yield from rows
        finally:
            for future in in_flight.values():
                future.cancel()
        if paginator.total is not None and paginator.rows_seen < paginator.total:
            logger.warning(
                "%s: read %d rows but Procore's Total header said %d (scope %s)",
                self.name,
                paginator.rows_seen,
                paginator.total,
                _scope_text(context),
            )

    def _read_ahead(
        self,
        context: Context,
        paginator: ProcorePaginator,
        workers: int,
        in_flight: dict[int, Future],
    ) -> None:
        first = paginator.current_value
        last = first
        if workers > 1 and paginator.total is not None:
            last = min(math.ceil(paginator.total / paginator.per_page), first + workers - 1)
        for page in range(first, max(first, last) + 1):
            if page not in in_flight:
                in_flight[page] = self._tap.page_pool.submit(self._fetch, context, page)

    # --- incremental windows -------------------------------------------------------------------

    def windows(self, context: Context) -> list[dict[str, str]]:
        """Query parameters of each window to read for this scope ([{}] for one plain read)."""
        sweep = self._tap.sweep
        scope = self.scope_of(context)
        if self.date_params is not None:
            return self._date_windows(scope)
        if self.replication_key is None:
            return [{}]
        lower = sweep.lower_bound(self.coverage_streams(), scope)
        if lower >= sweep.upper:
            return []  # nothing can have changed in an empty window (start_date ahead of it)
        return [{"filters[updated_at]": dates.updated_at_range(lower, sweep.upper)}]

    def _date_windows(self, scope: Scope) -> list[dict[str, str]]:
        sweep = self._tap.sweep
        lower = sweep.lower_bound(self.coverage_streams(), scope)
        if lower > sweep.start:
            # Logs are edited after their date: re-read a few days before the bookmark.
            lookback = dates.days(int(self.config.get("log_lookback_days", 3)))
            lower = max(lower - lookback, sweep.start)
        start_param, end_param = self.date_params  # type: ignore[misc]
        days = int(self.config.get("date_window_days") or 366)
        return [
            {start_param: first, end_param: last}
            for first, last in dates.day_windows(lower, sweep.upper, days)
        ]

    # --- records -----------------------------------------------------------------------------

    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        assert context is not None
        scope = self.scope_of(context)
        tap = self._tap
        if tap.sweep.already_done(self.name, scope):
            return
        if tap.feed is not None and self._is_feed_root:
            yield from self._deleted_by_events(scope)
            covered = [tap.sweep.covered_through(name, scope) for name in self.coverage_streams()]
            if tap.feed.skips(self.name, scope, covered):
                return  # the change feed vouches that nothing changed here
        if self.tool and tap.tools.is_off(scope, self.tool):
            tap.report.skip(self.name, scope, f"tool '{self.tool}' is not active in the project")
            tap.sweep.record_skip(self.name, scope)
            return
        if self.embedded_in is not None:
            yield from self._embedded_records()
            return
        if self.parent_count_field and self._parent_says_none():
            return
        try:
            for parent_context in self._parent_contexts(dict(context)):
                for window in self.windows(parent_context):
                    window_context = (
                        {**parent_context, "_window": window} if window else parent_context
                    )
                    for record in self.request_records(window_context):
                        if self.id_param:
                            record[self.id_param] = parent_context[self.id_param]
                        yield record
        except ScopeUnavailable as exc:
            self.on_unavailable(scope, exc)

    @cached_property
    def _is_feed_root(self) -> bool:
        """Directly under a company or a project: the level the change feed speaks for."""
        parent = self.parent_stream_type
        return parent is not None and parent.name in ("companies", "projects")

    def _deleted_by_events(self, scope: Scope) -> t.Iterator[dict]:
        """Records of this stream that the change feed saw deleted since its bookmark: the key
        and `_sdc_deleted_at` (unless a recycle bin already sent the whole record)."""
        if DELETED_AT not in self.schema.get("properties", {}):
            return
        since = self._tap.sweep.changed_since(self.name, scope)
        for resource_id, stamp in self._tap.feed.deletes(self.name, scope, since):  # type: ignore[union-attr]
            if (scope, str(resource_id)) not in self._from_recycle_bin:
                yield {"id": resource_id, DELETED_AT: dates.format_timestamp(stamp)}

    def write_deleted(self, record: dict, scope: Scope) -> None:
        """A record of this stream read from its recycle bin: written here too, marked deleted."""
        row = dict(record)
        row[DELETED_AT] = deleted_at_of(record) or dates.format_timestamp(self._tap.sweep.upper)
        if "deleted_at" not in self.schema.get("properties", {}):
            row.pop("deleted_at", None)  # it is _sdc_deleted_at here
        conformed = self._conformer.conform(row)
        if conformed is None:
            return
        self._from_recycle_bin.add((scope, str(conformed.get("id"))))
        self._write_schema_message()
        self._write_record_message(conformed)

    def _parent_contexts(self, context: dict) -> t.Iterable[dict]:
        if not self.ids_from:
            yield context
            return
        assert self.id_param is not None
        scope = self.scope_of(context)
        for source in self.ids_from:
            for parent_id in self._tap.parent_ids(source, scope):
                yield {**context, self.id_param: parent_id}

    def _parent_record(self) -> dict:
        """The parent record whose children are being synced right now."""
        parent = self._tap.streams[self.parent_stream_type.name]  # type: ignore[union-attr]
        return getattr(parent, "current_parent_record", None) or {}

    def _parent_says_none(self) -> bool:
        count = self._parent_record().get(self.parent_count_field)
        return isinstance(count, int) and not isinstance(count, bool) and count == 0

    def _embedded_records(self) -> t.Iterable[dict]:
        items = self._parent_record().get(self.embedded_in)
        for item in items or []:
            if isinstance(item, dict):
                yield dict(item)

    def on_unavailable(self, scope: Scope, exc: ScopeUnavailable) -> None:
        """A 403/404 for one project's (or company's) tool: skip it, say so, carry on."""
        self._tap.report.skip(self.name, scope, str(exc))
        self._tap.sweep.record_skip(self.name, scope)
        if scope.is_project:
            self._tap.tools.note_refusal()

    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        if context:
            for key, value in context.items():
                if not key.startswith("_"):
                    row[key] = value
        if ROW_KEY in self.primary_keys:
            row[ROW_KEY] = self._unique_in_list(self.surrogate_key(row), context)
        return self._conformer.conform(row)

    # --- surrogate keys ------------------------------------------------------------------------

    def surrogate_key(self, row: dict) -> str:
        """`row_key` of a row: the JSON array of its `surrogate_key_of` values (nulls kept)."""
        return _KEY_ENCODER.encode([row.get(name) for name in self.surrogate_key_of]).decode()

    @classmethod
    def describe_row_key(cls) -> str:
        if cls.row_key_description:
            return cls.row_key_description
        fields = ", ".join(cls.surrogate_key_of)
        return (
            "Key derived by tap-procore, because Procore gives these rows no unique id: the JSON "
            f"array of [{fields}], with #2, #3, ... appended when the same values repeat in one "
            "list (in the order Procore lists them)."
        )

    def _unique_in_list(self, key: str, context: Context | None) -> str:
        # Rows with the same values in one list (one parent) would overwrite each other in the
        # warehouse: number the repeats. Each list is read once per run, from start to end.
        listing = tuple((k, v) for k, v in (context or {}).items() if not k.startswith("_"))
        if listing != self._row_key_list:
            self._row_key_list, self._row_keys_seen = listing, {}
        seen = self._row_keys_seen.get(key, 0) + 1
        self._row_keys_seen[key] = seen
        return key if seen == 1 else f"{key}#{seen}"

    # --- messages ------------------------------------------------------------------------------

    def _write_schema_message(self) -> None:
        # Once per run, not once per project (the SDK writes one per child sync).
        if not self._schema_written:
            self._schema_written = True
            super()._write_schema_message()

    def _generate_record_messages(self, record: dict) -> t.Iterator[RecordMessage]:
        # The SDK's version walks every nested property to drop deselected ones, even when
        # nothing is deselected; on rich records that walk costs more than everything else.
        if self._everything_selected is None:
            self._everything_selected = all(self.mask.values())
        if not self._everything_selected:
            pop_deselected_record_properties(record, self.schema, self.mask)
        for stream_map in self.stream_maps:
            mapped = stream_map.transform(record)
            if mapped is not None:
                yield RecordMessage(
                    stream=stream_map.stream_alias,
                    record=mapped,
                    version=self._stream_version,
                    time_extracted=utc_now(),
                )

    def _write_record_message(self, record: dict) -> None:
        super()._write_record_message(record)
        self.records_written += 1
        self._tap.report.count_record(self.name)
        if self._main_stream is not None and self.context is not None:
            self._main_stream.write_deleted(record, self.scope_of(self.context))

    @cached_property
    def _main_stream(self) -> ProcoreStream | None:
        """For a recycle bin (`deleted_<stream>`): `<stream>`, when it is selected and takes
        deleted records."""
        main = self._tap.streams.get(main_stream_of(self.name) or "")
        if main is None or not main.selected:
            return None
        if DELETED_AT not in main.schema.get("properties", {}):
            return None
        return main  # type: ignore[return-value]

    def log(self, message: str, *args: t.Any, level: int = logging.INFO, **kwargs: t.Any) -> None:
        # The SDK says "Beginning sync" once per parent record (thousands of lines in a run)
        # and repeats a one-line Procore error as a traceback: both belong to DEBUG.
        per_parent_banner = message.startswith("Beginning sync") and "context" in message
        repeated_error = message.startswith("An unhandled error") and isinstance(
            sys.exc_info()[1], (ProcoreError, ScopeUnavailable)
        )
        if per_parent_banner or repeated_error:
            level = logging.DEBUG
        super().log(message, *args, level=level, **kwargs)

    def _write_state_message(self) -> None:
        # STATE is checkpointed by the tap at scope boundaries (tap_procore/sweep.py).
        self._tap.checkpoint()

    def _increment_stream_state(
        self, latest_record: dict, *, context: Context | None = None
    ) -> None:
        # Bookmarks are the sweep's fixed upper bound, not the largest value seen.
        return

    def _write_starting_replication_value(self, context: Context | None) -> None:
        return

    def _write_replication_key_signpost(self, context: Context | None, value: t.Any) -> None:
        return


class ListingGuard:
    """Ends a listing whose pages do not advance, so a broken server cannot make it loop.

    Pages come in page-number order, and Procore's records have ids: a page whose rows were all
    read before (a server that ignores `page`, a Link that points back) ends the listing, as do
    rows far beyond what `Total` announced.
    """

    def __init__(self) -> None:
        self._ids: set[t.Any] = set()
        self._pages: set[bytes] = set()
        self._rows = 0

    def problem(self, rows: list[dict], total: int | None, per_page: int) -> str | None:
        if not rows:
            return None
        ids = [row.get("id") for row in rows]
        if all(isinstance(key, (int, str)) and not isinstance(key, bool) for key in ids):
            if all(key in self._ids for key in ids):
                return "repeats rows already read (the server seems to ignore the page number)"
            self._ids.update(ids)
        else:
            fingerprint = hashlib.sha256(msgspec.json.encode(rows)).digest()
            if fingerprint in self._pages:
                return "repeats a page already read (the server seems to ignore the page number)"
            self._pages.add(fingerprint)
        self._rows += len(rows)
        if total is not None and self._rows > 2 * total + per_page:
            return f"brings the rows read to {self._rows}, far beyond the Total of {total}"
        return None


def _scope_text(context: Context) -> dict:
    return {key: value for key, value in context.items() if not key.startswith("_")}


def _short_of_total(response: requests.Response, paginator: ProcorePaginator) -> bool:
    total = header_count(response.headers.get("Total"))
    return total is not None and paginator.rows_seen < total


def _short(text: str | None, limit: int = 200) -> str:
    # Redact before cutting: a secret cut in half no longer matches the log filter.
    collapsed = " ".join(SecretRedactor.scrub_active(text or "").split())
    return collapsed if len(collapsed) <= limit else collapsed[: limit - 1] + "…"


def _body_summary(response: requests.Response) -> str:
    content_type = response.headers.get("Content-Type", "")
    if "html" in content_type:
        return _short(response.reason) or "HTML error page"
    try:
        body = decode_json(response.content)
    except ValueError:
        return _short(response.text)
    if isinstance(body, dict):
        for key in ("errors", "error", "message"):
            if body.get(key):
                return _short(str(body[key]))
    return _short(str(body))
