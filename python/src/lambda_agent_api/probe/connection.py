"""One probe connection: a ``websockets`` client whose every frame goes through the checker.

A reader task takes every frame as it arrives (also while the connection is
closing, so that nothing the server sent is missed) and queues it with its
arrival time; scenarios wait on the queue with a timeout, never longer.
Every frame either way is fed to :class:`Traffic`, the validator's rules
run on all of it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from ssl import SSLContext, SSLError
from typing import Any, Final

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.frames import Close

from lambda_agent_api.probe.traffic import Traffic, TrafficConnection
from lambda_agent_api.protocol import strict_json
from lambda_agent_api.protocol.strict_json import show

__all__ = ["Closed", "HandshakeFailed", "ProbeConnection", "Received", "Unreachable"]

_MAX_SIZE: Final = 16 * 1024 * 1024  # a tool result may be large; a bound all the same


class _Direct(connect):
    """``connect`` that never goes anywhere but the URL it was given.

    websockets follows redirects (to any host) and uses the proxy that the
    environment names; the probe contacts only the URL its user named.
    """

    def process_redirect(self, exc: Exception) -> Exception | str:
        return exc


class Unreachable(Exception):
    """No TCP (or TLS) connection could be made to the server."""


class HandshakeFailed(Exception):
    """The server answered, but did not open the WebSocket: an HTTP status, or no answer in time."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        """The HTTP status of the refusal, if there was one."""


@dataclass(frozen=True)
class Received:
    """One frame from the server."""

    data: str | bytes
    at: float
    """Seconds since the WebSocket opened."""

    @cached_property
    def message(self) -> dict[str, Any] | None:
        """The frame's JSON object, or None when it is not a JSON object in a text frame."""
        if not isinstance(self.data, str):
            return None
        try:
            value = strict_json.loads(self.data)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    @property
    def type(self) -> str | None:
        """The message's ``type``, if it has a string one."""
        message = self.message
        type_ = message.get("type") if message else None
        return type_ if isinstance(type_, str) else None

    def describe(self) -> str:
        """Name the frame in a few words, safe to print."""
        if isinstance(self.data, bytes):
            return f"a binary frame of {len(self.data)} bytes"
        if self.type is not None:
            return show(self.type, 40)
        return f"the text frame {show(self.data, 40)}"


@dataclass(frozen=True)
class Closed:
    """The connection ended."""

    code: int
    """The server's close code; 1006 when no close frame came."""
    reason: str

    def describe(self) -> str:
        """Say how it closed, safe to print."""
        if self.code == 1006:
            return "the connection was cut without a close frame (1006)"
        said = f" {show(self.reason, 60)}" if self.reason else ""
        return f"the server closed the connection ({self.code}{said})"


class ProbeConnection:
    """A client connection to one chat, for one scenario."""

    def __init__(self, ws: ClientConnection, traffic: TrafficConnection) -> None:
        self.ws = ws
        self.traffic = traffic
        self.opened = time.monotonic()
        self._queue: asyncio.Queue[Received | Closed] = asyncio.Queue()
        self._closed: Closed | None = None
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(
        cls,
        url: str,
        traffic: Traffic,
        label: str,
        *,
        timeout: float,
        headers: Mapping[str, str] | None = None,
        ssl: SSLContext | None = None,
    ) -> ProbeConnection:
        """Open a WebSocket to ``url``.

        Raises:
            Unreachable: no connection to the host could be made.
            HandshakeFailed: the server refused the handshake, or did not finish it in time.
            ConnectionClosed: the server closed the WebSocket during the handshake.
        """
        tls: dict[str, Any] = {} if ssl is None else {"ssl": ssl}
        try:
            ws = await _Direct(
                url,
                proxy=None,
                open_timeout=timeout,
                close_timeout=timeout,
                ping_interval=None,
                max_size=_MAX_SIZE,
                additional_headers=dict(headers or {}),
                **tls,
            )
        except InvalidStatus as error:
            status = error.response.status_code
            location = error.response.headers.get("Location")
            said = f" (a redirect to {show(location, 80)}, not followed)" if location else ""
            raise HandshakeFailed(f"the server answered HTTP {status}{said}", status) from error
        except (TimeoutError, asyncio.TimeoutError) as error:
            raise HandshakeFailed(f"no WebSocket handshake within {timeout:g} s") from error
        except InvalidHandshake as error:
            raise HandshakeFailed(f"not a WebSocket handshake: {show(str(error), 100)}") from error
        except OSError as error:
            raise Unreachable(_os_reason(error)) from error
        return cls(ws, traffic.open(label, url))

    # Receiving

    async def next(self, timeout: float) -> Received | Closed | None:
        """Return the next frame, or how the connection closed; None after ``timeout`` seconds."""
        if self._closed is not None and self._queue.empty():
            return self._closed
        try:
            return await asyncio.wait_for(self._queue.get(), max(timeout, 0.0))
        except (TimeoutError, asyncio.TimeoutError):
            return None

    def pending(self) -> list[Received | Closed]:
        """Take every frame that has arrived and not been read, without waiting."""
        taken: list[Received | Closed] = []
        while not self._queue.empty():
            taken.append(self._queue.get_nowait())
        return taken

    @property
    def elapsed(self) -> float:
        """Seconds since the WebSocket opened."""
        return time.monotonic() - self.opened

    @property
    def closed(self) -> Closed | None:
        """How the connection closed, once it has."""
        return self._closed

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                self.traffic.received(data)
                self._queue.put_nowait(Received(data, self.elapsed))
        except ConnectionClosed:
            pass
        finally:
            close = self.ws.protocol.close_rcvd
            self._closed = Closed(1006, "") if close is None else Closed(close.code, close.reason)
            self.traffic.end()
            self._queue.put_nowait(self._closed)

    # Sending and closing

    async def send(self, data: str | bytes) -> bool:
        """Send one frame; return False when the connection is already closed."""
        try:
            await self.ws.send(data)
        except ConnectionClosed:
            return False
        self.traffic.sent(data)
        return True

    async def ping(self, timeout: float) -> float | None:
        """Send a ping; return the seconds its pong took, or None when none came in time."""
        started = time.monotonic()
        try:
            waiter = await self.ws.ping(b"lambda-agent-api probe")
            await asyncio.wait_for(waiter, timeout)
        except (ConnectionClosed, TimeoutError, asyncio.TimeoutError):
            return None
        return time.monotonic() - started

    async def close(self) -> Close | None:
        """Close with code 1000, wait for the server's answer; return its close frame, if any.

        Never waits longer than the connection's close timeout; the reader
        keeps taking frames until the close completes.
        """
        try:
            await self.ws.close(1000, "probe done")
        except Exception:  # a half-open socket may fail to close: it is closed either way
            self.ws.transport.abort()
        await asyncio.gather(self._reader, return_exceptions=True)
        return self.ws.protocol.close_rcvd

    async def abort(self) -> None:
        """Cut the connection at once (a scenario ran out of time)."""
        self.ws.transport.abort()
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)


def _os_reason(error: OSError) -> str:
    if isinstance(error, SSLError):  # its errno is OpenSSL's, not the system's
        return f"TLS: {show(str(error.reason or error), 100)}"
    if error.errno is not None and error.errno > 0:
        import os

        return os.strerror(error.errno)
    return error.strerror or str(error) or type(error).__name__
