"""A pull reader for one large JSON document, in flat memory.

A HAR file is one JSON document that may be gigabytes long (it holds every
HTTP body the browser saw). :class:`JsonStream` walks it without building it:
the caller asks for the next object key or array item, reads the scalars it
wants and skips everything else. Skipping never recurses and never keeps more
than the current chunk, so memory stays flat whatever the nesting or the size
of a value; only a value the caller reads (a string, a number) is held whole.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Protocol

__all__ = ["TOO_LONG", "JsonStream", "JsonStreamError", "Readable"]

_CHUNK: Final = 1 << 16
_WHITESPACE: Final = re.compile(r"[ \t\n\r]*")
# A string's body up to its closing quote; unrolled so that it never backtracks.
_STRING_REST: Final = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# The longest prefix of a string's body that contains no closing quote.
_STRING_PART: Final = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
_NUMBER: Final = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_LITERALS: Final = {"true": True, "false": False, "null": None}
_MAX_INT_DIGITS: Final = 4000  # below Python's int<->str conversion limit (4300)


class Readable(Protocol):
    """Anything with a binary ``read(size)``."""

    def read(self, size: int, /) -> bytes:
        """Return up to ``size`` bytes; ``b""`` at the end."""
        ...


TOO_LONG: Final = object()
"""What :meth:`JsonStream.read_scalar` returns for a value longer than its limit (skipped)."""


class JsonStreamError(ValueError):
    """The document is not well-formed JSON; ``offset`` is the character where it breaks."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} at character {offset}")
        self.offset = offset


class JsonStream:
    """Pull-read one JSON document from a binary stream.

    ``head`` is bytes already read from the stream (to sniff its format), read first.
    Invalid UTF-8 is kept as lone surrogates (``surrogateescape``) so that the caller
    can report it where it matters instead of failing the whole document.
    """

    def __init__(self, stream: Readable, head: bytes = b"") -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        self._buf = self._decoder.decode(head)
        if self._buf.startswith("\ufeff"):
            self._buf = self._buf[1:]
        self._pos = 0
        self._dropped = 0  # characters consumed and discarded before _buf
        self._eof = False

    # Reading the buffer

    @property
    def offset(self) -> int:
        """How many characters of the document have been consumed."""
        return self._dropped + self._pos

    def _fill(self, at_least: int = _CHUNK) -> bool:
        """Read more of the stream into the buffer; return False when nothing more came."""
        text = ""
        while not text and not self._eof:  # a read may end inside a UTF-8 sequence
            data = self._stream.read(max(at_least, _CHUNK))
            self._eof = not data
            text = self._decoder.decode(data, final=self._eof)
        if not text:
            return False
        self._buf = self._buf[self._pos :] + text
        self._dropped += self._pos
        self._pos = 0
        return True

    def _error(self, message: str) -> JsonStreamError:
        return JsonStreamError(message, self.offset)

    def peek(self) -> str:
        """Return the next character that is not whitespace, without consuming it; "" at the end."""
        while True:
            match = _WHITESPACE.match(self._buf, self._pos)
            assert match is not None  # the pattern matches the empty string
            self._pos = match.end()
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def _expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            raise self._error(f"expected {char!r}, found {_describe(found)}")
        self._pos += 1

    # Structure

    def object_keys(self) -> Iterator[str]:
        """Iterate over the keys of the object that starts here.

        After each key the caller must consume its value (``read_scalar``,
        ``skip``, ``object_keys`` or ``array_items``) before asking for the next.
        """
        self._expect("{")
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            if self.peek() != '"':
                raise self._error(f"expected an object key, found {_describe(self.peek())}")
            key = self._read_string()
            self._expect(":")
            yield key
            char = self.peek()
            self._pos += 1
            if char == "}":
                return
            if char != ",":
                self._pos -= 1
                raise self._error(f"expected ',' or '}}' in an object, found {_describe(char)}")

    def array_items(self) -> Iterator[int]:
        """Iterate over the indexes of the array that starts here; the caller consumes each item."""
        self._expect("[")
        if self.peek() == "]":
            self._pos += 1
            return
        index = 0
        while True:
            yield index
            index += 1
            char = self.peek()
            self._pos += 1
            if char == "]":
                return
            if char != ",":
                self._pos -= 1
                raise self._error(f"expected ',' or ']' in an array, found {_describe(char)}")

    # Values

    def read_scalar(self, limit: int | None = None) -> object:
        """Read the string, number, boolean or null that starts here.

        A value longer than ``limit`` characters is skipped and :data:`TOO_LONG` returned.

        Raises:
            JsonStreamError: a container starts here, or the text is not JSON.
        """
        char = self.peek()
        if char == '"':
            return self._read_string(limit)
        if char in ("{", "["):
            raise self._error("expected a string, number, boolean or null")
        return self._read_bare()

    def skip(self) -> str:
        """Skip the value that starts here, in flat memory; return its kind (``"object"``, ...)."""
        char = self.peek()
        if char not in ("{", "["):
            if char == '"':
                self._skip_string()
                return "string"
            value = self._read_bare()
            return "null" if value is None else "boolean" if isinstance(value, bool) else "number"
        kind = "object" if char == "{" else "array"
        # Structure is checked loosely here (a stack of brackets): the value is
        # thrown away, and a later read reports any damage that matters.
        stack = []
        while True:
            char = self.peek()
            if char == "":
                raise self._error("the document ends inside a value")
            if char in ("{", "["):
                stack.append("}" if char == "{" else "]")
                self._pos += 1
            elif char in ("}", "]"):
                if not stack or stack.pop() != char:
                    raise self._error(f"unexpected {char!r}")
                self._pos += 1
                if not stack:
                    return kind
            elif char in (",", ":"):
                self._pos += 1
            elif char == '"':
                self._skip_string()
            else:
                self._read_bare()

    def end(self) -> None:
        """Check that nothing but whitespace follows the document."""
        char = self.peek()
        if char:
            raise self._error(f"unexpected {_describe(char)} after the end of the document")

    # Tokens

    def _read_string(self, limit: int | None = None) -> Any:
        start = self._pos  # at the opening quote
        scan = start + 1
        while True:
            match = _STRING_REST.match(self._buf, scan)
            if match is not None:
                end = match.end()
                break
            # The string goes on past the buffer: remember how far it was
            # scanned, so that a long string is scanned once, not once per chunk.
            part = _STRING_PART.match(self._buf, scan)
            assert part is not None
            scan = part.end()
            if limit is not None and scan - start > limit:
                self._pos = scan - 1  # _skip_string steps over an opening quote
                self._skip_string()
                return TOO_LONG
            offset = self._pos
            if not self._fill(len(self._buf)):
                raise self._error("the document ends inside a string")
            start -= offset
            scan -= offset
        if limit is not None and end - start > limit:
            self._pos = end
            return TOO_LONG
        text = self._buf[start:end]
        try:
            value: str = json.loads(text)
        except ValueError as error:
            raise self._error(f"invalid string ({error})") from error
        self._pos = end
        return value

    def _skip_string(self) -> None:
        self._pos += 1  # the opening quote
        while True:
            match = _STRING_REST.match(self._buf, self._pos)
            if match is not None:
                self._pos = match.end()
                return
            part = _STRING_PART.match(self._buf, self._pos)
            assert part is not None
            self._pos = part.end()  # drop what was scanned: memory stays flat
            if not self._fill():
                raise self._error("the document ends inside a string")

    def _read_bare(self) -> object:
        while len(self._buf) - self._pos < len("false") and self._fill():
            pass
        while True:
            match = _NUMBER.match(self._buf, self._pos)
            literal = next((w for w in _LITERALS if self._buf.startswith(w, self._pos)), None)
            end = match.end() if match else self._pos + len(literal) if literal else -1
            # A token that touches the end of the buffer may go on in the next chunk.
            if end == len(self._buf) and self._fill(len(self._buf)):
                continue
            break
        if literal is not None:
            self._pos = end
            return _LITERALS[literal]
        if match is None:
            raise self._error(f"expected a value, found {_describe(self.peek())}")
        text = match.group()
        self._pos = end
        if match.group().lstrip("-").isdigit():
            if len(text) <= _MAX_INT_DIGITS:
                return int(text)
            return int(Decimal(text))
        try:
            return float(text)
        except (ValueError, InvalidOperation) as error:  # pragma: no cover - the regex allows none
            raise self._error(f"invalid number {text[:20]!r}") from error


def _describe(char: str) -> str:
    return "the end of the document" if char == "" else repr(char)
