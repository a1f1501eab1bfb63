"""Deleted records on their stream's own table: the key and `_sdc_deleted_at`.

Two sources, one convention (the Singer one, which target-postgres honours by setting the row's
`_sdc_deleted_at`):

* a delete event of the change feed (tap_procore/feed.py) becomes a record of the stream whose rows
  are that resource's records, carrying the key and the event's time;
* a record read from a recycle bin (a `deleted_<stream>` stream) is also written, whole, to
  `<stream>`, with `deleted_at` (or its `updated_at`) as `_sdc_deleted_at`, feed or no feed.

Only streams whose rows are keyed by their scope and `id` take such records (an event names the
project and the record's id, nothing more). Their schema gets `_sdc_deleted_at`.
"""

from __future__ import annotations

import typing as t
from functools import cache

from singer_sdk import StreamSchema

from tap_procore import dates
from tap_procore.conform import EXTRA_FIELDS
from tap_procore.webhook_resources import DELETE, RESOURCES

DELETED_AT = "_sdc_deleted_at"
RECYCLE_BIN_PREFIX = "deleted_"
DELETED_AT_SCHEMA = {
    "type": ["string", "null"],
    "format": "date-time",
    "description": "When tap-procore learnt the record was deleted in Procore (a webhook delete "
    "event, or the record's deleted_at in the recycle bin); null while it exists.",
}
_TOMBSTONE_KEYS = frozenset({"company_id", "project_id", "id"})


def keyed_by_id(primary_keys: t.Iterable[str]) -> bool:
    keys = set(primary_keys)
    return "id" in keys and keys <= _TOMBSTONE_KEYS


#: Every stream class's name, as each is declared (tap_procore/declarations.py tells): which
#: streams have a recycle bin, and which stream a recycle bin belongs to.
_STREAM_NAMES: set[str] = set()


def note_stream_name(name: str) -> None:
    _STREAM_NAMES.add(name)


def _stream_names() -> set[str]:
    return _STREAM_NAMES


@cache
def _deleted_by_events() -> frozenset[str]:
    return frozenset(
        stream for resource in RESOURCES if DELETE in resource.events for stream in resource.streams
    )


def takes_deletes(name: str, primary_keys: t.Iterable[str]) -> bool:
    """Whether the stream's table gets records of deleted rows (and so `_sdc_deleted_at`)."""
    if name.startswith(RECYCLE_BIN_PREFIX) or not keyed_by_id(primary_keys):
        return False
    return name in _deleted_by_events() or RECYCLE_BIN_PREFIX + name in _stream_names()


def main_stream_of(recycle_bin: str) -> str | None:
    """The stream whose deleted records a `deleted_*` stream lists."""
    if not recycle_bin.startswith(RECYCLE_BIN_PREFIX):
        return None
    main = recycle_bin[len(RECYCLE_BIN_PREFIX) :]
    return main if main in _stream_names() else None


class SchemaWithDeletes(StreamSchema):
    """The stream's schema file, plus `_sdc_deleted_at` where deleted rows are recorded."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._built: dict[str, dict[str, t.Any]] = {}

    def get_stream_schema(self, stream: t.Any, stream_class: type) -> t.Any:
        name = stream.name
        if name not in self._built:
            schema = super().get_stream_schema(stream, stream_class)
            if takes_deletes(name, stream.primary_keys or ()):
                schema = {
                    **schema,
                    "properties": {**schema.get("properties", {}), DELETED_AT: DELETED_AT_SCHEMA},
                }
            self._built[name] = schema
        return self._built[name]


def deleted_at_of(record: dict[str, t.Any]) -> t.Any:
    """When a recycle-bin record was deleted, as well as the record says: its `deleted_at`, also
    where the recycle bin's schema does not list it (checklist item attachments, ...: it is then
    kept in `_procore_extra`), else its `updated_at`."""
    extra = record.get(EXTRA_FIELDS)
    kept = extra.get("deleted_at") if isinstance(extra, dict) else None
    for value in (record.get("deleted_at"), kept, record.get("updated_at")):
        try:
            return dates.format_timestamp(dates.parse_timestamp(value))
        except dates.DateError:
            continue  # missing, null or not a time: the next source
    return None


class DeletedRows:
    """The rows a recycle bin marked deleted in this run, so that a delete event for the same
    row does not overwrite the whole record with its key alone."""

    def __init__(self) -> None:
        self._from_bins: set[tuple[str, t.Any, str]] = set()

    def note_recycle_bin(self, stream: str, scope: t.Any, record_id: t.Any) -> None:
        self._from_bins.add((stream, scope, str(record_id)))

    def from_recycle_bin(self, stream: str, scope: t.Any, record_id: t.Any) -> bool:
        return (stream, scope, str(record_id)) in self._from_bins
