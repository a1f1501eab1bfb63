"""The README's YAML and JSON examples are what the tap accepts: the Meltano snippet (with its
commands and a loader), the config.json example and the catalog fragment that marks a stream.
Its sh blocks are run by tests/test_readme_commands.py."""

from __future__ import annotations

import json
import re
import typing as t
from importlib import metadata

import yaml

from tap_procore.config import CONFIG_SCHEMA, unknown_settings, validate_config
from tap_procore.streams import STREAM_TYPES
from tap_procore.tap import TapProcore
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def meltano_snippet() -> dict[str, t.Any]:
    (snippet,) = [block for block in blocks("yaml") if "name: tap-procore" in block]
    return yaml.safe_load(snippet)


def test_the_meltano_snippet_pins_this_release_and_offers_both_commands():
    (extractor,) = meltano_snippet()["plugins"]["extractors"]
    assert extractor["pip_url"] == f"singer-tap-procore=={metadata.version('singer-tap-procore')}"
    definition = yaml.safe_load((REPO / "plugin-definition.yml").read_text(encoding="utf-8"))
    assert {
        name: {key: command[key] for key in ("executable", "args")}
        for name, command in definition["commands"].items()
    } == extractor["commands"]
    assert set(extractor["capabilities"]) == {
        capability.value for capability in TapProcore.capabilities
    }
    settings = {setting["name"] for setting in extractor["settings"]}
    assert settings <= set(CONFIG_SCHEMA["properties"])
    assert set(extractor["config"]) <= settings
    names = {str(vars(stream)["name"]) for stream in STREAM_TYPES}
    assert {rule.split(".")[0] for rule in extractor["select"]} <= names


def test_the_meltano_snippet_has_a_loader_that_logs_warnings_only():
    (loader,) = meltano_snippet()["plugins"]["loaders"]
    assert loader["name"] == "target-postgres"
    assert loader["env"]["TARGET_POSTGRES_LOGLEVEL"] == "WARNING"
    assert (REPO / loader["env"]["SINGER_SDK_LOG_CONFIG"]).is_file()
    # The same as this repository's own meltano.yml, which the end-to-end tests run.
    project = yaml.safe_load((REPO / "meltano.yml").read_text(encoding="utf-8"))
    (own,) = [p for p in project["plugins"]["loaders"] if p["name"] == "target-postgres"]
    assert own["env"] == loader["env"]


def test_the_config_json_example_is_valid_and_has_no_unknown_setting():
    (example,) = [block for block in blocks("json") if "client_id" in block]
    config = json.loads(example)
    validate_config(config)
    assert unknown_settings(config, CONFIG_SCHEMA["properties"]) == []


def test_the_catalog_fragment_marks_a_stream_the_way_discovery_writes_it():
    (fragment,) = [block for block in blocks("json") if "breadcrumb" in block]
    marked = json.loads(fragment)
    (mark,) = marked["metadata"]
    assert mark["breadcrumb"] == [] and set(mark["metadata"]) == {"selected"}
    discovered = TapProcore(config={}, validate_config=False).catalog_dict["streams"]
    assert marked["tap_stream_id"] in {entry["tap_stream_id"] for entry in discovered}
    opt_in = next(stream.name for stream in STREAM_TYPES if not stream.selected_by_default)

    def selected(name: str, value: bool | None) -> bool:
        (entry,) = [e for e in discovered if e["tap_stream_id"] == name]
        entry = json.loads(json.dumps(entry))
        (stream_level,) = [item for item in entry["metadata"] if item["breadcrumb"] == []]
        assert "selected-by-default" in stream_level["metadata"]
        if value is not None:
            stream_level["metadata"]["selected"] = value
        tap = TapProcore(config={}, catalog={"streams": [entry]}, validate_config=False)
        return bool(tap.streams[name].selected)

    # Unmarked, a stream keeps its default; marked, it is what the mark says.
    assert selected(opt_in, None) is False and selected(opt_in, True) is True
    assert selected(marked["tap_stream_id"], None) is True
    assert selected(marked["tap_stream_id"], False) is False
