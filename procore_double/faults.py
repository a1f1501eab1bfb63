"""Switchable faults: the ways a real Procore (or the network) misbehaves.

A rule is `{"kind": ..., "path": <regex, optional>, "times": N | "probability": p,
"seed": s, ...kind options}`.  Without `path` a rule applies to API calls
(`/rest/...`) only; with it, to any non-control path the regex finds (so a
rule can target `/oauth/token`).  Without `times` or `probability` a rule
fires once.

Kinds that replace the answer (checked before auth and routing):
  http_500, http_502, http_504   HTML error page with that status
  http_403, http_404             refused, as Procore answers for a tool that is off
  http_503                       HTML page + Retry-After (`retry_after`, default 1)
  rate_limit_429                 429; Retry-After `retry_after` (default 1; null
                                 omits it) and X-Rate-Limit-Reset now+`reset_in`
  connection_reset               socket closed without an answer (TCP RST)
  timeout                        sleep `seconds` (default 5), then answer normally
Kinds that alter a successful JSON answer:
  truncated_json, invalid_json   200 with a cut / unparsable body
  empty_page                     page `page` (default 2) of a listing comes back []
  wrong_total                    Total header off by `total_delta` (default 7)
  null_key                       row `row` (default 0) of the page has `field` (default "id")
                                 null: a record no target can load
  wrong_shape                    200 with an object where the route answers a list
Kinds that change the data, as Procore's users do while a listing is read:
  mutate_after_page              once page `page` (default 1) of a matching listing has been
                                 served, apply `mutation` (a /_double/mutate payload: touch, add
                                 or delete rows, optionally `updated_at`): later pages shift as
                                 Procore's offsets do
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

REPLACING_KINDS = frozenset(
    {
        "http_403",
        "http_404",
        "http_500",
        "http_502",
        "http_503",
        "http_504",
        "rate_limit_429",
        "connection_reset",
        "timeout",
    }
)
ALTERING_KINDS = frozenset(
    {"truncated_json", "invalid_json", "empty_page", "wrong_total", "null_key", "wrong_shape"}
)
MUTATING_KINDS = frozenset({"mutate_after_page"})
KINDS = REPLACING_KINDS | ALTERING_KINDS | MUTATING_KINDS
OPTIONS = frozenset(
    {
        "kind",
        "path",
        "times",
        "probability",
        "seed",
        "retry_after",
        "reset_in",
        "seconds",
        "page",
        "total_delta",
        "mutation",
        "row",
        "field",
    }
)

ERROR_PAGES = {
    403: "Forbidden",
    404: "Not Found",
    500: "We're sorry, but something went wrong.",
    502: "Bad Gateway",
    503: "Service Unavailable. Please retry later.",
    504: "Gateway Time-out",
}


class FaultSpecError(ValueError):
    pass


def error_page(status: int) -> bytes:
    text = ERROR_PAGES.get(status, "Error")
    return (
        f"<!DOCTYPE html><html><head><title>{status} {text}</title></head>"
        f"<body><h1>{status}</h1><p>{text}</p></body></html>"
    ).encode()


@dataclass
class FaultRule:
    id: int
    kind: str
    path: re.Pattern[str] | None
    times: int | None
    probability: float | None
    options: dict[str, Any]
    fired: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def from_spec(cls, spec: dict[str, Any], rule_id: int) -> FaultRule:
        unknown = set(spec) - OPTIONS
        if unknown:
            raise FaultSpecError(f"unknown fault options {sorted(unknown)}")
        kind = spec.get("kind")
        if kind not in KINDS:
            raise FaultSpecError(f"unknown fault kind {kind!r}; known: {sorted(KINDS)}")
        try:
            path = re.compile(spec["path"]) if spec.get("path") else None
        except re.error as problem:
            raise FaultSpecError(f"bad path regex: {problem}") from None
        probability = spec.get("probability")
        times = spec.get("times")
        if times is None and probability is None:
            times = 1
        return cls(
            id=rule_id,
            kind=kind,
            path=path,
            times=None if times is None else int(times),
            probability=None if probability is None else float(probability),
            options={
                k: v
                for k, v in spec.items()
                if k not in ("kind", "path", "times", "probability", "seed")
            },
            _rng=random.Random(spec.get("seed", rule_id)),
        )

    def applies_to(self, path: str) -> bool:
        if self.path is None:
            return path.startswith("/rest/")
        return self.path.search(path) is not None

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def option(self, name: str, default: Any) -> Any:
        return self.options.get(name, default)

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "path": self.path.pattern if self.path else None,
            "times": self.times,
            "probability": self.probability,
            "fired": self.fired,
            **self.options,
        }


class FaultBoard:
    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with self._lock:
            rules = []
            for spec in specs:
                rules.append(FaultRule.from_spec(spec, self._next_id))
                self._next_id += 1
            self._rules.extend(rules)
            return [rule.describe() for rule in rules]

    def clear(self, rule_id: int | None = None) -> int:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if rule_id is not None and r.id != rule_id]
            return before - len(self._rules)

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.describe() for rule in self._rules]

    def take(self, path: str, kinds: frozenset[str], qualifies=None) -> FaultRule | None:
        """The first live rule of `kinds` for `path` that fires now (and counts it).

        `qualifies(rule)` lets altering faults fire only where they make sense
        (an empty page only on the page it names), so a rule is not used up
        by requests it could not have affected.
        """
        with self._lock:
            for rule in self._rules:
                if rule.kind not in kinds or rule.exhausted or not rule.applies_to(path):
                    continue
                if qualifies is not None and not qualifies(rule):
                    continue
                if rule.probability is not None and rule._rng.random() >= rule.probability:
                    continue
                rule.fired += 1
                return rule
            return None
