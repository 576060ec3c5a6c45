"""Writing the capture format (``jsonl``): one line per frame."""

from __future__ import annotations

import json
import time
from typing import IO, Any, Final

from lambda_agent_api.capture.format import Direction

__all__ = ["CaptureWriter", "capture_record", "close_record"]

# Writing

_json_string: Final = json.encoder.encode_basestring
"""JSON text of a str, as ``json.dumps(text, ensure_ascii=False)`` writes it (in C)."""


def capture_record(
    direction: Direction,
    data: str | bytes,
    *,
    ts: float | None = None,
    conn: str | int | None = None,
) -> str:
    """Return one line (without its newline) of the capture format for one frame.

    ``data`` is a text frame's text, or a binary frame's bytes (stored as base64).
    """
    if ts is None:
        ts = time.time()
    if (
        type(data) is str
        and type(ts) is float
        and ts - ts == 0.0  # finite
        and (conn is None or type(conn) is str)
        and (direction == "send" or direction == "recv")
    ):
        # The common case, once per frame forwarded or sent: the same text as
        # json.dumps of the record below (a test holds them equal), built
        # without encoding a dict. float repr is what json writes for a float.
        conn_part = "" if conn is None else f', "conn": {_json_string(conn)}'
        return f'{{"ts": {ts!r}, "dir": "{direction}"{conn_part}, "data": {_json_string(data)}}}'
    record: dict[str, Any] = {"ts": ts, "dir": direction}
    if conn is not None:
        record["conn"] = conn
    if isinstance(data, bytes):
        import base64

        record["binary"] = True
        record["data"] = base64.b64encode(data).decode("ascii")
    else:
        record["data"] = data
    return json.dumps(record, ensure_ascii=False)


def close_record(
    *,
    ts: float | None = None,
    conn: str | int | None = None,
    code: int | None = None,
    reason: str = "",
) -> str:
    """Return the line (without its newline) that says a connection closed.

    ``{"ts": ..., "conn": "3", "event": "close", "code": 1000, "reason": "bye"}``:
    ``code`` is the close code that ended it (1006: dropped without a close frame;
    None: not known), ``reason`` the close reason. A reader ends the connection
    there, so that its memory is bounded by the connections open at once; a later
    frame with the same ``conn`` starts a new connection.
    """
    record: dict[str, Any] = {"ts": time.time() if ts is None else ts}
    if conn is not None:
        record["conn"] = conn
    record["event"] = "close"
    record["code"] = code
    record["reason"] = reason
    return json.dumps(record, ensure_ascii=False)


class CaptureWriter:
    """Record frames in the capture format (``jsonl``), one line each, to a text stream.

    ::

        with open("session.jsonl", "w", encoding="utf-8") as file:
            writer = CaptureWriter(file)
            writer.write("recv", '{"type": "STATUS"}')

    ``conn`` names the connection of every line (none by default); ``write``
    may name another. With ``flush``, the stream is flushed after every line,
    so that a crash loses nothing already written.
    :class:`~lambda_agent_api.transport.agent_api.AgentApi` (its ``capture`` option)
    and ``lambda-agent-api record`` write through one.
    """

    def __init__(
        self, stream: IO[str], conn: str | int | None = None, *, flush: bool = False
    ) -> None:
        self._stream = stream
        self._conn = conn
        self._flush = flush

    @property
    def conn(self) -> str | int | None:
        """The ``conn`` written on lines that do not name their own."""
        return self._conn

    def write(
        self,
        direction: Direction,
        data: str | bytes,
        *,
        ts: float | None = None,
        conn: str | int | None = None,
    ) -> None:
        """Record one frame: ``send`` from the client, ``recv`` to it; ``ts`` defaults to now.

        ``conn`` overrides the writer's own connection id for this line.
        """
        line = capture_record(direction, data, ts=ts, conn=self._conn if conn is None else conn)
        self._stream.write(line + "\n")
        if self._flush:
            self._stream.flush()

    def write_close(
        self,
        *,
        code: int | None = None,
        reason: str = "",
        ts: float | None = None,
        conn: str | int | None = None,
    ) -> None:
        """Record that the connection closed, with its close ``code`` and ``reason``.

        ``conn`` overrides the writer's own connection id for this line.
        """
        conn = self._conn if conn is None else conn
        self._stream.write(close_record(ts=ts, conn=conn, code=code, reason=reason) + "\n")
        if self._flush:
            self._stream.flush()
