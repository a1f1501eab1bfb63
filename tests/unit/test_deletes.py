"""When a recycle-bin record was deleted, as well as the record says (tap_procore/deletes.py)."""

from __future__ import annotations

import pytest

from tap_procore.deletes import deleted_at_of


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            {"deleted_at": "2026-11-14T16:26:46Z", "updated_at": "2026-11-20T00:00:00Z"},
            "2026-11-14T16:26:46Z",
        ),
        # A recycle bin whose schema does not list deleted_at keeps it among the extra fields.
        (
            {"_procore_extra": {"deleted_at": "2026-11-14T16:26:46Z"}, "updated_at": None},
            "2026-11-14T16:26:46Z",
        ),
        ({"deleted_at": "2026-11-14T18:26:46+02:00"}, "2026-11-14T16:26:46Z"),
        (
            {"deleted_at": "not a time", "updated_at": "2026-11-20T00:00:00Z"},
            "2026-11-20T00:00:00Z",
        ),
        ({"deleted_at": None, "_procore_extra": {"deleted_at": 7}}, None),
        ({"_procore_extra": "text"}, None),
    ],
)
def test_the_records_own_deletion_time_comes_first(record, expected):
    assert deleted_at_of(record) == expected
