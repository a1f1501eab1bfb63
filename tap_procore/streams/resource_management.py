"""Resource Management: Workforce Planning (Resource Planning) people, projects, groups, job
titles, tags and custom fields.

Resource Planning keeps its own records (its projects are not Procore's projects) under UUID
ids, which stay text. Its lists are paged from page 0, up to 400 rows a page, with no page size
parameter and no paging headers: a full page says there may be more.
"""

from __future__ import annotations

from tap_procore.hierarchy import CompanyStream

WORKFORCE = "/rest/v1.0/workforce-planning/v2/companies/{company_id}"


class _ResourcePlanningPaged(CompanyStream):
    page_base = 0
    per_page_param = None
    max_page_size = 400  # "Each page contains up to 400" rows


class WorkforcePeopleStream(_ResourcePlanningPaged):
    """People in Resource Planning, read by their updated_at (`updated_after`)."""

    name = "workforce_people"
    path = f"{WORKFORCE}/people"
    replication_key = "updated_at"
    updated_at_param = "updated_after"


class WorkforceProjectsStream(_ResourcePlanningPaged):
    """Resource Planning's projects."""

    name = "workforce_projects"
    path = f"{WORKFORCE}/projects"


class WorkforceGroupsStream(CompanyStream):
    name = "workforce_groups"
    path = f"{WORKFORCE}/groups"
    paginated = False
    child_id_key = "group_id"


class WorkforceGroupPeopleStream(_ResourcePlanningPaged):
    """People of each group (one listing per group); opt-in: workforce_people lists them with
    their group ids."""

    name = "workforce_group_people"
    path = f"{WORKFORCE}/groups/{{group_id}}/groups/people"
    replication_key = "updated_at"
    updated_at_param = "updated_after"
    parent_stream_type = WorkforceGroupsStream
    selected_by_default = False


class WorkforceGroupProjectsStream(_ResourcePlanningPaged):
    """Projects of each group (one listing per group); opt-in."""

    name = "workforce_group_projects"
    path = f"{WORKFORCE}/groups/{{group_id}}/projects"
    parent_stream_type = WorkforceGroupsStream
    selected_by_default = False


class WorkforceGroupJobTitlesStream(CompanyStream):
    """Job titles of each group; opt-in: workforce_job_titles lists them with their groups."""

    name = "workforce_group_job_titles"
    path = f"{WORKFORCE}/groups/{{group_id}}/job-titles"
    paginated = False
    parent_stream_type = WorkforceGroupsStream
    selected_by_default = False


class WorkforceGroupTagsStream(CompanyStream):
    """Tags of each group; opt-in: workforce_tags lists them with their groups."""

    name = "workforce_group_tags"
    path = f"{WORKFORCE}/groups/{{group_id}}/tags"
    paginated = False
    parent_stream_type = WorkforceGroupsStream
    selected_by_default = False


class WorkforceJobTitlesStream(CompanyStream):
    name = "workforce_job_titles"
    path = f"{WORKFORCE}/job-titles"
    paginated = False


class WorkforceTagsStream(CompanyStream):
    name = "workforce_tags"
    path = f"{WORKFORCE}/tags"
    paginated = False


class WorkforceCustomFieldsStream(CompanyStream):
    name = "workforce_custom_fields"
    path = f"{WORKFORCE}/custom-fields"
    paginated = False
