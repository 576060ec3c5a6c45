"""Every rule of the protocol written once: the core answers, everything else asks it."""

from __future__ import annotations

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
SOURCE = ROOT / "python" / "src"


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


# A new agent event, as codegen would write it (the model, the enum member, the union
# members) from a schema that adds it to the union.
NEW_EVENT = """
class MsgEventThinking(BaseModel):
    type: Literal[EServerMessage.AGENT_EVENT_THINKING] = EServerMessage.AGENT_EVENT_THINKING
    text: str
    source: str = "main"


"""

CHECK_NEW_EVENT = """
import json, sys, types
from pathlib import Path
import lambda_agent_api.protocol as protocol

folder = Path(protocol.__file__).parent
enums_text = (folder / "_enums.py").read_text(encoding="utf-8")
END_MEMBER = '    AGENT_EVENT_END = "AGENT_EVENT_END"\\n'
NEW_MEMBER = '    AGENT_EVENT_THINKING = "AGENT_EVENT_THINKING"\\n'
END_ITEM = "    EServerMessage.AGENT_EVENT_END,\\n"
NEW_ITEM = "    EServerMessage.AGENT_EVENT_THINKING,\\n"
enums_text = enums_text.replace(END_MEMBER, END_MEMBER + NEW_MEMBER, 1)
# In the agent-event union and in the server-message union, as codegen lists them.
assert enums_text.count(END_ITEM) == 2
enums_text = enums_text.replace(END_ITEM, END_ITEM + NEW_ITEM)
enums = types.ModuleType("lambda_agent_api.protocol._enums")
sys.modules[enums.__name__] = enums
exec(compile(enums_text, "_enums.py", "exec"), enums.__dict__)

text = (folder / "_models.py").read_text(encoding="utf-8")
UNION = "AgentEventUnion: TypeAlias = ("
text = text.replace(UNION, NEW_EVENT + UNION, 1)
text = text.replace("    | MsgEventEnd\\n)", "    | MsgEventEnd\\n    | MsgEventThinking\\n)")
assert text.count("MsgEventThinking") == 3
models = types.ModuleType("lambda_agent_api.protocol._models")
sys.modules[models.__name__] = models
exec(compile(text, "_models.py", "exec"), models.__dict__)

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


def test_an_event_added_to_the_union_needs_no_other_change() -> None:
    code = f"NEW_EVENT = {NEW_EVENT!r}\n" + textwrap.dedent(CHECK_NEW_EVENT)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=SOURCE
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
