"""The server probe: every MUST passes against MockServer, and each broken server fails its check.

The broken servers are MockServer scripts or the small sans-I/O server of
``support.raw_server``, each wrong in one way; the probe must fail exactly
the check about that, and nothing else at any level. Time limits are short
options (a probe never waits past them); where a server is correct they are
generous, so that a slow machine cannot fail a test.
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from support.processes import run_cli
from support.raw_server import RawAgentServer

from lambda_agent_api.cli import main
from lambda_agent_api.exceptions import ProbeError
from lambda_agent_api.probe import (
    CHECKS,
    Level,
    ProbeOptions,
    ProbeReport,
    Status,
    format_text,
    junit_xml,
    parse_expected_failures,
    run_probe,
    write_json,
)
from lambda_agent_api.probe.results import Ledger
from lambda_agent_api.protocol.messages import (
    MsgEventEnd,
    MsgEventTextChunk,
    MsgEventToolCallChunk,
    MsgEventToolResult,
)
from lambda_agent_api.testing import MockServer, Raw
from lambda_agent_api.testing.demo import demo_script

ROOT = Path(__file__).resolve().parent.parent
JUNIT_XSD = ROOT / "tests" / "fixtures" / "junit" / "jenkins-junit-10.xsd"
GUARD = 60.0
"""A guard against hangs only: no probe here comes near it."""

# Generous where the server is correct; a probe only waits them out where it is not.
FAST: dict[str, Any] = {
    "status_timeout": 5.0,
    "timeout": 5.0,
    "reply_timeout": 5.0,
    "idle": 0.1,
    "settle": 0.0,
}


async def probe(url: str, **options: Any) -> ProbeReport:
    report = await asyncio.wait_for(run_probe(url, ProbeOptions(**{**FAST, **options})), GUARD)
    assert report.error is None, report.error
    return report


def failed(report: ProbeReport) -> set[str]:
    return {r.check.id for r in report.failed}


# Against good servers


async def test_every_must_passes_against_the_mock_server() -> None:
    async with MockServer() as server:
        report = await probe(server.base_url)
    assert failed(report) == set(), format_text(report, verbose=True)
    assert report.exit_code == 0
    musts = [r for r in report.results if r.check.level is Level.MUST]
    # Only what an echo server cannot show is skipped: a tool call, a graceful disconnect.
    assert {r.check.id for r in musts if r.status is Status.SKIPPED} == {
        "tool-call-json",
        "graceful-disconnect-close",
    }
    # MockServer answers one message at a time: a second one in flight waits its turn.
    in_flight = report.result("message-in-flight")
    assert in_flight.status is Status.PASSED
    assert "answered both, one after the other" in in_flight.notes[0].message
    # Every scenario used its own chat, under the prefix.
    chats = {request.path.split("/")[3] for request in server.requests}
    assert len(chats) == 9
    assert all(chat.startswith(report.chat_prefix + "-") for chat in chats)


async def test_messages_reach_the_agent_and_tool_calls_and_disconnects_are_checked() -> None:
    async with MockServer(demo_script) as server:
        report = await probe(server.base_url, messages=("hello", "use a tool", "bye"))
    assert failed(report) == set(), format_text(report, verbose=True)
    assert report.result("tool-call-json").status is Status.PASSED
    assert report.result("graceful-disconnect-close").status is Status.PASSED
    texts = [message.text for _, message in server.received]
    assert texts.count("use a tool") == 1
    assert texts.count("bye") == 1
    # Every other scenario used the first prompt, and nothing else was sent.
    assert set(texts) == {"hello", "use a tool", "bye"}


async def test_the_raw_test_server_is_correct_when_told_nothing() -> None:
    async with RawAgentServer() as server:
        report = await probe(server.base_url)
    assert failed(report) == set(), format_text(report, verbose=True)


# Against servers broken in one way each

NO_STATUS: dict[str, Any] = {"status_timeout": 0.1, "timeout": 0.6}
"""For a server that sends no STATUS: each scenario waits for one."""


BROKEN_MOCKS = {
    "no STATUS": ({"greeting": []}, NO_STATUS, "status-first"),
    "END missing": (
        {"script": [MsgEventTextChunk(text="never ends")]},
        {"reply_timeout": 0.2},
        "response-ends",
    ),
    "two ENDs": (
        {
            "script": [
                MsgEventTextChunk(text="hi"),
                MsgEventEnd(tokens_used=1),
                MsgEventEnd(tokens_used=1),
            ]
        },
        {"settle": 0.1},
        "response-ends",
    ),
    "garbage frames": (
        {"script": [MsgEventTextChunk(text="hi"), Raw("{garbage"), MsgEventEnd(tokens_used=1)]},
        {},
        "frames-valid",
    ),
    "tool-call arguments that are not JSON": (
        {
            "script": [
                MsgEventToolCallChunk(tool_name="search", args_chunk='{"q": '),
                MsgEventToolCallChunk(args_chunk="oops}"),
                MsgEventToolResult(tool_name="search", result=[]),
                MsgEventEnd(tokens_used=1),
            ]
        },
        {},
        "tool-call-json",
    ),
    "a frame after GRACEFUL_DISCONNECT": (
        {
            "script": [
                MsgEventEnd(tokens_used=1),
                Raw('{"type": "GRACEFUL_DISCONNECT"}'),
                Raw('{"type": "STATUS"}'),
            ]
        },
        {},
        "graceful-disconnect-close",
    ),
    "tokens_used negative": (
        {"script": [Raw('{"type": "AGENT_EVENT_END", "tokens_used": -1}')]},
        {},
        "tokens-used",
    ),
}


@pytest.mark.parametrize("name", list(BROKEN_MOCKS))
async def test_a_broken_mock_server_fails_exactly_its_check(name: str) -> None:
    server_options, probe_options, check_id = BROKEN_MOCKS[name]
    async with MockServer(**server_options) as server:
        report = await probe(server.base_url, **probe_options)
    assert failed(report) == {check_id}, format_text(report, verbose=True)
    assert report.exit_code == 1


BROKEN_RAW = {
    "STATUS late": ({"status_delay": 0.15}, {"status_timeout": 0.05}, "status-first"),
    "busy chat accepted": ({"accept_busy": True}, {}, "busy-refused"),
    "invalid message ignored": (
        {"answer_invalid": False},
        {"timeout": 0.5},
        "invalid-message-error",
    ),
    "close answered with 1011": ({"close_reply": 1011}, {}, "close-answered"),
    "unknown field refused": (
        {"refuse_fields": frozenset({"probe_extension"})},
        {},
        "extra-fields-tolerated",
    ),
    "attachments refused": (
        {"refuse_fields": frozenset({"attachments"})},
        {},
        "attachments-accepted",
    ),
    "pings unanswered": ({"answer_pings": False}, {"timeout": 0.5}, "ping-answered"),
    "close answered by cutting the connection": ({"close_reply": None}, {}, "close-answered"),
}


@pytest.mark.parametrize("name", list(BROKEN_RAW))
async def test_a_broken_raw_server_fails_exactly_its_check(name: str) -> None:
    server_options, probe_options, check_id = BROKEN_RAW[name]
    async with RawAgentServer(**server_options) as server:
        report = await probe(server.base_url, **probe_options)
    assert failed(report) == {check_id}, format_text(report, verbose=True)


async def test_the_probe_never_hangs_on_a_silent_server() -> None:
    options = {"status_timeout": 0.1, "timeout": 0.1, "reply_timeout": 0.1, "settle": 0.0}
    async with RawAgentServer(silent=True) as server:
        report = await probe(server.base_url, **options)
    assert report.exit_code == 1
    assert {"status-first", "response-ends", "ping-answered", "close-answered"} <= failed(report)


async def test_a_server_that_never_finishes_the_handshake_fails_the_handshake() -> None:
    async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.read()  # reads the request, answers nothing, until the client leaves
        finally:
            writer.close()

    tcp = await asyncio.start_server(mute, "127.0.0.1", 0)
    port = tcp.sockets[0].getsockname()[1]
    try:
        report = await probe(f"ws://127.0.0.1:{port}/", timeout=0.2)
    finally:
        tcp.close()
        await tcp.wait_closed()
    assert failed(report) == {"handshake-path"}
    assert (
        "no WebSocket handshake within 0.2 s" in report.result("handshake-path").failures[0].message
    )


async def test_a_wrong_path_fails_the_handshake_and_skips_the_rest() -> None:
    async with MockServer(path_prefix="/api") as server:
        report = await probe(f"ws://127.0.0.1:{server.port}/")
    assert failed(report) == {"handshake-path"}
    assert len(server.requests) == 1  # the other scenarios need a connection: not run
    assert report.result("busy-refused").notes[0].message == "not run: no WebSocket could be opened"
    assert "HTTP 403" in report.result("handshake-path").failures[0].message


async def test_an_unreachable_server_or_a_bad_url_could_not_run() -> None:
    async with MockServer() as server:
        port = server.port
    report = await run_probe(f"ws://127.0.0.1:{port}/", ProbeOptions(**FAST))
    assert report.exit_code == 2
    assert report.error is not None
    assert "Connection refused" in report.error
    for url in ("ftp://example.org/", "ws://", "not a url"):
        report = await run_probe(url)
        assert report.exit_code == 2, url


# Selection and the baseline


async def test_only_and_skip_select_checks() -> None:
    async with RawAgentServer(close_reply=1011) as server:
        only = await probe(server.base_url, only=frozenset({"ping-answered"}))
        skipped = await probe(server.base_url, skip=frozenset({"close-answered"}))
    assert only.result("ping-answered").status is Status.PASSED
    assert only.result("busy-refused").status is Status.SKIPPED
    assert only.result("close-answered").status is Status.SKIPPED  # not selected
    assert failed(only) == set()
    assert failed(skipped) == set()
    with pytest.raises(ValueError, match="no such check"):
        await run_probe("ws://127.0.0.1:1/", ProbeOptions(only=frozenset({"nope"})))


async def test_expected_failures_pass_and_a_stale_entry_fails() -> None:
    async with RawAgentServer(close_reply=1011) as server:
        report = await probe(
            server.base_url, expected_failures=frozenset({"close-answered", "ping-answered"})
        )
    assert report.result("close-answered").status is Status.EXPECTED_FAILURE
    assert report.result("ping-answered").status is Status.STALE
    assert failed(report) == {"ping-answered"}
    assert report.exit_code == 1
    assert "remove it from the baseline" in format_text(report)


def test_baselines_are_json_or_a_small_yaml_subset() -> None:
    yaml_text = "# known\nprobe:\n  - status-first   # issue 7\n  - 'ping-answered'\n"
    assert parse_expected_failures(yaml_text) == {"status-first", "ping-answered"}
    assert parse_expected_failures('["busy-refused"]') == {"busy-refused"}
    assert parse_expected_failures('{"probe": ["busy-refused"]}') == {"busy-refused"}
    assert parse_expected_failures("[]") == frozenset()
    with pytest.raises(ProbeError, match="no such check"):
        parse_expected_failures("- status-frist\n")
    with pytest.raises(ProbeError, match="line 2: not understood"):
        parse_expected_failures("- status-first\nfoo: {bar: 1}\n")
    with pytest.raises(ProbeError, match="not JSON"):
        parse_expected_failures('["status-first",')


# Reports


async def test_the_junit_report_validates_against_the_junit_schema() -> None:
    schema = xmlschema.XMLSchema(str(JUNIT_XSD))
    async with RawAgentServer(close_reply=1011) as server:
        report = await probe(server.base_url, expected_failures=frozenset({"ping-answered"}))
    xml = junit_xml(report)
    schema.validate(xml.decode())
    cases = schema.to_dict(xml.decode())["testsuite"][0]["testcase"]
    by_name = {case["@name"]: case for case in cases}
    assert set(by_name) == set(CHECKS)
    assert "failure" in by_name["close-answered"]
    assert "failure" in by_name["ping-answered"]  # stale
    assert "skipped" in by_name["tool-call-json"]
    could_not_run = await run_probe("ftp://x/")
    schema.validate(junit_xml(could_not_run).decode())


async def test_the_command_line_reports_scores_and_exits_by_the_musts(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.yml"
    baseline.write_text("- invalid-message-code  # fixed since\n")
    junit = tmp_path / "probe.xml"
    timing = ["--idle", "0.1", "--settle", "0.05"]
    async with MockServer() as server:
        run = await run_cli(
            "probe", server.base_url, *timing, "--format", "json",
            "--junit", str(junit), "--expected-failures", str(baseline),
        )  # fmt: skip
    assert "[9/9] idle ... ok" in run.stderr
    xmlschema.XMLSchema(str(JUNIT_XSD)).validate(str(junit))
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["kind"] for line in lines] == ["check"] * len(CHECKS) + ["summary"]
    assert run.code == 1  # the baseline entry is stale
    assert lines[-1]["failed"] == ["invalid-message-code"]
    assert lines[-1]["score"]["MUST"]["failed"] == 0
    stale = next(line for line in lines if line["id"] == "invalid-message-code")
    assert stale["status"] == "stale"
    assert stale["level"] == "SHOULD"


def test_the_text_report_scores_every_level() -> None:
    ledger = Ledger()
    ledger.passed("status-first", "handshake", "STATUS after 0.010 s")
    ledger.failed("busy-refused", "busy-chat", "the second connection was accepted")
    ledger.failed("invalid-message-code", "invalid-messages", 'the code is "BAD"')
    report = ProbeReport("ws://h/", "probe-1", ledger.results(), 1.0)
    text = format_text(report)
    assert "PASS  MUST   status-first" in text
    assert "FAIL  MUST   busy-refused" in text
    assert "[busy-chat] the second connection" in text
    assert "MUST   1/2 passed, 1 failed" in text
    assert "SHOULD 0/1 passed, 1 failed" in text
    assert text.rstrip().splitlines()[-1].startswith("FAILED")
    assert report.exit_code == 1
    painted = format_text(report, paint=lambda mark, status: f"<{status.value}>")
    assert "<failed> MUST   busy-refused" in painted


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["ftp://example.org/"], "ws://"),
        (["ws://127.0.0.1:1/", "--only", "nope"], "no such check: nope"),
        (["ws://127.0.0.1:1/", "--expected-failures", "/nonexistent"], "cannot read"),
        (["--message", "hi"], "a URL is needed"),
    ],
)
def test_the_command_line_could_not_run_is_exit_2(
    args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["probe", *args]) == 2
    out, err = capsys.readouterr()
    assert said in out + err


def test_every_check_traces_to_a_docs_section_and_known_rules() -> None:
    from lambda_agent_api.protocol.rules import RULES

    for check in CHECKS.values():
        page, _, anchor = check.docs.partition("#")
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        if anchor:
            headings = [
                line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")
            ]
            slugs = {_slug(h) for h in headings} | {
                h.split("{#", 1)[1].rstrip("}") for h in headings if "{#" in h
            }
            assert anchor in slugs, (check.id, check.docs)
        assert set(check.rules) <= set(RULES), check.id
    owned = [rule for check in CHECKS.values() for rule in check.rules]
    assert len(owned) == len(set(owned)), "a rule fails one check only"


def _slug(heading: str) -> str:
    import re

    text = re.sub(r"[^\w\s-]", "", heading.lower())
    return re.sub(r"[\s]+", "-", text.strip())


async def test_the_library_call_for_pytest_users() -> None:
    from lambda_agent_api.testing import probe as probe_server

    async with MockServer(demo_script) as server:
        report = await probe_server(
            server.base_url,
            messages=["use a tool"],
            idle=0.1,
            settle=0.0,
            chat_prefix="ci",
            headers={"Authorization": "Bearer probe-token"},
        )
    assert report.exit_code == 0, format_text(report)
    assert report.chat_prefix == "ci"
    assert report.result("tool-call-json").status is Status.PASSED
    assert {request.path for request in server.requests} >= {"/v1/agent_ws/ci-handshake/"}
    assert {r.headers["Authorization"] for r in server.requests} == {"Bearer probe-token"}


async def test_the_probe_never_follows_a_redirect_elsewhere() -> None:
    async def redirect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            location = f"{elsewhere.base_url}v1/agent_ws/0/"
            writer.write(f"HTTP/1.1 302 Found\r\nLocation: {location}\r\n\r\n".encode())
            await writer.drain()
        finally:
            writer.close()

    async with MockServer() as elsewhere:
        tcp = await asyncio.start_server(redirect, "127.0.0.1", 0)
        port = tcp.sockets[0].getsockname()[1]
        try:
            report = await probe(f"ws://127.0.0.1:{port}/")
        finally:
            tcp.close()
            await tcp.wait_closed()
    assert elsewhere.requests == []
    assert failed(report) == {"handshake-path"}
    assert "302 (a redirect to" in report.result("handshake-path").failures[0].message


def test_the_docs_page_lists_every_check_and_its_sample_report_is_current() -> None:
    import re

    page = (ROOT / "docs" / "python" / "probe.md").read_text(encoding="utf-8")
    table = re.findall(r"^\| `([a-z-]+)` \| (MUST|SHOULD|MAY) \|", page, re.MULTILINE)
    assert table == [(c.id, c.level.value) for c in CHECKS.values()]
    sample = re.findall(r"^(?:PASS|FAIL|SKIP|XFAIL|STALE)\s+(MUST|SHOULD|MAY)\s+(\S+)$", page, re.M)
    assert sample == [(c.level.value, c.id) for c in CHECKS.values()]


def test_what_the_server_said_reaches_the_terminal_escaped() -> None:
    ledger = Ledger()
    ledger.failed("busy-refused", "busy-chat", 'closed (1011 "\x1b[2J\x9b31m\u202eevil")')
    report = ProbeReport("ws://h/", "probe-1", ledger.results(), 1.0)
    text = format_text(report)
    assert "\x1b" not in text
    assert "\x9b" not in text
    assert "\u202e" not in text
    assert "\\x1b[2J" in text  # the one escape, as every command prints it
    out = io.StringIO()
    write_json(report, out)
    assert out.getvalue().isascii()


async def test_a_wss_server_is_probed_with_the_given_ssl_context() -> None:
    import ssl

    tls = ROOT / "tests" / "fixtures" / "tls"
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(tls / "localhost.crt", tls / "localhost.key")
    client_context = ssl.create_default_context(cafile=str(tls / "localhost.crt"))
    async with MockServer(ssl=server_context, host="localhost") as server:
        report = await probe(server.base_url, ssl=client_context)
        unknown_ca = await run_probe(server.base_url, ProbeOptions(**FAST))
    assert server.base_url.startswith("wss://")
    assert unknown_ca.exit_code == 2
    assert unknown_ca.error is not None
    assert "CERTIFICATE_VERIFY_FAILED" in unknown_ca.error
    assert failed(report) == set(), format_text(report, verbose=True)
