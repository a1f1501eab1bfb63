"""Correspondence: the company's generic tools (correspondence types: notices, transmittals,
NCRs, ...) and their items in each project, with the items' responses and change history."""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import CompanyStream, ProjectStream


class GenericToolsStream(CompanyStream):
    """The company's generic tools, one per correspondence type."""

    name = "generic_tools"
    path = "/rest/v1.0/companies/{company_id}/generic_tools"
    child_id_key = "generic_tool_id"


class GenericToolStatusesStream(CompanyStream):
    """Statuses of each generic tool (one request per tool)."""

    name = "generic_tool_statuses"
    path = "/rest/v1.0/companies/{company_id}/generic_tools/{generic_tool_id}/statuses"
    parent_stream_type = GenericToolsStream


class CorrespondenceTypeItemsStream(ProjectStream):
    """Every correspondence item of the project, of every type, in one listing."""

    name = "correspondence_type_items"
    path = "/rest/v1.0/projects/{project_id}/correspondence_type_items"
    replication_key = "updated_at"


class DeletedCorrespondenceTypeItemsStream(ProjectStream):
    """Correspondence items in the recycle bin (`filters[recycle_bin]=true`)."""

    name = "deleted_correspondence_type_items"
    path = "/rest/v1.0/projects/{project_id}/correspondence_type_items"
    query: t.ClassVar[dict[str, str]] = {"filters[recycle_bin]": "true"}
    replication_key = "updated_at"


class GenericToolItemsStream(ProjectStream):
    """Items of each generic tool in each project (one listing per tool and project): the same
    items as correspondence_type_items, whose listing covers every tool at once; opt-in."""

    name = "generic_tool_items"
    path = "/rest/v1.0/projects/{project_id}/generic_tools/{generic_tool_id}/generic_tool_items"
    ids_from = ("generic_tools",)
    id_param = "generic_tool_id"
    replication_key = "updated_at"
    child_id_key = "generic_tool_item_id"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "generic_tool_id", "id")
    selected_by_default = False


class GenericToolItemResponsesStream(ProjectStream):
    """Responses to each generic tool item (one request per item); opt-in."""

    name = "generic_tool_item_responses"
    path = (
        "/rest/v1.0/projects/{project_id}/generic_tools/{generic_tool_id}/generic_tool_items"
        "/{generic_tool_item_id}/generic_tool_item_responses"
    )
    parent_stream_type = GenericToolItemsStream
    selected_by_default = False


class GenericToolItemChangeHistoriesStream(ProjectStream):
    """Change history of each generic tool item (one request per item); opt-in."""

    name = "generic_tool_item_change_histories"
    path = (
        "/rest/v1.0/projects/{project_id}/generic_tools/{generic_tool_id}/generic_tool_items"
        "/{generic_tool_item_id}/change_histories"
    )
    parent_stream_type = GenericToolItemsStream
    selected_by_default = False


class GenericToolAvailableStatusesStream(ProjectStream):
    """Statuses an item of each generic tool can take in each project; rows are keyed by their
    name (Procore gives them no id); opt-in: generic_tool_statuses lists them per company."""

    name = "generic_tool_available_statuses"
    path = (
        "/rest/v1.0/projects/{project_id}/generic_tools/{generic_tool_id}/generic_tool_items"
        "/available_statuses"
    )
    ids_from = ("generic_tools",)
    id_param = "generic_tool_id"
    surrogate_key_of = ("name",)
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "generic_tool_id", "row_key")
    selected_by_default = False


class CorrespondenceTypePermissionsStream(ProjectStream):
    """Who may do what in each correspondence type of the project; opt-in."""

    name = "correspondence_type_permissions"
    path = "/rest/v1.0/projects/{project_id}/correspondence_types/permissions"
    selected_by_default = False


class CorrespondenceTypeUsersStream(ProjectStream):
    """Users with access to the project's correspondence types; opt-in."""

    name = "correspondence_type_users"
    path = "/rest/v1.0/projects/{project_id}/correspondence_types/users"
    selected_by_default = False


class CustomToolUsersStream(ProjectStream):
    """Users with access to the project's custom tools; opt-in."""

    name = "custom_tool_users"
    path = "/rest/v1.0/projects/{project_id}/custom_tools/users"
    selected_by_default = False
