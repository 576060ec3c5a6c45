"""``AgentApi``: the asyncio client of the protocol, built on ``websockets``.

A drop-in replacement of the v1.1 client: the same constructor, attributes,
methods and exception codes, so code written for v1.1 runs unchanged::

    api = AgentApi("agent-1", "ws://localhost:8000/", chat_id=7)
    await api.connect()
    async for event in api.send_message("Hello"):
        ...
    await api.close()

It is a thin adapter: :class:`~lambda_agent_api.protocol.client_protocol.ClientProtocol`
(and the :class:`~lambda_agent_api.protocol.conversation.Conversation` under it) decides
what every frame means; this module owns the socket, the tasks, the timeouts
and the callbacks. Every frame sent passes through :meth:`AgentApi._send_frame`
and every frame received through :meth:`AgentApi._receive_frame`; both tell
:meth:`AgentApi._record`, where the ``capture`` option tees the traffic into the
capture format of :mod:`lambda_agent_api.capture`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import inspect
import itertools
import logging
import os
import ssl as ssl_module
import weakref
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from types import TracebackType
from typing import IO, Any, Final, TypeAlias
from urllib.parse import quote, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI

from lambda_agent_api.capture import RECV, SEND, CaptureWriter, Direction
from lambda_agent_api.exceptions import AgentBusyException, AgentException
from lambda_agent_api.protocol.client_protocol import ClientProtocol, Received, UnknownMessage
from lambda_agent_api.protocol.messages import AgentEventUnion, ServerMessageUnion
from lambda_agent_api.protocol.replies import Reply, ReplyBuilder

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

CaptureTarget: TypeAlias = "str | os.PathLike[str] | IO[str] | CaptureWriter"
"""Where ``capture`` records traffic: a file path, an open text stream, or a writer."""

BUSY_CLOSE_CODE: Final = 1008
"""The close code (Policy Violation) a server uses to refuse a chat held by another client."""

_STOP: Final = object()  # ends the callback queue


def agent_url(base_url: str, chat_id: int | str = 0) -> str:
    """Return the agent's WebSocket URL: ``{base_url}/v1/agent_ws/{chat_id}/``.

    Like v1.1's ``urljoin(base_url, f"v1/agent_ws/{chat_id}/")``, but a base
    without a trailing slash or with a path prefix (``wss://host/api``) keeps
    its path, ``chat_id`` is URL-quoted, a query string is kept, and
    ``http``/``https`` become ``ws``/``wss``.
    """
    parts = urlsplit(base_url.strip())
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme.lower(), parts.scheme)
    path = f"{parts.path.rstrip('/')}/v1/agent_ws/{quote(str(chat_id), safe='')}/"
    return urlunsplit((scheme, parts.netloc, path, parts.query, ""))


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
    ) -> None:
        self.id = agent_id
        self.chat_id = chat_id
        self.url = agent_url(base_url, chat_id)
        self.callback = callback
        self.on_disconnect = on_disconnect
        self.connect_timeout = connect_timeout
        self.response_timeout = response_timeout
        self._options: dict[str, Any] = {
            "ping_interval": ping_interval,
            "ping_timeout": ping_timeout,
            "close_timeout": close_timeout,
            "max_size": max_size,
            "additional_headers": dict(additional_headers or {}),
            **({"ssl": ssl} if ssl is not None else {}),
            **dict(connect_options or {}),
        }
        self._close_timeout = close_timeout
        self._ws: ClientConnection | None = None
        self._protocol = ClientProtocol()
        self._connected = False
        self._listener: asyncio.Task[None] | None = None
        self._dispatcher: asyncio.Task[None] | None = None
        self._callbacks: asyncio.Queue[object] | None = None
        self._disconnect_pending = False
        # Weak references: a stream that its caller dropped (`break`) must be
        # finalised at once, which releases its request.
        self._holder: weakref.ref[ResponseStream] | None = None  # holds the request
        self._stream: weakref.ref[ResponseStream] | None = None  # gets the response in flight
        self._idle: asyncio.Event | None = None  # set while no response is in flight
        self._ended: AgentException | None = None  # how the last connection ended
        self._capture = None if capture is None else _Capture(capture)

    # Public methods

    @property
    def connected(self) -> bool:
        """Whether the connection is open and ``STATUS`` was received."""
        return self._connected

    async def connect(self) -> None:
        """Open the connection and wait for the server's ``STATUS``.

        Does nothing if already connected. A failed connect leaves nothing
        open behind it.

        Raises:
            AgentBusyException: the chat is held by another client (a 1008
                close, with the server's reason), or the server refused the
                handshake with HTTP 403.
            AgentException: ``TIMEOUT``, ``INVALID_STATUS``,
                ``UNEXPECTED_MSG_TYPE``, ``PARSE_ERROR``, or
                ``CONNECTION_ERROR`` naming the cause.
            OSError: the ``capture`` file cannot be opened for writing.
        """
        if self._connected:
            return
        await self._finish_previous()
        protocol = ClientProtocol()
        if self._capture is not None:
            self._capture.begin(f"{self.id}/{self.chat_id}")  # before the socket: fail fast
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
            self._record("received", frame)
            protocol.receive_status(frame)
        except BaseException:
            await self._discard(ws)
            self._capture_end()
            raise
        self._ws = ws
        self._protocol = protocol
        self._connected = True
        self._ended = None
        self._holder = self._stream = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._callbacks = asyncio.Queue()
        self._disconnect_pending = True
        self._listener = asyncio.create_task(self._listen(ws), name=f"agent-api-{self.id}-listen")
        self._dispatcher = asyncio.create_task(
            self._dispatch(self._callbacks), name=f"agent-api-{self.id}-callbacks"
        )
        logger.info("[%s] connected to %s", self.id, self.url)

    def send_message(self, text: str, attachments: Sequence[str] | None = None) -> ResponseStream:
        """Send a ``USER_MESSAGE`` and stream the agent's events, up to ``AGENT_EVENT_END``.

        Iterate with ``async for``: the message is sent on the first step.
        ``AGENT_EVENT_END`` is yielded, then the stream stops. A caller that
        stops early (``break``) releases the request; the rest of that
        response goes to ``callback``.

        Raises (while iterating):
            AgentException: ``NOT_CONNECTED``; the server's ``ERROR`` as
                ``AgentException(code, details)``; ``PARSE_ERROR``;
                ``CONNECTION_CLOSED`` (with ``close_code``, ``close_reason``)
                when the connection ends first; ``TIMEOUT`` when
                ``response_timeout`` passes without an event.
            AgentBusyException: another request is in flight on this client.
        """
        return ResponseStream(self, text, attachments)

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
        ws = self._ws
        if ws is not None:
            await ws.close()
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

    # Frames in and out: every frame passes through these two methods

    async def _send_frame(self, ws: ClientConnection, frame: str) -> None:
        self._record("sent", frame)
        await ws.send(frame)

    def _receive_frame(self, frame: str | bytes) -> Received:
        self._record("received", frame)
        received = self._protocol.receive(frame)
        stream = self._stream() if self._stream is not None else None
        if received.for_response:
            if stream is not None:
                stream._push(received.error or received.message)
                if received.ends_response:
                    self._stream = None
                    stream._push(_END_OF_STREAM)
            elif received.message is not None and not received.for_callback:
                self._to_callback(received.message)  # the rest of an abandoned response
            elif received.error is not None and received.message is None:
                logger.error("[%s] %s", self.id, received.error)
        elif received.message is None and received.error is not None:
            logger.error("[%s] %s", self.id, received.error)
        if received.for_callback and received.message is not None:
            if isinstance(received.message, UnknownMessage):
                logger.warning(
                    "[%s] unknown message type %r, handed to the callback",
                    self.id,
                    received.message.type,
                )
            self._to_callback(received.message)
        if self._idle is not None and not self._protocol.responding:
            self._idle.set()
        return received

    def _record(self, direction: str, frame: str | bytes) -> None:
        """See every frame sent and received: the ``capture`` option plugs in here."""
        capture = self._capture
        if capture is not None:
            capture.write(SEND if direction == "sent" else RECV, frame)

    def _capture_end(self) -> None:
        if self._capture is not None:
            self._capture.end()

    # The connection's tasks

    async def _listen(self, ws: ClientConnection) -> None:
        try:
            async for frame in ws:
                if self._receive_frame(frame).disconnect:
                    logger.info("[%s] the server disconnects gracefully", self.id)
                    break
        except ConnectionClosed:
            pass  # the close code and reason are read below
        except Exception:  # a bug of ours must not leave callers hanging
            logger.exception("[%s] the listener failed", self.id)
        finally:
            await ws.close()
            self._connection_ended(*_close_of(ws))

    def _connection_ended(self, code: int | None, reason: str | None) -> None:
        self._connected = False
        self._capture_end()
        error = self._protocol.connection_lost(code, reason)
        how = f"code {code}" if code is not None else "no close code"
        if reason:
            how += f", reason {reason!r}"
        self._ended = AgentException(
            "NOT_CONNECTED",
            f"Not connected: the connection closed ({how})",
            close_code=code,
            close_reason=reason or None,
        )
        stream = self._stream() if self._stream is not None else None
        self._stream = None
        if stream is not None:
            stream._push(error or self._ended)
            stream._push(_END_OF_STREAM)
        if self._idle is not None:
            self._idle.set()  # wake a request waiting for the previous response to end
        if self._callbacks is not None:
            self._callbacks.put_nowait(_STOP)
        logger.info("[%s] disconnected (%s)", self.id, how)

    async def _dispatch(self, queue: asyncio.Queue[object]) -> None:
        while (item := await queue.get()) is not _STOP:
            await self._call("callback", self.callback, item)
        await self._notify_disconnect()

    async def _notify_disconnect(self) -> None:
        if self._disconnect_pending:
            self._disconnect_pending = False
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

    def _to_callback(self, message: ServerMessageUnion | UnknownMessage) -> None:
        if self.callback is not None:
            if self._callbacks is not None:
                self._callbacks.put_nowait(message)
            return
        type_ = getattr(message.type, "value", message.type)
        # Agent events and unknown messages are lost without a callback; STATUS,
        # ERROR (also raised to its caller) and GRACEFUL_DISCONNECT are not.
        important = isinstance(message, UnknownMessage) or type_.startswith("AGENT_EVENT_")
        logger.log(
            logging.WARNING if important else logging.DEBUG,
            "[%s] %s with no callback to take it; dropped",
            self.id,
            type_,
        )

    async def _finish_previous(self) -> None:
        """Wait for the last connection's tasks: the listener, then the callbacks."""
        current = asyncio.current_task()
        listener, dispatcher = self._listener, self._dispatcher
        if listener is not None and listener is not current:
            await asyncio.shield(listener)
        if dispatcher is not None and dispatcher is not current:
            done, _ = await asyncio.wait({dispatcher}, timeout=self._close_timeout)
            if not done:  # a callback that never returns must not block close()
                logger.error("[%s] callbacks still running after close; cancelled", self.id)
                dispatcher.cancel()
                await asyncio.wait({dispatcher})
                await self._notify_disconnect()
        if current is not dispatcher:
            self._ws = self._listener = self._dispatcher = self._callbacks = None

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


_CONNECTION_NUMBERS: Final = itertools.count(1)
"""Numbers the connections of every client in the process, so that captures shared
by several clients never give two connections the same ``conn``."""


class _Capture:
    """The ``capture`` option: one writer, a ``conn`` per connection, the file if it owns it."""

    def __init__(self, target: CaptureTarget) -> None:
        self._path: str | os.PathLike[str] | None = None
        self._writer: CaptureWriter | None = None
        if isinstance(target, CaptureWriter):
            self._writer = target
        elif isinstance(target, (str, os.PathLike)):
            self._path = target
        else:
            self._writer = CaptureWriter(target, flush=True)
        self._file: IO[str] | None = None
        self._opened = False  # the file was created (truncated) once; reopen to append
        self._conn: str | None = None
        self._broken = False

    def begin(self, label: str) -> None:
        """Start recording a connection; open the file if the capture is a path."""
        self.end()
        if self._path is not None:
            mode = "a" if self._opened else "w"
            self._file = open(self._path, mode, encoding="utf-8")  # noqa: SIM115
            self._opened = True
            self._writer = CaptureWriter(self._file, flush=True)
        self._conn = f"{label}/{next(_CONNECTION_NUMBERS)}"
        self._broken = False

    def write(self, direction: Direction, frame: str | bytes) -> None:
        """Record one frame of the connection being recorded."""
        writer = self._writer
        if writer is None or self._conn is None or self._broken:
            return
        try:
            writer.write(direction, frame, conn=self._conn)
        except (OSError, ValueError) as error:  # a full disk must not break the client
            self._broken = True
            logger.error("capture %s: cannot write, recording stopped: %s", self._conn, error)

    def end(self) -> None:
        """Stop recording the connection; close the file if the capture opened it."""
        self._conn = None
        file, self._file = self._file, None
        if file is not None:
            try:
                file.close()
            except OSError as error:
                if not self._broken:  # else what could not be written was said already
                    logger.error("capture: cannot close %s: %s", self._path, error)


def _close_of(ws: ClientConnection) -> tuple[int, str]:
    """Return the close code and reason that say why the connection ended.

    The server's close frame if one came; else the one this side sent (1009
    for a frame over ``max_size``, 1011 for a keep-alive timeout); else 1006.
    """
    close = ws.protocol.close_rcvd or ws.protocol.close_sent
    if close is None:
        return 1006, ""
    return int(close.code), close.reason


class _EndOfStream:
    pass


_END_OF_STREAM: Final = _EndOfStream()


class ResponseStream:
    """The events of one response, as an async iterator: what :meth:`AgentApi.send_message` gives.

    ``async for event in stream`` sends the message on its first step. Also
    ``stream = await api.send_message(...)`` sends it at once. A stream left
    before its end (``break``, or :meth:`aclose`) releases the request, and
    the rest of the response goes to the client's ``callback``.
    """

    def __init__(self, api: AgentApi, text: str, attachments: Sequence[str] | None) -> None:
        self._api = api
        self._text = text
        self._attachments = attachments
        self._items: collections.deque[object] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        self._started = False
        self._finished = False
        self._ref = weakref.ref(self)

    def __aiter__(self) -> ResponseStream:
        return self

    def __await__(self) -> Generator[Any, None, ResponseStream]:
        yield from self._start().__await__()
        return self

    async def __anext__(self) -> AgentEventUnion:
        if not self._started:
            await self._start()
        if self._finished and not self._items:
            raise StopAsyncIteration
        if not self._items:
            await self._wait()
        item = self._items.popleft()
        if isinstance(item, _EndOfStream):
            self._finish()
            raise StopAsyncIteration
        if isinstance(item, BaseException):
            self._finish()
            raise item
        if self._items and self._items[0] is _END_OF_STREAM:
            self._items.popleft()
            self._finish()  # the last event: release the request before handing it out
        return item  # type: ignore[return-value]

    async def aclose(self) -> None:
        """Leave the response: the request is released, its rest goes to ``callback``."""
        self._abandon()

    def __del__(self) -> None:
        # `break` out of `async for` drops the stream: release its request now,
        # not when a later garbage collection notices.
        with contextlib.suppress(Exception):  # never raise from a finaliser
            self._abandon()

    # Inside

    async def _start(self) -> None:
        if self._started:
            return
        self._started = True
        api = self._api
        if api._holder is not None and api._holder() is not None:
            self._finished = True
            raise AgentBusyException("Agent is currently processing another request")
        ws = api._ws
        if not api._connected or ws is None or api._idle is None:
            self._finished = True
            raise api._ended or AgentException(
                "NOT_CONNECTED", "Not connected. Call connect() first."
            )
        api._holder = self._ref
        try:
            # The previous response was left before its end: its rest must
            # arrive before the next message may be sent.
            while api._protocol.responding and api._connected:
                await self._bounded(api._idle.wait())
            if not api._connected:
                raise api._ended or AgentException("NOT_CONNECTED", "Not connected.")
            frame = api._protocol.send_user_message(self._text, self._attachments)
            api._idle.clear()
            api._stream = self._ref
            # If the connection is gone, the listener tells this stream how it ended.
            with contextlib.suppress(ConnectionClosed):
                await api._send_frame(ws, frame)
        except BaseException:
            self._finish()
            raise

    async def _wait(self) -> None:
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._bounded(self._waiter)
        except AgentException as exc:
            self._abandon()
            raise exc from None
        finally:
            self._waiter = None

    async def _bounded(self, awaitable: Awaitable[Any]) -> None:
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

    def _push(self, item: object) -> None:
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _finish(self) -> None:
        self._finished = True
        api = self._api
        if api._stream is self._ref:
            api._stream = None
        if api._holder is self._ref:
            api._holder = None

    def _abandon(self) -> None:
        if not self._started or self._finished:
            return
        api = self._api
        stream_was_live = api._stream is self._ref
        self._finish()
        # What arrived but was not read goes to the callback, as the rest will.
        while self._items:
            item = self._items.popleft()
            if isinstance(item, BaseException):
                logger.debug("[%s] dropped %s from a left response", api.id, item)
            elif not isinstance(item, _EndOfStream):
                api._to_callback(item)  # type: ignore[arg-type]
        if stream_was_live:
            logger.debug("[%s] response left early; its rest goes to the callback", api.id)
