"""``lambda-agent-api mock-server``: run the test server with a demo script, until stopped."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from contextlib import suppress

from lambda_agent_api.cli.arguments import port
from lambda_agent_api.cli.console import one_line_logs
from lambda_agent_api.testing import server as server_module
from lambda_agent_api.testing.demo import HELP as DEMO_HELP
from lambda_agent_api.testing.demo import demo_script
from lambda_agent_api.testing.server import MockServer

__all__ = ["EXIT_CODES", "HELP", "NAME", "add_arguments", "run"]

NAME = "mock-server"
HELP = "run a local agent server that speaks the protocol, with a demo script (for trying clients)"
EXIT_CODES = """\
exit codes:
  0  stopped with Ctrl-C or SIGTERM
  2  bad arguments, or the address cannot be listened on (in use, not this machine's)"""
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
        "-q",
        "--quiet",
        action="store_true",
        help="do not log connections, refusals and closes (on stderr)",
    )


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted (Ctrl-C) or terminated."""
    server_logger = logging.getLogger(server_module.__name__)
    old_level = server_logger.level
    server_logger.setLevel(logging.WARNING if args.quiet else logging.INFO)
    try:
        with one_line_logs(_PREFIX, logging.WARNING):
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


async def _serve(args: argparse.Namespace) -> int:
    server = MockServer(
        demo_script,
        host=args.host,
        port=args.port,
        path_prefix=args.path_prefix,
        busy=args.busy,
    )
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # Not on every platform: Ctrl-C then ends the command as KeyboardInterrupt.
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    print("\n".join(banner(server)), flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()
    return 0
