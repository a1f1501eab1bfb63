"""Procore's webhook resources, and the streams whose rows are each resource's records.

Written from the 113 resources a sandbox company listed in February 2026 (see the webhooks notes
in the API research): their names as Procore spells them, whether they are company- or
project-level, and which events fire (C create, U update, D delete). At run time the tap reads the
company's own `webhooks/resources` listing, which wins over the events given here; names it lists
that this table does not know are reported once.

A resource maps to the streams whose rows are its records (RFI Replies -> rfi_replies). The change
feed reads a child stream through its parent, as every run does: a reply event makes the run read
`rfis` in that project, and the replies of the RFIs read there. A stream may be covered by several
resources (project_documents: files, file versions and folders); a resource with no stream of this
tap maps to none. Recycle-bin streams (`deleted_*`) are listed with their resource: a delete moves
a record into the bin.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

CREATE, UPDATE, DELETE = "create", "update", "delete"
EVENT_TYPES = (CREATE, UPDATE, DELETE)
_CODES = {"C": CREATE, "U": UPDATE, "D": DELETE}


@dataclass(frozen=True)
class WebhookResource:
    name: str
    #: "company" or "project": where Procore records the resource's events.
    level: str
    #: Events Procore fires for the resource (from the listing; the run's own listing wins).
    events: frozenset[str]
    #: Streams whose rows are this resource's records.
    streams: tuple[str, ...]


def _resource(name: str, level: str, codes: str, *streams: str) -> WebhookResource:
    return WebhookResource(name, level, frozenset(_CODES[code] for code in codes), streams)


def _company(name: str, codes: str, *streams: str) -> WebhookResource:
    return _resource(name, "company", codes, *streams)


def _project(name: str, *streams: str, codes: str = "CUD") -> WebhookResource:
    return _resource(name, "project", codes, *streams)


RESOURCES: tuple[WebhookResource, ...] = (
    # --- company level (25) ----------------------------------------------------------------
    _company("Bids", "U", "bids"),
    _company("Change Order Change Reasons", "CUD", "change_order_change_reasons"),
    _company("Change Types", "CUD", "change_types"),
    _company("Company File Versions", "CUD", "company_documents"),
    _company("Company Files", "CUD", "company_documents"),
    _company("Company Folders", "CUD", "company_documents"),
    _company("Company Insurances", "CUD", "company_insurances"),
    _company("Company Users", "CU", "company_users"),
    _company("Company Vendors", "CU", "company_vendors"),
    _company("Departments", "CUD", "departments"),
    _company("ERP Requests", "CUD"),
    _company("Form Templates", "CUD", "form_templates", "deleted_form_templates"),
    _company("Line Item Types", "CUD", "line_item_types"),
    _company("Offices", "CUD", "company_offices"),
    _company("Programs", "CUD", "programs"),
    _company("Project Bid Types", "CUD", "project_bid_types"),
    _company("Project Owner Types", "CUD", "project_owner_types"),
    _company("Project Regions", "CUD", "project_regions"),
    _company("Project Stages", "CUD", "project_stages"),
    _company("Project Types", "CUD", "project_types"),
    _company("Projects", "CU", "projects"),
    _company("Standard Cost Code Lists", "C", "standard_cost_code_lists"),
    _company("Standard Cost Codes", "CUD", "standard_cost_codes"),
    _company("Timecard Time Types", "CD", "timecard_time_types"),
    _company("Trades", "CD", "trades"),
    # --- project level (88) ----------------------------------------------------------------
    _project("Submittals", "submittals", "deleted_submittals"),
    _project("Submittal Packages", "submittal_packages"),
    _project("RFIs", "rfis", "deleted_rfis"),
    _project("RFI Replies", "rfi_replies"),
    _project("Daily Logs", "daily_log_headers"),
    _project("Daily Log/Entries"),
    _project("Daily Construction Report Logs", "construction_report_logs"),
    _project(
        "Change Events",
        "change_events",
        "change_events_v1_1",
        "deleted_change_events",
        "deleted_change_events_v1_1",
    ),
    _project("Change Event Line Items", "change_event_line_items"),
    _project("Change Order Packages", "change_order_packages", "deleted_change_order_packages"),
    _project("Change Order Requests", "change_order_requests"),
    _project(
        "Potential Change Orders", "potential_change_orders", "deleted_potential_change_orders"
    ),
    _project("Potential Change Order Line Items", "potential_change_order_line_items"),
    _project("Payment Applications", "payment_applications"),
    _project("Punch Items", "punch_items", "deleted_punch_items"),
    _project("Meetings", "meetings", "deleted_meetings"),
    _project("Meeting Topics"),
    _project("Meeting Attendees"),
    _project("Incidents", "incidents", "deleted_incidents"),
    _project("Inspection Checklists", "checklists", "deleted_checklists", codes="CU"),
    _project("Inspection Logs", "inspection_logs"),
    _project("Drawings", "drawings"),
    _project("Drawing Sets", "drawing_sets"),
    _project("Drawing Uploads", "drawing_uploads"),
    _project("Drawing Areas", "drawing_areas"),
    _project("Project Files", "project_documents"),
    _project("Project File Versions", "project_documents"),
    _project("Project Folders", "project_documents"),
    _project("Specification Sections", "specification_sections", codes="CU"),
    _project("Specification Section Revisions", "specification_section_revisions"),
    _project("Specification Sets", "specification_sets"),
    _project("Specification Areas", "specification_areas"),
    _project("Specification Section Divisions", "specification_section_divisions"),
    _project("Images", "images"),
    _project("Image Categories", "image_categories"),
    _project("BIM Models", "bim_models"),
    _project("BIM Model Revisions", "bim_model_revisions"),
    _project("BIM File Extractions", "bim_file_extractions"),
    _project("Coordination Issues", "coordination_issues", "deleted_coordination_issues"),
    _project(
        "Coordination Issue Activities",
        "coordination_issue_activities",
        "deleted_coordination_issue_activities",
    ),
    _project("Accident Logs", "accident_logs"),
    _project("Safety Violation Logs", "safety_violation_logs"),
    _project("Budget Line Items", "budget_line_items"),
    _project("Budget Changes", "budget_changes"),
    _project("Budget Change Adjustments"),
    _project("Budget Change Adjustment Line Items", "budget_change_adjustment_line_items"),
    _project("Budget Change Production Quantities"),
    _project("Budget Modifications", "budget_modifications"),
    _project("Budget View Snapshots", "budget_view_snapshots", codes="C"),
    _project("Call Logs", "call_logs"),
    _project("Cost Codes", "cost_codes"),
    _project("Contract Payments", "contract_payments"),
    _project("Delivery Logs", "delivery_logs"),
    _project("Direct Costs", "direct_costs"),
    _project("Direct Cost Line Items", "direct_cost_line_items"),
    _project("Company Direct Cost Line Items"),
    _project("Draw Requests"),
    _project("Dumpster Logs", "dumpster_logs"),
    _project("Equipment Logs", "equipment_logs"),
    _project("File Versions", "project_documents"),
    _project("Forms", "forms", "deleted_forms"),
    _project("Generic Tool Items", "generic_tool_items"),
    _project("Locations", "locations"),
    _project("Manpower Logs", "manpower_logs"),
    _project("Markup Layers", codes="CU"),
    _project("Meeting Categories", "meeting_categories"),
    _project("Notes Logs", "notes_logs"),
    _project("Observation Items", "observations", "deleted_observations"),
    _project("Observation Item Response Logs", "observation_response_logs", codes="C"),
    _project("Pdf Download Pages"),
    _project("Plan Revision Logs", "plan_revision_logs"),
    _project("Prime Contracts", "prime_contracts"),
    _project("Prime Contract Line Items", "prime_contract_line_items"),
    _project("Productivity Logs", "productivity_logs"),
    _project("Project Dates", "project_dates"),
    _project("Project Insurances", "project_insurances"),
    _project("Project Users", "project_users"),
    _project("Project Vendors", "project_vendors"),
    _project(
        "Purchase Order Contracts",
        "purchase_order_contracts",
        "deleted_purchase_order_contracts",
        "commitment_contracts",
        "deleted_commitment_contracts",
    ),
    _project("Purchase Order Contract Line Items", "purchase_order_contract_line_items"),
    _project("Quantity Logs", "quantity_logs"),
    _project("RFQ Quotes", "rfq_quotes", codes="CU"),
    _project("RFQ Responses", "rfq_responses", codes="CU"),
    _project("RFQs", "rfqs"),
    _project("Site Instructions", "instructions"),
    _project("Sub Jobs", "sub_jobs"),
    _project("Task Items", "task_items", codes="CU"),
    _project("Tasks", "tasks"),
    _project("Timecard Entries", "timecard_entries"),
    _project("ToDos"),
    _project("Visitor Logs", "visitor_logs"),
    _project("Waste Logs", "waste_logs"),
    _project("Weather Logs", "weather_logs", codes="CU"),
    _project("Work Logs", "work_logs"),
    _project(
        "Work Order Contracts",
        "work_order_contracts",
        "deleted_work_order_contracts",
        "commitment_contracts",
        "deleted_commitment_contracts",
    ),
    _project("Work Order Contract Line Items", "work_order_contract_line_items"),
)

BY_NAME: dict[str, WebhookResource] = {resource.name: resource for resource in RESOURCES}


def resources_of(stream: str) -> list[WebhookResource]:
    """The resources whose records are rows of `stream`."""
    return [resource for resource in RESOURCES if stream in resource.streams]


def mapped_streams() -> set[str]:
    return {stream for resource in RESOURCES for stream in resource.streams}


def events_from_actions(actions: t.Any) -> frozenset[str] | None:
    """Event types of a `webhooks/resources` item's `actions`, or None if they cannot be read.

    The API description gives `actions` only as "array of objects"; an action may name its event
    as text or under one of a few keys."""
    if not isinstance(actions, list):
        return None
    found: set[str] = set()
    for action in actions:
        names: list[t.Any] = [action]
        if isinstance(action, dict):
            names = [action.get(key) for key in ("event_type", "name", "action", "type", "value")]
        for name in names:
            if isinstance(name, str) and name.strip().lower() in EVENT_TYPES:
                found.add(name.strip().lower())
    return frozenset(found) if found else None
