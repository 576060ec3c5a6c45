"""The conversation's state machine, built from the message types: the standard library only.

:mod:`lambda_agent_api.protocol.transitions` builds the package's table with the
enums of the generated models; ``codegen/`` loads this file by path and builds the
same table from the schema files (with plain strings), to draw the docs' diagram
and list where each P rule fires, without importing the package.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Final, TypeAlias

__all__ = [
    "END_OF_CONVERSATION",
    "Role",
    "State",
    "Table",
    "Violations",
    "build_transitions",
    "build_violations",
    "mermaid_state_diagram",
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

Table: TypeAlias = "dict[Role, dict[State, dict[str, State]]]"
"""``table[role][state][message type] -> next state``."""

Violations: TypeAlias = "dict[tuple[Role, State, str], tuple[str, State]]"
"""``violations[role, state, message type] -> (rule id, state to go on from)``."""


def build_transitions(key: Callable[[str], str], agent_events: Iterable[str]) -> Table:
    """Return every legal transition; ``key`` turns a wire type into the table's key.

    ``agent_events`` are the members of the schema's agent-event union, in its order:
    each goes on with the response in flight, except ``AGENT_EVENT_END``, which ends it
    (as an ``ERROR`` does).
    """
    return {
        Role.SERVER: {
            State.CONNECTING: {
                key("STATUS"): State.IDLE,
                key("GRACEFUL_DISCONNECT"): State.CLOSED,
                END_OF_CONVERSATION: State.CLOSED,
            },
            State.IDLE: {
                # An ERROR outside a response reports a failure of the agent itself.
                key("ERROR"): State.IDLE,
                key("GRACEFUL_DISCONNECT"): State.CLOSED,
                END_OF_CONVERSATION: State.CLOSED,
            },
            State.RESPONDING: {
                **{
                    key(event): State.IDLE if event == "AGENT_EVENT_END" else State.RESPONDING
                    for event in agent_events
                },
                key("ERROR"): State.IDLE,
            },
            State.CLOSED: {END_OF_CONVERSATION: State.CLOSED},
        },
        Role.CLIENT: {
            State.CONNECTING: {END_OF_CONVERSATION: State.CLOSED},
            State.IDLE: {
                key("USER_MESSAGE"): State.RESPONDING,
                END_OF_CONVERSATION: State.CLOSED,
            },
            State.RESPONDING: {},
            State.CLOSED: {END_OF_CONVERSATION: State.CLOSED},
        },
    }


def build_violations(
    table: Table, server_types: Iterable[str], client_types: Iterable[str]
) -> Violations:
    """Return what each illegal move breaks, and the state to go on from.

    So that one mistake is reported once rather than cascading.
    """
    violations: Violations = {}
    server = table[Role.SERVER]
    client = table[Role.CLIENT]
    server_types, client_types = list(server_types), list(client_types)
    for state in State:
        for type_ in [*server_types, END_OF_CONVERSATION]:
            if type_ in server[state]:
                continue
            if state is State.CLOSED:
                violations[Role.SERVER, state, type_] = ("P005", State.CLOSED)
            elif type_ == END_OF_CONVERSATION:
                violations[Role.SERVER, state, type_] = ("P007", State.CLOSED)
            elif state is State.CONNECTING:
                # The STATUS never came: carry on as if it had.
                after = server[State.IDLE].get(type_, State.IDLE)
                violations[Role.SERVER, state, type_] = ("P001", after)
            elif type_ == "STATUS":
                violations[Role.SERVER, state, type_] = ("P009", state)
            elif type_ == "GRACEFUL_DISCONNECT":
                violations[Role.SERVER, state, type_] = ("P006", State.CLOSED)
            else:  # an agent event, or AGENT_EVENT_END, with no response in flight
                violations[Role.SERVER, state, type_] = ("P003", state)
        for type_ in [*client_types, END_OF_CONVERSATION]:
            if type_ in client[state]:
                continue
            if state is State.CLOSED:
                violations[Role.CLIENT, state, type_] = ("P005", State.CLOSED)
            elif type_ == END_OF_CONVERSATION:
                violations[Role.CLIENT, state, type_] = ("P007", State.CLOSED)
            elif state is State.CONNECTING:
                violations[Role.CLIENT, state, type_] = ("P002", State.RESPONDING)
            else:
                violations[Role.CLIENT, state, type_] = ("P004", State.RESPONDING)
    return violations


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


def mermaid_state_diagram(transitions: Table) -> str:
    """Return the legal transitions as a Mermaid diagram (a flowchart), for the docs."""
    order = list(State)
    edges: list[tuple[State, State, str]] = []
    for role, states in transitions.items():
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
