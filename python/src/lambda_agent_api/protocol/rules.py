"""Every rule the package checks traffic against, each with a stable id.

Ids never change meaning and are never reused: reports, configurations and
the docs (``docs/rules.md`` lists them) refer to them. The letter says what
a rule looks at:

- ``F``: the frame itself (UTF-8, JSON, an object);
- ``S``: the message against its JSON Schema;
- ``P``: the order of messages in a conversation (failed lookups in
  :data:`lambda_agent_api.protocol.transitions.TRANSITIONS`);
- ``T``: tool calls within a response;
- ``W``: things that are valid but deserve a look (warnings);
- ``C``: the capture file itself (a record that is not in its format).

This module uses the standard library only: ``codegen/`` loads it by path to write
``docs/rules.md`` without importing the package.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

__all__ = ["DOCS_URL", "RULES", "Rule", "Severity", "rule"]

DOCS_URL: Final = "https://agent-api.lambda.coredump.ru/rules/"
"""The docs page that explains every rule; each rule has an anchor there."""


class Severity(str, enum.Enum):
    """How bad a finding is: errors make the validator fail, warnings only with ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """One checked rule: a stable ``id``, a ``name``, a ``severity`` and a one-line ``summary``."""

    id: str
    name: str
    severity: Severity
    summary: str

    @property
    def url(self) -> str:
        """The rule's section in the docs."""
        return f"{DOCS_URL}#{self.id.lower()}"


_ERROR = Severity.ERROR
_WARNING = Severity.WARNING

RULES: Final[dict[str, Rule]] = {
    r.id: r
    for r in [
        Rule("F001", "invalid-utf8", _ERROR, "A text frame is not valid UTF-8."),
        Rule("F002", "invalid-json", _ERROR, "A text frame is not JSON."),
        Rule("F003", "not-an-object", _ERROR, "A frame's JSON is not an object."),
        Rule("F004", "binary-frame", _ERROR, "A binary frame: the protocol sends only JSON text."),
        Rule(
            "F005",
            "duplicate-key",
            _ERROR,
            "An object in a frame has the same key twice: parsers disagree on which value "
            "counts (Python's and pydantic's keep the last, others the first).",
        ),
        Rule(
            "F006",
            "limit-exceeded",
            _ERROR,
            "A frame goes beyond an input limit (its size, or the digits of an integer; "
            "see the Limits page) and was not checked further.",
        ),
        Rule("S001", "schema-violation", _ERROR, "A message breaks its JSON Schema."),
        Rule("P001", "first-frame-not-status", _ERROR, "The server's first frame is not STATUS."),
        Rule(
            "P002",
            "message-before-status",
            _ERROR,
            "The client sent a message before the server's STATUS.",
        ),
        Rule(
            "P003",
            "event-outside-response",
            _ERROR,
            "An agent event arrived while no response was in flight.",
        ),
        Rule(
            "P004",
            "message-during-response",
            _ERROR,
            "The client sent USER_MESSAGE while a response was still in flight.",
        ),
        Rule(
            "P005",
            "frame-after-graceful-disconnect",
            _ERROR,
            "A frame followed GRACEFUL_DISCONNECT, after which nothing may be sent.",
        ),
        Rule(
            "P006",
            "response-interrupted",
            _ERROR,
            "GRACEFUL_DISCONNECT arrived while a response was in flight: "
            "it never ended with AGENT_EVENT_END or ERROR.",
        ),
        Rule(
            "P007",
            "unterminated-response",
            _ERROR,
            "The conversation ends while a response is in flight (no AGENT_EVENT_END or ERROR).",
        ),
        Rule(
            "P008",
            "wrong-direction",
            _ERROR,
            "A message was sent in the wrong direction (a server message from the client, "
            "or the reverse).",
        ),
        Rule("P009", "repeated-status", _WARNING, "STATUS was sent again after the first one."),
        Rule(
            "T001",
            "tool-call-without-name",
            _ERROR,
            "The first AGENT_EVENT_TOOL_CALL_CHUNK of a call does not name the tool.",
        ),
        Rule(
            "T002",
            "tool-arguments-not-json",
            _ERROR,
            "The args_chunk pieces of a tool call do not join into valid JSON.",
        ),
        Rule(
            "T003",
            "tool-result-without-call",
            _ERROR,
            "An AGENT_EVENT_TOOL_RESULT names a tool that no call in this response used.",
        ),
        Rule("W001", "unknown-message-type", _WARNING, "A message's type is not in protocol v1.1."),
        Rule(
            "W002",
            "unknown-field",
            _WARNING,
            "A message has a field protocol v1.1 does not define.",
        ),
        Rule(
            "W003",
            "unsafe-path",
            _WARNING,
            "A path in attachments or AGENT_EVENT_SEND_FILE is absolute, has a '..' segment, "
            "is a URL (file:///etc/passwd), starts with ~ or has surrounding whitespace; "
            "paths are relative to /workspace.",
        ),
        Rule(
            "C001",
            "unreadable-record",
            _ERROR,
            "A record of the capture (a line of JSON Lines, a message of a HAR entry) is not "
            "in the capture's format, so the frame it holds, if any, was not checked.",
        ),
        Rule(
            "C002",
            "websocket-error-recorded",
            _WARNING,
            "The capture records a WebSocket error (a HAR message of type error).",
        ),
    ]
}
"""Every rule, by id."""


def rule(id_: str) -> Rule:
    """Return the rule with this id.

    Raises:
        KeyError: no rule has this id.
    """
    return RULES[id_]
