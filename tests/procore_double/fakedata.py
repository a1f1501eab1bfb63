"""Fake field values from the simplified item schemas in routes.json.

A route's schema is compiled once into a list of (field, generator) pairs so
that producing a record is a tight loop over `random.Random` calls.  Values
have the JSON types Procore documents (integers, ISO 8601 `...Z` date-times,
`YYYY-MM-DD` dates, numbers, booleans, small nested objects and arrays), with
some nulls and some non-ASCII text so that taps meet realistic data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from random import Random
from typing import Any

Generator = Callable[[Random], Any]

ID_FLOOR = 2**32  # Procore ids exceed 32 bits since MPR (notes §2)
NULL_RATE = 0.07
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
        kind = spec.get("type")
        # Ids, arrays and timestamps stay non-null: taps key and bookmark on them.
        if not nullable or _is_id_name(name) or kind == "array" or name.endswith("_at"):
            return generate

        def maybe_null(rng: Random) -> Any:
            return None if rng.random() < NULL_RATE else generate(rng)

        return maybe_null

    def _compile_value(self, name: str, spec: dict[str, Any], *, string_ids: bool) -> Generator:
        kind = spec.get("type") or "string"
        lowered = name.lower()
        if _is_id_name(lowered) and kind in ("integer", "string", "object", "number"):
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
                return self.compile_object(properties, string_ids=string_ids)
            return self._opaque(lowered, string_ids=string_ids)
        if kind == "array":
            return self._array(spec.get("items") or {}, string_ids=string_ids)
        if kind == "integer":
            return lambda rng: rng.randint(0, 500)
        if kind == "number":
            return lambda rng: round(rng.uniform(0, 250_000), 2)
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
        return self.phrase

    def _opaque(self, lowered: str, *, string_ids: bool) -> Generator:
        """A value whose type the API description lost (nesting below depth 3 shows as
        "object"): guess from the name, else a Procore-style {id, name} reference."""
        if lowered.endswith("_at"):
            return self.datetime_text
        if lowered.endswith("date"):
            return self.date_text
        if lowered.startswith(("is_", "has_", "can_")) or lowered in ("active", "private"):
            return lambda rng: rng.random() < 0.5
        if lowered in STRING_NAMES or lowered.endswith(("_name", "_url", "_email", "_type")):
            return self._string(lowered, {})

        def reference(rng: Random) -> dict[str, Any]:
            ident = self.big_id(rng)
            return {"id": str(ident) if string_ids else ident, "name": self.phrase(rng)}

        return reference

    def _array(self, item: dict[str, Any], *, string_ids: bool) -> Generator:
        item_kind = item.get("type")
        if item_kind == "object" and item.get("properties"):
            generate = self.compile_object(item["properties"], string_ids=string_ids)
        elif item_kind in (None, "object"):
            generate = self._opaque("item", string_ids=string_ids)
        else:
            generate = self._compile_value("value", item, string_ids=string_ids)

        def make(rng: Random) -> list[Any]:
            count = 0 if rng.random() < 0.1 else rng.randint(1, 2)
            return [generate(rng) for _ in range(count)]

        return make


def _is_id_name(name: str) -> bool:
    return name == "id" or name.endswith("_id")
