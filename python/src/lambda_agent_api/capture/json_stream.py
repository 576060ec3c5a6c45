"""A pull reader for one large JSON document, in flat memory.

A HAR file is one JSON document that may be gigabytes long (it holds every
HTTP body the browser saw). :class:`JsonStream` walks it without building it:
the caller asks for the next object key or array item, reads the scalars it
wants and skips everything else. Skipping never recurses and never keeps more
than the current chunk, so memory stays flat whatever the nesting or the size
of a value; only a value the caller reads (a string, a number) is held whole,
and only up to a limit (see :mod:`lambda_agent_api.protocol.limits`): an object key of
more than ``max_key_chars`` characters, an integer of more than
``max_number_digits`` digits are skipped as they are read, never converted.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Protocol

from lambda_agent_api.protocol.limits import (
    MAX_DEPTH,
    MAX_KEY_CHARS,
    MAX_NUMBER_DIGITS,
    SAFE_INT_CHARS,
)

__all__ = ["LONG_KEY", "TOO_LONG", "JsonStream", "JsonStreamError", "Readable"]

_CHUNK: Final = 1 << 16
_WHITESPACE: Final = re.compile(r"[ \t\n\r]*")
# The longest prefix of a string's body that contains no closing quote.
_STRING_PART: Final = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
_NUMBER: Final = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_LITERALS: Final = {"true": True, "false": False, "null": None}
# What a skipped number or literal may hold: consumed loosely, in pieces.
_BARE: Final = re.compile(r"[-+.0-9eE]+")
# Runs of opening or closing brackets (whitespace between them allowed), taken
# in one step each, so that a value nested millions deep skips in seconds.
_OPENERS: Final = re.compile(r"[\[{][\[{ \t\n\r]*")
_CLOSERS: Final = re.compile(r"[\]}][\]} \t\n\r]*")
_NO_WHITESPACE: Final = str.maketrans("", "", " \t\n\r")
_CLOSER_OF: Final = str.maketrans("[{", "]}")


class Readable(Protocol):
    """Anything with a binary ``read(size)``."""

    def read(self, size: int, /) -> bytes:
        """Return up to ``size`` bytes; ``b""`` at the end."""
        ...


TOO_LONG: Final = object()
"""What :meth:`JsonStream.read_scalar` returns for a value longer than its limit (skipped)."""

LONG_KEY: Final = "\x00<a key longer than max_key_chars>"
"""What :meth:`JsonStream.object_keys` yields for a key longer than its limit (skipped)."""


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

    The limits: a key longer than ``max_key_chars`` is skipped (:data:`LONG_KEY`
    stands for it), an integer of more than ``max_number_digits`` digits is read as
    :data:`TOO_LONG`; :meth:`skip` checks the brackets of the first ``max_depth``
    levels and only counts deeper ones.
    """

    def __init__(
        self,
        stream: Readable,
        head: bytes = b"",
        *,
        max_key_chars: int = MAX_KEY_CHARS,
        max_number_digits: int = MAX_NUMBER_DIGITS,
        max_depth: int = MAX_DEPTH,
    ) -> None:
        self._stream = stream
        self._max_key_chars = max_key_chars
        self._max_number_digits = max_number_digits
        self._max_depth = max_depth
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
            key = self._read_string(self._max_key_chars)
            self._expect(":")
            yield LONG_KEY if key is TOO_LONG else key
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

        A value longer than ``limit`` characters, or an integer of more digits than
        the stream's ``max_number_digits``, is skipped and :data:`TOO_LONG` returned.

        Raises:
            JsonStreamError: a container starts here, or the text is not JSON.
        """
        char = self.peek()
        if char == '"':
            return self._read_string(limit)
        if char in ("{", "["):
            raise self._error("expected a string, number, boolean or null")
        return self._read_bare(limit)

    def skip(self) -> str:
        """Skip the value that starts here, in flat memory; return its kind (``"object"``, ...)."""
        char = self.peek()
        if char not in ("{", "["):
            if char == '"':
                self._skip_string()
                return "string"
            if char in _LITERAL_STARTS:
                value = self._read_bare()
                return "null" if value is None else "boolean"
            self._skip_bare()
            return "number"
        kind = "object" if char == "{" else "array"
        # Structure is checked loosely here: the value is thrown away, and a later
        # read reports any damage that matters. The closing bracket of each of the
        # first max_depth levels is remembered (one byte each); deeper levels are
        # only counted, so memory stays flat whatever the depth.
        closers = bytearray()
        depth = 0
        max_depth = self._max_depth
        while True:
            char = self.peek()
            if char == "":
                raise self._error("the document ends inside a value")
            if char in ("{", "["):
                match = _OPENERS.match(self._buf, self._pos)
                assert match is not None
                run = match.group().translate(_NO_WHITESPACE)
                if len(closers) < max_depth:
                    wanted = run[: max_depth - len(closers)].translate(_CLOSER_OF)
                    closers += wanted.encode("ascii")
                depth += len(run)
                self._pos = match.end()
            elif char in ("}", "]"):
                match = _CLOSERS.match(self._buf, self._pos)
                assert match is not None
                run = match.group().translate(_NO_WHITESPACE)
                count = min(len(run), depth)  # the rest closes what holds this value
                if count == 0:
                    raise self._error(f"unexpected {char!r}")
                # Closer j closes level depth - j; compare those that were remembered.
                first = max(0, depth - len(closers))
                if first < count:
                    expected = bytes(closers[depth - count : depth - first])[::-1]
                    if run[first:count].encode("ascii") != expected:
                        raise self._error("brackets do not match")
                    del closers[depth - count :]
                depth -= count
                end = match.end()
                excess = len(run) - count  # few: the levels of the reader around it
                while excess:
                    end -= 1
                    if self._buf[end] in "]}":
                        excess -= 1
                self._pos = end
                if depth == 0:
                    return kind
            elif char in (",", ":"):
                self._pos += 1
            elif char == '"':
                self._skip_string()
            elif char in _LITERAL_STARTS:
                self._read_bare()
            else:
                self._skip_bare()

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
            end, scan = self._scan_string(scan)
            if end >= 0:
                end += 1  # the closing quote
                break
            # The string goes on past the buffer: remember how far it was
            # scanned, so that a long string is scanned once, not once per chunk.
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
            end, self._pos = self._scan_string(self._pos)  # drop what was scanned
            if end >= 0:
                self._pos = end + 1
                return
            if not self._fill():
                raise self._error("the document ends inside a string")

    def _scan_string(self, scan: int) -> tuple[int, int]:
        """Look for the closing quote of the string whose body goes on at ``scan``.

        Return its index in the buffer (or -1) and where to go on scanning once
        the buffer has more (-1: its end, or a backslash whose escape is cut).
        """
        buf = self._buf
        quote = buf.find('"', scan)
        # str.find is a hundred times faster than a regex; escapes need the regex.
        backslash = buf.find("\\", scan, len(buf) if quote < 0 else quote)
        if backslash < 0:
            return (quote, quote) if quote >= 0 else (-1, len(buf))
        part = _STRING_PART.match(buf, backslash)
        assert part is not None  # the pattern matches the empty string
        end = part.end()
        return (end, end) if buf.startswith('"', end) else (-1, end)

    def _skip_bare(self) -> None:
        """Skip a number or a literal, loosely and in flat memory, whatever its length."""
        match = _BARE.match(self._buf, self._pos)
        if match is None:
            raise self._error(f"expected a value, found {_describe(self.peek())}")
        while match is not None and match.end() == len(self._buf):
            self._pos = match.end()  # drop what was read: _fill keeps only the rest
            if not self._fill():
                return
            match = _BARE.match(self._buf, self._pos)
        if match is not None:
            self._pos = match.end()

    def _read_bare(self, limit: int | None = None) -> object:
        while len(self._buf) - self._pos < len("false") and self._fill():
            pass
        while True:
            match = _NUMBER.match(self._buf, self._pos)
            literal = next((w for w in _LITERALS if self._buf.startswith(w, self._pos)), None)
            end = match.end() if match else self._pos + len(literal) if literal else -1
            # A token that touches the end of the buffer may go on in the next chunk.
            if end == len(self._buf):
                if limit is not None and end - self._pos > limit:
                    self._skip_bare()
                    return TOO_LONG
                if self._fill(len(self._buf)):
                    continue
            break
        if literal is not None:
            self._pos = end
            return _LITERALS[literal]
        if match is None:
            raise self._error(f"expected a value, found {_describe(self.peek())}")
        text = match.group()
        self._pos = end
        if text.lstrip("-").isdigit():
            # Checked before any conversion: one of a million digits takes half a
            # minute to convert.
            if len(text.lstrip("-")) > self._max_number_digits:
                return TOO_LONG
            if len(text) <= SAFE_INT_CHARS:
                return int(text)
            return int(Decimal(text))
        try:
            return float(text)
        except (ValueError, InvalidOperation) as error:  # pragma: no cover - the regex allows none
            raise self._error(f"invalid number {text[:20]!r}") from error


_LITERAL_STARTS: Final = frozenset("tfn")


def _describe(char: str) -> str:
    return "the end of the document" if char == "" else repr(char)
