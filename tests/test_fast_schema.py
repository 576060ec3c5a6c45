"""The validator translated from the schema: all of the schema, or a loud refusal; and light.

check.fast_schema turns the shipped JSON Schema into one pydantic-core
validator, for checking valid traffic fast (tests/test_fast_path.py holds it
to jsonschema's verdicts). What it cannot translate, it refuses to, and
``validate`` on valid traffic loads neither jsonschema, websockets nor asyncio.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.fixtures import FIXTURES
from support.strategies import TYPES

from lambda_agent_api.check.fast_schema import (
    UntranslatableSchema,
    _Translator,
    message_validator,
)
from lambda_agent_api.protocol import message_set
from lambda_agent_api.protocol.message_types import (
    CURRENT,
    message_schema_files,
    released_versions,
)


def test_every_released_schema_translates_with_every_message_type() -> None:
    for version in released_versions():
        message_validator("forbid", version)
        message_validator("allow", version)
        assert set(message_schema_files(version)) <= set(TYPES)
    assert sorted(message_schema_files()) == TYPES
    assert CURRENT == message_set.CURRENT  # the newest bundle is the current version


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "minLength": 1},
        {"type": "object", "additionalProperties": False},
        {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        {"const": 1},
        {"$ref": "#/$defs/x"},
    ],
)
def test_what_it_cannot_translate_is_refused_loudly(schema: dict[str, Any]) -> None:
    with pytest.raises(UntranslatableSchema):
        _Translator({}, "forbid").translate(schema, "https://example.com/x.json")


def test_validate_on_valid_traffic_loads_no_heavy_module() -> None:
    capture = FIXTURES / "conversations" / "valid" / "tool_calls.jsonl"
    program = (
        "import sys\n"
        "from lambda_agent_api.cli import main\n"
        f"code = main(['validate', '--format', 'json', {str(capture)!r}])\n"
        # pydantic is loaded (the transition table is keyed by the generated enums),
        # but no model is built per frame, and jsonschema only for a frame that fails.
        "heavy = ['jsonschema', 'websockets', 'asyncio']\n"
        "print([m for m in heavy if m in sys.modules], code, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert done.stderr.strip() == "[] 0"


def test_a_bad_frame_still_gets_the_precise_explanation(tmp_path: Path) -> None:
    capture = tmp_path / "bad.jsonl"
    capture.write_text('{"type": "STATUS"}\n{"type": "AGENT_EVENT_END", "tokens_used": "5"}\n')
    done = subprocess.run(
        [sys.executable, "-m", "lambda_agent_api", "validate", "--format", "json", str(capture)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(f["rule"], f.get("pointer")) for f in findings[:-1]] == [
        ("S001", "/tokens_used"),
        ("P003", None),
    ]
