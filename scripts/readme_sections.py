#!/usr/bin/env python3
"""Write the generated sections of docs/ (``--check`` to verify them): the table of streams in
docs/streams.md, from the stream classes, and ``tap-procore --about --format=markdown`` in
docs/operations.md."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tap_procore.hierarchy import CompaniesStream, CompanyStream  # noqa: E402
from tap_procore.streams import STREAM_TYPES, category_of  # noqa: E402

README = REPO / "README.md"
STREAMS_DOC = REPO / "docs" / "streams.md"
OPERATIONS_DOC = REPO / "docs" / "operations.md"
SECTIONS = ("streams", "about")


def level(stream_class: type) -> str:
    if stream_class is CompaniesStream:
        return "root"
    if issubclass(stream_class, CompanyStream) or _root_parent(stream_class) is CompaniesStream:
        return "company"
    return "project"


def _root_parent(stream_class: type) -> type | None:
    parent = stream_class.parent_stream_type
    while parent is not None and parent.parent_stream_type not in (None, CompaniesStream):
        parent = parent.parent_stream_type
    return parent


def replication(stream_class: type) -> str:
    if stream_class.date_params:
        return "incremental (date windows)"
    if stream_class.replication_key:
        return "incremental (updated_at)"
    return "full table"


def path_of(stream_class: type) -> str:
    if stream_class.embedded_in:
        parent = stream_class.parent_stream_type
        return f"inside `{parent.name}` records (`{stream_class.embedded_in}`)"
    query = "&".join(f"{key}={value}" for key, value in stream_class.query.items())
    return f"`{stream_class.path}{'?' + query if query else ''}`"


def streams_section() -> str:
    rows = [
        "| stream | category | level | parent | replication | path |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for stream_class in sorted(STREAM_TYPES, key=lambda s: (category_of(s), s.name)):
        parent = stream_class.parent_stream_type.name if stream_class.parent_stream_type else ""
        name = f"`{stream_class.name}`"
        if not getattr(stream_class, "selected_by_default", True):
            name += " (opt-in)"
        rows.append(
            f"| {name} | {category_of(stream_class)} | {level(stream_class)} | {parent} | "
            f"{replication(stream_class)} | {path_of(stream_class)} |"
        )
    return f"{len(STREAM_TYPES)} streams.\n\n" + "\n".join(rows)


def about_section() -> str:
    about = subprocess.run(
        [sys.executable, "-m", "tap_procore.tap", "--about", "--format=markdown"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout.strip()
    # One level down, to sit under the README's own heading.
    return "\n".join(("#" + line) if line.startswith("#") else line for line in about.splitlines())


def replace_section(text: str, name: str, body: str) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        raise SystemExit(f"no {start} ... {end} section")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    return f"{before}{start}\n{body}\n{end}{after}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    sections = {
        STREAMS_DOC: ("streams", streams_section()),
        OPERATIONS_DOC: ("about", about_section()),
    }
    stale = []
    for path, (name, body) in sections.items():
        text = path.read_text()
        updated = replace_section(text, name, body)
        if updated != text:
            stale.append(path.relative_to(REPO))
            if not args.check:
                path.write_text(updated)
    if args.check and stale:
        print(
            f"generated sections out of date in {', '.join(map(str, stale))}: "
            "run scripts/readme_sections.py"
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
