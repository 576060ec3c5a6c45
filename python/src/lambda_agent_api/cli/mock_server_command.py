"""``lambda-agent-api mock-server``: run the test server with a demo script, until stopped.

With ``--replay CAPTURE`` it plays the server side of a capture instead
(:mod:`lambda_agent_api.testing.replay`), and exits once every recorded
connection has been played: 0, or 1 when ``--strict`` saw a client stray.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from contextlib import suppress
from pathlib import Path

from lambda_agent_api.cli.arguments import port, positive_int
from lambda_agent_api.cli.logs import one_line_logs
from lambda_agent_api.exceptions import ReplayError
from lambda_agent_api.protocol.limits import MAX_FRAME_BYTES, MAX_NUMBER_DIGITS
from lambda_agent_api.testing import server as server_module
from lambda_agent_api.testing.demo import HELP as DEMO_HELP
from lambda_agent_api.testing.demo import demo_script
from lambda_agent_api.testing.replay import (
    Difference,
    ReplayServer,
    load_recording,
    write_recording,
)
from lambda_agent_api.testing.server import MockServer

__all__ = ["EXIT_CODES", "HELP", "NAME", "add_arguments", "banner", "run"]

NAME = "mock-server"
HELP = "run a local agent server that speaks the protocol, with a demo script (for trying clients)"
EXIT_CODES = """\
exit codes:
  0  stopped with Ctrl-C or SIGTERM, or a replay is over
  1  --replay --strict: a client sent other than the capture
  2  bad arguments, an unreadable capture, or the address cannot be listened on"""
_PREFIX = f"lambda-agent-api {NAME}"
_EXAMPLE_CHAT = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument(
        "--port", type=port, default=8000, help="port, 0 to 65535; 0 picks a free one (8000)"
    )
    parser.add_argument(
        "--path-prefix", default="", help="a path before /v1/agent_ws/, such as /api"
    )
    parser.add_argument(
        "--busy",
        choices=["handshake", "close"],
        default="handshake",
        help="how a second client of a held chat is refused: HTTP 403 during the handshake "
        "(handshake, as a Starlette server does) or a 1008 close with a reason (close)",
    )
    parser.add_argument(
        "--max-frame-bytes",
        type=positive_int,
        default=MAX_FRAME_BYTES,
        metavar="N",
        help=f"close a client that sends a larger frame with 1009 ({MAX_FRAME_BYTES})",
    )
    parser.add_argument(
        "--max-number-digits",
        type=positive_int,
        default=MAX_NUMBER_DIGITS,
        metavar="N",
        help="refuse a frame holding an integer of more digits, before converting it "
        f"({MAX_NUMBER_DIGITS})",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="do not log connections, refusals and closes (on stderr)",
    )
    replay = parser.add_argument_group("replaying a capture")
    replay.add_argument(
        "--replay",
        type=Path,
        metavar="CAPTURE",
        help="play the server side of a capture (JSON Lines or HAR): the n-th client "
        "connection gets the n-th recorded one; exits when all are played",
    )
    replay.add_argument(
        "--strict",
        action="store_true",
        help="close a connection (1011) whose client sends other than the capture, and exit 1 "
        "(default: a warning)",
    )
    replay.add_argument(
        "--speed",
        type=_speed,
        default=1.0,
        help="1 replays the recorded timing, 2 twice as fast, 0 as fast as possible (1)",
    )
    replay.add_argument(
        "--redact",
        action="append",
        default=[],
        metavar="FIELD",
        help="replace this field's values with placeholders wherever it appears (text, path, "
        "attachments...); repeatable",
    )
    replay.add_argument(
        "--write-redacted",
        type=Path,
        metavar="FILE",
        help="also write the capture as replayed (redacted) to FILE, to share it",
    )


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"not a number >= 0: {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted (Ctrl-C) or terminated, or until a replay is over."""
    server_logger = logging.getLogger(server_module.__name__)
    old_level = server_logger.level
    server_logger.setLevel(logging.WARNING if args.quiet else logging.INFO)
    try:
        with one_line_logs(_PREFIX, logging.WARNING):
            if args.replay is not None:
                return asyncio.run(_replay(args))
            return asyncio.run(_serve(args))
    except OSError as error:
        print(f"{_PREFIX}: cannot listen: {error}", file=sys.stderr)
        return 2
    finally:
        server_logger.setLevel(old_level)


def banner(server: MockServer) -> list[str]:
    """Return what the command prints once it listens: where, and how to try it."""
    base = server.base_url
    return [
        f"mock agent server listening on {base}",
        f"  each chat has its own URL, such as {server.url(_EXAMPLE_CHAT)} (any chat id works)",
        f"  try it:  lambda-agent-api chat {base} --chat-id {_EXAMPLE_CHAT}",
        f"  {DEMO_HELP}",
        "  'bye' ends its answer, then says GRACEFUL_DISCONNECT (between responses, as rule",
        "  P006 wants): the client is then expected to disconnect",
        "  Ctrl-C to stop",
    ]


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # Not on every platform: Ctrl-C then ends the command as KeyboardInterrupt.
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)


async def _replay(args: argparse.Namespace) -> int:
    skipped: list[str] = []
    try:
        connections = load_recording(args.replay, redact=args.redact, skipped=skipped)
    except ReplayError as error:
        print(f"lambda-agent-api mock-server: {error}", file=sys.stderr)
        return 2
    for reason in skipped:
        print(f"lambda-agent-api mock-server: skipped: {reason}", file=sys.stderr)
    if args.write_redacted is not None:
        try:
            with args.write_redacted.open("w", encoding="utf-8") as file:
                write_recording(connections, file)
        except OSError as error:
            why = error.strerror or str(error)
            print(
                f"lambda-agent-api mock-server: cannot write {args.write_redacted}: {why}",
                file=sys.stderr,
            )
            return 2

    def warn(difference: Difference) -> None:
        level = "error" if args.strict else "warning"
        print(
            f"lambda-agent-api mock-server: {level}: {difference.describe()}",
            file=sys.stderr,
            flush=True,
        )

    server = ReplayServer(
        connections,
        strict=args.strict,
        speed=args.speed,
        redact=args.redact,
        on_difference=warn,
        host=args.host,
        port=args.port,
        path_prefix=args.path_prefix,
    )
    await server.start()
    stop = asyncio.Event()
    _stop_on_signals(stop)
    count = len(connections)
    print(
        f"replaying {count} connection{_s(count)} of {args.replay} on {server.base_url}",
        flush=True,
    )
    print(
        f"  each chat has its own URL, such as {server.url(_EXAMPLE_CHAT)}; Ctrl-C to stop",
        flush=True,
    )
    finished = asyncio.ensure_future(server.finished())
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({finished, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        finished.cancel()
        stopped.cancel()
        await server.stop()
    differences = len(server.differences)
    print(
        f"replayed {server.played} of {count}; {differences} difference{_s(differences)}",
        flush=True,
    )
    return 1 if args.strict and differences else 0


def _s(count: int) -> str:
    return "" if count == 1 else "s"


async def _serve(args: argparse.Namespace) -> int:
    server = MockServer(
        demo_script,
        host=args.host,
        port=args.port,
        path_prefix=args.path_prefix,
        busy=args.busy,
        max_size=args.max_frame_bytes,
        max_number_digits=args.max_number_digits,
    )
    await server.start()
    stop = asyncio.Event()
    _stop_on_signals(stop)
    print("\n".join(banner(server)), flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()
    return 0
