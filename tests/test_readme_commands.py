"""Every command the README shows, run as written, in a fresh copy of the repository.

The README's ``sh`` blocks are read from the file, not copied here: a block this test does not
know how to run fails it, so a command added to the README is a command added to this test.
The copy holds only the files git tracks (what a clone has), gets its own venv from the
Quickstart, and everything runs against the bundled Procore double and the local PostgreSQL.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import typing as t
import uuid
from pathlib import Path

import psycopg
import pytest
import yaml

from tests.conftest import REPO

pytestmark = pytest.mark.e2e

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}
# The port of the README's recipe (and of meltano.yml's `double` environment); the test runs the
# recipe on a free port instead, so that it never collides with a double a person started.
README_DOUBLE_PORT = 8765
DOUBLE_COMPANIES = "[5000000001, 5000000002, 5000000003]"


def readme_blocks() -> list[list[str]]:
    """Commands of every sh block, comments and blank lines dropped."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = []
    for body in re.findall(r"```(?:sh|bash|shell)\n(.*?)```", text, re.S):
        commands = [re.sub(r"\s+#\s.*$", "", line).strip() for line in body.splitlines()]
        blocks.append([command for command in commands if command])
    return blocks


def block_with(phrase: str) -> list[str]:
    found = [block for block in readme_blocks() if any(phrase in line for line in block)]
    assert len(found) == 1, f"expected one README sh block with {phrase!r}, found {len(found)}"
    return found[0]


KNOWN_BLOCKS = {
    "quickstart": "scripts/demo.py",
    "double": "--environment=double",
    "meltano setup": "meltano config set tap-procore client_id",
    "plan": "tap-procore-plan",
    "webhooks": "tap-procore-webhooks",
    "widen selection": "meltano select --rm --exclude",
}
# Inline commands the README shows but no test can run yet.
NOT_RUNNABLE = {
    # The Hub lists tap-procore only once its definition (plugin-definition.yml, checked against
    # the Hub's schema in tests/unit/test_hub_definition.py) is accepted there.
    "meltano add extractor tap-procore --variant singer-tap-procore",
}


def test_every_readme_sh_block_is_run_by_this_file():
    blocks = readme_blocks()
    assert blocks, "the README shows commands"
    for block in blocks:
        assert any(phrase in " ".join(block) for phrase in KNOWN_BLOCKS.values()), block


def test_inline_meltano_commands_appear_in_a_block_that_is_run():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    inline = set(re.findall(r"`(meltano [^`]+)`", text))
    run = " ".join(" ".join(block) for block in readme_blocks())
    # target-jsonl is what the Quickstart's demo runs (scripts/demo.py).
    for command in inline - {"meltano run tap-procore target-jsonl"} - NOT_RUNNABLE:
        assert command.split(" #")[0].strip() in run, command


def test_the_quickstart_test_command_is_what_ci_runs():
    quickstart = block_with(KNOWN_BLOCKS["quickstart"])
    ci = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    # As a command of its own (not in a comment, not part of a longer line).
    assert quickstart[-1] in ci, quickstart[-1]


# --- a fresh copy, set up by the Quickstart ------------------------------------------------------


def bash(script: str, cwd: Path, env: dict, timeout: float = 1200) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def clean_environment(clone: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TAP_PROCORE", "TARGET_", "MELTANO_", "VIRTUAL_ENV", "PYTHON"))
    }
    env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    # As a user whose venv is active: bare `meltano` and `tap-procore` are the clone's.
    env["PATH"] = f"{clone / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> t.Iterator[Path]:
    """The tracked files, as a fresh clone has them, after the Quickstart's first command."""
    root = tmp_path_factory.mktemp("clone") / "tap-procore"
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, tracked):
        source = REPO / name
        if source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    quickstart = block_with(KNOWN_BLOCKS["quickstart"])
    result = bash(quickstart[0], root, clean_environment(root))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"\d+ streams, \d+ rows, \d+ requests", result.stdout), result.stdout[-2000:]
    assert list((root / "output" / "demo").glob("*.jsonl"))
    yield root


def pg_query(sql: str, *params: t.Any) -> list[tuple]:
    with psycopg.connect(**PG, autocommit=True) as connection:
        cursor = connection.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def loaded_tables(schema: str) -> dict[str, int]:
    tables = [
        row[0]
        for row in pg_query(
            "select table_name from information_schema.tables where table_schema = %s", schema
        )
    ]
    return {table: pg_query(f'select count(*) from "{schema}"."{table}"')[0][0] for table in tables}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_double_recipe_lands_rows_in_postgres(clone):
    schema = f"readme_{uuid.uuid4().hex[:8]}"
    env = clean_environment(clone)
    # Only the target schema and the double's port differ from the README's run, so tests do
    # not share tables and do not bind the port a person's double may hold.
    env["TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA"] = schema
    port = free_port()
    env["TAP_PROCORE_API_URL"] = env["TAP_PROCORE_AUTH_URL"] = f"http://127.0.0.1:{port}"
    block = block_with(KNOWN_BLOCKS["double"])
    recipe = f"--port {README_DOUBLE_PORT} "
    assert sum(recipe in command for command in block) == 1, block
    script = "\n".join(block).replace(recipe, f"--port {port} ") + "\nkill %1\n"
    try:
        result = bash(script, clone, env)
        assert result.returncode == 0, result.stderr[-4000:]
        assert "Run summary:" in result.stderr
        tables = loaded_tables(schema)
        assert {"companies", "projects", "rfis", "submittals"} <= set(tables)
        assert tables["companies"] == 3 and tables["rfis"] > 2000
    finally:
        pg_query(f'drop schema if exists "{schema}" cascade')


@pytest.fixture
def double_on_loopback(clone) -> t.Iterator[str]:
    env = clean_environment(clone)
    process = subprocess.Popen(
        [str(clone / ".venv" / "bin" / "python"), "-m", "procore_double", "--port", "0"],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    try:
        line = process.stdout.readline()
        url = line.strip().rpartition("=")[2]
        assert url.startswith("http://127.0.0.1:"), line
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()


def test_the_meltano_setup_commands_work_as_written(clone, double_on_loopback):
    schema = f"readme_{uuid.uuid4().hex[:8]}"
    env = clean_environment(clone)
    env.update(
        {
            "PROCORE_CLIENT_ID": "double-client-id",
            "PROCORE_CLIENT_SECRET": "double-client-secret",
            # Where a user's project says which account and streams; here, the double.
            "TAP_PROCORE_API_URL": double_on_loopback,
            "TAP_PROCORE_AUTH_URL": double_on_loopback,
            "TAP_PROCORE_COMPANY_IDS": DOUBLE_COMPANIES,
            "TAP_PROCORE__SELECT": json.dumps(["projects.*", "rfis.*", "submittals.*"]),
            "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema,
        }
    )
    dotenv = clone / ".env"
    dotenv.unlink(missing_ok=True)
    project_file = (clone / "meltano.yml").read_text()
    try:
        result = bash("\n".join(block_with(KNOWN_BLOCKS["meltano setup"])), clone, env)
        assert result.returncode == 0, result.stderr[-4000:]
        stored = dotenv.read_text()
        assert "TAP_PROCORE_CLIENT_ID" in stored and "double-client-secret" in stored
        assert (clone / "meltano.yml").read_text() == project_file  # secrets went to .env
        tables = loaded_tables(schema)
        assert set(tables) == {"projects", "rfis", "submittals"}
        assert all(count > 0 for count in tables.values())
    finally:
        dotenv.unlink(missing_ok=True)
        pg_query(f'drop schema if exists "{schema}" cascade')


def test_the_plan_commands_work_as_written(clone, double_on_loopback):
    env = clean_environment(clone)
    config = {
        "client_id": "double-client-id",
        "client_secret": "double-client-secret",
        "api_url": double_on_loopback,
        "auth_url": double_on_loopback,
        "company_ids": json.loads(DOUBLE_COMPANIES),
        "start_date": "2024-01-01T00:00:00Z",
    }
    (clone / "config.json").write_text(json.dumps(config))
    env.update(
        {
            "TAP_PROCORE_API_URL": double_on_loopback,
            "TAP_PROCORE_AUTH_URL": double_on_loopback,
            "TAP_PROCORE_CLIENT_ID": "double-client-id",
            "TAP_PROCORE_CLIENT_SECRET": "double-client-secret",
        }
    )
    try:
        for command in block_with(KNOWN_BLOCKS["plan"]):
            result = bash(command, clone, env)
            assert result.returncode == 0, (command, result.stderr[-3000:])
            if "plan" in command:
                assert re.search(r"total \(estimate\)\s+\d+", result.stdout), result.stdout
                assert "This plan used" in result.stdout
        assert json.loads((clone / "catalog.json").read_text())["streams"]
    finally:
        (clone / "config.json").unlink(missing_ok=True)
        (clone / "catalog.json").unlink(missing_ok=True)


def test_the_change_feed_commands_work_as_written(clone, double_on_loopback):
    env = clean_environment(clone)
    config = {
        "client_id": "double-client-id",
        "client_secret": "double-client-secret",
        "api_url": double_on_loopback,
        "auth_url": double_on_loopback,
        "company_ids": json.loads(DOUBLE_COMPANIES),
    }
    (clone / "config.json").write_text(json.dumps(config))
    env.update(
        {
            "TAP_PROCORE_API_URL": double_on_loopback,
            "TAP_PROCORE_AUTH_URL": double_on_loopback,
            "TAP_PROCORE_CLIENT_ID": "double-client-id",
            "TAP_PROCORE_CLIENT_SECRET": "double-client-secret",
            "TAP_PROCORE_COMPANY_IDS": DOUBLE_COMPANIES,
        }
    )
    project_file = (clone / "meltano.yml").read_text()
    try:
        outputs = []
        for command in block_with(KNOWN_BLOCKS["webhooks"]):
            result = bash(command, clone, env)
            assert result.returncode == 0, (command, result.stderr[-3000:])
            outputs.append(result.stdout)
        dry_run, setup, status = outputs[:3]
        assert "would create a company-level hook" in dry_run
        assert "creating a company-level hook" in setup
        assert re.search(r"company 5000000001: hook \d+ in namespace 'tap-procore', active", status)
        assert "covered by the feed" in status
        assert "change_feed: true" in (clone / "meltano.yml").read_text()
    finally:
        (clone / "meltano.yml").write_text(project_file)
        (clone / "config.json").unlink(missing_ok=True)


def test_widening_the_selection_keeps_the_generated_rules(clone):
    env = clean_environment(clone)
    project_file = (clone / "meltano.yml").read_text()
    rules = _select_rules(project_file)
    assert "!budget_line_items.*" in rules
    try:
        for command in block_with(KNOWN_BLOCKS["widen selection"]):
            result = bash(command, clone, env)
            assert result.returncode == 0, (command, result.stderr[-3000:])
        widened = _select_rules((clone / "meltano.yml").read_text())
        assert widened == [rule for rule in rules if rule != "!budget_line_items.*"]
    finally:
        (clone / "meltano.yml").write_text(project_file)


def _select_rules(project_file: str) -> list[str]:
    (extractor,) = yaml.safe_load(project_file)["plugins"]["extractors"]
    return list(extractor["select"])
