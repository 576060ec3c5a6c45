"""Nothing untrusted reaches a terminal raw, and every output is valid UTF-8 in any locale.

Each test feeds what an attacker controls (a conn id, a HAR URL, a frame type,
a request path, the agent's text) and checks what the operator would see.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.processes import ENV, run_cli

from lambda_agent_api.cli.chat_view import JsonView, TextView
from lambda_agent_api.cli.console import Style, printable
from lambda_agent_api.protocol.messages import parse_server_message
from lambda_agent_api.testing import MockServer, Raw, text_reply
from lambda_agent_api.transport.proxy import RecordingProxy

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;cHduZWQ=\x07\x9b31m\u202e"
C_LOCALE = {**ENV, "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": ""}


def test_printable_escapes_controls_bidi_and_surrogates() -> None:
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("\x9b\u202e\ud800\udce9") == "\\x9b\\u202e\\ud800\\xe9"
    assert printable("line\nnext\ttab") == "line\\x0anext\\x09tab"
    assert printable("line\nnext\ttab\r", multiline=True) == "line\nnext\ttab\\x0d"
    assert printable("plain é 😀") == "plain é 😀"


def hostile_capture(tmp_path: Path) -> Path:
    # A conn id with terminal escapes, one with a lone surrogate, one with a byte that
    # is not UTF-8; each with a broken frame, so that it shows in the report.
    lines = [
        json.dumps({"ts": 1.0, "dir": "recv", "conn": ESCAPES, "data": "not json"}),
        json.dumps({"ts": 1.0, "dir": "recv", "conn": "\ud800", "data": "not json"}),
        b'{"ts": 1.0, "dir": "recv", "conn": "caf\xe9", "data": "not json"}'.decode("latin-1"),
        json.dumps({"ts": 1.0, "dir": "recv", "data": json.dumps({"type": ESCAPES + "\ud800"})}),
    ]
    path = tmp_path / f"c{ESCAPES[:3]}.jsonl"
    path.write_bytes(
        "\n".join(lines).encode("utf-8", "surrogatepass").replace(b"caf\xc3\xa9", b"caf\xe9")
    )
    return path


def hostile_har(tmp_path: Path) -> Path:
    har = {
        "log": {
            "entries": [
                {
                    "request": {"url": "wss://x/" + ESCAPES + "\ud800"},
                    "_webSocketMessages": [
                        {"type": "receive", "time": 1, "opcode": 1, "data": "not json"},
                        {"type": ESCAPES, "time": 1, "opcode": 1, "data": "{}"},
                    ],
                }
            ]
        }
    }
    path = tmp_path / "h.har"
    path.write_text(json.dumps(har), encoding="utf-8")
    return path


@pytest.mark.parametrize("env", [ENV, C_LOCALE], ids=["utf-8", "C locale"])
@pytest.mark.parametrize("format", ["text", "json"])
@pytest.mark.parametrize("make", [hostile_capture, hostile_har])
def test_validate_reports_hostile_names_escaped_in_any_locale(
    tmp_path: Path, env: dict[str, str], format: str, make: object
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    done = subprocess.run(
        [sys.executable, "-m", "lambda_agent_api", "validate", "--format", format, str(path)],
        capture_output=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert b"internal error" not in done.stderr
    for output in (done.stdout, done.stderr):
        output.decode("utf-8")  # valid UTF-8, whatever the locale
        assert b"\x1b" not in output
        assert b"\xc2\x9b" not in output
        assert "\u202e".encode() not in output
    if format == "json":
        lines = [json.loads(line) for line in done.stdout.splitlines()]
        assert lines[-1]["kind"] == "summary"
    else:
        assert b"\\x1b]0;pwned" in done.stdout


async def test_record_refuses_a_path_with_control_characters() -> None:
    async with MockServer() as server, RecordingProxy(server.base_url) as proxy:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        writer.write(
            b"GET /v1/agent_ws/1/\x1b]0;pwned\x07 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            b"Sec-WebSocket-Version: 13\r\n\r\n"
        )
        answer = await asyncio.wait_for(reader.read(4096), 30)
        writer.close()
        assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 400 Bad Request"
        assert server.requests == []  # never forwarded upstream


def test_chat_shows_agent_text_and_file_paths_escaped() -> None:
    out = io.StringIO()
    view = TextView(out, Style(False))
    for frame in [
        {"type": "AGENT_EVENT_TEXT_CHUNK", "text": "hi\n" + ESCAPES},
        {"type": "AGENT_EVENT_SEND_FILE", "path": "a\x1b[2J.txt"},
        {"type": "AGENT_EVENT_TEXT_CHUNK", "text": "x", "source": "\x1b[31m"},
    ]:
        view.message(parse_server_message(json.dumps(frame)))
    shown = out.getvalue()
    assert "\x1b" not in shown
    assert "\x9b" not in shown
    assert "hi\n\\x1b]0;pwned" in shown  # newlines kept, escapes shown
    assert "a\\x1b[2J.txt" in shown


def test_chat_json_keeps_a_lone_surrogate_chunk_as_its_escape() -> None:
    out = io.StringIO()
    view = JsonView(out)
    view.message(parse_server_message('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"\\ud800é"}'))
    line = out.getvalue()
    line.encode("ascii")  # valid whatever the locale
    assert json.loads(line)["text"] == "\ud800é"  # nothing lost


async def test_chat_exits_non_zero_when_its_display_fails() -> None:
    # A text chunk whose text holds a lone surrogate: the JSON view once lost it and
    # exited 0; any failure to show a response must now say so and fail.
    chunk = Raw('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"\\ud800"}')
    async with MockServer([chunk, *text_reply("after")]) as server:
        done = await run_cli("chat", server.base_url, "-m", "hi", "--json", env=C_LOCALE)
        assert done.code == 0, done.stderr
        texts = [json.loads(line).get("text") for line in done.stdout.splitlines()]
        assert texts[:2] == ["\ud800", "after"]
        digits = Raw('{"type":"AGENT_EVENT_END","tokens_used":' + "9" * 5000 + "}")
    async with MockServer([*text_reply("partial"), digits]) as server:
        done = await run_cli("chat", server.base_url, "-m", "hi", env=C_LOCALE)
        assert done.code != 0
        assert "partial" in done.stdout  # what was received is shown
        assert done.stderr.strip()  # and why it failed is said


@pytest.mark.parametrize(
    "path",
    [
        "file:///etc/passwd",
        "FILE:/etc/passwd",
        "~/.ssh/id_rsa",
        "~root/x",
        " /etc/passwd",
        "a.txt ",
    ],
)
def test_w003_catches_urls_home_directories_and_padded_paths(path: str) -> None:
    from lambda_agent_api.check.checker import workspace_path_problem

    assert workspace_path_problem(path) is not None
    assert workspace_path_problem("notes:2024.md") is None  # a colon is not a URL


def test_empty_and_binary_inputs_are_unusable(tmp_path: Path) -> None:
    import gzip

    cases = {
        "empty.jsonl": b"",
        "data.jsonl.gz": gzip.compress(b'{"ts": 1, "dir": "recv", "data": "{}"}\n' * 100),
        "README.md": b"# A readme\n\nSome text: not a capture.\n" * 50,
        "no_frames.har": json.dumps({"log": {"entries": [{"request": {"url": "x"}}]}}).encode(),
        "random.bin": os.urandom(4 * 1024),
        "more_random.bin": os.urandom(64 * 1024),  # more bad records than are held back
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        done = subprocess.run(
            [sys.executable, "-m", "lambda_agent_api", "validate", str(path)],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 2, (name, done.stdout)
        assert "not a capture" in done.stderr or "unusable input" in done.stderr, name
        if name != "more_random.bin":
            assert done.stdout.count("C001") == 0, name
