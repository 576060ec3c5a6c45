"""`lambda-agent-api validate` and `rules`: output, options and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.fixtures import FIXTURES

from lambda_agent_api.cli import main
from lambda_agent_api.cli.console import use_color
from lambda_agent_api.cli.progress import ProgressBar, render
from lambda_agent_api.protocol.rules import RULES

ROOT = FIXTURES.parent.parent
EXAMPLES = ROOT / "examples"
CONVERSATIONS = FIXTURES / "conversations"


def validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def json_report(out: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    lines = [json.loads(line) for line in out.splitlines()]
    return lines[:-1], lines[-1]


def write(path: Path, *lines: Any) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def record(data: dict[str, Any], direction: str = "recv", **extra: Any) -> dict[str, Any]:
    return {"ts": 1.0, "dir": direction, "data": json.dumps(data), **extra}


STATUS = record({"type": "STATUS"})
ASK = record({"type": "USER_MESSAGE", "text": "hi"}, "send")


def test_the_readme_example_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = validate(capsys, str(EXAMPLES / "session.jsonl"))
    assert code == 0
    assert err == ""
    assert out.endswith("No problems found.\n")
    assert "Checked 1 file: 1 connection, " in out


def test_the_har_example_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = validate(capsys, "--format", "json", str(EXAMPLES / "session.har"))
    findings, summary = json_report(out)
    assert (code, findings, summary["connections"]) == (0, [], 1)
    assert summary["frames"] > 20


def test_the_broken_example_shows_findings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = validate(capsys, str(EXAMPLES / "broken.jsonl"))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == str(EXAMPLES / "broken.jsonl")
    assert lines[1].startswith("  line 1: P001 error: ")
    assert "  end: P007 error: " in out
    assert "\x1b[" not in out  # not a terminal: no colour
    summary = out[out.index("Checked 1 file") :]
    for rule_id in ["P001", "P004", "S001", "T001", "T002", "T003", "W001", "W002", "W003"]:
        assert f"  {rule_id}  {RULES[rule_id].name}" in summary
        assert RULES[rule_id].url in summary


def test_findings_are_grouped_by_connection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path / "two.jsonl",
        {**STATUS, "conn": "a"},
        {**STATUS, "conn": "b"},
        {**record({"type": "AGENT_EVENT_END", "tokens_used": 1}), "conn": "a"},
        {**record({"type": "AGENT_EVENT_END", "tokens_used": 1}), "conn": "b"},
        {**record({"type": "AGENT_EVENT_END", "tokens_used": 1}), "conn": "a"},
    )
    code, out, _ = validate(capsys, str(path))
    assert code == 1
    blocks = out.split("\n\n")
    assert blocks[0].splitlines() == [
        f"{path} conn a",
        "  line 3: P003 error: AGENT_EVENT_END arrived while no response was in flight",
        "  line 5: P003 error: AGENT_EVENT_END arrived while no response was in flight",
    ]
    assert blocks[1].splitlines()[0] == f"{path} conn b"


def test_json_output_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = validate(capsys, "--format", "json", str(EXAMPLES / "broken.jsonl"))
    findings, summary = json_report(out)
    assert code == 1
    keys = {
        "kind", "rule", "name", "severity", "message", "source", "connection", "connection_url",
        "frame", "line", "entry", "entry_message", "type", "pointer", "keyword", "docs",
    }  # fmt: skip
    assert all(set(f) == keys for f in findings)
    assert summary == {
        "kind": "summary",
        "files": 1,
        "connections": 1,
        "frames": 12,
        "records_skipped": 1,
        "errors": sum(1 for f in findings if f["severity"] == "error"),
        "warnings": sum(1 for f in findings if f["severity"] == "warning"),
        "rules": summary["rules"],
        "strict": False,
        "stopped_after": None,
        "unreadable": [],
        "ok": False,
        "exit_code": 1,
    }
    assert sum(summary["rules"].values()) == len(findings)


def test_strict_makes_warnings_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "w.jsonl", record({"type": "STATUS", "extra": 1}))
    code, out, _ = validate(capsys, str(path))
    assert code == 0
    assert "Found 0 errors and 1 warning:" in out
    code, out, _ = validate(capsys, "--strict", str(path))
    assert code == 1
    assert "--strict" in out


def test_max_errors_stops_early(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event = record({"type": "AGENT_EVENT_END", "tokens_used": 1})
    path = write(tmp_path / "many.jsonl", STATUS, *[event] * 50)
    code, out, _ = validate(capsys, "--format", "json", "--max-errors", "3", str(path))
    findings, summary = json_report(out)
    assert code == 1
    assert len(findings) == 3
    assert summary["stopped_after"] == 3
    code, out, _ = validate(capsys, "--max-errors", "3", str(path), str(path))
    assert "Stopped after 3 errors (--max-errors)." in out
    assert "Checked 1 file:" in out


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_max_errors_must_be_positive(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["validate", "--max-errors", value, "x"])
    assert caught.value.code == 2
    assert "at least 1" in capsys.readouterr().err


def test_unreadable_inputs_exit_2_and_the_rest_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.jsonl"
    code, out, err = validate(
        capsys, str(missing), str(tmp_path), str(EXAMPLES / "session.jsonl"), "--format", "json"
    )
    assert code == 2
    assert err.splitlines() == [
        f"lambda-agent-api validate: {missing}: No such file or directory",
        f"lambda-agent-api validate: {tmp_path}: Is a directory",
    ]
    _, summary = json_report(out)
    assert summary["frames"] == 34
    assert [u["source"] for u in summary["unreadable"]] == [str(missing), str(tmp_path)]


def test_a_har_that_is_not_a_har(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.har"
    path.write_text('{"not": "a har"}')
    code, out, err = validate(capsys, str(path))
    assert code == 2
    assert err == f'lambda-agent-api validate: {path}: not a HAR file: it has no "log" object\n'
    assert "Could not read" in out


def test_input_format_overrides_detection(capsys: pytest.CaptureFixture[str]) -> None:
    session = str(EXAMPLES / "session.jsonl")
    code, _, err = validate(capsys, "--input-format", "har", session)
    assert (code, "not a HAR" in err) == (2, True)
    code, out, _ = validate(capsys, "--input-format", "messages", "--format", "json", session)
    findings, _ = json_report(out)
    assert code == 1
    assert {f["rule"] for f in findings} == {"S001"}  # records are not messages: no "type"


def test_several_files_and_conversation_fixtures(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in (CONVERSATIONS / "valid").iterdir())
    code, out, _ = validate(capsys, *files)
    assert code == 0
    assert f"Checked {len(files)} files: " in out


def test_standard_input() -> None:
    data = (EXAMPLES / "broken.jsonl").read_bytes()
    result = subprocess.run(
        [sys.executable, "-m", "lambda_agent_api", "validate", "--format", "json", "-"],
        input=data,
        capture_output=True,
        check=False,
    )
    findings = [json.loads(line) for line in result.stdout.splitlines()[:-1]]
    assert result.returncode == 1
    assert {f["source"] for f in findings} == {"<stdin>"}
    assert result.stderr == b""


def test_standard_input_is_read_when_no_file_is_named() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lambda_agent_api", "validate", "--format", "json"],
        input=(EXAMPLES / "broken.jsonl").read_bytes(),
        capture_output=True,
        check=False,
    )
    findings = [json.loads(line) for line in result.stdout.splitlines()[:-1]]
    assert result.returncode == 1
    assert findings
    assert {f["source"] for f in findings} == {"<stdin>"}


def test_no_file_and_a_terminal_on_standard_input_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", TerminalIn())
    code, out, err = validate(capsys)
    assert code == 2
    assert out == ""
    assert "no FILE given, and standard input is a terminal" in err
    assert "lambda-agent-api validate < capture.jsonl" in err


def test_a_missing_files_reason_is_printed_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.jsonl"
    code, out, err = validate(capsys, str(missing))
    assert code == 2
    assert (out + err).count("No such file or directory") == 1
    assert f"Could not read {missing} (the reason is above)." in out


def test_standard_input_har() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lambda_agent_api", "validate", "-"],
        input=(EXAMPLES / "session.har").read_bytes(),
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0
    assert b"No problems found." in result.stdout


def test_color(capsys: pytest.CaptureFixture[str]) -> None:
    broken = str(EXAMPLES / "broken.jsonl")
    _, out, _ = validate(capsys, "--color", "always", broken)
    assert "\x1b[31;1mP001\x1b[0m" in out
    _, out, _ = validate(capsys, "--color", "never", broken)
    assert "\x1b[" not in out


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class TerminalIn(io.TextIOWrapper):
    """Standard input on a terminal: nothing must be read from it."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO())

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("choice", "tty", "environ", "expected"),
    [
        ("auto", True, {}, True),
        ("auto", True, {"NO_COLOR": "1"}, False),
        ("auto", True, {"NO_COLOR": ""}, True),
        ("auto", False, {}, False),
        ("always", False, {"NO_COLOR": "1"}, True),
        ("never", True, {}, False),
    ],
)
def test_use_color(choice: str, tty: bool, environ: dict[str, str], expected: bool) -> None:
    out = Terminal() if tty else io.StringIO()
    assert use_color(choice, out, environ) is expected


def test_progress_bar_text() -> None:
    assert render("big.jsonl", 0, 4096, width=10) == "big.jsonl [----------]   0% 0 B / 4.0 KiB"
    assert render("x", 3 * 1024**3, 6 * 1024**3, width=4) == "x [##--]  50% 3.0 GiB / 6.0 GiB"
    assert render("x", 9, 0, width=2).startswith("x [##] 100%")


def test_progress_bar_draws_at_most_ten_times_a_second_and_clears() -> None:
    out = io.StringIO()
    ticks = iter(range(1000))
    bar = ProgressBar(out, "f", 100, lambda: 50, clock=lambda: next(ticks) * 0.06)
    items = list(bar.wrap(range(4096 * 4)))
    assert len(items) == 4096 * 4
    text = out.getvalue()
    assert text.count("\r") == 3  # every other look at the clock, then the clear
    assert "f [###############---------------]  50%" in text
    assert text.endswith("\r\x1b[K")


def test_rules_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(RULES)
    # Each line links to the rule's section of the docs, as the help says.
    assert [line.split()[3] for line in lines] == [rule.url for rule in RULES.values()]
    assert all(
        line.endswith(rule.summary) for line, rule in zip(lines, RULES.values(), strict=True)
    )
    assert main(["rules", "p003", "W001", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert rules[0] == {
        "id": "P003",
        "name": "event-outside-response",
        "severity": "error",
        "summary": RULES["P003"].summary,
        "url": "https://agent-api.lambda.coredump.ru/rules/#p003",
    }
    assert [r["id"] for r in rules] == ["P003", "W001"]


def test_rules_command_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "X999"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no rule X999" in err
