"""Shared fixtures: a Procore double on loopback and a way to run the real tap against it."""

from __future__ import annotations

import collections
import fcntl
import json
import os
import subprocess
import sys
import time
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from procore_double import DoubleProcess, spawn_double

REPO = Path(__file__).resolve().parent.parent
GENEROUS_LIMITS = {"hourly_limit": 10**9, "spike_limit": 10**9}
CLIENT = {"client_id": "double-client-id", "client_secret": "double-client-secret"}
# The streams the foundation promised, one of each family: what the end-to-end runs select.
FOUNDATION_STREAMS = [
    "companies",
    "projects",
    "project_tools",
    "company_users",
    "company_vendors",
    "trades",
    "project_users",
    "rfis",
    "rfi_replies",
    "submittals",
    "punch_items",
    "change_events",
    "purchase_order_contracts",
    "budget_views",
    "budget_view_detail_rows",
    "manpower_logs",
    "checklists",
    "observations",
    "direct_costs",
    "incidents",
    "drawing_areas",
]
# Settings in the environment would override test configs (SDK pitfall); start clean.
for _name in list(os.environ):
    if _name.startswith(("TAP_PROCORE_", "TARGET_")):
        del os.environ[_name]


# The tier of each test file (see the markers in pyproject.toml); every other file is
# "subprocess". tests/unit/ is "unit".
FILE_TIERS = {
    "test_faults_and_auth.py": "fault",
    "test_hostile.py": "fault",
    "test_e2e_meltano.py": "e2e",
    "test_readme_commands.py": "e2e",
}


# The files that take longest start first: pytest-xdist hands whole files to workers in the
# order they are collected, and a long file started last would hold the run alone at its end.
LONGEST_FIRST = (
    "test_e2e_meltano.py",
    "test_hostile.py",
    "test_readme_commands.py",
    "test_plan.py",
    "test_faults_and_auth.py",
    "test_state.py",
    "test_feed.py",
    "test_day_one.py",
    "test_foundation.py",
    "test_sdk_suite.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(Path(str(item.path)).name, len(rank)))
    for item in items:
        path = Path(str(item.path))
        if "unit" in path.relative_to(REPO / "tests").parts[:-1]:
            tier = "unit"
        else:
            tier = FILE_TIERS.get(path.name, "subprocess")
        item.add_marker(getattr(pytest.mark, tier))


def meltano_install(run: t.Callable[[], subprocess.CompletedProcess]) -> None:
    """`meltano install` into this checkout's .meltano, one test worker at a time: pytest-xdist
    runs test files in parallel and two installs into one directory would trip over each other."""
    lock_path = REPO / ".meltano" / "install.lock"
    lock_path.parent.mkdir(exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        installed = run()
    assert installed.returncode == 0, installed.stderr[-3000:]


def base_config(double_url: str, company_ids: list[int], **extra: t.Any) -> dict:
    return {
        **CLIENT,
        "company_ids": company_ids,
        "api_url": double_url,
        "auth_url": double_url,
        "start_date": "2020-01-01T00:00:00Z",
        "state_message_interval": 0,
        **extra,
    }


@dataclass
class TapRun:
    returncode: int
    stdout: str
    stderr: str
    messages: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def records(self) -> dict[str, list[dict]]:
        grouped: dict[str, list[dict]] = collections.defaultdict(list)
        for message in self.messages:
            if message["type"] == "RECORD":
                grouped[message["stream"]].append(message["record"])
        return grouped

    @property
    def states(self) -> list[dict]:
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def final_state(self) -> dict:
        return self.states[-1]

    def count(self, message_type: str) -> int:
        return sum(1 for m in self.messages if m["type"] == message_type)

    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if " ERROR " in line]


def discover() -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tap_procore.tap", "--discover"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return json.loads(result.stdout)


_CATALOG: dict | None = None


def catalog_selecting(streams: t.Iterable[str]) -> dict:
    global _CATALOG  # discovery gives the same catalog for every test
    if _CATALOG is None:
        _CATALOG = discover()
    return selecting(_CATALOG, streams)


def selecting(discovered: dict, streams: t.Iterable[str]) -> dict:
    """A copy of a discovered catalog with exactly `streams` selected."""
    wanted = set(streams)
    catalog = json.loads(json.dumps(discovered))
    known = {entry["tap_stream_id"] for entry in catalog["streams"]}
    assert wanted <= known, wanted - known
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in wanted
    return catalog


def plain_tenant(**settings: t.Any) -> dict[str, t.Any]:
    """A double's tenant without inactive, empty or tool-off projects, never rate limited."""
    return {
        "inactive_projects": [],
        "empty_projects": [],
        "tools_off": {},
        "big_lists": [],
        **GENEROUS_LIMITS,
        **settings,
    }


def run_tap(
    tmp_path: Path,
    config: dict,
    *,
    streams: t.Iterable[str] | None = None,
    state: dict | None = None,
    timeout: float = 600,
) -> TapRun:
    """Run `tap-procore` as a real process, as Meltano would."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    stamp = f"{time.monotonic_ns()}"
    config_path = tmp_path / f"config-{stamp}.json"
    config_path.write_text(json.dumps(config))
    command = [sys.executable, "-m", "tap_procore.tap", "--config", str(config_path)]
    if streams is not None:
        catalog_path = tmp_path / f"catalog-{stamp}.json"
        catalog_path.write_text(json.dumps(catalog_selecting(streams)))
        command += ["--catalog", str(catalog_path)]
    if state is not None:
        state_path = tmp_path / f"state-{stamp}.json"
        state_path.write_text(json.dumps(state))
        command += ["--state", str(state_path)]
    started = time.monotonic()
    result = subprocess.run(
        command, capture_output=True, text=True, cwd=REPO, timeout=timeout, check=False
    )
    seconds = time.monotonic() - started
    messages = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return TapRun(result.returncode, result.stdout, result.stderr, messages, seconds)


@pytest.fixture(scope="module")
def double() -> t.Iterator[DoubleProcess]:
    """The default tenant: 3 companies, an inactive, an empty and a tool-off project, 2,345
    RFIs in one project; generous limits so tests are not paced."""
    with spawn_double(**GENEROUS_LIMITS) as running:
        yield running


@pytest.fixture
def fresh_double() -> t.Iterator[DoubleProcess]:
    """A double of its own, for tests that inject faults or mutate data."""
    with spawn_double(**GENEROUS_LIMITS, big_lists=[]) as running:
        yield running


def company_ids(double: DoubleProcess) -> list[int]:
    return [company["id"] for company in double.control.tenant()["companies"]]


def tenant_projects(double: DoubleProcess) -> list[dict]:
    return double.control.tenant()["projects"]


def access_token(url: str) -> str:
    """A token from the double's login, for tests that call its API directly."""
    answer = requests.post(
        f"{url}/oauth/token", data={"grant_type": "client_credentials", **CLIENT}, timeout=30
    )
    return str(answer.json()["access_token"])


def seed_company_webhooks(url: str, company_ids: t.Iterable[int]) -> None:
    """A hook with a trigger, and one delivery, in each company of a double: its v2.0 company
    webhooks hold real state (none until created), and every stream must have records."""
    token = access_token(url)
    for company_id in company_ids:
        headers = {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(company_id)}
        hooks = f"{url}/rest/v2.0/companies/{company_id}/webhooks/hooks"
        hook = {"namespace": "tests", "destination_url": "https://example.invalid/hook"}
        created = requests.post(
            hooks, json={"hook": {**hook, "payload_version": "v4.0"}}, headers=headers, timeout=30
        )
        hook_id = created.json()["data"]["id"]
        trigger = {"resource_name": "Company Vendors", "event_type": "update"}
        requests.post(
            f"{hooks}/{hook_id}/triggers", json={"trigger": trigger}, headers=headers, timeout=30
        ).raise_for_status()
        # Through requests (not the harness's urllib): an in-process double answers it too.
        touch = {"action": "touch", "path": "/rest/v1.0/vendors", "count": 1}
        requests.post(
            f"{url}/_double/mutate",
            json={**touch, "query": {"company_id": company_id}},
            timeout=30,
        ).raise_for_status()
