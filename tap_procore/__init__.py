"""tap-procore: a Singer tap for Procore, built on the Meltano Singer SDK."""

from __future__ import annotations

from importlib import metadata

#: The distribution on PyPI (the name tap-procore belongs to an abandoned 2021 project).
DISTRIBUTION = "singer-tap-procore"


def version() -> str:
    """The installed distribution's version: pyproject.toml's, its one source."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"
