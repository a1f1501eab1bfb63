"""`tap-procore-webhooks`: set up and inspect the hooks the change feed reads.

    tap-procore-webhooks --config config.json [--catalog catalog.json] setup \\
        --destination-url https://example.com/procore [--dry-run]
    tap-procore-webhooks --config config.json [--catalog catalog.json] status
    meltano invoke tap-procore:webhooks status       # the `webhooks` command of meltano.yml

`setup` creates or completes, per company, the company-level hook in `change_feed_namespace` and
a trigger for every event (create, update, delete where Procore offers it) of every webhook
resource that maps to a selected stream; it never removes anything, so running it again changes
nothing. The destination only has to accept Procore's POSTs: the feed reads the deliveries
through the API, whatever their status. `status` shows per company the hook, which selected
streams the feed covers and which are probed every run and why, and how far back deliveries reach.
Both need the app's Webhooks API permission.

The feed's connection to the tap is tap_procore/webhooks_api.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import typing as t
from collections import defaultdict

import pendulum

from tap_procore.command_line import add_tap_options, check_tap_files, tap_from_args
from tap_procore.errors import ProcoreError, ScopeUnavailable
from tap_procore.feed import (
    DELIVERIES,
    HOOK,
    HOOKS,
    PAYLOAD_VERSION,
    TRIGGERS,
    TRIGGERS_BULK,
    ChangeFeed,
    FeedError,
)
from tap_procore.redaction import SecretRedactor, printable_url
from tap_procore.webhook_resources import EVENT_TYPES
from tap_procore.webhooks_api import TapWebhooksApi, build_feed

if t.TYPE_CHECKING:
    pass

#: Triggers sent per bulk request.
BULK_SIZE = 50
#: How far back `status` looks for the oldest delivery.
STATUS_HORIZON_DAYS = 400


# --- setup ------------------------------------------------------------------------------------


def wanted_triggers(feed: ChangeFeed, offered: dict[str, frozenset[str]]) -> set[tuple[str, str]]:
    """(resource, event) of every event Procore offers for a resource of a selected stream."""
    wanted: set[tuple[str, str]] = set()
    for info in feed.streams.values():
        for resource in feed.resources_of(info.name):
            events = offered.get(resource.name)
            if events is None:
                continue  # Procore does not list it here: a trigger would be refused
            wanted.update((resource.name, event) for event in events if event in EVENT_TYPES)
    return wanted


def setup(feed: ChangeFeed, destination_url: str, *, dry_run: bool, out: t.TextIO) -> int:
    """Per company: the hook made to exist, active, pointing at `destination_url`, with a
    trigger for every event the selected streams need."""
    for company_id in feed.company_ids:
        hook = feed.find_hook(company_id)
        offered = feed.read_resources(company_id, hook)
        wanted = wanted_triggers(feed, offered)
        if hook is None:
            hook_id = _create_hook(feed, company_id, destination_url, dry_run=dry_run, out=out)
            existing: set[tuple[str, str]] = set()
        else:
            hook_id = _complete_hook(feed, company_id, hook, destination_url, dry_run, out)
            existing = set(_triggers(feed, company_id, hook_id))
        missing = sorted(wanted - existing)
        print(
            f"company {company_id}: {len(wanted & existing)} of {len(wanted)} triggers exist; "
            f"{'would' if dry_run else 'will'} create {len(missing)}",
            file=out,
        )
        for name, event in missing:
            print(f"  + {name}: {event}", file=out)
        if not dry_run and missing:
            assert hook_id is not None
            _create_triggers(feed, company_id, hook_id, missing, out)
    return 0


def _create_hook(
    feed: ChangeFeed, company_id: int, destination_url: str, *, dry_run: bool, out: t.TextIO
) -> str | None:
    print(
        f"company {company_id}: {'would create' if dry_run else 'creating'} a company-level"
        f" hook in namespace '{feed.namespace}' -> {printable_url(destination_url)}",
        file=out,
    )
    if dry_run:
        return None
    body = {
        "namespace": feed.namespace,
        "destination_url": destination_url,
        "payload_version": PAYLOAD_VERSION,
    }
    created = feed.api.write(company_id, "POST", HOOKS.format(company_id=company_id), body)
    return str(_data(created)["id"])


def _complete_hook(
    feed: ChangeFeed,
    company_id: int,
    hook: dict[str, t.Any],
    destination_url: str,
    dry_run: bool,
    out: t.TextIO,
) -> str:
    """An existing hook re-enabled and pointed at the destination, if it needs to be."""
    hook_id = str(hook["id"])
    changes: dict[str, str] = {}
    if str(hook.get("status") or "").lower() != "active":
        changes["status"] = "active"
    if hook.get("destination_url") != destination_url:
        changes["destination_url"] = destination_url
    described = ", ".join(f"{k} -> {v}" for k, v in changes.items()) or "nothing to change"
    print(f"company {company_id}: hook {hook_id} found; {described}", file=out)
    if changes and not dry_run:
        path = HOOK.format(company_id=company_id, hook_id=hook_id)
        feed.api.write(company_id, "PATCH", path, changes)
    return hook_id


def _create_triggers(
    feed: ChangeFeed,
    company_id: int,
    hook_id: str,
    missing: list[tuple[str, str]],
    out: t.TextIO,
) -> None:
    path = TRIGGERS_BULK.format(company_id=company_id, hook_id=hook_id)
    for start in range(0, len(missing), BULK_SIZE):
        chunk = missing[start : start + BULK_SIZE]
        body = [{"resource_name": name, "event_type": event} for name, event in chunk]
        answer = feed.api.write(company_id, "POST", path, body)
        for error in (answer or {}).get("errors") or []:
            print(f"  ! not created: {json.dumps(error)[:300]}", file=out)


def _data(answer: t.Any) -> dict[str, t.Any]:
    body = answer.get("data", answer) if isinstance(answer, dict) else answer
    if not isinstance(body, dict) or body.get("id") is None:
        raise FeedError(f"Procore's answer has no hook id: {str(answer)[:200]}")
    return body


def _triggers(feed: ChangeFeed, company_id: int, hook_id: str) -> t.Iterator[tuple[str, str]]:
    for trigger in feed.api.list(
        company_id, TRIGGERS.format(company_id=company_id, hook_id=hook_id), {}
    ):
        name, event = trigger.get("resource_name"), trigger.get("event_type")
        if isinstance(name, str) and isinstance(event, str):
            yield name, event.lower()


# --- status -----------------------------------------------------------------------------------


def oldest_delivery_day(feed: ChangeFeed, company_id: int, hook_id: str) -> str | None:
    """The first day with a delivery, found by asking for counts (`Total`) up to a day: the
    listing's order is not documented, and the whole listing can be long."""
    path = DELIVERIES.format(company_id=company_id, hook_id=hook_id)
    today = feed.api.now().date()

    api = t.cast("TapWebhooksApi", feed.api)

    def any_until(day: pendulum.Date) -> bool:
        return api.count(company_id, path, {"filter[end]": day.isoformat()}) > 0

    if not any_until(today + pendulum.duration(days=1)):
        return None
    low, high = today - pendulum.duration(days=STATUS_HORIZON_DAYS), today
    if any_until(low):
        return f"before {low.isoformat()}"
    while (high - low).days > 1:
        middle = low + pendulum.duration(days=(high - low).days // 2)
        if any_until(middle):
            high = middle
        else:
            low = middle
    return high.isoformat()


def status(feed: ChangeFeed, *, out: t.TextIO) -> int:
    feed.read_hooks()
    selected_roots = sorted({i.root for i in feed.streams.values()})
    for company_id, company in feed.companies.items():
        hook = company.hook
        if hook is None:
            print(f"company {company_id}: {company.problem}", file=out)
        else:
            print(
                f"company {company_id}: hook {hook.get('id')} in namespace '{feed.namespace}', "
                f"{hook.get('status')}, since {hook.get('updated_at') or hook.get('created_at')}, "
                f"{len(company.triggers)} triggers, "
                f"destination {printable_url(str(hook.get('destination_url')))}",
                file=out,
            )
            if company.problem is None:
                day = oldest_delivery_day(feed, company_id, str(hook["id"]))
                print(
                    f"  deliveries reach back to {day}" if day else "  no deliveries yet",
                    file=out,
                )
        if company.problem is not None:
            print(f"  every selected stream ({len(selected_roots)}) is probed", file=out)
            continue
        covered, probed = [], defaultdict(list)
        for root in selected_roots:
            reason = feed.structural_reason(company, root)
            if reason is None:
                covered.append(root)
            else:
                probed[reason].append(root)
        print(f"  covered by the feed ({len(covered)}): {', '.join(covered) or 'none'}", file=out)
        for reason, roots in sorted(probed.items()):
            print(f"  probed every run, {reason} ({len(roots)}): {', '.join(roots)}", file=out)
    return 0


# --- command line -----------------------------------------------------------------------------


def main(argv: list[str] | None = None, out: t.TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(
        prog="tap-procore-webhooks", description=__doc__.splitlines()[0]
    )
    add_tap_options(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    set_up = commands.add_parser("setup", help="create or complete the hook and its triggers")
    set_up.add_argument("--destination-url", required=True, help="where Procore POSTs events")
    set_up.add_argument("--dry-run", action="store_true", help="print what would be done")
    commands.add_parser("status", help="the hook, covered streams, fallbacks, deliveries")
    args = parser.parse_args(argv)
    check_tap_files(args)
    try:
        tap = tap_from_args(args)
        feed = build_feed(tap)
        if args.command == "setup":
            url = args.destination_url
            if not url.startswith("https://"):
                raise FeedError(
                    f"--destination-url must be an https:// URL, got {printable_url(url)!r}"
                )
            return setup(feed, url, dry_run=args.dry_run, out=out)
        return status(feed, out=out)
    except ScopeUnavailable as exc:
        print(
            f"tap-procore-webhooks stopped: the webhooks API refused ({exc}); the app needs the "
            "Webhooks API permission",
            file=sys.stderr,
        )
        return 1
    except ProcoreError as exc:
        print(
            f"tap-procore-webhooks stopped: {SecretRedactor.scrub_active(str(exc))}",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
