"""The protocol's ordering rules as data: one table of every legal transition.

``TRANSITIONS[role][state][message type]`` is the state a conversation moves
to when ``role`` sends that message in ``state``; its keys are the enums of
message types (:class:`~lambda_agent_api.protocol.messages.EServerMessage`,
:class:`~lambda_agent_api.protocol.messages.EClientMessage`), and a plain
string looks them up too. A message that is not in the table is a protocol
violation: :data:`VIOLATIONS` names the rule it breaks. The docs' state diagram
is drawn from this table, so the two cannot drift.

One conversation is one WebSocket connection. Both sides share its state::

    CONNECTING --STATUS--> IDLE --USER_MESSAGE--> RESPONDING --AGENT_EVENT_END/ERROR--> IDLE
    CONNECTING or IDLE --GRACEFUL_DISCONNECT (server)--> CLOSED

A response is what the server sends in ``RESPONDING``: the events of the schema's
agent-event union (``AgentEventUnion``), of which ``AGENT_EVENT_END`` ends it, and
``ERROR``, which ends it too. A new event in that union belongs to responses with no
change here. :func:`belongs_to_response` and :func:`ends_response` answer for any type.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

from lambda_agent_api.protocol.messages import (
    AGENT_EVENT_CLASSES,
    CLIENT_MESSAGE_CLASSES,
    SERVER_MESSAGE_CLASSES,
    EClientMessage,
    EServerMessage,
)

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

_S = EServerMessage

AGENT_EVENTS: Final[frozenset[EServerMessage]] = frozenset(map(EServerMessage, AGENT_EVENT_CLASSES))
"""The agent events: the members of the schema's agent-event union (``AgentEventUnion``)."""

TRANSITIONS: Final[Mapping[Role, Mapping[State, Mapping[str, State]]]] = {
    Role.SERVER: {
        State.CONNECTING: {
            _S.STATUS: State.IDLE,
            _S.GRACEFUL_DISCONNECT: State.CLOSED,
            END_OF_CONVERSATION: State.CLOSED,
        },
        State.IDLE: {
            # An ERROR outside a response reports a failure of the agent itself.
            _S.ERROR: State.IDLE,
            _S.GRACEFUL_DISCONNECT: State.CLOSED,
            END_OF_CONVERSATION: State.CLOSED,
        },
        State.RESPONDING: {
            # In the schema's order, for the diagram: every agent event goes on with the
            # response, except AGENT_EVENT_END, which ends it as an ERROR does.
            **{
                _S(event): State.IDLE if event == _S.AGENT_EVENT_END else State.RESPONDING
                for event in AGENT_EVENT_CLASSES
            },
            _S.ERROR: State.IDLE,
        },
        State.CLOSED: {END_OF_CONVERSATION: State.CLOSED},
    },
    Role.CLIENT: {
        State.CONNECTING: {END_OF_CONVERSATION: State.CLOSED},
        State.IDLE: {
            EClientMessage.USER_MESSAGE: State.RESPONDING,
            END_OF_CONVERSATION: State.CLOSED,
        },
        State.RESPONDING: {},
        State.CLOSED: {END_OF_CONVERSATION: State.CLOSED},
    },
}
"""Every legal transition: ``TRANSITIONS[role][state][message type] -> next state``."""

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


def _violations() -> dict[tuple[Role, State, str], tuple[str, State]]:
    # What a failed lookup means, and where the conversation goes on from, so
    # that one mistake is reported once rather than cascading.
    table: dict[tuple[Role, State, str], tuple[str, State]] = {}
    for state in State:
        for type_ in [*_S, END_OF_CONVERSATION]:
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
            elif type_ == _S.STATUS:
                table[Role.SERVER, state, type_] = ("P009", state)
            elif type_ == _S.GRACEFUL_DISCONNECT:
                table[Role.SERVER, state, type_] = ("P006", State.CLOSED)
            else:  # an agent event, or AGENT_EVENT_END, with no response in flight
                table[Role.SERVER, state, type_] = ("P003", state)
        for type_ in [*EClientMessage, END_OF_CONVERSATION]:
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


VIOLATIONS: Final[Mapping[tuple[Role, State, str], tuple[str, State]]] = _violations()
"""Every illegal (role, state, message type): the rule id it breaks, and the state to go on from."""


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
    if type_ in SERVER_MESSAGE_CLASSES:
        return Role.SERVER
    if type_ in CLIENT_MESSAGE_CLASSES:
        return Role.CLIENT
    return None


# How the docs draw the table (tools/docs/test_browser.py checks the result in a browser):
# a flowchart, whose layout keeps edge labels apart where a stateDiagram-v2 overlapped
# them; a long label broken after its sender; edges that end the conversation or go back
# drawn longer, so that their labels sit apart from the self-loops' labels.
_DIAGRAM_INIT = (
    '%%{init: {"flowchart": {"nodeSpacing": 30}, "themeVariables": {"fontSize": "14px"}}}%%'
)
_SHORT_LABEL = 16


def _diagram_label(role: Role, types: list[str]) -> str:
    said = " / ".join(types) if len(types) < 3 else "agent events"
    if len(role.value) + len(said) <= _SHORT_LABEL:
        return f"{role.value}: {said}"
    return f"{role.value}:<br/>" + ("<br/>or ".join(types) if len(types) < 3 else said)


def mermaid_state_diagram() -> str:
    """Return the legal transitions as a Mermaid diagram (a flowchart), for the docs."""
    order = list(State)
    edges: list[tuple[State, State, str]] = []
    for role, states in TRANSITIONS.items():
        for state, moves in states.items():
            grouped: dict[State, list[str]] = {}
            for type_, target in moves.items():
                if type_ != END_OF_CONVERSATION:
                    grouped.setdefault(target, []).append(_name(type_))
            edges += [(state, t, _diagram_label(role, types)) for t, types in grouped.items()]
    lines = [_DIAGRAM_INIT, "flowchart TD", f"    start(( )) --> {State.CONNECTING.value}"]
    for state, target, label in sorted(edges, key=lambda e: order.index(e[0])):
        back = target is State.CLOSED or order.index(target) < order.index(state)
        arrow = "--->" if back else "-->"
        lines.append(f'    {state.value} -- "{label}" {arrow} {target.value}')
    lines.append(f"    {State.CLOSED.value} --> stop((( )))")
    return "\n".join(lines) + "\n"


def _name(type_: str) -> str:
    # The type as the wire writes it: an f-string of an enum gives its member's name.
    return str(getattr(type_, "value", type_))
