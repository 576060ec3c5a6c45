"""Terminal helpers shared by the commands: colour (``--color``, ``NO_COLOR``) and safe text."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from lambda_agent_api.protocol.text import plural, printable

__all__ = [
    "BLUE",
    "BOLD",
    "CYAN",
    "DIM",
    "GREEN",
    "RED",
    "YELLOW",
    "Style",
    "add_color_argument",
    "isatty",
    "os_reason",
    "plural",
    "printable",
    "use_color",
]

BOLD, DIM, RED, GREEN, YELLOW, BLUE, CYAN = "1", "2", "31", "32", "33", "34", "36"


def safe_streams() -> None:
    """Make stdout and stderr write anything: what cannot be encoded is escaped.

    The last line of defence, under :func:`printable`: in any locale (C, POSIX,
    a terminal set to ASCII), no output raises ``UnicodeEncodeError``, and no
    lone surrogate is written raw.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


class Style:
    """Wrap text in ANSI styles, or leave it alone when colour is off."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, *codes: str) -> str:
        """Return ``text`` in the styles ``codes`` (such as :data:`RED`, :data:`BOLD`)."""
        if not self.color or not codes or not text:
            return text
        return f"\x1b[{';'.join(codes)}m{text}\x1b[0m"

    @classmethod
    def for_stream(cls, choice: str, stream: TextIO) -> Style:
        """Style for ``stream`` as ``--color choice`` says (see :func:`use_color`)."""
        return cls(use_color(choice, stream))


def isatty(stream: TextIO) -> bool:
    """Return whether ``stream`` is a terminal (False for a closed or fake stream)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def use_color(choice: str, stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Return whether to colour ``stream``: ``always``, ``never``, or ``auto``.

    ``auto`` colours a terminal, unless the ``NO_COLOR`` environment variable is set.
    """
    if choice != "auto":
        return choice == "always"
    return isatty(stream) and not environ.get("NO_COLOR")


def add_color_argument(parser: argparse.ArgumentParser, what: str = "the output") -> None:
    """Declare ``--color auto|always|never``, the same for every command."""
    parser.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help=f"colour {what}: auto (the default) on a terminal unless NO_COLOR is set",
    )


def os_reason(error: OSError) -> str:
    """Say why a system call failed in a few words (``Connection refused``), without a repr."""
    # asyncio's connect errors carry a long strerror ("Connect call failed (...)");
    # the system's message for the errno is shorter. Name lookups (gaierror)
    # have negative errnos: their own strerror says it.
    if error.errno is not None and error.errno > 0:
        return os.strerror(error.errno)
    return error.strerror or str(error) or type(error).__name__
