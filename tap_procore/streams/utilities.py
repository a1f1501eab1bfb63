"""Utilities: webhook hooks and their triggers, per company and per project."""

from __future__ import annotations

import typing as t

from tap_procore.hierarchy import CompanyStream, ProjectStream


class CompanyWebhookHooksStream(CompanyStream):
    """Hooks of the company scope: `/rest/v1.0/webhooks/hooks?company_id=`. The operation lists
    company_id and project_id as required but lists hooks of one scope; no paging declared."""

    name = "company_webhook_hooks"
    path = "/rest/v1.0/webhooks/hooks"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}
    paginated = False
    child_id_key = "hook_id"


class ProjectWebhookHooksStream(ProjectStream):
    """Hooks of each project scope: the same endpoint with `?project_id=`."""

    name = "project_webhook_hooks"
    path = "/rest/v1.0/webhooks/hooks"
    paginated = False
    child_id_key = "hook_id"


class CompanyWebhookTriggersStream(CompanyStream):
    """Triggers of each company hook (`?company_id=`)."""

    name = "company_webhook_triggers"
    path = "/rest/v1.0/webhooks/hooks/{hook_id}/triggers"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}
    parent_stream_type = CompanyWebhookHooksStream
    paginated = False


class ProjectWebhookTriggersStream(ProjectStream):
    """Triggers of each project hook (`?project_id=`).

    Not under company_webhook_hooks, as the company triggers are: triggers are listed within the
    scope of their hook, and a project's hooks come from project_webhook_hooks (company hooks
    asked for with a project_id do not exist in that scope). So this stream hangs under
    project_webhook_hooks (each stream's parent: docs/streams.md)."""

    name = "project_webhook_triggers"
    path = "/rest/v1.0/webhooks/hooks/{hook_id}/triggers"
    parent_stream_type = ProjectWebhookHooksStream
    paginated = False
