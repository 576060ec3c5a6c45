"""A frame over the frame limit (F006) is not read, but the conversation knows a frame was there.

Without that, what follows an unread frame seems out of order: the server's answer to an
unread USER_MESSAGE would be P003 frame after frame, a tool call begun in an unread frame
T001 and T003, a response ended by an unread frame P007. The fixture
``tests/fixtures/nasty/oversized_frames.jsonl`` (run by test_nasty_inputs.py through
``validate --max-frame-bytes 256``) holds each case; here the live path (``record
--validate`` feeds ``TrafficChecker.check`` frame by frame) and the conversation itself.
"""

from __future__ import annotations

import json

from support.fixtures import FIXTURES

from lambda_agent_api.check.traffic import TrafficChecker
from lambda_agent_api.protocol.conversation import Conversation
from lambda_agent_api.protocol.transitions import Role, State

OVERSIZED = FIXTURES / "nasty" / "oversized_frames.jsonl"


def test_frames_over_the_limit_bring_no_false_finding_after_them_live() -> None:
    checker = TrafficChecker(max_frame_bytes=256)
    found = []
    for line in OVERSIZED.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        found += checker.check("live", record["dir"], record["data"])
    found += checker.end("live")
    assert [(f.rule.id, f.frame) for f in found] == [
        ("F006", 1),  # the USER_MESSAGE: its response that follows is in order
        ("F006", 3),  # a tool call's start: its other chunk and its result are not judged
        ("P003", 10),  # once the response ended, every check applies again
        ("F006", 12),  # an AGENT_EVENT_END: the end of the capture is no P007
    ]


def test_the_same_frames_under_the_limit_are_checked_in_full() -> None:
    checker = TrafficChecker()
    found = []
    for line in OVERSIZED.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        found += checker.check("live", record["dir"], record["data"])
    found += checker.end("live")
    # The fixture's only real problems: the stray chunk, and the padding field.
    assert sorted(f.rule.id for f in found) == ["P003", "W002"]


def test_an_unread_frame_makes_the_next_move_legal_if_it_could_have() -> None:
    conversation = Conversation()
    conversation.observe(Role.SERVER, "STATUS")
    conversation.unread()  # a USER_MESSAGE, as it turns out
    step = conversation.observe(Role.SERVER, "AGENT_EVENT_TEXT_CHUNK", {"text": "hi"})
    assert (step.findings, conversation.state) == ((), State.RESPONDING)
    step = conversation.observe(Role.SERVER, "AGENT_EVENT_END", {"tokens_used": 1})
    assert (step.findings, conversation.state) == ((), State.IDLE)
    # Known again: an event with no response in flight is P003.
    step = conversation.observe(Role.SERVER, "AGENT_EVENT_TEXT_CHUNK", {"text": "late"})
    assert [f.rule.id for f in step.findings] == ["P003"]


def test_an_unread_frame_does_not_excuse_what_no_frame_could_explain() -> None:
    conversation = Conversation()
    conversation.observe(Role.SERVER, "STATUS")
    conversation.unread()
    # STATUS twice is wrong whatever the unread frame was.
    step = conversation.observe(Role.SERVER, "STATUS")
    assert [f.rule.id for f in step.findings] == ["P009"]
    # A client message sent by the server, likewise.
    step = conversation.observe(Role.SERVER, "USER_MESSAGE", {"text": "x"})
    assert [f.rule.id for f in step.findings] == ["P008"]
