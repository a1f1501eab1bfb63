"""field_productivity streams."""

from __future__ import annotations
