"""WebSocket connections whose automatic pongs never queue without bound.

``websockets`` answers every ping with a pong as the ping is read, and writes it
to the socket whether or not the peer reads: a peer that floods pings and never
reads makes the other side queue its pongs in memory without limit (96 MiB of
pings, 96 MiB of pongs). RFC 6455 (5.5.3) lets an endpoint answer only the most
recent of several pings, so these connections hold back the pong while the
socket's write buffer is above its high-water mark (``write_limit``, 32 KiB by
default), and send the pong of the latest ping held back once it drains.

Pass the classes as ``create_connection=`` to ``websockets``' ``serve`` and
``connect``: the recording proxy (both sides) and the test server do.
"""

from __future__ import annotations

from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.connection import Connection
from websockets.asyncio.server import ServerConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import State

__all__ = ["BoundedPongsClientConnection", "BoundedPongsServerConnection"]


class _BoundedPongs(Connection):
    """Hold back pongs while the peer does not read (see the module's doc)."""

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


class BoundedPongsServerConnection(_BoundedPongs, ServerConnection):
    """A server's connection that holds back pongs while the client does not read."""


class BoundedPongsClientConnection(_BoundedPongs, ClientConnection):
    """A client's connection that holds back pongs while the server does not read."""
