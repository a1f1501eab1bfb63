"""Preconstruction: Estimating and the Bid Board (v2), cost catalogs, company bids, bid
package bids, and the BIM lists beyond models, revisions and plans."""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import CompanyStream, ProjectStream
from tap_procore.streams.project_management import (
    BidPackagesStream,
    BimModelRevisionsStream,
    BimModelsStream,
)

# --- Bid Board (company) -----------------------------------------------------------------------


class BidBoardProjectsStream(CompanyStream):
    """Projects on the company's Bid Board."""

    name = "bid_board_projects"
    path = "/rest/v2.0/companies/{company_id}/estimating/bid_board_projects"
    max_page_size = 100
    child_id_key = "bid_board_project_id"


class BidBoardProjectNotesStream(CompanyStream):
    name = "bid_board_project_notes"
    path = (
        "/rest/v2.0/companies/{company_id}/estimating/bid_board_projects/{bid_board_project_id}"
        "/notes"
    )
    max_page_size = 100
    parent_stream_type = BidBoardProjectsStream


class BidBoardProjectTasksStream(CompanyStream):
    name = "bid_board_project_tasks"
    path = (
        "/rest/v2.0/companies/{company_id}/estimating/bid_board_projects/{bid_board_project_id}"
        "/tasks"
    )
    max_page_size = 100
    parent_stream_type = BidBoardProjectsStream


class BidBoardProposalsStream(CompanyStream):
    name = "bid_board_proposals"
    path = (
        "/rest/v2.0/companies/{company_id}/estimating/bid_board_projects/{bid_board_project_id}"
        "/proposals"
    )
    max_page_size = 100
    parent_stream_type = BidBoardProjectsStream
    child_id_key = "proposal_id"


class BidBoardProposalLineItemsStream(CompanyStream):
    name = "bid_board_proposal_line_items"
    path = (
        "/rest/v2.0/companies/{company_id}/estimating/bid_board_projects/{bid_board_project_id}"
        "/proposals/{proposal_id}/line_items"
    )
    max_page_size = 100
    parent_stream_type = BidBoardProposalsStream


class BidBoardProposalLineItemGroupsStream(CompanyStream):
    name = "bid_board_proposal_line_item_groups"
    path = (
        "/rest/v2.0/companies/{company_id}/estimating/bid_board_projects/{bid_board_project_id}"
        "/proposals/{proposal_id}/line_item_groups"
    )
    max_page_size = 100
    parent_stream_type = BidBoardProposalsStream


class EstimatingCatalogsStream(CompanyStream):
    """The company's cost catalogs."""

    name = "estimating_catalogs"
    path = "/rest/v2.0/companies/{company_id}/estimating/catalogs"
    max_page_size = 100
    child_id_key = "catalog_id"


class EstimatingCatalogItemsStream(CompanyStream):
    name = "estimating_catalog_items"
    path = "/rest/v2.0/companies/{company_id}/estimating/catalogs/{catalog_id}/items"
    max_page_size = 100
    parent_stream_type = EstimatingCatalogsStream


# --- Estimating (project) ----------------------------------------------------------------------


class EstimatingProposalsStream(ProjectStream):
    name = "estimating_proposals"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/estimating/proposals"
    max_page_size = 100
    child_id_key = "proposal_id"


class EstimatingProposalLineItemsStream(ProjectStream):
    name = "estimating_proposal_line_items"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/estimating/proposals"
        "/{proposal_id}/line_items"
    )
    max_page_size = 100
    parent_stream_type = EstimatingProposalsStream


class EstimatingProposalLineItemGroupsStream(ProjectStream):
    name = "estimating_proposal_line_item_groups"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/estimating/proposals"
        "/{proposal_id}/line_item_groups"
    )
    max_page_size = 100
    parent_stream_type = EstimatingProposalsStream


class EstimatingNotesStream(ProjectStream):
    name = "estimating_notes"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/estimating/notes"
    max_page_size = 100


class EstimatingTasksStream(ProjectStream):
    name = "estimating_tasks"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/estimating/tasks"
    max_page_size = 100


# --- Bids --------------------------------------------------------------------------------------


class CompanyBidsStream(CompanyStream):
    """Bids assigned to the company (as a bidder)."""

    name = "company_bids"
    path = "/rest/v1.0/companies/{company_id}/bids"
    child_id_key = "bid_id"


class CompanyBidUploadsStream(CompanyStream):
    """Files uploaded with each of the company's bids (one request per bid); opt-in."""

    name = "company_bid_uploads"
    path = "/rest/v1.0/companies/{company_id}/bids/{bid_id}/uploads"
    paginated = False
    parent_stream_type = CompanyBidsStream
    selected_by_default = False


class BidPackageBidsStream(ProjectStream):
    """Bids of each bid package (one request per package); opt-in: bids lists the project's
    bids at once."""

    name = "bid_package_bids"
    path = "/rest/v1.0/projects/{project_id}/bid_packages/{bid_package_id}/bids"
    parent_stream_type = BidPackagesStream
    selected_by_default = False


# --- BIM ---------------------------------------------------------------------------------------


class BimFilesStream(ProjectStream):
    name = "bim_files"
    path = "/rest/v1.0/bim_files"
    tool = "bim"


class BimFileExtractionsStream(ProjectStream):
    name = "bim_file_extractions"
    path = "/rest/v1.0/bim_file_extractions"
    tool = "bim"


class BimLevelsStream(ProjectStream):
    name = "bim_levels"
    path = "/rest/v1.0/bim_levels"
    tool = "bim"


class BimModelRevisionPlansStream(ProjectStream):
    name = "bim_model_revision_plans"
    path = "/rest/v1.0/bim_model_revision_plans"
    tool = "bim"


class BimViewFoldersStream(ProjectStream):
    name = "bim_view_folders"
    path = "/rest/v1.0/bim_view_folders"
    tool = "bim"


class BimModelChangeHistoryStream(ProjectStream):
    """Change history of each BIM model (one request per model); opt-in."""

    name = "bim_model_change_history"
    path = "/rest/v1.0/bim_models/{id}/change_history"
    path_params: t.ClassVar[dict[str, str]] = {"id": "bim_model_id"}
    parent_stream_type = BimModelsStream
    selected_by_default = False


class BimModelRevisionObjectsStream(ProjectStream):
    """Objects of each BIM model revision (one listing per revision, often very long);
    opt-in."""

    name = "bim_model_revision_objects"
    path = "/rest/v1.0/bim_model_revisions/{id}/objects"
    path_params: t.ClassVar[dict[str, str]] = {"id": "bim_model_revision_id"}
    parent_stream_type = BimModelRevisionsStream
    selected_by_default = False
