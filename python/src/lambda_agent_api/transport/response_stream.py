"""``ResponseStream``: the events of one response, as an async iterator.

It is what :meth:`~lambda_agent_api.transport.agent_api.AgentApi.send_message`
returns. It knows its client only through :class:`ResponseHost`: take the
request slot and send the message (getting the mailbox the response's events
arrive in), give the slot back, hand what it did not take to the callback,
and bound a wait by the response timeout. The stream takes the events that
arrived together from the mailbox one by one, with no trip through the event
loop; it waits only when the mailbox is empty.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Generator, Sequence
from typing import Any, Protocol

from lambda_agent_api.exceptions import AgentException
from lambda_agent_api.protocol.messages import AgentEventUnion
from lambda_agent_api.transport.mailbox import Mailbox

__all__ = ["ResponseHost", "ResponseStream"]


class ResponseHost(Protocol):
    """What a :class:`ResponseStream` needs from its client, and nothing more."""

    async def open(self, text: str, attachments: Sequence[str] | None) -> Mailbox[AgentEventUnion]:
        """Take the request slot, send the message; return the mailbox of its response.

        Raises:
            AgentBusyException: another request holds the slot.
            AgentException: ``NOT_CONNECTED``; ``TIMEOUT``.
        """
        ...

    def close(self, box: Mailbox[AgentEventUnion]) -> None:
        """Give the slot back; the rest of the response goes to the callback."""
        ...

    def to_callback(self, messages: list[AgentEventUnion], error: BaseException | None) -> None:
        """Hand what a left response did not take (and how it ended) to the callback."""
        ...

    async def bounded(self, awaitable: Awaitable[Any]) -> None:
        """Await ``awaitable`` for at most the response timeout.

        Raises:
            AgentException: ``TIMEOUT``.
        """
        ...


class ResponseStream:
    """The events of one response, as an async iterator: what ``AgentApi.send_message`` gives.

    ``async for event in stream`` sends the message on its first step. Also
    ``stream = await api.send_message(...)`` sends it at once. A stream left
    before its end (``break``, :meth:`aclose`, or a step cancelled, as by
    ``asyncio.wait_for``) releases the request, and the rest of the response
    goes to the client's ``callback``.
    """

    def __init__(self, host: ResponseHost, text: str, attachments: Sequence[str] | None) -> None:
        self._host = host
        self._text = text
        self._attachments = attachments
        self._box: Mailbox[AgentEventUnion] | None = None
        self._started = False
        self._finished = False

    def __aiter__(self) -> ResponseStream:
        return self

    def __await__(self) -> Generator[Any, None, ResponseStream]:
        yield from self._start().__await__()
        return self

    async def __anext__(self) -> AgentEventUnion:
        box = self._box
        if box is not None:
            items = box.items
            if items:  # the common case: events arrived together, taken one by one
                event = items.popleft()
                if box.putter_waits:
                    box.taken()
                if not items and box.ended and box.error is None:
                    self._finish()  # the last event: release the request before handing it out
                return event
        return await self._next()

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
        try:
            self._box = await self._host.open(self._text, self._attachments)
        except BaseException:
            self._finished = True
            raise

    async def _next(self) -> AgentEventUnion:
        if not self._started:
            await self._start()
        box = self._box
        while box is not None and not self._finished:
            if box.items:
                return await self.__anext__()
            if box.ended:
                self._finish()
                if box.error is not None:
                    raise box.error
                break
            await self._wait(box)
        raise StopAsyncIteration

    async def _wait(self, box: Mailbox[AgentEventUnion]) -> None:
        try:
            await self._host.bounded(box.arrival())
        except AgentException as exc:  # TIMEOUT
            self._abandon()
            raise exc from None
        except asyncio.CancelledError:
            # A step cancelled (asyncio.wait_for, a task cancelled): the caller
            # has gone, like a `break`; a retry must not find the request busy.
            self._abandon()
            raise

    def _finish(self) -> None:
        self._finished = True
        if self._box is not None:
            self._host.close(self._box)

    def _abandon(self) -> None:
        if not self._started or self._finished or self._box is None:
            return
        box = self._box
        # What arrived but was not read goes to the callback, as the rest will.
        rest = box.take_all()
        self._finish()
        self._host.to_callback(rest, box.error)
