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
    if isinstance(value, (float, decimal.Decimal)) and not isinstance(value, bool):
        if value == int(value):
            return int(value)
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


def _is_string(value: t.Any) -> bool:
    return isinstance(value, str)


def _is_date_time_text(value: t.Any) -> bool:
    return isinstance(value, str) and _DATE_TIME.match(value) is not None


def _is_date_text(value: t.Any) -> bool:
    return isinstance(value, str) and _DATE.fullmatch(value) is not None


def _fit_date_time(value: t.Any) -> t.Any:
    if isinstance(value, str) and _DATE.fullmatch(value):
        return f"{value}T00:00:00Z"  # a bare date where a timestamp is declared: midnight UTC
    return _NO_FIT


def _is_integer(value: t.Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: t.Any) -> bool:
    return isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool)


def _is_boolean(value: t.Any) -> bool:
    return isinstance(value, bool)


def _is_object(value: t.Any) -> bool:
    return isinstance(value, dict)


def _is_array(value: t.Any) -> bool:
    return isinstance(value, list)


# Checked in this order: the first type a value already satisfies wins; otherwise the first
# lossless conversion.
_KINDS: tuple[tuple[str, t.Callable[[t.Any], bool], t.Callable[[t.Any], t.Any] | None], ...] = (
    ("integer", _is_integer, _fit_integer),
    ("number", _is_number, _fit_number),
    ("boolean", _is_boolean, _fit_boolean),
    ("string", _is_string, _fit_string),
    ("object", _is_object, None),
    ("array", _is_array, None),
)


class RecordConformer:
    """Precomputed per stream; `conform(row)` runs once per record."""

    def __init__(self, stream_name: str, properties: t.Mapping[str, dict]) -> None:
        self._stream = stream_name
        self._known = frozenset(properties)
        self._keeps_extra = EXTRA_FIELDS in properties
        self._checks: list[tuple[str, tuple, tuple]] = []
        for key, prop in properties.items():
            declared = _types_of(prop) - {"null"}
            if not declared or key == EXTRA_FIELDS:
                continue  # untyped: anything goes
            if declared == {"string"} and prop.get("format") == "date-time":
                self._checks.append((key, (_is_date_time_text,), (_fit_date_time,)))
                continue
            if declared == {"string"} and prop.get("format") == "date":
                self._checks.append((key, (_is_date_text,), ()))
                continue
            accept = tuple(check for kind, check, _ in _KINDS if kind in declared)
            fits = tuple(fit for kind, _, fit in _KINDS if kind in declared and fit)
            self._checks.append((key, accept, fits))
        self._warned: set[str] = set()

    def conform(self, row: dict) -> dict:
        moved: dict[str, t.Any] = {}
        if self._keeps_extra:
            for key in row.keys() - self._known:
                moved[key] = row.pop(key)
        for key, accept, fits in self._checks:
            value = row.get(key)
            if value is None or any(check(value) for check in accept):
                continue
            for fit in fits:
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
            extra = row.get(EXTRA_FIELDS)
            row[EXTRA_FIELDS] = {**extra, **moved} if isinstance(extra, dict) else moved
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
