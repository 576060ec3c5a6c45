"""``AgentApi``: the asyncio client of the protocol, built on ``websockets``.

A drop-in replacement of the v1.1 client: the same constructor, attributes,
methods and exception codes, so code written for v1.1 runs unchanged::

    api = AgentApi("agent-1", "ws://localhost:8000/", chat_id=7)
    await api.connect()
    async for event in api.send_message("Hello"):
        ...
    await api.close()

:class:`~lambda_agent_api.protocol.client_protocol.ClientProtocol` (and the
:class:`~lambda_agent_api.protocol.conversation.Conversation` under it) decides what
every frame means; this module owns the socket, the tasks, the timeouts, the
callbacks and the flow of messages to their takers: one task reads the socket
and hands each message to the caller iterating a response or to the callback,
through bounded mailboxes (``lambda_agent_api.transport.mailbox``), so that a reader
that stops reading stops the socket being read (backpressure).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import logging
import ssl as ssl_module
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Final, cast

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI

from lambda_agent_api.capture import RECV, SEND, Direction
from lambda_agent_api.exceptions import AgentBusyException, AgentException
from lambda_agent_api.protocol.client_protocol import ClientProtocol, Received, UnknownMessage
from lambda_agent_api.protocol.messages import AgentEventUnion, ServerMessageUnion
from lambda_agent_api.protocol.replies import Reply, ReplyBuilder
from lambda_agent_api.protocol.transitions import is_agent_event
from lambda_agent_api.transport.capture_sink import CaptureSink, CaptureTarget
from lambda_agent_api.transport.hardened_connection import HardenedClientConnection
from lambda_agent_api.transport.mailbox import Mailbox
from lambda_agent_api.transport.response_stream import ResponseHost, ResponseStream
from lambda_agent_api.transport.urls import agent_url

__all__ = [
    "AgentApi",
    "AgentBusyException",
    "AgentException",
    "Callback",
    "CaptureTarget",
    "DisconnectCallback",
    "ResponseStream",
    "UnknownMessage",
    "agent_url",
]

# The v1.1 module's name: the logger users configure (docs/python/client.md).
logger = logging.getLogger("lambda_agent_api.agent_api")

Callback = Callable[[ServerMessageUnion | UnknownMessage], Awaitable[None] | None]
"""A ``callback``: gets every message no caller is waiting for; sync or async."""

DisconnectCallback = Callable[["AgentApi"], Awaitable[None] | None]
"""An ``on_disconnect``: called with the client once per connection that ends; sync or async."""

BUSY_CLOSE_CODE: Final = 1008
"""The close code (Policy Violation) a server uses to refuse a chat held by another client."""


class AgentApi:
    """A connection to one chat of an agent.

    Args:
        agent_id: the client's name for the agent (``.id``; used in logs).
        base_url: the server's base URL, such as ``ws://localhost:8000/``.
        callback: gets every message that no caller is waiting for: events
            outside a response, the rest of an abandoned response, ``ERROR``,
            ``STATUS``, ``GRACEFUL_DISCONNECT`` and unknown message types
            (as :class:`UnknownMessage`). Sync or async; called in order, from
            one task; an exception inside it is logged.
        on_disconnect: called with the client, once, whenever a connection
            that :meth:`connect` opened ends, however it ends. Sync or async.
        chat_id: the chat (int or str); one client may hold a chat at a time.
            A string is URL-quoted; ``""``, ``"."`` and ``".."`` are refused
            (``ValueError``), as they would be dot segments that a server
            normalising paths routes elsewhere.
        connect_timeout: seconds for the handshake, and then for ``STATUS``.
        response_timeout: if set, the longest wait for the next event of a
            response before it fails with ``TIMEOUT``; ``None`` waits as long
            as the connection lives.
        ping_interval: seconds between keep-alive pings (``None``: no pings).
        ping_timeout: seconds to wait for a pong before the connection is
            considered lost.
        close_timeout: seconds to wait for a clean close.
        max_size: the largest frame accepted, in bytes (``None``: no limit).
        additional_headers: extra handshake headers, such as an auth token.
        ssl: an SSL context for ``wss://`` URLs.
        connect_options: any other keyword arguments of
            ``websockets.asyncio.client.connect`` (``proxy``, ``origin``, ...).
        capture: record every frame sent and received, in the capture format
            that ``lambda-agent-api validate`` reads: a file path (written
            from the first :meth:`connect`, then appended to on reconnects),
            an open text stream, or a
            :class:`~lambda_agent_api.capture.CaptureWriter`. Each connection
            is named in the ``conn`` key as ``{agent_id}/{chat_id}/{n}``, ``n``
            unique in the process; every line is flushed as it is written.
        max_buffered: backpressure: the most messages received and not yet
            taken by the caller iterating a response, and as many for the
            ``callback``. When either is full the client stops reading the
            socket until it is half empty, so a slow reader makes the server
            wait (TCP flow control) instead of filling memory; nothing is
            dropped.
        response_errors_to_callback: whether a server ``ERROR`` that ends a
            response reaches the ``callback`` as well as the caller (which
            gets it as :class:`AgentException`), as in v1.1. ``False``: the
            caller alone gets it; the callback still gets every ``ERROR``
            that no caller is waiting for.
        protocol: the protocol version to speak, a released one (``"1.0"``);
            default: the current one (``"1.1"``). Its generated models parse
            what the server sends and build what the client sends; a ``ValueError``
            for a version the package does not have.
    """

    def __init__(
        self,
        agent_id: str,
        base_url: str,
        callback: Callback | None = None,
        on_disconnect: DisconnectCallback | None = None,
        chat_id: int | str = 0,
        *,
        connect_timeout: float = 5.0,
        response_timeout: float | None = None,
        ping_interval: float | None = 30.0,
        ping_timeout: float | None = 30.0,
        close_timeout: float = 5.0,
        max_size: int | None = 2**20,
        additional_headers: Mapping[str, str] | None = None,
        ssl: ssl_module.SSLContext | None = None,
        connect_options: Mapping[str, Any] | None = None,
        capture: CaptureTarget | None = None,
        max_buffered: int = 256,
        response_errors_to_callback: bool = True,
        protocol: str | None = None,
    ) -> None:
        if not isinstance(max_buffered, int) or max_buffered < 1:
            raise ValueError(f"max_buffered must be a positive integer, not {max_buffered!r}")
        self.id = agent_id
        self.chat_id = chat_id
        self.url = agent_url(base_url, chat_id)
        self.callback = callback
        self.on_disconnect = on_disconnect
        self.connect_timeout = connect_timeout
        self.response_timeout = response_timeout
        self.max_buffered = max_buffered
        self.response_errors_to_callback = response_errors_to_callback
        self._options: dict[str, Any] = {
            "ping_interval": ping_interval,
            "ping_timeout": ping_timeout,
            "close_timeout": close_timeout,
            "max_size": max_size,
            "additional_headers": dict(additional_headers or {}),
            **({"ssl": ssl} if ssl is not None else {}),
            # A server that floods pings, or never reads, must not fill memory or hang close().
            "create_connection": HardenedClientConnection,
            **dict(connect_options or {}),
        }
        self._close_timeout = close_timeout
        self._link: _Link | None = None  # the connection, while its tasks run
        self._connecting = asyncio.Lock()
        self._requests = _Requests(self)
        self._ended: AgentException | None = None  # how the last connection ended
        self._capture = None if capture is None else CaptureSink(capture)
        self._capture_conn: str | None = None  # the conn of the connection being recorded
        self._capture_lines = 0  # the sink's lines when it began
        # Fails here, not at connect(), for a version this package does not have.
        self.protocol = ClientProtocol(protocol).version
        """The protocol version spoken (``"1.1"`` unless ``protocol`` said otherwise)."""

    # Public methods

    @property
    def connected(self) -> bool:
        """Whether the connection is open and ``STATUS`` was received."""
        link = self._link
        return link is not None and link.connected

    async def connect(self) -> None:
        """Open the connection and wait for the server's ``STATUS``.

        Does nothing if already connected; concurrent calls open one
        connection (the later ones wait for the first). A failed connect
        leaves nothing open behind it.

        Raises:
            AgentBusyException: the chat is held by another client (a 1008
                close, with the server's reason), or the server refused the
                handshake with HTTP 403.
            AgentException: ``TIMEOUT``, ``INVALID_STATUS``,
                ``UNEXPECTED_MSG_TYPE``, ``PARSE_ERROR``, or
                ``CONNECTION_ERROR`` naming the cause.
            OSError: the ``capture`` file cannot be opened for writing.
        """
        if self.connected:
            return
        # Outside the lock: an on_disconnect that reconnects runs in the task
        # this waits for.
        await self._finish_previous()
        async with self._connecting:
            if self.connected:
                return  # another task connected meanwhile
            await self._finish_previous()
            await self._connect()

    async def _connect(self) -> None:
        protocol = ClientProtocol(self.protocol)
        if self._capture is not None:
            self._capture.open()  # before the socket: fail fast
            self._capture_conn = f"{self.id}/{self.chat_id}/{next(_CONNECTION_NUMBERS)}"
            self._capture_lines = (
                self._capture.lines
            )  # a connection that records none needs no close
        try:
            ws = await self._open()
        except BaseException:
            self._capture_end()
            raise
        try:
            try:
                frame = await asyncio.wait_for(ws.recv(), self.connect_timeout)
            except (TimeoutError, asyncio.TimeoutError) as exc:
                raise AgentException(
                    "TIMEOUT",
                    f"Agent did not send initial Status message within "
                    f"{self.connect_timeout:g} seconds",
                ) from exc
            except ConnectionClosed as exc:
                raise self._refused(exc) from exc
            self._record(RECV, frame)
            protocol.receive_status(frame)
        except BaseException:
            await self._discard(ws)
            self._capture_end()
            raise
        link = _Link(ws, protocol, self.max_buffered)
        self._link = link
        self._ended = None
        self._requests.holder = None
        link.listener = asyncio.create_task(self._listen(link), name=f"agent-api-{self.id}-listen")
        link.dispatcher = asyncio.create_task(
            self._dispatch(link), name=f"agent-api-{self.id}-callbacks"
        )
        logger.info("[%s] connected to %s", self.id, self.url)

    def send_message(self, text: str, attachments: Sequence[str] | None = None) -> ResponseStream:
        """Send a ``USER_MESSAGE`` and stream the agent's events, up to ``AGENT_EVENT_END``.

        Iterate with ``async for``: the message is sent on the first step.
        ``AGENT_EVENT_END`` is yielded, then the stream stops. A caller that
        stops early (``break``, or a step cancelled by a timeout) releases the
        request; the rest of that response goes to ``callback``.

        Raises (while iterating):
            AgentException: ``NOT_CONNECTED``; the server's ``ERROR`` as
                ``AgentException(code, details)``; ``PARSE_ERROR``;
                ``CONNECTION_CLOSED`` (with ``close_code``, ``close_reason``)
                when the connection ends first; ``TIMEOUT`` when
                ``response_timeout`` passes without an event.
            AgentBusyException: another request is in flight on this client.
        """
        return ResponseStream(self._requests, text, attachments)

    async def ask(self, text: str, attachments: Sequence[str] | None = None) -> Reply:
        """Send a message and return the agent's whole reply, once the response ends.

        Raises the same exceptions as iterating :meth:`send_message`.
        """
        builder = ReplyBuilder()
        async for event in self.send_message(text, attachments):
            builder.add(event)
        return builder.reply()

    async def close(self) -> None:
        """Close the connection and wait until ``on_disconnect`` has run; safe to call twice."""
        link = self._link
        if link is not None:
            # Read what is still in flight, whoever takes it, or the close
            # handshake would wait behind a reader that stopped reading.
            link.unbind()
            await link.ws.close()
        await self._finish_previous()

    async def __aenter__(self) -> AgentApi:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # Frames out, and the capture

    async def _send_frame(self, ws: ClientConnection, frame: str) -> None:
        self._record(SEND, frame)
        await ws.send(frame)

    def _record(self, direction: Direction, frame: str | bytes) -> None:
        capture = self._capture
        if capture is not None:
            capture.write(direction, frame, conn=self._capture_conn)

    def _capture_end(self, code: int | None = None, reason: str = "") -> None:
        """Stop recording the connection: its close record (if it recorded a frame), the file."""
        capture, conn = self._capture, self._capture_conn
        if capture is None:
            return
        if conn is not None and capture.lines > self._capture_lines:
            capture.write_close(code=code, reason=reason, conn=conn)  # readers free it
        capture.close()
        self._capture_conn = None

    # The connection's tasks

    async def _listen(self, link: _Link) -> None:
        """Read every frame and hand each message to its taker, in order, until the end.

        The hot path: most frames are events of the response in flight, which
        ``receive_event`` returns bare and go straight to the caller's mailbox.
        """
        ws = link.ws
        recv = ws.recv
        receive = link.protocol.receive_event
        capture, conn = self._capture, self._capture_conn
        try:
            while True:
                frame = await recv()
                if capture is not None:
                    capture.write(RECV, frame, conn=conn)
                received = receive(frame)
                if not isinstance(received, Received):  # an event of the response in flight
                    live = link.live
                    if live is not None:
                        # Mailbox.put, inlined: it runs once per event.
                        items = live.items
                        items.append(received)
                        if live.waiting_taker is not None:
                            live.wake_taker()
                        held = len(items)
                        if held >= live.bound:
                            await live.room()  # backpressure: stop reading until there is room
                        elif held == _BATCH:
                            # Let the caller take what arrived together: a batch held
                            # longer outlives garbage collections, which then cost more
                            # than the switch to the caller and back.
                            await asyncio.sleep(0)
                        continue
                    # The rest of a response its caller left.
                    received = Received(received, None, None, True)
                full = self._route(link, received)
                if received.disconnect:
                    logger.info("[%s] the server disconnects gracefully", self.id)
                    break
                if full is not None:
                    await full.room()
        except ConnectionClosed:
            pass  # the close code and reason are read below
        except Exception:  # a bug of ours must not leave callers hanging
            logger.exception("[%s] the listener failed", self.id)
        finally:
            await ws.close()
            self._connection_ended(link, *_close_of(ws))

    def _route(self, link: _Link, received: Received) -> Mailbox[Any] | None:
        """Hand a frame's message or error to the caller, the callback, or both.

        Returns the mailbox that is now full, if one is: the listener waits for room.
        """
        full: Mailbox[Any] | None = None
        message, error = received.message, received.error
        to_caller = False
        if received.for_response:
            live = link.live
            if live is not None:
                to_caller = True
                if error is None and live.put(cast(AgentEventUnion, message)):
                    full = live
                if received.ends_response:
                    link.live = None
                    live.end(error)
                    full = None
            elif message is not None and not received.for_callback:
                full = self._to_callback(link, message)  # the rest of an abandoned response
            elif error is not None and message is None:
                logger.error("[%s] %s", self.id, error)
        elif message is None and error is not None:
            logger.error("[%s] %s", self.id, error)
        if received.for_callback and message is not None:
            if isinstance(message, UnknownMessage):
                logger.warning(
                    "[%s] unknown message type %r, handed to the callback",
                    self.id,
                    message.type,
                )
            if not (to_caller and error is not None and not self.response_errors_to_callback):
                full = self._to_callback(link, message) or full
        if not link.protocol.responding:
            link.idle.set()
        return full

    def _to_callback(
        self, link: _Link, message: ServerMessageUnion | UnknownMessage
    ) -> Mailbox[Any] | None:
        """Queue ``message`` for the callback; return its mailbox if that is now full."""
        if self.callback is not None:
            return link.callbacks if link.callbacks.put(message) else None
        type_ = getattr(message.type, "value", message.type)
        # Agent events and unknown messages are lost without a callback; STATUS,
        # ERROR (also raised to its caller) and GRACEFUL_DISCONNECT are not.
        important = isinstance(message, UnknownMessage) or is_agent_event(type_)
        logger.log(
            logging.WARNING if important else logging.DEBUG,
            "[%s] %s with no callback to take it; dropped",
            self.id,
            type_,
        )
        return None

    def _connection_ended(self, link: _Link, code: int | None, reason: str | None) -> None:
        link.connected = False
        self._capture_end(code, reason or "")  # writes the close record
        error = link.protocol.connection_lost(code, reason)
        how = f"code {code}" if code is not None else "no close code"
        if reason:
            how += f", reason {reason!r}"
        self._ended = AgentException(
            "NOT_CONNECTED",
            f"Not connected: the connection closed ({how})",
            close_code=code,
            close_reason=reason or None,
        )
        live, link.live = link.live, None
        if live is not None:
            live.end(error or self._ended)
        link.idle.set()  # wake a request waiting for the previous response to end
        link.callbacks.end()
        logger.info("[%s] disconnected (%s)", self.id, how)

    async def _dispatch(self, link: _Link) -> None:
        box = link.callbacks
        items = box.items
        while True:
            if items:
                item = items.popleft()
                box.taken()
                await self._call("callback", self.callback, item)
            elif box.ended:
                break
            else:
                await box.arrival()
        await self._notify_disconnect(link)

    async def _notify_disconnect(self, link: _Link) -> None:
        if link.disconnect_pending:
            link.disconnect_pending = False
            await self._call("on_disconnect", self.on_disconnect, self)

    async def _call(self, name: str, function: Callable[[Any], Any] | None, argument: Any) -> None:
        if function is None:
            return
        try:
            result = function(argument)
            if inspect.isawaitable(result):
                await result
        except Exception:
            logger.exception("[%s] error in %s", self.id, name)

    async def _finish_previous(self) -> None:
        """Wait for the last connection's tasks: the listener, then the callbacks."""
        link = self._link
        if link is None:
            return
        current = asyncio.current_task()
        listener, dispatcher = link.listener, link.dispatcher
        if listener is not None and listener is not current:
            await asyncio.shield(listener)
        if dispatcher is not None and dispatcher is not current:
            done, _ = await asyncio.wait({dispatcher}, timeout=self._close_timeout)
            if not done:  # a callback that never returns must not block close()
                logger.error("[%s] callbacks still running after close; cancelled", self.id)
                dispatcher.cancel()
                await asyncio.wait({dispatcher})
                await self._notify_disconnect(link)
        if self._link is link and current is not dispatcher:
            self._link = None

    # Opening and refusing connections

    async def _open(self) -> ClientConnection:
        try:
            return await ws_connect(self.url, open_timeout=self.connect_timeout, **self._options)
        except InvalidStatus as exc:
            raise self._rejected(exc) from exc
        except (TimeoutError, asyncio.TimeoutError) as exc:
            raise AgentException(
                "TIMEOUT",
                f"Failed to connect agent {self.id}: no handshake within "
                f"{self.connect_timeout:g} seconds ({self.url})",
            ) from exc
        except InvalidURI as exc:
            raise AgentException(
                "CONNECTION_ERROR", f"Failed to connect agent {self.id}: invalid URL: {exc}"
            ) from exc
        except ConnectionClosed as exc:
            raise self._refused(exc) from exc
        except Exception as exc:
            raise AgentException(
                "CONNECTION_ERROR",
                f"Failed to connect agent {self.id} to {self.url}: {type(exc).__name__}: {exc}",
            ) from exc

    def _rejected(self, exc: InvalidStatus) -> AgentException:
        status = exc.response.status_code
        body = bytes(exc.response.body or b"").decode("utf-8", "replace").strip()
        quoted = f": {body[:200]!r}" if body else " with an empty body"
        if status == 403:
            # A Starlette server that refuses a busy chat before accepting sends
            # 403 with no reason; so does a wrong path. Say what is known.
            return AgentBusyException(
                f"Chat {self.chat_id} is busy, or the server refused the handshake "
                f"(HTTP 403{quoted})",
                http_status=status,
                http_body=body,
            )
        return AgentException(
            "CONNECTION_ERROR",
            f"Failed to connect agent {self.id}: the server refused the handshake "
            f"(HTTP {status}{quoted})",
            http_status=status,
            http_body=body,
        )

    def _refused(self, exc: ConnectionClosed) -> AgentException:
        close = exc.rcvd or exc.sent
        code = int(close.code) if close is not None else 1006
        reason = close.reason if close is not None else ""
        if code == BUSY_CLOSE_CODE:
            return AgentBusyException(
                f"Chat {self.chat_id} is busy: {reason}"
                if reason
                else f"Chat {self.chat_id} is already in use by other client",
                close_code=code,
                close_reason=reason or None,
            )
        said = f", reason {reason!r}" if reason else ""
        return AgentException(
            "CONNECTION_ERROR",
            f"Failed to connect agent {self.id}: the server closed the connection before "
            f"STATUS (code {code}{said})",
            close_code=code,
            close_reason=reason or None,
        )

    async def _discard(self, ws: ClientConnection) -> None:
        try:
            await ws.close()
        except Exception:  # closing a half-open socket may fail; it is closed either way
            ws.transport.abort()


_BATCH: Final = 64
"""How many events of a response the listener hands over before it lets the caller run."""

_CONNECTION_NUMBERS: Final = itertools.count(1)
"""Numbers the connections of every client in the process, so that captures shared
by several clients never give two connections the same ``conn``."""


def _close_of(ws: ClientConnection) -> tuple[int, str]:
    """Return the close code and reason that say why the connection ended.

    The server's close frame if one came; else the one this side sent (1009
    for a frame over ``max_size``, 1011 for a keep-alive timeout); else 1006.
    """
    close = ws.protocol.close_rcvd or ws.protocol.close_sent
    if close is None:
        return 1006, ""
    return int(close.code), close.reason


class _Link:
    """One open connection: its socket, its protocol state, its tasks and mailboxes."""

    def __init__(self, ws: ClientConnection, protocol: ClientProtocol, bound: int) -> None:
        self.ws = ws
        self.protocol = protocol
        self.connected = True
        self.listener: asyncio.Task[None] | None = None
        self.dispatcher: asyncio.Task[None] | None = None
        self.callbacks: Mailbox[ServerMessageUnion | UnknownMessage] = Mailbox(bound)
        self.live: Mailbox[AgentEventUnion] | None = None  # gets the response in flight
        self.idle = asyncio.Event()  # set while no response is in flight
        self.idle.set()
        self.disconnect_pending = True

    def unbind(self) -> None:
        """Stop holding the socket back: the connection is closing."""
        self.callbacks.unbind()
        if self.live is not None:
            self.live.unbind()


class _Requests(ResponseHost):
    """The request slot of a client: what a :class:`ResponseStream` may ask of it.

    One request at a time: :meth:`open` takes the slot and sends the message,
    :meth:`close` gives it back; events of the response arrive in the
    mailbox :meth:`open` returns.
    """

    def __init__(self, api: AgentApi) -> None:
        self._api = api
        self.holder: Mailbox[AgentEventUnion] | None = None

    @property
    def response_timeout(self) -> float | None:
        """The longest wait for an event (``None``: no limit)."""
        return self._api.response_timeout

    async def open(self, text: str, attachments: Sequence[str] | None) -> Mailbox[AgentEventUnion]:
        """Take the slot, wait for the previous response to end, send the message.

        Raises:
            AgentBusyException: the slot is taken.
            AgentException: ``NOT_CONNECTED``; ``TIMEOUT`` while the previous
                response does not end.
        """
        api = self._api
        if self.holder is not None:
            raise AgentBusyException("Agent is currently processing another request")
        link = api._link
        if link is None or not link.connected:
            raise api._ended or AgentException(
                "NOT_CONNECTED", "Not connected. Call connect() first."
            )
        box: Mailbox[AgentEventUnion] = Mailbox(api.max_buffered)
        self.holder = box
        try:
            # The previous response was left before its end: its rest must
            # arrive before the next message may be sent.
            while link.protocol.responding and link.connected:
                await self.bounded(link.idle.wait())
            if not link.connected:
                raise api._ended or AgentException("NOT_CONNECTED", "Not connected.")
            frame = link.protocol.send_user_message(text, attachments)
            link.idle.clear()
            link.live = box
            # If the connection is gone, the listener tells the mailbox how it ended.
            with contextlib.suppress(ConnectionClosed):
                await api._send_frame(link.ws, frame)
        except BaseException:
            self.close(box)
            raise
        return box

    def close(self, box: Mailbox[AgentEventUnion]) -> None:
        """Give the slot back; events of the response still to come go to the callback."""
        if self.holder is box:
            self.holder = None
        link = self._api._link
        if link is not None and link.live is box:
            link.live = None
        box.end()  # wakes a listener waiting for room in it

    def to_callback(self, messages: list[AgentEventUnion], error: BaseException | None) -> None:
        """Hand events that a left response did not take to the callback, in order."""
        api = self._api
        link = api._link
        if link is None or (link.dispatcher is not None and link.dispatcher.done()):
            if messages:  # the connection's callbacks have all run: too late
                logger.warning(
                    "[%s] %d events of a left response, after the connection ended; dropped",
                    api.id,
                    len(messages),
                )
        else:
            for message in messages:
                api._to_callback(link, message)
            server_error = getattr(error, "server_error", None)
            if server_error is not None and not api.response_errors_to_callback:
                # The caller left before reading it: the callback is its only taker now.
                api._to_callback(link, server_error)
                return
        if error is not None:
            logger.debug("[%s] dropped %s from a left response", api.id, error)

    async def bounded(self, awaitable: Awaitable[Any]) -> None:
        """Await ``awaitable`` for at most ``response_timeout`` seconds.

        Raises:
            AgentException: ``TIMEOUT``.
        """
        timeout = self._api.response_timeout
        if timeout is None:
            await awaitable
            return
        try:
            await asyncio.wait_for(awaitable, timeout)
        except (TimeoutError, asyncio.TimeoutError) as exc:
            raise AgentException(
                "TIMEOUT", f"No event from the agent within {timeout:g} seconds"
            ) from exc
