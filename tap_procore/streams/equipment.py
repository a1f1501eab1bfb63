"""Equipment: the v2 Equipment register (company and project) with its maintenance records,
attachments, projects and change history, its categories, makes, models, types and statuses,
and more of the v1.0 managed equipment lists."""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import CompanyStream, ProjectStream
from tap_procore.streams.field_productivity import EquipmentMaintenanceLogsStream

V2_MAX = 100  # Procore's v2 ceiling for per_page

# --- Equipment register (company) --------------------------------------------------------------


class EquipmentRegisterStream(CompanyStream):
    """The company's equipment register (v2.1), read by updated_at."""

    name = "equipment_register"
    path = "/rest/v2.1/companies/{company_id}/equipment_register"
    replication_key = "updated_at"
    max_page_size = V2_MAX
    child_id_key = "equipment_id"


class DeletedEquipmentRegisterStream(CompanyStream):
    """Deleted equipment (`filters[is_deleted]=true`)."""

    name = "deleted_equipment_register"
    path = "/rest/v2.1/companies/{company_id}/equipment_register"
    query: t.ClassVar[dict[str, str]] = {"filters[is_deleted]": "true"}
    replication_key = "updated_at"
    max_page_size = V2_MAX


class EquipmentMaintenanceRecordsStream(CompanyStream):
    """Maintenance records of each piece of equipment (one request per equipment)."""

    name = "equipment_maintenance_records"
    path = "/rest/v2.0/companies/{company_id}/equipment_register/{equipment_id}/maintenance/records"
    max_page_size = V2_MAX
    parent_stream_type = EquipmentRegisterStream


class EquipmentCategoriesStream(CompanyStream):
    name = "equipment_categories"
    path = "/rest/v2.0/companies/{company_id}/equipment_register_categories"
    max_page_size = V2_MAX


class EquipmentMakesStream(CompanyStream):
    name = "equipment_makes"
    path = "/rest/v2.0/companies/{company_id}/equipment_register_makes"
    max_page_size = V2_MAX


class EquipmentModelsStream(CompanyStream):
    name = "equipment_models"
    path = "/rest/v2.0/companies/{company_id}/equipment_register_models"
    max_page_size = V2_MAX


class EquipmentTypesStream(CompanyStream):
    name = "equipment_types"
    path = "/rest/v2.0/companies/{company_id}/equipment_register_types"
    max_page_size = V2_MAX


class EquipmentStatusesStream(CompanyStream):
    name = "equipment_statuses"
    path = "/rest/v2.0/companies/{company_id}/equipment_register/statuses"
    max_page_size = V2_MAX


class EquipmentFieldSetsStream(CompanyStream):
    name = "equipment_field_sets"
    path = "/rest/v2.0/companies/{company_id}/equipment_register/configurable_field_sets"
    max_page_size = V2_MAX


# --- Equipment register (project) --------------------------------------------------------------


class ProjectEquipmentRegisterStream(ProjectStream):
    """Equipment on each project (v2.1), read by updated_at."""

    name = "project_equipment_register"
    path = "/rest/v2.1/companies/{company_id}/projects/{project_id}/equipment_register"
    replication_key = "updated_at"
    max_page_size = V2_MAX
    child_id_key = "equipment_id"


class ProjectEquipmentUnmanagedStream(ProjectStream):
    """Equipment used on each project that the register does not manage."""

    name = "project_equipment_unmanaged"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/equipment_register"
        "/equipment_unmanaged"
    )
    replication_key = "updated_at"
    max_page_size = V2_MAX


class ProjectEquipmentMaintenanceRecordsStream(ProjectStream):
    """Maintenance records of each project's equipment (one request per equipment); opt-in:
    equipment_maintenance_records reads every equipment's."""

    name = "project_equipment_maintenance_records"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/equipment_register"
        "/{equipment_id}/maintenance/records"
    )
    max_page_size = V2_MAX
    parent_stream_type = ProjectEquipmentRegisterStream
    selected_by_default = False


class _ProjectEquipmentDimension(ProjectStream):
    """A dimension of the register as each project sees it; opt-in: the company lists hold
    them."""

    max_page_size = V2_MAX
    selected_by_default = False


class ProjectEquipmentCategoriesStream(_ProjectEquipmentDimension):
    name = "project_equipment_categories"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/equipment_register_categories"


class ProjectEquipmentMakesStream(_ProjectEquipmentDimension):
    name = "project_equipment_makes"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/equipment_register_makes"


class ProjectEquipmentModelsStream(_ProjectEquipmentDimension):
    name = "project_equipment_models"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/equipment_register_models"


class ProjectEquipmentTypesStream(_ProjectEquipmentDimension):
    name = "project_equipment_types"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/equipment_register_types"


class ProjectEquipmentStatusesStream(_ProjectEquipmentDimension):
    name = "project_equipment_statuses"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/equipment_register/statuses"


# --- Managed equipment (v1.0) ------------------------------------------------------------------


class ManagedEquipmentMakesStream(CompanyStream):
    name = "managed_equipment_makes"
    path = "/rest/v1.0/companies/{company_id}/managed_equipment_makes"
    replication_key = "updated_at"


class ManagedEquipmentModelsStream(CompanyStream):
    name = "managed_equipment_models"
    path = "/rest/v1.0/companies/{company_id}/managed_equipment_models"
    replication_key = "updated_at"


class ManagedEquipmentUserPermissionsStream(CompanyStream):
    """Who may do what with the company's managed equipment; opt-in."""

    name = "managed_equipment_user_permissions"
    path = "/rest/v1.0/companies/{company_id}/managed_equipment/user_permissions"
    selected_by_default = False


class MaintenanceLogAttachmentsStream(CompanyStream):
    """Attachments of each equipment maintenance log (one request per log); opt-in."""

    name = "maintenance_log_attachments"
    path = "/rest/v1.0/companies/{company_id}/managed_equipment_maintenance_logs/{id}/attachments"
    path_params: t.ClassVar[dict[str, str]] = {"id": "maintenance_log_id"}
    paginated = False
    parent_stream_type = EquipmentMaintenanceLogsStream
    selected_by_default = False


class ProjectManagedEquipmentStream(ProjectStream):
    """Managed equipment on each project, read by updated_at."""

    name = "project_managed_equipment"
    path = "/rest/v1.0/projects/{project_id}/managed_equipment"
    replication_key = "updated_at"


class ProjectManagedEquipmentLogsStream(ProjectStream):
    name = "project_managed_equipment_logs"
    path = "/rest/v1.0/projects/{project_id}/managed_equipment_logs"


class ProjectMaintenanceLogsStream(ProjectStream):
    name = "project_maintenance_logs"
    path = "/rest/v1.0/projects/{project_id}/managed_equipment_maintenance_logs"
