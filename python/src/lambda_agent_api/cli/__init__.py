"""The ``lambda-agent-api`` command.

Each subcommand lives in its own module with ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; ``COMMANDS`` lists them (loaded
on demand: a command line that names a subcommand loads that module alone).
Exit codes follow ruff's: 0 all is well, 1 the input has problems, 2 the
command could not do its job (bad arguments, unreadable input, internal error).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Final

from lambda_agent_api import __version__
from lambda_agent_api.cli.console import printable, safe_streams

__all__ = ["COMMANDS", "EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "main"]

EXIT_OK = 0
"""Everything checked out."""
EXIT_FINDINGS = 1
"""The command ran and found problems in its input."""
EXIT_ERROR = 2
"""The command could not do its job: bad arguments, unreadable input, an internal error."""

_MODULES: Final = (
    "validate_command",
    "rules_command",
    "schema_command",
    "mock_server_command",
    "record_command",
    "chat_command",
    "probe_command",
    "completion_command",
)
"""Every subcommand's module, in the order ``--help`` lists them; ``COMMANDS`` loads them."""


def __getattr__(name: str) -> list[ModuleType]:
    # COMMANDS is made on demand (PEP 562), so that running one command loads no
    # other: validate needs neither asyncio nor websockets, and starts faster without.
    if name == "COMMANDS":
        return [_load(module) for module in _MODULES]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _load(module: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{module}")


def _requested(argv: Sequence[str]) -> str | None:
    """Return the module of the command named first on the command line, if it names one."""
    if argv and not argv[0].startswith("-"):
        module = argv[0].replace("-", "_") + "_command"
        if module in _MODULES:
            return module
    return None


EXIT_CODES = """\
exit codes:
  0  all is well
  1  the command ran and found problems in its input (validate, record --validate), or a
     response failed (chat), or the server failed a MUST check (probe)
  2  the command could not do its job: bad arguments, unreadable input, no connection
  3  chat: the chat is held by another client
  130  interrupted (Ctrl-C)
`lambda-agent-api COMMAND --help` says what each command returns; docs:
https://agent-api.lambda.coredump.ru/"""
"""The exit codes, as ``--help`` lists them."""

_COMMAND_EXIT_CODES = """\
exit codes:
  0  all is well
  2  bad arguments, or the command could not do its job"""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Return the argument parser of the whole command (or with the subcommand ``only``).

    ``only`` names a subcommand's module (``"validate_command"``): that module alone
    is loaded.
    """
    parser = argparse.ArgumentParser(
        prog="lambda-agent-api",
        description="Speak, check and document the Lambda Agent WebSocket protocol (v1.1).",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _MODULES if only is None else (only,):
        command = _load(module)
        sub = subparsers.add_parser(
            command.NAME,
            help=command.HELP,
            description=command.HELP,
            # Each command's own exit codes (and notes) end its --help, kept as written.
            epilog=getattr(command, "EXIT_CODES", _COMMAND_EXIT_CODES),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return its exit code."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    safe_streams()
    args = build_parser(_requested(arguments)).parse_args(arguments)
    try:
        code: int = args.run(args)
    except KeyboardInterrupt:
        print("lambda-agent-api: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): not an error of ours.
        sys.stderr.close()
        return EXIT_OK
    except Exception as error:  # a one-line reason, never a traceback
        print(
            f"lambda-agent-api: internal error: {type(error).__name__}: {printable(str(error))}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return code
