"""Every use of the Singer SDK's private surface, in one place.

The SDK pin (``singer-sdk~=0.54.9`` in pyproject.toml) admits patch releases only, because the
names below are not covered by the SDK's compatibility promise. tests/unit/test_sdk_contract.py
fails when the installed SDK no longer has one of them or its signature changed: run it first
after raising the pin. Everything else the tap uses is public.

Stream message hooks (`PrivateStreamHooks`), overridden because no public hook exists:

* ``Stream._write_schema_message``: one SCHEMA per stream per run, not one per parent record
  (the SDK writes one per child sync: thousands in a run).
* ``Stream._generate_record_messages``: the SDK's version, minus the walk that drops deselected
  properties when nothing is deselected (on rich records that walk costs more than everything
  else) and minus its type conformance (RecordConformer in conform.py already did it). It calls
  ``singer_sdk.helpers._catalog.pop_deselected_record_properties`` when something is
  deselected, and reads ``Stream._stream_version``.
* ``Stream._write_record_message``: counts each written record for the run report, and lets a
  stream decline to write one (``should_write``) while its children still run.
* ``Stream._write_state_message``, ``Stream._increment_stream_state``,
  ``Stream._write_starting_replication_value``, ``Stream._write_replication_key_signpost``:
  STATE belongs to the sweep (tap_procore/sweep.py), which checkpoints at scope boundaries and
  sets bookmarks to its fixed upper bound; the SDK's per-record bookkeeping is switched off.

Tap hooks (`PrivateTapHooks`):

* ``PluginBase._validate_config``: our own check first, one line naming the setting.
* ``PluginBase._env_var_config`` (read on the class) and ``PluginBase._env_var_prefix``:
  TAP_PROCORE_* variables typed by the settings schema, with a bad value named in one line.
* ``Tap._handle_termination``: a signal leaves the last consistent STATE and a non-zero code.

Not the SDK's, but private as well: urllib3's ``HTTPConnectionPool._get_conn`` (tap_procore/
http.py hangs up connections past their deadline); the contract test checks it too.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from singer_sdk.helpers._catalog import pop_deselected_record_properties
from singer_sdk.singerlib import RecordMessage

from tap_procore.declarations import DeclaredStream

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_procore.tap import TapProcore

#: The private names this module relies on, by owner (what tests/unit/test_sdk_contract.py checks).
STREAM_HOOKS = (
    "_write_schema_message",
    "_generate_record_messages",
    "_write_record_message",
    "_write_state_message",
    "_increment_stream_state",
    "_write_starting_replication_value",
    "_write_replication_key_signpost",
)


class PrivateStreamHooks(DeclaredStream):
    """The SDK's private message hooks, as tap-procore needs them (see the module docstring)."""

    def __init__(self, tap: TapProcore, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(tap, *args, **kwargs)
        self._schema_written = False
        self._everything_selected: bool | None = None
        self.records_written = 0

    def should_write(self, record: dict[str, t.Any]) -> bool:
        """False to leave a record out of the output while its children still run."""
        return True

    def _write_schema_message(self) -> None:
        # Once per run, not once per project (the SDK writes one per child sync).
        if not self._schema_written:
            self._schema_written = True
            super()._write_schema_message()

    def _generate_record_messages(self, record: dict[str, t.Any]) -> t.Iterator[RecordMessage]:
        # The SDK's version walks every nested property to drop deselected ones, even when
        # nothing is deselected; on rich records that walk costs more than everything else.
        if self._everything_selected is None:
            self._everything_selected = all(self.mask.values())
        if not self._everything_selected:
            pop_deselected_record_properties(record, self.schema, self.mask)
        for stream_map in self.stream_maps:
            mapped = stream_map.transform(record)
            if mapped is not None:
                yield RecordMessage(
                    stream=stream_map.stream_alias,
                    record=mapped,
                    version=self._stream_version,
                    time_extracted=dt.datetime.now(dt.timezone.utc),
                )

    def _write_record_message(self, record: dict[str, t.Any]) -> None:
        if not self.should_write(record):
            return
        super()._write_record_message(record)
        self.records_written += 1
        self.tap.report.count_record(self.name)

    def _write_state_message(self) -> None:
        # STATE is checkpointed by the tap at scope boundaries (tap_procore/sweep.py).
        self.tap.checkpoint()

    def _increment_stream_state(
        self, latest_record: dict[str, t.Any], *, context: Context | None = None
    ) -> None:
        # Bookmarks are the sweep's fixed upper bound, not the largest value seen.
        return

    def _write_starting_replication_value(self, context: Context | None) -> None:
        return

    def _write_replication_key_signpost(self, context: Context | None, value: t.Any) -> None:
        return
