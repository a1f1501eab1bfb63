#!/usr/bin/env python3
"""Check the built sdist and wheel before anyone installs them: `check_dist.py DIST_DIR`.

`twine check --strict` (run beside it in .ci/run and the release workflow) checks that the
metadata is complete and the long description renders on PyPI; this checks what is inside:

* one wheel and one sdist, both of the version pyproject.toml declares;
* the wheel holds the package and every JSON schema of tap_procore/schemas/ (the tap reads
  them at run time), the three commands as entry points, and neither the Procore double, the
  tests, the scripts nor the benchmarks (they are for this repository, not for users);
* the wheel's metadata claims the Pythons pyproject.toml claims, and says its README is
  Markdown;
* the sdist holds what building and testing from it needs (pyproject.toml, README.md,
  CHANGELOG.md, the package with its schemas).

Prints what it checked; exits 1 naming every problem.
"""

from __future__ import annotations

import argparse
import re
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOT_IN_WHEEL = ("procore_double/", "tests/", "scripts/", "benchmarks/", "docs/")
COMMANDS = {
    "tap-procore": "tap_procore.tap:main",
    "tap-procore-plan": "tap_procore.plan:main",
    "tap-procore-webhooks": "tap_procore.webhooks:main",
}
SCHEMAS = REPO / "tap_procore" / "schemas"
SDIST_NEEDS = ("pyproject.toml", "README.md", "CHANGELOG.md", "tap_procore/__init__.py")


def pyproject_facts() -> tuple[str, list[str]]:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    version = re.search(r'^version = "([^"]+)"', text, re.M)
    classifiers = re.findall(r'"(Programming Language :: Python :: 3\.\d+)"', text)
    assert version, "pyproject.toml declares a version"
    return version.group(1), classifiers


def check_wheel(
    path: Path, version: str, classifiers: list[str], schema_dir: Path = SCHEMAS
) -> list[str]:
    problems = []
    with zipfile.ZipFile(path) as wheel:
        names = set(wheel.namelist())
        info = next(name for name in names if name.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(wheel.read(info).decode("utf-8"))
        entry_points = wheel.read(info.replace("METADATA", "entry_points.txt")).decode("utf-8")
    schemas = {f"tap_procore/schemas/{schema.name}" for schema in schema_dir.glob("*.json")}
    missing = sorted(schemas - names)
    if not schemas or missing:
        problems.append(f"wheel lacks {len(missing)} schemas, e.g. {missing[:3]}")
    if "tap_procore/__init__.py" not in names or "tap_procore/streams/__init__.py" not in names:
        problems.append("wheel lacks the tap_procore package")
    stray = sorted(name for name in names if name.startswith(NOT_IN_WHEEL))
    if stray:
        problems.append(f"wheel holds files that are not the package: {stray[:5]}")
    for command, target in COMMANDS.items():
        if f"{command} = {target}" not in entry_points:
            problems.append(f"wheel lacks the {command} command ({target})")
    if metadata["Version"] != version:
        problems.append(f"wheel version {metadata['Version']}, pyproject.toml {version}")
    claimed = [
        value for value in metadata.get_all("Classifier", []) if re.search(r"3\.\d+$", value)
    ]
    if claimed != classifiers:
        problems.append(f"wheel claims {claimed}, pyproject.toml {classifiers}")
    if metadata["Description-Content-Type"] != "text/markdown":
        problems.append("wheel's long description is not declared as Markdown")
    if not problems:
        print(
            f"{path.name}: {len(names)} files, {len(schemas)} schemas, "
            f"{len(COMMANDS)} commands, no {', '.join(NOT_IN_WHEEL)}"
        )
    return problems


def check_sdist(path: Path, version: str) -> list[str]:
    with tarfile.open(path) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    problems = [f"sdist lacks {name}" for name in SDIST_NEEDS if name not in names]
    if not any(name.startswith("tap_procore/schemas/") for name in names):
        problems.append("sdist lacks the schemas")
    if not path.name.endswith(f"-{version}.tar.gz"):
        problems.append(f"sdist {path.name} is not version {version}")
    if not problems:
        print(f"{path.name}: {len(names)} files, {', '.join(SDIST_NEEDS)} and the schemas")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path, help="the directory `python -m build` wrote")
    parser.add_argument(
        "--schemas", type=Path, default=SCHEMAS, help="the schemas the wheel must hold"
    )
    args = parser.parse_args(argv)
    version, classifiers = pyproject_facts()
    wheels = sorted(args.dist.glob("*.whl"))
    sdists = sorted(args.dist.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"expected one wheel and one sdist in {args.dist}, found {wheels + sdists}")
        return 1
    problems = check_wheel(wheels[0], version, classifiers, args.schemas)
    problems += check_sdist(sdists[0], version)
    for problem in problems:
        print(f"dist problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
