"""The synthetic Procore tenant: companies, projects, tools and record collections.

Everything is derived from a seed, so two doubles with the same config serve
the same ids and values.  Records are generated lazily: a collection (one
resource in one scope, e.g. "the RFIs of project P" or "the replies of RFI R")
is built on first use and cached, which keeps a 1,000-project tenant cheap.

Versions of one resource share a collection (v1.0 and v1.1 RFIs have the same
ids and timestamps) because the collection key is the version-free
`resource` from routes.json, not the route.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, timezone
from random import Random
from typing import Any

from . import clock
from .fakedata import ID_FLOOR, FakeValues, iso_datetime, stable_seed
from .tools import TOOL_NAMES, TOOLS

COMPANY_ID_BASE = 5_000_000_000  # company ids 5_000_000_001, 5_000_000_002, ...
PROJECT_ID_BASE = 6_000_000_000  # project ids 6_000_000_001, ... for the first company
PROJECT_ID_STRIDE = 100_000  # the n-th company's projects start at base + n * stride
TOOL_ID_BASE = 7_000_000_000
DAILY_LOG_HISTORY_DAYS = 400

COMPANY_NAMES = (
    "Northwind Builders",
    "Ærø Bygg & Anlæg",
    "京都建設 Kyōto Kensetsu",
    "Construtora São Jorge",
    "Łódź Steel Works",
)

# Resources whose rows are the tenant's own entities rather than fake records.
COMPANIES_RESOURCES = frozenset({"/companies"})
PROJECTS_RESOURCES = frozenset({"/projects", "/companies/{}/projects"})
TOOLS_RESOURCES = frozenset({"/projects/{}/tools", "/tools"})

DEFAULT_BIG_LIST_ROUTE = "/rest/v1.0/projects/{project_id}/rfis"
DEFAULT_BIG_LIST_COUNT = 2_345
DEFAULT_TOOL_OFF = "rfi"


class TenantConfigError(ValueError):
    pass


@dataclass
class TenantConfig:
    """Knobs for the synthetic tenant.  `None` means "use the documented default"."""

    seed: int = 1
    companies: int = 3
    projects_per_company: int = 4
    records_per_list: int = 3
    deleted_per_list: int = 1
    # [{"route": "/rest/v1.0/projects/{project_id}/rfis" or an operationId,
    #   "project_id": 6000000001, "count": 2345}]  (a "company_id" may replace project_id),
    # or the short form {"<route>": {"<project id>": count}}.
    big_lists: list[dict[str, Any]] | dict[str, dict[str, int]] | None = None
    tools_off: dict[str, list[str]] | None = None  # project id -> tool engine names
    inactive_projects: list[int] | None = None
    empty_projects: list[int] | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TenantConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise TenantConfigError(f"unknown tenant settings: {sorted(unknown)}")
        return cls(**data)

    def validate(self) -> None:
        if self.companies < 1:
            raise TenantConfigError("companies must be >= 1")
        if not 0 <= self.projects_per_company < PROJECT_ID_STRIDE:
            raise TenantConfigError(f"projects_per_company must be in [0, {PROJECT_ID_STRIDE})")
        if self.records_per_list < 0 or self.deleted_per_list < 0:
            raise TenantConfigError("records_per_list and deleted_per_list must be >= 0")
        for project_id, tools in (self.tools_off or {}).items():
            unknown = set(tools) - TOOL_NAMES
            if unknown:
                raise TenantConfigError(f"tools_off[{project_id}]: unknown tools {sorted(unknown)}")


@dataclass
class Company:
    id: int
    name: str
    index: int


@dataclass
class Project:
    id: int
    company_id: int
    name: str
    number: str
    active: bool
    empty: bool
    tools_off: set[str]
    created_at: str
    updated_at: str
    records_per_list: int | None = None  # per-project override (projects added at runtime)


class Row:
    """One record's identity and the facts filters look at; the rest is generated."""

    __slots__ = (
        "created_at",
        "date",
        "deleted",
        "deleted_at",
        "fields",
        "id",
        "index",
        "updated_at",
        "updated_epoch",
    )

    def __init__(self, ident: int, index: int, created_at: str, updated_at: str, day: str):
        self.id = ident
        self.index = index
        self.created_at = created_at
        self.updated_at = updated_at
        self.updated_epoch = parse_utc(updated_at)
        self.date = day
        self.deleted = False
        self.deleted_at: str | None = None
        # Values that override generated ones: tenant facts (project name, tool
        # state) and fields changed by mutations.
        self.fields: dict[str, Any] = {}

    def set_updated(self, text: str) -> None:
        self.updated_at = text
        self.updated_epoch = parse_utc(text)


@dataclass
class Collection:
    """All records of one resource in one scope, live and deleted, ordered by id."""

    key: tuple[Any, ...]
    resource: str
    rows: list[Row]
    id_base: int
    id_stride: int
    entity_rows: bool = False  # rows are tenant entities: their `fields` always apply
    version: int = 0  # bumps on every change, so cached renderings can be dropped
    entity_stamp: int = 0  # Tenant.entity_version the entity rows were built from
    seed: int = 0  # seeds the generated fields of each row

    def next_index(self) -> int:
        return max((row.index for row in self.rows), default=-1) + 1

    def next_id(self) -> int:
        return max((row.id for row in self.rows), default=self.id_base) + self.id_stride


def parse_utc(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def now_text() -> str:
    return iso_datetime(clock.now())


@dataclass(frozen=True)
class Scope:
    """The company and (optionally) project a request is about."""

    company: Company
    project: Project | None = None

    def key_for(self, has_project_scope: bool) -> tuple[str, int]:
        if has_project_scope and self.project is not None:
            return ("project", self.project.id)
        return ("company", self.company.id)

    def describe(self) -> dict[str, Any]:
        return {
            "company_id": self.company.id,
            "project_id": self.project.id if self.project else None,
        }


@dataclass
class BigList:
    resource: str
    scope: tuple[str, int]
    count: int


class Tenant:
    """Companies, projects and lazily generated collections, guarded by one lock."""

    def __init__(self, config: TenantConfig, resources_by_route: dict[str, str]):
        config.validate()
        self.config = config
        self.lock = threading.RLock()
        self.seed = config.seed
        self.fake = FakeValues(clock.now())
        self.today = self.fake.now.date()  # "today" of the generated daily logs
        # Maps a route path or operationId to its resource key (for big_lists).
        self._resources_by_route = resources_by_route
        self.companies: dict[int, Company] = {}
        self.projects: dict[int, Project] = {}
        self.collections: dict[tuple[Any, ...], Collection] = {}
        self.entity_version = 0  # bumps when companies/projects/tools change
        self._build_entities()
        self.big_lists = self._resolve_big_lists()

    # ------------------------------------------------------------------ entities

    def _build_entities(self) -> None:
        config = self.config
        for company_index in range(config.companies):
            company = Company(
                id=COMPANY_ID_BASE + company_index + 1,
                name=_company_name(company_index),
                index=company_index,
            )
            self.companies[company.id] = company
            for project_index in range(config.projects_per_company):
                self._new_project(company, project_index + 1)
        first_company_projects = [
            p.id for p in self.projects.values() if p.company_id == COMPANY_ID_BASE + 1
        ]
        # By default each edge case a tap must handle lives in the first company:
        # 1st project has a big list, 2nd is inactive, 3rd empty, 4th has a tool off.
        inactive = config.inactive_projects
        if inactive is None:
            inactive = first_company_projects[1:2]
        empty = config.empty_projects
        if empty is None:
            empty = first_company_projects[2:3]
        tools_off = config.tools_off
        if tools_off is None:
            tools_off = {str(pid): [DEFAULT_TOOL_OFF] for pid in first_company_projects[3:4]}
        for project_id in inactive:
            self._project_or_fail(project_id).active = False
        for project_id in empty:
            self._project_or_fail(project_id).empty = True
        for project_id, tools in tools_off.items():
            self._project_or_fail(int(project_id)).tools_off = set(tools)

    def _project_or_fail(self, project_id: int) -> Project:
        project = self.projects.get(int(project_id))
        if project is None:
            raise TenantConfigError(f"no project {project_id} in this tenant")
        return project

    def _new_project(self, company: Company, number: int, name: str | None = None) -> Project:
        rng = Random(stable_seed(self.seed, "project", company.id, number))
        created = self.fake.datetime_text(rng)
        project = Project(
            id=PROJECT_ID_BASE + company.index * PROJECT_ID_STRIDE + number,
            company_id=company.id,
            name=name or f"{self.fake.phrase(rng)} #{number}",
            number=f"P-{company.index + 1:02d}-{number:05d}",
            active=True,
            empty=False,
            tools_off=set(),
            created_at=created,
            updated_at=max(created, self.fake.datetime_text(rng)),
        )
        self.projects[project.id] = project
        return project

    def _resolve_big_lists(self) -> list[BigList]:
        specs = self.config.big_lists
        if specs is None:
            first = next(iter(sorted(self.projects)), None)
            specs = (
                [
                    {
                        "route": DEFAULT_BIG_LIST_ROUTE,
                        "project_id": first,
                        "count": DEFAULT_BIG_LIST_COUNT,
                    }
                ]
                if first is not None
                else []
            )
        if isinstance(specs, dict):
            # Short form: {"<route>": {"<project id>": count}}
            specs = [
                {"route": route, "project_id": int(project_id), "count": count}
                for route, counts in specs.items()
                for project_id, count in counts.items()
            ]
        resolved = []
        for spec in specs:
            route = spec.get("route")
            resource = self._resources_by_route.get(route)
            if resource is None:
                raise TenantConfigError(f"big_lists: unknown route {route!r}")
            if "project_id" in spec:
                scope = ("project", int(spec["project_id"]))
            elif "company_id" in spec:
                scope = ("company", int(spec["company_id"]))
            else:
                raise TenantConfigError("big_lists entries need project_id or company_id")
            resolved.append(BigList(resource, scope, int(spec["count"])))
        return resolved

    def add_project(
        self,
        company_id: int,
        *,
        name: str | None = None,
        active: bool = True,
        records_per_list: int | None = None,
    ) -> Project:
        with self.lock:
            company = self.companies[company_id]
            taken = {p.id for p in self.projects.values() if p.company_id == company_id}
            number = (
                max(
                    (pid - PROJECT_ID_BASE - company.index * PROJECT_ID_STRIDE for pid in taken),
                    default=0,
                )
                + 1
            )
            project = self._new_project(company, number, name)
            project.created_at = project.updated_at = now_text()
            project.active = active
            project.records_per_list = records_per_list
            self.entity_version += 1
            return project

    def set_project_active(self, project_id: int, active: bool) -> Project:
        with self.lock:
            project = self.projects[project_id]
            project.active = active
            project.updated_at = now_text()
            self.entity_version += 1
            return project

    def touch_project(self, project_id: int, *, rename: bool = True) -> Project:
        with self.lock:
            project = self.projects[project_id]
            project.updated_at = now_text()
            if rename:
                project.name = f"{project.name} (edited)"
            self.entity_version += 1
            return project

    def set_tool(self, project_id: int, tool: str, enabled: bool) -> Project:
        if tool not in TOOL_NAMES:
            raise KeyError(f"unknown tool {tool!r}")
        with self.lock:
            project = self.projects[project_id]
            if enabled:
                project.tools_off.discard(tool)
            else:
                project.tools_off.add(tool)
            self.entity_version += 1
            return project

    def describe(self) -> dict[str, Any]:
        with self.lock:
            return {
                "seed": self.seed,
                "records_per_list": self.config.records_per_list,
                "deleted_per_list": self.config.deleted_per_list,
                "companies": [
                    {"id": c.id, "name": c.name}
                    for c in sorted(self.companies.values(), key=_by_id)
                ],
                "projects": [
                    {
                        "id": p.id,
                        "company_id": p.company_id,
                        "name": p.name,
                        "active": p.active,
                        "empty": p.empty,
                        "tools_off": sorted(p.tools_off),
                    }
                    for p in sorted(self.projects.values(), key=_by_id)
                ],
                "big_lists": [
                    {"resource": b.resource, "scope": list(b.scope), "count": b.count}
                    for b in self.big_lists
                ],
                "tools": [t.engine_name for t in TOOLS],
            }

    # --------------------------------------------------------------- collections

    def collection(
        self, resource: str, scope: Scope, scope_key: tuple[str, int], parent_values: tuple
    ) -> Collection:
        """The (cached) collection of `resource` in a scope; entity collections are rebuilt
        whenever the tenant's companies/projects/tools change."""
        key = (resource, scope_key, parent_values)
        with self.lock:
            existing = self.collections.get(key)
            if existing is not None and (
                not existing.entity_rows or existing.entity_stamp == self.entity_version
            ):
                return existing
            if resource in COMPANIES_RESOURCES:
                built = self._companies_collection(key)
            elif resource in PROJECTS_RESOURCES:
                built = self._projects_collection(key, scope.company)
            elif resource in TOOLS_RESOURCES and scope.project is not None:
                built = self._tools_collection(key, scope.project)
            else:
                built = self._generated_collection(key, resource, scope, scope_key)
            if existing is not None:
                built.version = existing.version + 1  # invalidates cached renderings
            built.entity_stamp = self.entity_version
            self.collections[key] = built
            return built

    def _generated_collection(
        self, key: tuple, resource: str, scope: Scope, scope_key: tuple[str, int]
    ) -> Collection:
        project = scope.project if scope_key[0] == "project" else None
        live = self.config.records_per_list
        deleted = self.config.deleted_per_list
        if project is not None and project.records_per_list is not None:
            live = project.records_per_list
        for big in self.big_lists:
            if big.resource == resource and big.scope == scope_key:
                live = big.count
        if project is not None and project.empty:
            live = deleted = 0
        seed = stable_seed(self.seed, *key)
        id_base = ID_FLOOR + (seed % 2**44)
        id_stride = 1 + seed % 13  # ids are increasing but not contiguous
        rows = []
        for index in range(live + deleted):
            row = self._generated_row(seed, index, id_base + (index + 1) * id_stride)
            if index >= live:
                self._mark_deleted(row, Random(seed + index))
            rows.append(row)
        return Collection(key, resource, rows, id_base, id_stride, seed=seed)

    def _generated_row(self, seed: int, index: int, ident: int) -> Row:
        rng = Random(seed ^ (index * 0x9E3779B97F4A7C15))
        created = self.fake.datetime_text(rng)
        updated = max(created, self.fake.datetime_text(rng))
        # Daily logs: the first record is today's, the rest spread over ~400 days.
        offset = 0 if index == 0 else rng.randint(1, DAILY_LOG_HISTORY_DAYS)
        day = (self.today - timedelta(days=offset)).isoformat()
        return Row(ident, index, created, updated, day)

    def _mark_deleted(self, row: Row, rng: Random) -> None:
        moment = self.fake.now - timedelta(days=1, seconds=rng.randrange(29 * 86400))
        row.deleted = True
        row.deleted_at = iso_datetime(moment)
        row.set_updated(max(row.updated_at, row.deleted_at))

    def new_rows(self, collection: Collection, count: int) -> list[Row]:
        """Rows created "now" (for the add mutation)."""
        created = []
        stamp = now_text()
        for _ in range(count):
            row = Row(
                collection.next_id(), collection.next_index(), stamp, stamp, today_utc().isoformat()
            )
            collection.rows.append(row)
            created.append(row)
        return created

    def _companies_collection(self, key: tuple) -> Collection:
        rows = []
        for company in sorted(self.companies.values(), key=_by_id):
            row = self._entity_row(company.id, company.index, ("company", company.id))
            row.fields = {"id": company.id, "name": company.name, "is_active": True}
            rows.append(row)
        return Collection(
            key,
            "/companies",
            rows,
            COMPANY_ID_BASE,
            1,
            entity_rows=True,
            seed=stable_seed(self.seed, *key),
        )

    def _projects_collection(self, key: tuple, company: Company) -> Collection:
        rows = []
        for project in sorted(self.projects.values(), key=_by_id):
            if project.company_id != company.id:
                continue
            row = Row(
                project.id,
                project.id - PROJECT_ID_BASE,
                project.created_at,
                project.updated_at,
                project.created_at[:10],
            )
            row.fields = {
                "id": project.id,
                "name": project.name,
                "display_name": f"{project.number} - {project.name}",
                "project_number": project.number,
                "active": project.active,
                "status": "Active" if project.active else "Inactive",
                "company": {"id": company.id, "name": company.name},
                "created_at": project.created_at,
                "updated_at": project.updated_at,
            }
            rows.append(row)
        return Collection(
            key,
            "/projects",
            rows,
            PROJECT_ID_BASE,
            1,
            entity_rows=True,
            seed=stable_seed(self.seed, *key),
        )

    def _tools_collection(self, key: tuple, project: Project) -> Collection:
        rows = []
        for position, tool in enumerate(TOOLS, start=1):
            ident = TOOL_ID_BASE + position
            row = self._entity_row(ident, position, ("tool", project.id))
            row.fields = {
                "id": ident,
                "engine_name": tool.engine_name,
                "title": tool.title,
                "is_active": tool.engine_name not in project.tools_off,
                "position": position,
                "required": False,
            }
            rows.append(row)
        return Collection(
            key,
            "/projects/{}/tools",
            rows,
            TOOL_ID_BASE,
            1,
            entity_rows=True,
            seed=stable_seed(self.seed, *key),
        )

    def _entity_row(self, ident: int, index: int, salt: tuple) -> Row:
        rng = Random(stable_seed(self.seed, "entity", *salt, ident))
        created = self.fake.datetime_text(rng)
        return Row(ident, index, created, created, created[:10])


def _company_name(index: int) -> str:
    base = COMPANY_NAMES[index % len(COMPANY_NAMES)]
    return base if index < len(COMPANY_NAMES) else f"{base} {index + 1}"


def _by_id(entity: Any) -> int:
    return entity.id


def today_utc() -> date:
    return clock.now().date()
