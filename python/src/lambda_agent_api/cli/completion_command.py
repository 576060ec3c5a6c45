"""``lambda-agent-api completion bash|zsh|fish``: print a shell completion script.

The script is written from the command's own argument parser, so it always knows
every command, option and choice of the installed version, with no dependency.
Install it once (see ``lambda-agent-api completion --help``); it completes command
names, options, the choices of options such as ``--format``, and file names.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from lambda_agent_api.protocol.text import shorten

__all__ = ["EXIT_CODES", "HELP", "NAME", "SHELLS", "add_arguments", "run", "script"]

NAME = "completion"
HELP = "print a shell completion script (bash, zsh or fish) for this command"
EXIT_CODES = """\
install it (then open a new shell):
  bash  lambda-agent-api completion bash \\
          > ~/.local/share/bash-completion/completions/lambda-agent-api
  zsh   echo 'source <(lambda-agent-api completion zsh)' >> ~/.zshrc
  fish  lambda-agent-api completion fish > ~/.config/fish/completions/lambda-agent-api.fish

exit codes:
  0  the script was printed
  2  bad arguments (an unknown shell)"""
SHELLS = ("bash", "zsh", "fish")
PROG = "lambda-agent-api"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def run(args: argparse.Namespace) -> int:
    """Print the completion script for ``args.shell``."""
    from lambda_agent_api.cli import build_parser  # the parser lists this command too

    print(script(args.shell, build_parser()), end="")
    return 0


@dataclass(frozen=True)
class _Option:
    names: tuple[str, ...]
    help: str
    takes_value: bool
    choices: tuple[str, ...]


@dataclass(frozen=True)
class _Command:
    name: str
    help: str
    options: tuple[_Option, ...]
    takes_files: bool


def _options(parser: argparse.ArgumentParser) -> tuple[_Option, ...]:
    return tuple(
        _Option(
            tuple(action.option_strings),
            _one_line(action.help),
            action.nargs != 0,
            tuple(str(c) for c in action.choices or ()),
        )
        for action in parser._actions
        if action.option_strings
    )


def _commands(parser: argparse.ArgumentParser) -> Iterator[_Command]:
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: _one_line(choice.help) for choice in action._choices_actions}
        for name, sub in action.choices.items():
            positionals = [a for a in sub._actions if not a.option_strings]
            # A positional without choices is a file or a URL: offer file names.
            takes_files = any(not a.choices for a in positionals)
            yield _Command(name, helps.get(name, ""), _options(sub), takes_files)


def _one_line(text: str | None) -> str:
    text = " ".join((text or "").split())
    return shorten(text, 70)


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    """Return the completion script for ``shell`` from the whole command's parser."""
    commands = list(_commands(parser))
    top = [name for option in _options(parser) for name in option.names]
    if shell == "fish":
        return _fish(commands)
    bash = _bash(commands, top)
    if shell == "zsh":
        return (
            "# zsh completion: the bash completion, through zsh's bashcompinit.\n"
            "autoload -U +X compinit && compinit\n"
            "autoload -U +X bashcompinit && bashcompinit\n" + bash
        )
    return bash


def _words(items: list[str]) -> str:
    return shlex.quote(" ".join(items))


def _bash(commands: list[_Command], top: list[str]) -> str:
    function = "_lambda_agent_api"
    lines = [
        f"# bash completion for {PROG} (written by `{PROG} completion bash`)",
        f"{function}() {{",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
        '    local command="" i',
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        case "${COMP_WORDS[i]}" in',
        "            -*) ;;",
        '            *) command="${COMP_WORDS[i]}"; break ;;',
        "        esac",
        "    done",
        '    if [[ -z "$command" ]]; then',
        f'        COMPREPLY=($(compgen -W {_words([c.name for c in commands] + top)} -- "$cur"))',
        "        return",
        "    fi",
        '    case "$command" in',
    ]
    for command in commands:
        lines.append(f"        {command.name})")
        lines.append('            case "$prev" in')
        for option in command.options:
            if not option.takes_value:
                continue
            pattern = "|".join(option.names)
            values = f"-W {_words(list(option.choices))}" if option.choices else "-f"
            lines.append(
                f'                {pattern}) COMPREPLY=($(compgen {values} -- "$cur")); return ;;'
            )
        lines.append("            esac")
        names = [name for option in command.options for name in option.names]
        lines.append('            if [[ "$cur" == -* ]]; then')
        lines.append(f'                COMPREPLY=($(compgen -W {_words(names)} -- "$cur"))')
        if command.takes_files:
            lines.append("            else")
            lines.append('                COMPREPLY=($(compgen -f -- "$cur"))')
        lines.append("            fi")
        lines.append("            ;;")
    lines += [
        "    esac",
        "}",
        f"complete -o filenames -o bashdefault -F {function} {PROG}",
        "",
    ]
    return "\n".join(lines)


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish(commands: list[_Command]) -> str:
    names = " ".join(c.name for c in commands)
    lines = [
        f"# fish completion for {PROG} (written by `{PROG} completion fish`)",
        f"complete -c {PROG} -f",
        f"complete -c {PROG} -n __fish_use_subcommand -s h -l help -d 'show the help'",
        f"complete -c {PROG} -n __fish_use_subcommand -s V -l version -d 'show the version'",
    ]
    for command in commands:
        lines.append(
            f"complete -c {PROG} -n 'not __fish_seen_subcommand_from {names}' "
            f"-a {command.name} -d {_fish_quote(command.help)}"
        )
    for command in commands:
        when = f"-n '__fish_seen_subcommand_from {command.name}'"
        if command.takes_files:
            lines.append(f"complete -c {PROG} {when} -F")
        for option in command.options:
            flags = " ".join(
                f"-l {name[2:]}" if name.startswith("--") else f"-s {name[1:]}"
                for name in option.names
            )
            value = ""
            if option.choices:
                value = f" -x -a {_fish_quote(' '.join(option.choices))}"
            elif option.takes_value:
                value = " -r -F"
            lines.append(f"complete -c {PROG} {when} {flags}{value} -d {_fish_quote(option.help)}")
    return "\n".join(lines) + "\n"
