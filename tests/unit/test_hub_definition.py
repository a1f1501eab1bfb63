"""plugin-definition.yml passes Meltano Hub's own schema for extractors.

The schemas are copies of the Hub's (tests/hub_schema/SOURCE.md names the repository, paths and
commit), loaded the way the Hub's validator loads them: every file under its `$id`, Draft 7.
"""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tap_procore.tap import TapProcore
from tests.conftest import REPO

HUB_SCHEMAS = Path(__file__).resolve().parent.parent / "hub_schema"


def hub_validator() -> Draft7Validator:
    resources = []
    for path in sorted(HUB_SCHEMAS.glob("*/*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append(
            (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7))
        )
    extractors = json.loads(
        (HUB_SCHEMAS / "plugin_definitions" / "extractors.schema.json").read_text(encoding="utf-8")
    )
    return Draft7Validator(extractors, registry=Registry().with_resources(resources))


def definition() -> dict[str, t.Any]:
    return yaml.safe_load((REPO / "plugin-definition.yml").read_text(encoding="utf-8"))


def problems(document: dict[str, t.Any]) -> list[str]:
    return sorted(
        f"{'/'.join(str(part) for part in error.absolute_path) or '(top)'}: {error.message}"
        for error in hub_validator().iter_errors(document)
    )


def test_plugin_definition_passes_the_hubs_extractor_schema():
    assert problems(definition()) == []


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"quality": None}, "'quality' is a required property"),
        ({"settings_prose": "x"}, "Additional properties are not allowed"),
        ({"capabilities": ["catalog", "incremental"]}, "'incremental' is not one of"),
        ({"settings": [{"name": "x", "kind": "text"}]}, "'text' is not one of"),
    ],
)
def test_the_hub_schema_rejects_what_the_hub_rejects(change, complaint):
    """The copied schemas are complete enough to fail: a key the Hub does not know, a missing
    required key, an unknown capability or setting kind."""
    document = {**definition(), **change}
    document = {key: value for key, value in document.items() if value is not None}
    assert any(complaint in problem for problem in problems(document)), problems(document)


def test_the_definition_claims_the_pythons_the_package_claims():
    classifiers = TapProcore.get_supported_python_versions()
    assert classifiers, "pyproject.toml lists Programming Language :: Python :: 3.x classifiers"
    assert definition()["supported_python_versions"] == classifiers


def test_the_definition_and_the_projects_meltano_yml_offer_the_same_commands():
    meltano_yml = yaml.safe_load((REPO / "meltano.yml").read_text(encoding="utf-8"))
    (extractor,) = meltano_yml["plugins"]["extractors"]
    assert definition()["commands"] == extractor["commands"]
