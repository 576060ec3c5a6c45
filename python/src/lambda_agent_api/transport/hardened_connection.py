"""WebSocket connections that hold against a peer that never reads.

``websockets`` trusts the peer to read what it is sent, in two places:

- it answers every ping with a pong as the ping is read, and writes it to the socket
  whether or not the peer reads: a peer that floods pings and never reads makes the
  other side queue its pongs in memory without limit (32 MiB of pings, about as many
  MiB of pongs);
- ``close()`` waits for its close frame to be written with no timeout: behind a write
  buffer the peer never drains, it waits forever (``close_timeout`` only bounds the
  closing handshake that follows).

These connections hold back a pong while the socket's write buffer is above its
high-water mark (``write_limit``, 32 KiB by default) and send the pong of the latest
ping held back once it drains, as RFC 6455 (5.5.3) allows (an endpoint may answer only
the most recent of several pings); and they bound ``close()`` by ``2 * close_timeout``
(writing the close frame, then the handshake), cutting the connection after that.

Pass the classes as ``create_connection=`` to ``websockets``' ``serve`` and
``connect``: the recording proxy (both sides), the test server and ``AgentApi`` do.
"""

from __future__ import annotations

import asyncio
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.connection import Connection
from websockets.asyncio.server import ServerConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import State

__all__ = ["HardenedClientConnection", "HardenedServerConnection"]


class _Hardened(Connection):
    """Bound pongs and ``close()`` against a peer that does not read (see the module's doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_pong: bytes | None = None
        send_frame = self.protocol.send_frame

        def send_or_hold(frame: Frame) -> None:
            # The sans-I/O protocol writes a pong the moment it reads a ping; only
            # the connection knows whether the peer reads what is written.
            if frame.opcode is Opcode.PONG and self.paused:
                self._held_pong = bytes(frame.data)
                return
            send_frame(frame)

        self.protocol.send_frame = send_or_hold  # type: ignore[method-assign]

    def resume_writing(self) -> None:
        """Take the transport's word that its buffer drained: send the pong held back."""
        super().resume_writing()
        held, self._held_pong = self._held_pong, None
        if held is not None and self.protocol.state is State.OPEN:
            self.protocol.send_pong(held)
            self.send_data()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close as ``websockets`` does, but within ``2 * close_timeout``, then cut."""
        if self.close_timeout is None:
            await super().close(code, reason)
            return
        try:
            await asyncio.wait_for(super().close(code, reason), 2 * self.close_timeout)
        except (TimeoutError, asyncio.TimeoutError):
            # The close frame is stuck behind data the peer does not read.
            self.transport.abort()
            await asyncio.shield(self.connection_lost_waiter)


class HardenedServerConnection(_Hardened, ServerConnection):
    """A server's connection that holds against a client that never reads."""


class HardenedClientConnection(_Hardened, ClientConnection):
    """A client's connection that holds against a server that never reads."""
