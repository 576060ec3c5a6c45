"""Library logs on the command line: one line each on stderr, never a traceback.

Apart from :mod:`~lambda_agent_api.cli.console` so that a command that logs
nothing (``validate``) does not import :mod:`logging`.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator

__all__ = ["one_line_logs"]


class _OneLine(logging.Formatter):
    """``prefix: message: the exception`` on one line; a traceback is for developers only."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self._prefix = prefix

    def format(self, record: logging.LogRecord) -> str:
        text = f"{self._prefix}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            text += f": {type(error).__name__}: {error}"
        return text.replace("\n", " ")


@contextlib.contextmanager
def one_line_logs(prefix: str, level: int = logging.WARNING) -> Iterator[None]:
    """While in the block, log records of ``level`` and above go to stderr, one line each.

    The command line must never print a traceback, and the libraries it runs
    (``websockets``, the client) log some errors with one. The root logger is
    restored when the block ends.
    """
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine(prefix))
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
