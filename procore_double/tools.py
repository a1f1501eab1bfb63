"""Which Procore project tool each route belongs to.

Procore answers 403 for every route of a tool that is switched off in a
project (notes §3.4).  The double decides a route's tool from the catalog's
module (and, where one module spans several tools, its tag).  Routes of
modules not listed here belong to no tool and are never switched off.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tool:
    engine_name: str
    title: str


# Procore's main project tools, in the order `/projects/{id}/tools` lists them.
TOOLS: tuple[Tool, ...] = (
    Tool("directory", "Directory"),
    Tool("documents", "Documents"),
    Tool("drawings", "Drawings"),
    Tool("specifications", "Specifications"),
    Tool("rfi", "RFIs"),
    Tool("submittal_log", "Submittals"),
    Tool("punch_list", "Punch List"),
    Tool("daily_log", "Daily Log"),
    Tool("meetings", "Meetings"),
    Tool("photos", "Photos"),
    Tool("schedule", "Schedule"),
    Tool("checklists", "Inspections"),
    Tool("observations", "Observations"),
    Tool("incidents", "Incidents"),
    Tool("forms", "Forms"),
    Tool("action_plans", "Action Plans"),
    Tool("coordination_issues", "Coordination Issues"),
    Tool("tasks", "Tasks"),
    Tool("timesheets", "Timesheets"),
    Tool("bidding", "Bidding"),
    Tool("bim", "Models"),
    Tool("budget", "Budget"),
    Tool("change_events", "Change Events"),
    Tool("commitments", "Commitments"),
    Tool("prime_contracts", "Prime Contracts"),
    Tool("direct_costs", "Direct Costs"),
)

TOOL_NAMES = frozenset(tool.engine_name for tool in TOOLS)

# Catalog module -> tool engine name.
MODULE_TOOLS: dict[str, str] = {
    "RFI": "rfi",
    "Submittals": "submittal_log",
    "Punch List": "punch_list",
    "Daily Log": "daily_log",
    "Change Events": "change_events",
    "Budget": "budget",
    "Commitments": "commitments",  # purchase order / work order contracts
    "Prime Contracts": "prime_contracts",
    "Direct Costs": "direct_costs",
    "Drawings": "drawings",
    "Specifications": "specifications",
    "Meetings": "meetings",
    "Photos": "photos",
    "Schedule (Legacy)": "schedule",
    "Scheduling": "schedule",
    "Inspections": "checklists",
    "Observations": "observations",
    "Incidents": "incidents",
    "Forms": "forms",
    "Action Plans": "action_plans",
    "Coordination Issues": "coordination_issues",
    "Directory": "directory",
    "Documents": "documents",
    "Bid Management": "bidding",
    "BIM": "bim",
    "Tasks": "tasks",
}

# Modules that mix tools: (module, word in the tag) -> tool.  "Field
# Productivity" holds timesheets/timecards next to equipment and T&M tickets.
TAG_TOOLS: dict[tuple[str, str], str] = {
    ("Field Productivity", "timesheet"): "timesheets",
    ("Field Productivity", "timecard"): "timesheets",
}


def tool_for_route(module: str | None, tag: str | None) -> str | None:
    if not module:
        return None
    resource_tag = (tag or "").rsplit("/", 1)[-1]
    for (tag_module, word), tool in TAG_TOOLS.items():
        if module == tag_module and word in resource_tag:
            return tool
    return MODULE_TOOLS.get(module)
