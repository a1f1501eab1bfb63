"""ProcoreStream: the one base every stream stands on, composed of small parts.

A stream class only declares what is particular to its endpoint (tap_procore/declarations.py:
name, path, keys, replication, parent, query; what it does not declare is derived from its
parent). Reading one of its scopes, in order:

* tap_procore/scopes.py decides whether the scope is read, and records why not;
* tap_procore/windows.py gives its windows, from the sweep's bookmarks;
* streams whose ids come from another listing get them from `RunContext.parent_ids`;
* tap_procore/paging.py reads each listing page by page, whole or not at all, and a `PageReader`
  (tap_procore/reading.py) each page: built, paced, sent, retried by the SDK's machinery with the
  policy of tap_procore/retries.py, and judged by tap_procore/answers.py;
* a failure that belongs to the scope stops only the scope (tap_procore/scopes.py);
* records are post-processed here (context fields, surrogate keys, conformed types).

The SDK's private message hooks are in tap_procore/sdk_private.py, the only place that touches
them; the services a stream uses are its run context (tap_procore/run.py), not the tap.
"""

from __future__ import annotations

import functools
import logging
import sys
import typing as t
from functools import cached_property

import msgspec

from tap_procore import dates, windows
from tap_procore.answers import Page
from tap_procore.budget import BudgetReached
from tap_procore.conform import RecordConformer
from tap_procore.deletes import DELETED_AT, deleted_at_of, main_stream_of
from tap_procore.errors import ProcoreError, ScopeFailure, ScopeUnavailable, UnloadableRecord
from tap_procore.paging import Listing, cursor_rows
from tap_procore.reading import PageReader
from tap_procore.retries import (
    ATTEMPTS_CEILING,
    RetryPolicy,
    WithoutBackoffDefaultLines,
    on_wait,
)
from tap_procore.sdk_private import PrivateStreamHooks
from tap_procore.sweep import Scope

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_procore.run import RunContext

#: The key column of streams whose rows have no unique id of their own (see surrogate_key_of).
ROW_KEY = "row_key"
#: Context key of the parent record's fields that child streams read (`embedded_in`,
#: `parent_count_field`). Keys starting with "_" never reach records (`post_process`) nor state
#: (`state_partitioning_keys` is empty).
PARENT_FIELDS = "_parent"
_KEY_ENCODER = msgspec.json.Encoder(order="sorted")
_WITHOUT_BACKOFF_LINES = WithoutBackoffDefaultLines()


class ProcoreStream(PrivateStreamHooks):
    """Base for every Procore stream. Subclasses are declarative (see declarations.py)."""

    def __init__(self, tap: RunContext, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(tap, *args, **kwargs)
        self.logger.addFilter(_WITHOUT_BACKOFF_LINES)
        self._conformer = RecordConformer(
            self.name, self.schema.get("properties", {}), self.primary_keys or ()
        )
        self._row_key_list: tuple[t.Any, ...] = ()
        self._row_keys_seen: dict[str, int] = {}
        self.record_written = self._pass_on_deleted
        #: Where the record being processed was in its listing ("page 2, row 17"), for log
        #: lines about a record.
        self.position: str | None = None

    @cached_property
    def reader(self) -> PageReader:
        return PageReader(self)

    # --- retries: the SDK's backoff hooks, with the policy of tap_procore/retries.py ----------

    def backoff_wait_generator(self) -> t.Generator[float, None, None]:
        # Called once per request: each request gets its own count of failures and waits.
        return self.backoff_runtime(value=RetryPolicy(self.run.transport).wait_for)

    def backoff_max_tries(self) -> int:
        # The policy ends retries (max_retries, max_rate_limit_wait); this is the last guard.
        return ATTEMPTS_CEILING

    def backoff_jitter(self, value: float) -> float:
        # The policy jitters transient waits itself; rate-limit waits are what Procore said.
        return value

    def backoff_handler(self, details: t.Any) -> None:
        on_wait(
            details,
            describe=self.reader.describe(details["args"][0]),
            transport=self.run.transport,
            renew_token=self.run.http.authenticator.invalidate,
        )

    # --- the tree --------------------------------------------------------------------------

    @staticmethod
    def scope_of(context: Context | None) -> Scope:
        assert context is not None, "Procore streams always run inside a company"
        return Scope(int(context["company_id"]), context.get("project_id"))

    def active_descendants(self) -> list[ProcoreStream]:
        found: list[ProcoreStream] = []
        for child in self.child_streams:
            assert isinstance(child, ProcoreStream)
            if child.selected:
                found.append(child)
            found.extend(child.active_descendants())
        return found

    def coverage_streams(self) -> list[str]:
        """Streams whose coverage this stream's window must satisfy (itself and its children)."""
        names = [self.name] if self.selected else []
        if not self.children_see_every_record:
            names.extend(child.name for child in self.active_descendants())
        return names

    @cached_property
    def is_feed_root(self) -> bool:
        """Directly under a company or a project: the level the change feed speaks for."""
        return bool(getattr(self.parent_stream_type, "is_scope_source", False))

    def generate_child_contexts(
        self, record: dict[str, t.Any], context: Context | None
    ) -> t.Iterable[dict[str, t.Any] | None]:
        if self.child_streams and DELETED_AT not in record:  # a deleted record has no children
            child_context = self.get_child_context(record, context)
            if child_context is not None:
                yield child_context

    def get_child_context(
        self, record: dict[str, t.Any], context: Context | None
    ) -> dict[str, t.Any] | None:
        child_id = record.get(self.child_id_field)
        if self.child_id_key is None or child_id is None:
            return None
        child_context = {**(context or {}), self.child_id_key: child_id}
        if self.id_param:  # the id this record was listed under (ids_from) scopes it
            child_context[self.id_param] = record.get(self.id_param)
        for key, field in self.child_fields.items():
            child_context[key] = record.get(field)
        # What children read from this record travels with them, not on this stream object.
        child_context.pop(PARENT_FIELDS, None)
        fields = self.fields_for_children()
        if fields:
            child_context[PARENT_FIELDS] = {name: record.get(name) for name in fields}
        return child_context

    def fields_for_children(self) -> tuple[str, ...]:
        """Fields of this stream's records that its children read (embedded lists, counts)."""
        return tuple(
            name
            for child in self.child_streams
            for name in (
                getattr(child, "embedded_in", None),
                getattr(child, "parent_count_field", None),
            )
            if name
        )

    # --- reading a scope -----------------------------------------------------------------------

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        assert context is not None
        yield from self._read_scope(context)
        if self.is_feed_root:
            # Reached only when the scope (with its children) is done: a run stopped later
            # (its budget spent) does not read it again when the next one continues.
            self.run.sweep.finish_partition(self.name, self.scope_of(context))

    def _read_scope(self, context: Context) -> t.Iterator[dict[str, t.Any]]:
        scope = self.scope_of(context)
        parent = context.get(PARENT_FIELDS) or {}
        decision = self.run.scopes.decide(self, scope, parent)
        if decision.feed_deletes:
            yield from self._deleted_by_events(scope)
        if not decision.read:
            return
        if self.embedded_in is not None:
            yield from _embedded_records(parent.get(self.embedded_in))
            return
        try:
            yield from self._listed_records(dict(context))
        except ScopeUnavailable as exc:
            self.on_unavailable(scope, exc)
        except ScopeFailure as exc:
            # This scope (and what hangs from it) is read again next run; the run goes on.
            self.run.scopes.fail(self.name, scope, exc)

    def windows(self, context: Context) -> list[dict[str, str]]:
        """Query parameters of each window to read in this context ([{}]: one plain read)."""
        return windows.windows(self, self.scope_of(context))

    def _listed_records(self, context: dict[str, t.Any]) -> t.Iterator[dict[str, t.Any]]:
        for parent_context in self._parent_contexts(context):
            for window in self.windows(parent_context):
                window_context = {**parent_context, "_window": window} if window else parent_context
                for record in self.request_records(window_context):
                    if self.id_param:
                        record[self.id_param] = parent_context[self.id_param]
                    yield record

    def _parent_contexts(self, context: dict[str, t.Any]) -> t.Iterable[dict[str, t.Any]]:
        if not self.ids_from:
            yield context
            return
        assert self.id_param is not None
        scope = self.scope_of(context)
        for source in self.ids_from:
            for parent_id, fields in self.run.parent_ids(source, scope):
                yield {**context, **fields, self.id_param: parent_id}

    # --- one listing ---------------------------------------------------------------------------

    def request_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        """Every record of one listing, in Procore's order, read whole (or IncompleteListing)."""
        context = context or {}
        read = functools.partial(self.reader.read, context)
        self.position = None
        if self.cursor_param:
            yield from cursor_rows(
                read,
                name=self.name,
                where=context,
                page_size=self.page_size,
                cursor_is_last_id=self.cursor_is_last_id,
            )
        elif not self.paginated:
            yield from read(None).records
        else:
            yield from Listing(
                read,
                name=self.name,
                where=context,
                page_size=self.page_size,
                page_base=self.page_base,
                workers=int(self.config.get("max_workers") or 1),
                pool=self.run.http.pool,
                note_position=self._note_position,
            ).rows()

    def first_page(self, context: Context) -> Page:
        """The first page of this listing in `context` (the request plan samples with it)."""
        first = self.page_base if self.paginated and not self.cursor_param else None
        return self.reader.read(context, first)

    def _note_position(self, position: str) -> None:
        self.position = position

    # --- deleted records (tap_procore/deletes.py) -----------------------------------------------

    def _deleted_by_events(self, scope: Scope) -> t.Iterator[dict[str, t.Any]]:
        """Records of this stream the change feed saw deleted since its bookmark: the key and
        `_sdc_deleted_at` (unless a recycle bin already sent the whole record)."""
        if DELETED_AT not in self.schema.get("properties", {}):
            return
        feed, sweep = self.run.feed, self.run.sweep
        assert feed is not None
        for resource_id, stamp in feed.deletes(
            self.name, scope, sweep.changed_since(self.name, scope)
        ):
            if not self.run.deleted_rows.from_recycle_bin(self.name, scope, resource_id):
                yield {"id": resource_id, DELETED_AT: dates.format_timestamp(stamp)}

    def _pass_on_deleted(self, record: dict[str, t.Any]) -> None:
        """A recycle bin's record, written: its main stream writes it too, marked deleted."""
        if self._main_stream is not None and self.context is not None:
            self._main_stream.write_deleted(record, self.scope_of(self.context))

    @cached_property
    def _main_stream(self) -> ProcoreStream | None:
        """For a recycle bin (`deleted_<stream>`): `<stream>`, when it is selected and takes
        deleted records."""
        name = main_stream_of(self.name)
        if name is None:
            return None
        try:
            main: ProcoreStream = self.run.stream(name)
        except KeyError:
            return None
        if not main.selected or DELETED_AT not in main.schema.get("properties", {}):
            return None
        return main

    def write_deleted(self, record: dict[str, t.Any], scope: Scope) -> None:
        """A record of this stream read from its recycle bin: written here too, marked deleted."""
        row = dict(record)
        row[DELETED_AT] = deleted_at_of(record) or dates.format_timestamp(self.run.sweep.upper)
        if "deleted_at" not in self.schema.get("properties", {}):
            row.pop("deleted_at", None)  # it is _sdc_deleted_at here
        conformed = self._conformer.conform(row)
        self.run.deleted_rows.note_recycle_bin(self.name, scope, conformed.get("id"))
        self._write_schema_message()
        self._write_record_message(conformed)

    def on_unavailable(self, scope: Scope, exc: ScopeUnavailable) -> None:
        """A 403/404 for one project's (or company's) tool: skip it, say so, carry on."""
        self.run.scopes.skip(self.name, scope, str(exc))
        if scope.is_project:
            self.run.tools.note_refusal()

    def post_process(
        self, row: dict[str, t.Any], context: Context | None = None
    ) -> dict[str, t.Any] | None:
        if context:
            for key, value in context.items():
                if not key.startswith("_"):
                    row[key] = value
        if ROW_KEY in self.primary_keys:
            row[ROW_KEY] = self._unique_in_list(self.surrogate_key(row), context)
        try:
            return self._conformer.conform(row)
        except UnloadableRecord as exc:
            # Left out, not stopping the stream; its scope keeps its old bookmark so that the
            # record is read again once Procore sends it whole.
            if context is None:
                raise
            self.run.scopes.fail(self.name, self.scope_of(context), exc.at(self.position))
            return None

    # --- surrogate keys ------------------------------------------------------------------------

    def surrogate_key(self, row: dict[str, t.Any]) -> str:
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

    # --- log lines -----------------------------------------------------------------------------

    def log(self, message: str, *args: t.Any, level: int = logging.INFO, **kwargs: t.Any) -> None:
        # The SDK says "Beginning sync" once per parent record (thousands of lines in a run)
        # and repeats a one-line Procore error as a traceback: both belong to DEBUG.
        per_parent_banner = message.startswith("Beginning sync") and "context" in message
        repeated_error = message.startswith("An unhandled error") and isinstance(
            sys.exc_info()[1], (ProcoreError, ScopeUnavailable, BudgetReached)
        )
        if per_parent_banner or repeated_error:
            level = logging.DEBUG
        super().log(message, *args, level=level, **kwargs)


def _embedded_records(items: t.Any) -> t.Iterator[dict[str, t.Any]]:
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            yield dict(item)
