"""Construction Financials: budgets, contracts, change orders, change events, direct costs,
invoices and payments, cost codes and the work breakdown structure."""

from __future__ import annotations

import hashlib
import typing as t

from tap_procore.hierarchy import CompanyStream, ProjectStream

PROJECT_QUERY: dict[str, str] = {"project_id": "{project_id}"}
COMPANY_QUERY: dict[str, str] = {"company_id": "{company_id}"}
ONLY_DELETED: dict[str, str] = {"filters[include_deleted]": "only"}
# Every kind of contract a payment, change order request or RFQ can belong to.
ALL_CONTRACTS = ("prime_contracts", "purchase_order_contracts", "work_order_contracts")
COMMITMENT_CONTRACTS = ("purchase_order_contracts", "work_order_contracts")


def _budget_row_key(row: dict[str, t.Any]) -> str:
    """The row's id when it has one; unbudgeted rows come without an id and are keyed by a
    digest of their cost code, category, biller and WBS code."""
    if row.get("id") is not None:
        return str(row["id"])
    parts = [
        str(row.get(field))
        for field in (
            "budget_row_type",
            "cost_code_id",
            "category_id",
            "biller_id",
            "biller_type",
            "wbs_code_id",
        )
    ]
    return "unbudgeted:" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


BUDGET_ROW_KEY = (
    "Key derived by tap-procore: the row's id, or for unbudgeted rows (which have none) "
    "'unbudgeted:' and a digest of budget_row_type, cost_code_id, category_id, biller_id, "
    "biller_type and wbs_code_id; #2, #3, ... appended when a key repeats in one list."
)


# --- Budget --------------------------------------------------------------------------------


class BudgetChangesStream(ProjectStream):
    """Budget change summary rows (the v1.0 list answers {"data": [...]}, which the base
    unwraps). A summary row does not carry every field of a budget change; the adjustment
    line items are in `budget_change_adjustment_line_items`."""

    name = "budget_changes"
    path = "/rest/v1.0/projects/{project_id}/budget_changes"
    paginated = False
    tool = "budget"


class BudgetViewsStream(ProjectStream):
    name = "budget_views"
    path = "/rest/v1.0/budget_views"
    tool = "budget"
    child_id_key = "budget_view_id"


class BudgetViewDetailRowsStream(ProjectStream):
    """Rows of each budget view. Unbudgeted rows come without an id, so rows are keyed by
    `row_key`: the id when there is one, else a digest of the row's cost code, category,
    biller and WBS code. A row's id is its budget line item's id (the endpoint filters rows by
    `budget_line_item_id[]`); budget_line_items hangs from it."""

    name = "budget_view_detail_rows"
    path = "/rest/v1.0/budget_views/{budget_view_id}/detail_rows"
    parent_stream_type = BudgetViewsStream
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "budget_view_id", "row_key")
    row_key_description = BUDGET_ROW_KEY
    child_id_key = "budget_line_item_id"
    child_id_field = "id"

    def surrogate_key(self, row: dict[str, t.Any]) -> str:
        return _budget_row_key(row)


class BudgetLineItemsStream(ProjectStream):
    """Show-only endpoint (there is no list of budget line items): one request per budget line
    item, for the ids of the budget view detail rows (unbudgeted rows have none). Not selected
    by default: it costs one request per line item and per budget view listing it, and the
    detail rows already carry the budget numbers; select it for the line items' quantity, unit
    cost, UOM and calculation strategy."""

    name = "budget_line_items"
    path = "/rest/v1.1/budget_line_items/{id}"
    path_params: t.ClassVar[dict[str, str]] = {"id": "budget_line_item_id"}
    parent_stream_type = BudgetViewDetailRowsStream
    # One line item, whichever budget view listed it.
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "id")
    paginated = False
    response_kind = "object"
    selected_by_default = False


class BudgetViewSummaryRowsStream(ProjectStream):
    """Totals of each budget view, one row per biller (the project or a sub job): `group_by`
    is pinned to `biller` because the row type follows `group_by` and Procore's default
    (`biller,root_cost_code`) gives rows that carry no biller to key them by. A row's `id` is
    its biller's, unique only together with `biller_type`, which may be null: keyed by
    `row_key` ([biller_type, id]). The finer grain is in budget_view_detail_rows."""

    name = "budget_view_summary_rows"
    path = "/rest/v1.0/budget_views/{budget_view_id}/summary_rows"
    query: t.ClassVar[dict[str, str]] = {"group_by": "biller"}
    parent_stream_type = BudgetViewsStream
    surrogate_key_of = ("biller_type", "id")


class BudgetDetailColumnsStream(ProjectStream):
    """The columns of each budget view: what the extra keys of its detail and summary rows
    mean (source or formula, name, position)."""

    name = "budget_detail_columns"
    path = "/rest/v1.0/budget_views/{budget_view_id}/budget_detail_columns"
    parent_stream_type = BudgetViewsStream
    paginated = False


class BudgetViewSnapshotsStream(ProjectStream):
    name = "budget_view_snapshots"
    path = "/rest/v1.0/budget_view_snapshots"
    tool = "budget"
    child_id_key = "budget_view_snapshot_id"


class BudgetViewSnapshotDetailRowsStream(ProjectStream):
    """Rows of each budget view snapshot. The snapshot endpoint returns budgeted and unbudgeted
    rows by default, and unbudgeted rows have no id: keyed by `row_key` as the live detail
    rows are."""

    name = "budget_view_snapshot_detail_rows"
    path = "/rest/v1.0/budget_view_snapshots/{budget_view_snapshot_id}/detail_rows"
    parent_stream_type = BudgetViewSnapshotsStream
    primary_keys: t.ClassVar[tuple[str, ...]] = (
        "project_id",
        "budget_view_snapshot_id",
        "row_key",
    )
    row_key_description = BUDGET_ROW_KEY

    def surrogate_key(self, row: dict[str, t.Any]) -> str:
        return _budget_row_key(row)


class BudgetModificationsStream(ProjectStream):
    name = "budget_modifications"
    path = "/rest/v1.0/projects/{project_id}/budget_modifications"
    tool = "budget"


class BudgetMetadataStream(ProjectStream):
    """One object per project ("Show Budget meta data": whether the budget is locked)."""

    name = "budget_metadata"
    path = "/rest/v1.0/projects/{project_id}/budget"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id",)
    paginated = False
    response_kind = "object"
    tool = "budget"


class ManualForecastLineItemsStream(ProjectStream):
    name = "manual_forecast_line_items"
    path = "/rest/v1.0/projects/{project_id}/manual_forecast_line_items"
    paginated = False
    tool = "budget"


class MonitoringResourcesStream(ProjectStream):
    name = "monitoring_resources"
    path = "/rest/v1.0/projects/{project_id}/monitoring_resources"
    paginated = False
    tool = "budget"


class BudgetChangeAdjustmentLineItemsStream(ProjectStream):
    """Budget changes as their adjustment line items (each carries its budget change's id,
    number, name and status), from the v2.0 list. The budget change summary rows are
    `budget_changes` (v1.0; the base unwraps its `{"data": [...]}` like any list's, see
    AnswerJudge._records_in in tap_procore/answers.py)."""

    name = "budget_change_adjustment_line_items"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}"
        "/budget_changes/adjustment_line_items"
    )
    max_page_size = 100
    tool = "budget"


class BudgetedProductionQuantitiesStream(ProjectStream):
    name = "budgeted_production_quantities"
    path = "/rest/v1.0/projects/{project_id}/budgeted_production_quantities"
    replication_key = "updated_at"
    tool = "budget"


# --- Prime contracts -----------------------------------------------------------------------


class PrimeContractsStream(ProjectStream):
    name = "prime_contracts"
    path = "/rest/v1.0/prime_contracts"
    replication_key = "updated_at"
    tool = "prime_contracts"
    child_id_key = "contract_id"


class PrimeContractLineItemsStream(ProjectStream):
    """Schedule of values of each prime contract read in this run."""

    name = "prime_contract_line_items"
    path = "/rest/v1.0/prime_contracts/{prime_contract_id}/line_items"
    path_params: t.ClassVar[dict[str, str]] = {"prime_contract_id": "contract_id"}
    parent_stream_type = PrimeContractsStream
    replication_key = "updated_at"


class PrimeChangeOrdersStream(ProjectStream):
    """No paging declared: one response per project."""

    name = "prime_change_orders"
    path = "/rest/v1.0/projects/{project_id}/prime_change_orders"
    replication_key = "updated_at"
    paginated = False
    tool = "prime_contracts"
    child_id_key = "prime_change_order_id"


class PrimeChangeOrderLineItemsStream(ProjectStream):
    """Line items of each prime change order read in this run (v2: the only list of them)."""

    name = "prime_change_order_line_items"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}"
        "/prime_change_orders/{prime_change_order_id}/line_items"
    )
    parent_stream_type = PrimeChangeOrdersStream
    max_page_size = 100


class PrimeChangeOrderBatchesStream(ProjectStream):
    name = "prime_change_order_batches"
    path = "/rest/v1.0/projects/{project_id}/prime_change_order_batches"
    replication_key = "updated_at"
    paginated = False
    tool = "prime_contracts"


class PaymentApplicationsStream(ProjectStream):
    """Owner invoices of every prime contract of the project, in one listing."""

    name = "payment_applications"
    path = "/rest/v1.0/payment_applications"
    tool = "prime_contracts"


# --- Commitments ---------------------------------------------------------------------------


class PurchaseOrderContractsStream(ProjectStream):
    name = "purchase_order_contracts"
    path = "/rest/v1.0/purchase_order_contracts"
    replication_key = "updated_at"
    tool = "commitments"
    child_id_key = "contract_id"


class DeletedPurchaseOrderContractsStream(PurchaseOrderContractsStream):
    name = "deleted_purchase_order_contracts"
    query: t.ClassVar[dict[str, str]] = {**ONLY_DELETED}


class PurchaseOrderContractLineItemsStream(ProjectStream):
    """Schedule of values of each purchase order contract read in this run."""

    name = "purchase_order_contract_line_items"
    path = "/rest/v1.0/purchase_order_contracts/{purchase_order_contract_id}/line_items"
    path_params: t.ClassVar[dict[str, str]] = {"purchase_order_contract_id": "contract_id"}
    parent_stream_type = PurchaseOrderContractsStream
    replication_key = "updated_at"


class PurchaseOrderContractDetailLineItemsStream(ProjectStream):
    """Subcontractor SOV (detail) lines of each purchase order contract read in this run."""

    name = "purchase_order_contract_detail_line_items"
    path = (
        "/rest/v1.0/purchase_order_contracts/{purchase_order_contract_id}"
        "/line_item_contract_details"
    )
    path_params: t.ClassVar[dict[str, str]] = {"purchase_order_contract_id": "contract_id"}
    parent_stream_type = PurchaseOrderContractsStream
    paginated = False


class WorkOrderContractsStream(ProjectStream):
    name = "work_order_contracts"
    path = "/rest/v1.0/work_order_contracts"
    replication_key = "updated_at"
    tool = "commitments"
    child_id_key = "contract_id"


class DeletedWorkOrderContractsStream(WorkOrderContractsStream):
    name = "deleted_work_order_contracts"
    query: t.ClassVar[dict[str, str]] = {**ONLY_DELETED}


class WorkOrderContractLineItemsStream(ProjectStream):
    """Schedule of values of each work order contract read in this run."""

    name = "work_order_contract_line_items"
    path = "/rest/v1.0/work_order_contracts/{work_order_contract_id}/line_items"
    path_params: t.ClassVar[dict[str, str]] = {"work_order_contract_id": "contract_id"}
    parent_stream_type = WorkOrderContractsStream
    replication_key = "updated_at"


class WorkOrderContractDetailLineItemsStream(ProjectStream):
    """Subcontractor SOV (detail) lines of each work order contract read in this run."""

    name = "work_order_contract_detail_line_items"
    path = "/rest/v1.0/work_order_contracts/{work_order_contract_id}/line_item_contract_details"
    path_params: t.ClassVar[dict[str, str]] = {"work_order_contract_id": "contract_id"}
    parent_stream_type = WorkOrderContractsStream
    paginated = False


class CommitmentContractsStream(ProjectStream):
    """Purchase order and work order contracts in one v2 listing (string ids converted)."""

    name = "commitment_contracts"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/commitment_contracts"
    replication_key = "updated_at"
    max_page_size = 100
    tool = "commitments"
    child_id_key = "commitment_contract_id"


class DeletedCommitmentContractsStream(CommitmentContractsStream):
    name = "deleted_commitment_contracts"
    query: t.ClassVar[dict[str, str]] = ONLY_DELETED


class CommitmentChangeOrdersStream(ProjectStream):
    """No paging declared: one response per project. Procore serves this list for projects
    with 1- and 2-tier change orders."""

    name = "commitment_change_orders"
    path = "/rest/v1.0/projects/{project_id}/commitment_change_orders"
    replication_key = "updated_at"
    paginated = False
    tool = "commitments"
    child_id_key = "commitment_change_order_id"


class CommitmentChangeOrderLineItemsStream(ProjectStream):
    """Line items of each commitment change order read in this run (v2: the only list)."""

    name = "commitment_change_order_line_items"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}"
        "/commitment_change_orders/{commitment_change_order_id}/line_items"
    )
    parent_stream_type = CommitmentChangeOrdersStream
    max_page_size = 100


class CommitmentChangeOrderBatchesStream(ProjectStream):
    name = "commitment_change_order_batches"
    path = "/rest/v1.0/projects/{project_id}/commitment_change_order_batches"
    replication_key = "updated_at"
    paginated = False
    tool = "commitments"


class RequisitionsStream(ProjectStream):
    """Subcontractor invoices (v1.1, the newer version of the resource)."""

    name = "requisitions"
    path = "/rest/v1.1/requisitions"
    replication_key = "updated_at"
    tool = "commitments"
    child_id_key = "requisition_id"


class RequisitionContractItemsStream(ProjectStream):
    """Billed lines (against the contract's SOV) of each requisition read in this run."""

    name = "requisition_contract_items"
    path = "/rest/v1.0/requisitions/{requisition_id}/contract_items"
    parent_stream_type = RequisitionsStream


class RequisitionChangeOrderItemsStream(ProjectStream):
    """Billed change order lines of each requisition read in this run."""

    name = "requisition_change_order_items"
    path = "/rest/v1.0/requisitions/{requisition_id}/change_order_items"
    parent_stream_type = RequisitionsStream


class RequisitionContractDetailItemsStream(ProjectStream):
    """Billed subcontractor SOV (detail) lines of each requisition read in this run."""

    name = "requisition_contract_detail_items"
    path = "/rest/v1.0/requisitions/{requisition_id}/contract_detail_items"
    parent_stream_type = RequisitionsStream


class RfqsStream(ProjectStream):
    """RFQs of every purchase order and work order contract (`contract_id` is required)."""

    name = "rfqs"
    path = "/rest/v1.0/rfqs"
    query: t.ClassVar[dict[str, str]] = {"contract_id": "{contract_id}"}
    ids_from = COMMITMENT_CONTRACTS
    id_param = "contract_id"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "contract_id", "id")
    replication_key = "updated_at"
    tool = "commitments"
    child_id_key = "rfq_id"


# --- Contracts of every kind ---------------------------------------------------------------


class ContractPaymentsStream(ProjectStream):
    """Payments of every prime, purchase order and work order contract (`contract_id` is
    required). No tool: the endpoint serves prime contracts and commitments alike."""

    name = "contract_payments"
    path = "/rest/v1.0/contract_payments"
    query: t.ClassVar[dict[str, str]] = {"contract_id": "{contract_id}"}
    ids_from = ALL_CONTRACTS
    id_param = "contract_id"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "contract_id", "id")


class BillingPeriodsStream(ProjectStream):
    """No tool: billing periods serve both owner invoicing (prime contracts) and subcontractor
    invoicing (commitments)."""

    name = "billing_periods"
    path = "/rest/v1.0/projects/{project_id}/billing_periods"
    replication_key = "updated_at"


class LineItemTypesStream(ProjectStream):
    """Line item (cost) types available in each project. The description marks both
    company_id and project_id required while saying either suffices: both are sent."""

    name = "line_item_types"
    path = "/rest/v1.0/line_item_types"
    query: t.ClassVar[dict[str, str]] = {**COMPANY_QUERY, **PROJECT_QUERY}


# --- Change orders -------------------------------------------------------------------------


class ChangeOrderPackagesStream(ProjectStream):
    name = "change_order_packages"
    path = "/rest/v1.0/change_order_packages"
    replication_key = "updated_at"
    tool = "change_orders"


class DeletedChangeOrderPackagesStream(ChangeOrderPackagesStream):
    name = "deleted_change_order_packages"
    query: t.ClassVar[dict[str, str]] = {**ONLY_DELETED}


class PotentialChangeOrdersStream(ProjectStream):
    name = "potential_change_orders"
    path = "/rest/v1.0/potential_change_orders"
    replication_key = "updated_at"
    tool = "change_orders"
    child_id_key = "potential_change_order_id"


class DeletedPotentialChangeOrdersStream(PotentialChangeOrdersStream):
    name = "deleted_potential_change_orders"
    query: t.ClassVar[dict[str, str]] = {**ONLY_DELETED}


class PotentialChangeOrderLineItemsStream(ProjectStream):
    """Line items of each potential change order read in this run."""

    name = "potential_change_order_line_items"
    path = "/rest/v1.0/potential_change_orders/{potential_change_order_id}/line_items"
    parent_stream_type = PotentialChangeOrdersStream
    replication_key = "updated_at"


class ChangeOrderRequestsStream(ProjectStream):
    """Change order requests of every prime, purchase order and work order contract
    (`contract_id` is required)."""

    name = "change_order_requests"
    path = "/rest/v1.0/change_order_requests"
    query: t.ClassVar[dict[str, str]] = {"contract_id": "{contract_id}"}
    ids_from = ALL_CONTRACTS
    id_param = "contract_id"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "contract_id", "id")
    replication_key = "updated_at"
    tool = "change_orders"


class ChangeOrderChangeReasonsStream(CompanyStream):
    name = "change_order_change_reasons"
    path = "/rest/v1.0/change_order_change_reasons"
    query: t.ClassVar[dict[str, str]] = COMPANY_QUERY


class ChangeOrderStatusesStream(CompanyStream):
    name = "change_order_statuses"
    path = "/rest/v1.0/change_order/statuses"
    query: t.ClassVar[dict[str, str]] = COMPANY_QUERY


# --- Change events -------------------------------------------------------------------------


class ChangeEventsStream(ProjectStream):
    name = "change_events"
    path = "/rest/v1.0/change_events"
    replication_key = "updated_at"
    tool = "change_events"
    child_id_key = "change_event_id"


class DeletedChangeEventsStream(ChangeEventsStream):
    name = "deleted_change_events"
    query: t.ClassVar[dict[str, str]] = {**ONLY_DELETED}


class ChangeEventLineItemsStream(ProjectStream):
    """Line items carried in each change event record (v1.0 `change_event_line_items`):
    Procore has no list endpoint for them, so no request is made. They come with the change
    events read in this run (a line item edit updates its change event)."""

    name = "change_event_line_items"
    path = "/rest/v1.0/change_events"
    embedded_in = "change_event_line_items"
    parent_stream_type = ChangeEventsStream


class ChangeEventsV11Stream(ProjectStream):
    """The v1.1 representation of change events (status, type, reason as objects, change and
    markup items); kept next to the v1.0 `change_events`: the catalog has both versions."""

    name = "change_events_v1_1"
    path = "/rest/v1.1/change_events"
    replication_key = "updated_at"
    tool = "change_events"


class DeletedChangeEventsV11Stream(ChangeEventsV11Stream):
    name = "deleted_change_events_v1_1"
    query: t.ClassVar[dict[str, str]] = {**ONLY_DELETED}


class ChangeEventStatusesStream(ProjectStream):
    name = "change_event_statuses"
    path = "/rest/v1.0/change_event/statuses"
    tool = "change_events"


class ChangeTypesStream(CompanyStream):
    name = "change_types"
    path = "/rest/v1.0/change_types"
    query: t.ClassVar[dict[str, str]] = COMPANY_QUERY


# --- Direct costs --------------------------------------------------------------------------


class DirectCostsStream(ProjectStream):
    """v1.1, the newer version of the resource."""

    name = "direct_costs"
    path = "/rest/v1.1/projects/{project_id}/direct_costs"
    replication_key = "updated_at"
    tool = "direct_costs"
    child_id_key = "direct_cost_id"


class DirectCostLineItemsStream(ProjectStream):
    """Line items of every direct cost of the project in one listing (each names its direct
    cost in `holder`), read by its own updated_at."""

    name = "direct_cost_line_items"
    path = "/rest/v1.0/projects/{project_id}/direct_costs/line_items"
    replication_key = "updated_at"
    tool = "direct_costs"


# --- Work breakdown structure, standard cost codes, tax, units -----------------------------


class WbsSegmentsStream(ProjectStream):
    name = "wbs_segments"
    path = "/rest/v1.0/projects/{project_id}/work_breakdown_structure/segments"
    paginated = False
    child_id_key = "segment_id"


class WbsSegmentItemsStream(ProjectStream):
    name = "wbs_segment_items"
    path = (
        "/rest/v1.0/projects/{project_id}/work_breakdown_structure"
        "/segments/{segment_id}/segment_items"
    )
    parent_stream_type = WbsSegmentsStream
    parent_count_field = "segment_items_count"


class WbsCodesStream(ProjectStream):
    name = "wbs_codes"
    path = "/rest/v1.0/projects/{project_id}/work_breakdown_structure/wbs_codes"
    replication_key = "updated_at"


class StandardCostCodeListsStream(CompanyStream):
    name = "standard_cost_code_lists"
    path = "/rest/v1.0/standard_cost_code_lists"
    query: t.ClassVar[dict[str, str]] = COMPANY_QUERY
    child_id_key = "standard_cost_code_list_id"


class StandardCostCodesStream(CompanyStream):
    """The company's standard cost codes, per list (`standard_cost_code_list_id` is required);
    the extended view carries code, full code, name and parent."""

    name = "standard_cost_codes"
    path = "/rest/v1.0/standard_cost_codes"
    query: t.ClassVar[dict[str, str]] = {
        **COMPANY_QUERY,
        "standard_cost_code_list_id": "{standard_cost_code_list_id}",
        "view": "extended",
    }
    parent_stream_type = StandardCostCodeListsStream
    primary_keys: t.ClassVar[tuple[str, ...]] = ("company_id", "id")


class TaxCodesStream(CompanyStream):
    name = "tax_codes"
    path = "/rest/v1.0/tax_codes"
    query: t.ClassVar[dict[str, str]] = COMPANY_QUERY
    # "min: 1, max: 100"
    max_page_size = 100


class TaxTypesStream(CompanyStream):
    name = "tax_types"
    path = "/rest/v1.0/tax_types"
    query: t.ClassVar[dict[str, str]] = COMPANY_QUERY


class UnitsOfMeasureStream(CompanyStream):
    name = "units_of_measure"
    path = "/rest/v1.0/companies/{company_id}/uoms"


# --- breadth: more of Procore's financial lists --------------------------------------------


class BudgetViewSnapshotSummaryRowsStream(ProjectStream):
    """Summary rows of each budget view snapshot."""

    name = "budget_view_snapshot_summary_rows"
    path = "/rest/v1.0/budget_view_snapshots/{budget_view_snapshot_id}/summary_rows"
    parent_stream_type = BudgetViewSnapshotsStream


class AdvancedForecastingRowsStream(ProjectStream):
    """Advanced forecasting rows of each project: one per budget line item (or WBS code), which
    together identify a row (Procore gives rows no id of their own)."""

    name = "advanced_forecasting_rows"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/advanced_forecastings/rows"
    max_page_size = 100
    tool = "budget"
    surrogate_key_of = ("budget_line_item_id", "wbs_code_id")
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "row_key")


class CompanyStatusSnapshotBudgetViewsStream(CompanyStream):
    """Budget views that company-level project status snapshots can use."""

    name = "company_status_snapshot_budget_views"
    path = "/rest/v2.0/companies/{company_id}/project_status_snapshots/budget_views"
    max_page_size = 100
    child_id_key = "budget_view_id"


class CompanyProjectStatusSnapshotsStream(CompanyStream):
    """Company-level project status snapshots of each budget view (one listing per view)."""

    name = "company_project_status_snapshots"
    path = (
        "/rest/v2.0/companies/{company_id}/budget_views/{budget_view_id}/project_status_snapshots"
    )
    max_page_size = 100
    parent_stream_type = CompanyStatusSnapshotBudgetViewsStream


class ProjectStatusSnapshotBudgetViewsStream(ProjectStream):
    """Budget views that each project's status snapshots can use."""

    name = "project_status_snapshot_budget_views"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/project_status_snapshots"
        "/budget_views"
    )
    max_page_size = 100
    tool = "budget"
    child_id_key = "budget_view_id"


class ProjectStatusSnapshotsStream(ProjectStream):
    """Project status snapshots of each project and budget view."""

    name = "project_status_snapshots"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/budget_views/{budget_view_id}"
        "/project_status_snapshots"
    )
    max_page_size = 100
    parent_stream_type = ProjectStatusSnapshotBudgetViewsStream


class PrimeContractsV2Stream(ProjectStream):
    """The same prime contracts as prime_contracts, through the v2.0 list (text ids); opt-in."""

    name = "prime_contracts_v2"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/prime_contracts"
    replication_key = "updated_at"
    max_page_size = 100
    tool = "prime_contracts"
    child_id_key = "prime_contract_id"
    selected_by_default = False


class PrimeContractLineItemsV2Stream(ProjectStream):
    """Line items of each prime contract through the v2.0 list (one request per contract);
    opt-in: prime_contract_line_items reads them through v1.0."""

    name = "prime_contract_line_items_v2"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/prime_contracts"
        "/{prime_contract_id}/line_items"
    )
    max_page_size = 100
    parent_stream_type = PrimeContractsV2Stream
    selected_by_default = False


class CommitmentContractLineItemsStream(ProjectStream):
    """Line items of each commitment contract through the v2.0 list (one request per
    contract); opt-in: the purchase and work order line item streams read them through v1.0."""

    name = "commitment_contract_line_items"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/commitment_contracts"
        "/{commitment_contract_id}/line_items"
    )
    max_page_size = 100
    parent_stream_type = CommitmentContractsStream
    selected_by_default = False


class CommitmentsStream(ProjectStream):
    """Purchase order and work order contracts in one v1.0 listing; opt-in: the two contract
    streams read the same contracts."""

    name = "commitments"
    path = "/rest/v1.0/commitments"
    tool = "commitments"
    child_id_key = "commitment_id"
    selected_by_default = False


class PurchaseOrderContractComplianceDocumentsStream(ProjectStream):
    """Compliance documents of each purchase order contract (one request per contract)."""

    name = "purchase_order_contract_compliance_documents"
    path = (
        "/rest/v1.0/projects/{project_id}/purchase_order_contracts/{contract_id}"
        "/compliance_documents"
    )
    parent_stream_type = PurchaseOrderContractsStream


class WorkOrderContractComplianceDocumentsStream(ProjectStream):
    """Compliance documents of each work order contract (one request per contract)."""

    name = "work_order_contract_compliance_documents"
    path = (
        "/rest/v1.0/projects/{project_id}/work_order_contracts/{contract_id}/compliance_documents"
    )
    parent_stream_type = WorkOrderContractsStream


class PrimeContractPaymentApplicationsStream(ProjectStream):
    """Payment applications of each prime contract (one request per contract); opt-in:
    payment_applications lists the project's at once."""

    name = "prime_contract_payment_applications"
    path = "/rest/v1.0/prime_contracts/{prime_contract_id}/payment_applications"
    path_params: t.ClassVar[dict[str, str]] = {"prime_contract_id": "contract_id"}
    parent_stream_type = PrimeContractsStream
    selected_by_default = False


class RequisitionChangeHistoriesStream(ProjectStream):
    """Change history of each requisition (one request per requisition); opt-in."""

    name = "requisition_change_histories"
    path = "/rest/v1.0/requisitions/{requisition_id}/change_histories"
    paginated = False
    parent_stream_type = RequisitionsStream
    selected_by_default = False


class RequisitionDetailStream(ProjectStream):
    """Detail lines of each requisition (one request per requisition); opt-in."""

    name = "requisition_detail"
    path = "/rest/v1.0/requisitions/{requisition_id}/detail"
    paginated = False
    parent_stream_type = RequisitionsStream
    selected_by_default = False


class DirectCostItemLineItemsStream(ProjectStream):
    """Line items of each direct cost (one request per direct cost); opt-in:
    direct_cost_line_items lists every direct cost's line items at once."""

    name = "direct_cost_item_line_items"
    path = "/rest/v1.0/projects/{project_id}/direct_costs/{direct_cost_id}/line_items"
    replication_key = "updated_at"
    parent_stream_type = DirectCostsStream
    selected_by_default = False


class ChangeEventProductionQuantitiesStream(ProjectStream):
    """Production quantities of each change event (one request per change event); opt-in."""

    name = "change_event_production_quantities"
    path = (
        "/rest/v1.0/projects/{project_id}/change_events/{change_event_id}"
        "/change_event_production_quantities"
    )
    paginated = False
    parent_stream_type = ChangeEventsStream
    selected_by_default = False


class ChangeEventTypesStream(CompanyStream):
    name = "change_event_types"
    path = "/rest/v2.0/companies/{company_id}/change_event/types"
    max_page_size = 100


class CompanyChangeEventStatusesStream(CompanyStream):
    name = "company_change_event_statuses"
    path = "/rest/v2.0/companies/{company_id}/change_events/statuses"
    max_page_size = 100


class ChangeOrderChangeReasonsV2Stream(CompanyStream):
    """The same reasons as change_order_change_reasons, through the v2.0 list; opt-in."""

    name = "change_order_change_reasons_v2"
    path = "/rest/v2.0/companies/{company_id}/change_order_change_reasons"
    max_page_size = 100
    selected_by_default = False


class UomCategoriesStream(CompanyStream):
    name = "uom_categories"
    path = "/rest/v1.0/companies/{company_id}/uom_categories"
    paginated = False


class CommitmentPaymentSubtiersStream(ProjectStream):
    """Procore Pay subtiers of each commitment (one request per commitment); opt-in."""

    name = "commitment_payment_subtiers"
    path = "/rest/v1.0/projects/{project_id}/payments/commitments/{commitment_id}/subtiers"
    paginated = False
    parent_stream_type = CommitmentsStream
    tool = None  # Procore Pay, not the commitments tool: it answers whatever that tool's state
    selected_by_default = False


class PaymentBeneficiariesStream(CompanyStream):
    """Procore Pay beneficiaries of the company."""

    name = "payment_beneficiaries"
    path = "/rest/v1.0/companies/{company_id}/payments/beneficiaries"
    paginated = False


class EarlyPayProgramsStream(CompanyStream):
    """Procore Pay early pay programs of the company."""

    name = "early_pay_programs"
    path = "/rest/v1.0/companies/{company_id}/payments/early_pay_programs"


# --- work breakdown structure --------------------------------------------------------------


class CompanyWbsSegmentsStream(CompanyStream):
    """The company's WBS segments."""

    name = "company_wbs_segments"
    path = "/rest/v1.0/companies/{company_id}/work_breakdown_structure/segments"
    paginated = False
    child_id_key = "segment_id"


class CompanyWbsSegmentItemsStream(CompanyStream):
    """Items of each company WBS segment."""

    name = "company_wbs_segment_items"
    path = (
        "/rest/v1.0/companies/{company_id}/work_breakdown_structure/segments/{segment_id}"
        "/segment_items"
    )
    parent_stream_type = CompanyWbsSegmentsStream


class CompanyWbsSegmentListsStream(CompanyStream):
    """Lists of each company WBS segment."""

    name = "company_wbs_segment_lists"
    path = "/rest/v1.0/companies/{company_id}/work_breakdown_structure/segments/{segment_id}/lists"
    paginated = False
    parent_stream_type = CompanyWbsSegmentsStream


class CompanyWbsPatternsStream(CompanyStream):
    name = "company_wbs_patterns"
    path = "/rest/v1.0/companies/{company_id}/work_breakdown_structure/patterns"
    paginated = False


class WbsPatternsStream(ProjectStream):
    name = "wbs_patterns"
    path = "/rest/v1.0/projects/{project_id}/work_breakdown_structure/patterns"
    paginated = False


class WbsCodesV2Stream(ProjectStream):
    """The project's WBS codes through the v2.0 list (text ids); opt-in: wbs_codes reads them
    through v1.0."""

    name = "wbs_codes_v2"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/wbs/codes"
    max_page_size = 100
    selected_by_default = False


class WbsAttributesStream(ProjectStream):
    name = "wbs_attributes"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/wbs/attributes"
    max_page_size = 100


class WbsAttributeItemsStream(ProjectStream):
    name = "wbs_attribute_items"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/wbs/attribute_items"
    max_page_size = 100


class RfqQuotesStream(ProjectStream):
    """Quotes of each RFQ (one request per RFQ); opt-in."""

    name = "rfq_quotes"
    path = "/rest/v1.0/rfqs/{rfq_id}/quotes"
    query: t.ClassVar[dict[str, str]] = {"contract_id": "{contract_id}"}
    parent_stream_type = RfqsStream
    selected_by_default = False


class RfqResponsesStream(ProjectStream):
    """Responses to each RFQ (one request per RFQ); opt-in."""

    name = "rfq_responses"
    path = "/rest/v1.0/rfqs/{rfq_id}/responses"
    query: t.ClassVar[dict[str, str]] = {"contract_id": "{contract_id}"}
    parent_stream_type = RfqsStream
    selected_by_default = False
