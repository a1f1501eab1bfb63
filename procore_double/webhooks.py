"""Procore's webhooks in the double: company-level hooks, triggers, resources and deliveries.

The v2.0 company routes of the webhooks API (`/rest/v2.0/companies/{company_id}/webhooks/...`, as
routes.json gives them, writes included) are answered from real state rather than generated
records: hooks and triggers created through the API, and one delivery for every record the control
API creates, changes or deletes (`touch`, `add`, `delete`, `add_project`, ...) in a company with an
active hook that has a trigger for that resource and event. Deliveries never reach a destination
(the double makes no outgoing calls): each gets a status from the seed, as Procore's listing would
show succeeded, failed and discarded ones alike. Deliveries older than the retention window
(`webhook_retention_days`, 30) are dropped. A hook can be disabled with PATCH `status` or with the
control API (as Procore might disable a hook whose destination keeps failing); a disabled hook
records nothing.

Project-level hooks and the v1.0 webhooks routes keep the generated data of every other route.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from random import Random
from typing import Any

from . import clock
from .api import bounded_int
from .fakedata import stable_seed
from .routes import template_pattern

DELIVERY_STATUSES = ("delivered", "failed", "discarded", "enqueued", "retrying")
# The filter spells a delivered one "succeeded" (the API description's filter enum).
STATUS_FILTER = {"succeeded": "delivered"}
DEFAULT_RETENTION_DAYS = 30.0
PAYLOAD_VERSIONS = ("v4.0", "v3.0", "v2.0")
EVENTS = {"C": "create", "U": "update", "D": "delete"}
COMPANY_PREFIX = "/rest/v2.0/companies/{company_id}/webhooks/"
ID_BASE = 8_000_000_000
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Webhook resources as a sandbox company lists them (name, company/project level, events) and the
# routes whose records they are: a change made through the control API on one of these routes
# fires that resource's event. Resources without a route here are listed but never fire.
RESOURCES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Bids", "c", "U", ("/rest/v1.0/projects/{project_id}/bids",)),
    ("Change Order Change Reasons", "c", "CUD", ("/rest/v1.0/change_order_change_reasons",)),
    ("Change Types", "c", "CUD", ("/rest/v1.0/change_types",)),
    ("Company File Versions", "c", "CUD", ()),
    ("Company Files", "c", "CUD", ("/rest/v1.0/companies/{company_id}/documents",)),
    ("Company Folders", "c", "CUD", ()),
    ("Company Insurances", "c", "CUD", ("/rest/v1.0/companies/{company_id}/insurances",)),
    ("Company Users", "c", "CU", ("/rest/v1.3/companies/{company_id}/users",)),
    ("Company Vendors", "c", "CU", ("/rest/v1.0/vendors",)),
    ("Departments", "c", "CUD", ("/rest/v1.0/departments",)),
    ("ERP Requests", "c", "CUD", ()),
    ("Form Templates", "c", "CUD", ("/rest/v1.0/companies/{company_id}/form_templates",)),
    ("Line Item Types", "c", "CUD", ("/rest/v1.0/line_item_types",)),
    ("Offices", "c", "CUD", ("/rest/v1.0/offices",)),
    ("Programs", "c", "CUD", ("/rest/v1.0/companies/{company_id}/programs",)),
    ("Project Bid Types", "c", "CUD", ()),
    ("Project Owner Types", "c", "CUD", ()),
    ("Project Regions", "c", "CUD", ()),
    ("Project Stages", "c", "CUD", ()),
    ("Project Types", "c", "CUD", ()),
    ("Projects", "c", "CU", ("/rest/v1.1/projects",)),
    ("Standard Cost Code Lists", "c", "C", ("/rest/v1.0/standard_cost_code_lists",)),
    ("Standard Cost Codes", "c", "CUD", ("/rest/v1.0/standard_cost_codes",)),
    ("Timecard Time Types", "c", "CD", ("/rest/v1.0/timecard_time_types",)),
    ("Trades", "c", "CD", ("/rest/v1.0/companies/{company_id}/trades",)),
    ("Submittals", "p", "CUD", ("/rest/v1.1/projects/{project_id}/submittals",)),
    ("Submittal Packages", "p", "CUD", ("/rest/v1.0/projects/{project_id}/submittal_packages",)),
    ("RFIs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/rfis",)),
    ("RFI Replies", "p", "CUD", ("/rest/v1.0/projects/{project_id}/rfis/{rfi_id}/replies",)),
    ("Daily Logs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/daily_log_headers/index",)),
    ("Daily Log/Entries", "p", "CUD", ()),
    (
        "Daily Construction Report Logs",
        "p",
        "CUD",
        ("/rest/v1.0/projects/{project_id}/daily_construction_report_logs",),
    ),
    ("Change Events", "p", "CUD", ("/rest/v1.0/change_events",)),
    ("Change Event Line Items", "p", "CUD", ()),
    ("Change Order Packages", "p", "CUD", ("/rest/v1.0/change_order_packages",)),
    ("Change Order Requests", "p", "CUD", ("/rest/v1.0/change_order_requests",)),
    ("Potential Change Orders", "p", "CUD", ("/rest/v1.0/potential_change_orders",)),
    (
        "Potential Change Order Line Items",
        "p",
        "CUD",
        ("/rest/v1.0/potential_change_orders/{potential_change_order_id}/line_items",),
    ),
    ("Payment Applications", "p", "CUD", ("/rest/v1.0/payment_applications",)),
    ("Punch Items", "p", "CUD", ("/rest/v1.1/punch_items",)),
    ("Meetings", "p", "CUD", ("/rest/v1.1/projects/{project_id}/meetings",)),
    ("Meeting Topics", "p", "CUD", ()),
    ("Meeting Attendees", "p", "CUD", ()),
    ("Incidents", "p", "CUD", ("/rest/v1.0/projects/{project_id}/incidents",)),
    ("Inspection Checklists", "p", "CU", ("/rest/v1.0/projects/{project_id}/checklist/lists",)),
    ("Inspection Logs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/inspection_logs",)),
    ("Drawings", "p", "CUD", ("/rest/v1.1/drawing_areas/{drawing_area_id}/drawings",)),
    ("Drawing Sets", "p", "CUD", ("/rest/v1.0/projects/{project_id}/drawing_sets",)),
    ("Drawing Uploads", "p", "CUD", ("/rest/v1.1/projects/{project_id}/drawing_uploads",)),
    ("Drawing Areas", "p", "CUD", ("/rest/v1.1/projects/{project_id}/drawing_areas",)),
    ("Project Files", "p", "CUD", ("/rest/v1.0/projects/{project_id}/documents",)),
    ("Project File Versions", "p", "CUD", ()),
    ("Project Folders", "p", "CUD", ()),
    ("Specification Sections", "p", "CU", ("/rest/v1.0/specification_sections",)),
    (
        "Specification Section Revisions",
        "p",
        "CUD",
        ("/rest/v1.0/specification_section_revisions",),
    ),
    ("Specification Sets", "p", "CUD", ("/rest/v1.0/projects/{project_id}/specification_sets",)),
    ("Specification Areas", "p", "CUD", ()),
    (
        "Specification Section Divisions",
        "p",
        "CUD",
        ("/rest/v1.0/specification_section_divisions",),
    ),
    ("Images", "p", "CUD", ("/rest/v1.0/images",)),
    ("Image Categories", "p", "CUD", ("/rest/v1.0/image_categories",)),
    ("BIM Models", "p", "CUD", ("/rest/v1.0/bim_models",)),
    ("BIM Model Revisions", "p", "CUD", ("/rest/v1.0/bim_model_revisions",)),
    ("BIM File Extractions", "p", "CUD", ()),
    ("Coordination Issues", "p", "CUD", ("/rest/v1.0/coordination_issues",)),
    ("Coordination Issue Activities", "p", "CUD", ("/rest/v1.0/coordination_issue_activities",)),
    ("Accident Logs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/accident_logs",)),
    (
        "Safety Violation Logs",
        "p",
        "CUD",
        ("/rest/v1.0/projects/{project_id}/safety_violation_logs",),
    ),
    ("Budget Line Items", "p", "CUD", ()),
    ("Budget Changes", "p", "CUD", ("/rest/v1.0/projects/{project_id}/budget_changes",)),
    ("Budget Change Adjustments", "p", "CUD", ()),
    (
        "Budget Change Adjustment Line Items",
        "p",
        "CUD",
        (
            "/rest/v2.0/companies/{company_id}/projects/{project_id}/budget_changes/adjustment_line_items",
        ),
    ),
    ("Budget Change Production Quantities", "p", "CUD", ()),
    (
        "Budget Modifications",
        "p",
        "CUD",
        ("/rest/v1.0/projects/{project_id}/budget_modifications",),
    ),
    ("Budget View Snapshots", "p", "C", ("/rest/v1.0/budget_view_snapshots",)),
    ("Call Logs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/call_logs",)),
    ("Cost Codes", "p", "CUD", ("/rest/v1.0/cost_codes",)),
    ("Contract Payments", "p", "CUD", ("/rest/v1.0/contract_payments",)),
    ("Delivery Logs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/delivery_logs",)),
    ("Direct Costs", "p", "CUD", ("/rest/v1.1/projects/{project_id}/direct_costs",)),
    (
        "Direct Cost Line Items",
        "p",
        "CUD",
        ("/rest/v1.0/projects/{project_id}/direct_costs/line_items",),
    ),
    ("Company Direct Cost Line Items", "p", "CUD", ()),
    ("Draw Requests", "p", "CUD", ()),
    ("Dumpster Logs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/dumpster_logs",)),
    ("Equipment Logs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/equipment_logs",)),
    ("File Versions", "p", "CUD", ()),
    ("Forms", "p", "CUD", ("/rest/v1.1/projects/{project_id}/forms",)),
    ("Generic Tool Items", "p", "CUD", ()),
    ("Locations", "p", "CUD", ("/rest/v1.0/projects/{project_id}/locations",)),
    ("Manpower Logs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/manpower_logs",)),
    ("Markup Layers", "p", "CU", ()),
    ("Meeting Categories", "p", "CUD", ("/rest/v1.0/meeting_categories",)),
    ("Notes Logs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/notes_logs",)),
    ("Observation Items", "p", "CUD", ("/rest/v1.0/observations/items",)),
    (
        "Observation Item Response Logs",
        "p",
        "C",
        ("/rest/v1.0/projects/{project_id}/observations/response_logs",),
    ),
    ("Pdf Download Pages", "p", "CUD", ()),
    ("Plan Revision Logs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/plan_revision_logs",)),
    ("Prime Contracts", "p", "CUD", ("/rest/v1.0/prime_contracts",)),
    (
        "Prime Contract Line Items",
        "p",
        "CUD",
        ("/rest/v1.0/prime_contracts/{prime_contract_id}/line_items",),
    ),
    ("Productivity Logs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/productivity_logs",)),
    ("Project Dates", "p", "CUD", ("/rest/v1.0/projects/{project_id}/project_dates",)),
    ("Project Insurances", "p", "CUD", ("/rest/v1.0/projects/{project_id}/insurances",)),
    ("Project Users", "p", "CUD", ("/rest/v1.0/projects/{project_id}/users",)),
    ("Project Vendors", "p", "CUD", ("/rest/v1.1/projects/{project_id}/vendors",)),
    (
        "Purchase Order Contracts",
        "p",
        "CUD",
        (
            "/rest/v1.0/purchase_order_contracts",
            "/rest/v2.0/companies/{company_id}/projects/{project_id}/commitment_contracts",
        ),
    ),
    (
        "Purchase Order Contract Line Items",
        "p",
        "CUD",
        ("/rest/v1.0/purchase_order_contracts/{purchase_order_contract_id}/line_items",),
    ),
    ("Quantity Logs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/quantity_logs",)),
    ("RFQ Quotes", "p", "CU", ()),
    ("RFQ Responses", "p", "CU", ()),
    ("RFQs", "p", "CUD", ("/rest/v1.0/rfqs",)),
    ("Site Instructions", "p", "CUD", ("/rest/v1.0/projects/{project_id}/instructions",)),
    ("Sub Jobs", "p", "CUD", ("/rest/v1.0/sub_jobs",)),
    ("Task Items", "p", "CU", ("/rest/v1.0/task_items",)),
    ("Tasks", "p", "CUD", ("/rest/v1.0/tasks",)),
    ("Timecard Entries", "p", "CUD", ("/rest/v1.0/timecard_entries",)),
    ("ToDos", "p", "CUD", ()),
    ("Visitor Logs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/visitor_logs",)),
    ("Waste Logs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/waste_logs",)),
    ("Weather Logs", "p", "CU", ("/rest/v1.1/projects/{project_id}/daily_logs/weather_logs",)),
    ("Work Logs", "p", "CUD", ("/rest/v1.0/projects/{project_id}/work_logs",)),
    (
        "Work Order Contracts",
        "p",
        "CUD",
        (
            "/rest/v1.0/work_order_contracts",
            "/rest/v2.0/companies/{company_id}/projects/{project_id}/commitment_contracts",
        ),
    ),
    (
        "Work Order Contract Line Items",
        "p",
        "CUD",
        ("/rest/v1.0/work_order_contracts/{work_order_contract_id}/line_items",),
    ),
)


class WebhookError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Hook:
    id: str
    company_id: int
    namespace: str
    destination_url: str
    payload_version: str
    destination_headers: dict[str, Any]
    status: str
    created_at: str
    updated_at: str


@dataclass
class Trigger:
    id: str
    hook_id: str
    company_id: int
    resource_name: str
    event_type: str


@dataclass
class Delivery:
    id: str
    hook_id: str
    status: str
    epoch: float
    payload: dict[str, Any]
    attempts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Answer:
    status: int
    payload: Any = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    #: For pages of a list: (page, per_page, last page), from which the server writes `Link`.
    paging: tuple[int, int, int] | None = None


def _now_text() -> str:
    return clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")


class WebhookService:
    """Hooks, triggers and deliveries of every company, behind the v2.0 company routes."""

    def __init__(
        self,
        get_routes: list[Any],
        write_routes: list[dict[str, Any]],
        resource_of_path: dict[str, str],
        seed: int,
        retention_days: float = DEFAULT_RETENTION_DAYS,
    ):
        self.lock = threading.RLock()
        self.seed = seed
        self.retention_seconds = float(retention_days) * 86400
        self.hooks: dict[str, Hook] = {}
        self.triggers: dict[str, Trigger] = {}
        self.deliveries: list[Delivery] = []
        self._next_id = ID_BASE
        self._events = 0
        self.resources = {
            name: {"level": level, "events": [EVENTS[code] for code in codes], "paths": paths}
            for name, level, codes, paths in RESOURCES
        }
        # Route resource key (version and scope free) -> webhook resource name.
        self.by_route_resource: dict[str, str] = {}
        for name, _level, _codes, paths in RESOURCES:
            for path in paths:
                key = resource_of_path.get(path)
                if key is not None:
                    self.by_route_resource.setdefault(key, name)
        self._operations: list[tuple[str, re.Pattern[str], str, dict[str, Any]]] = []
        for route in get_routes:
            if route.path.startswith(COMPANY_PREFIX):
                self._add_operation("GET", route.path, route.operation_id)
        for raw in write_routes:
            if raw["path"].startswith(COMPANY_PREFIX):
                self._add_operation(raw["method"], raw["path"], raw["operation_id"], raw)

    def _add_operation(
        self, method: str, path: str, operation_id: str, raw: dict[str, Any] | None = None
    ) -> None:
        self._operations.append((method, template_pattern(path), operation_id, raw or {}))

    # ------------------------------------------------------------------ routing

    def match(self, method: str, path: str) -> tuple[str, list[str]] | None:
        """(operation id, path values) of a company-level webhooks route, or None."""
        if "/webhooks/" not in path:
            return None
        for wanted, pattern, operation_id, _raw in self._operations:
            found = pattern.match(path)
            if found and wanted == method:
                return operation_id, list(found.groups())
        return None

    def serves_path(self, path: str) -> bool:
        return any(pattern.match(path) for _m, pattern, _o, _r in self._operations)

    def answer(self, operation_id: str, values: list[str], query: Any, body: bytes) -> Answer:
        company_id = int(values[0])
        name = operation_id.removeprefix("RestV20CompaniesCompanyIdWebhooks")
        with self.lock:
            self._expire()
            if name == "ResourcesGet":
                return self._list(self._resource_items(query), query)
            if name == "HooksGet":
                return self._list(self._hook_items(company_id, query), query)
            if name == "HooksPost":
                return Answer(201, {"data": self._create_hook(company_id, _json(body))})
            hook = self._hook(company_id, values[1])
            handler = self._hook_operations().get(name)
            if handler is None:
                raise WebhookError(404, f"{operation_id} is not served")
            return handler(hook, values, query, body)

    def _hook_operations(self) -> dict[str, Any]:
        """Operations on one hook: name -> handler(hook, path values, query, body)."""

        def delete_hook(hook: Hook, *_: Any) -> Answer:
            self._delete_hook(hook)
            return Answer(204)

        def delete_trigger(hook: Hook, values: list[str], *_: Any) -> Answer:
            trigger = self.triggers.get(values[2])
            if trigger is None or trigger.hook_id != hook.id:
                raise WebhookError(404, f"Trigger {values[2]} not found")
            del self.triggers[trigger.id]
            return Answer(204)

        return {
            "HooksIdGet": lambda hook, *_: Answer(
                200, {"data": self._hook_dict(hook, with_count=True)}
            ),
            "HooksIdPatch": lambda hook, _v, _q, body: Answer(
                200, {"data": self._update_hook(hook, _json(body))}
            ),
            "HooksIdDelete": delete_hook,
            "HooksHookIdTriggersGet": lambda hook, _v, query, _b: self._list(
                [self._trigger_dict(t) for t in self._triggers_of(hook)], query
            ),
            "HooksHookIdTriggersPost": lambda hook, _v, _q, body: Answer(
                201, {"data": self._create_trigger(hook, _json(body))}
            ),
            "HooksHookIdTriggersBulkPost": lambda hook, _v, _q, body: self._bulk_create(
                hook, _json(body)
            ),
            "HooksHookIdTriggersBulkDelete": lambda hook, _v, _q, body: self._bulk_delete(
                hook, _json(body)
            ),
            "HooksHookIdTriggersIdDelete": delete_trigger,
            "HooksHookIdDeliveriesGet": lambda hook, _v, query, _b: self._list(
                self._delivery_items(hook, query), query
            ),
        }

    # ------------------------------------------------------------------ listing

    @staticmethod
    def _list(items: list[dict[str, Any]], query: Any) -> Answer:
        per_page = bounded_int(query.get("per_page"), 10, 1, 100)
        page = bounded_int(query.get("page"), 1, 1, None)
        total = len(items)
        start = (page - 1) * per_page
        last_page = max(1, -(-total // per_page))
        headers = [("Total", str(total)), ("Per-Page", str(per_page))]
        return Answer(
            200, {"data": items[start : start + per_page]}, headers, (page, per_page, last_page)
        )

    def _resource_items(self, query: Any) -> list[dict[str, Any]]:
        version = query.get("payload_version")
        if not version:
            raise WebhookError(400, "payload_version is missing")
        return [
            {
                "name": name,
                "category": "Company" if info["level"] == "c" else "Project",
                "tool": name,
                "payload_version": version,
                "actions": [{"name": event} for event in info["events"]],
            }
            for name, info in self.resources.items()
        ]

    def _hook_items(self, company_id: int, query: Any) -> list[dict[str, Any]]:
        namespace = query.get("namespace")
        with_count = str(query.get("include_trigger_count") or "").lower() == "true"
        return [
            self._hook_dict(hook, with_count=with_count)
            for hook in sorted(self.hooks.values(), key=lambda h: int(h.id))
            if hook.company_id == company_id and (namespace is None or hook.namespace == namespace)
        ]

    def _delivery_items(self, hook: Hook, query: Any) -> list[dict[str, Any]]:
        status = query.get("filter[status]")
        if status is not None and status not in (*DELIVERY_STATUSES, *STATUS_FILTER):
            raise WebhookError(400, f"filter[status] {status!r} is not a delivery status")
        status = STATUS_FILTER.get(status or "", status)
        resource = query.get("filter[resource_name]")
        event = query.get("filter[event_type]")
        start = _day(query.get("filter[start]"), "filter[start]")
        end = _day(query.get("filter[end]"), "filter[end]")
        found = []
        for delivery in reversed(self.deliveries):  # newest first
            payload = delivery.payload
            day = payload["timestamp"][:10]
            if delivery.hook_id != hook.id:
                continue
            if status and delivery.status != status:
                continue
            if resource and payload["resource_name"] != resource:
                continue
            if event and payload["event_type"] != event:
                continue
            if (start and day < start) or (end and day > end):
                continue
            found.append(
                {
                    "id": delivery.id,
                    "status": delivery.status,
                    "payload": payload,
                    "delivery_attempts": delivery.attempts,
                }
            )
        return found

    # ------------------------------------------------------------------ hooks and triggers

    def _new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def _hook(self, company_id: int, hook_id: str) -> Hook:
        hook = self.hooks.get(hook_id)
        if hook is None or hook.company_id != company_id:
            raise WebhookError(404, f"Hook {hook_id} not found")
        return hook

    def _triggers_of(self, hook: Hook) -> list[Trigger]:
        return sorted(
            (t for t in self.triggers.values() if t.hook_id == hook.id), key=lambda t: int(t.id)
        )

    def _hook_dict(self, hook: Hook, *, with_count: bool) -> dict[str, Any]:
        headers = {
            name: ("*" * max(0, len(str(value)) - 5)) + str(value)[-5:]
            for name, value in hook.destination_headers.items()
        }
        answer: dict[str, Any] = {
            "id": hook.id,
            "status": hook.status,
            "payload_version": hook.payload_version,
            "namespace": hook.namespace,
            "destination_headers": headers,
            "destination_url": hook.destination_url,
            "company_id": str(hook.company_id),
            "project_id": None,
            "created_at": hook.created_at,
            "updated_at": hook.updated_at,
        }
        if with_count:
            answer["trigger_count"] = len(self._triggers_of(hook))
        return answer

    def _create_hook(self, company_id: int, body: Any) -> dict[str, Any]:
        fields = _object(body, "hook")
        missing = [
            name
            for name in ("namespace", "destination_url", "payload_version")
            if not isinstance(fields.get(name), str) or not fields.get(name)
        ]
        if missing:
            raise WebhookError(400, f"{', '.join(missing)} is missing")
        if fields["payload_version"] not in PAYLOAD_VERSIONS:
            raise WebhookError(400, f"payload_version must be one of {', '.join(PAYLOAD_VERSIONS)}")
        stamp = _now_text()
        hook = Hook(
            id=self._new_id(),
            company_id=company_id,
            namespace=fields["namespace"],
            destination_url=fields["destination_url"],
            payload_version=fields["payload_version"],
            destination_headers=dict(fields.get("destination_headers") or {}),
            status="active",
            created_at=stamp,
            updated_at=stamp,
        )
        self.hooks[hook.id] = hook
        return self._hook_dict(hook, with_count=True)

    def _update_hook(self, hook: Hook, body: Any) -> dict[str, Any]:
        fields = _object(body, "hook")
        status = fields.get("status")
        if status is not None and status not in ("active", "disabled"):
            raise WebhookError(400, "status must be active or disabled")
        for name in ("namespace", "destination_url", "payload_version", "status"):
            if isinstance(fields.get(name), str):
                setattr(hook, name, fields[name])
        if isinstance(fields.get("destination_headers"), dict):
            hook.destination_headers = dict(fields["destination_headers"])
        hook.updated_at = _now_text()
        return self._hook_dict(hook, with_count=True)

    def _delete_hook(self, hook: Hook) -> None:
        del self.hooks[hook.id]
        for trigger in self._triggers_of(hook):
            del self.triggers[trigger.id]

    def _create_trigger(self, hook: Hook, body: Any) -> dict[str, Any]:
        fields = _object(body, "trigger")
        name, event = fields.get("resource_name"), fields.get("event_type")
        if not isinstance(name, str) or not isinstance(event, str):
            raise WebhookError(400, "resource_name and event_type are required")
        info = self.resources.get(name)
        if info is None:
            raise WebhookError(400, f"Unknown resource_name {name!r}")
        if event not in info["events"]:
            raise WebhookError(400, f"{name} does not offer {event} events")
        if any(t.resource_name == name and t.event_type == event for t in self._triggers_of(hook)):
            raise WebhookError(400, f"A trigger for {name} {event} already exists")
        trigger = Trigger(self._new_id(), hook.id, hook.company_id, name, event)
        self.triggers[trigger.id] = trigger
        return self._trigger_dict(trigger)

    def _bulk_create(self, hook: Hook, body: Any) -> Answer:
        items = body.get("triggers") if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise WebhookError(400, "the body must be a list of triggers")
        created, errors = [], []
        for item in items:
            try:
                created.append(self._create_trigger(hook, item))
            except WebhookError as problem:
                errors.append({"trigger": item, "error": problem.message})
        if errors:
            return Answer(207, {"data": created, "errors": errors})
        return Answer(201, {"data": created})

    def _bulk_delete(self, hook: Hook, body: Any) -> Answer:
        ids = body.get("ids") if isinstance(body, dict) else body
        if not isinstance(ids, list):
            raise WebhookError(400, "the body must be a list of trigger ids")
        succeeded, failed = [], []
        for trigger_id in map(str, ids):
            trigger = self.triggers.get(trigger_id)
            if trigger is None or trigger.hook_id != hook.id:
                failed.append(trigger_id)
                continue
            del self.triggers[trigger_id]
            succeeded.append(trigger_id)
        return Answer(207 if failed else 200, {"data": {"succeeded": succeeded}})

    @staticmethod
    def _trigger_dict(trigger: Trigger) -> dict[str, Any]:
        return {
            "id": trigger.id,
            "webhook_hook_id": trigger.hook_id,
            "resource_name": trigger.resource_name,
            "event_type": trigger.event_type,
            "company_id": str(trigger.company_id),
            "project_id": None,
        }

    # ------------------------------------------------------------------ deliveries

    def record(
        self,
        route_resource: str,
        company_id: int,
        project_id: int | None,
        event_type: str,
        ids: list[int],
        stamp: str,
    ) -> int:
        """A change made through the control API: one delivery per matching hook and record."""
        name = self.by_route_resource.get(route_resource)
        if name is None or name not in self.resources:
            return 0
        recorded = 0
        with self.lock:
            for hook in self.hooks.values():
                if hook.company_id != company_id or hook.status != "active":
                    continue
                if not any(
                    t.resource_name == name and t.event_type == event_type
                    for t in self._triggers_of(hook)
                ):
                    continue
                for resource_id in ids:
                    self._deliver(hook, name, event_type, project_id, resource_id, stamp)
                    recorded += 1
        return recorded

    def _deliver(
        self,
        hook: Hook,
        name: str,
        event_type: str,
        project_id: int | None,
        resource_id: int,
        stamp: str,
    ) -> None:
        self._events += 1
        rng = Random(stable_seed(self.seed, "delivery", self._events))
        status = rng.choice(DELIVERY_STATUSES)
        event_id = ID_BASE * 10 + self._events
        payload = {
            "id": event_id,
            "ulid": f"01J{event_id:023d}",
            "timestamp": stamp,
            "metadata": {"source_application_id": None, "source_operation_id": None},
            "user_id": ID_BASE + 7,
            "company_id": hook.company_id,
            "project_id": project_id,
            "api_version": "v2",
            "event_type": event_type,
            "resource_name": name,
            "resource_id": resource_id,
        }
        attempts = [
            {
                "id": str(event_id * 10 + n),
                "started_at": stamp,
                "response_status": 200 if status == "delivered" and n == 0 else 502,
            }
            for n in range(1 if status in ("delivered", "enqueued") else 3)
        ]
        epoch = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        self.deliveries.append(
            Delivery(self._new_id(), hook.id, status, epoch.timestamp(), payload, attempts)
        )

    def _expire(self) -> None:
        cutoff = clock.now_epoch() - self.retention_seconds
        if self.deliveries and self.deliveries[0].epoch < cutoff:
            self.deliveries = [d for d in self.deliveries if d.epoch >= cutoff]

    # ------------------------------------------------------------------ control API

    def control(self, payload: dict[str, Any]) -> dict[str, Any]:
        """`POST /_double/webhooks`: change what only Procore itself changes."""
        action = payload.get("action")
        with self.lock:
            if action == "set_retention":
                self.retention_seconds = float(payload["days"]) * 86400
            elif action == "set_hook_status":
                hook = self.hooks[str(payload["hook_id"])]
                hook.status = str(payload["status"])
                hook.updated_at = _now_text()
            elif action == "rename_resource":
                # Procore renames or drops a resource: its triggers stop firing.
                info = self.resources.pop(str(payload["name"]))
                if payload.get("to"):
                    self.resources[str(payload["to"])] = info
            elif action == "age_deliveries":
                # Everything recorded so far happened `seconds` earlier than it says.
                seconds = float(payload["seconds"])
                for delivery in self.deliveries:
                    delivery.epoch -= seconds
                    moment = datetime.fromtimestamp(delivery.epoch, timezone.utc)
                    delivery.payload["timestamp"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            elif action is not None:
                raise KeyError(f"unknown webhooks action {action!r}")
            self._expire()
            return self.describe()

    def describe(self) -> dict[str, Any]:
        with self.lock:
            return {
                "retention_days": self.retention_seconds / 86400,
                "hooks": [self._hook_dict(h, with_count=True) for h in self.hooks.values()],
                "triggers": [self._trigger_dict(t) for t in self.triggers.values()],
                "deliveries": len(self.deliveries),
            }


def _json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        raise WebhookError(400, "the body is not valid JSON") from None


def _object(body: Any, wrapper: str) -> dict[str, Any]:
    if isinstance(body, dict) and isinstance(body.get(wrapper), dict):
        body = body[wrapper]  # the v1.0 shape, {"hook": {...}}
    if not isinstance(body, dict):
        raise WebhookError(400, "the body must be a JSON object")
    return body


def _day(text: str | None, name: str) -> str | None:
    if text is None or text == "":
        return None
    if not DATE_ONLY.match(text):
        raise WebhookError(400, f"{name} must be a date (yyyy-mm-dd)")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise WebhookError(400, f"{name} must be a date (yyyy-mm-dd)") from None
