"""The README opens with the two commands, and they are the ones that work."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from lambda_agent_api.cli import main

ROOT = Path(__file__).resolve().parent.parent


def commands(path: Path = ROOT / "README.md") -> list[str]:
    readme = path.read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, re.DOTALL)
    assert block is not None, f"{path.name} must show the commands in a bash block"
    if path.name == "README.md":
        assert readme.index("```bash") < readme.index("\n## "), "the commands come first"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_the_readme_says_what_the_project_is_before_its_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    intro = readme[: readme.index("```bash")]
    assert "WebSocket protocol" in intro
    assert "Python >= 3.10" in intro


def test_the_docs_home_page_shows_the_same_two_commands() -> None:
    assert commands(ROOT / "docs" / "index.md") == commands()


def test_two_commands_main_job_then_tests() -> None:
    first, second = commands()
    assert first.startswith("python3 -m pip install ./python && lambda-agent-api ")
    assert "nox" in second


def test_ci_runs_exactly_the_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands()[1] in ci


def test_the_main_job_succeeds_on_the_bundled_example(monkeypatch: pytest.MonkeyPatch) -> None:
    argv = shlex.split(commands()[0].split(" && ", 1)[1])
    assert argv[0] == "lambda-agent-api"
    monkeypatch.chdir(ROOT)
    assert main([*argv[1:], "--no-progress"]) == 0
