"""``lambda-agent-api chat``: talk to an agent from the terminal, or from a script.

Three ways to run it: ``--message TEXT`` sends one message, prints the reply
and exits; with standard input on a terminal it is an interactive session
(a prompt, commands such as ``/attach``, Ctrl-C stops a response, Ctrl-D
quits); otherwise every line of standard input is a message. The agent's
messages are shown by :mod:`lambda_agent_api.cli.chat_view`, for people or
as JSON Lines (``--json``). Everything goes through
:class:`~lambda_agent_api.transport.agent_api.AgentApi`, whose ``capture`` option
records the session (``--capture FILE``).

Exit codes: 0 every message was answered (or the interactive session ended);
1 a response failed (the agent's ``ERROR``, a connection lost mid-response...);
2 the command could not do its job (bad arguments, the server cannot be
reached or refused the connection, the capture file cannot be written); 3 the
chat is busy (held by another client); 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import re
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Final
from urllib.parse import unquote, urlsplit, urlunsplit

from lambda_agent_api.check import workspace_path_problem
from lambda_agent_api.cli.arguments import positive_seconds
from lambda_agent_api.cli.chat_view import JsonView, TextView
from lambda_agent_api.cli.console import (
    Style,
    add_color_argument,
    isatty,
    os_reason,
    printable,
)
from lambda_agent_api.cli.line_input import LineReader
from lambda_agent_api.cli.logs import one_line_logs
from lambda_agent_api.protocol.client_protocol import UnknownMessage
from lambda_agent_api.protocol.messages import MsgError, MsgEventEnd, ServerMessageUnion
from lambda_agent_api.protocol.transitions import ends_response, is_agent_event
from lambda_agent_api.transport.agent_api import AgentApi, AgentBusyException, AgentException

__all__ = [
    "EXIT_BUSY",
    "EXIT_CODES",
    "EXIT_ERROR",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "HELP",
    "NAME",
    "add_arguments",
    "run",
]

NAME = "chat"
HELP = "talk to an agent: an interactive session on a terminal, or one message (--message)"
EXIT_CODES = """\
exit codes:
  0  every message was answered (or the interactive session ended)
  1  a response failed: the agent's ERROR, or the connection was lost in the middle
  2  bad arguments, the server cannot be reached or refused the connection,
     or the capture file cannot be written
  3  the chat is busy: another client holds it
  130  interrupted (Ctrl-C) outside an interactive session"""

EXIT_OK: Final = 0
"""Every message was answered."""
EXIT_FAILED: Final = 1
"""A response failed: the agent's ``ERROR``, or the connection was lost in the middle."""
EXIT_ERROR: Final = 2
"""The command could not do its job: bad arguments, no connection, an unwritable capture."""
EXIT_BUSY: Final = 3
"""The chat is held by another client."""
EXIT_INTERRUPTED: Final = 130
"""Ctrl-C outside an interactive session."""

_PREFIX: Final = f"lambda-agent-api {NAME}"
PROMPT: Final = ">>> "
COMMANDS_HELP: Final = """\
/attach PATH...  attach files (paths under /workspace) to your next message
/detach          forget the attachments
/help            this help
/quit            leave (or Ctrl-D)
//text           send a message that starts with /
Ctrl-C stops the response being shown."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument(
        "url",
        help="the agent server's base URL, such as ws://localhost:8000/, or a chat's own URL, "
        "such as ws://localhost:8000/v1/agent_ws/7/ (then it names the chat)",
    )
    parser.add_argument(
        "--chat-id",
        default=None,
        help="the chat to join (0, or the one the URL names); one client may hold a chat at a time",
    )
    parser.add_argument(
        "-m", "--message", metavar="TEXT", help="send this one message, print the reply and exit"
    )
    parser.add_argument(
        "-a",
        "--attach",
        action="append",
        default=[],
        metavar="PATH",
        help="attach a file (its path under /workspace, where it was uploaded) to the first "
        "message; may be repeated",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print every message from the server as one line of JSON (JSON Lines)",
    )
    parser.add_argument(
        "--capture",
        metavar="FILE",
        help="record the session's frames in FILE (the capture format that validate reads)",
    )
    parser.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="an extra handshake header, such as 'Authorization: Bearer ...'; may be repeated",
    )
    parser.add_argument(
        "--connect-timeout",
        type=positive_seconds,
        default=5.0,
        metavar="SECONDS",
        help="how long to wait for the connection and the server's STATUS (5)",
    )
    parser.add_argument(
        "--response-timeout",
        type=positive_seconds,
        default=None,
        metavar="SECONDS",
        help="give up on a response after this long without an event (default: wait)",
    )
    add_color_argument(parser)
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log what the client does (on stderr)"
    )


def run(args: argparse.Namespace) -> int:
    """Run the chat; return its exit code."""
    try:
        headers = _headers(args.header)
        args.url, args.chat_id = split_chat_url(args.url, args.chat_id)
    except ValueError as error:
        return _fail(str(error))
    out = sys.stdout
    if isinstance(out, io.TextIOWrapper):  # the agent's text may hold what a terminal cannot show
        out.reconfigure(errors="replace")
    view: TextView | JsonView
    notes = TextView(sys.stderr, Style.for_stream(args.color, sys.stderr))
    view = JsonView(out) if args.json else TextView(out, Style.for_stream(args.color, out))
    interactive = args.message is None and isatty(sys.stdin)
    session = _Session(args, headers, view, notes, interactive)
    errors = _ErrorCount()
    logging.getLogger("lambda_agent_api").addHandler(errors)
    try:
        with one_line_logs(_PREFIX, logging.INFO if args.verbose else logging.ERROR):
            code = asyncio.run(session.run())
    finally:
        logging.getLogger("lambda_agent_api").removeHandler(errors)
    if code == EXIT_OK and errors.count and not interactive:
        # The client logged an error (a frame it could not parse, a broken response):
        # shown on stderr as it happened; a script must not take the output as whole.
        return EXIT_FAILED
    return code


class _ErrorCount(logging.Handler):
    """Counts the package's error records (another handler prints them)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        """Count ``record``."""
        self.count += 1


_CHAT_PATH: Final = re.compile(r"\A(?P<base>.*/)v1/agent_ws/(?P<chat>[^/]+)/?\Z")


def split_chat_url(url: str, chat_id: str | None) -> tuple[str, str]:
    """Return the base URL and chat id to connect with, from a base URL or a chat's URL.

    ``ws://h/v1/agent_ws/7/`` gives ``("ws://h/", "7")``; a base URL gives itself and
    ``chat_id`` (``"0"`` if ``None``).

    Raises:
        ValueError: the URL names a chat and ``chat_id`` names another one.
    """
    parts = urlsplit(url.strip())
    match = _CHAT_PATH.match(parts.path)
    if match is None:
        return url, "0" if chat_id is None else chat_id
    named = unquote(match["chat"])
    if chat_id is not None and chat_id != named:
        raise ValueError(
            f"the URL is chat {named!r}'s, but --chat-id says {chat_id!r}: give a base URL "
            f"({urlunsplit(parts._replace(path=match['base']))}) or drop --chat-id"
        )
    return urlunsplit(parts._replace(path=match["base"])), named


def _headers(lines: Sequence[str]) -> dict[str, str]:
    headers = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or any(c in name for c in " \t"):
            raise ValueError(f"--header: expected 'NAME: VALUE', got {line!r}")
        headers[name.strip()] = value.strip()
    return headers


def _fail(reason: str) -> int:
    print(f"{_PREFIX}: {reason}", file=sys.stderr)
    return EXIT_ERROR


class _Stop(Exception):
    """End the session with this exit code (the reason was printed)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class _Session:
    """One run of the command: a client, what it shows, and how it went."""

    def __init__(
        self,
        args: argparse.Namespace,
        headers: dict[str, str],
        view: TextView | JsonView,
        notes: TextView,
        interactive: bool,
    ) -> None:
        self.args = args
        self.view = view
        self.notes = notes  # the chat's own messages, on stderr (the terminal, interactively)
        self.interactive = interactive
        self.api = AgentApi(
            "chat",
            args.url,
            callback=self._on_message,
            on_disconnect=self._on_disconnect,
            chat_id=args.chat_id,
            connect_timeout=args.connect_timeout,
            response_timeout=args.response_timeout,
            additional_headers=headers,
            capture=args.capture,
            # An ERROR that ends a response is shown once, from the caller's side.
            response_errors_to_callback=False,
        )
        self.attachments: list[str] = list(args.attach)
        self.failed = False
        self.messages = 0
        self.tokens = 0
        self.closing = False
        self.at_prompt = False
        self.response: asyncio.Task[None] | None = None
        self.discarding = False  # the rest of an interrupted response is not shown

    async def run(self) -> int:
        main = asyncio.current_task()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, self._on_interrupt, main)
        try:
            await self._connect()
            if self.args.message is not None:
                await self._send(self.args.message)
            else:
                await self._read_lines()
        except _Stop as stop:
            return stop.code
        except asyncio.CancelledError:
            self.view.finish_line()
            return EXIT_INTERRUPTED
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signal.SIGINT)
            self.closing = True
            await self.api.close()
        # Interactively, each failure was shown as it happened and the session went on.
        return EXIT_FAILED if self.failed and not self.interactive else EXIT_OK

    # Connecting

    async def _connect(self) -> None:
        api = self.api
        if self.args.verbose:
            self._note(f"connecting to {api.url}")
        try:
            await api.connect()
        except AgentBusyException as busy:
            reason = busy.details
            if busy.http_status is not None:
                # A server that refuses a path it does not serve looks the same.
                reason += f" (at {api.url}; a server also answers 403 to a path it does not serve)"
            self._problem(reason)
            raise _Stop(EXIT_BUSY) from busy
        except AgentException as error:
            self._problem(f"cannot connect to {api.url}: {error}")
            raise _Stop(EXIT_ERROR) from error
        except OSError as error:
            self._problem(f"cannot write {self.args.capture}: {os_reason(error)}")
            raise _Stop(EXIT_ERROR) from error
        if self.interactive:
            self._note(
                f"connected to {api.url} (chat {api.chat_id}); /help for commands, Ctrl-D to quit"
            )

    def _problem(self, text: str) -> None:
        self.view.finish_line()
        print(f"{_PREFIX}: {text}", file=sys.stderr, flush=True)

    def _note(self, text: str) -> None:
        self.view.finish_line()
        self.notes.note(text)

    # Reading what to send

    async def _read_lines(self) -> None:
        reader = LineReader(sys.stdin.buffer)
        try:
            while True:
                self._prompt()
                line = await reader.readline()
                self.at_prompt = False
                if line is None:
                    if self.interactive:
                        self.view.finish_line()
                        print(file=sys.stdout, flush=True)
                        self._summary()
                    return
                if not await self._handle_line(line):
                    self._summary()
                    return
        finally:
            reader.close()

    def _prompt(self) -> None:
        if self.interactive:
            self.view.finish_line()
            sys.stdout.write(PROMPT)
            sys.stdout.flush()
            self.at_prompt = True

    async def _handle_line(self, line: str) -> bool:
        """Act on one line; return False to quit."""
        text = line.strip()
        if not text:
            return True
        if text.startswith("/") and not text.startswith("//"):
            return self._command(text)
        if text.startswith("//"):
            line = line.lstrip()[1:]
        await self._send(line)
        return True

    def _command(self, text: str) -> bool:
        name, _, rest = text.partition(" ")
        name = name.lower()
        if name in ("/quit", "/exit", "/q"):
            return False
        if name == "/help":
            self._note(COMMANDS_HELP)
        elif name == "/attach":
            paths = rest.split()
            if not paths:
                self._note("usage: /attach PATH... (paths under /workspace)")
            else:
                self._warn_paths(paths)
                self.attachments += paths
                self._note(f"attached to your next message: {', '.join(self.attachments)}")
        elif name == "/detach":
            self.attachments.clear()
            self._note("no attachments")
        else:
            self._note(f"unknown command {name}; /help lists them, //text sends '/text'")
        return True

    def _warn_paths(self, paths: Sequence[str]) -> None:
        for path in paths:
            problem = workspace_path_problem(path)
            if problem:
                self._note(f"warning: attachment {path!r} {problem}")

    # Sending and showing the response

    async def _send(self, text: str) -> None:
        if not self.api.connected:
            if self.interactive:
                self._note("reconnecting...")
            try:
                await self._connect()
            except _Stop:
                if not self.interactive:
                    raise
                self._note("not sent; your next message tries again")  # why was said
                return
        attachments, self.attachments = self.attachments, []
        self.messages += 1
        self.response = asyncio.create_task(self._respond(text, attachments))
        try:
            await asyncio.wait({self.response})
        finally:
            if not self.response.done():  # the session itself was cancelled
                self.response.cancel()
                await asyncio.wait({self.response})
        if self.response.cancelled():
            self._note("[interrupted: the rest of this response is not shown]")
        elif self.response.exception() is not None:
            # Showing the response failed (a bug, or a message no view can take):
            # say so and fail, rather than exit 0 with the output silently cut.
            error = self.response.exception()
            self.failed = True
            self.view.finish_line()
            print(
                f"{_PREFIX}: cannot show the response: {type(error).__name__}: "
                f"{printable(str(error))}",
                file=sys.stderr,
                flush=True,
            )
        self.response = None

    async def _respond(self, text: str, attachments: list[str]) -> None:
        stream = self.api.send_message(text, attachments)
        try:
            async for event in stream:
                self.view.message(event)
                if isinstance(event, MsgEventEnd):
                    self.tokens += int(event.tokens_used)
        except AgentException as error:
            self._response_failed(error)
        except asyncio.CancelledError:
            # Interrupted: what is left of the response goes to the callback,
            # which drops it up to its end.
            self.discarding = True
            raise
        finally:
            await stream.aclose()

    def _response_failed(self, error: AgentException) -> None:
        self.failed = True
        if error.server_error is not None:  # the agent's ERROR: part of the output
            self.view.message(error.server_error)
            return
        self.view.finish_line()
        self.notes.error(error.code, error.details)

    # What arrives outside a response

    def _on_message(self, message: ServerMessageUnion | UnknownMessage) -> None:
        if isinstance(message, MsgError):
            if self.discarding:
                self.discarding = False
                return
            self._out_of_band(lambda: self.view.message(message))
            return
        type_ = str(getattr(message.type, "value", message.type))
        if self.discarding and is_agent_event(type_):
            if ends_response(type_):
                self.discarding = False
            return
        self._out_of_band(lambda: self.view.message(message))

    def _out_of_band(self, show: Callable[[], None]) -> None:
        # Printed over the prompt: start a fresh line, then prompt again.
        prompt = self.at_prompt
        if prompt:
            sys.stdout.write("\n")
            self.at_prompt = False
        show()
        if prompt:
            self._prompt()

    def _on_disconnect(self, api: AgentApi) -> None:
        self.discarding = False  # the end of an interrupted response will not come
        if self.closing or not self.interactive or self.response is not None:
            return
        self._out_of_band(
            lambda: self._note("disconnected from the agent; your next message reconnects")
        )

    def _on_interrupt(self, main: asyncio.Task[object] | None) -> None:
        if self.interactive and self.response is not None and not self.response.done():
            self.response.cancel()  # stop showing this response, stay in the session
        elif self.interactive and self.at_prompt:
            sys.stdout.write("\n")  # a fresh prompt; the terminal drops what was typed
            self._prompt()
        elif main is not None:  # a script, or a (re)connect that hangs: stop
            main.cancel()

    def _summary(self) -> None:
        if self.interactive and self.messages:
            messages = f"{self.messages} message{'' if self.messages == 1 else 's'}"
            self.notes.note(f"{messages}, {self.tokens} tokens used")
