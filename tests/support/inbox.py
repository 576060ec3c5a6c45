"""Collect what a client's callbacks receive, and wait for it without sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

WAIT = 60.0
"""A guard against hangs only: every wait normally ends as soon as its condition holds.

Generous, because a child Python process (a CLI, the README's example) can take more
than 10 s to start on a two-core CI machine running two test workers."""


class Inbox:
    """A callback (sync) that keeps every message, plus a way to await a condition on them."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self._changed = asyncio.Event()

    def __call__(self, message: Any) -> None:
        self.messages.append(message)
        self._changed.set()

    async def wait_for(self, condition: Callable[[list[Any]], bool]) -> list[Any]:
        async def until() -> None:
            while not condition(self.messages):
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(until(), WAIT)
        return self.messages

    async def wait_for_type(self, type_: str, count: int = 1) -> list[Any]:
        return await self.wait_for(
            lambda messages: sum(1 for m in messages if _type(m) == type_) >= count
        )

    def types(self) -> list[str]:
        return [_type(m) for m in self.messages]


def _type(message: Any) -> str:
    type_ = getattr(message, "type", None)
    return str(getattr(type_, "value", type_))
