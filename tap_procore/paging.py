"""Reading a listing page by page: Procore's page/per_page paging, ``Link`` and ``Total``.

A listing is read in page order; the next page is fetched while this one's records are
processed (Procore said ``next``), and with max_workers > 1 up to that many of the pages
``Total`` promises are in flight at once. Requests stay paced by the governor either way.
A listing is read whole or reported incomplete (`Listing`): rows that move between pages while
it is read are found again, broken servers cannot make it loop, and an empty page that ``Total``
says should have rows is read again.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
import typing as t
from concurrent.futures import Future, ThreadPoolExecutor

import msgspec

from tap_procore.answers import Page
from tap_procore.errors import IncompleteListing

logger = logging.getLogger("tap-procore")

# How often an empty page that Total says should have rows is read again.
EMPTY_PAGE_RETRIES = 2
#: Reads one page of the listing: a page number, a cursor, or None for the first.
ReadPage = t.Callable[[t.Any], Page]


def scope_text(context: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The context as it is shown in log lines: without the private (underscore) keys."""
    return {key: value for key, value in context.items() if not key.startswith("_")}


class ProcorePaginator:
    """Page numbers, driven by ``Link: rel="next"`` and, when Link is missing, by ``Total``.

    Procore omits ``rel="next"`` on the last page. An empty page in the middle of a listing
    (``next`` still present) does not end it; a page past ``Total`` with no ``next`` does. A
    response with neither header (a proxy that strips them) is followed while pages come back
    full, so that rows are never left behind; that costs one extra request at most.
    """

    def __init__(self, per_page: int, first_page: int = 1) -> None:
        self.current_value = first_page
        self.finished = False
        self.per_page = per_page
        self.rows_seen = 0
        self.total: int | None = None
        self.last_page_rows = 0
        self._consecutive_empty = 0

    def count_rows(self, rows: int) -> None:
        self.rows_seen += rows
        self.last_page_rows = rows
        self._consecutive_empty = 0 if rows else self._consecutive_empty + 1

    def advance(self, page: Page) -> None:
        """After reading the current page: on to the next one, or finished.

        Always the next page number, whatever page the Link names: Procore's is always the
        next one, and a link back (a loop) or far ahead (skipped rows) is not followed."""
        if self.has_more(page):
            self.current_value += 1
        else:
            self.finished = True

    def has_more(self, page: Page) -> bool:
        if page.total is not None:
            self.total = page.total
        if self._consecutive_empty > 3:
            return False  # a server that keeps saying "next" over empty pages
        if page.next_link:
            return True
        if page.link:
            return False  # a Link header without rel="next": this was the last page
        if self.total is not None:
            return self._consecutive_empty == 0 and self.rows_seen < self.total
        full = page.per_page or self.per_page
        return full > 0 and self.last_page_rows >= full

    def short_of_total(self, page: Page) -> bool:
        return page.total is not None and self.rows_seen < page.total


class ReadRows:
    """The rows a listing has emitted, by identity (their `id`; listings whose rows have none
    are read without de-duplication), and how many pages it has read more than once."""

    def __init__(self) -> None:
        self._ids: set[t.Any] = set()
        #: Ids read in the current read of the listing (a second read repeats the first).
        self._ids_this_read: set[t.Any] = set()
        self._pages: set[bytes] = set()
        #: Every row so far had an id: re-reading a page cannot emit a row twice.
        self.identified = True
        self.emitted = 0

    def fresh(self, rows: list[dict[str, t.Any]]) -> list[dict[str, t.Any]]:
        """The rows of a page not emitted before (all of them, for rows without ids)."""
        found = []
        for row in rows:
            key = row.get("id")
            if not isinstance(key, (int, str)) or isinstance(key, bool):
                self.identified = False
                found.append(row)
            else:
                self._ids_this_read.add(key)
                if key not in self._ids:
                    self._ids.add(key)
                    found.append(row)
        self.emitted += len(found)
        return found

    def all_seen(self, rows: list[dict[str, t.Any]]) -> bool:
        """Whether every row of a page (rows with ids) was read before in this read."""
        return all(row.get("id") in self._ids_this_read for row in rows)

    def start_again(self) -> None:
        """The listing is read again from its first page."""
        self._ids_this_read = set()
        self._pages = set()

    def page_seen_before(self, rows: list[dict[str, t.Any]]) -> bool:
        """Whether a page of rows without ids is one already read, byte for byte."""
        fingerprint = hashlib.sha256(msgspec.json.encode(rows)).digest()
        if fingerprint in self._pages:
            return True
        self._pages.add(fingerprint)
        return False

    @property
    def distinct(self) -> int:
        return len(self._ids) if self.identified else self.emitted


class Listing:
    """One paginated listing of one stream in one context, read whole or not at all.

    Procore pages by offset, so a listing that changes while it is read moves rows between
    pages: when rows before the current page leave the set (an edit takes them out of the
    window, a delete), every later row moves back, and the first rows of the next page land on
    a page already read. `Total` moves when that happens. So, whenever `Total` differs from the
    page before, the pages before are read again, newest first, until one holds no row not yet
    emitted: rows that moved back are found there. Rows are emitted once (by id). At the end the
    rows read must agree with `Total`; if they do not, the listing is read once more from its
    first page; if they still do not, or a page repeats rows while Procore says there is more,
    or re-reading costs more than a second read of the whole listing, `IncompleteListing` is
    raised after the rows read were emitted: the scope keeps its old bookmark.
    """

    #: A whole second read, when the first one ended short of `Total`.
    FULL_REREADS = 1

    def __init__(
        self,
        read_page: ReadPage,
        *,
        name: str,
        where: t.Mapping[str, t.Any],
        page_size: int,
        page_base: int = 1,
        workers: int = 1,
        pool: ThreadPoolExecutor | None = None,
        note_position: t.Callable[[str], None] = lambda position: None,
    ) -> None:
        self.read_page = read_page
        self.name = name
        self.where = scope_text(where)
        self.page_size = page_size
        self.page_base = page_base
        self.paginator = ProcorePaginator(page_size, page_base)
        self.read_rows = ReadRows()
        self.workers = workers
        self.pool = pool
        self.note_position = note_position
        self.in_flight: dict[int, Future[Page]] = {}
        self.empty_retries = 0
        self.last_total: int | None = None
        self.first_total: int | None = None
        self.pages_read_again = 0
        #: A change that re-reading cannot recover (rows without ids cannot be told apart).
        self.unrecoverable: str | None = None

    def rows(self) -> t.Iterator[dict[str, t.Any]]:
        rereads = self.FULL_REREADS
        while True:
            yield from self._read_through()
            problem = self.unrecoverable or self._shortfall()
            if problem is None:
                return
            if not rereads or not self.read_rows.identified:
                raise self._incomplete(problem)
            rereads -= 1
            self._warn("%s; reading the listing again from its first page (scope %s)", problem)
            self.paginator = ProcorePaginator(self.page_size, self.page_base)
            self.read_rows.start_again()
            self.empty_retries = 0

    def _read_through(self) -> t.Iterator[dict[str, t.Any]]:
        paginator = self.paginator
        try:
            while not paginator.finished:
                number = paginator.current_value
                page = self._page(number)
                rows = page.records
                if not rows and self._read_again(page, number):
                    continue
                changed = self._total_changed(page)
                if self._repeats_everything(rows, changed, page, number):
                    return
                fresh = self.read_rows.fresh(rows)
                paginator.count_rows(len(rows))
                self._check_overrun(number)
                paginator.advance(page)
                if not paginator.finished:
                    self._read_ahead()
                yield from self._emit(fresh, number)
                if changed:
                    yield from self._read_back_from(number)
        finally:
            for future in self.in_flight.values():
                future.cancel()
            self.in_flight.clear()

    def _total_changed(self, page: Page) -> bool:
        total = page.total
        if total is None:
            return False
        previous, self.last_total = self.last_total, total
        if self.first_total is None:
            self.first_total = total
        changed = previous is not None and previous != total
        if changed and not self.read_rows.identified:
            self.unrecoverable = (
                f"the listing changed while it was read (Total went from {previous} to {total}) "
                "and its rows have no ids to re-read it by"
            )
        return changed

    def _repeats_everything(
        self, rows: list[dict[str, t.Any]], changed: bool, page: Page, number: int
    ) -> bool:
        """A page of rows all read before, while nothing changed: the server ignores the page
        number or its Link points back. Fatal to the listing when Procore says there is more."""
        if not rows or changed:
            return False
        identified = all(
            isinstance(row.get("id"), (int, str)) and not isinstance(row.get("id"), bool)
            for row in rows
        )
        if identified:
            if not self.read_rows.all_seen(rows):
                return False
        elif not self.read_rows.page_seen_before(rows):
            return False
        more = page.next_link or (
            self.last_total is not None and self.read_rows.distinct < self.last_total
        )
        if more:
            raise self._incomplete(
                f"page {number} repeats rows already read while Procore says there is more (the "
                "server seems to ignore the page number)"
            )
        self._warn("page %s repeats rows already read; this listing ends here (scope %s)", number)
        return True

    def _check_overrun(self, page: int) -> None:
        total, read = self.last_total, self.paginator.rows_seen
        if total is not None and read > 2 * total + self.paginator.per_page:
            raise self._incomplete(
                f"page {page} brings the rows read to {read}, far beyond the Total of {total}; "
                "the listing does not end"
            )

    def _read_back_from(self, page: int) -> t.Iterator[dict[str, t.Any]]:
        """Rows that moved back onto pages already read: read those pages again, newest first,
        until one holds nothing new (rows move back by as many as left before them)."""
        for earlier in range(page - 1, self.page_base - 1, -1):
            self._spend_page_read_again()
            read = self.read_page(earlier)
            rows = read.records
            changed = self._total_changed(read)
            fresh = self.read_rows.fresh(rows)
            yield from self._emit(fresh, earlier)
            if rows and not fresh and not changed:
                return

    def _spend_page_read_again(self) -> None:
        pages = math.ceil((self.first_total or 0) / max(1, self.paginator.per_page))
        allowance = max(4, 2 * pages)
        if self.pages_read_again >= allowance:
            raise self._incomplete(
                f"the listing kept changing while it was read: {self.pages_read_again} pages "
                "were read again and it still moved"
            )
        self.pages_read_again += 1

    def _shortfall(self) -> str | None:
        total = self.last_total
        if total is None or self.read_rows.distinct >= total:
            return None
        return f"read {self.read_rows.distinct} rows but Procore's Total header says {total}"

    def _emit(self, rows: list[dict[str, t.Any]], page: int) -> t.Iterator[dict[str, t.Any]]:
        for index, row in enumerate(rows, start=1):
            self.note_position(f"page {page}, row {index}")
            yield row

    def _incomplete(self, problem: str) -> IncompleteListing:
        return IncompleteListing(f"{self.name}: {problem} (scope {self.where})")

    def _page(self, number: int) -> Page:
        pending = self.in_flight.pop(number, None)
        return pending.result() if pending else self.read_page(number)

    def _read_again(self, page: Page, number: int) -> bool:
        """An empty page while Total promises more rows is a hiccup, not the end."""
        if self.empty_retries >= EMPTY_PAGE_RETRIES or not self.paginator.short_of_total(page):
            return False
        self.empty_retries += 1
        logger.warning(
            "%s: page %s came back empty although Total says %s rows; reading it again",
            self.name,
            number,
            page.total,
        )
        time.sleep(1.0)
        return True

    def _read_ahead(self) -> None:
        paginator = self.paginator
        first = last = paginator.current_value
        if self.pool is None:
            return
        if self.workers > 1 and paginator.total is not None:
            last = min(math.ceil(paginator.total / paginator.per_page), first + self.workers - 1)
        for number in range(first, max(first, last) + 1):
            if number not in self.in_flight:
                self.in_flight[number] = self.pool.submit(self.read_page, number)

    def _warn(self, message: str, *args: t.Any) -> None:
        logger.warning(f"%s: {message}", self.name, *args, self.where)


def cursor_rows(
    read_page: ReadPage,
    *,
    name: str,
    where: t.Mapping[str, t.Any],
    page_size: int,
    cursor_is_last_id: bool,
) -> t.Iterator[dict[str, t.Any]]:
    """A cursor-paged listing: each page names the next (the `Link` cursor, the body's
    ``next_cursor``, or the last id of a full page); a cursor seen before means the listing
    cannot be read whole."""
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        page = read_page(cursor)
        yield from page.records
        cursor = page.next_cursor
        if cursor is None and cursor_is_last_id and len(page.records) >= page_size:
            last = page.records[-1].get("id")
            cursor = None if last is None else str(last)
        if cursor is None:
            return
        if cursor in seen:
            msg = f"{name}: the cursor {cursor!r} came back again (scope {scope_text(where)})"
            raise IncompleteListing(msg)
        seen.add(cursor)
