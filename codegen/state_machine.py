"""The conversation's state machine: which message may follow which, and what each wrong one breaks.

The source of the package's generated ``protocol/state_machine.py`` (its tables, as
data, and the diagram) and of the state diagram and "Broken when" lists in
``docs/rules.md``. The message types come from the schema files: every member of the
agent-event union goes on with the response in flight, but ``AGENT_EVENT_END``, which
ends it (as an ``ERROR`` does), so a new agent event needs no change here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from pathlib import Path
from typing import Final, TypeAlias

from common import PACKAGE_DIR, Schemas, header, ruff

OUTPUT = PACKAGE_DIR / "protocol" / "state_machine.py"


class Role(str, enum.Enum):
    """Who sends a message."""

    CLIENT = "client"
    SERVER = "server"


class State(str, enum.Enum):
    """Where a conversation stands."""

    CONNECTING = "CONNECTING"
    IDLE = "IDLE"
    RESPONDING = "RESPONDING"
    CLOSED = "CLOSED"


STATE_DOCS: Final = {
    State.CONNECTING: "Connected; the server has not sent STATUS yet.",
    State.IDLE: "Ready: no response is in flight.",
    State.RESPONDING: "A USER_MESSAGE was sent and its response has not ended.",
    State.CLOSED: "The server sent GRACEFUL_DISCONNECT, or the conversation ended.",
}
"""What each state means: the generated enum's docstrings."""


END_OF_CONVERSATION: Final = "<end>"
"""A pseudo message type: the connection closed, or the capture ended."""

Table: TypeAlias = "dict[Role, dict[State, dict[str, State]]]"
"""``table[role][state][message type] -> next state``."""

Violations: TypeAlias = "dict[tuple[Role, State, str], tuple[str, State]]"
"""``violations[role, state, message type] -> (rule id, state to go on from)``."""


def build_transitions(agent_events: Iterable[str]) -> Table:
    """Return every legal transition.

    ``agent_events`` are the members of the schema's agent-event union, in its order:
    each goes on with the response in flight, except ``AGENT_EVENT_END``, which ends it
    (as an ``ERROR`` does).
    """
    return {
        Role.SERVER: {
            State.CONNECTING: {
                "STATUS": State.IDLE,
                "GRACEFUL_DISCONNECT": State.CLOSED,
                END_OF_CONVERSATION: State.CLOSED,
            },
            State.IDLE: {
                # An ERROR outside a response reports a failure of the agent itself.
                "ERROR": State.IDLE,
                "GRACEFUL_DISCONNECT": State.CLOSED,
                END_OF_CONVERSATION: State.CLOSED,
            },
            State.RESPONDING: {
                **{
                    event: State.IDLE if event == "AGENT_EVENT_END" else State.RESPONDING
                    for event in agent_events
                },
                "ERROR": State.IDLE,
            },
            State.CLOSED: {END_OF_CONVERSATION: State.CLOSED},
        },
        Role.CLIENT: {
            State.CONNECTING: {END_OF_CONVERSATION: State.CLOSED},
            State.IDLE: {
                "USER_MESSAGE": State.RESPONDING,
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
    types = {Role.SERVER: list(server_types), Role.CLIENT: list(client_types)}
    return {
        (role, state, type_): _wrong_move(table, role, state, type_)
        for state in State
        for role in (Role.SERVER, Role.CLIENT)
        for type_ in [*types[role], END_OF_CONVERSATION]
        if type_ not in table[role][state]
    }


def _wrong_move(table: Table, role: Role, state: State, type_: str) -> tuple[str, State]:
    if state is State.CLOSED:
        return "P005", State.CLOSED
    if type_ == END_OF_CONVERSATION:
        return "P007", State.CLOSED
    if role is Role.CLIENT:
        return ("P002" if state is State.CONNECTING else "P004"), State.RESPONDING
    if state is State.CONNECTING:
        # The STATUS never came: carry on as if it had.
        return "P001", table[Role.SERVER][State.IDLE].get(type_, State.IDLE)
    if type_ == "STATUS":
        return "P009", state
    if type_ == "GRACEFUL_DISCONNECT":
        return "P006", State.CLOSED
    return "P003", state  # an agent event, or AGENT_EVENT_END, with no response in flight


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
                    grouped.setdefault(target, []).append(type_)
            edges += [(state, t, _diagram_label(role, types)) for t, types in grouped.items()]
    lines = [_DIAGRAM_INIT, "flowchart TD", f"    start(( )) --> {State.CONNECTING.value}"]
    for state, target, label in sorted(edges, key=lambda e: order.index(e[0])):
        back = target is State.CLOSED or order.index(target) < order.index(state)
        arrow = "--->" if back else "-->"
        lines.append(f'    {state.value} -- "{label}" {arrow} {target.value}')
    lines.append(f"    {State.CLOSED.value} --> stop((( )))")
    return "\n".join(lines) + "\n"


def tables(schemas: Schemas) -> tuple[Table, Violations]:
    """Return the legal transitions and the violations for the schema's message types."""
    agent_events = schemas["agent_event.json"]["properties"]["type"]["enum"]
    table = build_transitions(agent_events)
    server_types = schemas["server/message_type.json"]["enum"]
    client_types = schemas["client/message_type.json"]["enum"]
    return table, build_violations(table, server_types, client_types)


def _member(value: enum.Enum) -> str:
    return f"{type(value).__name__}.{value.name}"


def generate(schemas: Schemas, version: str) -> dict[Path, str]:
    """Return the package's ``protocol/state_machine.py``: the tables as data, and the diagram."""
    table, violations = tables(schemas)
    roles = "".join(f'    {role.name} = "{role.value}"\n' for role in Role)
    states = "".join(
        f'    {state.name} = "{state.value}"\n    """{STATE_DOCS[state]}"""\n' for state in State
    )
    moves = "".join(
        f"    {_member(role)}: {{\n"
        + "".join(
            f"        {_member(state)}: {{\n"
            + "".join(f"            {type_!r}: {_member(after)},\n" for type_, after in to.items())
            + "        },\n"
            for state, to in by_state.items()
        )
        + "    },\n"
        for role, by_state in table.items()
    )
    wrong = "".join(
        f"    ({_member(role)}, {_member(state)}, {type_!r}): ({rule!r}, {_member(after)}),\n"
        for (role, state, type_), (rule, after) in violations.items()
    )
    code = f'''{header(f"schema/{version}/ and codegen/state_machine.py")}
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

{roles}

class State(str, enum.Enum):
    """Where a conversation stands."""

{states}

END_OF_CONVERSATION: Final = {END_OF_CONVERSATION!r}
"""A pseudo message type: the connection closed, or the capture ended."""

TRANSITIONS: Final[dict[Role, dict[State, dict[str, State]]]] = {{
{moves}}}
"""Every legal transition: ``TRANSITIONS[role][state][message type] -> next state``."""

VIOLATIONS: Final[dict[tuple[Role, State, str], tuple[str, State]]] = {{
{wrong}}}
"""Every illegal (role, state, message type): the rule id it breaks, and the state to go on from."""

STATE_DIAGRAM: Final = """\\
{mermaid_state_diagram(table)}"""
"""The legal transitions as a Mermaid diagram (a flowchart), for the docs."""
'''
    return {OUTPUT: ruff(code, OUTPUT)}
