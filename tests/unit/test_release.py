"""What a release promises, checked where it is written: the Pythons claimed are the Pythons
tested, the workflows use actions pinned by commit, dependencies are locked for every claimed
Python, the CHANGELOG names the version, and the release checks fail when they should."""

from __future__ import annotations

import importlib.util
import io
import re
import sys
import tarfile
import typing as t
import zipfile
from pathlib import Path

import pytest
import yaml

import tap_procore
from tests.conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
# The package's schemas where it is imported from (a checkout, or the wheel under test when
# .ci/one-python runs the unit tier from a copy without tap_procore/).
SCHEMAS = Path(tap_procore.__file__).parent / "schemas"


def script(name: str) -> t.Any:
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def pyproject() -> str:
    return (REPO / "pyproject.toml").read_text(encoding="utf-8")


def claimed_pythons() -> list[str]:
    return re.findall(r'"Programming Language :: Python :: (3\.\d+)"', pyproject())


def workflow(name: str) -> dict[str, t.Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


# --- the Pythons claimed are the Pythons tested --------------------------------------------------


def test_ci_run_tests_exactly_the_claimed_pythons():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    others = re.search(r'^OTHER_PYTHONS="\$\{OTHER_PYTHONS-([^}"]*)\}"$', ci, re.M)
    assert others, ".ci/run sets OTHER_PYTHONS' default"
    # .ci/run's own Python is the suite's (the GitHub suite job sets up the same one).
    suite = workflow("ci.yml")["jobs"]["suite"]
    (own,) = [
        step["with"]["python-version"]
        for step in suite["steps"]
        if "setup-python" in step.get("uses", "")
    ]
    tested = sorted({own, *others.group(1).split()}, key=lambda v: tuple(map(int, v.split("."))))
    assert tested == claimed_pythons()


def test_the_github_workflow_has_the_same_matrix():
    jobs = workflow("ci.yml")["jobs"]
    matrix = jobs["pythons"]["strategy"]["matrix"]["python-version"]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    others = re.search(r'OTHER_PYTHONS-([^}"]*)\}', ci)
    assert others and matrix == others.group(1).split()
    assert "bash .ci/one-python" in jobs["pythons"]["steps"][-2]["run"]


def test_requires_python_starts_at_the_oldest_claimed_python():
    requires = re.search(r'^requires-python = ">=(3\.\d+)"$', pyproject(), re.M)
    assert requires and requires.group(1) == claimed_pythons()[0]


# --- supply chain --------------------------------------------------------------------------------


def uses_lines() -> list[str]:
    lines = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        lines += [line.strip() for line in path.read_text().splitlines() if "uses:" in line]
    return lines


def test_every_action_is_pinned_by_commit_with_its_version_beside_it():
    lines = uses_lines()
    assert len(lines) >= 8
    for line in lines:
        assert re.fullmatch(r"(- )?uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*", line), line


def test_one_commit_per_action_across_workflows():
    pins: dict[str, set[str]] = {}
    for line in uses_lines():
        action, _, rest = line.split("uses: ")[1].partition("@")
        pins.setdefault(action, set()).add(rest)
    assert all(len(versions) == 1 for versions in pins.values()), pins


def test_dependabot_updates_pip_and_the_actions():
    config = yaml.safe_load((REPO / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    assert ecosystems == {"pip", "github-actions"}


def test_publishing_uses_trusted_publishing_not_a_token():
    release = (WORKFLOWS / "release.yml").read_text(encoding="utf-8")
    jobs = workflow("release.yml")["jobs"]
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}
    assert "secrets." not in release and "password:" not in release
    assert workflow("release.yml")["permissions"] == {}
    assert "gh release create" in jobs["github-release"]["steps"][-1]["run"]


def test_every_locked_requirement_is_pinned():
    lines = [
        line
        for line in (REPO / "requirements" / "lock.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    for line in lines:
        assert re.fullmatch(r'[A-Za-z0-9_.-]+==[^\s;]+(; python_version [<>]=? "3\.\d+")?', line), (
            line
        )


def test_a_per_python_pin_has_its_complement():
    """A package pinned per Python covers every claimed Python exactly once."""
    by_name: dict[str, list[str]] = {}
    for line in (REPO / "requirements" / "lock.txt").read_text().splitlines():
        if "; python_version" in line:
            by_name.setdefault(line.split("==")[0], []).append(line.split(";")[1].strip())
    for name, markers in by_name.items():
        for python in claimed_pythons():
            version = tuple(map(int, python.split(".")))
            applies = [marker for marker in markers if _marker_holds(marker, version)]
            # Backports only some Pythons need apply to those; a split pin to exactly one.
            assert len(applies) <= 1, (name, python, applies)
        if len(markers) == 2:
            assert all(
                sum(_marker_holds(m, tuple(map(int, p.split(".")))) for m in markers) == 1
                for p in claimed_pythons()
            ), name


def _marker_holds(marker: str, version: tuple[int, ...]) -> bool:
    match = re.fullmatch(r'python_version ([<>]=?) "(3)\.(\d+)"', marker)
    assert match, marker
    bound = (int(match.group(2)), int(match.group(3)))
    return {
        "<": version < bound,
        "<=": version <= bound,
        ">": version > bound,
        ">=": version >= bound,
    }[match.group(1)]


# --- CHANGELOG and release notes -----------------------------------------------------------------


def test_the_changelog_top_entry_is_the_declared_version():
    notes = script("release_notes")
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    entry = notes.release_entry(text, notes.declared_version())
    assert "### Added" in entry.body


CHANGELOG = """# Changelog

## [Unreleased]

## [{version}] - {date}

### {kind}

- Something.

## [0.0.9] - 2026-01-01

### Added

- Older.
"""


@pytest.mark.parametrize(
    ("version", "date", "kind", "problem"),
    [
        ("0.2.0", "2026-12-07", "Added", "top entry is 0.2.0"),
        ("0.1.0", "soon", "Added", "has no date"),
        ("0.1.0", "2026-12-07", "Improvements", "needs ### subsections"),
    ],
)
def test_release_notes_refuse_a_changelog_that_does_not_name_the_release(
    version, date, kind, problem
):
    notes = script("release_notes")
    text = CHANGELOG.format(version=version, date=date, kind=kind)
    with pytest.raises(notes.ChangelogError, match=problem):
        notes.release_entry(text, "0.1.0")
    good = CHANGELOG.format(version="0.1.0", date="2026-12-07", kind="Fixed")
    assert notes.release_entry(good, "0.1.0").body == "### Fixed\n\n- Something."


def test_release_notes_refuse_a_tag_of_another_version(capsys):
    assert script("release_notes").main(["--tag", "v9.9.9"]) == 1
    assert "tag v9.9.9 but pyproject.toml declares" in capsys.readouterr().err


# --- the checks of the built files fail when they should -----------------------------------------


def fake_dist(tmp_path: Path, *, extra: dict[str, str], drop_schemas: int = 0) -> Path:
    check = script("check_dist")
    version, classifiers = check.pyproject_facts()
    dist = tmp_path / "dist"
    dist.mkdir()
    info = f"singer_tap_procore-{version}.dist-info"
    metadata = f"Metadata-Version: 2.4\nName: singer-tap-procore\nVersion: {version}\n"
    metadata += "".join(f"Classifier: {c}\n" for c in classifiers)
    metadata += "Description-Content-Type: text/markdown\n\nREADME\n"
    entry_points = "[console_scripts]\n" + "".join(
        f"{name} = {target}\n" for name, target in check.COMMANDS.items()
    )
    schemas = sorted(SCHEMAS.glob("*.json"))[drop_schemas:]
    files = {
        "tap_procore/__init__.py": "",
        "tap_procore/streams/__init__.py": "",
        **{f"tap_procore/schemas/{schema.name}": "{}" for schema in schemas},
        f"{info}/METADATA": metadata,
        f"{info}/entry_points.txt": entry_points,
        **extra,
    }
    with zipfile.ZipFile(dist / f"singer_tap_procore-{version}-py3-none-any.whl", "w") as wheel:
        for name, text in files.items():
            wheel.writestr(name, text)
    with tarfile.open(dist / f"singer_tap_procore-{version}.tar.gz", "w:gz") as sdist:
        for name in (*check.SDIST_NEEDS, "tap_procore/schemas/rfis.json"):
            data = b"x"
            member = tarfile.TarInfo(f"singer_tap_procore-{version}/{name}")
            member.size = len(data)
            sdist.addfile(member, io.BytesIO(data))
    return dist


def test_check_dist_passes_a_complete_wheel(tmp_path, capsys):
    dist = fake_dist(tmp_path, extra={})
    assert script("check_dist").main([str(dist), "--schemas", str(SCHEMAS)]) == 0


@pytest.mark.parametrize(
    ("extra", "drop", "problem"),
    [
        ({"procore_double/__init__.py": ""}, 0, "holds files that are not the package"),
        ({"tests/conftest.py": ""}, 0, "holds files that are not the package"),
        ({}, 3, "wheel lacks 3 schemas"),
    ],
)
def test_check_dist_refuses_a_wheel_with_the_double_or_without_schemas(
    tmp_path, capsys, extra, drop, problem
):
    dist = fake_dist(tmp_path, extra=extra, drop_schemas=drop)
    assert script("check_dist").main([str(dist), "--schemas", str(SCHEMAS)]) == 1
    assert problem in capsys.readouterr().err
