"""``RecordingProxy``: a WebSocket proxy that forwards a chat's frames unchanged and records them.

A client connects to the proxy with the usual path (``/v1/agent_ws/{chat_id}/``,
query string and all); the proxy opens the same path on the upstream server
*before* it answers the client's handshake, so that a refusal reaches the
client as it was sent (HTTP 403 and its body, for a busy chat), then forwards
every frame both ways as it is: text as text, binary as binary, and the close
code and reason of whichever side closes first (a connection that drops with
no close frame is dropped on the other side too). Every frame is recorded, in
the order the proxy received it, through a
:class:`~lambda_agent_api.capture.CaptureWriter` (one ``conn`` per connection)
*before* it is forwarded, and reported to a :class:`ProxyObserver`::

    with open("capture.jsonl", "w", encoding="utf-8") as file:
        writer = CaptureWriter(file, flush=True)
        async with RecordingProxy("ws://agent-host:8000/", capture=writer) as proxy:
            ...  # point clients at proxy.base_url

``lambda-agent-api record`` is this class on the command line.
"""

from __future__ import annotations

import asyncio
import http
import itertools
import logging
import re
import ssl as ssl_module
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, cast

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.http11 import Request, Response
from websockets.protocol import State as WsState
from websockets.typing import Subprotocol

from lambda_agent_api.capture import RECV, SEND, CaptureWriter, Direction
from lambda_agent_api.protocol.limits import MAX_FRAME_BYTES
from lambda_agent_api.transport.capture_sink import CaptureFailure, CaptureSink
from lambda_agent_api.transport.hardened_connection import (
    HardenedClientConnection,
    HardenedServerConnection,
)
from lambda_agent_api.transport.urls import upstream_url

__all__ = ["ProxiedConnection", "ProxyObserver", "RecordingProxy", "upstream_url"]

logger = logging.getLogger(__name__)

_UNSAFE_PATH: Final = re.compile(r"[^\x21-\x7e]")
"""What a request path must not hold: anything but visible ASCII."""

GOING_AWAY: Final = 1001
ABNORMAL: Final = 1006
NO_STATUS: Final = 1005

# Headers that belong to one hop (the client's connection to the proxy), or
# that websockets writes itself on the upstream handshake.
_NOT_FORWARDED: Final = frozenset(
    {
        "host",
        "upgrade",
        "connection",
        "keep-alive",
        "te",
        "trailer",
        "transfer-encoding",
        "content-length",
        "proxy-authorization",
        "proxy-connection",
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-extensions",
        "sec-websocket-protocol",
        "sec-websocket-accept",
        "user-agent",
    }
)


@dataclass(eq=False)
class ProxiedConnection:
    """One client connection through the proxy."""

    conn: str
    """Its id in the capture's ``conn`` key: ``1``, ``2``... in the order clients connected."""
    path: str
    """The path (and query) the client asked for, such as ``/v1/agent_ws/7/``."""
    upstream_url: str
    """Where the proxy connected on the client's behalf."""
    frames: int = 0
    """Frames forwarded so far, both ways."""
    client: ServerConnection | None = field(default=None, repr=False)
    upstream: ClientConnection | None = field(default=None, repr=False)


class ProxyObserver:
    """What a :class:`RecordingProxy` reports; every method does nothing unless overridden.

    The methods are called from the proxy's tasks and must not block; an
    exception raised in one is logged, never passed to the connection.
    """

    def opened(self, connection: ProxiedConnection) -> None:
        """Take a connection whose both sides are open; its frames follow."""

    def frame(
        self,
        connection: ProxiedConnection,
        direction: Direction,
        data: str | bytes,
        ts: float,
        line: int | None,
    ) -> None:
        """Take a frame just recorded (at ``line`` of the capture, from 1), to be forwarded."""

    def closed(self, connection: ProxiedConnection, by: str, code: int, reason: str) -> None:
        """Take the end of a connection: who closed first, with which code and reason.

        ``by`` is ``client``, ``upstream`` or ``proxy``; code 1006 means that
        side dropped with no close frame.
        """

    def refused(self, connection: ProxiedConnection, status: int, body: bytes) -> None:
        """Take a handshake the upstream refused (``status``); the client got the same answer."""

    def failed(self, connection: ProxiedConnection, status: int, reason: str) -> None:
        """Take a handshake that failed upstream; the client got HTTP ``status`` (502 or 504)."""

    def capture_failed(self, error: CaptureFailure) -> None:
        """Take a failure to write the capture: the proxy stops forwarding and closes (1011)."""


class RecordingProxy:
    """A recording WebSocket proxy in front of ``upstream``, on ``host:port`` (0: a free port).

    Args:
        upstream: the server's base URL, such as ``ws://agent-host:8000/``;
            a path prefix in it goes before every client's path.
        host: the address to listen on.
        port: the port to listen on; 0 picks a free one.
        capture: where frames are recorded (give it ``flush=True`` so that a
            crash loses nothing already forwarded); None records nothing.
        observer: told about every connection and frame.
        open_timeout: seconds to wait for the upstream's handshake.
        ping_interval: seconds between keep-alive pings on both sides (``None``: none).
        ping_timeout: seconds to wait for a pong before closing (``None``: forever).
        close_timeout: seconds to wait for a side to complete a close.
        ssl: a server-side SSL context, to listen on ``wss://``.
        upstream_ssl: an SSL context for a ``wss://`` upstream.
        max_size: the largest frame forwarded, in bytes, either way; a side that
            sends a larger one is closed with 1009 (message too big), and the other
            side alike. ``None``: no limit. See :mod:`lambda_agent_api.protocol.limits`.
    """

    def __init__(
        self,
        upstream: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        capture: CaptureWriter | None = None,
        observer: ProxyObserver | None = None,
        open_timeout: float = 10.0,
        ping_interval: float | None = 20.0,
        ping_timeout: float | None = 20.0,
        close_timeout: float = 10.0,
        ssl: ssl_module.SSLContext | None = None,
        upstream_ssl: ssl_module.SSLContext | None = None,
        max_size: int | None = MAX_FRAME_BYTES,
    ) -> None:
        upstream_url(upstream, "/")  # raises ValueError now rather than per connection
        self.upstream = upstream
        self.host = host
        self.port = port
        self._sink: CaptureSink | None = None
        self.capture = capture
        self.observer = observer or ProxyObserver()
        self.open_timeout = open_timeout
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.close_timeout = close_timeout
        self.ssl = ssl
        self.upstream_ssl = upstream_ssl
        self.max_size = max_size
        self.connections: dict[str, ProxiedConnection] = {}
        """The connections open now, by ``conn``."""
        self.lines = 0
        """Lines written to the capture so far."""
        self.failure: CaptureFailure | None = None
        """Why writing the capture failed (``OSError``, or ``ValueError`` for a stream
        closed under it), if it did; the proxy then closes everything."""
        self.failed = asyncio.Event()
        """Set when writing the capture fails."""
        self._numbers = itertools.count(1)
        self._pending: dict[ServerConnection, ProxiedConnection] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: Server | None = None

    @property
    def capture(self) -> CaptureWriter | None:
        """Where frames are recorded (``None``: nowhere); may be set before :meth:`start`."""
        return self._capture

    @capture.setter
    def capture(self, writer: CaptureWriter | None) -> None:
        self._capture = writer
        failed = self._capture_failed
        self._sink = None if writer is None else CaptureSink(writer, on_failure=failed)

    # Running

    @property
    def base_url(self) -> str:
        """The URL to give a client as its ``base_url``, such as ``ws://127.0.0.1:8001/``."""
        scheme = "wss" if self.ssl is not None else "ws"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}/"

    async def start(self) -> None:
        """Start listening; ``port`` is then the port in use.

        Raises:
            OSError: the address cannot be listened on.
        """
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            process_request=self._process_request,
            select_subprotocol=self._select_subprotocol,
            max_size=self.max_size,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_timeout,
            close_timeout=self.close_timeout,
            # The upstream's handshake happens inside the client's.
            open_timeout=self.open_timeout + 5.0,
            ssl=self.ssl,
            logger=logger,
            # A side that floods pings and never reads must not fill memory with pongs.
            create_connection=HardenedServerConnection,
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close every connection on both sides (1001) and stop listening."""
        if self._server is None:
            return
        server, self._server = self._server, None
        # Closing the clients' side first says why; each handler then closes the
        # upstream side alike. (Server.close takes a reason only from websockets 16.)
        await asyncio.gather(
            *(
                connection.client.close(GOING_AWAY, "the recording proxy is shutting down")
                for connection in list(self.connections.values())
                if connection.client is not None
            )
        )
        server.close()  # and handshakes in progress: 503
        await server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def __aenter__(self) -> RecordingProxy:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # The handshake: the upstream answers first

    async def _process_request(self, client: ServerConnection, request: Request) -> Response | None:
        connection = ProxiedConnection(
            str(next(self._numbers)), request.path, upstream_url(self.upstream, request.path)
        )
        if self.failure is not None:
            return client.respond(http.HTTPStatus.SERVICE_UNAVAILABLE, "capture failed\n")
        if _UNSAFE_PATH.search(request.path):
            # A request target is visible ASCII (RFC 9112); one with control characters
            # (terminal escapes in a log, header injection upstream) is not forwarded.
            reason = "the request path holds control characters or non-ASCII"
            self._tell("failed", connection, 400, reason)
            return client.respond(http.HTTPStatus.BAD_REQUEST, f"{reason}\n")
        offered = [
            p.strip()
            for h in request.headers.get_all("Sec-WebSocket-Protocol")
            for p in h.split(",")
            if p.strip()
        ]
        try:
            upstream = await ws_connect(
                connection.upstream_url,
                additional_headers=[
                    (name, value)
                    for name, value in request.headers.raw_items()
                    if name.lower() not in _NOT_FORWARDED
                ],
                user_agent_header=request.headers.get("User-Agent"),
                subprotocols=[Subprotocol(p) for p in offered] or None,
                open_timeout=self.open_timeout,
                max_size=self.max_size,
                ping_interval=self.ping_interval,
                ping_timeout=self.ping_timeout,
                close_timeout=self.close_timeout,
                ssl=self.upstream_ssl,
                logger=logger,
                create_connection=HardenedClientConnection,
            )
        except InvalidStatus as refused:
            response = refused.response
            body = bytes(response.body or b"")
            self._tell("refused", connection, response.status_code, body)
            return _mirror(response, body)
        except (TimeoutError, asyncio.TimeoutError):
            reason = f"no handshake from {connection.upstream_url} within {self.open_timeout:g} s"
            self._tell("failed", connection, 504, reason)
            return client.respond(http.HTTPStatus.GATEWAY_TIMEOUT, f"upstream: {reason}\n")
        except Exception as error:  # unreachable, not a WebSocket server, TLS...
            reason = f"cannot reach {connection.upstream_url}: {_describe(error)}"
            self._tell("failed", connection, 502, reason)
            return client.respond(http.HTTPStatus.BAD_GATEWAY, f"upstream: {reason}\n")
        connection.upstream = upstream
        self._pending[client] = connection
        # If the client's handshake fails from here on, _handle never runs:
        # the upstream connection must not outlive it.
        self._spawn(self._reap(client, connection))
        return None

    def _select_subprotocol(
        self, client: ServerConnection, offered: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        connection = self._pending.get(client)
        upstream = connection.upstream if connection is not None else None
        return upstream.subprotocol if upstream is not None else None

    async def _reap(self, client: ServerConnection, connection: ProxiedConnection) -> None:
        await client.wait_closed()
        if self._pending.pop(client, None) is not None and connection.upstream is not None:
            await connection.upstream.close(GOING_AWAY, "the client went away")

    # Forwarding

    async def _handle(self, client: ServerConnection) -> None:
        connection = self._pending.pop(client, None)
        if connection is None or connection.upstream is None:  # cannot happen; be safe
            await client.close(1011, "the recording proxy lost the upstream connection")
            return
        upstream = connection.upstream
        connection.client = client
        self.connections[connection.conn] = connection
        self._tell("opened", connection)
        ended: list[tuple[str, int, str]] = []  # the first side to end, and how
        downstream = asyncio.create_task(
            self._pump(connection, upstream, client, RECV, "upstream", ended)
        )
        try:
            await self._pump(connection, client, upstream, SEND, "client", ended)
            await downstream
        finally:
            if not downstream.done():  # cancelled: cut both sides
                downstream.cancel()
                await asyncio.gather(downstream, return_exceptions=True)
                for side in (client, upstream):
                    side.transport.abort()
            self.connections.pop(connection.conn, None)
            by, code, reason = ended[0] if ended else ("proxy", ABNORMAL, "")
            self._record_close(connection, code, reason)
            self._tell("closed", connection, by, code, reason)

    async def _pump(
        self,
        connection: ProxiedConnection,
        source: ServerConnection | ClientConnection,
        target: ServerConnection | ClientConnection,
        direction: Direction,
        name: str,
        ended: list[tuple[str, int, str]],
    ) -> None:
        """Forward ``source``'s frames to ``target``; when ``source`` ends, end ``target`` alike."""
        try:
            async for message in source:
                if not self._record(connection, direction, message):
                    await _close(target, 1011, "the recording proxy cannot write its capture")
                    await _close(source, 1011, "the recording proxy cannot write its capture")
                    return
                try:
                    await target.send(message)
                except ConnectionClosed:
                    return  # the other side ended first: its own pump relays how
        except ConnectionClosed:
            pass
        protocol = source.protocol
        if protocol.close_rcvd is not None:
            # The proxy closed this side first (a shutdown, or relaying the
            # other side's close): what it sent is what counts.
            ours = protocol.close_rcvd_then_sent is False and protocol.close_sent is not None
            close = protocol.close_sent if ours else protocol.close_rcvd
            assert close is not None
            code, reason = int(close.code), close.reason
            if not ended:
                ended.append(("proxy" if ours else name, code, reason))
            await _close(target, None if code == NO_STATUS else code, reason)
        elif source.state is WsState.CLOSED or protocol.close_sent is not None:
            if not ended:
                # Dropped with no close frame, or this side stopped answering
                # (keep-alive): the other side is dropped alike.
                ended.append((name, ABNORMAL, ""))
            target.transport.abort()

    def _record(
        self, connection: ProxiedConnection, direction: Direction, data: str | bytes
    ) -> bool:
        """Record a frame before it is forwarded; return False if the capture cannot be written."""
        ts = time.time()
        line: int | None = None
        if self._sink is not None:
            if not self._sink.write(direction, data, ts=ts, conn=connection.conn):
                return False  # the sink said why, once, through _capture_failed
            self.lines += 1
            line = self.lines
        connection.frames += 1
        self._tell("frame", connection, direction, data, ts, line)
        return True

    def _record_close(self, connection: ProxiedConnection, code: int, reason: str) -> None:
        """Record the connection's close, so that readers free it (a close record)."""
        if self._sink is None or connection.frames == 0:
            return  # a connection that recorded no frame needs no close record
        if self._sink.write_close(code=code, reason=reason, conn=connection.conn):
            self.lines += 1

    # Helpers

    def _capture_failed(self, error: CaptureFailure) -> None:
        self.failure = error
        self.failed.set()
        self._tell("capture_failed", error)

    def _tell(self, event: str, *args: Any) -> None:
        try:
            getattr(self.observer, event)(*args)
        except Exception:
            logger.exception("recording proxy: the observer failed on %s", event)

    def _spawn(self, coroutine: Any) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


async def _close(side: ServerConnection | ClientConnection, code: int | None, reason: str) -> None:
    """Close ``side`` with ``code`` and ``reason`` (None: an empty close frame, as received)."""
    if side.state is not WsState.OPEN:
        return
    # websockets sends an empty close frame for code None, which its annotation omits.
    await side.close(cast(int, code), reason)


def _mirror(response: Response, body: bytes) -> Response:
    """Return the upstream's refusal as the proxy's answer: status, headers and body."""
    headers = Headers(
        [(k, v) for k, v in response.headers.raw_items() if k.lower() not in _NOT_FORWARDED]
    )
    headers["Content-Length"] = str(len(body))
    headers["Connection"] = "close"
    return Response(response.status_code, response.reason_phrase, headers, body)


def _describe(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
