"""A progress bar on stderr, for long inputs read on a terminal."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Final, TextIO, TypeVar

__all__ = ["MIN_BYTES", "ProgressBar", "render"]

T = TypeVar("T")

MIN_BYTES: Final = 32 * 1024 * 1024
"""Inputs smaller than this are read too fast to need a bar."""
_EVERY: Final = 4096  # items between looks at the clock
_INTERVAL: Final = 0.1  # seconds between redraws
_WIDTH: Final = 30


def render(label: str, done: int, total: int, width: int = _WIDTH) -> str:
    """Return the bar's text for ``done`` of ``total`` bytes."""
    fraction = min(max(done / total, 0.0), 1.0) if total > 0 else 1.0
    filled = round(fraction * width)
    bar = "#" * filled + "-" * (width - filled)
    return f"{label} [{bar}] {fraction:4.0%} {_size(done)} / {_size(total)}"


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


class ProgressBar:
    """Draw how far through an input the reading is, at most ten times a second.

    ``position`` says how many bytes have been read; ``clock`` is injectable for tests.
    """

    def __init__(
        self,
        out: TextIO,
        label: str,
        total: int,
        position: Callable[[], int],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._out = out
        self._label = label
        self._total = total
        self._position = position
        self._clock = clock
        self._drawn = False

    def wrap(self, items: Iterable[T]) -> Iterator[T]:
        """Yield ``items`` unchanged, redrawing the bar as they go; clear it at the end."""
        last = self._clock()
        count = 0
        try:
            for item in items:
                yield item
                count += 1
                if count % _EVERY == 0:
                    now = self._clock()
                    if now - last >= _INTERVAL:
                        last = now
                        self.draw()
        finally:
            self.clear()

    def draw(self) -> None:
        """Draw the bar now."""
        self._out.write("\r" + render(self._label, self._position(), self._total) + "\x1b[K")
        self._out.flush()
        self._drawn = True

    def clear(self) -> None:
        """Remove the bar, if it was drawn."""
        if self._drawn:
            self._out.write("\r\x1b[K")
            self._out.flush()
            self._drawn = False
