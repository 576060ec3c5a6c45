"""The batched checker says exactly what the per-frame checker says, whatever ``--jobs`` is.

``validate`` checks JSON Lines files a slice of lines per pydantic-core call
(check.batch) and, with ``--jobs N``, ranges of them in worker processes
(check.files). Both must give the same findings, in the same order, with the
same summary, as reading the capture item by item and checking each frame on
its own (check.checker): on every conversation fixture, every example, every
nasty input, and on generated captures. The slices and ranges are made tiny
here, so that a small file is cut into many of each and the fast and precise
paths alternate inside it.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.conversations import conversation_fixtures
from support.examples import TIMEOUT, examples
from support.fixtures import FIXTURES
from support.strategies import TYPES, instances, json_values, mutated

from lambda_agent_api.capture import CaptureFormat, read_capture
from lambda_agent_api.check import batch, files
from lambda_agent_api.check.checker import Checker
from lambda_agent_api.check.diagnostics import Diagnostic
from lambda_agent_api.check.files import FileChecker, FileDone, FileStarted
from lambda_agent_api.exceptions import CaptureError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.*l")) + sorted((ROOT / "examples").glob("*.har"))
NASTY = sorted(p for p in (FIXTURES / "nasty").iterdir() if p.name != "expect.json")
CONVERSATIONS = [f.path for f in conversation_fixtures()]
SETTINGS = settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

pytestmark = pytest.mark.timeout(TIMEOUT)  # many examples: see support.examples


@pytest.fixture(autouse=True)
def tiny_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut every file into slices of three lines and ranges of a few dozen bytes."""
    monkeypatch.setattr(batch, "SLICE", 3)
    monkeypatch.setattr(files, "MIN_CHUNK", 40)


Report = tuple[list[Any], dict[str, Any]]


def per_frame(paths: list[Path], format: CaptureFormat | None = None, **limits: Any) -> Report:
    """Read each capture item by item and check every frame on its own (the reference)."""
    checker = Checker(**limits)
    found: list[Any] = []
    for path in paths:
        try:
            with path.open("rb") as file:
                found += [
                    d.to_dict()
                    for d in checker.check_all(
                        read_capture(
                            file, str(path), format, max_number_digits=checker.max_number_digits
                        )
                    )
                ]
        except OSError as error:
            found.append(("unreadable", str(path), error.strerror))
        except CaptureError as error:
            found.append(("unreadable", str(path), str(error).removeprefix(f"{path}: ")))
    found += [d.to_dict() for d in checker.finish()]
    return found, _summary(checker)


def batched(
    paths: list[Path], jobs: int, format: CaptureFormat | None = None, **limits: Any
) -> Report:
    checker = Checker(**limits)
    found: list[Any] = []
    with FileChecker(checker, format=format, jobs=jobs) as checking:
        for event in checking.check([str(p) for p in paths]):
            if isinstance(event, Diagnostic):
                found.append(event.to_dict())
            elif isinstance(event, FileDone) and event.error is not None:
                found.append(("unreadable", event.source, event.error))
            else:
                assert isinstance(event, (FileStarted, FileDone))
    found += [d.to_dict() for d in checker.finish()]
    return found, _summary(checker)


def _summary(checker: Checker) -> dict[str, Any]:
    summary = checker.summary
    return {
        "frames": summary.frames,
        "connections": summary.connections,
        "records_skipped": summary.records_skipped,
        "counts": dict(summary.counts),
    }


@pytest.mark.parametrize("path", CONVERSATIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_conversation_fixture(path: Path) -> None:
    expected = per_frame([path])
    assert batched([path], jobs=1) == expected
    assert batched([path], jobs=2) == expected


@pytest.mark.parametrize("path", [*EXAMPLES, *NASTY], ids=lambda p: p.name)
def test_examples_and_nasty_inputs(path: Path) -> None:
    expected = per_frame([path])
    assert batched([path], jobs=1) == expected
    assert batched([path], jobs=3) == expected


@pytest.mark.parametrize(
    "limits",
    [{"max_number_digits": 3}, {"max_frame_bytes": 60}, {"protocol": "1.0"}],
    ids=str,
)
def test_other_limits_and_versions(limits: dict[str, Any]) -> None:
    paths = [*CONVERSATIONS, *EXAMPLES]
    expected = per_frame(paths, **limits)
    assert batched(paths, jobs=1, **limits) == expected
    assert batched(paths, jobs=2, **limits) == expected


def test_connections_ended_by_close_records_and_by_the_open_limit(tmp_path: Path) -> None:
    path = tmp_path / "closing.jsonl"
    lines = _conversation(random.Random(3), 400).splitlines()
    close = json.dumps({"ts": 2.0, "conn": "a", "event": "close", "code": 1000, "reason": ""})
    lines.insert(len(lines) // 2, close)  # "a" ends, and its later frames start anew
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for open_at_most in (1, 2, 100):
        checker = Checker()
        with path.open("rb") as file:
            items = read_capture(file, str(path), max_open_connections=open_at_most)
            expected = [d.to_dict() for d in checker.check_all(items)]
        expected += [d.to_dict() for d in checker.finish()]
        assert expected or open_at_most > 1  # one open at a time cuts every response
        for jobs in (1, 2):
            checker = Checker()
            with FileChecker(checker, jobs=jobs, max_open_connections=open_at_most) as files:
                found = [e.to_dict() for e in files.check([str(path)]) if isinstance(e, Diagnostic)]
            found += [d.to_dict() for d in checker.finish()]
            assert found == expected


def test_close_records_end_connections_on_the_fast_path(tmp_path: Path) -> None:
    def frame(conn: str, message: dict[str, Any]) -> str:
        return _record(conn, "send" if message["type"] == "USER_MESSAGE" else "recv", message)

    def close(conn: str) -> str:
        return json.dumps({"ts": 2.0, "conn": conn, "event": "close", "code": 1000, "reason": ""})

    chunk = {"type": "AGENT_EVENT_TEXT_CHUNK", "text": "x"}
    status, ask = {"type": "STATUS"}, {"type": "USER_MESSAGE", "text": "hi"}
    lines = [frame("a", status), frame("b", status), frame("a", ask), frame("b", ask)]
    lines += [frame("a", chunk)] * 4 + [frame("a", {"type": "AGENT_EVENT_END", "tokens_used": 1})]
    lines += [close("a"), frame("b", chunk), close("b")]  # b: its response cut (P007)
    lines += [frame("a", status), frame("a", ask), frame("a", chunk)]  # a new connection "a"
    lines += [frame("b", chunk)]  # a new "b" that never said STATUS
    path = tmp_path / "closes.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = per_frame([path])
    assert expected[1]["connections"] == 4
    assert [f["rule"] for f in expected[0]][:1] == ["P007"]
    assert batched([path], jobs=1) == expected
    assert batched([path], jobs=2) == expected


def test_many_files_at_once_in_input_order() -> None:
    paths = [*CONVERSATIONS, *EXAMPLES, *NASTY, Path("no/such/file.jsonl")]
    expected = per_frame(paths)
    assert batched(paths, jobs=1) == expected
    assert batched(paths, jobs=2) == expected


def test_a_long_valid_capture_takes_the_fast_path_and_agrees(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_text(_conversation(random.Random(7), 3000), encoding="utf-8")
    expected = per_frame([path])
    assert expected[1]["frames"] > 3000
    assert expected[0] == []
    assert batched([path], jobs=1) == expected
    assert batched([path], jobs=2) == expected


def _conversation(rng: random.Random, frames: int) -> str:
    """A valid capture of two connections, their responses interleaved."""
    lines = []
    for conn in ("a", "b"):
        lines.append(_record(conn, "recv", {"type": "STATUS"}))
    while len(lines) < frames:
        conn = rng.choice("ab")
        lines.append(_record(conn, "send", {"type": "USER_MESSAGE", "text": "hi"}))
        for _ in range(rng.randint(1, 30)):
            lines.append(_record(conn, "recv", {"type": "AGENT_EVENT_TEXT_CHUNK", "text": "x"}))
        if rng.random() < 0.5:
            call = {"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "tool_name": "t", "args_chunk": "{}"}
            lines.append(_record(conn, "recv", call))
            result = {"type": "AGENT_EVENT_TOOL_RESULT", "tool_name": "t", "result": [1]}
            lines.append(_record(conn, "recv", result))
        lines.append(_record(conn, "recv", {"type": "AGENT_EVENT_END", "tokens_used": 5}))
    return "\n".join(lines) + "\n"


def _record(conn: str, direction: str, message: dict[str, Any]) -> str:
    data = json.dumps(message)
    return json.dumps({"ts": 1.5, "dir": direction, "conn": conn, "data": data})


TRAPS = [
    # What pydantic-core's parser takes and JSON does not, or the other way round.
    ('{"type": "AGENT_EVENT_TOOL_RESULT", "tool_name": "t", "result": NaN}', "F002"),
    ('{"type": "AGENT_EVENT_CUSTOM_UPDATE", "payload": {"p": -Infinity}}', "F002"),
    ('{"type": "AGENT_EVENT_TEXT_CHUNK", "text": "\\ud800"}', None),
    ('{"type": "AGENT_EVENT_TEXT_CHUNK", "text": "NaN and Infinity are words"}', None),
    (
        '{"type": "AGENT_EVENT_TOOL_RESULT", "tool_name": "t", "result": ' + "7" * 5000 + "}",
        "F006 T003",
    ),
    ('{"type": "AGENT_EVENT_TEXT_CHUNK", "text": "x", "text": "y"}', "F005"),
    ('{"type": "AGENT_EVENT_CUSTOM_UPDATE", "payload": {"a": 1, "a": 2}}', "F005"),
    # A key twice where counting keys in the text is hard: after escaped quotes and
    # backslashes, with blanks before the colon, spelled with \\u escapes.
    (
        '{"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "args_chunk": "{\\\\\\"q\\\\\\": 1", '
        '"args_chunk": "\\\\"}',
        "F005 T001 T002",  # and the call never names its tool nor ends its JSON
    ),
    ('{"type": "AGENT_EVENT_TEXT_CHUNK", "text": "a\\\\", "text" : "b"}', "F005"),
    ('{"type": "AGENT_EVENT_TEXT_CHUNK", "text": "\\"x\\":", "text"\t:"y"}', "F005"),
    ('{"type": "AGENT_EVENT_TEXT_CHUNK", "text": "\\u0022:", "te\\u0078t": "y"}', "F005"),
    (
        '{"type": "AGENT_EVENT_CUSTOM_UPDATE", "payload": {"k\\\\": {"a": [{"b": 1, "b": 2}]}}}',
        "F005",
    ),
    ('{"type": "AGENT_EVENT_TOOL_RESULT", "tool_name": "t", "result": {"\\\\\\"": 1}}', "T003"),
    # Strings that start with a colon, and keys that are one, beside a key twice.
    ('{"type": "AGENT_EVENT_CUSTOM_UPDATE", "payload": {":": 1, ":": ":"}}', "F005"),
    (
        '{"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "tool_name": "t", "args_chunk": ":", '
        '"args_chunk": "{}"}',
        "F005",
    ),
    ('{"type": "AGENT_EVENT_CUSTOM_UPDATE", "payload": {":": ":", "a": ": 1"}}', None),
    ('{"type": "AGENT_EVENT_TEXT_CHUNK", "text": "x", "extra": 1}', "W002"),
    ('{"type": "AGENT_EVENT_SEND_FILE", "path": "/etc/passwd"}', "W003"),
    # Text chunks that look plain (set aside unparsed, by their skeleton) and are not,
    # or are and hold what a shortcut can get wrong.
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"a\tb"}', "F002"),  # a raw tab in a string
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"a\x01"}', "F002"),
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"a\\"}', "F002"),  # the quote is escaped
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"a\\\\"}', None),  # a backslash
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"\\n\\"\\/\\u00e9\\ud83d\\ude00"}', None),
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"\\udc00"}', None),  # JSON takes a lone one
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"\\u00zz"}', "F002"),
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"\\n\x01"}', "F002"),  # after an escape
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"\\nb"c"}', "F002"),
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"a","text":"b"}', "F005"),
    # The skeleton of a plain chunk (eight quotes) with something else around it.
    ('x{"type":"AGENT_EVENT_TEXT_CHUNK","text":"a"}', "F002"),
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"a"}x', "F002"),
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"a"} }', "F002"),
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"}"}', None),
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","tex":"a","t":"}', "F002"),
    ('{"type":"AGENT_EVENT_SEND_FILE","path":"a.txt"}', None),
    ('{"type":"AGENT_EVENT_SEND_FILE","path":"/etc/passwd"}', "W003"),
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"a"}}', "F002"),
    ('{"type":"AGENT_EVENT_TEXT_CHUNK" ,"text":"a"}', None),
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"a"} ', None),
    ('{"text":"a","type":"AGENT_EVENT_TEXT_CHUNK"}', None),
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"a","source":"tools:t"}', None),
    ('{"type":"AGENT_EVENT_TEXT_CHUNK","text":"' + "\u00e9" * 3 + '"}', None),
    ('{"type": "AGENT_EVENT_TEXT_CHUNK", "text": 5}', "S001"),
    ('{"type": "AGENT_EVENT_TEXT_CHUNK", "text": true}', "S001"),
    ('{"type": "AGENT_EVENT_TEXT_CHUNK"}', "S001"),
]


@pytest.mark.parametrize("format", [CaptureFormat.JSONL, CaptureFormat.MESSAGES])
@pytest.mark.parametrize("trap", TRAPS, ids=lambda t: t[0][:60])
def test_the_traps_of_the_fast_path(
    tmp_path: Path, format: CaptureFormat, trap: tuple[str, str | None]
) -> None:
    text, rule = trap
    chunk = '{"type": "AGENT_EVENT_TEXT_CHUNK", "text": "x"}'
    frames = [
        '{"type": "STATUS"}',
        '{"type": "USER_MESSAGE", "text": "hi"}',
        *[chunk] * 5,
        text,
        *[chunk] * 5,
        '{"type": "AGENT_EVENT_END", "tokens_used": 5}',
    ]
    if format is CaptureFormat.JSONL:
        frames = [
            json.dumps({"ts": 1.0, "dir": "send" if "USER" in f else "recv", "data": f})
            for f in frames
        ]
    path = tmp_path / "traps.jsonl"
    path.write_text("\n".join(frames) + "\n", encoding="utf-8")
    expected = per_frame([path], format)
    assert [f["rule"] for f in expected[0]] == ([] if rule is None else rule.split())
    assert batched([path], jobs=1, format=format) == expected
    assert batched([path], jobs=2, format=format) == expected


# Generated captures: mostly valid messages, some broken, in both line formats

message_text = st.one_of(
    st.sampled_from(TYPES).flatmap(instances).map(json.dumps),
    st.sampled_from(TYPES)
    .flatmap(lambda t: mutated(t, keep_type=True))
    .map(lambda m: json.dumps(m, allow_nan=True)),
    st.sampled_from(
        [
            '{"type": "AGENT_EVENT_TEXT_CHUNK", "text": "x"}',
            '{"type": "AGENT_EVENT_TEXT_CHUNK", "text": "y", "source": "tools:t"}',
            '{"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "tool_name": "t", "args_chunk": "{\\"a\\":"}',
            '{"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "args_chunk": "1}"}',
            '{"type": "AGENT_EVENT_TOOL_RESULT", "tool_name": "t", "result": NaN}',
            '{"type": "AGENT_EVENT_END", "tokens_used": 5.0}',
            '{"type": "USER_MESSAGE", "text": "\\ud800"}',
            '{"type": "STATUS", "extra": 1}',
            "",
            "not json",
        ]
    ),
    json_values.map(json.dumps),
)
# Text chunks as check.batch sets them aside, by their text alone: as JSON writes them
# (any text, escaped or not), and written raw, where quotes, backslashes, control
# characters and lone surrogates are what the shortcut must refuse.
any_text = st.text(st.characters(blacklist_categories=()), max_size=20)
# Pieces of a string's text as written in JSON, valid or not, to put together raw.
written = st.lists(
    st.sampled_from(
        [
            "a",
            "\u00e9",
            "\U0001f642",
            '"',
            "\\",
            "\\n",
            '\\"',
            "\\\\",
            "\\u00e9",
            "\\ud83d",
            "\\ude00",
            "\\u00zz",
            "\\x",
            "\t",
            "\x01",
            "\x7f",
            "\ud800",
            ":",
            "}",
            " ",
        ]
    ),
    max_size=8,
).map("".join)
plain_chunks = st.one_of(
    st.tuples(any_text, st.booleans(), st.booleans()).map(
        lambda t: json.dumps(
            {"type": "AGENT_EVENT_TEXT_CHUNK", "text": t[0]},
            ensure_ascii=t[1],
            separators=(",", ":") if t[2] else None,
        )
    ),
    st.one_of(any_text, written).map(
        lambda text: '{"type":"AGENT_EVENT_TEXT_CHUNK","text":"' + text + '"}'
    ),
)
message_text = st.one_of(message_text, plain_chunks, plain_chunks)
record_line = st.tuples(
    st.sampled_from(["a", "b", None, 7]),
    st.sampled_from(["send", "recv", "recv", "recv"]),
    message_text,
).map(
    lambda t: json.dumps(
        {"ts": 1.0, "dir": t[1], "data": t[2], **({} if t[0] is None else {"conn": t[0]})}
    )
)


# Close records as the writer writes them, and what only looks like one.
close_line = st.one_of(
    st.tuples(st.sampled_from(["a", "b", None, 7]), st.sampled_from([1000, 1006, None])).map(
        lambda t: json.dumps(
            {
                "ts": 2.0,
                **({} if t[0] is None else {"conn": t[0]}),
                "event": "close",
                "code": t[1],
                "reason": 'a\\":b',
            }
        )
    ),
    st.sampled_from(
        [
            '{"event": "close", "conn": "a"}',
            '{"event": "close", "conn": "a", "conn": "b"}',
            '{"event": "open", "conn": "a"}',
            '{"event": "close", "conn": "a", "dir": "recv"}',
            '{"event": "close", "conn": "a", "extra": 1}',
            '{"event": "close", "conn": ["a"]}',
            '{"event": "close", "code": NaN}',
            '{"ts": 1.0, "dir": "recv", "data": "{}", "event": "close"}',
        ]
    ),
)


@SETTINGS
@given(
    st.lists(st.one_of(record_line, record_line, close_line, message_text), max_size=40),
    st.sampled_from([CaptureFormat.JSONL, CaptureFormat.MESSAGES]),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_generated_captures(
    lines: list[str], format: CaptureFormat, end: str, last_newline: bool
) -> None:
    data = end.join(lines) + (end if last_newline else "")
    with _file(data.encode("utf-8", "surrogatepass")) as path:
        expected = per_frame([path], format)
        assert batched([path], jobs=1, format=format) == expected
        assert batched([path], jobs=2, format=format) == expected


@SETTINGS
@given(
    st.lists(plain_chunks, min_size=1, max_size=12),
    st.sampled_from([CaptureFormat.JSONL, CaptureFormat.MESSAGES]),
)
def test_generated_text_chunks(chunks: list[str], format: CaptureFormat) -> None:
    frames = [
        '{"type":"STATUS"}',
        '{"type":"USER_MESSAGE","text":"hi"}',
        *chunks,
        '{"type":"AGENT_EVENT_END","tokens_used":5}',
    ]
    if format is CaptureFormat.JSONL:
        frames = [json.dumps({"ts": 1.0, "dir": "recv", "data": f}) for f in frames]
    data = "\n".join(frames) + "\n"
    with _file(data.encode("utf-8", "surrogatepass")) as path:
        expected = per_frame([path], format)
        assert batched([path], jobs=1, format=format) == expected


class _file:
    """A temporary file holding ``data`` (hypothesis and pytest's tmp_path do not mix)."""

    def __init__(self, data: bytes) -> None:
        import tempfile

        self._directory = tempfile.TemporaryDirectory()
        self.path = Path(self._directory.name) / "generated.jsonl"
        self.path.write_bytes(data)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        self._directory.cleanup()


@pytest.mark.parametrize(
    "bad", [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf"]
)
def test_a_plain_text_chunk_that_is_not_utf8(tmp_path: Path, bad: bytes) -> None:
    chunk = b'{"type":"AGENT_EVENT_TEXT_CHUNK","text":"caf\xc3\xa9"}'
    lines = [b'{"type":"STATUS"}', b'{"type":"USER_MESSAGE","text":"hi"}', *[chunk] * 4]
    lines += [b'{"type":"AGENT_EVENT_TEXT_CHUNK","text":"a' + bad + b'b"}', *[chunk] * 4]
    lines += [b'{"type":"AGENT_EVENT_END","tokens_used":5}']
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    expected = per_frame([path], CaptureFormat.MESSAGES)
    assert [f["rule"] for f in expected[0]] == ["F001"]
    assert batched([path], jobs=1, format=CaptureFormat.MESSAGES) == expected


def test_standard_input_is_checked_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    path = FIXTURES / "conversations" / "valid" / "tool_calls.jsonl"
    found, summary = per_frame([path])
    checker = Checker()
    stdin = io.BytesIO(path.read_bytes())
    with FileChecker(checker, jobs=2, stdin=stdin) as checking:
        events = list(checking.check(["-"]))
    assert [type(e) for e in events] == [FileStarted, FileDone]
    assert summary["frames"] == checker.summary.frames > 0
    assert found == []


# The key counts the fast path trusts to find a key twice (F005)


def _keys(value: Any) -> int:
    if isinstance(value, dict):
        return len(value) + sum(map(_keys, value.values()))
    if isinstance(value, list):
        return sum(map(_keys, value))
    return 0


def _dumps(value: Any, style: int) -> str:
    if style == 0:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if style == 1:
        return json.dumps(value)
    return json.dumps(value, indent=1)  # blanks and new lines around the colons


tricky_keys = st.text(alphabet='"\\:{} \n\tu0a', max_size=6)
tricky_objects = st.recursive(
    st.one_of(st.none(), st.integers(), tricky_keys),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(tricky_keys, inner, max_size=3)
    ),
    max_leaves=12,
)


@SETTINGS
@given(st.lists(st.dictionaries(tricky_keys, tricky_objects, max_size=4), min_size=1, max_size=5))
def test_key_counts_are_exact_or_refuse(objects: list[dict[str, Any]]) -> None:
    """Counted in a slice's text, the keys are never fewer than its objects have (or None).

    A key given twice counts once in a dict, so a count one short could hide it: never
    undercounting is what keeps the fast path strict. (One too many, say for a string
    that starts with a colon, only sends the slice to the precise path.)
    """
    expected = sum(map(_keys, objects))
    for style in (0, 1, 2):
        frames = [_dumps(o, style) for o in objects]
        text = "\n".join(frames).encode()
        _, count, _ = batch._key_counts(text, framed=False)
        extra = batch._colon_first(text, framed=False)
        assert count is None or extra is None or count - extra >= expected
        assert count is None or count >= expected
        for ascii_ in (False, True):
            records = [
                json.dumps({"ts": 1.0, "dir": "recv", "data": f}, ensure_ascii=ascii_)
                for f in frames
            ]
            text = "\n".join(records).encode()
            _, _, count = batch._key_counts(text, framed=True)
            extra = batch._colon_first(text, framed=True)
            assert count is None or extra is None or count - extra >= expected
            assert count is None or count >= expected


def test_key_counts_are_not_given_up_on_common_traffic() -> None:
    """Tool-call chunks hold escaped quotes and backslashes, or start with a colon; the count
    is still exact there (else the slice takes the slower path)."""
    frames = [
        {"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "args_chunk": '{"q": "\\u0440 \\"x\\"", "n": 1}'},
        {"type": "AGENT_EVENT_TEXT_CHUNK", "text": ' a "quoted": word \\ end'},
        {"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "args_chunk": ": 4}"},  # cut after a key
        {"type": "AGENT_EVENT_CUSTOM_UPDATE", "payload": {":": ":", "k": {"a": [1]}}},
    ]
    expected = sum(map(_keys, frames))
    texts = [json.dumps(f, ensure_ascii=False) for f in frames]
    text = "\n".join(texts).encode()
    _, count, _ = batch._key_counts(text, framed=False)
    assert count is not None
    # Three strings start with a colon: one quote-colon too many each, taken off again.
    assert (count, count - (batch._colon_first(text, framed=False) or 0)) == (
        expected + 3,
        expected,
    )
    records = [json.dumps({"ts": 1.0, "dir": "recv", "data": t}, ensure_ascii=False) for t in texts]
    text = "\n".join(records).encode()
    _, keys, count = batch._key_counts(text, framed=True)
    extra = batch._colon_first(text, framed=True)
    assert (keys, count - (extra or 0)) == (3 * len(records), expected)
