"""Discovery of the shared fixtures under tests/fixtures/ (data shared by every check and language).

Layout::

    tests/fixtures/messages/<TYPE>/valid/<what-it-shows>.json
    tests/fixtures/messages/<TYPE>/invalid/<what-it-shows>.json
    tests/fixtures/messages/<TYPE>/invalid/<what-it-shows>.expect.json

An expectation lists every error JSON Schema reports, as ``keyword`` and
``instanceLocation`` (a JSON pointer into the instance), so a fixture cannot
pass for the wrong reason. Adding a fixture needs no test code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MESSAGES = FIXTURES / "messages"
EXPECT_SUFFIX = ".expect.json"


@dataclass(frozen=True)
class MessageFixture:
    """One message fixture: the message type it belongs to, and its data."""

    type: str
    valid: bool
    path: Path

    @property
    def id(self) -> str:
        return f"{self.type}/{'valid' if self.valid else 'invalid'}/{self.path.stem}"

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def instance(self) -> Any:
        return json.loads(self.text)

    @property
    def expect_path(self) -> Path:
        return self.path.with_name(self.path.stem + EXPECT_SUFFIX)

    def expected_errors(self) -> set[tuple[str, str]]:
        data = json.loads(self.expect_path.read_text(encoding="utf-8"))
        return {(e["keyword"], e["instanceLocation"]) for e in data["errors"]}


def message_fixtures(valid: bool | None = None) -> list[MessageFixture]:
    """Every message fixture, sorted; only valid or invalid ones if ``valid`` is given."""
    found = []
    for path in sorted(MESSAGES.glob("*/*/*.json")):
        if path.name.endswith(EXPECT_SUFFIX):
            continue
        kind = path.parent.name
        if kind not in ("valid", "invalid"):
            raise AssertionError(f"{path}: fixtures live in valid/ or invalid/, not {kind}/")
        fixture = MessageFixture(type=path.parent.parent.name, valid=kind == "valid", path=path)
        if valid is None or fixture.valid == valid:
            found.append(fixture)
    return found


def fixture_types() -> list[str]:
    """The message types that have a fixture directory."""
    return sorted(p.name for p in MESSAGES.iterdir() if p.is_dir())
