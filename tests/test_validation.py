"""The checker's API: results, explanations, warnings, and what it does with odd input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambda_agent_api.capture import BadRecord, CaptureFormat, Connection, ConnectionEnd, Frame
from lambda_agent_api.check import (
    WORKSPACE_PATHS,
    Checker,
    Diagnostic,
    Summary,
    explain,
    validate,
)
from lambda_agent_api.protocol.rules import RULES, Severity
from lambda_agent_api.schemas import message_schema_path, schema

CONNECTION = Connection("t.jsonl", CaptureFormat.JSONL)
BARE = Connection("t.jsonl", CaptureFormat.MESSAGES)


def frame(data: Any, direction: str | None = "recv", seq: int = 0, **kw: Any) -> Frame:
    text = data if isinstance(data, (str, bytes)) else json.dumps(data)
    connection = kw.pop("connection", CONNECTION if direction else BARE)
    return Frame(connection, seq, direction, text, kw.pop("binary", False), None, seq + 1)  # type: ignore[arg-type]


def rules(*frames: Frame) -> list[str]:
    return [d.rule.id for d in validate(frames).diagnostics]


def test_a_clean_exchange() -> None:
    result = validate(
        [
            frame({"type": "STATUS"}),
            frame({"type": "USER_MESSAGE", "text": "hi"}, "send", 1),
            frame({"type": "AGENT_EVENT_END", "tokens_used": 1}, seq=2),
        ]
    )
    assert result.diagnostics == []
    assert result.summary == Summary(frames=3, connections=1)
    assert not result.summary.failed(strict=True)


def test_the_conversation_ends_with_the_capture() -> None:
    [diagnostic] = validate(
        [frame({"type": "STATUS"}), frame({"type": "USER_MESSAGE", "text": "hi"}, "send", 1)]
    ).diagnostics
    assert (diagnostic.rule.id, diagnostic.frame, diagnostic.position) == ("P007", None, None)
    assert diagnostic.where == "end of connection"


def test_connection_end_closes_the_conversation_once() -> None:
    checker = Checker()
    checker.check(frame({"type": "STATUS"}))
    checker.check(frame({"type": "USER_MESSAGE", "text": "hi"}, "send", 1))
    assert [d.rule.id for d in checker.check(ConnectionEnd(CONNECTION))] == ["P007"]
    assert checker.finish() == []
    assert checker.check(ConnectionEnd(CONNECTION)) == []


def test_bad_records_and_browser_errors() -> None:
    checker = Checker()
    [c001] = checker.check(BadRecord(CONNECTION, 3, "the line is not JSON"))
    [c002] = checker.check(BadRecord(CONNECTION, 4, "the browser recorded an error", True))
    assert (c001.rule.id, c001.frame, c001.position, c001.message) == (
        "C001",
        None,
        3,
        "the line is not JSON",
    )
    assert c002.rule.id == "C002"
    assert c002.severity is Severity.WARNING
    assert checker.summary.records_skipped == 2
    assert checker.summary.frames == 0


def test_anything_else_is_refused() -> None:
    with pytest.raises(TypeError, match="not an item of a capture"):
        Checker().check("a frame?")  # type: ignore[arg-type]


def test_direction_is_inferred_for_bare_messages() -> None:
    assert rules(
        frame({"type": "STATUS"}, None), frame({"type": "USER_MESSAGE", "text": "x"}, None, 1)
    ) == ["P007"]
    [unknown] = validate([frame({"type": "TYPING"}, None)]).diagnostics
    assert (unknown.rule.id, unknown.type) == ("W001", "TYPING")
    assert "TYPING" in unknown.message


@pytest.mark.parametrize(
    ("data", "rule", "message"),
    [
        (b"\xff{}", "F001", "byte 0xff at offset 0"),
        ("{\udcff}", "F001", "byte 0xff at character 1"),
        ("\ud800", "F001", "lone surrogate U+D800"),
        ("", "F002", "not JSON"),
        ("[" * 100_000, "F002", "not JSON"),
        ("[" * 100_000 + "]" * 100_000, "F002", "too deeply"),
        ("[]", "F003", "an array"),
        ('"x"', "F003", "a string"),
        ('{"type": null}', "S001", "type must be a string, not null"),
        ("{}", "S001", 'has no "type"'),
    ],
)
def test_frames_that_are_not_messages(data: str | bytes, rule: str, message: str) -> None:
    [diagnostic] = validate([frame(data)]).diagnostics
    assert diagnostic.rule.id == rule
    assert message in diagnostic.message


def test_binary_frames() -> None:
    [diagnostic] = validate([frame(b"\x00\x01", binary=True)]).diagnostics
    assert diagnostic.rule.id == "F004"
    assert "2 bytes" in diagnostic.message


def test_deep_but_parseable_json_is_checked_exactly() -> None:
    # Deeper than pydantic's parser goes, within Python's: the slow path takes it.
    deep = "[" * 500 + "]" * 500
    text = '{"type":"AGENT_EVENT_TOOL_RESULT","tool_name":"t","result":' + deep + "}"
    assert rules(
        frame({"type": "STATUS"}),
        frame({"type": "USER_MESSAGE", "text": "x"}, "send", 1),
        frame(text, seq=2),
        frame({"type": "AGENT_EVENT_END", "tokens_used": 1}, seq=3),
    ) == ["T003"]


@pytest.mark.parametrize(
    ("type_", "instance", "expected"),
    [
        (
            "AGENT_EVENT_END",
            {"type": "AGENT_EVENT_END"},
            [("required", "", 'AGENT_EVENT_END has no "tokens_used", which is required')],
        ),
        (
            "ERROR",
            {"type": "ERROR"},
            [
                ("required", "", 'ERROR has no "code", which is required'),
                ("required", "", 'ERROR has no "details", which is required'),
            ],
        ),
        (
            "AGENT_EVENT_END",
            {"type": "AGENT_EVENT_END", "tokens_used": "12"},
            [("type", "/tokens_used", 'tokens_used must be an integer, not a string ("12")')],
        ),
        (
            "AGENT_EVENT_TOOL_CALL_CHUNK",
            {"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "tool_name": 3},
            [("type", "/tool_name", "tool_name must be a string or null, not an integer (3)")],
        ),
        (
            "USER_MESSAGE",
            {"type": "USER_MESSAGE", "text": "x", "attachments": [1]},
            [("type", "/attachments/0", "attachments[0] must be a string, not an integer (1)")],
        ),
        ("STATUS", {"type": "ERROR"}, [("const", "/type", 'type must be "STATUS", not "ERROR"')]),
        # A message's `type` is a plain const: one error, not an enum's and a const's.
        ("STATUS", {"type": "NOPE"}, [("const", "/type", 'type must be "STATUS", not "NOPE"')]),
        ("STATUS", {"type": "STATUS"}, []),
    ],
)
def test_explain(type_: str, instance: Any, expected: list[tuple[str, str, str]]) -> None:
    got = explain(type_, instance)
    assert [(k, p) for k, p, _ in got] == [(k, p) for k, p, _ in expected]
    for (_, _, sentence), (_, _, start) in zip(got, expected, strict=True):
        assert sentence.startswith(start)


def test_explain_stays_short_and_safe_on_huge_values() -> None:
    from lambda_agent_api.protocol.strict_json import loads

    [(_, _, sentence)] = explain(
        "AGENT_EVENT_TEXT_CHUNK", {"type": "AGENT_EVENT_TEXT_CHUNK", "text": ["x" * 10**6]}
    )
    assert len(sentence) < 200
    huge = loads(
        '{"type": "AGENT_EVENT_TEXT_CHUNK", "text": ' + "9" * 5000 + "}", max_number_digits=5000
    )
    [(_, _, sentence)] = explain("AGENT_EVENT_TEXT_CHUNK", huge)
    assert "an integer of" in sentence


def test_explain_refuses_an_unknown_type() -> None:
    with pytest.raises(KeyError, match="NOPE"):
        explain("NOPE", {})


@pytest.mark.parametrize(
    ("path", "unsafe"),
    [
        ("reports/a.pdf", False),
        ("a..b/c..", False),
        ("..hidden", False),
        ("", False),
        ("/etc/passwd", True),
        ("\\\\server\\share", True),
        ("C:\\x", True),
        ("c:/x", True),
        ("..", True),
        ("a/../b", True),
        ("a\\..\\b", True),
        ("./../b", True),
    ],
)
def test_unsafe_paths(path: str, unsafe: bool) -> None:
    found = rules(
        frame({"type": "STATUS"}),
        frame({"type": "USER_MESSAGE", "text": "x", "attachments": ["ok", path]}, "send", 1),
        frame({"type": "AGENT_EVENT_SEND_FILE", "path": path}, seq=2),
        frame({"type": "AGENT_EVENT_END", "tokens_used": 1}, seq=3),
    )
    assert found == (["W003", "W003"] if unsafe else [])


def test_workspace_paths_are_the_schema_fields_about_workspace() -> None:
    for type_, (field, is_list) in WORKSPACE_PATHS.items():
        path = message_schema_path(type_)
        assert path is not None
        prop = schema(path)["properties"][field]
        assert prop["type"] == ("array" if is_list else "string")
        assert "/workspace" in prop["description"]


def test_unknown_fields_on_both_paths() -> None:
    fast = validate([frame({"type": "STATUS", "x": 1, "y": [2]})]).diagnostics
    slow = validate([frame('{"type": "STATUS", "x": 1, "y": [2], "z": "\\ud800"}')]).diagnostics
    assert [(d.rule.id, d.pointer) for d in fast] == [("W002", "/x"), ("W002", "/y")]
    assert [(d.rule.id, d.pointer) for d in slow] == [
        ("W002", "/x"),
        ("W002", "/y"),
        ("W002", "/z"),
    ]


def test_summary_counts_and_strictness() -> None:
    summary = Summary(counts={"P003": 2, "W001": 1})  # type: ignore[arg-type]
    assert (summary.errors, summary.warnings) == (2, 1)
    assert summary.failed()
    warnings_only = Summary(counts={"W001": 1})  # type: ignore[arg-type]
    assert not warnings_only.failed()
    assert warnings_only.failed(strict=True)


def test_diagnostic_as_json() -> None:
    har = Connection("s.har", CaptureFormat.HAR, "entries[2]", 2, "wss://x/")
    diagnostic = Diagnostic(RULES["S001"], "m", har, 4, 6, "STATUS", "/a", "type")
    assert diagnostic.to_dict() == {
        "kind": "finding",
        "rule": "S001",
        "name": "schema-violation",
        "severity": "error",
        "message": "m",
        "source": "s.har",
        "connection": "entries[2]",
        "connection_url": "wss://x/",
        "frame": 4,
        "line": None,
        "entry": 2,
        "entry_message": 6,
        "type": "STATUS",
        "pointer": "/a",
        "keyword": "type",
        "docs": "https://agent-api.lambda.coredump.ru/rules/#s001",
    }
    assert diagnostic.where == "entries[2]._webSocketMessages[6]"
