"""The protocol's ordering rules as data: one table of every legal transition.

``TRANSITIONS[role][state][message type]`` is the state a conversation moves
to when ``role`` sends that message in ``state``. A message that is not in the
table is a protocol violation: :data:`VIOLATIONS` names the rule it breaks.
The docs' state diagram is drawn from this table, so the two cannot drift.

One conversation is one WebSocket connection. Both sides share its state::

    CONNECTING --STATUS--> IDLE --USER_MESSAGE--> RESPONDING --AGENT_EVENT_END/ERROR--> IDLE
    any state --GRACEFUL_DISCONNECT (server)--> CLOSED
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

from lambda_agent_api.protocol.message_types import AGENT_EVENT_TYPES, CLIENT_TYPES, SERVER_TYPES

__all__ = [
    "END_OF_CONVERSATION",
    "TRANSITIONS",
    "VIOLATIONS",
    "Role",
    "State",
    "mermaid_state_diagram",
    "role_of",
]


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

# The types are plain strings, checked against the schema below: the table loads no models.
_STATUS, _ERROR, _DISCONNECT, _END = "STATUS", "ERROR", "GRACEFUL_DISCONNECT", "AGENT_EVENT_END"
_USER_MESSAGE = "USER_MESSAGE"
# The events of a response that leave it in flight: every agent event of the schema but its end.
_EVENTS = [t for t in AGENT_EVENT_TYPES if t != _END]

TRANSITIONS: Final[Mapping[Role, Mapping[State, Mapping[str, State]]]] = {
    Role.SERVER: {
        State.CONNECTING: {
            _STATUS: State.IDLE,
            _DISCONNECT: State.CLOSED,
            END_OF_CONVERSATION: State.CLOSED,
        },
        State.IDLE: {
            # An ERROR outside a response reports a failure of the agent itself.
            _ERROR: State.IDLE,
            _DISCONNECT: State.CLOSED,
            END_OF_CONVERSATION: State.CLOSED,
        },
        State.RESPONDING: {
            **dict.fromkeys(_EVENTS, State.RESPONDING),
            _END: State.IDLE,
            _ERROR: State.IDLE,
        },
        State.CLOSED: {END_OF_CONVERSATION: State.CLOSED},
    },
    Role.CLIENT: {
        State.CONNECTING: {END_OF_CONVERSATION: State.CLOSED},
        State.IDLE: {_USER_MESSAGE: State.RESPONDING, END_OF_CONVERSATION: State.CLOSED},
        State.RESPONDING: {},
        State.CLOSED: {END_OF_CONVERSATION: State.CLOSED},
    },
}
"""Every legal transition: ``TRANSITIONS[role][state][message type] -> next state``."""


def _violations() -> dict[tuple[Role, State, str], tuple[str, State]]:
    # What a failed lookup means, and where the conversation goes on from, so
    # that one mistake is reported once rather than cascading.
    table: dict[tuple[Role, State, str], tuple[str, State]] = {}
    server_types = list(SERVER_TYPES)
    for state in State:
        for type_ in [*server_types, END_OF_CONVERSATION]:
            if type_ in TRANSITIONS[Role.SERVER][state]:
                continue
            if state is State.CLOSED:
                table[Role.SERVER, state, type_] = ("P005", State.CLOSED)
            elif type_ == END_OF_CONVERSATION:
                table[Role.SERVER, state, type_] = ("P007", State.CLOSED)
            elif state is State.CONNECTING:
                # The STATUS never came: carry on as if it had.
                after = TRANSITIONS[Role.SERVER][State.IDLE].get(type_, State.IDLE)
                table[Role.SERVER, state, type_] = ("P001", after)
            elif type_ == _STATUS:
                table[Role.SERVER, state, type_] = ("P009", state)
            elif type_ == _DISCONNECT:
                table[Role.SERVER, state, type_] = ("P006", State.CLOSED)
            else:  # an agent event, or AGENT_EVENT_END, with no response in flight
                table[Role.SERVER, state, type_] = ("P003", state)
        for type_ in [*CLIENT_TYPES, END_OF_CONVERSATION]:
            if type_ in TRANSITIONS[Role.CLIENT][state]:
                continue
            if state is State.CLOSED:
                table[Role.CLIENT, state, type_] = ("P005", State.CLOSED)
            elif type_ == END_OF_CONVERSATION:
                table[Role.CLIENT, state, type_] = ("P007", State.CLOSED)
            elif state is State.CONNECTING:
                table[Role.CLIENT, state, type_] = ("P002", State.RESPONDING)
            else:
                table[Role.CLIENT, state, type_] = ("P004", State.RESPONDING)
    return table


_ROLES: Final[Mapping[str, Role]] = {
    **dict.fromkeys(SERVER_TYPES, Role.SERVER),
    **dict.fromkeys(CLIENT_TYPES, Role.CLIENT),
}
_unknown = {t for moves in TRANSITIONS.values() for m in moves.values() for t in m} - {
    *_ROLES,
    END_OF_CONVERSATION,
}
if _unknown:  # a message type the schema no longer has: the table must follow it
    raise RuntimeError(f"the transition table names unknown message types: {sorted(_unknown)}")

VIOLATIONS: Final[Mapping[tuple[Role, State, str], tuple[str, State]]] = _violations()
"""Every illegal (role, state, message type): the rule id it breaks, and the state to go on from."""


def role_of(type_: str) -> Role | None:
    """Return which side sends messages of this type, or ``None`` for an unknown type."""
    return _ROLES.get(type_)


def mermaid_state_diagram() -> str:
    """Return the legal transitions as a Mermaid ``stateDiagram-v2``, for the docs."""
    lines = ["stateDiagram-v2", f"    [*] --> {State.CONNECTING.value}"]
    for role, states in TRANSITIONS.items():
        for state, moves in states.items():
            grouped: dict[State, list[str]] = {}
            for type_, target in moves.items():
                if type_ == END_OF_CONVERSATION:
                    continue
                grouped.setdefault(target, []).append(type_)
            for target, types in grouped.items():
                label = " / ".join(types) if len(types) < 3 else "agent events"
                lines.append(f"    {state.value} --> {target.value}: {role.value}: {label}")
    lines.append(f"    {State.CLOSED.value} --> [*]")
    return "\n".join(lines) + "\n"
