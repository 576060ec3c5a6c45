"""Captured WebSocket traffic: the documented capture format, and readers that stream frames.

Three formats are read, each as a stream (memory stays flat whatever the size):

- ``jsonl``, the package's own capture format: one JSON object per line,
  ``{"ts": 1712.5, "dir": "send", "data": "<the frame's text>"}``, with an
  optional ``"conn"`` (a string or an integer) when one file holds several
  connections, and ``"binary": true`` for a binary frame (``data`` is then
  base64). ``dir`` is seen from the client: ``send`` is what the client
  sent, ``recv`` what it received. Other keys are ignored.
- ``messages``: JSON Lines of bare messages, one frame's text per line; the
  direction is inferred from each message's ``type``.
- ``har``: a HAR file exported from browser devtools; every entry with
  ``_webSocketMessages`` is one connection (``send`` and ``receive`` are
  again the browser's, that is the client's, point of view).

:func:`read_capture` yields :class:`Frame`, :class:`BadRecord` (a record
that is not in its format) and :class:`ConnectionEnd` items;
:func:`detect_format` guesses the format; :class:`CaptureWriter` records
traffic in the ``jsonl`` format.
"""

from lambda_agent_api.capture.format import (
    MAX_RECORD_BYTES,
    RECV,
    SEND,
    BadRecord,
    CaptureFormat,
    CaptureItem,
    Connection,
    ConnectionEnd,
    Direction,
    Frame,
)
from lambda_agent_api.capture.reader import detect_format, read_capture
from lambda_agent_api.capture.writer import CaptureWriter, capture_record, close_record

__all__ = [
    "MAX_RECORD_BYTES",
    "RECV",
    "SEND",
    "BadRecord",
    "CaptureFormat",
    "CaptureItem",
    "CaptureWriter",
    "Connection",
    "ConnectionEnd",
    "Direction",
    "Frame",
    "capture_record",
    "close_record",
    "detect_format",
    "read_capture",
]
