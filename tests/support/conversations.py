"""Discovery of the conversation fixtures under tests/fixtures/conversations/.

Layout::

    tests/fixtures/conversations/valid/<what-it-shows>.{jsonl,har}
    tests/fixtures/conversations/invalid/<what-it-shows>.{jsonl,har}
    tests/fixtures/conversations/invalid/<what-it-shows>.expect.json

A capture is read with format detection, as the command reads it. A valid
capture has no finding at all, not even a warning. An invalid one lists every
finding it must cause, no more and no fewer::

    {"description": "...", "findings": [
        {"rule": "P003", "frame": 2},                   # the frame's index in its connection
        {"rule": "P007", "frame": null},                # at the end of the connection
        {"rule": "C001", "position": 4},                # a record that is not a frame: its line
        {"rule": "S001", "frame": 1, "pointer": "/text", "keyword": "type"},
        {"rule": "F004", "frame": 1, "connection": "entries[0]"}]}

``pointer`` is required for the findings that have one (S, W002, W003) and
``keyword`` for S001, ``connection`` for captures with several connections,
so that a fixture cannot pass for the wrong reason. Adding a fixture needs no
test code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambda_agent_api.capture import read_capture
from lambda_agent_api.check import Diagnostic, ValidationResult, validate
from support.fixtures import EXPECT_SUFFIX, FIXTURES

CONVERSATIONS = FIXTURES / "conversations"
SUFFIXES = (".jsonl", ".har")


@dataclass(frozen=True)
class ConversationFixture:
    path: Path
    valid: bool

    @property
    def id(self) -> str:
        return f"{'valid' if self.valid else 'invalid'}/{self.path.name}"

    @property
    def expect_path(self) -> Path:
        return self.path.with_name(self.path.stem + EXPECT_SUFFIX)

    def expected(self) -> list[dict[str, Any]]:
        data = json.loads(self.expect_path.read_text(encoding="utf-8"))
        return sorted(data["findings"], key=_order)

    def check(self) -> ValidationResult:
        with self.path.open("rb") as file:
            return validate(read_capture(file, self.path.name))


def canonical(diagnostic: Diagnostic, several_connections: bool) -> dict[str, Any]:
    """A finding as an expectation names it."""
    found: dict[str, Any] = {"rule": diagnostic.rule.id}
    if diagnostic.frame is None and diagnostic.position is not None:
        found["position"] = diagnostic.position
    else:
        found["frame"] = diagnostic.frame
    if diagnostic.pointer is not None:
        found["pointer"] = diagnostic.pointer
    if diagnostic.keyword is not None:
        found["keyword"] = diagnostic.keyword
    if several_connections:
        found["connection"] = diagnostic.connection.id
    return found


def canonical_findings(result: ValidationResult) -> list[dict[str, Any]]:
    several = result.summary.connections > 1
    return sorted((canonical(d, several) for d in result.diagnostics), key=_order)


def _order(finding: dict[str, Any]) -> str:
    return json.dumps(finding, sort_keys=True)


def conversation_fixtures(valid: bool | None = None) -> list[ConversationFixture]:
    found = []
    for kind in ("valid", "invalid"):
        for path in sorted((CONVERSATIONS / kind).iterdir()):
            if path.name.endswith(EXPECT_SUFFIX):
                continue
            if path.suffix not in SUFFIXES:
                raise AssertionError(f"{path}: a conversation fixture is .jsonl or .har")
            fixture = ConversationFixture(path, kind == "valid")
            if valid is None or fixture.valid == valid:
                found.append(fixture)
    return found
