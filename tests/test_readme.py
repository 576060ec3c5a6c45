"""The README opens with the two commands, and they are the ones that work."""

from __future__ import annotations

import asyncio
import re
import shlex
import sys
from pathlib import Path

import pytest
from support.inbox import WAIT

from lambda_agent_api.cli import main
from lambda_agent_api.testing import MockServer
from lambda_agent_api.testing.demo import demo_script

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


def test_the_test_command_pins_nox_and_the_uv_it_makes_environments_with() -> None:
    # noxfile.py's default_venv_backend is uv: the command installs both, each pinned.
    command = commands()[1]
    assert re.search(r'"nox\[uv\]==\d[\w.]*" "uv==\d[\w.]*"', command), command


def test_ci_runs_exactly_the_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands()[1] in ci


def test_the_main_job_succeeds_on_the_bundled_example(monkeypatch: pytest.MonkeyPatch) -> None:
    argv = shlex.split(commands()[0].split(" && ", 1)[1])
    assert argv[0] == "lambda-agent-api"
    monkeypatch.chdir(ROOT)
    assert main([*argv[1:], "--no-progress"]) == 0


async def test_the_python_example_talks_to_the_demo_server() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert example is not None, "the README shows a Python example"
    code = example.group(1)
    assert 'AgentApi("demo", "ws://127.0.0.1:8000/", chat_id=1)' in code  # what mock-server prints
    async with MockServer(demo_script) as server:
        code = code.replace("ws://127.0.0.1:8000/", server.base_url)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE
        )
        try:
            out, _ = await asyncio.wait_for(process.communicate(), WAIT)
        finally:
            if process.returncode is None:  # a hang: leave no process behind for other tests
                process.kill()
                await process.wait()
    assert process.returncode == 0
    assert out.decode() == "You said: Hello, agent!\n"
    assert [m.text for _, m in server.received] == ["Hello, agent!"]
