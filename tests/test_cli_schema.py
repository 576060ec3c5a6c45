"""`lambda-agent-api schema`, and the command line's conventions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from lambda_agent_api.cli import main
from lambda_agent_api.schemas import (
    BASE_URI,
    asyncapi_document,
    bundle_document,
    schema,
    schema_paths,
)

ROOT = Path(__file__).resolve().parent.parent


def test_lists_every_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out.split() == schema_paths()


@pytest.mark.parametrize("name", ["STATUS", "status", "Status", "server/status.json"])
def test_prints_one_schema_by_type_in_any_case_or_path(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", name]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "MsgStatus"


def test_bundle_is_self_contained(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--bundle", "server_message.json"]) == 0
    bundled = json.loads(capsys.readouterr().out)
    assert bundled["$ref"] == "#/$defs/ServerMessage"
    assert "$defs" in bundled
    assert "server/status.json" not in json.dumps(bundled)


def test_bundle_without_a_name_prints_the_whole_bundle(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--bundle"]) == 0
    bundled = json.loads(capsys.readouterr().out)
    assert bundled == bundle_document()
    assert bundled["$id"] == BASE_URI + "bundle.json"
    titles = {schema(path)["title"] for path in schema_paths()}
    assert set(bundled["$defs"]) == titles
    Draft202012Validator.check_schema(bundled)


@pytest.mark.parametrize("name", ["asyncapi", "asyncapi.yaml", "AsyncAPI"])
def test_prints_the_asyncapi_document(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", name]) == 0
    out = capsys.readouterr().out
    assert out == asyncapi_document()
    document = yaml.safe_load(out)
    assert document["asyncapi"] == "3.1.0"
    published = (ROOT / "schema" / "v1.1" / "asyncapi.yaml").read_text(encoding="utf-8")
    # The package's copy is the published file, under a "generated" note.
    assert out.endswith(published)
    assert "Do not edit" in out.splitlines()[0]


def test_asyncapi_with_bundle_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--bundle", "asyncapi"]) == 2
    assert "--bundle is for JSON Schema" in capsys.readouterr().err


def test_unknown_schema_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "NOPE"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no schema 'NOPE'" in err


def test_installed_entry_point_and_module_run() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lambda_agent_api", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.startswith("lambda-agent-api ")
