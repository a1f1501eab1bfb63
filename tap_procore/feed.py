"""The change feed: Procore's webhook deliveries read as a log of what changed.

With `change_feed` on, a run asks each company's webhooks API, before it reads anything else,
for the company-level hook in `change_feed_namespace`, its triggers and the webhook resources
Procore offers; then, once the sweep's upper bound is fixed, for the hook's deliveries since the
oldest bookmark. A delivery exists whatever its status (a failed or discarded one still means a
record changed), so every status counts. The deliveries say which (project, stream) pairs changed;
a project-level (or company-level) partition of a stream the feed vouches for is read only if it
had events, with the usual `filters[updated_at]` window and overlap. Everything else is read as
without the feed.

The feed vouches for a stream in a company only when nothing can be lost by trusting it:

* the hook exists, is active, and has not been created or changed since the stream's bookmark
  (a disabled hook records nothing, and re-enabling it changes it);
* Procore lists each of the stream's webhook resources and fires create and update events for it
  (delete events for a recycle-bin stream), and the hook has those triggers, first seen by this
  tap no later than the bookmark (the API gives triggers no creation time);
* the deliveries listing reaches back to the bookmark: it holds a delivery older than the bookmark
  (less the overlap), or the delivery the last sweep kept as its anchor (Procore does not say how
  long it keeps deliveries; whatever it drops goes oldest first).

Otherwise the stream is probed as today, and the log says why, once per company and reason. Every
`change_feed_full_sweep_days` (and whenever `change_feed_full_sweep` is set) a run probes
everything: that reconciliation sweep catches what webhooks never report (a resource without
events, a change recorded after its delivery was listed, an edit Procore's webhooks miss).

Delete events become records on the stream's own table: the key and `_sdc_deleted_at`.

The feed's state is a few keys per company under the sweep's holder entry (see sweep.py): the
first time each trigger was seen, the anchor delivery, and when the last full sweep ended. It does
not grow with projects.
"""

from __future__ import annotations

import hashlib
import logging
import typing as t
from collections import defaultdict
from dataclasses import dataclass, field

import pendulum
from pendulum import DateTime

from tap_procore import dates
from tap_procore.config import DEFAULT_FEED_NAMESPACE, DEFAULT_FULL_SWEEP_DAYS
from tap_procore.errors import ProcoreError, ScopeUnavailable
from tap_procore.sweep import FEED_KEY, Scope
from tap_procore.webhook_resources import (
    BY_NAME,
    CREATE,
    DELETE,
    UPDATE,
    WebhookResource,
    events_from_actions,
)

logger = logging.getLogger("tap-procore")

DEFAULT_NAMESPACE = DEFAULT_FEED_NAMESPACE
#: Payload version of hooks created by `tap-procore-webhooks setup` (the event fields the feed
#: reads: resource_name, event_type, resource_id, project_id, timestamp).
PAYLOAD_VERSION = "v2.0"
PAGE_SIZE = 100
#: Deliveries are filtered by day; Procore does not say in which time zone, so one more day.
DAY_MARGIN = pendulum.duration(days=1)
#: How late a delivery may appear in the listing after the event it records and still make its
#: partition be read. Procore retries a failing destination for up to 12 hours before it
#: discards what is queued (its webhooks documentation); twice that is the bound. A delivery later
#: still is caught by the next reconciliation sweep.
LATE_DELIVERY_LOOKBACK = pendulum.duration(hours=24)

HOOKS = "/rest/v2.0/companies/{company_id}/webhooks/hooks"
HOOK = "/rest/v2.0/companies/{company_id}/webhooks/hooks/{hook_id}"
TRIGGERS = "/rest/v2.0/companies/{company_id}/webhooks/hooks/{hook_id}/triggers"
TRIGGERS_BULK = "/rest/v2.0/companies/{company_id}/webhooks/hooks/{hook_id}/triggers/bulk"
RESOURCES = "/rest/v2.0/companies/{company_id}/webhooks/resources"
DELIVERIES = "/rest/v2.0/companies/{company_id}/webhooks/hooks/{hook_id}/deliveries"


class WebhooksApi(t.Protocol):
    """How the feed talks to Procore (the tap's paced, retried transport)."""

    def list(self, company_id: int, path: str, params: dict[str, t.Any]) -> list[dict[str, t.Any]]:
        """Every item of a v2 listing (all pages); raises ScopeUnavailable on 403/404."""

    def write(self, company_id: int, method: str, path: str, body: t.Any) -> t.Any:
        """One write; returns the decoded answer."""

    def now(self) -> DateTime:
        """Procore's clock."""


@dataclass(frozen=True)
class StreamInfo:
    """What the feed needs to know of a stream taking part in the run."""

    name: str
    #: The stream it is read through: itself for a stream directly under a company or project,
    #: else its topmost ancestor below companies/projects (children follow their parent).
    root: str
    #: A recycle bin (`deleted_*`): a record gets into it by a delete.
    recycle_bin: bool = False
    #: Its rows are keyed by scope and `id`: a delete event can name the row.
    takes_tombstones: bool = False
    selected: bool = True


@dataclass
class Event:
    key: str
    company_id: int
    project_id: int | None
    resource: str
    event_type: str
    resource_id: t.Any
    timestamp: DateTime


@dataclass
class CompanyFeed:
    """One company's hook, triggers, resources and deliveries, as read in this run."""

    company_id: int
    hook: dict[str, t.Any] | None = None
    #: Why nothing in this company can be vouched for (no hook, disabled, refused).
    problem: str | None = None
    active_since: DateTime | None = None
    #: (resource, event type) -> trigger id
    triggers: dict[tuple[str, str], str] = field(default_factory=dict)
    #: trigger id -> when this tap first saw it
    first_seen: dict[str, DateTime] = field(default_factory=dict)
    #: resource name -> events Procore offers (None: the listing could not be read)
    offered: dict[str, frozenset[str]] | None = None
    oldest_delivery: DateTime | None = None
    anchor_listed: bool = False
    deliveries_read: bool = False
    events: dict[str, Event] = field(default_factory=dict)
    #: (root stream, project id or None) -> newest event time
    changed: dict[tuple[str, int | None], DateTime] = field(default_factory=dict)
    #: (root stream, project id or None) -> earliest time of a delivery listed for the first
    #: time although its event is older than what the last run read (a late delivery)
    late: dict[tuple[str, int | None], DateTime] = field(default_factory=dict)
    #: stream -> project id or None -> resource id -> time of the delete
    deletes: dict[str, dict[int | None, dict[t.Any, DateTime]]] = field(default_factory=dict)


def _stamp(value: DateTime) -> str:
    return dates.format_timestamp(value)


def _timestamp(value: t.Any) -> DateTime | None:
    try:
        return dates.parse_timestamp(value)
    except dates.DateError:
        return None


def _int_or_none(value: t.Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


class ChangeFeed:
    """The feed of one run (or of one `tap-procore-webhooks` command)."""

    def __init__(
        self,
        api: WebhooksApi,
        *,
        company_ids: t.Sequence[int],
        streams: t.Sequence[StreamInfo],
        namespace: str = DEFAULT_NAMESPACE,
        holder: dict[str, t.Any] | None = None,
        overlap: pendulum.Duration | None = None,
        full_sweep_days: int = DEFAULT_FULL_SWEEP_DAYS,
        full_sweep_requested: bool = False,
    ) -> None:
        self.api = api
        self.company_ids = list(company_ids)
        self.streams = {info.name: info for info in streams}
        self.namespace = namespace
        self._holder = holder if holder is not None else {}
        self.overlap = overlap or pendulum.duration()
        self.full_sweep_days = full_sweep_days
        self.full_sweep_requested = full_sweep_requested
        self.companies: dict[int, CompanyFeed] = {}
        self.full_sweep = False
        #: company -> root stream -> the reason it is probed (absent: vouched)
        self.probed: dict[int, dict[str, str]] = {}
        self._warned_unknown: set[str] = set()
        #: Partitions of vouched streams read (False) and skipped (True) in this run.
        self.partitions: dict[bool, int] = {False: 0, True: 0}

    # --- state ---------------------------------------------------------------------------------

    @property
    def state(self) -> dict[str, t.Any]:
        return t.cast("dict[str, t.Any]", self._holder.setdefault(FEED_KEY, {}))

    def _company_state(self, company_id: int) -> dict[str, t.Any]:
        companies = self.state.setdefault("companies", {})
        return t.cast("dict[str, t.Any]", companies.setdefault(str(company_id), {}))

    # --- which streams -------------------------------------------------------------------------

    @property
    def roots(self) -> list[str]:
        return sorted({info.root for info in self.streams.values()})

    def resources_of(self, stream: str) -> list[WebhookResource]:
        return [resource for resource in BY_NAME.values() if stream in resource.streams]

    def subtree(self, root: str) -> list[str]:
        """The selected streams read through `root` (itself, when selected, and below it):
        the feed vouches for a root only when every one of them fires events."""
        return sorted(
            info.name for info in self.streams.values() if info.root == root and info.selected
        )

    def subtree_resources(self, root: str) -> list[WebhookResource]:
        names = set(self.subtree(root))
        return [resource for resource in BY_NAME.values() if names.intersection(resource.streams)]

    # --- step 1: hooks, triggers, resources (before the sweep's upper bound is fixed) --------

    def read_hooks(self) -> None:
        for company_id in self.company_ids:
            self.companies[company_id] = self._read_company(company_id)

    def _read_company(self, company_id: int) -> CompanyFeed:
        feed = CompanyFeed(company_id)
        try:
            feed.hook = self.find_hook(company_id)
            if feed.hook is None:
                feed.problem = (
                    f"the company has no hook in namespace '{self.namespace}' (create it with "
                    "tap-procore-webhooks setup)"
                )
                return feed
            status = str(feed.hook.get("status") or "").lower()
            if status != "active":
                feed.problem = f"hook {feed.hook.get('id')} is {status or 'not active'}"
                return feed
            changes = [
                stamp
                for stamp in (
                    _timestamp(feed.hook.get("created_at")),
                    _timestamp(feed.hook.get("updated_at")),
                )
                if stamp is not None
            ]
            if not changes:
                feed.problem = f"hook {feed.hook.get('id')} gives no creation time"
                return feed
            feed.active_since = max(changes)
            hook_id = str(feed.hook["id"])
            for trigger in self.api.list(
                company_id, TRIGGERS.format(company_id=company_id, hook_id=hook_id), {}
            ):
                name, event = trigger.get("resource_name"), trigger.get("event_type")
                if isinstance(name, str) and isinstance(event, str) and trigger.get("id"):
                    feed.triggers[(name, event.lower())] = str(trigger["id"])
            self._note_triggers(feed)
            feed.offered = self.read_resources(company_id, feed.hook)
        except ScopeUnavailable as exc:
            feed.problem = (
                f"the webhooks API refused ({exc}); the app needs the Webhooks API permission"
            )
        except ProcoreError as exc:
            # The feed only saves requests: when it cannot be read, the run probes instead.
            feed.problem = f"the webhooks API could not be read ({exc})"
        return feed

    def find_hook(self, company_id: int) -> dict[str, t.Any] | None:
        hooks = self.api.list(
            company_id, HOOKS.format(company_id=company_id), {"namespace": self.namespace}
        )
        candidates = [
            hook
            for hook in hooks
            if hook.get("namespace", self.namespace) == self.namespace
            and not hook.get("project_id")
            and hook.get("id") is not None
        ]
        # Several hooks in one namespace: the active one, then the oldest.
        candidates.sort(
            key=lambda hook: (
                str(hook.get("status")).lower() != "active",
                str(hook.get("created_at") or ""),
            )
        )
        return candidates[0] if candidates else None

    def read_resources(
        self, company_id: int, hook: dict[str, t.Any] | None
    ) -> dict[str, frozenset[str]]:
        version = str((hook or {}).get("payload_version") or PAYLOAD_VERSION)
        offered: dict[str, frozenset[str]] = {}
        for item in self.api.list(
            company_id, RESOURCES.format(company_id=company_id), {"payload_version": version}
        ):
            name = item.get("name")
            if not isinstance(name, str):
                continue
            events = events_from_actions(item.get("actions"))
            known = BY_NAME.get(name)
            if events is None:
                events = known.events if known else frozenset()
            offered[name] = events
        unknown = sorted(set(offered) - set(BY_NAME) - self._warned_unknown)
        if unknown:
            self._warned_unknown.update(unknown)
            logger.warning(
                "Change feed: Procore offers webhook resources this tap does not map to streams "
                "(their events are ignored): %s",
                ", ".join(unknown),
            )
        return offered

    def _note_triggers(self, feed: CompanyFeed) -> None:
        """Remember when each trigger was first seen (the API gives triggers no creation time)."""
        saved = self._company_state(feed.company_id)
        known: dict[str, DateTime] = {}
        for since, ids in (saved.get("triggers") or {}).items():
            stamp = _timestamp(since)
            if stamp is not None:
                for trigger_id in ids:
                    known[str(trigger_id)] = stamp
        now = self.api.now()
        current = set(feed.triggers.values())
        feed.first_seen = {trigger_id: known.get(trigger_id, now) for trigger_id in current}
        grouped: dict[str, list[str]] = defaultdict(list)
        for trigger_id, stamp in feed.first_seen.items():
            grouped[_stamp(stamp)].append(trigger_id)
        saved["triggers"] = {since: sorted(ids) for since, ids in sorted(grouped.items())}

    # --- step 2: deliveries and decisions (after the upper bound is fixed) -------------------

    def plan(self, *, upper: DateTime, bookmarks: t.Mapping[str, DateTime | None]) -> None:
        """Read deliveries and decide, per company, which root streams the feed vouches for.

        `bookmarks`: each stream's bookmark (None: not synced yet)."""
        last_full = _timestamp(self.state.get("full_sweep"))
        due = last_full is None or upper - last_full >= pendulum.duration(days=self.full_sweep_days)
        self.full_sweep = self.full_sweep_requested or due
        if self.full_sweep:
            why = (
                "requested (change_feed_full_sweep)"
                if self.full_sweep_requested
                else "no full sweep yet"
                if last_full is None
                else f"the last one ended {_stamp(last_full)}, "
                f"{self.full_sweep_days} days or more ago"
            )
            logger.info(
                "Change feed: this run is a full reconciliation sweep (%s): every stream is probed",
                why,
            )
        for company_id, feed in self.companies.items():
            if feed.problem is None:
                try:
                    self._read_deliveries(feed, bookmarks)
                except ScopeUnavailable as exc:
                    feed.problem = (
                        f"the deliveries listing was refused ({exc}); the app needs the Webhooks "
                        "API permission"
                    )
                except ProcoreError as exc:
                    feed.problem = f"the deliveries listing could not be read ({exc})"
            reasons = {
                root: self._why_probed(feed, root, bookmarks.get(root)) for root in self.roots
            }
            self.probed[company_id] = {
                root: reason for root, reason in reasons.items() if reason is not None
            }
            if not self.full_sweep:
                self._log_fallbacks(company_id, self.probed[company_id])

    def _listing_start(
        self, feed: CompanyFeed, bookmarks: t.Mapping[str, DateTime | None]
    ) -> DateTime | None:
        known = [bookmark for bookmark in bookmarks.values() if bookmark is not None]
        anchor = self._anchor(feed.company_id)
        if anchor is not None:
            known.append(anchor[1])
        if not known:
            return None
        # Further back than the bookmarks by the late-delivery look-back: a delivery recorded
        # late carries its event's time, which may be before them.
        return min(known) - self.overlap - LATE_DELIVERY_LOOKBACK

    def _anchor(self, company_id: int) -> tuple[str, DateTime] | None:
        saved = self._company_state(company_id).get("anchor")
        if isinstance(saved, list) and len(saved) == 2:
            stamp = _timestamp(saved[1])
            if stamp is not None:
                return str(saved[0]), stamp
        return None

    def _read_deliveries(
        self, feed: CompanyFeed, bookmarks: t.Mapping[str, DateTime | None]
    ) -> None:
        assert feed.hook is not None
        start = self._listing_start(feed, bookmarks)
        params: dict[str, t.Any] = {"per_page": PAGE_SIZE}
        if start is not None:
            params["filter[start]"] = (start - DAY_MARGIN).date().isoformat()
        path = DELIVERIES.format(company_id=feed.company_id, hook_id=feed.hook["id"])
        anchor = self._anchor(feed.company_id)
        last_event: dict[tuple[str, str], Event] = {}
        for delivery in self.api.list(feed.company_id, path, params):
            event = self._event(feed.company_id, delivery)
            if event is None:
                continue
            if event.resource not in BY_NAME:
                # Perhaps a resource Procore renamed: its events would be lost on our streams.
                feed.problem = (
                    f"a delivery names the webhook resource '{event.resource}', which this tap "
                    "does not map to streams"
                )
            if anchor is not None and event.key == anchor[0]:
                feed.anchor_listed = True
            if feed.oldest_delivery is None or event.timestamp < feed.oldest_delivery:
                feed.oldest_delivery = event.timestamp
            feed.events.setdefault(event.key, event)
        feed.deliveries_read = True
        late = self._late_hours(feed)
        for event in sorted(feed.events.values(), key=lambda e: e.timestamp):
            self._note_change(feed, event, late=_hour(event.timestamp) in late)
            last_event[(event.resource, str(event.resource_id))] = event
        for event in last_event.values():
            if event.event_type == DELETE:
                self._note_delete(feed, event)

    def _event(self, company_id: int, delivery: dict[str, t.Any]) -> Event | None:
        payload = delivery.get("payload")
        if not isinstance(payload, dict):
            return None
        resource = payload.get("resource_name")
        event_type = str(payload.get("event_type") or "").lower()
        if not isinstance(resource, str):
            return None
        # A delivery without a readable time still says something changed: count it as new.
        stamp = _timestamp(payload.get("timestamp")) or self.api.now()
        key = payload.get("ulid") or payload.get("id") or delivery.get("id")
        return Event(
            key=str(key if key is not None else id(delivery)),
            company_id=company_id,
            project_id=_int_or_none(payload.get("project_id")),
            resource=resource,
            event_type=event_type,
            resource_id=payload.get("resource_id"),
            timestamp=stamp,
        )

    def _late_hours(self, feed: CompanyFeed) -> set[str]:
        """Hours (of event time) whose deliveries differ from what the last run listed: some
        were recorded after it. Each hour is kept as a digest of its delivery keys, for the
        look-back only, so that the state stays a few hundred bytes per company."""
        saved = self._company_state(feed.company_id).get("seen") or {}
        seen_from = _timestamp(saved.get("from"))
        hours = saved.get("hours") or {}
        current = _hour_digests(feed.events.values())
        return {
            hour
            for hour, digest in current.items()
            if seen_from is None or (hours.get(hour) != digest and hour >= _hour(seen_from))
        }

    def _note_change(self, feed: CompanyFeed, event: Event, *, late: bool) -> None:
        resource = BY_NAME.get(event.resource)
        if resource is None:
            return
        roots = {self.streams[stream].root for stream in resource.streams if stream in self.streams}
        for root in roots:
            key = (root, event.project_id)
            if key not in feed.changed or feed.changed[key] < event.timestamp:
                feed.changed[key] = event.timestamp
            if late and (key not in feed.late or event.timestamp < feed.late[key]):
                feed.late[key] = event.timestamp

    def _note_delete(self, feed: CompanyFeed, event: Event) -> None:
        resource = BY_NAME.get(event.resource)
        if resource is None or event.resource_id is None:
            return
        for stream in resource.streams:
            info = self.streams.get(stream)
            if info is None or not info.takes_tombstones or not info.selected:
                continue
            by_project = feed.deletes.setdefault(stream, {})
            by_project.setdefault(event.project_id, {})[event.resource_id] = event.timestamp

    # --- decisions -----------------------------------------------------------------------------

    def structural_reason(self, feed: CompanyFeed, root: str) -> str | None:
        """Why the feed cannot vouch for `root` in this company whatever the bookmarks."""
        if feed.problem is not None:
            return feed.problem
        for name in self.subtree(root):
            if not self.resources_of(name):
                return (
                    "no webhook resource covers it"
                    if name == root
                    else f"no webhook resource covers {name}, read below it"
                )
        resources = self.subtree_resources(root)
        if not resources:
            return "no webhook resource covers it"
        for resource in resources:
            offered = (feed.offered or {}).get(resource.name)
            if feed.offered is not None and offered is None:
                return f"Procore does not list the webhook resource '{resource.name}'"
            events = offered if offered is not None else resource.events
            for event in self._needed_events(root):
                if event not in events:
                    return f"Procore fires no {event} events for '{resource.name}'"
                if (resource.name, event) not in feed.triggers:
                    return f"the hook has no {event} trigger for '{resource.name}'"
        return None

    def _needed_events(self, root: str) -> tuple[str, ...]:
        info = self.streams.get(root)
        return (DELETE,) if info is not None and info.recycle_bin else (CREATE, UPDATE)

    def _why_probed(self, feed: CompanyFeed, root: str, bookmark: DateTime | None) -> str | None:
        """Why the feed cannot vouch for `root` in this company this run (None: it can)."""
        if self.full_sweep:
            return "full reconciliation sweep"
        reason = self.structural_reason(feed, root)
        if reason is not None:
            return reason
        if bookmark is None:
            return "no bookmark yet (first sync of the stream)"
        assert feed.active_since is not None
        if feed.active_since > bookmark:
            return (
                f"hook {feed.hook and feed.hook.get('id')} was created or changed at "
                f"{_stamp(feed.active_since)}, after the stream's bookmark {_stamp(bookmark)}"
            )
        for resource in self.subtree_resources(root):
            for event in self._needed_events(root):
                seen = feed.first_seen.get(feed.triggers[(resource.name, event)])
                if seen is not None and seen > bookmark:
                    return (
                        f"the {event} trigger for '{resource.name}' was first seen at "
                        f"{_stamp(seen)}, after the stream's bookmark {_stamp(bookmark)}"
                    )
        if not self._reaches_back(feed, bookmark):
            oldest = feed.oldest_delivery
            return (
                "the deliveries listing does not reach back to the stream's bookmark "
                f"{_stamp(bookmark)} (oldest delivery listed: "
                f"{_stamp(oldest) if oldest else 'none'}; Procore keeps deliveries for a "
                "limited time)"
            )
        return None

    def _reaches_back(self, feed: CompanyFeed, bookmark: DateTime) -> bool:
        needed = bookmark - self.overlap
        if feed.oldest_delivery is not None and feed.oldest_delivery <= needed:
            return True
        # The anchor is the first delivery the last sweep saw at or after its own upper bound
        # (less the overlap): still listed, nothing after it was dropped, and the last sweep saw
        # none between that bound and the anchor.
        anchored_at = _timestamp(self.state.get("anchored_at"))
        return feed.anchor_listed and anchored_at is not None and anchored_at <= bookmark

    def _log_fallbacks(self, company_id: int, probed: dict[str, str]) -> None:
        by_reason: dict[str, list[str]] = defaultdict(list)
        for root, reason in probed.items():
            by_reason[reason].append(root)
        for reason, roots in sorted(by_reason.items()):
            logger.info(
                "Change feed, company %s: probing %s: %s",
                company_id,
                ", ".join(sorted(roots)),
                reason,
            )

    # --- during the run ------------------------------------------------------------------------

    def vouches_for(self, stream: str, company_id: int) -> bool:
        probed = self.probed.get(company_id)
        return probed is not None and stream in self.roots and stream not in probed

    def skips(self, stream: str, scope: Scope, covered: t.Sequence[DateTime | None]) -> bool:
        """Whether a root stream's partition can be left unread: the feed vouches for the stream
        in this company, the partition was read before (`covered`: up to when each stream it
        feeds holds every record of the scope), and it had no events since."""
        if not self.vouches_for(stream, scope.company_id):
            return False
        if not covered or any(value is None for value in covered):
            return False
        since = min(t.cast("list[DateTime]", covered)) - self.overlap
        skipped = not self.had_events(stream, scope, since)
        self.partitions[skipped] += 1
        return skipped

    def had_events(self, stream: str, scope: Scope, since: DateTime) -> bool:
        """Whether `stream` (a root) had events in `scope` at or after `since`."""
        feed = self.companies.get(scope.company_id)
        if feed is None:
            return True
        for (root, project_id), newest in feed.changed.items():
            if root != stream or (newest < since and (root, project_id) not in feed.late):
                continue
            if scope.project_id is None or project_id in (None, scope.project_id):
                return True
        return False

    def reread_from(self, stream: str, scope: Scope) -> DateTime | None:
        """From when the feed needs `stream`'s partition read, when that is earlier than its
        bookmark: a late delivery's event time; in a reconciliation sweep, the bound of the
        previous one, for every stream the feed vouched for since (what it may have missed)."""
        info = self.streams.get(stream)
        if info is None:
            return None
        found: list[DateTime] = []
        last_full = _timestamp(self.state.get("full_sweep"))
        if self.full_sweep and last_full is not None and info.root in self._vouched_before():
            found.append(last_full - self.overlap)
        feed = self.companies.get(scope.company_id)
        if feed is not None:
            for (root, project_id), earliest in feed.late.items():
                if root == info.root and project_id in (None, scope.project_id):
                    found.append(earliest - self.overlap)
        return min(found, default=None)

    def _vouched_before(self) -> set[str]:
        return set(self.state.get("vouched") or [])

    def deletes(
        self, stream: str, scope: Scope, since: DateTime | None
    ) -> list[tuple[t.Any, DateTime]]:
        """(resource id, time) of the records of `stream` deleted in `scope` since `since`."""
        feed = self.companies.get(scope.company_id)
        if feed is None:
            return []
        found = []
        for project_id, deleted in feed.deletes.get(stream, {}).items():
            if scope.project_id is not None and project_id != scope.project_id:
                continue
            if scope.project_id is None and project_id is not None:
                continue
            for resource_id, stamp in deleted.items():
                if since is None or stamp >= since:
                    found.append((resource_id, stamp))
        return sorted(found, key=lambda item: (item[1], str(item[0])))

    # --- at the end of a sweep -----------------------------------------------------------------

    def summary(self) -> str:
        read, skipped = self.partitions[False], self.partitions[True]
        if self.full_sweep:
            return "Change feed: full reconciliation sweep, every partition probed"
        return (
            f"Change feed: {skipped} partitions of streams it covers had no events and were not "
            f"read; {read} were read"
        )

    def complete(self, upper: DateTime) -> None:
        """The sweep reached its end: keep the anchor deliveries and the last full sweep."""
        if self.full_sweep:
            self.state["full_sweep"] = _stamp(upper)
            self.state.pop("vouched", None)
        else:
            vouched = self._vouched_before() | {
                root for probed in self.probed.values() for root in self.roots if root not in probed
            }
            if vouched:
                self.state["vouched"] = sorted(vouched)
        bound = upper - self.overlap
        for company_id, feed in self.companies.items():
            saved = self._company_state(company_id)
            if not feed.deliveries_read:
                saved.pop("anchor", None)
                saved.pop("seen", None)
                continue
            seen_from = bound - LATE_DELIVERY_LOOKBACK
            saved["seen"] = {
                "from": _stamp(seen_from),
                "hours": {
                    hour: digest
                    for hour, digest in sorted(_hour_digests(feed.events.values()).items())
                    if hour >= _hour(seen_from)
                },
            }
            after = [e for e in feed.events.values() if e.timestamp >= bound]
            before = [e for e in feed.events.values() if e.timestamp < bound]
            anchor = None
            if after:
                anchor = min(after, key=lambda e: (e.timestamp, e.key))
            elif before:
                anchor = max(before, key=lambda e: (e.timestamp, e.key))
            if anchor is None:
                saved.pop("anchor", None)
            else:
                saved["anchor"] = [anchor.key, _stamp(anchor.timestamp)]
        self.state["anchored_at"] = _stamp(upper)


def _hour(stamp: DateTime) -> str:
    return stamp.in_timezone("UTC").strftime("%Y-%m-%dT%H")


def _hour_digests(events: t.Iterable[Event]) -> dict[str, str]:
    """hour of event time -> a short digest of the keys of the deliveries of that hour."""
    keys: dict[str, list[str]] = defaultdict(list)
    for event in events:
        keys[_hour(event.timestamp)].append(event.key)
    return {
        hour: hashlib.blake2b("\n".join(sorted(names)).encode(), digest_size=6).hexdigest()
        for hour, names in keys.items()
    }


class FeedError(ProcoreError):
    """A webhooks command that cannot do what was asked."""
