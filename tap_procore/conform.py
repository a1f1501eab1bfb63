"""Make each record fit its stream's schema without losing a value.

Procore does not always send what its own description declares: ids as numbers where the
description says string (origin_id), numbers as strings, the odd text in a numeric field. A
target that validates records (every Singer SDK target does, nested values included) would stop
the whole load on such a value, and a loader stops on a value its column type cannot hold (an
integer beyond 64 bits in a BIGINT column). Each value is therefore converted when the
conversion is lossless (7 -> "7", "12.50" -> 12.50, "true" -> True), at every depth the schema
declares; a top-level value that cannot fit (or holds a nested value that cannot) is moved,
unchanged, into ``_procore_extra`` with one warning per stream and field, next to the fields the
schema does not list at all.

Key properties are never null in a record that leaves the tap: a loader makes them NOT NULL.
"""

from __future__ import annotations

import decimal
import logging
import re
import typing as t

import msgspec

from tap_procore.errors import UnloadableRecord

logger = logging.getLogger("tap-procore")

EXTRA_FIELDS = "_procore_extra"
# Integer columns are 64-bit in every warehouse (BIGINT, INT64, NUMBER(19)).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_INTEGER_TEXT = re.compile(r"-?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_NO_FIT = object()
_JSON_ENCODER = msgspec.json.Encoder(decimal_format="number")

Fit = t.Callable[[t.Any], t.Any]  # value -> the value, a lossless conversion, or _NO_FIT


def _types_of(prop: dict[str, t.Any]) -> frozenset[str]:
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


def _in_int64(value: t.Any) -> bool:
    return value.__class__ is not int or INT64_MIN <= value <= INT64_MAX


def _fit_integer(value: t.Any) -> t.Any:
    number: t.Any = _NO_FIT
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
        number = int(value)
    elif isinstance(value, (float, decimal.Decimal)):
        try:
            if value == int(value):
                number = int(value)
        except (OverflowError, ValueError):  # inf, nan
            return _NO_FIT
    if number is _NO_FIT or not INT64_MIN <= number <= INT64_MAX:
        return _NO_FIT
    return number


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
_KINDS: dict[str, tuple[tuple[type, ...], Fit | None]] = {
    "integer": ((int,), _fit_integer),
    "number": ((int, float, decimal.Decimal), _fit_number),
    "boolean": ((bool,), _fit_boolean),
    "string": ((str,), _fit_string),
    "object": ((dict,), None),
    "array": ((list,), None),
}
_ORDER = ("integer", "number", "boolean", "string", "object", "array")


class _Shallow(t.NamedTuple):
    """What one schema level accepts as is, and the conversions to try when it does not."""

    accepted: tuple[type, ...]
    refuses_bool: bool
    value_check: t.Callable[[t.Any], bool] | None  # formats, integer range
    fits: tuple[Fit, ...]


def _shallow(prop: dict[str, t.Any], declared: frozenset[str]) -> _Shallow:
    kinds = [kind for kind in _ORDER if kind in declared]
    accepted = tuple({py for kind in kinds for py in _KINDS[kind][0]})
    fits = tuple(fit for kind in kinds if (fit := _KINDS[kind][1]) is not None)
    value_check = None
    if declared == {"string"} and prop.get("format") == "date-time":
        value_check, fits = _is_date_time_text, (_fit_date_time,)
    elif declared == {"string"} and prop.get("format") == "date":
        value_check, fits = _is_date_text, ()
    elif declared == {"integer"}:
        value_check = _in_int64
    return _Shallow(accepted, "boolean" not in declared, value_check, fits)


def compile_fit(prop: dict[str, t.Any]) -> Fit | None:
    """The function that makes a value fit `prop` at every depth; None when anything fits."""
    types = _types_of(prop)
    declared = types - {"null"}
    if not declared:
        return None
    members = {
        name: fit
        for name, sub in (prop.get("properties") or {}).items()
        if (fit := compile_fit(sub)) is not None
    }
    items = compile_fit(prop["items"]) if isinstance(prop.get("items"), dict) else None
    return _value_fit(
        _shallow(prop, declared),
        nullable="null" in types,
        fit_members=_members_fit(members) if members else None,
        fit_items=_items_fit(items) if items is not None else None,
    )


def _members_fit(members: dict[str, Fit]) -> Fit:
    """Fits an object's members; a copy only when one of them changes."""

    def fit_members(value: dict[str, t.Any]) -> t.Any:
        changed = None
        for name, member in value.items():
            fit = members.get(name)
            if fit is None:
                continue
            fitted = fit(member)
            if fitted is _NO_FIT:
                return _NO_FIT
            if fitted is not member:
                if changed is None:
                    changed = dict(value)
                changed[name] = fitted
        return value if changed is None else changed

    return fit_members


def _items_fit(items: Fit) -> Fit:
    """Fits an array's elements; a copy only when one of them changes."""

    def fit_items(value: list[t.Any]) -> t.Any:
        changed = None
        for index, element in enumerate(value):
            fitted = items(element)
            if fitted is _NO_FIT:
                return _NO_FIT
            if fitted is not element:
                if changed is None:
                    changed = list(value)
                changed[index] = fitted
        return value if changed is None else changed

    return fit_items


def _value_fit(
    shallow: _Shallow, *, nullable: bool, fit_members: Fit | None, fit_items: Fit | None
) -> Fit:
    accepted, refuses_bool, value_check, fits = shallow

    def fit(value: t.Any) -> t.Any:
        if value is None:
            return None if nullable else _NO_FIT
        if (
            isinstance(value, accepted)
            and not (refuses_bool and value.__class__ is bool)
            and (value_check is None or value_check(value))
        ):
            if fit_members is not None and value.__class__ is dict:
                return fit_members(value)
            if fit_items is not None and value.__class__ is list:
                return fit_items(value)
            return value
        for convert in fits:
            converted = convert(value)
            if converted is not _NO_FIT:
                return converted
        return _NO_FIT

    return fit


NUL = "\x00"
REPLACEMENT_CHARACTER = "\ufffd"
# In a decoded str every surrogate is alone: a pair sent as two escapes became one character.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _with_text_mapped(value: t.Any, fix: t.Callable[[str], str]) -> t.Any:
    """`value` with `fix` applied to every text in it, keys included."""
    if isinstance(value, str):
        return fix(value)
    if isinstance(value, dict):
        return {
            _with_text_mapped(key, fix): _with_text_mapped(member, fix)
            for key, member in value.items()
        }
    if isinstance(value, list):
        return [_with_text_mapped(element, fix) for element in value]
    return value


def without_nul(value: t.Any) -> t.Any:
    """`value` with U+0000 in its text replaced by U+FFFD: PostgreSQL cannot store NUL in text or
    jsonb (a load stops on it), and no reader of construction records misses it."""
    return _with_text_mapped(value, lambda text: text.replace(NUL, REPLACEMENT_CHARACTER))


def without_lone_surrogates(value: t.Any) -> t.Any:
    """`value` with unpaired UTF-16 surrogates (JSON's ``"\\ud83d"`` without its other half, from
    text cut inside an emoji) replaced by U+FFFD: they have no UTF-8 form, so no Singer message
    holding one can be written, and the run would stop on the same record every night."""
    return _with_text_mapped(value, lambda text: _LONE_SURROGATE.sub(REPLACEMENT_CHARACTER, text))


class RecordConformer:
    """Precomputed per stream; `conform(row)` runs once per record."""

    def __init__(
        self,
        stream_name: str,
        properties: t.Mapping[str, dict[str, t.Any]],
        key_properties: t.Sequence[str] = (),
    ) -> None:
        self._stream = stream_name
        self._known = frozenset(properties)
        self._keeps_extra = EXTRA_FIELDS in properties
        self._keys = tuple(key_properties)
        # key -> (shallow check, full fit when the shallow check cannot decide alone)
        self._checks: dict[str, tuple[_Shallow, Fit, bool]] = {}
        for key, prop in properties.items():
            declared = _types_of(prop) - {"null"}
            fit = compile_fit(prop)
            if fit is None or key == EXTRA_FIELDS:
                continue  # untyped: anything goes
            nested = bool(prop.get("properties")) or isinstance(prop.get("items"), dict)
            self._checks[key] = (_shallow(prop, declared), fit, nested)
        self._warned: set[str] = set()

    def conform(self, row: dict[str, t.Any]) -> dict[str, t.Any]:
        moved = self._move_unknown(row) if self._keeps_extra else {}
        for key, result in self._misfits(row):
            if result is not _NO_FIT:
                row[key] = result
            elif self._keeps_extra:
                moved[key] = row[key]
                row[key] = None
            # else: nowhere to keep it; leave it for the target to judge
        if moved:
            self._keep_extra(row, moved)
        for key in self._keys:
            if row.get(key) is None:
                raise UnloadableRecord(
                    f"a record without a usable '{key}', which is part of the stream's key, was "
                    f"left out; it has {_identifying(row)}"
                )
        return row

    def _move_unknown(self, row: dict[str, t.Any]) -> dict[str, t.Any]:
        """Take the fields the schema does not list out of `row`."""
        moved: dict[str, t.Any] = {}
        # A record arriving with this column already set (it never should) keeps it whole.
        arriving = row.pop(EXTRA_FIELDS, None)
        if isinstance(arriving, dict):
            moved.update(arriving)
        elif arriving is not None:
            moved[EXTRA_FIELDS] = arriving
        for key in row.keys() - self._known:
            moved[key] = row.pop(key)
        return moved

    def _misfits(self, row: dict[str, t.Any]) -> list[tuple[str, t.Any]]:
        """The fields whose values do not fit as they are, with the fitted value (or _NO_FIT)."""
        checks = self._checks
        fitted: list[tuple[str, t.Any]] = []
        # One pass over the record's own keys: records often carry fewer fields than the schema.
        for key, value in row.items():
            check = checks.get(key) if value is not None else None
            if check is None:
                continue
            (accepted, refuses_bool, value_check, _), fit, nested = check
            if (
                not nested
                and isinstance(value, accepted)
                and not (refuses_bool and value.__class__ is bool)
                and (value_check is None or value_check(value))
            ):
                continue  # the common case, decided without a call
            result = fit(value)
            if result is not value:
                fitted.append((key, result))
        return fitted

    def _keep_extra(self, row: dict[str, t.Any], moved: dict[str, t.Any]) -> None:
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


def _identifying(row: dict[str, t.Any]) -> str:
    """What identifies a record that cannot be loaded, for the log: the fields it has, and the
    values of those that usually name a record."""
    named = [
        f"{name}={row[name]!r}"[:80]
        for name in ("number", "title", "name", "subject", "code", "created_at", "updated_at")
        if row.get(name) is not None
    ]
    fields = sorted(name for name, value in row.items() if value is not None)
    shown = ", ".join(fields[:12]) + (", ..." if len(fields) > 12 else "")
    return f"fields {shown or 'none'}" + (f" ({', '.join(named[:3])})" if named else "")
