"""The change feed's connection to the tap: the webhooks API read through the same paced,
retried stream machinery as every other request (`TapWebhooksApi`), and the streams of a run as
the feed sees them (`build_feed`)."""

from __future__ import annotations

import typing as t

import requests
from pendulum import DateTime

from tap_procore.answers import decode_json
from tap_procore.client import ProcoreStream
from tap_procore.feed import DEFAULT_NAMESPACE, ChangeFeed, FeedError, StreamInfo
from tap_procore.http import describe_failure
from tap_procore.redaction import SecretRedactor

if t.TYPE_CHECKING:
    from singer_sdk import Stream

    from tap_procore.run import RunContext

    class FeedHost(RunContext, t.Protocol):
        """The run the feed belongs to: its services, settings and streams."""

        @property
        def config(self) -> t.Mapping[str, t.Any]: ...

        @property
        def streams(self) -> t.Mapping[str, Stream]: ...


#: Streams that every run reads whatever the feed says.
ALWAYS_READ = frozenset({"companies", "projects", "project_tools"})


class _WebhooksListing(ProcoreStream):
    """One webhooks API listing, read like any stream's (paging, pacing, retries, 403/404 as
    ScopeUnavailable). Not part of the catalog."""

    # A listing of the webhooks API has no schema file: its records are not written.
    schema: t.ClassVar[dict[str, t.Any]] = {"type": "object", "properties": {}}
    max_page_size = 100


class TapWebhooksApi:
    """The feed's `WebhooksApi` over the tap's session, login, pacing and retries."""

    def __init__(self, tap: FeedHost) -> None:
        self.tap = tap
        self._listings: dict[str, _WebhooksListing] = {}

    def _listing(self, path: str) -> _WebhooksListing:
        if path not in self._listings:
            name = "webhook_" + path.rstrip("/").rsplit("/", 1)[-1]
            self._listings[path] = _WebhooksListing(self.tap, name=name, path=path)
        return self._listings[path]

    def list(self, company_id: int, path: str, params: dict[str, t.Any]) -> list[dict[str, t.Any]]:
        # Concrete paths are passed: the listing has no placeholders left to fill.
        context = {"company_id": company_id, "_window": dict(params)}
        return list(self._listing(path).request_records(context))

    def count(self, company_id: int, path: str, params: dict[str, t.Any]) -> int:
        """Items of a listing, from its first page's `Total` (or that page's rows)."""
        context = {"company_id": company_id, "_window": {**params, "per_page": 1}}
        page = self._listing(path).first_page(context)
        return page.total if page.total is not None else len(page.records)

    def write(self, company_id: int, method: str, path: str, body: t.Any) -> t.Any:
        tap = self.tap
        http = tap.http
        url = http.endpoints.api_url + path
        for attempt in range(2):
            prepared = http.session.prepare_request(
                requests.Request(
                    method,
                    url,
                    json=body,
                    headers={
                        "Procore-Company-Id": str(company_id),
                        "Accept": "application/json",
                        "User-Agent": http.user_agent,
                    },
                )
            )
            http.authenticator.authenticate_request(prepared)
            tap.transport.governor.before_request(str(company_id))
            try:
                response = http.session.send(
                    prepared,
                    timeout=float(tap.config.get("request_timeout") or 300),
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                raise FeedError(f"{method} {path}: {describe_failure(exc, url)[0]}") from None
            tap.transport.observe(response)
            tap.report.count_request("webhooks_setup")
            if response.status_code == 401 and attempt == 0:
                http.authenticator.invalidate()  # a token that expired: once more with a new one
                continue
            break
        status = response.status_code
        try:
            answer = decode_json(response.content) if response.content else None
        except ValueError:
            answer = None
        if status >= 400:
            detail = answer.get("errors") if isinstance(answer, dict) else response.reason
            raise FeedError(
                f"{method} {path} was refused with HTTP {status}: "
                f"{SecretRedactor.scrub_active(str(detail))[:300]}"
            )
        return answer

    def now(self) -> DateTime:
        return self.tap.transport.procore_clock.now()


# --- the streams of a run, as the feed sees them --------------------------------------------------


def _root_of(stream: t.Any) -> t.Any:
    while stream.parent_stream_type is not None and stream.parent_stream_type.name not in (
        "companies",
        "projects",
    ):
        stream = stream.parent_stream_type
    return stream


def feed_streams(tap: FeedHost) -> list[StreamInfo]:
    """Every stream of the run the feed can speak for (all but companies, projects, tools)."""
    infos = []
    for stream in tap.streams.values():
        if stream.name in ALWAYS_READ or stream.parent_stream_type is None:
            continue
        if not (stream.selected or stream.has_selected_descendents):
            continue
        keys = set(stream.primary_keys or ())
        recycle_bin = stream.name.startswith("deleted_")
        infos.append(
            StreamInfo(
                name=stream.name,
                root=_root_of(stream).name,
                recycle_bin=recycle_bin,
                takes_tombstones=(
                    not recycle_bin and "id" in keys and keys <= {"company_id", "project_id", "id"}
                ),
                selected=bool(stream.selected),
            )
        )
    return infos


def build_feed(
    tap: FeedHost, *, holder: dict[str, t.Any] | None = None, **options: t.Any
) -> ChangeFeed:
    config = tap.config
    return ChangeFeed(
        TapWebhooksApi(tap),
        company_ids=list(config["company_ids"]),
        streams=feed_streams(tap),
        namespace=str(config.get("change_feed_namespace") or DEFAULT_NAMESPACE),
        holder=holder,
        **options,
    )
