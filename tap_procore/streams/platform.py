"""Platform: webhook deliveries and resources (v1.0), the v2.0 webhook hooks, triggers,
deliveries and resources of each company and project, and the company's app configurations."""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import CompanyStream, ProjectStream
from tap_procore.streams.utilities import CompanyWebhookHooksStream

V2_MAX = 100  # Procore's v2 ceiling for per_page
# The payload version whose resources the v2.0 resource lists are asked for (the newest).
PAYLOAD_VERSION = "v4.0"


class AppConfigurationsStream(CompanyStream):
    """Configurations of the apps installed in the company, one per app installation."""

    name = "app_configurations"
    path = "/rest/v1.0/companies/{company_id}/app_configurations"
    primary_keys: t.ClassVar[tuple[str, ...]] = ("company_id", "app_installation_id")


# --- v1.0 webhooks -----------------------------------------------------------------------------


class CompanyWebhookDeliveriesStream(CompanyStream):
    """Deliveries of each company-scope hook (v1.0), keyed by event and start (the description
    gives deliveries no id); opt-in."""

    name = "company_webhook_deliveries"
    path = "/rest/v1.0/webhooks/hooks/{hook_id}/deliveries"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}
    # Keyset paging: `page_start` is the last id of the previous page, `page_size` its size.
    paginated = False
    cursor_param = "page_start"
    cursor_is_last_id = True
    per_page_param = "page_size"
    max_page_size = 100  # the documented default; a full page is what says there is more
    parent_stream_type = CompanyWebhookHooksStream
    surrogate_key_of = ("event_id", "started_at")
    selected_by_default = False


class WebhookResourcesStream(ProjectStream):
    """Resources a project-scope hook can watch (v1.0), keyed by category and API version;
    opt-in."""

    name = "webhook_resources"
    path = "/rest/v1.0/webhooks/resources"
    paginated = False
    surrogate_key_of = ("product_category", "api_version")
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "row_key")
    selected_by_default = False


# --- v2.0 webhooks (company) -------------------------------------------------------------------


class CompanyWebhookHooksV2Stream(CompanyStream):
    """The company's hooks through the v2.0 list (text ids)."""

    name = "company_webhook_hooks_v2"
    path = "/rest/v2.0/companies/{company_id}/webhooks/hooks"
    max_page_size = V2_MAX
    child_id_key = "hook_id"


class CompanyWebhookTriggersV2Stream(CompanyStream):
    name = "company_webhook_triggers_v2"
    path = "/rest/v2.0/companies/{company_id}/webhooks/hooks/{hook_id}/triggers"
    max_page_size = V2_MAX
    parent_stream_type = CompanyWebhookHooksV2Stream


class CompanyWebhookDeliveriesV2Stream(CompanyStream):
    """Deliveries of each company hook (v2.0); opt-in."""

    name = "company_webhook_deliveries_v2"
    path = "/rest/v2.0/companies/{company_id}/webhooks/hooks/{hook_id}/deliveries"
    max_page_size = V2_MAX
    parent_stream_type = CompanyWebhookHooksV2Stream
    selected_by_default = False


class CompanyWebhookResourcesV2Stream(CompanyStream):
    """Resources a company hook can watch (payload v4.0), keyed by tool and name; opt-in."""

    name = "company_webhook_resources_v2"
    path = "/rest/v2.0/companies/{company_id}/webhooks/resources"
    query: t.ClassVar[dict[str, str]] = {"payload_version": PAYLOAD_VERSION}
    max_page_size = V2_MAX
    surrogate_key_of = ("tool", "name")
    primary_keys: t.ClassVar[tuple[str, ...]] = ("company_id", "row_key")
    selected_by_default = False


# --- v2.0 webhooks (project) -------------------------------------------------------------------


class ProjectWebhookHooksV2Stream(ProjectStream):
    """Each project's hooks through the v2.0 list (text ids)."""

    name = "project_webhook_hooks_v2"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/webhooks/hooks"
    max_page_size = V2_MAX
    child_id_key = "hook_id"


class ProjectWebhookTriggersV2Stream(ProjectStream):
    name = "project_webhook_triggers_v2"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/webhooks/hooks/{hook_id}/triggers"
    )
    max_page_size = V2_MAX
    parent_stream_type = ProjectWebhookHooksV2Stream


class ProjectWebhookDeliveriesV2Stream(ProjectStream):
    """Deliveries of each project hook (v2.0); opt-in."""

    name = "project_webhook_deliveries_v2"
    path = (
        "/rest/v2.0/companies/{company_id}/projects/{project_id}/webhooks/hooks/{hook_id}"
        "/deliveries"
    )
    max_page_size = V2_MAX
    parent_stream_type = ProjectWebhookHooksV2Stream
    selected_by_default = False


class ProjectWebhookResourcesV2Stream(ProjectStream):
    """Resources a project hook can watch (payload v4.0), keyed by tool and name; opt-in."""

    name = "project_webhook_resources_v2"
    path = "/rest/v2.0/companies/{company_id}/projects/{project_id}/webhooks/resources"
    query: t.ClassVar[dict[str, str]] = {"payload_version": PAYLOAD_VERSION}
    max_page_size = V2_MAX
    surrogate_key_of = ("tool", "name")
    primary_keys: t.ClassVar[tuple[str, ...]] = ("project_id", "row_key")
    selected_by_default = False
