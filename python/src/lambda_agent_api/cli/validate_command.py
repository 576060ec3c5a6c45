"""``lambda-agent-api validate FILE...``: check captured traffic against the schema and the rules.

This module only wires things together: :class:`lambda_agent_api.check.files.FileChecker`
reads and checks (JSON Lines in ``--jobs`` processes), :mod:`lambda_agent_api.cli.report`
prints.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from typing import Final

from lambda_agent_api.capture import CaptureFormat
from lambda_agent_api.check import Checker, Diagnostic
from lambda_agent_api.check.files import FileChecker, FileDone, FileStarted
from lambda_agent_api.cli.arguments import positive_int
from lambda_agent_api.cli.console import add_color_argument, isatty, printable, use_color
from lambda_agent_api.cli.progress import MIN_BYTES, ProgressBar
from lambda_agent_api.cli.report import JsonReporter, Reporter, RunInfo, TextReporter
from lambda_agent_api.protocol.limits import (
    MAX_DEPTH,
    MAX_FRAME_BYTES,
    MAX_KEY_CHARS,
    MAX_NUMBER_DIGITS,
    MAX_OPEN_CONNECTIONS,
    MAX_RECORD_BYTES,
)
from lambda_agent_api.protocol.rules import Severity

__all__ = ["EXIT_CODES", "HELP", "NAME", "add_arguments", "run"]

NAME = "validate"
HELP = (
    "check captured WebSocket traffic (JSON Lines or HAR) against the schema "
    "and the protocol's rules"
)
EXIT_CODES = """\
exit codes:
  0  no problems found (warnings allowed, unless --strict)
  1  errors found (with --strict, warnings too)
  2  an input could not be read or is not a capture, or bad arguments"""
_STDIN = "-"
_REDRAW: Final = 0.1
"""Seconds between two drawings of the progress bar."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="captures to check: JSON Lines (.jsonl) or HAR (.har); - reads standard input, "
        "as does no FILE when standard input is not a terminal (`validate < capture.jsonl`)",
    )
    parser.add_argument(
        "--input-format",
        choices=["auto", *(f.value for f in CaptureFormat)],
        default="auto",
        help="the captures' format: jsonl (the capture format), messages (bare messages, "
        "one per line), har; auto (the default) guesses from the name and the first line",
    )
    parser.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text (the default) for people; json for programs: one finding per line, "
        "then a summary",
    )
    parser.add_argument(
        "--strict", action="store_true", help="warnings fail the check too (exit 1)"
    )
    parser.add_argument(
        "--protocol",
        metavar="VERSION",
        help="the protocol version to check against: a released one such as 1.0 "
        "(default: the current one, 1.1)",
    )
    parser.add_argument(
        "--max-errors",
        type=positive_int,
        metavar="N",
        help="stop after N errors (with --strict, warnings count)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=positive_int,
        default=1,
        metavar="N",
        help="check JSON Lines captures in N processes (default 1); the report is the same",
    )
    add_limit_arguments(parser)
    add_color_argument(parser, "the text report")
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help="never draw the progress bar (drawn on stderr for long files on a terminal)",
    )


def add_limit_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the input limits (see ``docs/limits.md``), each with its default."""
    group = parser.add_argument_group("input limits (see the Limits page of the docs)")
    group.add_argument(
        "--max-frame-bytes",
        type=positive_int,
        default=MAX_FRAME_BYTES,
        metavar="N",
        help=f"a larger frame is reported (F006), not parsed ({MAX_FRAME_BYTES})",
    )
    group.add_argument(
        "--max-number-digits",
        type=positive_int,
        default=MAX_NUMBER_DIGITS,
        metavar="N",
        help=f"an integer of more digits is reported (F006), never converted ({MAX_NUMBER_DIGITS})",
    )
    group.add_argument(
        "--max-record-bytes",
        type=positive_int,
        default=MAX_RECORD_BYTES,
        metavar="N",
        help="a longer line, or HAR string, is reported (C001) and skipped as it is read "
        f"({MAX_RECORD_BYTES})",
    )
    group.add_argument(
        "--max-key-chars",
        type=positive_int,
        default=MAX_KEY_CHARS,
        metavar="N",
        help=f"a longer object key of a HAR is skipped with its value ({MAX_KEY_CHARS})",
    )
    group.add_argument(
        "--max-depth",
        type=positive_int,
        default=MAX_DEPTH,
        metavar="N",
        help="the depth to which the brackets of a skipped HAR value are checked; deeper "
        f"levels are only counted ({MAX_DEPTH})",
    )
    group.add_argument(
        "--max-open-connections",
        type=positive_int,
        default=MAX_OPEN_CONNECTIONS,
        metavar="N",
        help="in a capture without close records, end the connections idle longest when "
        f"more are open at once ({MAX_OPEN_CONNECTIONS})",
    )


def run(args: argparse.Namespace) -> int:
    """Check every input; return 0 (clean), 1 (findings) or 2 (an input could not be read)."""
    if not args.files:
        if sys.stdin is None or isatty(sys.stdin):
            print(
                f"lambda-agent-api {NAME}: no FILE given, and standard input is a terminal; "
                f"name a capture, or pipe one in (`lambda-agent-api {NAME} < capture.jsonl`)",
                file=sys.stderr,
            )
            return 2
        args.files = [_STDIN]
    out = sys.stdout
    reporter: Reporter
    if args.format == "json":
        reporter = JsonReporter(out)
    else:
        reporter = TextReporter(out, use_color(args.color, out))
    format = None if args.input_format == "auto" else CaptureFormat(args.input_format)
    info = RunInfo(strict=args.strict)
    try:
        checker = Checker(
            args.protocol,
            max_frame_bytes=args.max_frame_bytes,
            max_number_digits=args.max_number_digits,
        )
    except ValueError as error:
        print(f"lambda-agent-api {NAME}: --protocol: {error}", file=sys.stderr)
        return 2
    failing = {Severity.ERROR, Severity.WARNING} if args.strict else {Severity.ERROR}
    failures = 0
    show_progress = not args.no_progress and isatty(sys.stderr)
    bar: ProgressBar | None = None
    last_drawn = 0.0
    limits = {
        "max_record_bytes": args.max_record_bytes,
        "max_key_chars": args.max_key_chars,
        "max_depth": args.max_depth,
        "max_open_connections": args.max_open_connections,
    }

    with FileChecker(checker, format=format, jobs=args.jobs, **limits) as files:

        def progress() -> None:
            nonlocal last_drawn
            now = time.monotonic()
            if bar is not None and now - last_drawn >= _REDRAW:
                last_drawn = now
                bar.draw()

        files.on_progress = progress
        started = False
        # A file's first findings are held until it is known to hold a frame: one
        # that holds none is unusable input (exit 2), not a C001 per line.
        held: list[Diagnostic] | None = None
        frames_before = 0
        abandoned = False  # the current file was given up as not a capture
        for event in files.check(args.files):
            if isinstance(event, FileStarted):
                info.files += 1
                started = True
                held, frames_before = [], checker.summary.frames
                abandoned = False
                if show_progress and event.size is not None and event.size >= MIN_BYTES:
                    bar = ProgressBar(sys.stderr, event.source, event.size, files.position)
                continue
            if isinstance(event, FileDone):
                if bar is not None:
                    bar.clear()
                    bar = None
                if event.error is not None:
                    _unreadable(info, event.source, event.error)
                elif started and not abandoned and checker.summary.frames == frames_before:
                    _unusable(info, event.source, held or [], checker)
                    held = []
                for diagnostic in held or ():
                    reporter.add(diagnostic)
                held = None
                if started:
                    reporter.end_source()
                started = False
                continue
            if held is not None:
                held.append(event)
                if len(held) > _HELD and checker.summary.frames == frames_before:
                    # So many records and not one frame: not a capture. Said once, and
                    # the rest is not read (a binary file held thousands of C001).
                    source = event.connection.source
                    _unusable(info, source, held, checker, abandoned=len(held))
                    held = []
                    files.skip_rest()
                    abandoned = True
                    continue
                if len(held) > _HELD:  # too many to hold back: shown as they come
                    for diagnostic in held:
                        reporter.add(diagnostic)
                    held = None
            else:
                reporter.add(event)
            if event.rule.severity in failing:
                failures += 1
                if args.max_errors is not None and failures >= args.max_errors:
                    info.stopped_after = failures
                    for diagnostic in held or ():
                        reporter.add(diagnostic)
                    break
        if bar is not None:
            bar.clear()
        if started:  # stopped by --max-errors
            reporter.end_source()

    if info.stopped_after is None:
        for diagnostic in checker.finish():
            reporter.add(diagnostic)
    reporter.finish(checker.summary, info)
    out.flush()
    if info.unreadable:
        return 2
    return 1 if checker.summary.failed(args.strict) else 0


_HELD = 100
"""The findings of a file held until it shows a frame; one more and still no frame, and
the file is not a capture: it is given up (exit 2, one line), the rest unread."""


def _unusable(
    info: RunInfo,
    source: str,
    held: list[Diagnostic],
    checker: Checker,
    abandoned: int | None = None,
) -> None:
    """Report a file that held no frame as unusable input, and drop its held findings.

    ``abandoned``: the file was given up after this many findings and no frame.
    """
    bad = [d for d in held if d.rule.id == "C001"]
    if abandoned is not None:
        first = f" (the first: {bad[0].message})" if bad else ""
        reason = (
            f"not a capture: {abandoned} records and not one frame{first}; binary data, a "
            "compressed file, or text in another format? The rest was not read"
        )
    elif bad or checker.summary.counts["C001"]:
        first = f" (the first: {bad[0].message})" if bad else ""
        reason = (
            f"not a capture: none of its records is a frame{first}; binary data, a "
            "compressed file, or text in another format?"
        )
    else:
        reason = "unusable input: it holds no frame (empty, or a HAR without WebSocket messages)"
    for diagnostic in held:
        checker.summary.counts[diagnostic.rule.id] -= 1
        if diagnostic.rule.id == "C001":
            checker.summary.records_skipped -= 1
    checker.summary.counts += collections.Counter()  # drops the counts that fell to 0
    _unreadable(info, source, reason)


def _unreadable(info: RunInfo, source: str, reason: str) -> None:
    info.unreadable.append((source, reason))
    print(f"lambda-agent-api validate: {printable(source)}: {printable(reason)}", file=sys.stderr)
