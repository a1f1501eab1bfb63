"""Every use of the Singer SDK's private surface, in one place.

The SDK pin (``singer-sdk~=0.54.9`` in pyproject.toml) admits patch releases only, because the
names below are not covered by the SDK's compatibility promise. tests/unit/test_sdk_contract.py
fails when the installed SDK no longer has one of them, their signature changed, or the SDK
stopped calling them from where this tap relies on it: run it first after raising the pin.
Everything else the tap uses is public (requests are built with ``get_http_request`` and sent
by tap_procore/reading.py, not by the SDK's ``_prepare_request``/``_request``).

Stream message hooks (`PrivateStreamHooks`), overridden because no public hook exists:

* ``Stream._write_schema_message``: one SCHEMA per stream per run, not one per parent record
  (the SDK writes one per child sync: thousands in a run).
* ``Stream._generate_record_messages``: the SDK's version, minus the walk that drops deselected
  properties when nothing is deselected (on rich records that walk costs more than everything
  else) and minus its type conformance (RecordConformer in conform.py already did it). It calls
  ``singer_sdk.helpers._catalog.pop_deselected_record_properties`` when something is
  deselected, and reads the attribute ``Stream._stream_version``.
* ``Stream._write_record_message``: counts each written record for the run report, lets a
  stream leave a record out (`keep_record`) while its children still run, and tells the stream
  it was written (`record_written`: a recycle bin passes its records on to the main stream);
  both are given to the stream, not overridden.
* ``Stream._write_state_message``, ``Stream._increment_stream_state``,
  ``Stream._write_starting_replication_value``, ``Stream._write_replication_key_signpost``:
  STATE belongs to the sweep (tap_procore/sweep.py), which checkpoints at scope boundaries and
  sets bookmarks to its fixed upper bound; the SDK's per-record bookkeeping is switched off.

Tap hooks (`PrivateTapHooks`), each delegating to a public method of TapProcore:

* ``PluginBase._validate_config`` -> `check_config`: our own check first, one line naming the
  setting, before the SDK's schema check.
* ``PluginBase._env_var_config`` (a class property the SDK reads) -> `environment_config`,
  given ``PluginBase._env_var_prefix``: TAP_PROCORE_* variables typed by the settings schema.
* ``Tap._handle_termination`` -> `on_termination`: a signal ends the output with whole lines
  and the last STATE written in full, and the run with a non-zero exit code
  (tap_procore/stopping.py).

Not private, but marked ``@final`` in the SDK: ``Tap.sync_all``, which TapProcore extends to
complete the sweep once every stream has returned.

Not the SDK's, but private as well: urllib3's ``HTTPConnectionPool._get_conn`` (tap_procore/
http.py hangs up connections past their deadline); the contract test checks it too.
"""

from __future__ import annotations

import typing as t

from singer_sdk import Tap
from singer_sdk.helpers._catalog import pop_deselected_record_properties
from singer_sdk.singerlib import RecordMessage

from tap_procore import dates
from tap_procore.declarations import DeclaredStream

if t.TYPE_CHECKING:
    from types import FrameType

    from singer_sdk.helpers.types import Context

    from tap_procore.run import RunContext

#: Private SDK methods overridden here, with their parameters as the pinned SDK declares them,
#: and the SDK method that calls each (tests/unit/test_sdk_contract.py checks all three).
STREAM_HOOKS: dict[str, tuple[tuple[str, ...], str]] = {
    "_write_schema_message": (("self",), "sync"),
    "_generate_record_messages": (("self", "record"), "_write_record_message"),
    "_write_record_message": (("self", "record"), "_sync_records"),
    "_write_state_message": (("self",), "_sync_records"),
    "_increment_stream_state": (("self", "latest_record", "*context"), "_sync_records"),
    "_write_starting_replication_value": (("self", "context"), "_sync_records"),
    "_write_replication_key_signpost": (("self", "context", "value"), "sync"),
}
TAP_HOOKS: dict[str, tuple[tuple[str, ...], str]] = {
    "_validate_config": (("self", "*raise_errors"), "__init__"),
    "_handle_termination": (("self", "signum", "frame"), "_setup_signal_handlers"),
}


class _ClassProperty:
    """A read-only property of the class (the SDK reads `_env_var_config` on the class)."""

    def __init__(self, getter: t.Callable[[t.Any], t.Any]) -> None:
        self.getter = getter

    def __get__(self, instance: t.Any, owner: type) -> t.Any:
        return self.getter(owner)


class PrivateStreamHooks(DeclaredStream):
    """The SDK's private message hooks, as tap-procore needs them (see the module docstring)."""

    def __init__(self, tap: RunContext, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(tap, *args, **kwargs)
        self._schema_written = False
        self._everything_selected: bool | None = None
        #: False for a record to leave out of the output while its children still run.
        self.keep_record: t.Callable[[dict[str, t.Any]], bool] = _always
        #: Told of every record written.
        self.record_written: t.Callable[[dict[str, t.Any]], None] = _nothing

    def _write_schema_message(self) -> None:
        # Once per run, not once per project (the SDK writes one per child sync).
        if not self._schema_written:
            self._schema_written = True
            super()._write_schema_message()

    def _generate_record_messages(
        self, record: dict[str, t.Any]
    ) -> t.Generator[RecordMessage, None, None]:
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
                    time_extracted=dates.extraction_time(),
                )

    def _write_record_message(self, record: dict[str, t.Any]) -> None:
        if not self.keep_record(record):
            return
        super()._write_record_message(record)
        self.run.report.count_record(self.name)
        self.record_written(record)

    def _write_state_message(self) -> None:
        # STATE is checkpointed by the tap at scope boundaries (tap_procore/sweep.py).
        self.run.checkpoint()

    def _increment_stream_state(
        self, latest_record: dict[str, t.Any], *, context: Context | None = None
    ) -> None:
        # Bookmarks are the sweep's fixed upper bound, not the largest value seen.
        return

    def _write_starting_replication_value(self, context: Context | None) -> None:
        return

    def _write_replication_key_signpost(self, context: Context | None, value: t.Any) -> None:
        return


def _always(record: dict[str, t.Any]) -> bool:
    return True


def _nothing(record: dict[str, t.Any]) -> None:
    return None


class PrivateTapHooks(Tap):
    """The SDK's private tap hooks, each handing over to a public method (module docstring)."""

    # Settings from TAP_PROCORE_* variables, typed by the settings schema (Meltano passes every
    # value as text); a bad value stops with one line naming the setting.
    _env_var_config = _ClassProperty(lambda cls: cls.environment_config(cls._env_var_prefix))

    @classmethod
    def environment_config(cls, prefix: str) -> dict[str, t.Any]:
        """Settings given as `<prefix><NAME>` environment variables."""
        raise NotImplementedError

    def check_config(self) -> None:
        """Raise for the first unusable setting, naming it."""
        raise NotImplementedError

    def on_termination(self, signum: int) -> None:
        """The process was told to stop by a signal."""
        raise NotImplementedError

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        # Discovery (raise_errors=False) must keep working without credentials.
        if raise_errors:
            self.check_config()
        return super()._validate_config(raise_errors=raise_errors)

    def _handle_termination(self, signum: int, frame: FrameType | None) -> None:  # pragma: no cover
        self.on_termination(signum)
