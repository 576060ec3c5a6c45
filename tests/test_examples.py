"""The sample captures in examples/ are what examples/make_examples.py writes: a session recorded
by the client against the test server, kept in step with the script that records it."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from types import ModuleType

import pytest
from support.fixtures import FIXTURES

ROOT = FIXTURES.parent.parent
EXAMPLES = ROOT / "examples"


def make_examples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_examples_are_up_to_date() -> None:
    # Records the session again (real client, real test server) and compares every byte.
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "make_examples.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_readme_first_command_passes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lambda_agent_api", "validate", "examples/session.jsonl"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith("No problems found.\n")


def test_the_session_is_the_clients_own_capture() -> None:
    lines = (EXAMPLES / "session.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert {r["conn"] for r in records} == {"example/0/1"}  # as AgentApi names a connection
    assert [r["dir"] for r in records[:2]] == ["recv", "send"]
    times = [r["ts"] for r in records]
    assert times == sorted(times)


async def test_a_recording_that_is_not_the_script_is_refused() -> None:
    module = make_examples()
    script = module.turns()
    captured = await module.record_session(script)
    timed = module.timed(captured, script)
    assert [frame[1] for frame, _ in timed].count("send") == len(script)
    with pytest.raises(AssertionError, match="differs from the script"):
        module.timed(captured.replace("Berlin", "Paris", 1), script)
    frame_lines = [line for line in captured.splitlines() if '"dir"' in line]
    with pytest.raises(AssertionError, match="differs from the script"):
        module.timed("\n".join(frame_lines[:-1]), script)  # a frame missing
