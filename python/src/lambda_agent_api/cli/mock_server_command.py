"""``lambda-agent-api mock-server``: run the test server with a demo script, until stopped."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from contextlib import suppress

from lambda_agent_api.limits import MAX_FRAME_BYTES, MAX_NUMBER_DIGITS
from lambda_agent_api.testing.demo import HELP as DEMO_HELP
from lambda_agent_api.testing.demo import demo_script
from lambda_agent_api.testing.server import MockServer

NAME = "mock-server"
HELP = "run a local agent server that speaks the protocol, with a demo script (for trying clients)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port; 0 picks a free one (8000)")
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
        type=_positive,
        default=MAX_FRAME_BYTES,
        metavar="N",
        help=f"close a client that sends a larger frame with 1009 ({MAX_FRAME_BYTES})",
    )
    parser.add_argument(
        "--max-number-digits",
        type=_positive,
        default=MAX_NUMBER_DIGITS,
        metavar="N",
        help="refuse a frame holding an integer of more digits, before converting it "
        f"({MAX_NUMBER_DIGITS})",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted (Ctrl-C) or terminated."""
    try:
        return asyncio.run(_serve(args))
    except OSError as error:
        print(f"lambda-agent-api mock-server: cannot listen: {error}", file=sys.stderr)
        return 2


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
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # Not on every platform: Ctrl-C then ends the command as KeyboardInterrupt.
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    print(f"mock agent server listening on {server.base_url}", flush=True)
    print(f"  chats at {server.base_url}v1/agent_ws/{{chat_id}}/", flush=True)
    print(f"  {DEMO_HELP}; Ctrl-C to stop", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()
    return 0
