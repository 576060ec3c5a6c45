"""Reading a capture: guess its format, then stream its items with the matching reader."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO, Final

from lambda_agent_api.capture.format import MAX_RECORD_BYTES, CaptureFormat, CaptureItem
from lambda_agent_api.capture.jsonl import read_lines
from lambda_agent_api.exceptions import CaptureError
from lambda_agent_api.protocol.limits import (
    MAX_DEPTH,
    MAX_KEY_CHARS,
    MAX_NUMBER_DIGITS,
    MAX_OPEN_CONNECTIONS,
)

__all__ = ["detect_format", "read_capture"]

_SNIFF_BYTES: Final = 64 * 1024


_FIRST_KEY: Final = re.compile(rb'\A\s*\{\s*"((?:[^"\\]|\\.){0,40})"')
_LONE_BRACE: Final = re.compile(rb"\A\s*\{\s*\Z")
_BOM: Final = b"\xef\xbb\xbf"


def _read_head(stream: BinaryIO) -> list[bytes]:
    """Read the blank lines and the first line with content (at most ``_SNIFF_BYTES`` of it)."""
    head: list[bytes] = []
    while True:
        line = stream.readline(_SNIFF_BYTES)
        if not line:
            return head
        head.append(line)
        if line.strip() or not line.endswith(b"\n"):
            return head


def detect_format(head: bytes, name: str = "") -> CaptureFormat:
    """Guess a capture's format from its file name and its first line with content.

    A ``.har`` name, or a document whose first key is ``log`` or that opens with
    a brace alone on its line, is a HAR (unless the name ends in ``.jsonl`` or
    ``.ndjson``); an object with ``dir`` or ``data`` is the capture format, one
    with ``type`` a bare message; anything else is read as the capture format,
    whose reader reports what it cannot read.
    """
    lowered = name.lower()
    if lowered.endswith(".har"):
        return CaptureFormat.HAR
    lines_only = lowered.endswith((".jsonl", ".ndjson"))
    line = head.strip()
    if line.startswith(_BOM):
        line = line[len(_BOM) :].strip()
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        value = None
    if isinstance(value, dict):
        keys: Any = value
    elif _LONE_BRACE.match(line) and not lines_only:
        return CaptureFormat.HAR
    else:
        match = _FIRST_KEY.match(line)
        keys = {match.group(1).decode("utf-8", "replace"): None} if match else {}
    if "log" in keys and not lines_only:
        return CaptureFormat.HAR
    if "dir" in keys or "data" in keys:
        return CaptureFormat.JSONL
    if "type" in keys:
        return CaptureFormat.MESSAGES
    return CaptureFormat.JSONL


def read_capture(
    stream: BinaryIO,
    source: str,
    format: CaptureFormat | None = None,
    *,
    max_record_bytes: int = MAX_RECORD_BYTES,
    max_number_digits: int = MAX_NUMBER_DIGITS,
    max_key_chars: int = MAX_KEY_CHARS,
    max_depth: int = MAX_DEPTH,
    max_open_connections: int = MAX_OPEN_CONNECTIONS,
) -> Iterator[CaptureItem]:
    """Read a capture from a binary stream; return an iterator over its items.

    ``source`` names the stream in reports (a path, or ``<stdin>``);
    ``format`` is detected from the name and the first line when None (this
    reads the first line at once). Every connection that yielded a frame ends
    with a :class:`ConnectionEnd`.

    The limits (see :mod:`lambda_agent_api.protocol.limits`): a record longer than
    ``max_record_bytes`` is reported and skipped as it is read; a record with an
    integer of more than ``max_number_digits`` digits is reported, never
    converted; a HAR's keys longer than ``max_key_chars`` are skipped, and its
    skipped values are bracket-checked down to ``max_depth`` levels. A JSON Lines
    connection ends at its close record; without them, past ``max_open_connections``
    open at once, the ones idle longest are ended.

    Raises:
        CaptureError: reading failed, or (while iterating) the input cannot be
            read as that format at all: a HAR that is not a HAR, or broken JSON in one.
    """
    try:
        head = b"".join(_read_head(stream))
    except OSError as error:
        raise CaptureError(f"{source}: cannot read: {error.strerror or error}") from error
    if head.startswith(_BOM):
        head = head[len(_BOM) :]
    if format is None:
        format = detect_format(head, source)
    if format is CaptureFormat.HAR:
        # Imported here: validating JSON Lines, the usual case, never pays for it.
        from lambda_agent_api.capture.har import read_har

        return read_har(
            stream,
            source,
            head,
            max_record_bytes,
            max_number_digits=max_number_digits,
            max_key_chars=max_key_chars,
            max_depth=max_depth,
        )
    return read_lines(
        stream, source, format, head, max_record_bytes, max_number_digits, max_open_connections
    )
