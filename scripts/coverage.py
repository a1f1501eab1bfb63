#!/usr/bin/env python3
"""How much of Procore's record-bearing list operations the tap reads; writes docs/coverage.md.

Counted, from the API description (../shared/procore-api: catalog.json and endpoint-details/,
classified as the double's route generator classifies them, scripts/generate_double_routes.py):

* GET operations that answer a list of records (objects, not bare ids or strings);
* at company or project level (company_id / project_id in the path or the query), or under a
  parent whose ids another counted list gives (``/hooks/{hook_id}/deliveries``);
* not helper lists, which answer choices for a form rather than records: filter options
  (``filter_options``, ``filters``), potential assignees and managers (``potential_*``, but
  potential change orders are records), bare ``/ids``, default distributions and pick lists
  (``*_options``, ``defaults``, ``default_types``);
* one per resource: versions of one list (``/rest/v1.0/x`` and ``/rest/v1.1/x``) count once, as
  the newest version, which is the one a stream should read.

An operation is read when a stream's path is that operation's path (the tap makes no other list
requests). Unread operations are listed in docs/coverage.md with the reason, from ``UNREAD``
below; one without a reason there is listed as "no stream yet".

Usage:  python scripts/coverage.py [--shared ../shared] [--check] [--list]
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tap_procore.streams import STREAM_TYPES  # noqa: E402

DOC = REPO / "docs" / "coverage.md"
TARGET_SHARE = 0.9
_VERSION = re.compile(r"^/rest/v(\d+)\.(\d+)")
_PARAM = re.compile(r"\{[^}]+\}")
# Path segments of helper lists (choices for a form, not records).
HELPER_SEGMENTS = frozenset(
    {
        "filter_options",
        "filters",
        "ids",
        "default_distribution",
        "default",
        "defaults",
        "default_types",
        "options",
    }
)
RECORD_LISTS_NAMED_POTENTIAL = frozenset({"potential_change_orders"})

_LOST = "the description lost the item shape, and no other operation of the resource has one"
_ASSIGNMENTS = (
    "assignments in windows of days (start_day and dayRange required) whose answer the "
    "description gives as one object (current_page, data, possible_pages), not a list of records"
)
_ASSIGNMENT_WINDOWS = (
    "assignments in windows of days (start_day and dayRange required), one listing per parent, "
    "whose rows the description left untyped; workforce people and projects are read"
)
#: Why an operation is left unread, by its version-free path (see `resource_of`).
UNREAD: dict[str, str] = {
    "/companies/{}/schedule/summary": (
        "an aggregate (counts of tasks and calendar items per project and day over a required "
        "date range), not records; the legacy schedule's tasks and calendar items are read"
    ),
    "/projects/{}/generic_tools/{}/generic_tool_items/available_read_users": (
        f"an access list (users who may read a tool's items); {_LOST}"
    ),
    "/projects/{}/generic_tools/{}/generic_tool_items/{}/users_with_permission": (
        f"an access list per item (one request per item); {_LOST}"
    ),
    "/companies/{}/payments/projects": f"Procore Pay project settings; {_LOST}",
    "/projects/{}/payments/requisitions/{}/subtiers": (
        "the same subtiers as commitment_payment_subtiers, asked per requisition and its commitment"
    ),
    "/companies/{}/workflow_permanent_logs": (
        "needs the id and type of one workflowed record per request (one request per record of "
        "every workflowed tool); workflow instances and activity histories are read"
    ),
    "/projects/{}/workflow_permanent_logs": (
        "needs the id and type of one workflowed record per request (one request per record of "
        "every workflowed tool); workflow instances and activity histories are read"
    ),
    "/projects/{}/recent_activity": f"a feed of the project home page; {_LOST}",
    "/task_items/assignees": f"a pick list (who task items can be assigned to); {_LOST}",
    "/task_items/assignees/current": f"a pick list (the current user's assignees); {_LOST}",
    "/companies/{}/equipment_register/{}/attachments": _LOST,
    "/companies/{}/equipment_register/{}/change_history": _LOST,
    "/companies/{}/equipment_register/{}/projects": _LOST,
    "/companies/{}/projects/{}/equipment_register/{}/attachments": _LOST,
    "/app_installations": "the description gives its records no id (only the app's manifest)",
    "/bim_model_revision_viewpoints": _LOST,
    "/bim_model_revisions/{}/properties": (
        f"every property of every object of a model revision (very long per revision); {_LOST}"
    ),
    "/companies/{}/bid_packages/{}/correspondences": _LOST,
    "/projects/{}/bid_packages/{}/correspondences": _LOST,
    "/companies/{}/projects/{}/domains/contexts": f"document markup domains; {_LOST}",
    "/companies/{}/projects/{}/domains/groups": f"document markup domains; {_LOST}",
    "/companies/{}/projects/{}/domains/layers": f"document markup domains; {_LOST}",
    "/companies/{}/timesheets": (
        "a weekly summary per employee of the timecard entries company_timecard_entries and "
        "timecard_entries read; its rows have no key of their own"
    ),
    "/coordination_issues/status_count": "an aggregate (issue counts per status), not records",
    "/projects/{}/daily_logs/count": "an aggregate (log counts per type), not records",
    "/projects/{}/rfis/{}/advanced_exports": (
        "the export formats offered for each RFI (one request per RFI), not records"
    ),
    "/submittal_associated_attachments": _LOST,
    "/companies/{}/projects/{}/punch_list/assignee_companies": f"a pick list; {_LOST}",
    "/workforce-planning/v2/companies/{}/assignments": _ASSIGNMENTS,
    "/workforce-planning/v2/companies/{}/assignments/current": (
        "the answer the description gives is one object (current_page, data, possible_pages), "
        "not a list of records"
    ),
    "/workforce-planning/v2/companies/{}/groups/{}/assignments": _ASSIGNMENTS,
    "/workforce-planning/v2/companies/{}/people/{}/assignments": _ASSIGNMENT_WINDOWS,
    "/workforce-planning/v2/companies/{}/projects/{}/assignments": _ASSIGNMENT_WINDOWS,
    "/workforce-planning/v2/companies/{}/groups/{}/reports/look-ahead": (
        "a report (availability per person over a look-ahead window), not records"
    ),
    "/workforce-planning/v2/companies/{}/groups/{}/reports/tag-action": (
        "a report (tags needing action per person), not records"
    ),
    "/workforce-planning/v2/companies/{}/people/{}/reports/assignment-history": (
        "a report (one person's assignment history, one request per person), not records"
    ),
    "/workforce-planning/v2/companies/{}/projects/{}/reports/assignment-history": (
        "a report (one project's assignment history, one request per project), not records"
    ),
}


def _load_route_builder() -> type:
    spec = importlib.util.spec_from_file_location(
        "generate_double_routes", REPO / "scripts" / "generate_double_routes.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.RouteTableBuilder


def resource_of(path: str) -> str:
    """Version-free path with anonymous parameters: one resource's versions share it."""
    return _PARAM.sub("{}", _VERSION.sub("", path))


def version_of(path: str) -> tuple[int, int]:
    match = _VERSION.match(path)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def is_helper(path: str) -> bool:
    for segment in path.split("/"):
        if segment in HELPER_SEGMENTS or segment.endswith(("_options", "-options", "_filters")):
            return True
        if segment.startswith("potential_") and segment not in RECORD_LISTS_NAMED_POTENTIAL:
            return True
    return False


@dataclass(frozen=True)
class Operation:
    operation_id: str
    path: str
    category: str
    summary: str

    @property
    def resource(self) -> str:
        return resource_of(self.path)


def counted_operations(shared: Path) -> list[Operation]:
    """The record-bearing list operations, the newest version of each resource."""
    api = shared / "procore-api" if (shared / "procore-api").is_dir() else shared
    builder = _load_route_builder()(api)
    entries = {op.operation_id: builder.route_entry(op) for op in builder.operations}
    candidates = {
        operation_id: entry
        for operation_id, entry in entries.items()
        if entry["response_kind"] == "list"
        and entry["item_type"] == "object"
        and not is_helper(entry["path"])
    }
    # Scoped by company or project, or under parents that are themselves counted lists: drop
    # operations whose parents are not, until nothing changes.
    while True:
        kept = {
            operation_id: entry
            for operation_id, entry in candidates.items()
            if (entry["scope"]["company"] or entry["scope"]["project"] or entry["parents"])
            and all(
                any(route in candidates for route in parent["routes"])
                for parent in entry["parents"]
            )
        }
        if len(kept) == len(candidates):
            break
        candidates = kept
    newest: dict[str, dict] = {}
    for entry in candidates.values():
        resource = resource_of(entry["path"])
        current = newest.get(resource)
        if current is None or version_of(entry["path"]) > version_of(current["path"]):
            newest[resource] = entry
    return sorted(
        (
            Operation(e["operation_id"], e["path"], e["category"] or "", e["summary"] or "")
            for e in newest.values()
        ),
        key=lambda op: (op.category, op.path),
    )


def read_paths() -> set[str]:
    return {stream.path for stream in STREAM_TYPES if not stream.embedded_in}


def render(operations: list[Operation]) -> str:
    paths = read_paths()
    read = [op for op in operations if op.path in paths]
    unread = [op for op in operations if op.path not in paths]
    share = len(read) / len(operations)
    by_category = Counter(op.category for op in operations)
    read_by_category = Counter(op.category for op in read)
    lines = [
        "# Coverage of Procore's list operations",
        "",
        "Generated by `scripts/coverage.py` from Procore's API description; do not edit.",
        "",
        "Counted: the GET operations that list records at company or project level (or under a",
        "parent whose ids another counted list gives), one per resource in its newest version;",
        "helper lists (filter options, potential assignees, bare ids, default distributions, pick",
        "lists) are not counted. Read: a stream's path is the operation's path.",
        "",
        f"**{len(read)} of {len(operations)} operations read ({share:.1%}).**",
        "",
        "| category | operations | read |",
        "| --- | ---: | ---: |",
    ]
    for category, count in sorted(by_category.items()):
        lines.append(f"| {category} | {count} | {read_by_category[category]} |")
    lines += [
        "",
        "## Operations not read",
        "",
        "| operation | path | reason |",
        "| --- | --- | --- |",
    ]
    for op in unread:
        reason = UNREAD.get(op.resource, "no stream yet")
        lines.append(f"| {op.operation_id} | `{op.path}` | {reason} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--check", action="store_true", help="fail if docs/coverage.md differs")
    parser.add_argument("--list", action="store_true", help="print every unread operation")
    args = parser.parse_args()
    operations = counted_operations(args.shared)
    paths = read_paths()
    read = sum(op.path in paths for op in operations)
    print(f"{read} of {len(operations)} list operations read ({read / len(operations):.1%})")
    if args.list:
        for op in operations:
            if op.path not in paths:
                print(f"  {op.category:28} {op.path}")
    stale_reasons = set(UNREAD) - {op.resource for op in operations if op.path not in paths}
    if stale_reasons:
        print("UNREAD names operations that are read or not counted: " + ", ".join(stale_reasons))
        return 1
    text = render(operations)
    if args.check:
        if not DOC.exists() or DOC.read_text() != text:
            print(f"{DOC.relative_to(REPO)} is out of date; run scripts/coverage.py")
            return 1
        return 0
    DOC.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
