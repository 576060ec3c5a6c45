# Generated from schema/v1.1/ and codegen/state_machine.py by codegen/generate.py. Do not edit:
# change the schema or the generator, then run `nox -s codegen`.

"""The conversation's state machine as data: the legal transitions, what each wrong move breaks.

Generated from the schema's message types by ``codegen/state_machine.py``: edit that
(a rule of order) or the schema (a message), then run ``nox -s codegen``.
:mod:`lambda_agent_api.protocol.transitions` keys these tables by the message-type enums
and answers every question about them.
"""

from __future__ import annotations

import enum
from typing import Final

__all__ = ["END_OF_CONVERSATION", "STATE_DIAGRAM", "TRANSITIONS", "VIOLATIONS", "Role", "State"]


class Role(str, enum.Enum):
    """Who sends a message."""

    CLIENT = "client"
    SERVER = "server"


class State(str, enum.Enum):
    """Where a conversation stands."""

    CONNECTING = "CONNECTING"
    """Connected; the server has not sent STATUS yet."""
    IDLE = "IDLE"
    """Ready: no response is in flight."""
    RESPONDING = "RESPONDING"
    """A USER_MESSAGE was sent and its response has not ended."""
    CLOSED = "CLOSED"
    """The server sent GRACEFUL_DISCONNECT, or the conversation ended."""


END_OF_CONVERSATION: Final = "<end>"
"""A pseudo message type: the connection closed, or the capture ended."""

TRANSITIONS: Final[dict[Role, dict[State, dict[str, State]]]] = {
    Role.SERVER: {
        State.CONNECTING: {
            "STATUS": State.IDLE,
            "GRACEFUL_DISCONNECT": State.CLOSED,
            "<end>": State.CLOSED,
        },
        State.IDLE: {
            "ERROR": State.IDLE,
            "GRACEFUL_DISCONNECT": State.CLOSED,
            "<end>": State.CLOSED,
        },
        State.RESPONDING: {
            "AGENT_EVENT_TEXT_CHUNK": State.RESPONDING,
            "AGENT_EVENT_TOOL_CALL_CHUNK": State.RESPONDING,
            "AGENT_EVENT_TOOL_RESULT": State.RESPONDING,
            "AGENT_EVENT_CUSTOM_UPDATE": State.RESPONDING,
            "AGENT_EVENT_SEND_FILE": State.RESPONDING,
            "AGENT_EVENT_END": State.IDLE,
            "ERROR": State.IDLE,
        },
        State.CLOSED: {
            "<end>": State.CLOSED,
        },
    },
    Role.CLIENT: {
        State.CONNECTING: {
            "<end>": State.CLOSED,
        },
        State.IDLE: {
            "USER_MESSAGE": State.RESPONDING,
            "<end>": State.CLOSED,
        },
        State.RESPONDING: {},
        State.CLOSED: {
            "<end>": State.CLOSED,
        },
    },
}
"""Every legal transition: ``TRANSITIONS[role][state][message type] -> next state``."""

VIOLATIONS: Final[dict[tuple[Role, State, str], tuple[str, State]]] = {
    (Role.SERVER, State.CONNECTING, "ERROR"): ("P001", State.IDLE),
    (Role.SERVER, State.CONNECTING, "AGENT_EVENT_TEXT_CHUNK"): ("P001", State.IDLE),
    (Role.SERVER, State.CONNECTING, "AGENT_EVENT_TOOL_CALL_CHUNK"): ("P001", State.IDLE),
    (Role.SERVER, State.CONNECTING, "AGENT_EVENT_TOOL_RESULT"): ("P001", State.IDLE),
    (Role.SERVER, State.CONNECTING, "AGENT_EVENT_CUSTOM_UPDATE"): ("P001", State.IDLE),
    (Role.SERVER, State.CONNECTING, "AGENT_EVENT_SEND_FILE"): ("P001", State.IDLE),
    (Role.SERVER, State.CONNECTING, "AGENT_EVENT_END"): ("P001", State.IDLE),
    (Role.CLIENT, State.CONNECTING, "USER_MESSAGE"): ("P002", State.RESPONDING),
    (Role.SERVER, State.IDLE, "STATUS"): ("P009", State.IDLE),
    (Role.SERVER, State.IDLE, "AGENT_EVENT_TEXT_CHUNK"): ("P003", State.IDLE),
    (Role.SERVER, State.IDLE, "AGENT_EVENT_TOOL_CALL_CHUNK"): ("P003", State.IDLE),
    (Role.SERVER, State.IDLE, "AGENT_EVENT_TOOL_RESULT"): ("P003", State.IDLE),
    (Role.SERVER, State.IDLE, "AGENT_EVENT_CUSTOM_UPDATE"): ("P003", State.IDLE),
    (Role.SERVER, State.IDLE, "AGENT_EVENT_SEND_FILE"): ("P003", State.IDLE),
    (Role.SERVER, State.IDLE, "AGENT_EVENT_END"): ("P003", State.IDLE),
    (Role.SERVER, State.RESPONDING, "STATUS"): ("P009", State.RESPONDING),
    (Role.SERVER, State.RESPONDING, "GRACEFUL_DISCONNECT"): ("P006", State.CLOSED),
    (Role.SERVER, State.RESPONDING, "<end>"): ("P007", State.CLOSED),
    (Role.CLIENT, State.RESPONDING, "USER_MESSAGE"): ("P004", State.RESPONDING),
    (Role.CLIENT, State.RESPONDING, "<end>"): ("P007", State.CLOSED),
    (Role.SERVER, State.CLOSED, "STATUS"): ("P005", State.CLOSED),
    (Role.SERVER, State.CLOSED, "ERROR"): ("P005", State.CLOSED),
    (Role.SERVER, State.CLOSED, "GRACEFUL_DISCONNECT"): ("P005", State.CLOSED),
    (Role.SERVER, State.CLOSED, "AGENT_EVENT_TEXT_CHUNK"): ("P005", State.CLOSED),
    (Role.SERVER, State.CLOSED, "AGENT_EVENT_TOOL_CALL_CHUNK"): ("P005", State.CLOSED),
    (Role.SERVER, State.CLOSED, "AGENT_EVENT_TOOL_RESULT"): ("P005", State.CLOSED),
    (Role.SERVER, State.CLOSED, "AGENT_EVENT_CUSTOM_UPDATE"): ("P005", State.CLOSED),
    (Role.SERVER, State.CLOSED, "AGENT_EVENT_SEND_FILE"): ("P005", State.CLOSED),
    (Role.SERVER, State.CLOSED, "AGENT_EVENT_END"): ("P005", State.CLOSED),
    (Role.CLIENT, State.CLOSED, "USER_MESSAGE"): ("P005", State.CLOSED),
}
"""Every illegal (role, state, message type): the rule id it breaks, and the state to go on from."""

STATE_DIAGRAM: Final = """\
%%{init: {"flowchart": {"nodeSpacing": 30}, "themeVariables": {"fontSize": "14px"}}}%%
flowchart TD
    start(( )) --> CONNECTING
    CONNECTING -- "server: STATUS" --> IDLE
    CONNECTING -- "server:<br/>GRACEFUL_DISCONNECT" ---> CLOSED
    IDLE -- "server: ERROR" --> IDLE
    IDLE -- "server:<br/>GRACEFUL_DISCONNECT" ---> CLOSED
    IDLE -- "client:<br/>USER_MESSAGE" --> RESPONDING
    RESPONDING -- "server:<br/>agent events" --> RESPONDING
    RESPONDING -- "server:<br/>AGENT_EVENT_END<br/>or ERROR" ---> IDLE
    CLOSED --> stop((( )))
"""
"""The legal transitions as a Mermaid diagram (a flowchart), for the docs."""
