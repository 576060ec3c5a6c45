"""The transition table: complete, consistent, and drawn as the docs' diagram."""

from __future__ import annotations

import re

from lambda_agent_api.protocol.messages import CLIENT_MESSAGE_CLASSES, SERVER_MESSAGE_CLASSES
from lambda_agent_api.protocol.rules import RULES
from lambda_agent_api.protocol.transitions import (
    END_OF_CONVERSATION,
    TRANSITIONS,
    VIOLATIONS,
    Role,
    State,
    mermaid_state_diagram,
    role_of,
)

TYPES = {
    Role.SERVER: [*SERVER_MESSAGE_CLASSES, END_OF_CONVERSATION],
    Role.CLIENT: [*CLIENT_MESSAGE_CLASSES, END_OF_CONVERSATION],
}


def test_every_role_state_and_type_is_either_legal_or_a_named_violation() -> None:
    for role, types in TYPES.items():
        for state in State:
            for type_ in types:
                legal = type_ in TRANSITIONS[role][state]
                violation = (role, state, type_) in VIOLATIONS
                assert legal != violation, (role, state, type_)


def test_violations_name_existing_protocol_rules() -> None:
    for rule_id, after in VIOLATIONS.values():
        assert rule_id in RULES
        assert rule_id.startswith("P")
        assert isinstance(after, State)


def test_table_only_names_known_message_types() -> None:
    for role, states in TRANSITIONS.items():
        for moves in states.values():
            assert set(moves) <= set(TYPES[role])


def test_role_of() -> None:
    assert role_of("STATUS") is Role.SERVER
    assert role_of("USER_MESSAGE") is Role.CLIENT
    assert role_of("SOMETHING_NEW") is None


def test_the_happy_path() -> None:
    server, client = TRANSITIONS[Role.SERVER], TRANSITIONS[Role.CLIENT]
    assert server[State.CONNECTING]["STATUS"] is State.IDLE
    assert client[State.IDLE]["USER_MESSAGE"] is State.RESPONDING
    assert server[State.RESPONDING]["AGENT_EVENT_TEXT_CHUNK"] is State.RESPONDING
    assert server[State.RESPONDING]["AGENT_EVENT_END"] is State.IDLE
    assert server[State.IDLE]["GRACEFUL_DISCONNECT"] is State.CLOSED


def test_diagram_has_every_legal_transition() -> None:
    diagram = mermaid_state_diagram()
    assert "\nflowchart TD\n" in diagram
    assert 'CONNECTING -- "server: STATUS" --> IDLE' in diagram
    assert 'IDLE -- "client:<br/>USER_MESSAGE" --> RESPONDING' in diagram
    assert 'RESPONDING -- "server:<br/>AGENT_EVENT_END<br/>or ERROR" ---> IDLE' in diagram
    edge = re.compile(r'^    (\w+) -- "[^"]+" -{2,3}> (\w+)$')
    arrows = [m.groups() for line in diagram.splitlines() if (m := edge.match(line))]
    legal = {
        (state, target)
        for states in TRANSITIONS.values()
        for state, moves in states.items()
        for type_, target in moves.items()
        if type_ != END_OF_CONVERSATION
    }
    assert {(State(a), State(b)) for a, b in arrows} == legal
    assert len(arrows) == len(set(arrows))  # one edge per pair, its types joined
