"""Text cut to a length for messages: one way to shorten, for every finding and view."""

from __future__ import annotations

__all__ = ["quote", "shorten"]


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
