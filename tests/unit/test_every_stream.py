"""Every stream of the catalog, in process: its URL, parameters, parsing and post-processing.

One whole sync runs against the in-process double (procore_double/in_process.py: requests-mock,
no socket) with every stream selected, through the SDK's own test runner, and page_size 2 so
that every paginated listing takes more than one page. Then one test per stream reads the
requests it made and the records it wrote: a new stream is covered as soon as it is declared.
"""

from __future__ import annotations

import json
import re
import typing as t
from dataclasses import dataclass

import pytest
from singer_sdk.testing import SuiteConfig
from singer_sdk.testing.runners import TapTestRunner

from procore_double.in_process import Exchange, in_process_double
from tap_procore import dates
from tap_procore.client import PARENT_FIELDS, ProcoreStream
from tap_procore.conform import EXTRA_FIELDS
from tap_procore.deletes import DELETED_AT
from tap_procore.hierarchy import CompaniesStream, ProjectsStream, ProjectStream
from tap_procore.streams import STREAM_TYPES
from tap_procore.tap import TapProcore
from tests.conftest import base_config, seed_company_webhooks

COMPANY = 5000000001
PAGE_SIZE = 2
TENANT = {
    "companies": 1,
    "projects_per_company": 2,
    "inactive_projects": [],
    "empty_projects": [],
    "tools_off": {},
    "big_lists": [],
    "hourly_limit": 10**9,
    "spike_limit": 10**9,
}
NAMES = sorted(stream.name for stream in STREAM_TYPES)
_TEMPLATE = re.compile(r"\{(\w+)\}")


class WholeSyncRunner(TapTestRunner):
    """The SDK's tap test runner, running a whole sync rather than its dry run: the sweep is
    completed, and its state written, only at the end of a whole sync."""

    tap: TapProcore

    def run_sync_dry_run(self) -> bool:
        self.tap = t.cast(TapProcore, self.new_tap())
        self.tap.sync_all()
        return True


@dataclass
class Sync:
    runner: WholeSyncRunner
    exchanges: list[Exchange]
    by_stream: dict[str, list[Exchange]]

    @property
    def tap(self) -> TapProcore:
        return self.runner.tap

    def stream(self, name: str) -> ProcoreStream:
        return t.cast(ProcoreStream, self.tap.streams[name])

    def records(self, name: str) -> list[dict]:
        return self.runner.records.get(name, [])

    @property
    def project_ids(self) -> set[str]:
        return {str(record["id"]) for record in self.records("projects")}

    def served(self, name: str) -> list[dict]:
        """The records Procore's answers to this stream held, counted independently of the
        tap: list items, v2 `data` items, one-object answers, grouped meetings."""
        return [row for exchange in self.by_stream[name] for row in _rows(exchange.body)]


def _rows(body: bytes) -> list[dict]:
    decoded = json.loads(body)
    if isinstance(decoded, dict) and isinstance(decoded.get("data"), list):
        decoded = decoded["data"]
    if isinstance(decoded, dict):
        decoded = decoded.get("meetings", [decoded])
    rows: list[dict] = []
    for item in decoded:
        if isinstance(item, dict) and "id" not in item and isinstance(item.get("meetings"), list):
            rows.extend(meeting for meeting in item["meetings"] if isinstance(meeting, dict))
        elif isinstance(item, dict):
            rows.append(item)
    return rows


def _pattern(stream: type[ProcoreStream]) -> re.Pattern[str]:
    path = re.escape(stream.path).replace(r"\{", "{").replace(r"\}", "}")
    return re.compile(_TEMPLATE.sub(lambda match: f"(?P<{match.group(1)}>[^/]+)", path))


def _path_values(stream: type[ProcoreStream], path: str) -> dict[str, str]:
    match = _pattern(stream).fullmatch(path)
    assert match is not None, f"{stream.name}: {path}"
    return match.groupdict()


def _fixed_query(stream: type[ProcoreStream]) -> dict[str, str]:
    return {key: value for key, value in stream.query.items() if not _TEMPLATE.search(value)}


def _attribute(exchanges: list[Exchange]) -> dict[str, list[Exchange]]:
    """Which stream made each request: the streams whose path and fixed query it matches,
    the one with the most query parameters of its own when several do."""
    patterns = {stream.name: (stream, _pattern(stream)) for stream in STREAM_TYPES}
    by_stream: dict[str, list[Exchange]] = {name: [] for name in NAMES}
    for exchange in exchanges:
        query = exchange.query
        candidates = [
            stream
            for stream, pattern in patterns.values()
            if stream.embedded_in is None
            and pattern.fullmatch(exchange.path)
            and set(stream.query) <= set(query)
            and all(query[key] == value for key, value in _fixed_query(stream).items())
        ]
        most = max((len(stream.query) for stream in candidates), default=0)
        for stream in candidates:
            if len(stream.query) == most:
                by_stream[stream.name].append(exchange)
    return by_stream


@pytest.fixture(scope="module")
def sync() -> t.Iterator[Sync]:
    with in_process_double(**TENANT) as double:
        seed_company_webhooks(double.url, [COMPANY])
        config = base_config(double.url, [COMPANY], page_size=PAGE_SIZE)
        catalog = TapProcore(config=config, validate_config=False, setup_mapper=False).catalog_dict
        for entry in catalog["streams"]:
            for item in entry["metadata"]:
                item["metadata"]["selected"] = True  # the opt-in streams too
        runner = WholeSyncRunner(
            TapProcore,
            config=config,
            suite_config=SuiteConfig(),
            catalog=catalog,
            parse_env_config=False,
        )
        runner.sync_all()
        api = [
            exchange
            for exchange in double.exchanges
            if exchange.path.startswith("/rest/") and exchange.request.method == "GET"
        ]
        yield Sync(runner, api, _attribute(api))


def _context_keys(stream: type[ProcoreStream]) -> set[str]:
    """The context keys every record of `stream` carries (its scope and its parents' ids)."""
    keys = {"company_id"}
    if issubclass(stream, ProjectStream):
        keys.add("project_id")
    parent = stream.parent_stream_type
    while parent is not None and parent not in (CompaniesStream, ProjectsStream):
        assert issubclass(parent, ProcoreStream)
        if parent.child_id_key:
            keys.add(parent.child_id_key)
        parent = parent.parent_stream_type
    if stream.id_param:
        keys.add(stream.id_param)
    return keys


def _check_request(stream: ProcoreStream, exchange: Exchange, sync: Sync) -> None:
    query = exchange.query
    where = f"{stream.name}: GET {exchange.path}?{exchange.request.url.partition('?')[2]}"
    assert exchange.status == 200, f"{where} answered {exchange.status}"
    assert exchange.request.headers["Procore-Company-Id"] == str(COMPANY), where
    assert exchange.request.headers["Authorization"].startswith("Bearer "), where
    size = query.get(stream.per_page_param or "", None)
    if stream.per_page_param and (stream.paginated or stream.cursor_param):
        assert int(size or 0) == min(PAGE_SIZE, stream.max_page_size), where
    if stream.paginated:
        assert int(query["page"]) >= stream.page_base, where
    else:
        assert "page" not in query, where
    if not stream.per_page_param:
        assert "per_page" not in query, where
    values = {**_path_values(type(stream), exchange.path), **query}
    for key in ("company_id", "project_id"):
        if key in values:
            expected = {str(COMPANY)} if key == "company_id" else sync.project_ids
            assert values[key] in expected, where
    if "filters[updated_at]" in query:
        assert stream.replication_key is not None and stream.date_params is None, where
        lower, _, upper = query["filters[updated_at]"].partition("...")
        assert lower == "2020-01-01T00:00:00Z" and re.fullmatch(r"\d{4}-.*Z", upper), where
    elif stream.updated_at_param in query:  # a lower bound alone (`...[gt]`, `updated_after`)
        assert query[stream.updated_at_param] == "2020-01-01T00:00:00Z", where
    if stream.date_params is not None:
        assert set(stream.date_params) <= set(query), where


@pytest.mark.parametrize("name", NAMES)
def test_stream_requests_its_url_with_its_parameters(sync, name):
    stream = sync.stream(name)
    exchanges = sync.by_stream[name]
    if stream.embedded_in is not None:
        assert not exchanges  # comes inside its parent's records: no request of its own
        return
    assert exchanges, f"{name} made no request"
    for exchange in exchanges:
        _check_request(stream, exchange, sync)
    windowed = [stream.updated_at_param in exchange.query for exchange in exchanges]
    if isinstance(stream, ProjectsStream):
        assert not any(windowed)  # every project is visited, changed or not
    elif stream.replication_key is not None and stream.date_params is None:
        # Id sources are also listed whole, once per scope, for the ids (TapProcore.parent_ids).
        assert all(windowed) or (name in _id_sources() and any(windowed)), name
    else:
        assert not any(windowed), name
    if stream.paginated:
        _check_paging(exchanges, stream.page_base, name in _id_sources())


def _check_paging(exchanges: list[Exchange], first: int, id_source: bool) -> None:
    """Every listing was read through the last page its Total announced, each page once (an
    id source's listings are also read whole for the ids: each page as often as the others)."""
    listings: dict[tuple, list[int]] = {}
    totals: dict[tuple, int] = {}
    for exchange in exchanges:
        listing = (exchange.path, *sorted((k, v) for k, v in exchange.query.items() if k != "page"))
        listings.setdefault(listing, []).append(int(exchange.query["page"]))
        if "Total" in exchange.headers:  # one-object endpoints answer without it
            totals[listing] = int(exchange.headers["Total"])
    for listing, pages in listings.items():
        if id_source:
            pages = sorted(set(pages))
        last = max(1, -(-totals[listing] // PAGE_SIZE)) if listing in totals else len(pages)
        assert sorted(pages) == list(range(first, first + last)), listing


def _id_sources() -> set[str]:
    return {source for stream in STREAM_TYPES for source in stream.ids_from}


@pytest.mark.parametrize("name", NAMES)
def test_stream_writes_every_record_procore_served(sync, name):
    stream = sync.stream(name)
    records = sync.records(name)
    assert records, f"{name} wrote no record"
    if stream.embedded_in is not None:
        parent = t.cast(type, stream.parent_stream_type).name
        served = [
            item
            for row in sync.served(parent)
            for item in (row.get(stream.embedded_in) or [])
            if isinstance(item, dict)
        ]
        assert len(records) == len(served)
    elif name == "companies":
        assert [record["id"] for record in records] == [COMPANY]
    elif name in _id_sources():
        # Also listed once per scope for the ids of the streams that need them.
        assert len(records) <= len(sync.served(name))
    else:
        live = [record for record in records if not record.get(DELETED_AT)]
        assert len(live) == len(sync.served(name))
        # Records of its recycle bin reach the stream too, marked deleted (deletes.py).
        recycle_bin = f"deleted_{name}"
        takes = recycle_bin in NAMES and DELETED_AT in stream.schema["properties"]
        marked = len(records) - len(live)
        assert marked == (len(sync.served(recycle_bin)) if takes else 0), name


def test_rows_from_a_recycle_bin_are_marked_with_their_own_deletion_time(sync):
    """`_sdc_deleted_at` of a row a recycle bin sent is the record's `deleted_at`, also where the
    recycle bin's schema does not list it (it then arrives in `_procore_extra`)."""
    checked = set()
    for name in NAMES:
        stream = sync.stream(name)
        recycle_bin = f"deleted_{name}"
        if recycle_bin not in NAMES or DELETED_AT not in stream.schema["properties"]:
            continue
        deleted_at = {str(row["id"]): row.get("deleted_at") for row in sync.served(recycle_bin)}
        for record in sync.records(name):
            if record.get(DELETED_AT) and deleted_at.get(str(record["id"])):
                marked = dates.parse_timestamp(record[DELETED_AT])
                assert marked == dates.parse_timestamp(deleted_at[str(record["id"])]), name
                checked.add(name)
    # Among them a recycle bin whose schema lacks deleted_at.
    assert "checklist_item_attachments" in checked, sorted(checked)


@pytest.mark.parametrize("name", NAMES)
def test_stream_records_carry_their_context_and_a_unique_key(sync, name):
    stream = sync.stream(name)
    records = sync.records(name)
    properties = set(stream.schema["properties"])
    expected = set() if name in ("companies", "projects") else _context_keys(type(stream))
    keys = set()
    for record in records:
        assert expected <= {key for key, value in record.items() if value is not None}, name
        private = {key for key in record if key.startswith("_")} - {EXTRA_FIELDS, DELETED_AT}
        assert not private, f"{name} wrote {private}"
        extra = record.get(EXTRA_FIELDS) or {}
        assert PARENT_FIELDS not in extra and "_window" not in extra, f"{name} wrote its context"
        assert set(record) <= properties, f"{name}: {set(record) - properties} not in schema"
        key = tuple(record[column] for column in stream.primary_keys)
        assert None not in key, f"{name}: a record without its key {stream.primary_keys}"
        keys.add(key)
    assert len(keys) == len(records), f"{name}: key {stream.primary_keys} repeats"


def test_children_that_trust_a_parent_count_skip_parents_that_say_none(sync):
    counted = [stream for stream in STREAM_TYPES if stream.parent_count_field]
    assert counted
    for stream in counted:
        parent = t.cast(type[ProcoreStream], stream.parent_stream_type)
        key = t.cast(str, parent.child_id_key)
        served = sync.served(parent.name)
        asked = {
            {**_path_values(stream, exchange.path), **exchange.query}.get(key)
            for exchange in sync.by_stream[stream.name]
        }
        wanted = {str(row["id"]) for row in served if row.get(stream.parent_count_field) != 0}
        assert asked == wanted, stream.name


def test_state_stays_compact_without_private_context_keys(sync):
    state = sync.runner.state_messages[-1]["value"]
    text = json.dumps(state)
    for private in (PARENT_FIELDS, "_window", "partitions", "context"):
        assert f'"{private}"' not in text
    bookmarks = state["bookmarks"]
    assert "sweep" not in bookmarks["projects"]  # the sweep completed
    for name in NAMES:
        stream = sync.stream(name)
        if stream.replication_key:
            assert bookmarks[name]["replication_key"] == stream.replication_key, name
