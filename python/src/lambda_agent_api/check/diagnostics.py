"""What a check finds: located diagnostics, and a summary counted per rule."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from lambda_agent_api.capture.format import Connection
from lambda_agent_api.protocol.rules import RULES, Rule, Severity

__all__ = ["Diagnostic", "Summary", "ValidationResult"]


@dataclass(frozen=True)
class Diagnostic:
    """One finding, located: which rule, what happened, and where."""

    rule: Rule
    """The broken rule (its ``id``, ``severity``, ``url``...)."""
    message: str
    """A sentence saying what happened."""
    connection: Connection
    """The connection, which knows its source file."""
    frame: int | None
    """The frame's index in its connection, from 0; None for a record that is not a frame,
    and at the end of the connection."""
    position: int | None
    """The frame's or record's line (from 1) or HAR message index; None at the end."""
    type: str | None = None
    """The message's ``type``, when it has one."""
    pointer: str | None = None
    """A JSON pointer into the message (``/tokens_used``), for S001 and W rules."""
    keyword: str | None = None
    """The JSON Schema keyword that failed (``required``, ``type``...), for S001."""

    @property
    def severity(self) -> Severity:
        """The rule's severity."""
        return self.rule.severity

    @property
    def where(self) -> str:
        """Where it is in its source: ``line 7``, a HAR message's path, or ``end of connection``."""
        if self.position is None:
            return "end of connection"
        return self.connection.where(self.position)

    def to_dict(self) -> dict[str, Any]:
        """Return the diagnostic as JSON-ready data (the shape of ``validate --format json``)."""
        connection = self.connection
        return {
            "kind": "finding",
            "rule": self.rule.id,
            "name": self.rule.name,
            "severity": self.rule.severity.value,
            "message": self.message,
            "source": connection.source,
            "connection": connection.id,
            "connection_url": connection.url,
            "frame": self.frame,
            "line": None if connection.entry is not None else self.position,
            "entry": connection.entry,
            "entry_message": self.position if connection.entry is not None else None,
            "type": self.type,
            "pointer": self.pointer,
            "keyword": self.keyword,
            "docs": self.rule.url,
        }


@dataclass
class Summary:
    """What a check saw: frames, connections, and findings counted per rule."""

    frames: int = 0
    """Frames checked."""
    connections: int = 0
    """Connections seen (with at least one frame)."""
    records_skipped: int = 0
    """Records that were not frames in their format (each reported as C001)."""
    counts: Counter[str] = field(default_factory=Counter)
    """How many findings each rule id had."""

    @property
    def errors(self) -> int:
        """Findings of error rules."""
        return sum(n for r, n in self.counts.items() if RULES[r].severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        """Findings of warning rules."""
        return sum(n for r, n in self.counts.items() if RULES[r].severity is Severity.WARNING)

    def failed(self, strict: bool = False) -> bool:
        """Whether the traffic fails the check (with ``strict``, warnings fail it too)."""
        return bool(self.errors or (strict and self.warnings))


@dataclass(frozen=True)
class ValidationResult:
    """Everything :func:`validate` found."""

    diagnostics: list[Diagnostic]
    summary: Summary
