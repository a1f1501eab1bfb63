"""What a stream does not declare is derived from its parent (tap_procore/declarations.py)."""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import CompanyStream, ProjectStream
from tap_procore.streams import STREAM_TYPES


def stream(name: str) -> t.Any:
    return next(cls for cls in STREAM_TYPES if vars(cls)["name"] == name)


def test_a_child_takes_its_key_tool_and_project_query_from_its_parent():
    class RfiNotes(ProjectStream):
        name = "rfi_notes"
        path = "/rest/v1.0/rfis/{rfi_id}/notes"
        parent_stream_type = stream("rfis")

    assert RfiNotes.primary_keys == ("project_id", "rfi_id", "id")
    assert RfiNotes.tool == stream("rfis").tool == "rfi"
    assert RfiNotes.query == {"project_id": "{project_id}"}


def test_what_a_stream_declares_wins_over_what_it_would_derive():
    class Odd(ProjectStream):
        name = "odd"
        path = "/rest/v1.0/projects/{project_id}/rfis/{rfi_id}/odd"
        parent_stream_type = stream("rfis")
        primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "odd_id")
        tool = None
        query: t.ClassVar[dict[str, str]] = {"view": "extended"}

    assert Odd.primary_keys == ("project_id", "odd_id")
    assert Odd.tool is None
    assert Odd.query == {"view": "extended"}  # the path carries the project


def test_rows_without_ids_are_keyed_by_row_key_and_company_children_by_company():
    class Rows(CompanyStream):
        name = "rows"
        path = "/rest/v1.0/companies/{company_id}/bids/{bid_id}/rows"
        parent_stream_type = stream("company_bids")
        surrogate_key_of = ("name",)

    assert Rows.primary_keys == ("company_id", "bid_id", "row_key")
    assert Rows.query == {}


def test_every_listed_project_level_stream_names_its_project():
    for cls in STREAM_TYPES:
        if cls.embedded_in is None and "{project_id}" not in cls.path:
            level = cls
            while level.parent_stream_type and not level.parent_stream_type.is_scope_source:
                level = level.parent_stream_type
            if level.parent_stream_type is not None and level.parent_stream_type.name == "projects":
                assert cls.query.get("project_id") == "{project_id}", cls.name
