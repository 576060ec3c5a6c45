"""One fixture, every consumer: the validator, the client protocol and ReplyBuilder agree.

Every conversation fixture under tests/fixtures/conversations/ is read three ways:

- by the validator (``check.Checker``), which reports findings, and whose conversation
  (the core's) says where each response starts and ends;
- by a :class:`ClientProtocol` replaying the connection as the client saw it, whose
  routing says which frames belong to a response and which one ends it, and whose
  conversation steps carry the protocol findings;
- by a :class:`ReplyBuilder` fed each response's events, which groups tool calls.

They must agree: the same protocol findings at the same frames, the same response
boundaries, and tool calls that match the tool findings
(an unnamed call for each T001, a call with arguments that are not JSON for each T002,
a result without a call of its name for each T003).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from support.conversations import ConversationFixture, conversation_fixtures

from lambda_agent_api.capture import Connection, ConnectionEnd, Frame, read_capture
from lambda_agent_api.check import Checker, traffic
from lambda_agent_api.exceptions import AgentException
from lambda_agent_api.protocol import strict_json
from lambda_agent_api.protocol.client_protocol import ClientProtocol
from lambda_agent_api.protocol.conversation import Conversation, Step
from lambda_agent_api.protocol.messages import MsgEventEnd, MsgUserMessage, parse_client_message
from lambda_agent_api.protocol.replies import Reply, ReplyBuilder
from lambda_agent_api.protocol.transitions import Role, State, role_of

FIXTURES = conversation_fixtures(valid=True) + conversation_fixtures(valid=False)
# The rules of the conversation itself: what the core decides, frame by frame.
RULES = ("P", "T", "W001")


Boundaries = list[tuple[int, int | None]]
"""Each response: the index of its USER_MESSAGE, and of the frame that ended it (or None)."""


@dataclass
class Response:
    """One response, as the client protocol saw it."""

    start: int
    end: int | None = None
    builder: ReplyBuilder = field(default_factory=ReplyBuilder)


@dataclass
class View:
    """What one consumer made of a connection."""

    findings: list[tuple[str, int | None]]
    boundaries: Boundaries
    responses: list[Response] = field(default_factory=list)


def _connections(fixture: ConversationFixture) -> dict[Connection, list[Frame]]:
    with fixture.path.open("rb") as file:
        items = list(read_capture(file, fixture.path.name))
    frames: dict[Connection, list[Frame]] = {}
    for item in items:
        if isinstance(item, Frame):
            frames.setdefault(item.connection, []).append(item)
    return frames


def as_validator(connection: Connection, frames: list[Frame], patch: pytest.MonkeyPatch) -> View:
    """The checker's findings, and the boundaries its conversation drew, frame by frame."""
    steps: list[Step] = []

    class Recording(Conversation):
        def observe(self, role: Role, type_: str, message: Any = None) -> Step:
            step = super().observe(role, type_, message)
            steps.append(step)
            return step

    patch.setattr(traffic, "Conversation", Recording)
    check = Checker()
    findings: list[tuple[str, int | None]] = []
    boundaries: Boundaries = []
    for frame in frames:
        seen = len(steps)
        diagnostics = check.check(frame)
        findings += [(d.rule.id, d.frame) for d in diagnostics if d.rule.id.startswith(RULES)]
        if len(steps) == seen:
            continue  # the frame was not a message (F rules)
        step = steps[-1]
        if step.role is Role.CLIENT and step.after is State.RESPONDING:
            if step.before is not State.RESPONDING:
                boundaries.append((frame.seq, None))
        elif step.ends_response:
            boundaries[-1] = (boundaries[-1][0], frame.seq)
    ended = check.check(ConnectionEnd(connection))
    findings += [(d.rule.id, d.frame) for d in ended if d.rule.id.startswith(RULES)]
    return View(findings, boundaries)


def _text(frame: Frame) -> str | None:
    data = frame.data
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    try:
        data.encode("utf-8")
    except UnicodeEncodeError:
        return None  # a lone surrogate: no UTF-8 frame carries it (F001)
    return data


def _object(text: str) -> dict[str, Any] | None:
    try:
        value = strict_json.loads(text, stand_in=True)  # as the checker reads a long integer
    except ValueError:
        return None
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return value
    return None


def _findings(index: int | None, step: Step | None) -> list[tuple[str, int | None]]:
    return [(f.rule.id, index) for f in (step.findings if step else ())]


def as_client(frames: list[Frame]) -> View:
    """Replay one connection through a ClientProtocol, and each response into a ReplyBuilder.

    What the server sent goes through ``receive``; what the client sent through
    ``send_user_message``, and where a client would have refused or could not have
    sent it, the capture says it was sent all the same: the conversation records it.
    """
    protocol = ClientProtocol()
    view = View([], [])
    current: Response | None = None
    for frame in frames:
        text = _text(frame) if not frame.binary else None
        value = None if text is None else _object(text)
        role = {"send": Role.CLIENT, "recv": Role.SERVER}.get(frame.direction or "")
        if role is None and value is not None:
            role = role_of(value["type"])
        if text is None or role is None:
            continue  # not a message (F rules), or nobody's: the same for every consumer
        if role is Role.SERVER:
            received = protocol.receive(text)
            view.findings += _findings(frame.seq, received.step)
            if received.for_response and current is not None:
                message = received.message
                if message is not None and received.error is None:
                    current.builder.add(message)  # type: ignore[arg-type]
                # Where the core ends the response, the client ends the caller's wait.
                # (It also ends it early on a frame it cannot read, or a cut: PARSE_ERROR
                # or CONNECTION_CLOSED, not an end of the response.)
                step = received.step
                if step is not None and step.ends_response:
                    assert received.ends_response
                    current.end = frame.seq
                    current = None
            continue
        if value is None:
            continue
        before = protocol.state
        try:
            message = parse_client_message(text)
            assert isinstance(message, MsgUserMessage)
            protocol.send_user_message(message.text, message.attachments)
            step = None
        except (ValueError, AgentException):
            step = protocol.conversation.observe(Role.CLIENT, value["type"], value)
            view.findings += _findings(frame.seq, step)
        if protocol.state is State.RESPONDING and before is not State.RESPONDING:
            current = Response(frame.seq)
            view.responses.append(current)
    view.findings += _findings(None, protocol.conversation.end())
    view.boundaries = [(r.start, r.end) for r in view.responses]
    return view


def _in(response: Response, index: int | None) -> bool:
    if index is None:
        return response.end is None
    return response.start < index and (response.end is None or index <= response.end)


def _count(view: View, response: Response, rule: str) -> int:
    return sum(1 for rule_id, index in view.findings if rule_id == rule and _in(response, index))


def _unpaired_results(reply: Reply) -> int:
    called = {call.tool_name for call in reply.tool_calls}
    return sum(1 for result in reply.tool_results if result.tool_name not in called)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.id)
def test_validator_client_protocol_and_replies_agree(
    fixture: ConversationFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    connections = _connections(fixture)
    assert connections, "a conversation fixture holds at least one frame"
    for connection, frames in connections.items():
        validator = as_validator(connection, frames, monkeypatch)
        client = as_client(frames)
        where = connection.label
        assert sorted(client.findings, key=str) == sorted(validator.findings, key=str), where
        assert client.boundaries == validator.boundaries, where
        for response in client.responses:
            reply = response.builder.reply()
            unnamed = sum(1 for call in reply.tool_calls if call.tool_name is None)
            not_json = sum(1 for call in reply.tool_calls if not call.arguments_parsed)
            assert unnamed == _count(client, response, "T001"), where
            assert not_json == _count(client, response, "T002"), where
            assert _unpaired_results(reply) == _count(client, response, "T003"), where
            ended = bool(reply.events) and isinstance(reply.events[-1], MsgEventEnd)
            assert reply.complete == ended, where


def test_the_two_streams_of_issue_11_are_fixtures() -> None:
    names = {f.path.name for f in FIXTURES}
    assert {"t001_t002_call_ended_by_text.jsonl", "t002_nan_arguments.jsonl"} <= names
