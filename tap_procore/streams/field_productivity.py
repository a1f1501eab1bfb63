"""Field Productivity: equipment, timecards, timesheets, work classifications."""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import CompanyStream, ProjectStream


class ManagedEquipmentStream(CompanyStream):
    """Company equipment register (company level; Procore has a project variant too)."""

    name = "managed_equipment"
    path = "/rest/v1.0/companies/{company_id}/managed_equipment"
    replication_key = "updated_at"


class EquipmentMaintenanceLogsStream(CompanyStream):
    """Maintenance logs of the company's equipment (company level)."""

    name = "equipment_maintenance_logs"
    path = "/rest/v1.0/companies/{company_id}/managed_equipment_maintenance_logs"
    child_id_key = "maintenance_log_id"


class TimecardEntriesStream(ProjectStream):
    """Timecard entries of each project. Without start_date/end_date Procore answers only the
    last 7 days, so the list is read in start_date/end_date windows from the bookmark (minus
    log_lookback_days) to today, and the bookmark is the entry's `date`."""

    name = "timecard_entries"
    path = "/rest/v1.0/timecard_entries"
    replication_key = "date"
    date_params = ("start_date", "end_date")
    tool = "timesheets"


# --- beyond the first stream list (every stream, with its level and path: docs/streams.md) ---


class TimesheetsStream(ProjectStream):
    """Timesheets of each project (with their timecard entries)."""

    name = "timesheets"
    path = "/rest/v1.0/projects/{project_id}/timesheets"
    replication_key = "updated_at"
    tool = "timesheets"


class WorkClassificationsStream(CompanyStream):
    """Company work classifications (trade/labour classes used on timecards and crews)."""

    name = "work_classifications"
    path = "/rest/v1.0/companies/{company_id}/work_classifications"


class ManagedEquipmentLogsStream(CompanyStream):
    """Equipment on/off-site and induction logs across the company's projects."""

    name = "managed_equipment_logs"
    path = "/rest/v1.0/companies/{company_id}/managed_equipment_logs"


class ManagedEquipmentTypesStream(CompanyStream):
    name = "managed_equipment_types"
    path = "/rest/v1.0/companies/{company_id}/managed_equipment_types"


class ManagedEquipmentCategoriesStream(CompanyStream):
    name = "managed_equipment_categories"
    path = "/rest/v1.0/companies/{company_id}/managed_equipment_categories"


# --- breadth: time and materials, equipment timecards, production quantities ---------------


class TimeAndMaterialEntriesStream(ProjectStream):
    """T&M tickets of each project."""

    name = "time_and_material_entries"
    path = "/rest/v1.0/projects/{project_id}/time_and_material_entries"


class TimeAndMaterialEntrySignaturesStream(ProjectStream):
    name = "time_and_material_entry_signatures"
    path = "/rest/v1.0/projects/{project_id}/time_and_material_entries/signatures"


class TimeAndMaterialEntryAttachmentsStream(ProjectStream):
    name = "time_and_material_entry_attachments"
    path = "/rest/v1.0/projects/{project_id}/time_and_material_entry_attachments"
    paginated = False


class TimeAndMaterialEntryFieldSetsStream(ProjectStream):
    name = "time_and_material_entry_field_sets"
    path = "/rest/v1.0/projects/{project_id}/time_and_material_entries/configurable_field_sets"


class TimeAndMaterialTimecardsStream(ProjectStream):
    name = "time_and_material_timecards"
    path = "/rest/v1.0/projects/{project_id}/time_and_material_timecards"
    tool = "timesheets"


class TimeAndMaterialEquipmentLogsStream(ProjectStream):
    name = "time_and_material_equipment_logs"
    path = "/rest/v1.0/projects/{project_id}/time_and_material_equipment_logs"


class EquipmentTimecardEntriesStream(ProjectStream):
    """Equipment timecard entries of each project, read by their updated_at."""

    name = "equipment_timecard_entries"
    path = "/rest/v1.0/companies/{company_id}/projects/{project_id}/equipment_timecard_entries"
    replication_key = "updated_at"
    tool = "timesheets"


class ActualProductionQuantitiesStream(ProjectStream):
    name = "actual_production_quantities"
    path = "/rest/v1.0/projects/{project_id}/actual_production_quantities"
    replication_key = "updated_at"


class FieldProductionReportStream(ProjectStream):
    """Production rates per cost code and sub job (Procore's field production report), keyed
    by both; opt-in."""

    name = "field_production_report"
    path = "/rest/v1.0/field_production_report"
    surrogate_key_of = ("cost_code_id", "sub_job_id")
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "row_key")
    selected_by_default = False


class MaterialsStream(ProjectStream):
    name = "materials"
    path = "/rest/v1.0/projects/{project_id}/materials"


class TaskCodesStream(ProjectStream):
    name = "task_codes"
    path = "/rest/v1.0/projects/{project_id}/task_codes"


class CompanyTimecardEntriesStream(CompanyStream):
    """Every timecard entry of the company in one listing, read by updated_at; opt-in:
    timecard_entries reads them project by project."""

    name = "company_timecard_entries"
    path = "/rest/v1.0/companies/{company_id}/timecard_entries"
    replication_key = "updated_at"
    child_id_key = "timecard_entry_id"
    selected_by_default = False


class TimecardEntryChangeHistoryStream(CompanyStream):
    """Changes to each company timecard entry (one request per entry; rows keyed by column and
    time); opt-in."""

    name = "timecard_entry_change_history"
    path = "/rest/v1.0/companies/{company_id}/timecard_entries/{id}/change_history"
    path_params: t.ClassVar[dict[str, str]] = {"id": "timecard_entry_id"}
    paginated = False
    parent_stream_type = CompanyTimecardEntriesStream
    surrogate_key_of = ("column", "created_at")
    selected_by_default = False


class ProjectTimecardEntriesStream(ProjectStream):
    """Timecard entries through the project-scoped list, in date windows as timecard_entries;
    opt-in: timecard_entries reads the same entries."""

    name = "project_timecard_entries"
    path = "/rest/v1.0/projects/{project_id}/timecard_entries"
    replication_key = "date"
    date_params = ("start_date", "end_date")
    tool = "timesheets"
    selected_by_default = False


class CompanyTimecardTimeTypesStream(CompanyStream):
    """Time types of the company (timecard_time_types reads each project's)."""

    name = "company_timecard_time_types"
    path = "/rest/v1.0/companies/{company_id}/timecard_time_types"
    paginated = False


class TimesheetChangeHistoryStream(ProjectStream):
    name = "timesheet_change_history"
    path = "/rest/v1.0/projects/{project_id}/timesheets/change_history"
    paginated = False
    tool = "timesheets"


class TimesheetSignaturesStream(ProjectStream):
    name = "timesheet_signatures"
    path = "/rest/v1.0/projects/{project_id}/timesheets/signatures"
    tool = "timesheets"


class TimesheetCostCodesStream(ProjectStream):
    """Cost codes timesheets may use in each project; opt-in."""

    name = "timesheet_cost_codes"
    path = "/rest/v1.0/projects/{project_id}/timesheets/scoped_cost_codes"
    tool = "timesheets"
    selected_by_default = False


class GpsPositionsStream(CompanyStream):
    name = "gps_positions"
    path = "/rest/v1.0/companies/{company_id}/gps_positions"
    replication_key = "updated_at"
