"""The protocol's ordering rules as data: one table of every legal transition.

``TRANSITIONS[role][state][message type]`` is the state a conversation moves
to when ``role`` sends that message in ``state``; its keys are the enums of
message types (:class:`~lambda_agent_api.protocol.messages.EServerMessage`,
:class:`~lambda_agent_api.protocol.messages.EClientMessage`, generated in ``_enums``
without pydantic), and a plain string looks them up too. A message that is not
in the table is a protocol violation: :data:`VIOLATIONS` names the rule it breaks.
Both tables are generated (``lambda_agent_api.protocol.state_machine``, by
``codegen/state_machine.py`` from the schema's message types), and the docs' state
diagram is drawn from the same table, so the two cannot drift.

One conversation is one WebSocket connection. Both sides share its state::

    CONNECTING --STATUS--> IDLE --USER_MESSAGE--> RESPONDING --AGENT_EVENT_END/ERROR--> IDLE
    CONNECTING or IDLE --GRACEFUL_DISCONNECT (server)--> CLOSED

A response is what the server sends in ``RESPONDING``: the events of the schema's
agent-event union (``AgentEventUnion``), of which ``AGENT_EVENT_END`` ends it, and
``ERROR``, which ends it too. A new event in that union belongs to responses with no
change but ``nox -s codegen``. :func:`belongs_to_response` and :func:`ends_response`
answer for any type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from lambda_agent_api.protocol._enums import (
    AGENT_EVENT_TYPES,
    CLIENT_MESSAGE_TYPES,
    SERVER_MESSAGE_TYPES,
    EClientMessage,
    EServerMessage,
)
from lambda_agent_api.protocol.state_machine import (
    END_OF_CONVERSATION,
    STATE_DIAGRAM,
    Role,
    State,
)
from lambda_agent_api.protocol.state_machine import TRANSITIONS as _TRANSITIONS
from lambda_agent_api.protocol.state_machine import VIOLATIONS as _VIOLATIONS

__all__ = [
    "AGENT_EVENTS",
    "END_OF_CONVERSATION",
    "RESPONSE_TYPES",
    "TRANSITIONS",
    "VIOLATIONS",
    "Role",
    "State",
    "belongs_to_response",
    "ends_response",
    "is_agent_event",
    "mermaid_state_diagram",
    "role_of",
    "violation",
]

AGENT_EVENTS: Final[frozenset[EServerMessage]] = frozenset(AGENT_EVENT_TYPES)
"""The agent events: the members of the schema's agent-event union (``AgentEventUnion``)."""


_SERVER_TYPES: Final = frozenset(SERVER_MESSAGE_TYPES)
_CLIENT_TYPES: Final = frozenset(CLIENT_MESSAGE_TYPES)


def _enum(type_: str) -> str:
    if type_ == END_OF_CONVERSATION:
        return type_
    return EServerMessage(type_) if type_ in _SERVER_TYPES else EClientMessage(type_)


TRANSITIONS: Final[Mapping[Role, Mapping[State, Mapping[str, State]]]] = {
    role: {
        state: {_enum(type_): after for type_, after in moves.items()}
        for state, moves in by_state.items()
    }
    for role, by_state in _TRANSITIONS.items()
}
"""Every legal transition: ``TRANSITIONS[role][state][message type] -> next state``."""

VIOLATIONS: Final[Mapping[tuple[Role, State, str], tuple[str, State]]] = {
    (role, state, _enum(type_)): found for (role, state, type_), found in _VIOLATIONS.items()
}
"""Every illegal (role, state, message type): the rule id it breaks, and the state to go on from."""

RESPONSE_TYPES: Final[frozenset[str]] = frozenset(
    type_ for type_ in TRANSITIONS[Role.SERVER][State.RESPONDING] if type_ != END_OF_CONVERSATION
)
"""The server's messages that belong to the response in flight: the agent events and ``ERROR``."""

_ENDS: Final = frozenset(
    type_
    for type_, after in TRANSITIONS[Role.SERVER][State.RESPONDING].items()
    if after is not State.RESPONDING
)


def is_agent_event(type_: str) -> bool:
    """Whether ``type_`` is an agent event (a member of the schema's agent-event union)."""
    return type_ in AGENT_EVENTS


def belongs_to_response(type_: str) -> bool:
    """Whether a server message of this type, sent while a response is in flight, is part of it."""
    return type_ in RESPONSE_TYPES


def ends_response(type_: str) -> bool:
    """Whether a server message of this type ends the response in flight (END or ERROR)."""
    return type_ in _ENDS


def violation(role: Role, state: State, type_: str) -> str | None:
    """Return the id of the rule that ``role`` sending ``type_`` in ``state`` breaks, or None.

    None for a legal move, and for a type that is not the role's (see :func:`role_of`).
    """
    if type_ in TRANSITIONS[role][state]:
        return None
    found = VIOLATIONS.get((role, state, type_))
    return None if found is None else found[0]


def role_of(type_: str) -> Role | None:
    """Return which side sends messages of this type, or ``None`` for an unknown type."""
    if type_ in _SERVER_TYPES:
        return Role.SERVER
    if type_ in _CLIENT_TYPES:
        return Role.CLIENT
    return None


def mermaid_state_diagram() -> str:
    """Return the legal transitions as a Mermaid diagram (a flowchart), for the docs."""
    return STATE_DIAGRAM
