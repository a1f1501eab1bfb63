"""`tap-procore-plan`: how many requests, and how many hours, a historical sync will take.

Before a first sync of a big account: counts the projects each company will extract and the
selected streams, estimates the requests a full sweep needs (pages, daily-log windows, tool
lists, one request per parent record for child streams) and the hours that takes under the
company's rate limit, and prints it as a table. It reads only the company and project lists,
plus, with ``--sample N``, one small request per selected project-level stream in N projects to
read Procore's ``Total`` headers and estimate pages.

    tap-procore-plan --config config.json [--catalog catalog.json] [--sample 2]
    meltano invoke tap-procore:plan            # with the `plan` command of meltano.yml
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import typing as t
from collections import defaultdict
from dataclasses import dataclass, field

from tap_procore.command_line import add_tap_options, check_tap_files, tap_from_args
from tap_procore.errors import ProcoreError, ScopeUnavailable
from tap_procore.hierarchy import ProjectsStream
from tap_procore.redaction import SecretRedactor
from tap_procore.sweep import Scope

if t.TYPE_CHECKING:
    from tap_procore.client import ProcoreStream
    from tap_procore.tap import TapProcore

DEFAULT_HOURLY_LIMIT = 3600
#: Projects whose streams are read (first page of each listing) to measure a sweep's cost.
DEFAULT_SAMPLE = 25
GROUPS = (
    "companies and project lists",
    "company-level streams",
    "project-level streams",
    "child streams",
    "tool lists (skip switched-off tools)",
)


@dataclass
class Line:
    group: str
    streams: int
    scopes: int
    requests: float
    note: str = ""


@dataclass
class Estimate:
    lines: list[Line]
    per_company: dict[int, float]
    hourly_limit: int
    sampling_requests: int
    #: Requests of a later run that probes every partition once (no change feed): one request
    #: per listing, windows nearly empty.
    probing_requests: float = 0.0
    #: The run's budget (max_requests_per_run) and shard ('k/n'), as configured.
    budget: int | None = None
    shard: str | None = None


@dataclass
class Cost:
    """Requests of one scope, by plan group."""

    by_group: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, group: str, requests: float) -> None:
        self.by_group[group] += requests

    def merge(self, other: Cost, factor: float = 1.0) -> None:
        for group, requests in other.by_group.items():
            self.by_group[group] += requests * factor

    @property
    def total(self) -> float:
        return sum(self.by_group.values())


@dataclass
class Listing:
    """What the first page(s) of one listing said: requests a full read takes, rows, samples."""

    requests: float
    rows: float
    sample: list[dict[str, t.Any]]


class Planner:
    """Walks the stream tree as a first sync would, reading only first pages.

    Every company-level listing is sampled in every company; project-level listings (and one
    parent's worth of each child listing) in `sample` projects spread over all companies. Pages
    come from Procore's `Total` header with the run's own windows, child requests from the
    parents' `Total`, and the sampled projects' costs are extrapolated to each company's
    projects."""

    def __init__(self, tap: TapProcore, sample: int) -> None:
        self.tap = tap
        self.sample = sample
        self.projects_stream = t.cast(ProjectsStream, tap.stream("projects"))
        self._ids_read: set[tuple[str, Scope]] = set()

    # --- which streams take part -----------------------------------------------------------

    @staticmethod
    def takes_part(stream: t.Any) -> bool:
        return bool(stream.selected or stream.has_selected_descendents)

    def _children(self, stream: ProcoreStream) -> list[ProcoreStream]:
        return [
            t.cast("ProcoreStream", child)
            for child in stream.child_streams
            if self.takes_part(child)
        ]

    def _company_streams(self) -> list[ProcoreStream]:
        return [
            s
            for s in self._children(self.tap.stream("companies"))
            if not isinstance(s, ProjectsStream)
        ]

    def _project_streams(self) -> list[ProcoreStream]:
        return self._children(self.projects_stream)

    # --- one listing --------------------------------------------------------------------------

    def _first_page(
        self, stream: ProcoreStream, context: dict[str, t.Any]
    ) -> tuple[list[dict[str, t.Any]], int | None]:
        page = stream.first_page(context)
        return list(page.records), page.total

    def _pages(self, stream: ProcoreStream, rows: list[dict[str, t.Any]], total: int | None) -> int:
        if not stream.paginated:
            return 1
        if total is None:
            return 1 if len(rows) < stream.page_size else 2
        return max(1, math.ceil(total / stream.page_size))

    def listing(self, stream: ProcoreStream, context: dict[str, t.Any]) -> Listing:
        """Requests and rows of reading `stream` in `context`, as its windows would."""
        windows = stream.windows(context) or [{}]
        # Daily-log streams read many date windows: sample the oldest and the newest.
        sampled = [windows[0]] if len(windows) == 1 else [windows[0], windows[-1]]
        pages, rows = 0.0, 0.0
        sample: list[dict[str, t.Any]] = []
        for window in sampled:
            window_context = {**context, "_window": window} if window else context
            page_rows, total = self._first_page(stream, window_context)
            pages += self._pages(stream, page_rows, total)
            rows += total if total is not None else len(page_rows)
            sample = sample or page_rows
        share = len(windows) / len(sampled)
        return Listing(requests=pages * share, rows=rows * share, sample=sample)

    # --- one stream in one scope, with its children -----------------------------------------

    def stream_cost(self, stream: ProcoreStream, context: dict[str, t.Any], group: str) -> Cost:
        cost = Cost()
        scope = stream.scope_of(context)
        if stream.embedded_in is not None:
            return cost
        if stream.tool and self.tap.tools.is_off(scope, stream.tool):
            return cost
        try:
            if stream.ids_from:
                cost.add(group, self._cost_by_ids(stream, scope))
                return cost
            listing = self.listing(stream, context)
        except ScopeUnavailable:
            cost.add(group, 1)  # the refused request counts against the limit too
            return cost
        cost.add(group, listing.requests)
        for child in self._children(stream):
            cost.merge(self._children_cost(stream, child, context, listing))
        return cost

    def _cost_by_ids(self, stream: ProcoreStream, scope: Scope) -> float:
        """One request per parent id; each id source is listed once per scope."""
        requests = 0.0
        context = {"company_id": scope.company_id}
        if scope.project_id is not None:
            context["project_id"] = scope.project_id
        for source_name in stream.ids_from:
            source = self.tap.stream(source_name)
            try:
                listing = self.listing(source, context)
            except ScopeUnavailable:
                listing = Listing(requests=1, rows=0, sample=[])
            if (source_name, scope) not in self._ids_read:
                self._ids_read.add((source_name, scope))
                if not source.selected:  # a selected source is counted as its own stream
                    requests += listing.requests
            requests += listing.rows
        return requests

    def _children_cost(
        self,
        parent: ProcoreStream,
        child: ProcoreStream,
        context: dict[str, t.Any],
        listing: Listing,
    ) -> Cost:
        """A child listing sampled under one parent record, times the parents that need it."""
        cost = Cost()
        parents = listing.sample
        if child.parent_count_field:
            counted = [record.get(child.parent_count_field) for record in parents]
            parents = [record for record, count in zip(parents, counted, strict=True) if count != 0]
        if not parents or not listing.sample:
            return cost
        share = len(parents) / len(listing.sample)
        child_context = parent.get_child_context(parents[0], context)
        if child_context is None:
            return cost
        per_parent = self.stream_cost(child, child_context, "child streams")
        cost.merge(per_parent, factor=listing.rows * share)
        return cost

    # --- scopes ---------------------------------------------------------------------------------

    def company_cost(self, company_id: int, project_count: int) -> Cost:
        cost = Cost()
        cost.add(GROUPS[0], 1 + max(1, math.ceil(project_count / self.projects_stream.page_size)))
        for stream in self._company_streams():
            cost.merge(self.stream_cost(stream, {"company_id": company_id}, GROUPS[1]))
        return cost

    def project_cost(self, scope: Scope) -> Cost:
        cost = Cost()
        context = {"company_id": scope.company_id, "project_id": scope.project_id}
        for stream in self._project_streams():
            cost.merge(self.stream_cost(stream, context, GROUPS[2]))
        tool_list = self.tap.tools.records_for(scope) is not None
        if tool_list and not self.tap.streams["project_tools"].selected:
            cost.add(GROUPS[4], 1)
        self.tap.forget_scope(scope)
        return cost

    def projects_by_company(self) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        for company_id in self.tap.config["company_ids"]:
            listed = list(self.projects_stream.request_records({"company_id": company_id}))
            found[company_id] = [
                project["id"]
                for project in self.projects_stream.with_usable_ids(listed, company_id)
                if self.projects_stream.why_not_visited(project) is None
            ]
        return found


def sampled_projects(projects: dict[int, list[int]], sample: int) -> list[Scope]:
    """`sample` projects spread evenly over every company's list (all of them if fewer)."""
    every = [Scope(company, project) for company, ids in projects.items() for project in ids]
    if sample <= 0 or not every:
        return []
    if sample >= len(every):
        return every
    step = len(every) / sample
    return [every[int(i * step)] for i in range(sample)]


def plan(tap: TapProcore, sample: int = DEFAULT_SAMPLE) -> Estimate:
    requests_at_start = tap.transport.stats.requests
    planner = Planner(tap, sample)
    projects = planner.projects_by_company()
    samples = sampled_projects(projects, sample)
    sampled_costs: dict[int, list[Cost]] = defaultdict(list)
    for scope in samples:
        sampled_costs[scope.company_id].append(planner.project_cost(scope))
    totals, per_company = _company_totals(planner, projects, sampled_costs)
    project_scopes = _project_count(projects)
    note = f"first pages read in {len(samples)} of {project_scopes} projects"
    lines = [
        Line(
            group,
            *count(planner, projects),
            totals.by_group.get(group, 0.0),
            note if group == GROUPS[2] else "",
        )
        for group, count in ROWS.items()
        if totals.by_group.get(group) or group in GROUPS[:3]
    ]
    hourly = int(tap.config.get("max_requests_per_hour") or _observed_hourly_limit(tap))
    probing = sum(
        line.streams * line.scopes for line in lines if line.group not in (GROUPS[3], GROUPS[4])
    ) + sum(line.scopes for line in lines if line.group == GROUPS[4])
    return Estimate(
        lines,
        per_company,
        hourly,
        tap.transport.stats.requests - requests_at_start,
        probing_requests=float(probing),
        budget=tap.config.get("max_requests_per_run"),
        shard=tap.config.get("shard"),
    )


def _company_totals(
    planner: Planner, projects: dict[int, list[int]], sampled_costs: dict[int, list[Cost]]
) -> tuple[Cost, dict[int, float]]:
    """Every company's cost: its own streams, plus its sampled projects' costs extrapolated to
    all of its projects (the other companies' samples when none of its own was sampled)."""
    every_sample = [cost for costs in sampled_costs.values() for cost in costs]
    totals = Cost()
    per_company: dict[int, float] = {}
    for company_id, ids in projects.items():
        company = planner.company_cost(company_id, len(ids))
        costs = sampled_costs.get(company_id) or every_sample
        for cost in costs:
            company.merge(cost, factor=len(ids) / len(costs))
        totals.merge(company)
        per_company[company_id] = company.total
    return totals, per_company


# --- the rows of the plan: (streams, scopes) of each ----------------------------------------

Counts = tuple[int, int]


def _list_row(planner: Planner, projects: dict[int, list[int]]) -> Counts:
    return 2, len(projects)  # the companies and the project lists


def _company_streams_row(planner: Planner, projects: dict[int, list[int]]) -> Counts:
    return len(planner._company_streams()), len(projects)


def _project_streams_row(planner: Planner, projects: dict[int, list[int]]) -> Counts:
    return len(planner._project_streams()), _project_count(projects)


def _child_streams_row(planner: Planner, projects: dict[int, list[int]]) -> Counts:
    count = 0
    stack = [*planner._company_streams(), *planner._project_streams()]
    while stack:
        children = planner._children(stack.pop())
        count += len(children)
        stack.extend(children)
    return count, _project_count(projects)


def _tool_lists_row(planner: Planner, projects: dict[int, list[int]]) -> Counts:
    return 1, _project_count(projects)


def _project_count(projects: dict[int, list[int]]) -> int:
    return sum(len(ids) for ids in projects.values())


ROWS: dict[str, t.Callable[[Planner, dict[int, list[int]]], Counts]] = {
    GROUPS[0]: _list_row,
    GROUPS[1]: _company_streams_row,
    GROUPS[2]: _project_streams_row,
    GROUPS[3]: _child_streams_row,
    GROUPS[4]: _tool_lists_row,
}


def _observed_hourly_limit(tap: TapProcore) -> int:
    # Procore reports whichever limit is closer to running out; a window resetting within a
    # minute is the 10-second spike window, not the hourly one.
    now = time.time()
    hourly = [
        window.limit
        for window in tap.governor._windows.values()
        if window.limit and window.reset_at and window.reset_at - now > 60
    ]
    return max(hourly) if hourly else DEFAULT_HOURLY_LIMIT


def company_line(company_id: int, requests: float, hourly: int) -> str:
    hours = requests / hourly
    if requests <= hourly:
        return (
            f"  company {company_id}: {math.ceil(requests)} requests, about {hours:.1f} hours; "
            f"stays under the hourly limit ({hourly})"
        )
    resets = math.ceil(requests / hourly) - 1
    return (
        f"  company {company_id}: {math.ceil(requests)} requests, about {hours:.1f} hours; "
        f"reaches the hourly limit ({hourly}) and waits for the window to reset "
        f"{resets} time{'s' if resets != 1 else ''}"
    )


def render(estimate: Estimate) -> str:
    out = [
        f"{'':38} {'streams':>8} {'scopes':>8} {'requests':>10}  note",
        f"{'-' * 38} {'-' * 8} {'-' * 8} {'-' * 10}  ----",
    ]
    for line in estimate.lines:
        out.append(
            f"{line.group:38} {line.streams:8} {line.scopes:8} "
            f"{math.ceil(line.requests):10}  {line.note}"
        )
    total = sum(estimate.per_company.values())
    out.append(f"{'total (estimate)':38} {'':8} {'':8} {math.ceil(total):10}")
    out.append("")
    out.append(
        f"Rate limit: {estimate.hourly_limit} requests per hour per company "
        "(Procore's X-Rate-Limit-Limit, or max_requests_per_hour)"
    )
    for company_id, requests in sorted(estimate.per_company.items()):
        out.append(company_line(company_id, requests, estimate.hourly_limit))
    out.append(
        "Companies have separate budgets and run one after another in one job; run them "
        "as parallel jobs to finish in the longest company's time."
    )
    out.extend(schedule_lines(estimate, total))
    out.append(f"This plan used {estimate.sampling_requests} requests to sample.")
    return "\n".join(out)


def schedule_lines(estimate: Estimate, first_sync: float) -> list[str]:
    """How the sync fits a schedule: runs of the budget, and how often each partition is read
    again when every run probes (without the change feed)."""
    hourly = estimate.hourly_limit
    probing = estimate.probing_requests
    lines = ["", "Schedule:"]
    if estimate.shard:
        lines.append(
            f"  shard {estimate.shard}: these figures are this shard's projects (company-level "
            "streams are shard 1's); each shard has its own credentials, budget and state"
        )
    lines.append(
        f"  first sync: {math.ceil(first_sync)} requests, {first_sync / hourly:.1f} hours at "
        f"{hourly} an hour"
    )
    lines.append(
        f"  a later run probing every partition once: about {math.ceil(probing)} requests, "
        f"{probing / hourly:.1f} hours; every partition is read again within that"
    )
    if estimate.budget:
        budget = estimate.budget
        lines.append(
            f"  with max_requests_per_run {budget}: the first sync takes "
            f"{math.ceil(first_sync / budget)} runs, and every partition is read again within "
            f"{max(1, math.ceil(probing / budget))} runs"
        )
    lines.append(
        "  with the change feed, a run reads only the changed partitions of the streams it "
        "covers; every change_feed_full_sweep_days a reconciliation probes them all"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tap-procore-plan", description=__doc__.splitlines()[0])
    add_tap_options(parser)
    parser.add_argument(
        "--sample",
        type=int,
        default=DEFAULT_SAMPLE,
        help="projects whose listings are sampled (first pages only; default "
        f"{DEFAULT_SAMPLE}); more is closer, fewer is cheaper",
    )
    args = parser.parse_args(argv)
    check_tap_files(args)
    try:
        tap = tap_from_args(args)
        estimate = plan(tap, max(args.sample, 0))
    except ProcoreError as exc:
        print(f"tap-procore-plan stopped: {SecretRedactor.scrub_active(str(exc))}", file=sys.stderr)
        return 1
    print(render(estimate))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
