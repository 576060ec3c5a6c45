"""`lambda-agent-api schema`, and the command line's conventions."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lambda_agent_api.cli import main
from lambda_agent_api.schemas import schema_paths


def test_lists_every_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out.split() == schema_paths()


@pytest.mark.parametrize("name", ["STATUS", "server/status.json"])
def test_prints_one_schema_by_type_or_path(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", name]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "MsgStatus"


def test_bundle_is_self_contained(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--bundle", "server_message.json"]) == 0
    bundled = json.loads(capsys.readouterr().out)
    assert "$defs" in bundled
    assert "server/status.json" not in json.dumps(bundled)


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
