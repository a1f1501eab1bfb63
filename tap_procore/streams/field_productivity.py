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


class TimecardEntriesStream(ProjectStream):
    """Timecard entries of each project. Without start_date/end_date Procore answers only the
    last 7 days, so the list is read in start_date/end_date windows from the bookmark (minus
    log_lookback_days) to today, and the bookmark is the entry's `date`."""

    name = "timecard_entries"
    path = "/rest/v1.0/timecard_entries"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
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
