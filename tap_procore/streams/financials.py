"""Construction Financials: budgets, commitments, change events, direct costs."""

from __future__ import annotations

import hashlib
import typing as t

from tap_procore.hierarchy import ProjectStream

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context


class ChangeEventsStream(ProjectStream):
    name = "change_events"
    path = "/rest/v1.0/change_events"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
    replication_key = "updated_at"
    tool = "change_events"


class PurchaseOrderContractsStream(ProjectStream):
    name = "purchase_order_contracts"
    path = "/rest/v1.0/purchase_order_contracts"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
    replication_key = "updated_at"
    tool = "commitments"
    child_id_key = "contract_id"


class BudgetViewsStream(ProjectStream):
    name = "budget_views"
    path = "/rest/v1.0/budget_views"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
    tool = "budget"
    child_id_key = "budget_view_id"


class BudgetViewDetailRowsStream(ProjectStream):
    """Rows of each budget view. Unbudgeted rows come without an id, so rows are keyed by
    `row_key`: the id when there is one, else a digest of the row's cost code, category,
    biller and WBS code."""

    name = "budget_view_detail_rows"
    path = "/rest/v1.0/budget_views/{budget_view_id}/detail_rows"
    query: t.ClassVar[dict[str, str]] = {"project_id": "{project_id}"}
    parent_stream_type = BudgetViewsStream
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "budget_view_id", "row_key")
    tool = "budget"

    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        row = super().post_process(row, context) or row
        if row.get("id") is not None:
            row["row_key"] = str(row["id"])
        else:
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
            row["row_key"] = "unbudgeted:" + hashlib.sha1(  # noqa: S324 - a key, not security
                "|".join(parts).encode()
            ).hexdigest()[:16]
        return row


class DirectCostsStream(ProjectStream):
    name = "direct_costs"
    path = "/rest/v1.1/projects/{project_id}/direct_costs"
    replication_key = "updated_at"
    tool = "direct_costs"
