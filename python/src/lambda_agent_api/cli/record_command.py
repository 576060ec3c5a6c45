"""``lambda-agent-api record``: a recording proxy in front of an agent server.

This module only wires things together: :class:`lambda_agent_api.transport.proxy.RecordingProxy`
forwards and records, :class:`lambda_agent_api.check.traffic.TrafficChecker` checks live,
and the observer here prints what happens as it happens.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
import sys
from contextlib import suppress
from typing import IO, TextIO
from urllib.parse import urlsplit

from lambda_agent_api.capture import CaptureWriter, Direction
from lambda_agent_api.check.traffic import Finding, TrafficChecker
from lambda_agent_api.cli.arguments import positive_int, positive_seconds
from lambda_agent_api.cli.console import (
    BOLD,
    DIM,
    GREEN,
    Style,
    add_color_argument,
    os_reason,
    plural,
    printable,
)
from lambda_agent_api.cli.logs import one_line_logs
from lambda_agent_api.cli.report import SEVERITY_COLOR, findings_summary
from lambda_agent_api.protocol.limits import MAX_FRAME_BYTES, MAX_NUMBER_DIGITS
from lambda_agent_api.transport.capture_sink import CaptureFailure
from lambda_agent_api.transport.proxy import (
    ProxiedConnection,
    ProxyObserver,
    RecordingProxy,
    upstream_url,
)

__all__ = ["EXIT_CODES", "HELP", "NAME", "add_arguments", "parse_listen", "run"]

NAME = "record"
HELP = (
    "run a WebSocket proxy in front of an agent server that forwards every frame unchanged "
    "and records it in the capture format (optionally validating it live)"
)
EXIT_CODES = """\
exit codes:
  0  stopped cleanly with Ctrl-C or SIGTERM (and, with --validate, no error found)
  1  with --validate: an error was found (with --strict, a warning too)
  2  bad arguments, an upstream that cannot be reached, an address in use,
     an output file that cannot be written"""
_PREFIX = f"lambda-agent-api {NAME}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument(
        "--listen",
        default="127.0.0.1:8001",
        metavar="HOST:PORT",
        help="where clients connect (127.0.0.1:8001); port 0 picks a free one",
    )
    parser.add_argument(
        "--upstream",
        required=True,
        metavar="URL",
        help="the agent server's base URL, such as ws://agent-host:8000/",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the capture here (JSON Lines, one frame per line, flushed as written; "
        "an existing file is replaced)",
    )
    parser.add_argument(
        "--validate",
        action="store_true",
        help="check every frame against the schema and the rules as it passes, "
        "and print findings as they happen",
    )
    parser.add_argument(
        "--strict", action="store_true", help="with --validate, warnings fail too (exit 1)"
    )
    parser.add_argument(
        "--quiet", action="store_true", help="print findings only, not connections opening"
    )
    parser.add_argument(
        "--open-timeout",
        type=positive_seconds,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for the upstream server (10)",
    )
    parser.add_argument(
        "--max-frame-bytes",
        type=positive_int,
        default=MAX_FRAME_BYTES,
        metavar="N",
        help="close a side that sends a larger frame with 1009 (message too big), and the "
        f"other side alike ({MAX_FRAME_BYTES})",
    )
    parser.add_argument(
        "--max-number-digits",
        type=positive_int,
        default=MAX_NUMBER_DIGITS,
        metavar="N",
        help="with --validate, an integer of more digits is reported (F006), never converted "
        f"({MAX_NUMBER_DIGITS})",
    )
    add_color_argument(parser)


_HOST_PORT = re.compile(r"\A(?:\[(?P<v6>[^\]]+)\]|(?P<host>[^:\[\]]*)):(?P<port>\d{1,5})\Z")


def parse_listen(text: str) -> tuple[str, int]:
    """Return the host and port of ``HOST:PORT`` (``[::1]:PORT`` for IPv6; ``PORT`` alone is local).

    Raises:
        ValueError: not a host and a port from 0 to 65535.
    """
    text = text.strip()
    if text.isdigit():
        text = f"127.0.0.1:{text}"
    match = _HOST_PORT.match(text)
    if match is None or int(match["port"]) > 65535:
        raise ValueError(f"expected HOST:PORT with a port from 0 to 65535, got {text!r}")
    host = match["v6"] or match["host"] or "127.0.0.1"
    return host, int(match["port"])


def run(args: argparse.Namespace) -> int:
    """Proxy until interrupted; 0 on a clean stop, 1 for findings (--validate), 2 on failure."""
    if args.output is None and not args.validate:
        return _fail("nothing to do: give -o FILE to record, --validate to check, or both")
    try:
        host, port = parse_listen(args.listen)
    except ValueError as error:
        return _fail(f"--listen: {error}")
    try:
        upstream_url(args.upstream, "/")
    except ValueError as error:
        return _fail(f"--upstream: {error}")
    try:
        with one_line_logs(_PREFIX):
            return asyncio.run(_record(args, host, port))
    except _Failure as failure:
        return _fail(str(failure))


class _Failure(Exception):
    """The command cannot do its job: say why in one line and exit 2."""


def _fail(reason: str) -> int:
    print(f"{_PREFIX}: {reason}", file=sys.stderr)
    return 2


async def _record(args: argparse.Namespace, host: str, port: int) -> int:
    await _probe(args.upstream, args.open_timeout)
    out = sys.stdout
    printer = _Printer(out, Style.for_stream(args.color, out), args)
    proxy = RecordingProxy(
        args.upstream,
        host=host,
        port=port,
        observer=printer,
        open_timeout=args.open_timeout,
        max_size=args.max_frame_bytes,
    )
    try:
        await proxy.start()
    except OSError as error:
        raise _Failure(f"cannot listen on {args.listen}: {os_reason(error)}") from error
    file: IO[str] | None = None
    try:
        if args.output is not None:
            try:
                file = open(args.output, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
            except OSError as error:
                raise _Failure(f"cannot write {args.output}: {os_reason(error)}") from error
            proxy.capture = CaptureWriter(file, flush=True)
        printer.banner(proxy)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)
        stopping = asyncio.ensure_future(stop.wait())
        failing = asyncio.ensure_future(proxy.failed.wait())
        try:
            await asyncio.wait({stopping, failing}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            failing.cancel()
            await proxy.stop()
    finally:
        if file is not None:
            with suppress(OSError):  # a failure to write was reported already
                file.close()
    if proxy.failure is not None:
        failure = proxy.failure
        why = os_reason(failure) if isinstance(failure, OSError) else str(failure)
        raise _Failure(f"cannot write {args.output}: {why}")
    return printer.finish(proxy)


async def _probe(upstream: str, timeout: float) -> None:
    """Fail now, with one line, if nothing listens at the upstream's host and port."""
    parts = urlsplit(upstream.strip())
    secure = parts.scheme.lower() in ("wss", "https")
    try:
        port = parts.port or (443 if secure else 80)
    except ValueError as error:
        raise _Failure(f"--upstream: {error}") from error
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(parts.hostname, port), timeout)
    except (asyncio.TimeoutError, TimeoutError) as error:
        reason = f"no answer within {timeout:g} s"
        raise _Failure(f"cannot reach the upstream {upstream}: {reason}") from error
    except OSError as error:
        raise _Failure(f"cannot reach the upstream {upstream}: {os_reason(error)}") from error
    writer.close()
    with suppress(OSError):
        await writer.wait_closed()


class _Printer(ProxyObserver):
    """Prints connections and findings as they happen, and validates frames with --validate."""

    def __init__(self, out: TextIO, style: Style, args: argparse.Namespace) -> None:
        self._out = out
        self._style = style
        self._quiet = args.quiet
        self._strict = args.strict
        self._source = args.output or "<live>"
        # Keyed by the proxy's connection id: the checker needs no capture to locate frames.
        self._checker = (
            TrafficChecker(
                max_frame_bytes=args.max_frame_bytes, max_number_digits=args.max_number_digits
            )
            if args.validate
            else None
        )
        self._opened = 0
        self._refused = 0  # handshakes the upstream refused, or could not take
        self._frames = 0
        self._recording = args.output is not None

    def banner(self, proxy: RecordingProxy) -> None:
        """Say where the proxy listens, where it forwards, what it does with the frames."""
        style = self._style
        self._print(f"recording proxy listening on {style(proxy.base_url, BOLD)}")
        doing = [f"forwarding to {proxy.upstream}"]
        if self._recording:
            doing.append(f"recording to {self._source}")
        if self._checker is not None:
            doing.append("validating live")
        self._print(f"  {', '.join(doing)}; Ctrl-C to stop")

    # What the proxy reports

    def opened(self, connection: ProxiedConnection) -> None:
        """Print the new connection."""
        self._opened += 1
        self._event(connection, f"opened {connection.path} -> {connection.upstream_url}")

    def frame(
        self,
        connection: ProxiedConnection,
        direction: Direction,
        data: str | bytes,
        ts: float,
        line: int | None,
    ) -> None:
        """Check the frame (with --validate) and print what it broke."""
        self._frames += 1
        if self._checker is None:
            return
        for finding in self._checker.check(
            connection.conn, direction, data, isinstance(data, bytes)
        ):
            self._finding(connection.conn, finding, line)

    def closed(self, connection: ProxiedConnection, by: str, code: int, reason: str) -> None:
        """Print how the connection ended, and what its end broke."""
        said = f", reason {reason!r}" if reason else ""
        how = "dropped (no close frame, 1006)" if code == 1006 else f"code {code}{said}"
        self._event(connection, f"closed by the {by}: {how}")
        if self._checker is not None:
            for finding in self._checker.end(connection.conn):
                self._finding(connection.conn, finding, None)

    def refused(self, connection: ProxiedConnection, status: int, body: bytes) -> None:
        """Print a handshake the upstream refused."""
        self._refused += 1
        text = body.decode("utf-8", "replace").strip()
        quoted = f" {text[:200]!r}" if text else ""
        busy = " (a busy chat, or a path the server does not serve)" if status == 403 else ""
        self._event(
            connection, f"{connection.path} refused by the upstream: HTTP {status}{quoted}{busy}"
        )

    def failed(self, connection: ProxiedConnection, status: int, reason: str) -> None:
        """Print an upstream that could not be reached for one connection."""
        self._refused += 1
        self._event(connection, f"{connection.path}: {reason} (answered HTTP {status})", True)

    def capture_failed(self, error: CaptureFailure) -> None:
        """Nothing to print here: the command says it once, as it stops."""

    # The end

    def finish(self, proxy: RecordingProxy) -> int:
        """Print the summary; return the exit code."""
        style = self._style
        connections = plural(self._opened, "connection")
        if self._refused:
            connections += f" ({self._refused:,} more refused)"
        frames = plural(self._frames, "frame")
        where = f" recorded in {self._source}" if self._recording else ""
        self._print(f"stopped: {connections}, {frames}{where}")
        checker = self._checker
        if checker is None:
            return 0
        for key in checker.open_keys():  # cannot happen: every connection was closed
            for finding in checker.end(key):
                self._finding(str(key), finding, None)
        summary = checker.summary
        if not summary.counts:
            self._print(style("No problems found.", GREEN, BOLD))
            return 0
        for line in findings_summary(summary, style, self._strict):
            self._print(line)
        return 1 if summary.failed(self._strict) else 0

    # Printing

    def _event(self, connection: ProxiedConnection, text: str, always: bool = False) -> None:
        if self._quiet and not always:
            return
        # The path, the upstream's reasons and bodies come from the network.
        self._print(f"{self._style(f'conn {connection.conn}', BOLD)} {printable(text)}")

    def _finding(self, conn: str, finding: Finding, line: int | None) -> None:
        """Print a finding where it is: the capture's line, or the frame's index."""
        style = self._style
        rule = finding.rule
        if finding.frame is None:
            where = "end"
        elif self._recording and line is not None:
            where = f"line {line}"
        else:
            where = f"frame {finding.frame}"
        pointer = printable(finding.pointer or "")
        pointer = f" {style(f'[{pointer}]', DIM)}" if pointer else ""
        self._print(
            f"{style(f'conn {conn}', BOLD)} {style(where + ':', DIM)} "
            f"{style(rule.id, SEVERITY_COLOR[rule.severity], BOLD)} "
            f"{style(rule.severity.value, SEVERITY_COLOR[rule.severity])}: "
            f"{printable(finding.message)}{pointer}"
        )

    def _print(self, text: str) -> None:
        print(text, file=self._out, flush=True)
