"""`lambda-agent-api schema diff`: output formats, exit codes, captures as evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambda_agent_api.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "schema-diff"
SESSION = ROOT / "examples" / "session.jsonl"


def case(name: str) -> tuple[str, str]:
    return str(FIXTURES / name / "old"), str(FIXTURES / name / "new")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("reshaped_same_meaning", 0),
        ("message_added_server", 0),  # compatible for tolerant readers
        ("field_renamed", 1),
        ("message_removed_client", 1),
    ],
)
def test_exit_code_says_whether_anything_breaks(
    name: str, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "diff", *case(name)]) == code
    assert capsys.readouterr().out.startswith("schema diff ")


def test_strict_counts_tolerant_as_breaking(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "diff", "--strict", *case("message_added_server")]) == 1
    assert "TOLERANT  server -> client  SEND_FILE" in capsys.readouterr().out


def test_text_shows_pointer_reason_and_counterexample(capsys: pytest.CaptureFixture[str]) -> None:
    main(["schema", "diff", *case("field_renamed")])
    out = capsys.readouterr().out
    assert "2 change(s): 1 breaking, 0 compatible for tolerant readers, 1 compatible" in out
    assert "server/end.json#/properties/tokens_used" in out
    assert "`tokens_used` is required by the reader, and the writer may leave it out" in out
    assert 'counterexample: {"type": "END", "tokens": 3}' in out


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "diff", "--format", "json", *case("enum_value_added_client")]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["level"] == "breaking"
    assert data["exit"] == 1
    [change] = data["changes"]
    assert change["pointer"] == "client/user_message.json#/properties/priority"
    verdicts = {v["direction"]: v for v in change["verdicts"]}
    assert verdicts["old server reads new client"]["level"] == "breaking"
    assert verdicts["old server reads new client"]["counterexample"]["priority"] == "urgent"
    assert verdicts["new server reads old client"]["level"] == "compatible"


def test_markdown_format_is_the_migration_notes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "diff", "--format", "markdown", *case("message_added_server")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## Protocol ")
    assert "### Messages the server sends" in out
    assert "- **SEND_FILE** (`server/send_file.json#`): new message type SEND_FILE." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "schema/v1.1"], "'nope' is neither a schema folder nor a released version"),
        (["schema/v1.1", "tests/fixtures/asyncapi"], "no server_message.json"),
        (["schema/v1.1", "{empty}"], "no *.json schema files"),
        (["schema/v1.1", "{twins}"], "is also"),
    ],
)
def test_unusable_input_exits_2_with_one_line(
    args: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    (tmp_path / "empty").mkdir()
    (tmp_path / "twins").mkdir()
    for name in ("a.json", "b.json"):
        (tmp_path / "twins" / name).write_text('{"$id": "https://example.test/same"}', "utf-8")
    args = [a.format(empty=tmp_path / "empty", twins=tmp_path / "twins") for a in args]
    assert main(["schema", "diff", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_a_schema_file_that_is_not_json_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "server_message.json").write_text('{"oneOf": [NaN]}', "utf-8")
    assert main(["schema", "diff", str(tmp_path), case("field_renamed")[0]]) == 2
    assert "server_message.json: not JSON" in capsys.readouterr().err


def test_control_characters_from_a_schema_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = (Path(p) for p in case("field_added_optional_client"))
    copy = tmp_path / "new"
    for path in new.rglob("*.json"):
        target = copy / path.relative_to(new)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text("utf-8").replace('"reply_to"', '"evil\\u001b[2J"'))
    assert main(["schema", "diff", str(old), str(copy)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "evil\\x1b[2J" in out


def write_capture(path: Path, frames: list[tuple[str, dict[str, object]]]) -> None:
    lines = [
        json.dumps({"ts": 1.0 + i, "dir": d, "data": json.dumps(m)})
        for i, (d, m) in enumerate(frames)
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")


def test_captures_list_the_frames_the_new_version_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_capture(
        tmp_path / "a.jsonl",
        [
            ("recv", {"type": "STATUS"}),
            ("send", {"type": "USER_MESSAGE", "text": "hi"}),
            ("recv", {"type": "END", "tokens_used": 3}),
            ("recv", {"type": "END"}),  # already invalid in the old version
        ],
    )
    code = main(
        ["schema", "diff", "--format", "json", "--captures", str(tmp_path), *case("field_renamed")]
    )
    assert code == 1
    captures = json.loads(capsys.readouterr().out)["captures"]
    assert captures["files"] == 1
    assert captures["frames"] == 4
    assert captures["invalid_before"] == 1
    [refused] = captures["became_invalid"]
    assert refused["where"].endswith("a.jsonl: line 3")
    assert refused["type"] == "END"
    assert refused["side"] == "server"
    assert "'tokens' is a required property" in refused["reason"]


def test_v1_1_traffic_against_v1_0_shows_the_new_message_as_unknown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["schema", "diff", "--captures", str(SESSION), "schema/v1.1", "schema/v1.0"])
    out = capsys.readouterr().out
    assert code == 0  # an unknown type is for tolerant readers; --strict would fail
    assert "1 valid before and refused now" in out
    assert "AGENT_EVENT_SEND_FILE (server): unknown type (a tolerant reader ignores it)" in out


def test_schema_still_prints_files_and_refuses_stray_arguments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schema", "STATUS"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "MsgStatus"
    assert main(["schema", "STATUS", "extra"]) == 2
    assert "unexpected arguments: extra" in capsys.readouterr().err


@pytest.mark.timeout(60)
def test_a_hostile_pattern_is_never_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # ^(a+)+$ backtracks exponentially on "aaa...a!": the diff must not run it.
    old, new = (Path(p) for p in case("field_added_optional_client"))
    copy = tmp_path / "new"
    evil = "a" * 60 + "!"
    for path in new.rglob("*.json"):
        target = copy / path.relative_to(new)
        target.parent.mkdir(parents=True, exist_ok=True)
        doc = json.loads(path.read_text("utf-8"))
        if path.name == "user_message.json":
            doc["properties"]["text"]["pattern"] = "^(a+)+$"
            doc["examples"] = [{"type": "USER_MESSAGE", "text": evil}]
        target.write_text(json.dumps(doc), "utf-8")
    write_capture(tmp_path / "c.jsonl", [("send", {"type": "USER_MESSAGE", "text": evil})])
    code = main(["schema", "diff", "--captures", str(tmp_path / "c.jsonl"), str(old), str(copy)])
    out = capsys.readouterr().out
    assert code == 1
    assert "the reader's pattern is \"^(a+)+$\", the writer's is unset" in out
