"""The Singer SDK's built-in tap tests, offline against the Procore double, over every stream."""

from __future__ import annotations

import atexit

from singer_sdk.testing import SuiteConfig, get_tap_test_class

from procore_double import spawn_double
from tap_procore.tap import TapProcore
from tests.conftest import base_config, discover, seed_company_webhooks

# The suite's fixtures read the config when the class is built, so the double starts now.
_DOUBLE = spawn_double(
    hourly_limit=10**9,
    spike_limit=10**9,
    companies=2,
    projects_per_company=2,
    big_lists=[],
)
atexit.register(_DOUBLE.stop)
seed_company_webhooks(_DOUBLE.url, [5000000001, 5000000002])


def _everything_selected() -> dict:
    """Every stream and every property, including the opt-in streams (selected_by_default
    False), so that the suite checks them too."""
    catalog = discover()
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            item["metadata"]["selected"] = True
    return catalog


TestTapProcore = get_tap_test_class(
    TapProcore,
    config=base_config(_DOUBLE.url, [5000000001, 5000000002]),
    parse_env_config=False,
    catalog=_everything_selected(),
    suite_config=SuiteConfig(max_records_limit=5),
)
