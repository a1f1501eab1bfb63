"""The baseline: the same Procore endpoints through the Singer SDK's defaults.

What a first tap built from the SDK cookiecutter would do: parent/child streams with the SDK's
default state partitions (one per project per stream) and one SCHEMA per partition, the SDK's
default JSON writer and record conformance, `per_page=100`, no tool-list skipping (403s are
tolerated, otherwise it could not finish), no pacing. Only what the double strictly requires is
added: the company header and OAuth client credentials.
"""

from __future__ import annotations

import typing as t
from functools import cached_property

from singer_sdk import RESTStream, SchemaDirectory, StreamSchema, Tap
from singer_sdk import typing as th
from singer_sdk.authenticators import OAuthAuthenticator
from singer_sdk.pagination import PageNumberPaginator

from tap_procore import schemas
from tap_procore.streams import STREAM_TYPES

PAGE_SIZE = 100


class NaiveAuthenticator(OAuthAuthenticator):
    @property
    def oauth_request_body(self) -> dict:
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }


class LinkPaginator(PageNumberPaginator):
    def has_more(self, response) -> bool:
        return "next" in response.links


class NaiveStream(RESTStream[int]):
    schema = StreamSchema(SchemaDirectory(schemas))
    query: t.ClassVar[dict[str, str]] = {}
    paginated = True

    @property
    def url_base(self) -> str:
        return self.config["api_url"]

    @property
    def authenticator(self) -> NaiveAuthenticator:
        return self._tap.naive_authenticator  # type: ignore[attr-defined]

    def get_new_paginator(self) -> LinkPaginator | None:
        return LinkPaginator(1) if self.paginated else None

    def get_url_params(self, context, next_page_token):
        context = context or {}
        params = {key: value.format(**context) for key, value in self.query.items()}
        if self.paginated:
            params.update(page=next_page_token or 1, per_page=PAGE_SIZE)
        if self.replication_key == "updated_at":
            start = self.get_starting_timestamp(context) or "2000-01-01T00:00:00Z"
            start = start if isinstance(start, str) else start.strftime("%Y-%m-%dT%H:%M:%SZ")
            params["filters[updated_at]"] = f"{start}...2100-01-01T00:00:00Z"
        return params

    def get_http_request(self, *, page):
        request = super().get_http_request(page=page)
        request.headers["Procore-Company-Id"] = str((page.stream_context or {})["company_id"])
        return request

    def validate_response(self, response) -> None:
        if response.status_code in (403, 404):
            return  # a switched-off tool: nothing to read (the request still counted)
        super().validate_response(response)

    def parse_response(self, response):
        if response.status_code in (403, 404):
            return []
        return super().parse_response(response)


class NaiveCompanies(NaiveStream):
    name = "companies"
    path = "/rest/v1.0/companies"
    primary_keys = ("id",)

    @property
    def partitions(self) -> list[dict]:
        return [{"company_id": company_id} for company_id in self.config["company_ids"]]

    def post_process(self, row, context=None):
        return row if context and row.get("id") == context["company_id"] else None

    def get_child_context(self, record, context):
        return {"company_id": record["id"]}


class NaiveProjects(NaiveStream):
    name = "projects"
    path = "/rest/v1.1/projects"
    query: t.ClassVar[dict[str, str]] = {"company_id": "{company_id}"}
    primary_keys = ("id",)
    parent_stream_type = NaiveCompanies

    def get_child_context(self, record, context):
        return {"company_id": context["company_id"], "project_id": record["id"]}


def naive_stream_class(name: str) -> type[NaiveStream]:
    """A default-SDK project-level stream on the same endpoint as tap-procore's `name`."""
    ours = next(stream for stream in STREAM_TYPES if stream.name == name)
    return type(
        f"Naive_{name}",
        (NaiveStream,),
        {
            "name": name,
            "path": ours.path,
            "query": dict(ours.query),
            "paginated": ours.paginated,
            "primary_keys": ours.primary_keys,
            "replication_key": ours.replication_key
            if ours.replication_key == "updated_at"
            else None,
            "parent_stream_type": NaiveProjects,
        },
    )


class NaiveTap(Tap):
    name = "naive-procore"
    config_jsonschema = th.PropertiesList(
        th.Property("client_id", th.StringType),
        th.Property("client_secret", th.StringType),
        th.Property("api_url", th.StringType),
        th.Property("auth_url", th.StringType),
        th.Property("company_ids", th.ArrayType(th.IntegerType)),
        th.Property("streams", th.ArrayType(th.StringType)),
        th.Property("start_date", th.DateTimeType),
    ).to_dict()

    @cached_property
    def naive_authenticator(self) -> NaiveAuthenticator:
        return NaiveAuthenticator(
            auth_endpoint=f"{self.config['auth_url']}/oauth/token",
            client_id=self.config["client_id"],
            client_secret=self.config["client_secret"],
        )

    def discover_streams(self) -> list[NaiveStream]:
        classes = [NaiveCompanies, NaiveProjects]
        classes += [naive_stream_class(name) for name in self.config.get("streams", [])]
        return [stream_class(tap=self) for stream_class in classes]


if __name__ == "__main__":
    NaiveTap.cli()
