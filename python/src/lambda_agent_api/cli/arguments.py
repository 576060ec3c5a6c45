"""Argument types shared by the commands: numbers are checked when argparse reads them.

A bad value is then argparse's one-line usage error and exit 2, never an
``OverflowError`` from a socket call or a negative timeout accepted in silence.
"""

from __future__ import annotations

import argparse
import math

__all__ = ["port", "positive_int", "positive_seconds"]


def port(text: str) -> int:
    """Read a TCP port: a whole number from 0 (pick a free one) to 65535."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            f"expected a port from 0 to 65535 (0 picks a free one), got {text!r}"
        )
    return value


def positive_int(text: str) -> int:
    """Read a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def positive_seconds(text: str) -> float:
    """Read a number of seconds above 0 (``0.5``, ``30``); not ``nan`` or ``inf``."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value
