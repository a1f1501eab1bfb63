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
import datetime as dt
import json
import math
import sys
import typing as t
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from tap_procore import dates
from tap_procore.client import header_count
from tap_procore.errors import ProcoreError
from tap_procore.hierarchy import CompaniesStream, CompanyStream, ProjectsStream
from tap_procore.streams import depth_of
from tap_procore.sweep import Scope

if t.TYPE_CHECKING:
    from tap_procore.client import ProcoreStream
    from tap_procore.tap import TapProcore

DEFAULT_HOURLY_LIMIT = 3600


@dataclass
class Line:
    group: str
    streams: int
    scopes: int
    requests: float
    note: str = ""


def _load_config(values: list[str]) -> tuple[dict, bool]:
    config: dict = {}
    from_env = False
    for value in values:
        if value == "ENV":
            from_env = True
        else:
            config.update(json.loads(Path(value).read_text()))
    return config, from_env


def _selected(tap: TapProcore) -> list[ProcoreStream]:
    return [s for s in tap.streams.values() if s.selected]  # type: ignore[misc]


def _windows(stream: ProcoreStream, start: dt.datetime) -> int:
    if not stream.date_params:
        return 1
    days = int(stream.config.get("date_window_days") or 366)
    return max(1, len(dates.day_windows(start, dates.utc_now(), days)))


def _sampled_pages(tap: TapProcore, stream: ProcoreStream, scopes: list[Scope]) -> float | None:
    """Average pages per project from Procore's Total header in a few projects."""
    pages = []
    for scope in scopes:
        context = {"company_id": scope.company_id, "project_id": scope.project_id}
        try:
            response = stream._fetch(context, 1)
        except ProcoreError:
            return None
        except Exception:
            return None
        total = header_count(response.headers.get("Total"))
        if total is None:
            rows = len(stream.parse_response(response))
            pages.append(1 if rows < stream.page_size else 2)
            continue
        pages.append(max(1, math.ceil(total / stream.page_size)))
    return sum(pages) / len(pages) if pages else None


def plan(tap: TapProcore, sample: int) -> tuple[list[Line], dict[int, float], int]:
    selected = _selected(tap)
    start_date = tap.config.get("start_date")
    start = dates.parse_start_date(start_date) if start_date else dates.EARLIEST
    projects_by_company: dict[int, list[int]] = defaultdict(list)
    projects_stream: ProjectsStream = tap.streams["projects"]  # type: ignore[assignment]
    for company_id in tap.config["company_ids"]:
        context = {"company_id": company_id}
        for project in projects_stream.request_records(context):
            if isinstance(project.get("id"), int) and projects_stream._wanted(project):
                projects_by_company[company_id].append(project["id"])
    companies = len(tap.config["company_ids"])
    projects = sum(len(ids) for ids in projects_by_company.values())
    sample_scopes = [
        Scope(company_id, project_id)
        for company_id, ids in projects_by_company.items()
        for project_id in ids[:sample]
    ][:sample]

    company_level = [s for s in selected if isinstance(s, CompanyStream) and depth_of(type(s)) == 1
                     and not isinstance(s, ProjectsStream)]
    project_level = [
        s for s in selected if depth_of(type(s)) == 2 and not isinstance(s, CompanyStream)
    ]
    children = [s for s in selected if s not in company_level and s not in project_level
                and not isinstance(s, (CompaniesStream, ProjectsStream))]
    tool_streams = [s for s in selected if s.tool and depth_of(type(s)) >= 2]

    lines = [
        Line("companies and project lists", 2, companies,
             companies + sum(math.ceil(max(len(ids), 1) / 300)
                             for ids in projects_by_company.values())),
        Line("company-level streams", len(company_level), companies,
             companies * sum(_windows(s, start) for s in company_level)),
    ]
    per_project = 0.0
    sampled = 0
    for stream in project_level:
        pages = _sampled_pages(tap, stream, sample_scopes) if sample_scopes else None
        sampled += pages is not None
        per_project += (pages or 1) * _windows(stream, start)
    note = f"pages sampled in {len(sample_scopes)} project(s)" if sampled else "1 page each"
    lines.append(Line("project-level streams", len(project_level), projects,
                      projects * per_project, note))
    if len(tool_streams) >= 2:
        lines.append(Line("tool lists (skip switched-off tools)", 1, projects, projects))
    if children:
        lines.append(Line("child streams", len(children), projects, 0,
                          "+1 request per parent record (" + ", ".join(
                              s.name for s in children[:6]) + ("..." if len(children) > 6 else "")
                          + ")"))
    per_company = {
        company_id: (1 + math.ceil(max(len(ids), 1) / 300)
                     + sum(_windows(s, start) for s in company_level)
                     + len(ids) * (per_project + (1 if len(tool_streams) >= 2 else 0)))
        for company_id, ids in projects_by_company.items()
    }
    for company_id in tap.config["company_ids"]:
        per_company.setdefault(company_id, 2 + len(company_level))
    hourly = int(tap.config.get("max_requests_per_hour") or _observed_hourly_limit(tap))
    return lines, per_company, hourly


def _observed_hourly_limit(tap: TapProcore) -> int:
    # Procore reports whichever limit is closer to running out; a window resetting within a
    # minute is the 10-second spike window, not the hourly one.
    now = dt.datetime.now(dt.timezone.utc).timestamp()
    hourly = [
        window.limit
        for window in tap.governor._windows.values()
        if window.limit and window.reset_at and window.reset_at - now > 60
    ]
    return max(hourly) if hourly else DEFAULT_HOURLY_LIMIT


def render(lines: list[Line], per_company: dict[int, float], hourly: int) -> str:
    out = [
        f"{'':38} {'streams':>8} {'scopes':>8} {'requests':>10}  note",
        f"{'-' * 38} {'-' * 8} {'-' * 8} {'-' * 10}  ----",
    ]
    for line in lines:
        out.append(f"{line.group:38} {line.streams:8} {line.scopes:8} "
                   f"{math.ceil(line.requests):10}  {line.note}")
    total = sum(per_company.values())
    out.append(f"{'total (at least)':38} {'':8} {'':8} {math.ceil(total):10}")
    out.append("")
    out.append(f"Rate limit: {hourly} requests per hour per company "
               "(Procore's X-Rate-Limit-Limit, or max_requests_per_hour)")
    for company_id, requests in sorted(per_company.items()):
        out.append(f"  company {company_id}: {math.ceil(requests)} requests, "
                   f"about {requests / hourly:.1f} hours")
    out.append("Companies have separate budgets and run one after another in one job; run them "
               "as parallel jobs to finish in the longest company's time.")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tap-procore-plan", description=__doc__.splitlines()[0])
    parser.add_argument("--config", action="append", default=[],
                        help="config file, or ENV to read TAP_PROCORE_* variables (repeatable)")
    parser.add_argument("--catalog", type=Path, help="catalog with the streams to sync selected")
    parser.add_argument("--sample", type=int, default=0,
                        help="projects to sample for page counts (one request per stream each)")
    args = parser.parse_args(argv)
    from tap_procore.tap import TapProcore

    config, from_env = _load_config(args.config)
    catalog = json.loads(args.catalog.read_text()) if args.catalog else None
    try:
        tap = TapProcore(config=config, catalog=catalog, parse_env_config=from_env,
                         validate_config=True, setup_mapper=False)
        lines, per_company, hourly = plan(tap, max(args.sample, 0))
    except ProcoreError as exc:
        print(f"tap-procore-plan stopped: {exc}", file=sys.stderr)
        return 1
    print(render(lines, per_company, hourly))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
