"""The checker's core takes (connection key, direction, data), with no capture behind it.

Its findings carry the key and the frame's index in its connection; whoever
read the frame adds where it was (record --validate prints "frame N" for a live
connection, Checker adds a capture's line). Connections are kept apart by key,
and a key ended and fed again is a new connection.
"""

from __future__ import annotations

from lambda_agent_api.check.traffic import TrafficChecker

STATUS = '{"type": "STATUS"}'
ASK = '{"type": "USER_MESSAGE", "text": "hi"}'
CHUNK = '{"type": "AGENT_EVENT_TEXT_CHUNK", "text": "x"}'
END = '{"type": "AGENT_EVENT_END", "tokens_used": 1}'


def test_findings_carry_the_key_and_the_frame_index() -> None:
    checker = TrafficChecker()
    assert checker.check("a", "recv", STATUS) == []
    assert checker.check(("b", 2), "recv", STATUS) == []
    assert checker.check("a", "send", ASK) == []
    assert checker.check("a", "recv", CHUNK) == []
    (late,) = checker.check(("b", 2), "recv", CHUNK)  # b has no response in flight
    assert (late.rule.id, late.key, late.frame) == ("P003", ("b", 2), 1)
    (broken,) = checker.check("a", "recv", '{"type": "AGENT_EVENT_END", "tokens_used": "1"}')
    assert (broken.rule.id, broken.key, broken.frame, broken.pointer) == (
        "S001",
        "a",
        3,
        "/tokens_used",
    )
    assert checker.open_keys() == ["a", ("b", 2)]
    assert checker.frames_of("a") == 4
    assert checker.end("a") == []  # the END, though invalid, ended the response
    assert checker.end(("b", 2)) == []  # idle at its end: nothing broken
    (first,) = checker.check("a", "recv", CHUNK)  # a new connection under the key
    assert (first.rule.id, first.frame) == ("P001", 0)
    assert checker.summary.frames == 7
    assert checker.summary.connections == 3
    assert dict(checker.summary.counts) == {"P003": 1, "S001": 1, "P001": 1}
    checker.check("a", "send", ASK)  # a response in flight as the connection ends
    (unterminated,) = checker.end("a")
    assert (unterminated.rule.id, unterminated.key, unterminated.frame) == ("P007", "a", None)


def test_a_run_of_quiet_events_is_taken_at_once_only_when_it_changes_nothing() -> None:
    checker = TrafficChecker()
    for data in (STATUS, ASK):
        checker.check("c", None, data)
    assert checker.take_quiet("c", "AGENT_EVENT_TEXT_CHUNK", 100)
    assert checker.frames_of("c") == 102
    assert checker.check("c", None, END) == []
    assert not checker.take_quiet("c", "AGENT_EVENT_TEXT_CHUNK", 5)  # no response in flight
    assert checker.frames_of("c") == 103
