"""Reading a listing page by page: Procore's page/per_page paging, ``Link`` and ``Total``.

A listing is read in page order; the next page is fetched while this one's records are
processed (Procore said ``next``), and with max_workers > 1 up to that many of the pages
``Total`` promises are in flight at once. Requests stay paced by the governor either way.
Broken servers cannot make a listing loop (`ListingGuard`), and an empty page that ``Total``
says should have rows is read again.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import time
import typing as t
from concurrent.futures import Future

import msgspec
import requests
from singer_sdk.pagination import PageNumberPaginator

from tap_procore.answers import AnswersStream

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

logger = logging.getLogger("tap-procore")

# How often an empty page that Total says should have rows is read again.
EMPTY_PAGE_RETRIES = 2
_COUNT = re.compile(r"\s*([0-9]{1,18})\s*")


def header_count(value: str | None) -> int | None:
    """A count header (Total, Per-Page) or page number: ASCII digits only (``²`` is not 2)."""
    match = _COUNT.fullmatch(value or "")
    return int(match.group(1)) if match else None


def scope_text(context: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The context as it is shown in log lines: without the private (underscore) keys."""
    return {key: value for key, value in context.items() if not key.startswith("_")}


class ProcorePaginator(PageNumberPaginator):
    """Page numbers, driven by ``Link: rel="next"`` and, when Link is missing, by ``Total``.

    Procore omits ``rel="next"`` on the last page. An empty page in the middle of a listing
    (``next`` still present) does not end it; a page past ``Total`` with no ``next`` does. A
    response with neither header (a proxy that strips them) is followed while pages come back
    full, so that rows are never left behind; that costs one extra request at most.
    """

    def __init__(self, per_page: int, first_page: int = 1) -> None:
        super().__init__(start_value=first_page)
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
        return self.current_value + 1

    def continue_if_empty(self, response: requests.Response) -> bool:
        return self.has_more(response)

    def short_of_total(self, response: requests.Response) -> bool:
        total = header_count(response.headers.get("Total"))
        return total is not None and self.rows_seen < total


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

    def problem(self, rows: list[dict[str, t.Any]], total: int | None, per_page: int) -> str | None:
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


class Listing:
    """One paginated listing of one stream in one context, read from its first page on."""

    def __init__(self, stream: PagingStream, context: Context) -> None:
        self.stream = stream
        self.context = context
        self.paginator = ProcorePaginator(stream.page_size, stream.page_base)
        self.guard = ListingGuard()
        self.workers = int(stream.config.get("max_workers") or 1)
        self.in_flight: dict[int, Future[requests.Response]] = {}
        self.empty_retries = 0

    def rows(self) -> t.Iterator[dict[str, t.Any]]:
        paginator = self.paginator
        try:
            while not paginator.finished:
                page = paginator.current_value
                response = self._response(page)
                rows = self.stream.parse_response(response)
                if not rows and self._read_again(response, page):
                    continue
                problem = self.guard.problem(rows, paginator.total, paginator.per_page)
                if problem is not None:
                    self._warn("page %s %s; this listing ends here (scope %s)", page, problem)
                    break
                paginator.count_rows(len(rows))
                paginator.advance(response)
                if not paginator.finished:
                    self._read_ahead()
                yield from rows
        finally:
            for future in self.in_flight.values():
                future.cancel()
        if paginator.total is not None and paginator.rows_seen < paginator.total:
            self._warn(
                "read %d rows but Procore's Total header said %d (scope %s)",
                paginator.rows_seen,
                paginator.total,
            )

    def _response(self, page: int) -> requests.Response:
        pending = self.in_flight.pop(page, None)
        response = pending.result() if pending else self.stream.fetch_page(self.context, page)
        self.stream.tap.report.count_request(self.stream.name)
        return response

    def _read_again(self, response: requests.Response, page: int) -> bool:
        """An empty page while Total promises more rows is a hiccup, not the end."""
        if self.empty_retries >= EMPTY_PAGE_RETRIES or not self.paginator.short_of_total(response):
            return False
        self.empty_retries += 1
        logger.warning(
            "%s: page %s came back empty although Total says %s rows; reading it again",
            self.stream.name,
            page,
            response.headers.get("Total"),
        )
        time.sleep(1.0)
        return True

    def _read_ahead(self) -> None:
        paginator = self.paginator
        first = last = paginator.current_value
        if self.workers > 1 and paginator.total is not None:
            last = min(math.ceil(paginator.total / paginator.per_page), first + self.workers - 1)
        for page in range(first, max(first, last) + 1):
            if page not in self.in_flight:
                self.in_flight[page] = self.stream.tap.page_pool.submit(
                    self.stream.fetch_page, self.context, page
                )

    def _warn(self, message: str, *args: t.Any) -> None:
        logger.warning(f"%s: {message}", self.stream.name, *args, scope_text(self.context))


class PagingStream(AnswersStream):
    """Reads whole listings (`request_records`), one page at a time, in order."""

    def request_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """Every record of one listing, in Procore's order."""
        context = context or {}
        if self.cursor_param:
            yield from self._cursor_rows(context)
            return
        if not self.paginated:
            response = self.fetch_page(context, None)
            self.tap.report.count_request(self.name)
            yield from self.parse_response(response)
            return
        yield from Listing(self, context).rows()

    def _cursor_rows(self, context: Context) -> t.Iterator[dict[str, t.Any]]:
        """A cursor-paged listing: each page names the next (see `cursor_param`); a cursor seen
        before ends it, so that a server repeating itself cannot make it loop."""
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            response = self.fetch_page(context, cursor)
            self.tap.report.count_request(self.name)
            rows = self.parse_response(response)
            yield from rows
            cursor = response.procore_next_cursor  # type: ignore[attr-defined]
            if cursor is None and self.cursor_is_last_id and len(rows) >= self.page_size:
                last = rows[-1].get("id")
                cursor = None if last is None else str(last)
            if cursor is None or cursor in seen:
                return
            seen.add(cursor)

    def first_page(self, context: Context) -> requests.Response:
        """The first page of this listing in `context` (the request plan samples with it)."""
        self.tap.report.count_request(self.name)
        first = self.page_base if self.paginated and not self.cursor_param else None
        return self.fetch_page(context, first)
