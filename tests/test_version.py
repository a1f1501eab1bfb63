"""`--version` of every command prints the installed distribution's version, which is the one
pyproject.toml declares (its single source)."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata

import pytest

from tests.conftest import REPO


def declared() -> str:
    found = re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(), re.M)
    assert found
    return found.group(1)


@pytest.mark.parametrize(
    ("module", "prog"),
    [
        ("tap_procore.tap", "tap-procore"),
        ("tap_procore.plan", "tap-procore-plan"),
        ("tap_procore.webhooks", "tap-procore-webhooks"),
    ],
)
def test_version_is_the_distributions(module, prog):
    result = subprocess.run(
        [sys.executable, "-m", module, "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    version = metadata.version("singer-tap-procore")
    assert version == declared()
    # The SDK's --version names itself too: "tap-procore v0.1.0, Meltano SDK v0.54.9".
    assert result.stdout.startswith(f"{prog} v{version}"), result.stdout
