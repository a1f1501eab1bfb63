"""Make each record fit its stream's columns without losing a value.

Procore does not always send what its own description declares: ids as numbers where the
description says string (origin_id), numbers as strings, the odd text in a numeric field. A
target that validates records would stop the whole load on such a value. Each top-level value is
therefore converted when the conversion is lossless (7 -> "7", "12.50" -> 12.50, "true" -> True),
and a value that cannot fit its column is moved, unchanged, into ``_procore_extra`` with one
warning per stream and field, next to the fields the schema does not list at all.
"""

from __future__ import annotations

import decimal
import logging
import re
import typing as t

import msgspec

logger = logging.getLogger("tap-procore")

EXTRA_FIELDS = "_procore_extra"
_INTEGER_TEXT = re.compile(r"-?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_NO_FIT = object()
_JSON_ENCODER = msgspec.json.Encoder(decimal_format="number")


def _types_of(prop: dict) -> frozenset[str]:
    declared = prop.get("type", ())
    return frozenset((declared,) if isinstance(declared, str) else declared)


def _fit_string(value: t.Any) -> t.Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, decimal.Decimal)):
        return str(value)
    if isinstance(value, (dict, list)):
        # Columns whose type Procore's description lost are text; keep the structure as JSON.
        return _JSON_ENCODER.encode(value).decode()
    return _NO_FIT


def _fit_integer(value: t.Any) -> t.Any:
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
        return int(value)
    if isinstance(value, (float, decimal.Decimal)):
        try:
            if value == int(value):
                return int(value)
        except (OverflowError, ValueError):  # inf, nan
            return _NO_FIT
    return _NO_FIT


def _fit_number(value: t.Any) -> t.Any:
    if isinstance(value, str):
        try:
            number = decimal.Decimal(value.strip())
        except decimal.InvalidOperation:
            return _NO_FIT
        return number if number.is_finite() else _NO_FIT
    return _NO_FIT


def _fit_boolean(value: t.Any) -> t.Any:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return _NO_FIT


def _is_date_time_text(value: t.Any) -> bool:
    return isinstance(value, str) and _DATE_TIME.match(value) is not None


def _is_date_text(value: t.Any) -> bool:
    return isinstance(value, str) and _DATE.fullmatch(value) is not None


def _fit_date_time(value: t.Any) -> t.Any:
    if isinstance(value, str) and _DATE.fullmatch(value):
        return f"{value}T00:00:00Z"  # a bare date where a timestamp is declared: midnight UTC
    return _NO_FIT


# Python types that already satisfy each JSON Schema type, and the lossless conversion to try
# when a value does not. bool is an int subclass, hence the explicit exclusion below.
_KINDS: dict[str, tuple[tuple[type, ...], t.Callable[[t.Any], t.Any] | None]] = {
    "integer": ((int,), _fit_integer),
    "number": ((int, float, decimal.Decimal), _fit_number),
    "boolean": ((bool,), _fit_boolean),
    "string": ((str,), _fit_string),
    "object": ((dict,), None),
    "array": ((list,), None),
}
_ORDER = ("integer", "number", "boolean", "string", "object", "array")


class RecordConformer:
    """Precomputed per stream; `conform(row)` runs once per record."""

    def __init__(self, stream_name: str, properties: t.Mapping[str, dict]) -> None:
        self._stream = stream_name
        self._known = frozenset(properties)
        self._keeps_extra = EXTRA_FIELDS in properties
        # key -> (accepted Python types, whether bool must be refused, text check, fits)
        self._checks: dict[str, tuple[tuple, bool, t.Callable | None, tuple]] = {}
        for key, prop in properties.items():
            declared = _types_of(prop) - {"null"}
            if not declared or key == EXTRA_FIELDS:
                continue  # untyped: anything goes
            kinds = [kind for kind in _ORDER if kind in declared]
            accepted = tuple({py for kind in kinds for py in _KINDS[kind][0]})
            fits = tuple(_KINDS[kind][1] for kind in kinds if _KINDS[kind][1] is not None)
            refuses_bool = "boolean" not in declared
            text_check = None
            if declared == {"string"} and prop.get("format") == "date-time":
                text_check, fits = _is_date_time_text, (_fit_date_time,)
            elif declared == {"string"} and prop.get("format") == "date":
                text_check, fits = _is_date_text, ()
            self._checks[key] = (accepted, refuses_bool, text_check, fits)
        self._warned: set[str] = set()

    def conform(self, row: dict) -> dict:
        moved: dict[str, t.Any] = {}
        if self._keeps_extra:
            # A record arriving with this column already set (it never should) keeps it whole.
            arriving = row.pop(EXTRA_FIELDS, None)
            if isinstance(arriving, dict):
                moved.update(arriving)
            elif arriving is not None:
                moved[EXTRA_FIELDS] = arriving
            unknown = row.keys() - self._known
            for key in unknown:
                moved[key] = row.pop(key)
        checks = self._checks
        misfits: list[str] = []
        # One pass over the record's own keys: records often carry fewer fields than the schema.
        for key, value in row.items():
            if value is None:
                continue
            check = checks.get(key)
            if check is None:
                continue
            accepted, refuses_bool, text_check, _ = check
            if (
                isinstance(value, accepted)
                and not (refuses_bool and value.__class__ is bool)
                and (text_check is None or text_check(value))
            ):
                continue
            misfits.append(key)
        for key in misfits:
            value = row[key]
            for fit in checks[key][3]:
                converted = fit(value)
                if converted is not _NO_FIT:
                    row[key] = converted
                    break
            else:
                if not self._keeps_extra:
                    continue  # nowhere to keep it: leave it for the target to judge
                moved[key] = value
                row[key] = None
        if moved:
            row[EXTRA_FIELDS] = moved
            new = moved.keys() - self._warned
            if new:
                self._warned |= new
                logger.warning(
                    "%s: kept in %s fields the schema does not list or whose values do not fit "
                    "their declared type: %s",
                    self._stream,
                    EXTRA_FIELDS,
                    ", ".join(sorted(new)),
                )
        return row
