"""A whole sync of the tap in this process, against the in-process double: its messages, how it
ended, and its log. For unit tests of what a run delivers (no subprocess, no socket)."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import typing as t
from dataclasses import dataclass, field

from procore_double.in_process import InProcessDouble
from tap_procore.tap import TapProcore
from tests.conftest import selecting

_CATALOG: dict | None = None


def catalog_selecting(streams: t.Iterable[str]) -> dict:
    global _CATALOG  # discovery gives the same catalog every time
    if _CATALOG is None:
        config = {"client_id": "x", "client_secret": "y", "company_ids": [1]}
        _CATALOG = TapProcore(config=config, setup_mapper=False).catalog_dict
    return selecting(_CATALOG, streams)


@dataclass
class Sync:
    messages: list[dict]
    error: BaseException | None
    log: str
    tap: TapProcore
    records: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def state(self) -> dict:
        return [m["value"] for m in self.messages if m["type"] == "STATE"][-1]

    def ids(self, stream: str, project_id: int | None = None) -> list[t.Any]:
        return [
            record["id"]
            for record in self.records.get(stream, [])
            if project_id is None or record.get("project_id") == project_id
        ]


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")


def sync(
    double: InProcessDouble,
    company_ids: list[int],
    streams: t.Iterable[str],
    *,
    state: dict | None = None,
    **settings: t.Any,
) -> Sync:
    """Run the tap whole, as `tap-procore --config --catalog --state` would, in this process."""
    config = {
        "client_id": double.app.config.client_id,
        "client_secret": double.app.config.client_secret,
        "company_ids": company_ids,
        "api_url": double.url,
        "auth_url": double.url,
        "start_date": "2020-01-01T00:00:00Z",
        "state_message_interval": 10**6,
        **settings,
    }
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")
    capture = _Capture()
    logger = logging.getLogger("tap-procore")
    logger.addHandler(capture)
    level = logger.level
    logger.setLevel(logging.INFO)
    error: BaseException | None = None
    try:
        with contextlib.redirect_stdout(out):
            tap = TapProcore(
                config=config,
                catalog=catalog_selecting(streams),
                state=copy.deepcopy(state) if state else None,
                setup_mapper=True,
            )
            try:
                tap.sync_all()
            except Exception as exc:  # how the run ended is part of what a test checks
                error = exc
            tap.message_writer.flush()  # type: ignore[attr-defined]
            out.flush()
    finally:
        logger.removeHandler(capture)
        logger.setLevel(level)
    messages = [json.loads(line) for line in raw.getvalue().decode().splitlines() if line]
    records: dict[str, list[dict]] = {}
    for message in messages:
        if message["type"] == "RECORD":
            records.setdefault(message["stream"], []).append(message["record"])
    return Sync(messages, error, "\n".join(capture.lines), tap, records)
