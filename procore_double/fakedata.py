"""Fake field values from the simplified item schemas in routes.json.

A route's schema is compiled once into a list of (field, generator) pairs so
that producing a record is a tight loop over `random.Random` calls.  Values
have the JSON types Procore documents (integers, ISO 8601 `...Z` date-times,
`YYYY-MM-DD` dates, numbers, booleans, nested objects and arrays), with what
real tenants send: `null` in any field that is not an id, empty objects,
empty arrays and arrays of arrays, text with quotes, backslashes, braces,
control characters (NUL included) and non-ASCII, numbers at the edges of their types (64-bit
integers, doubles from 5e-324 to 1.8e308, -0.0).  Values whose type the API
description lost can be anything.  Ids are never null (taps key on them).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from random import Random
from typing import Any

Generator = Callable[[Random], Any]

ID_FLOOR = 2**32  # Procore ids exceed 32 bits since MPR (notes §2)
NULL_RATE = 0.1  # of any field that is not an id
EDGE_RATE = 0.08  # of numbers and text: an edge value rather than a plain one
EMPTY_RATE = 0.08  # of objects and arrays: {} or []
# Integers and numbers at the edges of their types (64-bit integers, IEEE doubles).
INTEGER_EDGES = (0, -1, 2**31 - 1, -(2**31), 2**31, 2**53 + 1, 2**63 - 1, -(2**63))
NUMBER_EDGES = (
    0.0,
    -0.0,
    0.1,
    -1.5,
    1e-09,
    5e-324,
    2.2250738585072014e-308,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    9007199254740993.0,
    12345678901234.56,
)
# Text that breaks naive quoting: SQL and CSV quotes, backslashes, array-literal braces,
# JSON-looking text, control characters (NUL too), the words NULL and null, empty and blank
# strings.
HOSTILE_TEXT = (
    'O\'Brien said "hold"',
    "C:\\plans\\Level 2\\",
    'a\\"b',
    "{1,2}",
    "{{}}",
    '{"id": 1}',
    "[[]]",
    '"',
    "\\",
    "",
    " ",
    "NULL",
    "null",
    "tab\there",
    "line\nbreak\r\n",
    "'; drop table rfis; --",
    "50% \\ 2 = 25%",
    "zero\u200bwidth",
    "nul\u0000inside",
    "Ünïcödé ✓ 日本語 😀👷",
    "\u00e9t\u00e9 \u2014 \U0001f6a7",
)
# Generated timestamps fall in [now - 2 years, now - 1 day] so that anything a
# test mutates "now" is strictly newer than every generated record.
TIMESTAMP_SPAN = timedelta(days=730)
TIMESTAMP_GAP = timedelta(days=1)

WORDS = (
    "Foundation",
    "Level 2",
    "Façade",
    "Curtain wall",
    "Rebar",
    "Zürich",
    "Kraków",
    "São Paulo",
    "東京タワー",
    "Ærø",
    "naïve",
    "crème brûlée",
    "Ω-beam",
    "Büro",
    "señal",
    "HVAC",
    "Roof deck",
    "Slab on grade",
    "Elevator pit",
    "Drywall",
    "Łódź",
    "Москва",
    "Electrical",
    "Plumbing",
    "🚧 hold",
    "Concrete pour",
    "Steel erection",
    "Punch walk",
)
FIRST_NAMES = ("Ana", "Bjørn", "Chloé", "Dmitri", "Eun-ji", "François", "Grace", "Hiroshi", "Zoë")
# Names that are text in Procore payloads even when the description lost their type.
STRING_NAMES = frozenset(
    {
        "name",
        "filename",
        "url",
        "login",
        "email",
        "title",
        "description",
        "comment",
        "notes",
        "body",
        "text",
        "label",
        "number",
        "initials",
        "status",
        "value",
        "key",
        "content_type",
    }
)
LAST_NAMES = ("García", "Øster", "Nguyễn", "O'Brien", "Schäfer", "Kowalski", "Smith", "Ito")


def stable_seed(*parts: object) -> int:
    """A seed that depends only on its parts (not on PYTHONHASHSEED or call order)."""
    text = "|".join(str(part) for part in parts)
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def iso_datetime(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeValues:
    """Generators anchored at one "now", so a tenant's data is internally consistent."""

    def __init__(self, now: datetime):
        self.now = now.astimezone(timezone.utc).replace(microsecond=0)
        self.oldest = self.now - TIMESTAMP_SPAN
        self.span_seconds = int((TIMESTAMP_SPAN - TIMESTAMP_GAP).total_seconds())

    # ------------------------------------------------------------- primitives

    def big_id(self, rng: Random) -> int:
        return ID_FLOOR + rng.randrange(1, 2**40)

    def datetime_text(self, rng: Random) -> str:
        return iso_datetime(self.oldest + timedelta(seconds=rng.randrange(self.span_seconds)))

    def date_text(self, rng: Random) -> str:
        return (self.oldest + timedelta(days=rng.randrange(730))).strftime("%Y-%m-%d")

    @staticmethod
    def phrase(rng: Random) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))

    @classmethod
    def text(cls, rng: Random) -> str:
        """Free text: mostly words, sometimes text that breaks naive quoting."""
        if rng.random() < EDGE_RATE:
            return rng.choice(HOSTILE_TEXT)
        return cls.phrase(rng)

    @staticmethod
    def person(rng: Random) -> str:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

    # ------------------------------------------------------------- compiling

    def compile_object(self, properties: dict[str, Any], *, string_ids: bool) -> Generator:
        fields = [
            (name, self._compile(name, spec, string_ids=string_ids, nullable=True))
            for name, spec in properties.items()
        ]

        def make(rng: Random) -> dict[str, Any]:
            return {name: generate(rng) for name, generate in fields}

        return make

    def compile_scalar(self, item_type: str, *, string_ids: bool) -> Generator:
        return self._compile("id", {"type": item_type}, string_ids=string_ids, nullable=False)

    def _compile(self, name: str, spec: dict[str, Any], *, string_ids: bool, nullable: bool):
        generate = self._compile_value(name, spec, string_ids=string_ids)
        # Ids stay non-null: Procore keys on them. Everything else may be null, timestamps and
        # key fields included (the routes put back what the double itself filters on).
        if not nullable or _is_id_name(name):
            return generate

        def maybe_null(rng: Random) -> Any:
            return None if rng.random() < NULL_RATE else generate(rng)

        return maybe_null

    def _compile_value(self, name: str, spec: dict[str, Any], *, string_ids: bool) -> Generator:
        kind = spec.get("type") or "string"
        lowered = name.lower()
        if _is_id_name(lowered) and spec.get("format") == "uuid":
            return lambda rng: str(uuid.UUID(int=self.big_id(rng)))
        if _is_id_name(lowered) and kind in ("integer", "string", "object", "number", "any"):
            # Ids declared as strings (origin_id, business_id: external system keys) stay
            # strings, as Procore sends them; v2 sends every id as a string.
            if string_ids or kind == "string":
                return lambda rng: str(self.big_id(rng))
            return self.big_id
        if lowered.endswith("_ids") and kind == "array":
            return lambda rng: [
                str(self.big_id(rng)) if string_ids else self.big_id(rng)
                for _ in range(rng.randint(0, 2))
            ]
        if kind == "object":
            properties = spec.get("properties")
            if properties:
                generate = self.compile_object(properties, string_ids=string_ids)
                # An object with an id is a record or a reference: never without its id.
                return generate if "id" in properties else _sometimes_empty(generate)
            return _sometimes_empty(self._reference(string_ids=string_ids))
        if kind == "any":
            return self._opaque(lowered, string_ids=string_ids)
        if kind == "array":
            return self._array(spec.get("items") or {}, string_ids=string_ids)
        if kind == "integer":
            return _integer
        if kind == "number":
            return _number
        if kind == "boolean":
            return lambda rng: rng.random() < 0.5
        return self._string(lowered, spec)

    def _string(self, lowered: str, spec: dict[str, Any]) -> Generator:
        enum = spec.get("enum")
        if enum:
            choices = tuple(enum)
            return lambda rng: rng.choice(choices)
        fmt = spec.get("format")
        if fmt == "date-time" or lowered.endswith("_at"):
            return self.datetime_text
        if fmt == "date" or lowered.endswith("_date") or lowered == "date":
            return self.date_text
        if "email" in lowered:
            return lambda rng: f"user{rng.randint(1, 9999)}@example.com"
        if lowered.endswith("url") or lowered.endswith("_uri"):
            return lambda rng: f"https://files.example.com/{rng.randint(1, 10**9)}"
        if "phone" in lowered:
            return lambda rng: f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        if lowered in ("login", "username"):
            return lambda rng: f"login{rng.randint(1, 99999)}@example.com"
        if lowered.endswith("name") and (
            "user" in lowered or lowered in ("first_name", "last_name")
        ):
            return self.person
        if lowered in ("number", "position", "code") or lowered.endswith("_number"):
            return lambda rng: str(rng.randint(1, 9999))
        return self.text

    def _reference(self, *, string_ids: bool) -> Generator:
        """An object whose fields the description does not list: a Procore-style reference."""

        def reference(rng: Random) -> dict[str, Any]:
            ident = self.big_id(rng)
            return {"id": str(ident) if string_ids else ident, "name": self.text(rng)}

        return reference

    def _opaque(self, lowered: str, *, string_ids: bool) -> Generator:
        """A value whose type the API description lost: guess from the name, else mostly a
        Procore-style {id, name} reference and sometimes any other JSON value, arrays of arrays
        included."""
        if lowered.endswith("_at"):
            return self.datetime_text
        if lowered.endswith("date"):
            return self.date_text
        if lowered.startswith(("is_", "has_", "can_")) or lowered in ("active", "private"):
            return lambda rng: rng.random() < 0.5
        if lowered in STRING_NAMES or lowered.endswith(("_name", "_url", "_email", "_type")):
            return self._string(lowered, {})

        reference = self._reference(string_ids=string_ids)

        def anything(rng: Random) -> Any:
            roll = rng.random()
            if roll < 0.7:
                return reference(rng)
            if roll < 0.75:
                return {}
            if roll < 0.8:
                return []
            if roll < 0.85:
                return [[], [reference(rng)], [_integer(rng), self.text(rng), None]]
            if roll < 0.9:
                return self.text(rng)
            if roll < 0.95:
                return _number(rng)
            return [{"values": [[_integer(rng)]]}, {}]

        return anything

    def _array(self, item: dict[str, Any], *, string_ids: bool) -> Generator:
        item_kind = item.get("type")
        if item_kind is None:
            generate = self._opaque("item", string_ids=string_ids)
        else:
            # Elements as the description shapes them: objects (maybe {} when they have no
            # id), inner arrays (maybe []), scalars (maybe null).
            scalar = item_kind not in ("object", "array")
            generate = self._compile("value", item, string_ids=string_ids, nullable=scalar)

        def make(rng: Random) -> list[Any]:
            count = 0 if rng.random() < EMPTY_RATE else rng.randint(1, 3)
            return [generate(rng) for _ in range(count)]

        return make


def _integer(rng: Random) -> int:
    return rng.choice(INTEGER_EDGES) if rng.random() < EDGE_RATE else rng.randint(0, 500)


def _number(rng: Random) -> float:
    if rng.random() < EDGE_RATE:
        return rng.choice(NUMBER_EDGES)
    return round(rng.uniform(0, 250_000), 2)


def _sometimes_empty(generate: Generator) -> Generator:
    def make(rng: Random) -> Any:
        return {} if rng.random() < EMPTY_RATE else generate(rng)

    return make


def _is_id_name(name: str) -> bool:
    return name == "id" or name.endswith("_id")
