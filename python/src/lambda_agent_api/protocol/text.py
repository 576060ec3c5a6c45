"""Text for people, one way each for every finding and view: cut, made safe to print, counted."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["plural", "printable", "quote", "shorten"]


def shorten(text: str, limit: int, *, say_rest: bool = False) -> str:
    """Return ``text``, or its start ending in ``…`` so that it fits in ``limit`` characters.

    With ``say_rest``, keep ``limit`` characters and say how many more there were.
    """
    if len(text) <= limit:
        return text
    if say_rest:
        return f"{text[:limit]}… ({len(text) - limit:,} more characters)"
    return text[: limit - 1] + "…"


def quote(text: str, limit: int = 80) -> str:
    """Return ``text`` as a Python literal (escapes shown), cut after ``limit`` characters."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"


# What must never reach a terminal raw: C0 controls (ESC starts the sequences
# that set the window title, clear the screen or write the clipboard, OSC 52),
# DEL, C1 controls (0x9b is a one-byte CSI), the bidirectional overrides that
# reorder what is shown, and lone surrogates (no encoding can write them; the
# readers keep undecodable bytes as U+DC80..U+DCFF).
_UNSAFE: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_UNSAFE_MULTILINE: Final = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, multiline: bool = False) -> str:
    r"""Return untrusted ``text`` safe for a terminal: controls and the like as escapes.

    Every string that came from input (a frame, a capture, a URL, a file name)
    goes through this before it is printed. Control characters, bidirectional
    overrides and lone surrogates become ````, ``‮``... (undecodable
    bytes kept as surrogates become ``é``), so the output is valid UTF-8 and
    cannot drive the terminal. With ``multiline``, newlines and tabs are kept.
    """
    pattern = _UNSAFE_MULTILINE if multiline else _UNSAFE
    return pattern.sub(_escape, text)


def plural(count: int, noun: str) -> str:
    """Say ``1 frame`` or ``2,048 frames``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
