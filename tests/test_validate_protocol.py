"""`validate --protocol 1.0` and `Checker(protocol=...)`: traffic against an older version."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from lambda_agent_api.capture import read_capture
from lambda_agent_api.check import Checker, validate
from lambda_agent_api.cli import main

ROOT = Path(__file__).resolve().parent.parent
SESSION = ROOT / "examples" / "session.jsonl"


def capture(frames: list[tuple[str, dict[str, object]]]) -> bytes:
    lines = [
        json.dumps({"ts": 1.0 + i, "dir": d, "data": json.dumps(m)})
        for i, (d, m) in enumerate(frames)
    ]
    return ("\n".join(lines) + "\n").encode()


V1_0_SESSION = capture(
    [
        ("recv", {"type": "STATUS"}),
        ("send", {"type": "USER_MESSAGE", "text": "hi"}),
        ("recv", {"type": "AGENT_EVENT_TEXT_CHUNK", "text": "hello"}),
        ("recv", {"type": "AGENT_EVENT_END", "tokens_used": 3}),
    ]
)


def rules_found(data: bytes, protocol: str | None) -> list[tuple[str, str | None]]:
    result = validate(read_capture(io.BytesIO(data), "t.jsonl"), protocol=protocol)
    return [(d.rule.id, d.type) for d in result.diagnostics]


@pytest.mark.parametrize("protocol", [None, "1.0", "1.1", "v1.0"])
def test_v1_0_traffic_is_clean_in_both_versions(protocol: str | None) -> None:
    assert rules_found(V1_0_SESSION, protocol) == []


def test_v1_1_traffic_against_v1_0_warns_about_what_v1_1_added() -> None:
    found = rules_found(SESSION.read_bytes(), "1.0")
    assert ("W001", "AGENT_EVENT_SEND_FILE") in found
    assert ("W002", "USER_MESSAGE") in found
    assert {rule for rule, _ in found} == {"W001", "W002"}
    assert rules_found(SESSION.read_bytes(), None) == []


def test_the_schema_check_uses_the_version_s_schema() -> None:
    # attachments: null breaks v1.1's schema; v1.0 does not know the field at all.
    bad = capture(
        [
            ("recv", {"type": "STATUS"}),
            ("send", {"type": "USER_MESSAGE", "text": "hi", "attachments": None}),
        ]
    )
    assert ("S001", "USER_MESSAGE") in rules_found(bad, "1.1")
    # (P007: the capture ends with the response still in flight, in both versions.)
    assert rules_found(bad, "1.0") == [("W002", "USER_MESSAGE"), ("P007", None)]
    missing_text = capture([("recv", {"type": "STATUS"}), ("send", {"type": "USER_MESSAGE"})])
    assert rules_found(missing_text, "1.0")[0] == ("S001", "USER_MESSAGE")


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match=r"no released protocol version '0\.9'"):
        Checker("0.9")


def test_cli_protocol_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--protocol", "1.0", str(SESSION)]) == 0
    out = capsys.readouterr().out
    assert 'unknown message type "AGENT_EVENT_SEND_FILE" (not in protocol 1.0)' in out
    assert 'field "attachments" that protocol v1.0 does not define' in out
    assert main(["validate", "--protocol", "1.0", "--strict", str(SESSION)]) == 1
    capsys.readouterr()
    assert main(["validate", "--protocol", "9.9", str(SESSION)]) == 2
    assert "--protocol: no released protocol version '9.9'" in capsys.readouterr().err
