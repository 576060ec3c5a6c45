"""The ecosystem matrix's own logic (tools/ecosystem/matrix.py), without the third-party tools.

`nox -s ecosystem` runs the tools; these tests check what the matrix makes of their
output: the rows and their results, the stated limits, the table and the exit code.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("ecosystem_matrix", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ecosystem_matrix"] = module
    spec.loader.exec_module(module)
    return module


matrix = load(ROOT / "tools" / "ecosystem" / "matrix.py")
CHUNKS = ROOT / "tests" / "fixtures" / "messages" / "AGENT_EVENT_TEXT_CHUNK"


@pytest.fixture(autouse=True)
def rows(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """A fresh table for each test."""
    fresh: list[Any] = []
    monkeypatch.setattr(matrix, "ROWS", fresh)
    return fresh


def fixture(path: Path) -> object:
    (found,) = [f for f in matrix.FIXTURE_LIST if f.path == path]
    return found


def results(rows: list[Any]) -> list[tuple[str, str, str]]:
    return [(r.tool, r.check, r.result) for r in rows]


# -- rows and the table ----------------------------------------------------------------------


def test_a_row_is_ok_fail_or_a_stated_limit(rows: list[Any]) -> None:
    matrix.record("tool", "passes", True)
    matrix.record("tool", "fails", False, "broken")
    matrix.record("tool", "cannot", False, "why not", limit=True)
    matrix.record("tool", "passes anyway", True, limit=True)
    assert results(rows) == [
        ("tool", "passes", "ok"),
        ("tool", "fails", "FAIL"),
        ("tool", "cannot", "limit"),
        ("tool", "passes anyway", "ok"),
    ]


def test_a_rows_detail_is_one_line_of_at_most_300_characters(rows: list[Any]) -> None:
    matrix.record("tool", "check", False, "first\n  second\tthird " + "x" * 400)
    (row,) = rows
    assert row.detail.startswith("first second third x")
    assert len(row.detail) == 300


def test_the_table_is_markdown_and_a_pipe_in_a_detail_cannot_split_a_cell() -> None:
    table = matrix.table([matrix.Row("t", "c", "FAIL", "a | b")])
    assert table.splitlines() == [
        "| Tool | Check | Result | Detail |",
        "| --- | --- | --- | --- |",
        "| t | c | FAIL | a / b |",
    ]


def groups(monkeypatch: pytest.MonkeyPatch, **behaviour: object) -> list[str]:
    """Replace the matrix's groups of checks; return the names of those that ran."""
    ran: list[str] = []
    names = {
        "check_jsonschema": "check-jsonschema",
        "ajv": "ajv",
        "asyncapi": "asyncapi",
        "modelina": "modelina",
        "quicktype": "quicktype",
        "datamodel_codegen": "datamodel",
    }
    for function, name in names.items():

        def group(*_: object, name: str = name) -> None:
            ran.append(name)
            action = behaviour.get(name)
            if isinstance(action, Exception):
                raise action
            if callable(action):
                action()

        monkeypatch.setattr(matrix, function, group)
    return ran


def test_main_exits_0_when_every_row_is_ok_or_a_limit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = groups(
        monkeypatch,
        ajv=lambda: matrix.record("ajv-cli", "compiles", True),
        quicktype=lambda: matrix.record("quicktype", "C#: compile", False, "no .NET", limit=True),
    )
    assert matrix.main(["--out", str(tmp_path)]) == 0
    assert ran == ["check-jsonschema", "ajv", "asyncapi", "modelina", "quicktype", "datamodel"]
    out = capsys.readouterr().out
    assert "| quicktype | C#: compile | limit | no .NET |" in out
    assert out.rstrip().endswith("ecosystem: 1 ok, 1 limit, 0 failed")
    assert (tmp_path / "matrix.md").read_text("utf-8").splitlines()[2:] == [
        "| ajv-cli | compiles | ok |  |",
        "| quicktype | C#: compile | limit | no .NET |",
    ]


def test_main_exits_1_when_a_row_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    groups(monkeypatch, modelina=lambda: matrix.record("modelina", "builds", False, "no"))
    assert matrix.main(["--out", str(tmp_path)]) == 1


def test_a_broken_check_is_a_failed_row_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, rows: list[Any]
) -> None:
    ran = groups(monkeypatch, asyncapi=FileNotFoundError("node_modules/.bin/asyncapi"))
    assert matrix.main(["--out", str(tmp_path)]) == 1
    assert len(ran) == 6
    (row,) = rows
    assert results(rows) == [("asyncapi", "(harness)", "FAIL")]
    assert "FileNotFoundError" in row.detail


def test_only_runs_the_groups_asked_for(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ran = groups(monkeypatch)
    assert matrix.main(["--out", str(tmp_path), "--only", "ajv", "--only", "datamodel"]) == 0
    assert ran == ["ajv", "datamodel"]


def test_groups_run_side_by_side_and_their_rows_keep_the_groups_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, rows: list[Any]
) -> None:
    second_done = threading.Event()

    def first() -> None:
        # Finishes only after the second group did: the two ran at the same time.
        assert second_done.wait(timeout=30), "the groups ran one after the other"
        matrix.record("check-jsonschema", "first", True)

    def second() -> None:
        matrix.record("ajv-cli", "second", True)
        second_done.set()

    groups(monkeypatch, **{"check-jsonschema": first, "ajv": second})
    assert matrix.main(["--out", str(tmp_path), "--jobs", "2"]) == 0
    assert [check for _, check, _ in results(rows)] == ["first", "second"]


# -- Spectral: a finding fails unless it is a stated limit -------------------------------------


def spectral(findings: object, returncode: int = 1) -> subprocess.CompletedProcess[str]:
    stdout = findings if isinstance(findings, str) else json.dumps(findings)
    return subprocess.CompletedProcess(["spectral"], returncode, stdout, "")


def finding(code: str, path: list[str], severity: int = 1) -> dict[str, object]:
    return {"code": code, "path": path, "message": "m", "severity": severity}


def test_spectral_with_no_finding_is_ok(rows: list[Any]) -> None:
    matrix.spectral_rows(spectral([], returncode=0))
    assert [r for _, _, r in results(rows)] == ["ok"]


def test_spectral_contact_without_email_is_a_stated_limit(rows: list[Any]) -> None:
    matrix.spectral_rows(
        spectral([finding("asyncapi-info-contact-properties", ["info", "contact"])])
    )
    assert [r for _, _, r in results(rows)] == ["ok", "limit"]
    assert "no mailbox" in rows[1].detail


@pytest.mark.parametrize("severity", [0, 1, 2, 3])
def test_any_other_spectral_finding_fails(rows: list[Any], severity: int) -> None:
    matrix.spectral_rows(
        spectral(
            [
                finding("asyncapi-info-contact-properties", ["info", "contact"]),
                finding("asyncapi-tags", ["info"], severity),
            ]
        )
    )
    assert [r for _, _, r in results(rows)] == ["FAIL", "limit"]
    assert "asyncapi-tags at info" in rows[0].detail


def test_the_stated_contact_limit_covers_that_place_only(rows: list[Any]) -> None:
    matrix.spectral_rows(spectral([finding("asyncapi-info-contact-properties", ["x", "contact"])]))
    assert [r for _, _, r in results(rows)] == ["FAIL"]


@pytest.mark.parametrize(
    "result",
    [spectral("Error running Spectral!", returncode=2), spectral([], returncode=2)],
    ids=["not json", "crashed"],
)
def test_spectral_that_did_not_lint_fails(
    rows: list[Any], result: subprocess.CompletedProcess[str]
) -> None:
    matrix.spectral_rows(result)
    assert [r for _, _, r in results(rows)] == ["FAIL"]


# -- reading the other tools' output -----------------------------------------------------------


def test_ajv_verdicts_reads_each_files_verdict_and_errors() -> None:
    output = "\n".join(
        [
            "a.json valid",
            "b.json invalid",
            json.dumps(
                [
                    {"keyword": "type", "instancePath": "/text", "message": "must be string"},
                    {"keyword": "required", "instancePath": "", "message": "must have"},
                ],
                indent=2,
            ),
            "c.json valid",
        ]
    )
    assert matrix.ajv_verdicts(output) == {
        "a.json": None,
        "b.json": {("type", "/text"), ("required", "")},
        "c.json": None,
    }


@pytest.mark.parametrize(
    ("error", "named"),
    [
        ({"path": "$", "message": "'text' is a required property"}, {"text"}),
        ({"path": "$", "message": "{} is not of type 'object'"}, {""}),
        ({"path": "$.text", "message": "None is not of type 'string'"}, {"text"}),
        ({"path": "$.files[0].name", "message": "..."}, {"files"}),
        ({"path": "$.payload.a", "message": "..."}, {"payload"}),
    ],
)
def test_named_fields_is_the_top_level_field_check_jsonschema_blames(
    error: dict[str, str], named: set[str]
) -> None:
    assert matrix.named_fields(error) == named


def test_wrong_fields_are_those_the_fixtures_expectation_blames() -> None:
    schema = matrix.MESSAGES["AGENT_EVENT_TEXT_CHUNK"]
    assert matrix.wrong_fields(schema, fixture(CHUNKS / "invalid" / "missing_text.json")) == {
        "text"
    }
    assert matrix.wrong_fields(schema, fixture(CHUNKS / "invalid" / "source_null.json")) == {
        "source"
    }


def test_a_union_may_blame_the_message_its_type_names() -> None:
    union = "server_message.json"
    own = fixture(CHUNKS / "invalid" / "source_null.json")
    assert matrix.fields_allowed_for_union(union, own) == {"source"}
    other = fixture(CHUNKS / "invalid" / "other_type.json")  # an AGENT_EVENT_END's type
    allowed = matrix.fields_allowed_for_union(union, other)
    assert {"type", "", "tokens_used"} <= allowed
    assert "text" not in allowed


@pytest.mark.parametrize(
    ("tokens", "integral_float", "written_as_float"),
    [(5, False, False), (5.0, True, True), (1e3, True, True), (2**63, True, False)],
)
def test_integers_other_languages_refuse(
    tokens: float, integral_float: bool, written_as_float: bool
) -> None:
    end = {"type": "AGENT_EVENT_END", "tokens_used": tokens}
    made = matrix.Fixture("AGENT_EVENT_END", True, ROOT / "x.json", end)
    assert made.integral_float is integral_float
    assert made.written_as_float is written_as_float
    assert not made.unknown_fields


def test_an_undeclared_field_is_known_as_one() -> None:
    chunk = {"type": "AGENT_EVENT_TEXT_CHUNK", "text": "x", "newer": 1}
    assert matrix.Fixture("AGENT_EVENT_TEXT_CHUNK", True, ROOT / "x.json", chunk).unknown_fields


def test_every_message_with_required_fields_is_tried_without_them() -> None:
    missing = dict(matrix.missing_required())
    assert missing["AGENT_EVENT_END"] == {"type": "AGENT_EVENT_END"}  # tokens_used is required
    for type_, path in matrix.MESSAGES.items():
        others = set(matrix.DOCS[path].get("required", [])) - {"type"}
        assert (type_ in missing) == bool(others), type_
    code = matrix.ts_literal_checks("", None, matrix.TITLES)
    assert code.count("// @ts-expect-error\n") == len(missing)
    assert '// @ts-expect-error\ncheck<MsgEventEnd>()({"type": "AGENT_EVENT_END"});' in code
