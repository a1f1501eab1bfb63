"""The SDK's private surface that tap_procore/sdk_private.py relies on is still there.

Each check fails with a line naming what changed, so that raising the SDK pin says what to look
at before anything else breaks in a subtler way.
"""

from __future__ import annotations

import inspect
import re
import typing as t

import pytest
import urllib3
from singer_sdk import Stream, Tap
from singer_sdk.helpers import _catalog
from singer_sdk.plugin_base import PluginBase
from singer_sdk.streams.rest import HTTPRequest, PageContext, RESTStream

from tap_procore import sdk_private
from tap_procore.sdk_private import STREAM_HOOKS, TAP_HOOKS, PrivateStreamHooks, PrivateTapHooks
from tap_procore.tap import TapProcore


def _parameters(function: t.Callable[..., t.Any]) -> tuple[str, ...]:
    """Parameter names, keyword-only ones marked with a leading `*`."""
    return tuple(
        f"*{name}" if parameter.kind is inspect.Parameter.KEYWORD_ONLY else name
        for name, parameter in inspect.signature(function).parameters.items()
    )


def _calls(owner: type, caller: str, name: str) -> bool:
    """Whether `owner.caller` calls (or hands over, as a signal handler) `self.name`."""
    return re.search(rf"\bself\.{name}\b", inspect.getsource(getattr(owner, caller))) is not None


@pytest.mark.parametrize("name", sorted(STREAM_HOOKS))
def test_stream_hook_exists_with_the_same_signature_and_is_called(name):
    parameters, caller = STREAM_HOOKS[name]
    assert name in vars(Stream), f"singer_sdk.Stream no longer defines {name}"
    assert _parameters(getattr(Stream, name)) == parameters, f"Stream.{name} changed signature"
    assert _calls(Stream, caller, name), f"Stream.{caller} no longer calls {name}"
    # Our override takes what the SDK passes.
    assert _parameters(getattr(PrivateStreamHooks, name)) == parameters


@pytest.mark.parametrize("name", sorted(TAP_HOOKS))
def test_tap_hook_exists_with_the_same_signature_and_is_called(name):
    parameters, caller = TAP_HOOKS[name]
    owner = PluginBase
    assert hasattr(Tap, name), f"singer_sdk.Tap no longer has {name}"
    assert _parameters(getattr(Tap, name)) == parameters, f"Tap.{name} changed signature"
    assert _calls(owner, caller, name), f"PluginBase.{caller} no longer calls {name}"
    assert _parameters(getattr(PrivateTapHooks, name)) == parameters


def test_environment_settings_are_read_through_the_class_properties_we_replace():
    init = inspect.getsource(PluginBase.__init__)
    assert "self._env_var_config" in init, "the SDK no longer reads _env_var_config"
    assert "_env_var_prefix" in vars(PluginBase), "PluginBase._env_var_prefix is gone"
    assert TapProcore._env_var_prefix == "TAP_PROCORE_"  # a class property, from the name
    assert isinstance(vars(PrivateTapHooks)["_env_var_config"], sdk_private._ClassProperty)


def test_deselection_helper_keeps_its_signature():
    parameters = _parameters(_catalog.pop_deselected_record_properties)
    assert parameters == ("record", "schema", "mask", "breadcrumb")


def test_stream_version_is_still_an_attribute_set_by_the_stream():
    source = inspect.getsource(Stream.__init__)
    assert "self._stream_version" in source


def test_sync_all_is_still_the_tap_s_whole_sync():
    # TapProcore.sync_all extends it (it is @final) to complete the sweep afterwards.
    assert _parameters(Tap.sync_all) == ("self",)
    assert "stream.sync()" in inspect.getsource(Tap.sync_all)


def test_public_request_building_used_instead_of_private_helpers():
    assert _parameters(RESTStream.get_http_request) == ("self", "*page")
    assert {"stream_context", "next_page_token"} <= set(inspect.signature(PageContext).parameters)
    assert callable(HTTPRequest.encode_params)


def test_urllib3_connection_pool_still_hands_out_connections_through_get_conn():
    pool = urllib3.HTTPConnectionPool
    assert _parameters(pool._get_conn) == ("self", "timeout")
    assert "self._get_conn(" in inspect.getsource(pool.urlopen)
