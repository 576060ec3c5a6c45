"""``MockServer``: a real ``websockets`` server on 127.0.0.1 that speaks the protocol.

It listens on ``{path_prefix}/v1/agent_ws/{chat_id}/``, greets every
connection with ``STATUS``, and answers every ``USER_MESSAGE`` with its
script. One client may hold a chat at a time; a second one is refused in the
shape the server is set to (``busy="handshake"``: HTTP 403 before the
WebSocket opens, what a Starlette server's client sees; ``busy="close"``:
accepted, then closed with 1008 and a reason). Everything either side sends
goes through a :class:`~lambda_agent_api.protocol.conversation.Conversation`, and what
the client did wrong is kept in :attr:`MockServer.findings`.
"""

from __future__ import annotations

import asyncio
import http
import inspect
import logging
import re
import ssl as ssl_module
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, TypeAlias
from urllib.parse import unquote

from pydantic import BaseModel, ValidationError
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.protocol import State as WsState

from lambda_agent_api.protocol.client_protocol import describe_validation_error
from lambda_agent_api.protocol.conversation import Conversation, Finding
from lambda_agent_api.protocol.limits import MAX_FRAME_BYTES, MAX_NUMBER_DIGITS
from lambda_agent_api.protocol.messages import (
    MsgError,
    MsgGracefulDisconnect,
    MsgStatus,
    MsgUserMessage,
    parse_client_message,
)
from lambda_agent_api.protocol.rules import rule
from lambda_agent_api.protocol.text import printable, shorten
from lambda_agent_api.protocol.transitions import Role
from lambda_agent_api.testing.actions import (
    Action,
    Binary,
    Close,
    Drop,
    Freeze,
    Raw,
    text_reply,
)
from lambda_agent_api.transport.hardened_connection import HardenedServerConnection

if TYPE_CHECKING:
    import os

    from lambda_agent_api.testing.replay import ReplayServer

__all__ = ["BusyShape", "ChatFinding", "MockServer", "Script", "echo_script"]

logger = logging.getLogger(__name__)

BusyShape: TypeAlias = Literal["handshake", "close"]
"""How a busy chat is refused: HTTP 403 during the handshake, or a 1008 close after it."""

ScriptResult: TypeAlias = Iterable[Action] | AsyncIterable[Action] | Awaitable[Iterable[Action]]
Script: TypeAlias = Sequence[Action] | Callable[[MsgUserMessage], ScriptResult]
"""A reply to every message (a list of actions), or a function of the message returning one.

The function may be sync or async, or an async generator (which may await
anything between two actions, e.g. an ``asyncio.Event`` a test sets).
"""

_PATH = re.compile(r"/v1/agent_ws/([^/]+)/?$")


def _printable(text: str, limit: int = 80) -> str:
    """Return ``text`` safe to log on a terminal: control characters escaped, cut at ``limit``."""
    return printable(shorten(text, limit))


def _peer(ws: ServerConnection) -> str:
    address = ws.remote_address
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return "an unknown address"


def echo_script(message: MsgUserMessage) -> list[Action]:
    """Echo the message's text in chunks, then ``AGENT_EVENT_END`` (the default script)."""
    return text_reply(f"You said: {message.text}", tokens_used=len(message.text))


@dataclass(frozen=True)
class ChatFinding:
    """A rule the client broke on a chat."""

    chat_id: str
    finding: Finding


@dataclass(eq=False)
class _Session:
    chat_id: str
    ws: ServerConnection
    conversation: Conversation = field(default_factory=Conversation)
    # None stands for a frame that was not a valid USER_MESSAGE.
    inbox: asyncio.Queue[MsgUserMessage | None] = field(default_factory=asyncio.Queue)
    released: bool = False
    frozen: bool = False


class MockServer:
    """A protocol server for tests, on a free port of 127.0.0.1 unless told otherwise.

    Use it as ``async with MockServer(script) as server:`` and point a client
    at :attr:`base_url`.

    Args:
        script: how to answer a ``USER_MESSAGE`` (see :data:`Script`); the
            default echoes the text.
        host: the address to listen on.
        port: the port to listen on; 0 picks a free one.
        path_prefix: a path before ``/v1/agent_ws/``, such as ``/api``.
        busy: how a second client of a held chat is refused.
        busy_reason: the 1008 close reason (``{chat_id}`` is filled in).
        busy_body: the body of the 403 answer (a Starlette server sends none).
        greeting: what a new connection gets first; ``[]`` sends nothing.
        close_timeout: after ``GRACEFUL_DISCONNECT``, how long to wait for the
            client to close before closing with 1001.
        ssl: a server-side SSL context: the server speaks ``wss://``.
        max_size: the largest frame taken from a client, in bytes; a larger one
            closes the connection with 1009 (message too big). ``None``: no limit.
        max_number_digits: a client frame holding an integer of more digits is
            refused (S001) before any conversion.
    """

    def __init__(
        self,
        script: Script | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        path_prefix: str = "",
        busy: BusyShape = "handshake",
        busy_reason: str = "chat {chat_id} is busy",
        busy_body: str = "",
        greeting: Sequence[Action] = (MsgStatus(),),
        close_timeout: float = 5.0,
        ssl: ssl_module.SSLContext | None = None,
        max_size: int | None = MAX_FRAME_BYTES,
        max_number_digits: int = MAX_NUMBER_DIGITS,
    ) -> None:
        self.script: Script = echo_script if script is None else script
        self.host = host
        self.port = port
        self.path_prefix = "/" + path_prefix.strip("/") if path_prefix.strip("/") else ""
        self.busy: BusyShape = busy
        self.busy_reason = busy_reason
        self.busy_body = busy_body
        self.greeting = list(greeting)
        self.close_timeout = close_timeout
        self.ssl = ssl
        self.max_size = max_size
        self.max_number_digits = max_number_digits
        self.received: list[tuple[str, MsgUserMessage]] = []
        """Every valid client message, with its chat id, in the order received."""
        self.findings: list[ChatFinding] = []
        """Every rule the clients broke: invalid frames, messages out of order."""
        self.close_codes: list[tuple[str, int | None, str | None]] = []
        """How each connection ended: chat id, close code and reason, in order."""
        self.requests: list[Request] = []
        """Every handshake request (path, headers such as an auth token), in order."""
        self.refused: list[tuple[str, BusyShape]] = []
        """Every connection refused because its chat was busy."""
        self._sessions: dict[str, _Session] = {}
        self._server: Server | None = None
        self._ended = asyncio.Condition()

    @classmethod
    def from_capture(
        cls,
        capture: str | os.PathLike[str] | BinaryIO,
        *,
        strict: bool = False,
        speed: float = 1.0,
        redact: Sequence[str] = (),
        **options: Any,
    ) -> ReplayServer:
        """Return a server that replays the server side of a capture (JSON Lines or HAR).

        Client connections are matched to the recorded ones in order; see
        :class:`~lambda_agent_api.testing.replay.ReplayServer` for ``strict``,
        ``speed`` (1: the recorded timing, 0: as fast as possible), ``redact``
        and the other options.

        Raises:
            ReplayError: the capture cannot be read, or holds no frame.
        """
        from lambda_agent_api.testing.replay import ReplayServer, load_recording

        connections = load_recording(capture, redact=redact)
        return ReplayServer(connections, strict=strict, speed=speed, redact=redact, **options)

    # Running

    @property
    def base_url(self) -> str:
        """The URL to give a client as its ``base_url``, such as ``ws://127.0.0.1:54321/``."""
        scheme = "wss" if self.ssl is not None else "ws"
        return f"{scheme}://{self.host}:{self.port}{self.path_prefix}/"

    def url(self, chat_id: int | str = 0) -> str:
        """Return the full WebSocket URL of a chat."""
        return f"{self.base_url}v1/agent_ws/{chat_id}/"

    async def start(self) -> None:
        """Start listening; ``port`` is then the port in use."""
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            process_request=self._process_request,
            ping_interval=None,
            max_size=self.max_size,
            close_timeout=self.close_timeout,
            ssl=self.ssl,
            # A client that floods pings and never reads must not fill memory with pongs.
            create_connection=HardenedServerConnection,
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close every connection (code 1001) and stop listening."""
        for session in list(self._sessions.values()):
            if session.frozen:  # it cannot read a close frame: cut it
                session.ws.transport.abort()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def serve_forever(self) -> None:
        """Serve until cancelled."""
        if self._server is None:
            await self.start()
        assert self._server is not None
        await self._server.serve_forever()

    async def __aenter__(self) -> MockServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # Acting on a connected chat, outside any response

    def connected_chats(self) -> list[str]:
        """Return the chats a client holds now."""
        return [chat for chat, session in self._sessions.items() if not _gone(session)]

    async def connections_ended(self, count: int) -> list[tuple[str, int | None, str | None]]:
        """Wait until ``count`` connections have ended in all; return :attr:`close_codes`."""
        async with self._ended:
            await self._ended.wait_for(lambda: len(self.close_codes) >= count)
        return list(self.close_codes)

    async def send(self, chat_id: int | str, *actions: Action) -> None:
        """Perform actions on the connection holding ``chat_id`` (e.g. events outside a response).

        Raises:
            KeyError: no client holds the chat.
        """
        session = self._sessions[str(chat_id)]
        for action in actions:
            if not await self._perform(session, action):
                break

    async def graceful_disconnect(self, chat_id: int | str) -> None:
        """Send ``GRACEFUL_DISCONNECT`` on a chat and wait for the client to close."""
        await self.send(chat_id, MsgGracefulDisconnect())

    async def drop(self, chat_id: int | str) -> None:
        """Cut a chat's connection with no close frame, as a crash would."""
        await self.send(chat_id, Drop())

    # Handshake and connection

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        self.requests.append(request)
        chat_id = self._chat_of(request.path)
        if chat_id is None:
            # Starlette answers a path with no route with 403 and no body.
            logger.info(
                "refused %s: no chat at this path (HTTP 403); chats are at %s",
                _printable(request.path),
                self.url("{chat_id}"),
            )
            return connection.respond(http.HTTPStatus.FORBIDDEN, "")
        held = self._sessions.get(chat_id)
        if held is not None and not _gone(held):
            if self.busy == "handshake":
                self.refused.append((chat_id, "handshake"))
                logger.info(
                    "chat %s: refused, another client holds it (HTTP 403)", _printable(chat_id)
                )
                return connection.respond(http.HTTPStatus.FORBIDDEN, self.busy_body)
            return None  # accepted, then closed with 1008 in _handle
        # Held from here, so that two handshakes at once cannot both win.
        self._sessions[chat_id] = _Session(chat_id, connection)
        return None

    def _chat_of(self, path: str) -> str | None:
        path = path.split("?", 1)[0]
        if not path.startswith(self.path_prefix):
            return None
        match = _PATH.fullmatch(path[len(self.path_prefix) :])
        return unquote(match.group(1)) if match else None

    async def _handle(self, ws: ServerConnection) -> None:
        chat_id = self._chat_of(ws.request.path if ws.request else "") or ""
        session = self._sessions.get(chat_id)
        if session is None or session.ws is not ws:
            self.refused.append((chat_id, "close"))
            logger.info(
                "chat %s: refused, another client holds it (close 1008)", _printable(chat_id)
            )
            await ws.close(1008, self.busy_reason.format(chat_id=chat_id))
            return
        logger.info("chat %s: connected from %s", _printable(chat_id), _peer(ws))
        responder = asyncio.create_task(self._respond(session))
        try:
            for action in self.greeting:
                if not await self._perform(session, action):
                    return
            async for frame in ws:
                self._receive(session, frame)
        except ConnectionClosed:
            pass
        finally:
            responder.cancel()
            await asyncio.gather(responder, return_exceptions=True)
            self._release(session)
            self.close_codes.append((chat_id, ws.close_code, ws.close_reason))
            logger.info(
                "chat %s: closed (code %s%s)",
                _printable(chat_id),
                ws.close_code,
                f" {_printable(ws.close_reason)}" if ws.close_reason else "",
            )
            async with self._ended:
                self._ended.notify_all()

    def _receive(self, session: _Session, frame: str | bytes) -> None:
        if not isinstance(frame, str):
            self._finding(session, "F004", f"a binary frame of {len(frame)} bytes")
            return
        try:
            message = parse_client_message(frame, max_number_digits=self.max_number_digits)
        except ValidationError as error:
            self._finding(session, "S001", describe_validation_error(error))
            session.inbox.put_nowait(None)
            return
        step = session.conversation.observe(Role.CLIENT, message.type.value, message.__dict__)
        for finding in step.findings:
            self.findings.append(ChatFinding(session.chat_id, finding))
        self.received.append((session.chat_id, message))
        session.inbox.put_nowait(message)

    def _finding(self, session: _Session, rule_id: str, message: str) -> None:
        self.findings.append(ChatFinding(session.chat_id, Finding(rule(rule_id), message)))

    # Responding

    async def _respond(self, session: _Session) -> None:
        # One message at a time, as a server that streams a response before
        # reading the next message does.
        while True:
            message = await session.inbox.get()
            if message is None:  # an invalid frame: say so
                await self._perform(
                    session, MsgError(code="INVALID_MESSAGE", details="not a valid USER_MESSAGE")
                )
                continue
            try:
                async for action in self._actions_for(message):
                    if not await self._perform(session, action):
                        return
            except ConnectionClosed:
                return
            except Exception as error:  # a broken script becomes the agent's error
                logger.exception("mock server: the script failed")
                await self._perform(
                    session,
                    MsgError(code="MOCK_SCRIPT_ERROR", details=f"{type(error).__name__}: {error}"),
                )

    async def _actions_for(self, message: MsgUserMessage) -> AsyncIterable[Action]:
        script = self.script
        if not callable(script):
            for action in script:
                yield action
            return
        result: Any = script(message)
        if inspect.isawaitable(result):
            result = await result
        if isinstance(result, AsyncIterable):
            async for action in result:
                yield action
        else:
            for action in result:
                yield action

    async def _perform(self, session: _Session, action: Action) -> bool:
        """Do one action; return whether the connection is still open for more."""
        ws = session.ws
        if _gone(session):
            return False
        try:
            if isinstance(action, BaseModel):
                type_ = action.type.value
                session.conversation.observe(Role.SERVER, type_, action.__dict__)
                await ws.send(action.model_dump_json())
                if isinstance(action, MsgGracefulDisconnect):
                    await self._await_client_close(session)
                    return False
            elif isinstance(action, Raw):
                await ws.send(action.text)
            elif isinstance(action, Binary):
                await ws.send(action.data)
            elif isinstance(action, Drop):
                self._release(session)
                ws.transport.abort()
                return False
            elif isinstance(action, Freeze):
                session.frozen = True
                ws.transport.pause_reading()
            elif isinstance(action, Close):
                self._release(session)
                await ws.close(action.code, action.reason)
                return False
            else:
                raise TypeError(f"not a script action: {action!r}")
        except ConnectionClosed:
            return False
        return True

    async def _await_client_close(self, session: _Session) -> None:
        try:
            await asyncio.wait_for(session.ws.wait_closed(), self.close_timeout)
        except (TimeoutError, asyncio.TimeoutError):
            await session.ws.close(1001, "the agent is shutting down")

    def _release(self, session: _Session) -> None:
        session.released = True
        if self._sessions.get(session.chat_id) is session:
            del self._sessions[session.chat_id]


def _gone(session: _Session) -> bool:
    # A connection that is closing no longer holds its chat: a client whose
    # close() returned may connect again at once.
    return session.released or session.ws.state in (WsState.CLOSING, WsState.CLOSED)
