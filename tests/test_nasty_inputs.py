"""Garbage in, a clear report out: never a traceback, never a hang, memory flat.

The corpus in tests/fixtures/nasty/ says what each file must give
(``expect.json``); the huge inputs are generated here instead of committed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.fixtures import FIXTURES

from lambda_agent_api.cli import main

NASTY = FIXTURES / "nasty"
MANIFEST = json.loads((NASTY / "expect.json").read_text(encoding="utf-8"))["files"]
STATUS = json.dumps({"ts": 1.0, "dir": "recv", "data": '{"type":"STATUS"}'})
ASK = json.dumps({"ts": 1.0, "dir": "send", "data": '{"type":"USER_MESSAGE","text":"hi"}'})
END = json.dumps({"ts": 1.0, "dir": "recv", "data": '{"type":"AGENT_EVENT_END","tokens_used":1}'})


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["validate", "--format", "json", *args])
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines, "the JSON report ends with a summary"
    summary = lines[-1]
    assert summary["kind"] == "summary"
    assert all(line["kind"] == "finding" for line in lines[:-1])
    assert summary["exit_code"] == code
    assert "Traceback" not in err
    assert "internal error" not in err
    assert err.count("\n") <= len(args), "at most one line of reason per input"
    return code, summary, err


def test_the_corpus_is_all_described() -> None:
    files = {p.name for p in NASTY.iterdir() if p.name != "expect.json"}
    assert files == set(MANIFEST)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_nasty_file(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    expected = MANIFEST[name]
    code, summary, err = run(capsys, *expected.get("args", []), str(NASTY / name))
    assert code == expected["exit"]
    assert summary["rules"] == expected["rules"]
    assert summary["frames"] == expected["frames"]
    assert bool(err) == (code == 2)


def test_nasty_files_under_every_input_format(capsys: pytest.CaptureFixture[str]) -> None:
    for name in sorted(MANIFEST):
        for input_format in ("jsonl", "messages", "har"):
            code, _, _ = run(capsys, "--input-format", input_format, str(NASTY / name))
            assert code in (0, 1, 2)


def test_a_100_mb_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "x" * (100 * 1024 * 1024)
    chunk = json.dumps({"type": "AGENT_EVENT_TEXT_CHUNK", "text": text})
    big = json.dumps({"ts": 1.0, "dir": "recv", "data": chunk})
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join([STATUS, ASK, big, END]) + "\n", encoding="utf-8")
    del text, chunk, big
    code, summary, _ = run(capsys, str(path))
    # Beyond the validator's frame limit (16 MiB): reported, not parsed.
    assert (code, summary["frames"], summary["rules"]) == (1, 4, {"F006": 1})
    code, summary, _ = run(capsys, "--max-frame-bytes", str(200 * 1024 * 1024), str(path))
    assert (code, summary["frames"], summary["rules"]) == (0, 4, {})


def test_a_100_mb_line_of_garbage_without_newline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "garbage.jsonl"
    path.write_bytes(STATUS.encode() + b"\n" + b"\x00x{" * (35 * 1024 * 1024))
    code, summary, _ = run(capsys, str(path))
    assert (code, summary["frames"], summary["rules"]) == (1, 1, {"C001": 1})


DEEP = 100_000


@pytest.mark.parametrize(
    ("name", "content", "rules"),
    [
        ("record.jsonl", "[" * DEEP + "]" * DEEP, {"C001": 1}),
        ("object.jsonl", '{"a":' * DEEP + "1" + "}" * DEEP, {"C001": 1}),
        (
            "frame.jsonl",
            json.dumps({"ts": 1, "dir": "recv", "data": "[" * DEEP + "]" * DEEP}),
            {"F002": 1},
        ),
        ("unclosed.jsonl", json.dumps({"ts": 1, "dir": "recv", "data": "{" * DEEP}), {"F002": 1}),
        # Valid JSON, but deeper than any parser here reads: reported as unreadable.
        ("bare.jsonl", '{"type":"STATUS","x":' + "[" * DEEP + "]" * DEEP + "}", {"F002": 1}),
    ],
)
def test_json_nested_100_000_deep(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str,
    rules: dict[str, int],
) -> None:
    path = tmp_path / name
    lines = [STATUS, content] if name != "bare.jsonl" else [content]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, summary, _ = run(capsys, str(path))
    assert (code, summary["rules"]) == (1, rules)


def test_har_nested_100_000_deep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep = "[" * DEEP + "]" * DEEP
    message = {"type": "receive", "time": 1, "opcode": 1, "data": '{"type":"STATUS"}'}
    document = (
        '{"log": {"pages": '
        + deep
        + ', "entries": [{"_webSocketMessages": ['
        + json.dumps(message)
        + ", "
        + deep
        + ', {"type": "receive", "opcode": 1, "data": '
        + json.dumps(deep)
        + "}]}]}}"
    )
    path = tmp_path / "deep.har"
    path.write_text(document, encoding="utf-8")
    code, summary, _ = run(capsys, str(path))
    assert (code, summary["frames"], summary["rules"]) == (1, 2, {"C001": 1, "F002": 1})


def peak_rss_mib(*args: str) -> float:
    process = subprocess.Popen(
        [sys.executable, "-m", "lambda_agent_api", "validate", "--format", "json", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0
    return usage.ru_maxrss / 1024


def write_session(path: Path, responses: int) -> None:
    chunk = json.dumps(
        {
            "ts": 1.0,
            "dir": "recv",
            "data": json.dumps({"type": "AGENT_EVENT_TEXT_CHUNK", "text": "word " * 8}),
        }
    )
    with path.open("w", encoding="utf-8") as file:
        file.write(STATUS + "\n")
        for _ in range(responses):
            file.write(ASK + "\n" + (chunk + "\n") * 40 + END + "\n")


def test_memory_stays_flat(tmp_path: Path) -> None:
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    write_session(small, 500)  # about 21 000 frames
    write_session(large, 10_000)  # about 420 000 frames, 70 MB
    growth = peak_rss_mib(str(large)) - peak_rss_mib(str(small))
    assert growth < 20, f"peak RSS grew by {growth:.0f} MiB for 20 times the frames"


def test_an_input_with_no_frame_in_its_first_101_records_is_given_up_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text("".join(f"not a record {n}\n" for n in range(5000)), encoding="utf-8")
    code, summary, err = run(capsys, str(path))
    assert code == 2
    assert (summary["rules"], summary["frames"], summary["records_skipped"]) == ({}, 0, 0)
    assert err.count("\n") == 1
    assert "101 records and not one frame" in err
    assert "The rest was not read" in err
    # The text report has no C001 line either: one reason, not a flood.
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert "C001" not in out
    assert err.count("\n") == 1


def test_after_an_input_given_up_the_next_ones_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Large enough for --jobs 2 to cut it into ranges: the workers' results for the rest of
    # the given-up input are dropped, and the next inputs get their own.
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(os.urandom(5 << 20))
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join([STATUS, ASK, END]) + "\n", encoding="utf-8")
    for jobs in ("1", "2"):
        code, summary, err = run(
            capsys, "--jobs", jobs, str(garbage), str(good), str(garbage), str(good)
        )
        assert code == 2
        assert (summary["frames"], summary["rules"]) == (6, {})
        assert err.count("The rest was not read") == 2
        assert [source for source, _ in _unreadable(summary)] == [str(garbage)] * 2


def test_a_capture_with_a_frame_among_its_first_101_records_is_checked_to_its_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "noisy.jsonl"
    bad = "".join(f"not a record {n}\n" for n in range(100))
    path.write_text(bad + STATUS + "\n" + bad + ASK + "\n" + END + "\n", encoding="utf-8")
    code, summary, err = run(capsys, str(path))
    assert (code, summary["frames"], summary["rules"]) == (1, 3, {"C001": 200})
    assert err == ""


def _unreadable(summary: dict[str, Any]) -> list[tuple[str, str]]:
    return [(entry["source"], entry["reason"]) for entry in summary["unreadable"]]
