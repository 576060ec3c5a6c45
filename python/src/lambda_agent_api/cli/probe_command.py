"""``lambda-agent-api probe URL``: score a live agent server against the protocol."""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
from pathlib import Path

from lambda_agent_api.cli.arguments import positive_seconds
from lambda_agent_api.cli.console import (
    BOLD,
    DIM,
    GREEN,
    RED,
    YELLOW,
    Style,
    add_color_argument,
)
from lambda_agent_api.cli.logs import one_line_logs
from lambda_agent_api.exceptions import ProbeError
from lambda_agent_api.probe import (
    CHECKS,
    EXIT_COULD_NOT_RUN,
    ProbeOptions,
    Status,
    TextProgress,
    format_text,
    junit_xml,
    load_expected_failures,
    random_chat_prefix,
    run_probe,
    write_json,
)

__all__ = ["EXIT_CODES", "HELP", "NAME", "add_arguments", "run"]

NAME = "probe"
HELP = "check that a live agent server speaks the protocol: scripted scenarios, a score per level"
EXIT_CODES = """\
exit codes:
  0  every MUST check passed (or failed as --expected-failures expects)
  1  a MUST check failed, or an --expected-failures entry passes now (stale)
  2  the probe could not run: bad URL, unreachable server, bad arguments or baseline
Only URL is contacted, on chats named PREFIX-<scenario>; docs:
https://agent-api.lambda.coredump.ru/python/probe/"""


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"not a number of seconds >= 0: {text!r}")
    return value


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"a header is 'Name: value', not {text!r}")
    return name.strip(), value.strip()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument(
        "url", nargs="?", help="the server's base URL, such as ws://localhost:8000/"
    )
    parser.add_argument(
        "--message",
        action="append",
        metavar="TEXT",
        help="a prompt your agent really answers (repeatable; the first is used by every "
        "scenario that needs an answer); no reply text is assumed",
    )
    parser.add_argument(
        "--chat-prefix",
        metavar="PREFIX",
        help="prefix of every chat id used (default: probe-<random>)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="ID",
        help="run only these checks (repeatable, or comma-separated)",
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="ID",
        help="do not run these checks (repeatable, or comma-separated)",
    )
    parser.add_argument(
        "--expected-failures",
        type=Path,
        metavar="FILE",
        help="a baseline of check ids (JSON list, or YAML '- id' lines) that may fail; a listed "
        "check that passes fails the run",
    )
    parser.add_argument(
        "--format", choices=["text", "json"], default="text", help="report format (text)"
    )
    parser.add_argument(
        "--junit", type=Path, metavar="FILE", help="also write the report as JUnit XML"
    )
    parser.add_argument(
        "--idle",
        type=_seconds,
        default=3.0,
        metavar="SECONDS",
        help="how long the idle scenario stays idle (3)",
    )
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=10.0,
        metavar="SECONDS",
        help="longest wait for one step: handshake, pong, ERROR, close (10)",
    )
    parser.add_argument(
        "--reply-timeout",
        type=positive_seconds,
        default=30.0,
        metavar="SECONDS",
        help="longest wait for a whole response (30)",
    )
    parser.add_argument(
        "--status-timeout",
        type=positive_seconds,
        default=5.0,
        metavar="SECONDS",
        help="the limit for STATUS after the handshake (5, the protocol's)",
    )
    parser.add_argument(
        "--settle",
        type=_seconds,
        default=0.5,
        metavar="SECONDS",
        help="how long to watch for stray frames before closing (0.5)",
    )
    parser.add_argument(
        "--header",
        type=_header,
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="an extra handshake header, such as an auth token (repeatable)",
    )
    parser.add_argument("--verbose", action="store_true", help="list every failure and note")
    add_color_argument(parser, "the report")
    parser.add_argument("--list-checks", action="store_true", help="list the checks and exit")


def _ids(values: list[str]) -> frozenset[str]:
    return frozenset(part.strip() for value in values for part in value.split(",") if part.strip())


def run(args: argparse.Namespace) -> int:
    """Run the probe and print its report."""
    if args.list_checks:
        for check in CHECKS.values():
            print(f"{check.id:<26} {check.level.value:<6} {check.sentence}")
        return 0
    if not args.url:
        return _fail("a URL is needed (the server's base URL, such as ws://localhost:8000/)")
    only, skip = _ids(args.only) or None, _ids(args.skip)
    unknown = sorted((only or frozenset()) - set(CHECKS) | skip - set(CHECKS))
    if unknown:
        return _fail(f"no such check: {', '.join(unknown)} (--list-checks lists them)")
    try:
        expected = (
            load_expected_failures(args.expected_failures)
            if args.expected_failures
            else frozenset()
        )
    except ProbeError as error:
        return _fail(str(error))
    options = ProbeOptions(
        messages=tuple(args.message) if args.message else ProbeOptions().messages,
        chat_prefix=args.chat_prefix or random_chat_prefix(),
        status_timeout=args.status_timeout,
        timeout=args.timeout,
        reply_timeout=args.reply_timeout,
        idle=args.idle,
        settle=args.settle,
        only=only,
        skip=skip,
        expected_failures=expected,
        headers=dict(args.header),
    )
    progress = TextProgress(sys.stderr)
    with one_line_logs(
        "lambda-agent-api probe", level=100
    ):  # websockets' own logs say nothing more
        report = asyncio.run(run_probe(args.url, options, progress))
    progress.close()
    if args.format == "json":
        write_json(report, sys.stdout)
    else:
        style = Style.for_stream(args.color, sys.stdout)
        colours = {
            Status.PASSED: (GREEN,),
            Status.FAILED: (RED, BOLD),
            Status.SKIPPED: (DIM,),
            Status.EXPECTED_FAILURE: (YELLOW,),
            Status.STALE: (RED, BOLD),
        }
        text = format_text(
            report, verbose=args.verbose, paint=lambda mark, status: style(mark, *colours[status])
        )
        sys.stdout.write(text)
    if report.error is not None and args.format == "json":
        print(f"lambda-agent-api probe: {report.error}", file=sys.stderr)
    if args.junit is not None:
        try:
            args.junit.write_bytes(junit_xml(report))
        except OSError as error:
            print(
                f"lambda-agent-api probe: cannot write {args.junit}: {error.strerror or error}",
                file=sys.stderr,
            )
            return EXIT_COULD_NOT_RUN
    return report.exit_code


def _fail(message: str) -> int:
    print(f"lambda-agent-api probe: {message}", file=sys.stderr)
    return EXIT_COULD_NOT_RUN
