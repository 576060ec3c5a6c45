"""Bounded hand-off from a connection's reader to whoever takes its messages.

A client reads its socket in one task (the listener) and hands every message
to one of two readers: the caller iterating a response, or the task that runs
the user's callback. Each gets a :class:`Mailbox`. A mailbox holds at most
``bound`` messages: :meth:`Mailbox.put` says when it is full, and the reader
then waits in :meth:`Mailbox.room` until the taker has emptied it to half.
While it waits nothing reads the socket, so ``websockets`` stops reading it
too and TCP makes the server wait: memory stays bounded, and nothing is dropped.

A mailbox also carries how its stream of messages ended (:meth:`Mailbox.end`),
so that the taker sees the end, or the error that ended it, once the
messages before it are taken.
"""

from __future__ import annotations

import asyncio
import collections
import sys
from typing import Generic, TypeVar

__all__ = ["Mailbox"]

T = TypeVar("T")


class Mailbox(Generic[T]):
    """A bounded queue with one putter and one taker, which both run in the event loop.

    ``items`` is the deque itself: a taker may pop from it directly, and then
    must call :meth:`taken` whenever ``putter_waits`` is true (the cheap path
    for a taker that drains a batch); a putter may append to it directly, and
    then must call :meth:`wake_taker` whenever ``waiting_taker`` is set, and
    wait in :meth:`room` once ``bound`` items are held (the cheap path for the
    reader of a socket, once per frame).
    """

    __slots__ = (
        "_low",
        "_room",
        "bound",
        "ended",
        "error",
        "items",
        "putter_waits",
        "waiting_taker",
    )

    def __init__(self, bound: int) -> None:
        if bound < 1:
            raise ValueError(f"a mailbox holds at least 1 message, not {bound}")
        self.items: collections.deque[T] = collections.deque()
        self.bound = bound
        self._low = bound // 2
        self.ended = False
        """No message will be put any more: the stream of messages is over."""
        self.error: BaseException | None = None
        """What ended the stream, if it did not end normally."""
        self.waiting_taker: asyncio.Future[None] | None = None
        """What the taker waits on for a message, while it waits (see :meth:`arrival`)."""
        self._room: asyncio.Future[None] | None = None  # the putter waits for room
        self.putter_waits = False
        """Whether the putter waits in :meth:`room`: a taker that pops must call :meth:`taken`."""

    def __len__(self) -> int:
        return len(self.items)

    # The putter's side

    def put(self, item: T) -> bool:
        """Add ``item``; return whether the mailbox is now full (then wait in :meth:`room`)."""
        items = self.items
        items.append(item)
        if self.waiting_taker is not None:
            self.wake_taker()
        return len(items) >= self.bound

    async def room(self) -> None:
        """Wait until the taker has emptied the mailbox to half its bound (or it ended)."""
        while len(self.items) > self._low and not self.ended:
            if self._room is None or self._room.done():
                self._room = asyncio.get_running_loop().create_future()
            self.putter_waits = True
            try:
                await self._room
            finally:
                self.putter_waits = False

    def unbind(self) -> None:
        """Lift the bound for good: the putter never waits again (a connection that closes)."""
        self.bound = self._low = sys.maxsize
        self._wake_putter()

    def end(self, error: BaseException | None = None) -> None:
        """Say that the stream of messages is over, normally or with ``error``."""
        if not self.ended:
            self.ended = True
            self.error = error
        self.wake_taker()
        self._wake_putter()

    # The taker's side

    def taken(self) -> None:
        """Tell the putter that items were popped from ``items`` directly."""
        if self._room is not None and len(self.items) <= self._low:
            self._wake_putter()

    def take_all(self) -> list[T]:
        """Remove and return every message not yet taken."""
        items = list(self.items)
        self.items.clear()
        self._wake_putter()
        return items

    def arrival(self) -> asyncio.Future[None]:
        """Return a future done when a message arrives or the stream ends (done if one is here)."""
        future = asyncio.get_running_loop().create_future()
        if self.items or self.ended:
            future.set_result(None)
        else:
            self.waiting_taker = future
        return future

    def wake_taker(self) -> None:
        """Wake the taker waiting for a message, if one waits."""
        arrival, self.waiting_taker = self.waiting_taker, None
        if arrival is not None and not arrival.done():
            arrival.set_result(None)

    def _wake_putter(self) -> None:
        room, self._room = self._room, None
        if room is not None and not room.done():
            room.set_result(None)
