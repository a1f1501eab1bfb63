"""Compact, resumable incremental state for thousands of projects (the "sweep").

The SDK's default keeps one state partition per project per stream and writes the whole state
after every partition, so STATE output grows with projects x streams squared. Instead, a run is a
*sweep* over every company and project in a fixed order (companies in configuration order,
projects by id), with one upper bound fixed when the sweep begins:

* Each stream keeps one bookmark: the upper bound of the last sweep it completed. Incremental
  requests ask for ``filters[updated_at]=<lower>...<upper>``.
* A small registry records, per company and per project, the first sweep since which it has been
  part of every sweep (``covered``). A project is covered by a stream's bookmark only if it was
  registered no later than that bookmark; anything else (a new project, a project that came back,
  a stream selected for the first time) is read from ``start_date``. Projects that disappear drop
  out of the registry and stop costing anything.
* A scope that a sweep did not read completely (tool off, refused, failed, a listing that could not
  be read whole; see tap_procore/scopes.py) keeps the coverage it had for that stream: listed under
  the stream's ``not_covered`` (it had none: read from ``start_date``) or ``behind`` (read from
  its older bookmark), so the bookmark never advances over rows that were not read.
* While a sweep runs, only its position (the last company/project whose streams all finished),
  the few projects it registered, and the scopes held back per stream are written. A run that
  finds an unfinished sweep finishes it with the same upper bound, skipping what was done.

State lives under ``bookmarks.projects`` (the SDK only round-trips ``bookmarks``); stream entries
stay in the SDK's ``replication_key`` / ``replication_key_value`` shape.
"""

from __future__ import annotations

import logging
import typing as t
from dataclasses import dataclass

from pendulum import DateTime

from tap_procore import dates
from tap_procore.errors import ProcoreError

logger = logging.getLogger("tap-procore")

SWEEP_KEY = "sweep"
COVERED_KEY = "covered"
HOLDER_STREAM = "projects"
# Bookmark of streams that are not incremental themselves but hang under an incremental parent:
# the parent must widen its window for them until they have covered a project once.
SWEPT_THROUGH_KEY = "swept_through"
NOT_COVERED_KEY = "not_covered"
# Scopes a sweep did not read completely although they were covered before: {bookmark: [ids]},
# the older bookmark each is still covered through.
BEHIND_KEY = "behind"
# How many sweeps in a row each failed scope has failed: {stream: {scope id: sweeps}}.
FAILING_KEY = "failing"
# The change feed's own few keys (tap_procore/feed.py), kept beside the registry.
FEED_KEY = "change_feed"


@dataclass(frozen=True, order=True)
class Scope:
    """A company's own streams (project_id None) or one project's streams."""

    company_id: int
    project_id: int | None = None

    @property
    def is_project(self) -> bool:
        return self.project_id is not None


def _registry_index(entries: dict[str, list[int]] | None) -> dict[int, str]:
    index: dict[int, str] = {}
    for since, ids in (entries or {}).items():
        for scope_id in ids:
            index[int(scope_id)] = since
    return index


def _registry_entries(index: dict[int, str]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for scope_id, since in index.items():
        grouped.setdefault(since, []).append(scope_id)
    return {since: sorted(ids) for since, ids in sorted(grouped.items())}


class Sweep:
    """Owns the tap's incremental state; streams ask it for windows and report progress."""

    def __init__(
        self,
        tap_state: dict[str, t.Any],
        *,
        company_ids: t.Sequence[int],
        start_date: DateTime | None,
        now: DateTime,
        overlap_seconds: float = 0.0,
        on_progress: t.Callable[[], None] = lambda: None,
    ) -> None:
        """`now` is Procore's clock (see tap_procore/dates.py); `overlap_seconds` is re-read
        before every bookmark, for rows Procore stamps a little before it commits them."""
        self._bookmarks: dict[str, t.Any] = tap_state.setdefault("bookmarks", {})
        self._holder: dict[str, t.Any] = self._bookmarks.setdefault(HOLDER_STREAM, {})
        self.start = start_date or dates.EARLIEST
        self.overlap = dates.seconds(overlap_seconds)
        self._company_order = {company_id: i for i, company_id in enumerate(company_ids)}
        self._on_progress = on_progress
        self._companies_done: set[int] = set()
        self._reread: dict[DateTime, DateTime] = {}
        self._clamped: set[str] = set()
        #: stream -> scope id -> the older bookmark it is held at (None: not covered at all)
        self._held: dict[str, dict[int, str | None]] = {}
        #: stream -> scope id -> sweeps in a row it failed, as of the end of this sweep
        self.failure_streaks: dict[str, dict[int, int]] = {}

        covered = self._holder.get(COVERED_KEY) or {}
        self._covered_companies = _registry_index(covered.get("companies"))
        self._covered_projects = _registry_index(covered.get("projects"))

        self._sweep: dict[str, t.Any] = self._resumed_or_new(company_ids, now)
        self.upper = dates.parse_timestamp(self._sweep["upper"])
        self._resume_position = self._position_key(self._sweep.get("position"))
        # The scope in progress when the interrupted run stopped, and its streams it finished.
        partial = self._sweep.get("partial") or {}
        self._resume_partial = self._position_key(partial.get("scope"))
        self._resume_partial_streams = set(partial.get("streams") or [])
        self._new_companies = set(self._sweep.get("new_companies", []))
        self._new_projects = set(self._sweep.get("new_projects", []))
        self._seen_companies: set[int] = set()
        self._seen_projects: dict[int, int] = {}
        self._joiners: set[str] = set()

    def _resumed_or_new(self, company_ids: t.Sequence[int], now: DateTime) -> dict[str, t.Any]:
        """The unfinished sweep of the same companies, or a new one up to `now`."""
        sweep: dict[str, t.Any] | None = self._holder.get(SWEEP_KEY) or None
        self.resumed = sweep is not None and list(sweep.get("companies", [])) == list(company_ids)
        if sweep is not None and self.resumed and dates.parse_timestamp(sweep["upper"]) > now:
            logger.warning(
                "The unfinished sweep's upper bound %s is ahead of Procore's clock (%s), so the "
                "state was written by a host whose clock ran ahead: starting a new sweep (what "
                "it had finished is read again)",
                sweep["upper"],
                dates.format_timestamp(now),
            )
            self.resumed = False
        if sweep is not None and self.resumed:
            return sweep
        sweep = {
            "upper": dates.format_timestamp(now),
            "companies": list(company_ids),
            "position": None,
            "streams": [],
            "new_companies": [],
            "new_projects": [],
            "skipped": {},
            "behind": {},
            "failed": {},
        }
        self._holder[SWEEP_KEY] = sweep
        return sweep

    # -- set-up -------------------------------------------------------------------------------

    def enrol(self, active_streams: t.Iterable[str]) -> None:
        """Declare which streams run in this process.

        Streams that took part in the interrupted sweep keep their progress; a stream that was
        dropped and comes back, or is new, starts from the first scope ("joiner").
        """
        active = set(active_streams)
        carried = [name for name in self._sweep.get("streams", []) if name in active]
        if not self.resumed or self._resume_position is None:
            carried = sorted(active)
        self._joiners = active - set(carried)
        self._sweep["streams"] = sorted(carried)

    # -- ordering -----------------------------------------------------------------------------

    def _position_key(self, position: t.Sequence[int] | None) -> tuple[int, int] | None:
        if not position:
            return None
        company_id, project_id = int(position[0]), int(position[1])
        if company_id not in self._company_order:
            return None
        return (self._company_order[company_id], project_id)

    def _key(self, scope: Scope) -> tuple[int, int]:
        return (self._company_order[scope.company_id], scope.project_id or 0)

    def _was_in_interrupted_sweep(self, scope: Scope) -> bool:
        if scope.project_id is None:
            return scope.company_id in self._covered_companies or (
                scope.company_id in self._new_companies
            )
        return scope.project_id in self._covered_projects or scope.project_id in self._new_projects

    def already_done(self, stream: str, scope: Scope) -> bool:
        """True when an interrupted run of this sweep already finished `stream` for `scope`."""
        if stream in self._joiners:
            return False
        if (
            self._resume_partial is not None
            and self._key(scope) == self._resume_partial
            and stream in self._resume_partial_streams
        ):
            return True
        if self._resume_position is None:
            return False
        if stream not in self._sweep["streams"]:
            return False
        return self._key(scope) <= self._resume_position and self._was_in_interrupted_sweep(scope)

    # -- windows ------------------------------------------------------------------------------

    def _registered_since(self, scope: Scope) -> str | None:
        if scope.project_id is None:
            return self._covered_companies.get(scope.company_id)
        return self._covered_projects.get(scope.project_id)

    def covered_through(self, stream: str, scope: Scope) -> DateTime | None:
        """Up to when `stream` already holds every record of `scope`, if it does."""
        entry = self._bookmarks.get(stream) or {}
        value = entry.get("replication_key_value") or entry.get(SWEPT_THROUGH_KEY)
        if not value:
            return None
        scope_id = scope.project_id if scope.project_id is not None else scope.company_id
        held = self._held_scopes(stream, entry)
        if scope_id in held:
            value = held[scope_id]
            if value is None:
                return None
        since = self._registered_since(scope)
        if since is None or dates.parse_timestamp(since) > dates.parse_timestamp(value):
            return None
        bookmark = dates.parse_timestamp(value)
        if bookmark > self.upper:
            # Never a reversed range: a bookmark from a host whose clock ran ahead is clamped.
            if stream not in self._clamped:
                self._clamped.add(stream)
                logger.warning(
                    "The bookmark of %s (%s) is ahead of Procore's clock (%s): reading from "
                    "Procore's now instead. Rows changed since that state was written may have "
                    "been missed; remove the %s bookmark to read it again from start_date",
                    stream,
                    value,
                    dates.format_timestamp(self.upper),
                    stream,
                )
            return self.upper
        return bookmark

    def _held_scopes(self, stream: str, entry: dict[str, t.Any]) -> dict[int, str | None]:
        """Scopes of `stream` that the last sweep held back: id -> older bookmark, or None."""
        held = self._held.get(stream)
        if held is None:
            held = {scope_id: None for scope_id in entry.get(NOT_COVERED_KEY, [])}
            for since, ids in (entry.get(BEHIND_KEY) or {}).items():
                held.update(dict.fromkeys(ids, since))
            self._held[stream] = held
        return held

    def bookmark_of(self, stream: str) -> DateTime | None:
        """The stream's bookmark, whatever the scope (None: never completed a sweep)."""
        entry = self._bookmarks.get(stream) or {}
        value = entry.get("replication_key_value") or entry.get(SWEPT_THROUGH_KEY)
        return min(dates.parse_timestamp(value), self.upper) if value else None

    def lower_bound(self, streams: t.Iterable[str], scope: Scope) -> DateTime:
        """Earliest point any of `streams` still needs for `scope`, overlap included."""
        lowers = []
        for name in streams:
            covered = self.covered_through(name, scope)
            lowers.append(self._reread_from(covered) if covered is not None else self.start)
        return max(min(lowers, default=self.start), self.start)

    def changed_since(self, stream: str, scope: Scope) -> DateTime | None:
        """From when `stream` must write `scope`'s records again; None: all of them."""
        covered = self.covered_through(stream, scope)
        return None if covered is None else self._reread_from(covered)

    def _reread_from(self, covered: DateTime) -> DateTime:
        # The same few bookmarks, for every project: pendulum's arithmetic is not free.
        found = self._reread.get(covered)
        if found is None:
            found = self._reread[covered] = covered - self.overlap
        return found

    # -- progress -----------------------------------------------------------------------------

    def keep_coverage(self, stream: str, scope: Scope, *, failed: bool = False) -> None:
        """`stream` did not read `scope` completely in this sweep (tool off, refused, failed,
        incomplete): the scope keeps the coverage it had, so the next sweep reads it again from
        there. `failed` counts it towards the scope's failures in a row."""
        scope_id = scope.project_id if scope.project_id is not None else scope.company_id
        covered = self.covered_through(stream, scope)
        if covered is None:
            _add(self._sweep.setdefault("skipped", {}).setdefault(stream, []), scope_id)
        else:
            behind = self._sweep.setdefault("behind", {}).setdefault(stream, {})
            _add(behind.setdefault(dates.format_timestamp(covered), []), scope_id)
        if failed:
            _add(self._sweep.setdefault("failed", {}).setdefault(stream, []), scope_id)

    def held_back(self, stream: str, scope: Scope) -> bool:
        """Whether this sweep already keeps `stream`'s coverage of `scope` where it was."""
        scope_id = scope.project_id if scope.project_id is not None else scope.company_id
        if scope_id in self._sweep.get("skipped", {}).get(stream, []):
            return True
        behind = self._sweep.get("behind", {}).get(stream, {})
        return any(scope_id in ids for ids in behind.values())

    def finish_partition(self, stream: str, scope: Scope) -> None:
        """`stream` (one read directly under a company or project) is done with `scope`, its
        children too: a run stopped before the scope is done does not read it again."""
        where = [scope.company_id, scope.project_id or 0]
        partial = self._sweep.get("partial")
        if not partial or partial.get("scope") != where:
            partial = self._sweep["partial"] = {"scope": where, "streams": []}
        _add(partial["streams"], stream)

    def finish_scope(self, scope: Scope) -> None:
        """Every stream of `scope` is done: move the position forward and maybe checkpoint."""
        self._sweep.pop("partial", None)
        if scope.project_id is None:
            self._seen_companies.add(scope.company_id)
            if scope.company_id not in self._covered_companies:
                self._new_companies.add(scope.company_id)
                self._sweep["new_companies"] = sorted(self._new_companies)
        else:
            self._seen_projects[scope.project_id] = scope.company_id
            if scope.project_id not in self._covered_projects:
                self._new_projects.add(scope.project_id)
                self._sweep["new_projects"] = sorted(self._new_projects)
        key = self._key(scope)
        current = self._position_key(self._sweep.get("position"))
        if current is None or key > current:
            self._sweep["position"] = [scope.company_id, scope.project_id or 0]
            if self._resume_position is not None and key > self._resume_position:
                # Joiners have now seen every scope the interrupted run had finished.
                self._sweep["streams"] = sorted(set(self._sweep["streams"]) | self._joiners)
                self._joiners = set()
                self._resume_position = None
        self._on_progress()

    def finish_company(self, company_id: int) -> None:
        """Every stream of the company, and every project of it, has finished."""
        self.finish_scope(Scope(company_id))
        self._companies_done.add(company_id)

    def skip_company(self, company_id: int) -> None:
        """The company could not be read at all this sweep: none of its scopes are covered by
        it (they leave the registry), and the sweep can still complete for the others."""
        self._companies_done.add(company_id)

    @property
    def visited_everything(self) -> bool:
        """Whether every configured company was walked to the end in this run."""
        return self._companies_done >= self._company_order.keys()

    def note_company(self, company_id: int) -> None:
        """The company is part of this sweep (even if no company-level stream is selected)."""
        self._seen_companies.add(company_id)

    def complete(self, *, incremental: t.Mapping[str, str], descendants: t.Iterable[str]) -> None:
        """The sweep reached its end: advance bookmarks, rebuild the registry, drop the sweep.

        `incremental` maps each incremental stream that ran to its replication key;
        `descendants` are non-incremental streams under an incremental parent that ran.
        """
        upper = self._sweep["upper"]
        for name, replication_key in incremental.items():
            entry = self._bookmarks.setdefault(name, {})
            entry["replication_key"] = replication_key
            entry["replication_key_value"] = upper
            self._hold(name, entry)
        for name in descendants:
            entry = self._bookmarks.setdefault(name, {})
            entry[SWEPT_THROUGH_KEY] = upper
            self._hold(name, entry)
        self._count_failures()

        companies = {
            company_id: self._covered_companies.get(company_id, upper)
            for company_id in self._seen_companies
        }
        projects = {
            project_id: self._covered_projects.get(project_id, upper)
            for project_id in self._seen_projects
        }
        self._holder[COVERED_KEY] = {
            "companies": _registry_entries(companies),
            "projects": _registry_entries(projects),
        }
        self._covered_companies, self._covered_projects = companies, projects
        self._holder.pop(SWEEP_KEY, None)

    def _hold(self, name: str, entry: dict[str, t.Any]) -> None:
        """The scopes this sweep held back keep their coverage under the new bookmark."""
        not_covered = self._sweep.get("skipped", {}).get(name)
        behind = self._sweep.get("behind", {}).get(name)
        if not_covered:
            entry[NOT_COVERED_KEY] = sorted(not_covered)
        else:
            entry.pop(NOT_COVERED_KEY, None)
        if behind:
            entry[BEHIND_KEY] = {since: sorted(ids) for since, ids in sorted(behind.items())}
        else:
            entry.pop(BEHIND_KEY, None)
        self._held.pop(name, None)

    def _count_failures(self) -> None:
        """Failures in a row per scope: this sweep's failures, each one more than before."""
        before = self._holder.get(FAILING_KEY) or {}
        streaks: dict[str, dict[int, int]] = {}
        for name, ids in self._sweep.get("failed", {}).items():
            previous = before.get(name) or {}
            streaks[name] = {scope_id: int(previous.get(str(scope_id), 0)) + 1 for scope_id in ids}
        self.failure_streaks = streaks
        if streaks:
            self._holder[FAILING_KEY] = {
                name: {str(scope_id): count for scope_id, count in sorted(counts.items())}
                for name, counts in sorted(streaks.items())
            }
        else:
            self._holder.pop(FAILING_KEY, None)


def _add(items: list[t.Any], item: t.Any) -> None:
    if item not in items:
        items.append(item)


# -- validation of a state read from a file ------------------------------------------------------


class StateError(ProcoreError):
    """A state file whose content does not have the shape this tap writes."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(
            f"Invalid state: '{key}' {problem}; fix or remove it (a stream whose bookmark is "
            "removed is read again from start_date)"
        )
        self.key = key


def _timestamp(value: t.Any, key: str) -> None:
    try:
        dates.parse_timestamp(value)
    except dates.DateError:
        raise StateError(
            key, f"must be a UTC timestamp like 2024-01-01T00:00:00Z, got {value!r}"
        ) from None


def _ids(value: t.Any, key: str) -> None:
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        raise StateError(key, f"must be a list of integer ids, got {value!r}"[:300])


def _is_id(value: t.Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _object(value: t.Any, key: str) -> dict[str, t.Any]:
    if not isinstance(value, dict):
        raise StateError(key, f"must be a JSON object, got {type(value).__name__}")
    return value


def _registry(value: t.Any, key: str) -> None:
    for since, ids in _object(value, key).items():
        _timestamp(since, f"{key}.{since}")
        _ids(ids, f"{key}.{since}")


def _validate_sweep(sweep: dict[str, t.Any], key: str) -> None:
    if "upper" not in sweep:
        raise StateError(f"{key}.upper", "is missing")
    _timestamp(sweep["upper"], f"{key}.upper")
    _ids(sweep.get("companies"), f"{key}.companies")
    position = sweep.get("position")
    if position is not None and not (
        isinstance(position, list)
        and len(position) == 2
        and all(isinstance(item, int) and not isinstance(item, bool) for item in position)
    ):
        raise StateError(
            f"{key}.position", f"must be null or [company_id, project_id], got {position!r}"[:300]
        )
    streams = sweep.get("streams", [])
    if not isinstance(streams, list) or not all(isinstance(name, str) for name in streams):
        raise StateError(f"{key}.streams", "must be a list of stream names")
    partial = sweep.get("partial")
    if partial is not None:
        partial = _object(partial, f"{key}.partial")
        where = partial.get("scope")
        if not (isinstance(where, list) and len(where) == 2 and all(_is_id(i) for i in where)):
            raise StateError(f"{key}.partial.scope", "must be [company_id, project_id]")
        names = partial.get("streams", [])
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise StateError(f"{key}.partial.streams", "must be a list of stream names")
    for name in ("new_companies", "new_projects"):
        _ids(sweep.get(name, []), f"{key}.{name}")
    for name in ("skipped", "failed"):
        for stream, ids in _object(sweep.get(name, {}), f"{key}.{name}").items():
            _ids(ids, f"{key}.{name}.{stream}")
    for stream, held in _object(sweep.get("behind", {}), f"{key}.behind").items():
        _registry(held, f"{key}.behind.{stream}")


def _validate_feed(feed: dict[str, t.Any], key: str) -> None:
    for name in ("full_sweep", "anchored_at"):
        if feed.get(name) is not None:
            _timestamp(feed[name], f"{key}.{name}")
    vouched = feed.get("vouched", [])
    if not isinstance(vouched, list) or not all(isinstance(name, str) for name in vouched):
        raise StateError(f"{key}.vouched", "must be a list of stream names")
    companies = _object(feed.get("companies", {}), f"{key}.companies")
    for company_id, company in companies.items():
        where = f"{key}.companies.{company_id}"
        company = _object(company, where)
        for since, ids in _object(company.get("triggers", {}), f"{where}.triggers").items():
            _timestamp(since, f"{where}.triggers.{since}")
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise StateError(f"{where}.triggers.{since}", "must be a list of trigger ids")
        seen = company.get("seen")
        if seen is not None:
            seen = _object(seen, f"{where}.seen")
            _timestamp(seen.get("from"), f"{where}.seen.from")
            hours = _object(seen.get("hours", {}), f"{where}.seen.hours")
            if not all(isinstance(digest, str) for digest in hours.values()):
                raise StateError(f"{where}.seen.hours", "must map hours to digests")
        anchor = company.get("anchor")
        if anchor is not None:
            if not (isinstance(anchor, list) and len(anchor) == 2 and isinstance(anchor[0], str)):
                raise StateError(f"{where}.anchor", "must be [delivery key, timestamp]")
            _timestamp(anchor[1], f"{where}.anchor")


def validate_state(state: t.Any) -> None:
    """Raise StateError naming the first key whose value this tap could not have written."""
    bookmarks = _object(state, "state").get("bookmarks")
    if bookmarks is None:
        return
    for stream, entry in _object(bookmarks, "bookmarks").items():
        key = f"bookmarks.{stream}"
        entry = _object(entry, key)
        for name in ("replication_key_value", SWEPT_THROUGH_KEY):
            if entry.get(name) is not None:
                _timestamp(entry[name], f"{key}.{name}")
        if entry.get("replication_key") is not None and not isinstance(
            entry["replication_key"], str
        ):
            raise StateError(f"{key}.replication_key", "must be a field name")
        if NOT_COVERED_KEY in entry:
            _ids(entry[NOT_COVERED_KEY], f"{key}.{NOT_COVERED_KEY}")
        if BEHIND_KEY in entry:
            _registry(entry[BEHIND_KEY], f"{key}.{BEHIND_KEY}")
        if stream == HOLDER_STREAM:
            _validate_holder(entry, key)


def _validate_holder(entry: dict[str, t.Any], key: str) -> None:
    """The sweep's own keys, kept in the bookmark of the stream that holds them."""
    if entry.get(COVERED_KEY) is not None:
        covered = _object(entry[COVERED_KEY], f"{key}.{COVERED_KEY}")
        for kind in ("companies", "projects"):
            if covered.get(kind) is not None:
                _registry(covered[kind], f"{key}.{COVERED_KEY}.{kind}")
    if entry.get(SWEEP_KEY):
        _validate_sweep(_object(entry[SWEEP_KEY], f"{key}.{SWEEP_KEY}"), f"{key}.{SWEEP_KEY}")
    if entry.get(FAILING_KEY) is not None:
        for stream, counts in _object(entry[FAILING_KEY], f"{key}.{FAILING_KEY}").items():
            for scope_id, count in _object(counts, f"{key}.{FAILING_KEY}.{stream}").items():
                if not scope_id.isdigit() or not isinstance(count, int) or isinstance(count, bool):
                    raise StateError(
                        f"{key}.{FAILING_KEY}.{stream}", "must map scope ids to counts"
                    )
    if entry.get(FEED_KEY) is not None:
        _validate_feed(_object(entry[FEED_KEY], f"{key}.{FEED_KEY}"), f"{key}.{FEED_KEY}")
