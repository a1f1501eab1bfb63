"""The stream registry: every stream class, in the order the tree needs.

Company-level streams come before `projects` so that, when the projects of a company start,
its company-level streams are finished (the sweep's position relies on it).
"""

from __future__ import annotations

import inspect

from tap_procore.client import ProcoreStream
from tap_procore.hierarchy import CompaniesStream, CompanyStream, ProjectsStream, ProjectStream
from tap_procore.streams import (
    company_admin,
    core,
    core_lists,
    correspondence,
    equipment,
    estimating,
    field_productivity,
    financials,
    platform,
    project_management,
    quality_safety,
    resource_management,
    scheduling,
    utilities,
)

# Each module's category, as docs/streams.md shows it.
CATEGORY_MODULES = (
    ("Core Tools", core),
    ("Core Tools", core_lists),
    ("Core Tools", equipment),
    ("Project Management", project_management),
    ("Project Management", scheduling),
    ("Quality & Safety", quality_safety),
    ("Construction Financials", financials),
    ("Field Productivity", field_productivity),
    ("Utilities", utilities),
    ("Company Admin", company_admin),
    ("Company Admin", correspondence),
    ("Preconstruction", estimating),
    ("Resource Management", resource_management),
    ("Platform", platform),
)


def _declared_streams() -> list[type[ProcoreStream]]:
    found: list[type[ProcoreStream]] = []
    for _, module in CATEGORY_MODULES:
        for _, value in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(value, ProcoreStream)
                and value.__module__ == module.__name__
                and "name" in value.__dict__
            ):
                found.append(value)
    # `name` is declared by each stream class (checked above), not only on its instances.
    return sorted(found, key=lambda stream_class: str(vars(stream_class)["name"]))


def depth_of(stream_class: type[ProcoreStream]) -> int:
    """Levels below the root: companies 0, company-level streams and projects 1, ..."""
    depth, parent = 0, stream_class.parent_stream_type
    while parent is not None:
        depth, parent = depth + 1, parent.parent_stream_type
    return depth


def category_of(stream_class: type[ProcoreStream]) -> str:
    if stream_class in (CompaniesStream, ProjectsStream):
        return "Core Tools"
    for category, module in CATEGORY_MODULES:
        if stream_class.__module__ == module.__name__:
            return category
    raise LookupError(stream_class.__name__)


_declared = _declared_streams()
STREAM_TYPES: list[type[ProcoreStream]] = [
    CompaniesStream,
    *[s for s in _declared if issubclass(s, CompanyStream) and depth_of(s) == 1],
    ProjectsStream,
    *sorted(
        (s for s in _declared if not (issubclass(s, CompanyStream) and depth_of(s) == 1)),
        key=depth_of,
    ),
]

__all__ = ["STREAM_TYPES", "CompanyStream", "ProjectStream", "category_of", "depth_of"]
