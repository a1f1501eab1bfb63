"""Bad settings and unusable input files, from the command line: one line, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

GOOD = {"client_id": "id", "client_secret": "secret-value", "company_ids": [1]}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"client_id": "x", "company_ids": [1]}, "client_secret"),
        ({**GOOD, "company_ids": "5"}, "company_ids"),
        ({**GOOD, "api_url": "http://10.0.0.1"}, "api_url"),
    ],
)
def test_cli_prints_one_line_and_no_traceback(tmp_path, config, expected):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    result = subprocess.run(
        [sys.executable, "-m", "tap_procore.tap", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, result.stderr
    assert f"'{expected}'" in errors[0]
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"config": None}, "was not found"),
        ({"config": "{not json"}, "not valid JSON"),
        ({"config": json.dumps(GOOD), "state": "[oops"}, "not valid JSON"),
    ],
)
def test_unreadable_input_files_give_one_line(tmp_path, files, expected):
    args = []
    for option, content in files.items():
        path = tmp_path / f"{option}.json"
        if content is not None:
            path.write_text(content)
        args += [f"--{option}", str(path)]
    result = subprocess.run(
        [sys.executable, "-m", "tap_procore.tap", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and expected in errors[0], result.stderr
