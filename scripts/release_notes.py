#!/usr/bin/env python3
"""Print the CHANGELOG.md entry of the version being released.

    python scripts/release_notes.py [--tag v0.1.0]

CHANGELOG.md is kept by hand in the "Keep a Changelog" form (https://keepachangelog.com):
an optional `## [Unreleased]` section, then one `## [X.Y.Z] - YYYY-MM-DD` section per release,
newest first, each with `### Added`, `### Changed`, ... subsections. The top release entry must
be the version pyproject.toml declares; with --tag (the release workflow passes the pushed tag),
the tag must be `v` + that version too. Prints the entry's body (the GitHub release notes), or
one line naming the mismatch and exits 1.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\S+))?\s*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
KINDS = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")


class ChangelogError(Exception):
    pass


@dataclass
class Entry:
    version: str
    date: str | None
    body: str


def entries(text: str) -> list[Entry]:
    """Every `## [...]` section, in file order."""
    found: list[Entry] = []
    body: list[str] = []
    for line in text.splitlines():
        heading = HEADING.match(line)
        if heading:
            if found:
                found[-1].body = "\n".join(body).strip()
            found.append(Entry(heading["version"], heading["date"], ""))
            body = []
        elif line.startswith("## "):
            raise ChangelogError(
                f"CHANGELOG.md: a heading not in the form '## [X.Y.Z] - date': {line}"
            )
        elif found:
            body.append(line)
    if found:
        found[-1].body = "\n".join(body).strip()
    return found


def release_entry(text: str, version: str) -> Entry:
    """The top release entry (after Unreleased), checked against `version`."""
    if not text.startswith("# Changelog\n"):
        raise ChangelogError("CHANGELOG.md does not start with '# Changelog'")
    releases = [entry for entry in entries(text) if entry.version != "Unreleased"]
    if not releases:
        raise ChangelogError("CHANGELOG.md has no release entry")
    top = releases[0]
    if top.version != version:
        raise ChangelogError(
            f"CHANGELOG.md's top entry is {top.version}, pyproject.toml declares {version}"
        )
    if not top.date or not DATE.match(top.date):
        raise ChangelogError(f"CHANGELOG.md's entry {version} has no date (YYYY-MM-DD)")
    kinds = re.findall(r"^### (.+)$", top.body, re.M)
    if not kinds or set(kinds) - set(KINDS):
        raise ChangelogError(
            f"CHANGELOG.md's entry {version} needs ### subsections among {', '.join(KINDS)}; "
            f"found {kinds}"
        )
    return top


def declared_version() -> str:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"', text, re.M)
    if not match:
        raise ChangelogError("pyproject.toml declares no version")
    return match.group(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", help="the pushed tag, which must be v<version>")
    args = parser.parse_args(argv)
    try:
        version = declared_version()
        if args.tag is not None and args.tag != f"v{version}":
            raise ChangelogError(f"tag {args.tag} but pyproject.toml declares {version}")
        entry = release_entry((REPO / "CHANGELOG.md").read_text(encoding="utf-8"), version)
    except ChangelogError as problem:
        print(f"release_notes: {problem}", file=sys.stderr)
        return 1
    print(entry.body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
