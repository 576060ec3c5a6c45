"""The probe's checks as data: a stable id, a level, a sentence, and what each traces to.

Ids never change meaning and are never reused: expected-failure baselines,
``--only``/``--skip`` and CI reports refer to them. Levels are RFC 2119's:
a failed MUST fails the run, a failed SHOULD or MAY is reported only.
``rules`` names the validator rules (``lambda-agent-api rules``) whose
findings on the server's frames fail the check; ``docs`` is the docs page
and anchor that states the requirement.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from lambda_agent_api.protocol.rules import DOCS_URL

__all__ = ["CHECKS", "INVALID_MESSAGE_CODE", "Check", "Level", "check", "owner_of_rule"]

INVALID_MESSAGE_CODE: Final = "INVALID_MESSAGE"
"""The documented ``ERROR`` code for a client frame that is not a valid client message."""

_SITE: Final = DOCS_URL.removesuffix("rules/")


class Level(str, enum.Enum):
    """How binding a check is (RFC 2119): only a failed MUST fails the run."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


@dataclass(frozen=True)
class Check:
    """One requirement the probe checks on a live server."""

    id: str
    """A stable id, such as ``status-first``."""
    level: Level
    """MUST, SHOULD or MAY."""
    sentence: str
    """The requirement, as one sentence."""
    docs: str
    """The docs page and anchor stating it, such as ``protocol/connection.md#busy-chats``."""
    rules: tuple[str, ...] = ()
    """The validator rules whose findings on the server's frames fail it."""

    @property
    def url(self) -> str:
        """The requirement's section on the docs site."""
        page, _, anchor = self.docs.partition("#")
        path = page.removesuffix(".md") + "/"
        return f"{_SITE}{path}" + (f"#{anchor}" if anchor else "")


_MUST, _SHOULD, _MAY = Level.MUST, Level.SHOULD, Level.MAY

CHECKS: Final[dict[str, Check]] = {
    c.id: c
    for c in [
        Check(
            "handshake-path",
            _MUST,
            "The server accepts a WebSocket handshake at {base_url}v1/agent_ws/{chat_id}/.",
            "protocol/connection.md#the-url",
        ),
        Check(
            "status-first",
            _MUST,
            "The server's first frame is STATUS, sent within 5 seconds of the handshake, "
            "with no frame before it.",
            "protocol/connection.md#the-handshake",
            ("P001",),
        ),
        Check(
            "frames-valid",
            _MUST,
            "Every frame the server sends is a UTF-8 JSON text frame holding a valid server "
            "message of its type.",
            "rules.md#s001",
            ("F001", "F002", "F003", "F004", "S001", "P008"),
        ),
        Check(
            "response-ends",
            _MUST,
            "A USER_MESSAGE gets agent events that end with exactly one AGENT_EVENT_END or ERROR, "
            "and nothing of the response follows its end.",
            "protocol/responses.md#the-lifecycle-of-a-response",
            ("P003", "P007"),
        ),
        Check(
            "tokens-used",
            _MUST,
            "AGENT_EVENT_END carries tokens_used, a non-negative integer.",
            "reference/server/agent_event_end.md",
        ),
        Check(
            "tool-call-json",
            _MUST,
            "A tool call's first chunk names the tool, its args_chunk pieces join into valid "
            "JSON, and a tool result names a tool called in the response.",
            "protocol/responses.md#tool-calls",
            ("T001", "T002", "T003"),
        ),
        Check(
            "extra-fields-tolerated",
            _MUST,
            "A USER_MESSAGE with a field the protocol does not define is answered like any other.",
            "protocol/responses.md#newer-servers-unknown-types-and-fields",
        ),
        Check(
            "attachments-accepted",
            _MUST,
            "A USER_MESSAGE with attachments is read as a message and answered (an ERROR about "
            "the files themselves is an answer).",
            "protocol/files.md#attachments-files-the-user-gives-the-agent",
        ),
        Check(
            "invalid-message-error",
            _MUST,
            "An invalid client message (not JSON, a server message type, a USER_MESSAGE without "
            "text) is answered with ERROR.",
            "protocol/errors.md#invalid-client-messages",
        ),
        Check(
            "invalid-message-code",
            _SHOULD,
            f"The ERROR answering an invalid client message has the code {INVALID_MESSAGE_CODE}.",
            "protocol/errors.md#invalid-client-messages",
        ),
        Check(
            "invalid-message-usable",
            _MUST,
            "After invalid client messages the connection stays open, and the next valid "
            "USER_MESSAGE is answered.",
            "protocol/errors.md#invalid-client-messages",
        ),
        Check(
            "busy-refused",
            _MUST,
            "A second connection to a chat that another client holds is refused: HTTP 403 during "
            "the handshake, or close code 1008.",
            "protocol/connection.md#busy-chats",
        ),
        Check(
            "message-in-flight",
            _MAY,
            "A second USER_MESSAGE while a response is in flight: what the server does (answers "
            "both, refuses with ERROR, ignores it, closes) is reported.",
            "protocol/responses.md#one-request-at-a-time",
        ),
        Check(
            "ping-answered",
            _MUST,
            "The server answers a WebSocket ping with a pong.",
            "protocol/connection.md#keep-alive",
        ),
        Check(
            "idle-tolerated",
            _SHOULD,
            "A connection left idle for a while (--idle seconds, without pings) stays open and "
            "the next USER_MESSAGE is answered.",
            "protocol/connection.md#keep-alive",
        ),
        Check(
            "close-answered",
            _MUST,
            "When the client closes the connection with code 1000, the server answers with a "
            "close frame of code 1000.",
            "protocol/connection.md#close-codes",
        ),
        Check(
            "graceful-disconnect-close",
            _MUST,
            "GRACEFUL_DISCONNECT is the server's last frame, sent between responses, and the "
            "connection then closes.",
            "protocol/errors.md#graceful-disconnect",
            ("P005", "P006"),
        ),
        Check(
            "frames-clean",
            _SHOULD,
            "The server's frames raise no validator warning: no unknown message type or field, "
            "no unsafe path, no repeated STATUS.",
            "rules.md#w001",
            ("W001", "W002", "W003", "P009"),
        ),
    ]
}
"""Every check, by id, in the order reports list them."""

_OWNER: Final[dict[str, str]] = {rule: c.id for c in CHECKS.values() for rule in c.rules}


def check(id_: str) -> Check:
    """Return the check with this id.

    Raises:
        KeyError: no check has this id.
    """
    return CHECKS[id_]


def owner_of_rule(rule_id: str) -> str | None:
    """Return the id of the check that a finding of this validator rule fails, if any."""
    return _OWNER.get(rule_id)
