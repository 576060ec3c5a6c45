"""Every rule of the protocol written once: the core answers, everything else asks it."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lambda_agent_api.exceptions import AgentBusyException, AgentException
from lambda_agent_api.protocol import _models
from lambda_agent_api.protocol.client_protocol import ClientProtocol
from lambda_agent_api.protocol.messages import AGENT_EVENT_CLASSES, EServerMessage
from lambda_agent_api.protocol.transitions import (
    AGENT_EVENTS,
    RESPONSE_TYPES,
    TRANSITIONS,
    Role,
    State,
    belongs_to_response,
    ends_response,
    violation,
)

ROOT = Path(__file__).resolve().parent.parent
TABLES = Path("python/src/lambda_agent_api/protocol/state_machine.py")


def test_the_response_events_are_the_schemas_agent_event_union() -> None:
    union = {m.model_fields["type"].default for m in _models.AgentEventUnion.__args__}
    assert AGENT_EVENTS == union == set(AGENT_EVENT_CLASSES)
    assert union | {EServerMessage.ERROR} == RESPONSE_TYPES
    assert {t for t in RESPONSE_TYPES if ends_response(t)} == {"AGENT_EVENT_END", "ERROR"}
    assert not belongs_to_response("STATUS")
    assert not belongs_to_response("GRACEFUL_DISCONNECT")


def test_the_table_is_keyed_by_the_enums_and_plain_strings_find_them() -> None:
    for states in TRANSITIONS.values():
        for moves in states.values():
            for key in moves:
                assert key == "<end>" or type(key).__name__ in {"EServerMessage", "EClientMessage"}
    assert TRANSITIONS[Role.SERVER][State.CONNECTING]["STATUS"] is State.IDLE


@pytest.mark.parametrize("state", list(State))
def test_send_user_message_is_refused_exactly_where_the_table_refuses_it(state: State) -> None:
    protocol = ClientProtocol()
    protocol.conversation.state = state
    rule = violation(Role.CLIENT, state, "USER_MESSAGE")
    if rule is None:
        assert '"USER_MESSAGE"' in protocol.send_user_message("hi")
        assert protocol.state is TRANSITIONS[Role.CLIENT][state]["USER_MESSAGE"]
    elif rule == "P004":
        with pytest.raises(AgentBusyException):
            protocol.send_user_message("hi")
    else:
        with pytest.raises(AgentException) as raised:
            protocol.send_user_message("hi")
        assert raised.value.code == "NOT_CONNECTED"


def add_thinking_event(schema: Path) -> None:
    """Add AGENT_EVENT_THINKING to a copy of a schema folder, as a maintainer would."""
    chunk = json.loads((schema / "server" / "agent_event_text_chunk.json").read_text("utf-8"))
    chunk["title"] = "MsgEventThinking"
    chunk["properties"]["type"].update(
        const="AGENT_EVENT_THINKING",
        default="AGENT_EVENT_THINKING",
        description="Message type discriminator; always `AGENT_EVENT_THINKING`.",
    )
    (schema / "server" / "agent_event_thinking.json").write_text(json.dumps(chunk), "utf-8")
    enum_path = schema / "server" / "message_type.json"
    enum_doc = json.loads(enum_path.read_text("utf-8"))
    enum_doc["enum"].append("AGENT_EVENT_THINKING")
    enum_path.write_text(json.dumps(enum_doc), "utf-8")
    for union in ("agent_event.json", "server_message.json"):
        doc = json.loads((schema / union).read_text("utf-8"))
        member = copy.deepcopy(doc["allOf"][-1])
        member["if"]["properties"]["type"]["const"] = "AGENT_EVENT_THINKING"
        member["then"]["$ref"] = "server/agent_event_thinking.json"
        doc["allOf"].append(member)
        if "enum" in doc["properties"]["type"]:
            doc["properties"]["type"]["enum"].append("AGENT_EVENT_THINKING")
        (schema / union).write_text(json.dumps(doc), "utf-8")


CHECK_NEW_EVENT = """
import json

from lambda_agent_api.capture import CaptureFormat, Connection, Frame
from lambda_agent_api.check import validate
from lambda_agent_api.protocol.client_protocol import ClientProtocol
from lambda_agent_api.protocol.conversation import Conversation
from lambda_agent_api.protocol.replies import collect
from lambda_agent_api.protocol.transitions import Role

THINK = '{"type": "AGENT_EVENT_THINKING", "text": "hmm"}'
END = '{"type": "AGENT_EVENT_END", "tokens_used": 1}'
frames = [
    ("recv", '{"type": "STATUS"}'),
    ("send", '{"type": "USER_MESSAGE", "text": "q"}'),
    ("recv", THINK),
    ("recv", END),
    ("recv", THINK),  # outside a response: P003, like every agent event
]
connection = Connection("new-event", CaptureFormat.JSONL)
items = [Frame(connection, i, d, t, False, None, i + 1) for i, (d, t) in enumerate(frames)]
result = validate(items)
assert [(d.rule.id, d.position) for d in result.diagnostics] == [("P003", 5)], result.diagnostics

conversation = Conversation()
conversation.observe(Role.SERVER, "STATUS")
conversation.observe(Role.CLIENT, "USER_MESSAGE")
step = conversation.observe(Role.SERVER, "AGENT_EVENT_THINKING", {"text": "hmm"})
assert step.in_response and not step.ends_response and not step.findings

client = ClientProtocol()
client.receive_status('{"type": "STATUS"}')
client.send_user_message("q")
received = client.receive(THINK)
assert received.for_response and not received.ends_response and received.error is None
assert client.receive(END).ends_response

reply = collect([json.loads(THINK), json.loads(END)])
assert reply.complete and reply.events[0].type == "AGENT_EVENT_THINKING"
print("ok")
"""


def test_an_event_added_to_the_union_needs_no_other_change(tmp_path: Path) -> None:
    # A copy of the checkout, the event added to its schema, then codegen: nothing else.
    checkout = tmp_path / "checkout"
    for part in ["codegen", "schema", "python/src", "docs", "tests/fixtures/messages"]:
        shutil.copytree(ROOT / part, checkout / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "ruff.toml", checkout / "ruff.toml")
    add_thinking_event(checkout / "schema" / "v1.1")
    generate = subprocess.run(
        [sys.executable, "codegen/generate.py", "--target", "python"],
        capture_output=True,
        text=True,
        cwd=checkout,
    )
    assert generate.returncode == 0, generate.stdout + generate.stderr
    assert "AGENT_EVENT_THINKING" in (checkout / TABLES).read_text("utf-8")

    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHECK_NEW_EVENT)],
        capture_output=True,
        text=True,
        cwd=checkout / "python" / "src",
        env={**os.environ, "PYTHONPATH": str(checkout / "python" / "src")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
