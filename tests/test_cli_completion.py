"""`lambda-agent-api completion`: the scripts complete commands, options, choices and files."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lambda_agent_api.cli import COMMANDS, build_parser, main
from lambda_agent_api.cli.completion_command import script

BASH = shutil.which("bash")


def complete(tmp_path: Path, *words: str) -> list[str]:
    """What bash offers for the last word, with the script loaded as a user would."""
    assert BASH is not None, "bash is part of every machine this project runs on"
    (tmp_path / "completion.bash").write_text(script("bash", build_parser()), encoding="utf-8")
    words_array = " ".join(f"'{w}'" for w in ("lambda-agent-api", *words))
    program = (
        "source completion.bash\n"
        f"COMP_WORDS=({words_array}); COMP_CWORD={len(words)}\n"
        '_lambda_agent_api; printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(
        [BASH, "--norc", "--noprofile", "-c", program],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr == ""
    return sorted(line for line in result.stdout.splitlines() if line)


def test_bash_completes_command_names(tmp_path: Path) -> None:
    assert complete(tmp_path, "") == sorted(
        [c.NAME for c in COMMANDS] + ["-h", "--help", "-V", "--version"]
    )
    assert complete(tmp_path, "mo") == ["mock-server"]


def test_bash_completes_a_commands_options_and_their_choices(tmp_path: Path) -> None:
    assert complete(tmp_path, "validate", "--fo") == ["--format"]
    assert complete(tmp_path, "validate", "--format", "") == ["json", "text"]
    assert complete(tmp_path, "chat", "--color", "a") == ["always", "auto"]
    assert complete(tmp_path, "completion", "") == []  # a choice, not a file
    assert "--port" in complete(tmp_path, "mock-server", "--")


def test_bash_completes_file_names_where_a_command_takes_files(tmp_path: Path) -> None:
    (tmp_path / "capture.jsonl").write_text("", encoding="utf-8")
    assert complete(tmp_path, "validate", "cap") == ["capture.jsonl"]
    assert complete(tmp_path, "validate", "--strict", "cap") == ["capture.jsonl"]


def test_the_zsh_script_is_the_bash_one_through_bashcompinit() -> None:
    bash, zsh = (script(shell, build_parser()) for shell in ("bash", "zsh"))
    assert "bashcompinit && bashcompinit\n" in zsh
    assert zsh.endswith(bash)


def test_the_fish_script_names_every_command_and_choice() -> None:
    fish = script("fish", build_parser()).splitlines()
    for command in COMMANDS:
        assert any(f"-a {command.NAME} -d " in line for line in fish), command.NAME
    format_line = next(
        line
        for line in fish
        if "__fish_seen_subcommand_from validate" in line and "-l format " in line
    )
    assert "-x -a 'text json'" in format_line
    # A quote in a help text is escaped, so fish reads one argument.
    assert any("-d 'the captures\\' format" in line for line in fish)


def test_an_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["completion", "powershell"])
    assert caught.value.code == 2
    assert "invalid choice: 'powershell'" in capsys.readouterr().err


def test_every_help_ends_with_its_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    for args in ([], *([c.NAME] for c in COMMANDS)):
        with pytest.raises(SystemExit):
            main([*args, "--help"])
        out = capsys.readouterr().out
        assert "\nexit codes:" in out, args
        codes = out.split("\nexit codes:", 1)[1]
        assert re.search(r"\s0 ", codes), args
        assert re.search(r"\s2 ", codes), args


def test_dash_capital_v_is_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["-V"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.startswith("lambda-agent-api ")
