"""The traffic checker for captures: capture items in, located diagnostics out; prints nothing.

:class:`Checker` takes what :func:`~lambda_agent_api.capture.read_capture`
yields and reports each finding of its
:class:`~lambda_agent_api.check.traffic.TrafficChecker` where the capture holds
the frame (a line, a HAR message). What each frame is checked for is said in
:mod:`lambda_agent_api.check.frames` (on its own) and
:mod:`lambda_agent_api.protocol.conversation` (in its conversation).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable

from lambda_agent_api.capture.format import (
    BadRecord,
    CaptureItem,
    Connection,
    ConnectionEnd,
    Frame,
)
from lambda_agent_api.check.diagnostics import Diagnostic, Summary, ValidationResult
from lambda_agent_api.check.frames import WORKSPACE_PATHS, workspace_path_problem
from lambda_agent_api.check.traffic import TrafficChecker
from lambda_agent_api.protocol.limits import MAX_FRAME_BYTES, MAX_NUMBER_DIGITS
from lambda_agent_api.protocol.message_types import CURRENT, released_versions
from lambda_agent_api.protocol.rules import RULES

__all__ = [
    "WORKSPACE_PATHS",
    "Checker",
    "validate",
    "workspace_path_problem",
]


class Checker:
    """Check captured items one at a time, keeping one conversation per connection.

    Feed it what :func:`~lambda_agent_api.capture.read_capture` yields with
    :meth:`check`, then call :meth:`finish`. It holds only the state of the
    open connections, so it runs in flat memory over any number of frames.

    A frame larger than ``max_frame_bytes``, or holding an integer of more than
    ``max_number_digits`` digits, is reported (F006) and not parsed as it is:
    see :mod:`lambda_agent_api.protocol.limits`.
    """

    def __init__(
        self,
        protocol: str | None = None,
        *,
        max_frame_bytes: int = MAX_FRAME_BYTES,
        max_number_digits: int = MAX_NUMBER_DIGITS,
    ) -> None:
        """Check against ``protocol`` (``"1.0"``...; default: the current version).

        Raises:
            ValueError: ``protocol`` is not a released version.
        """
        version = None
        if protocol is not None:
            from lambda_agent_api.protocol.message_set import normalize_version

            version = normalize_version(protocol)
            if version not in released_versions():
                known = ", ".join(released_versions())
                raise ValueError(f"no released protocol version {protocol!r}; known: {known}")
            if version == CURRENT:
                version = None
        self.protocol = version or CURRENT
        """The protocol version checked against (``MAJOR.MINOR``)."""
        self.max_frame_bytes = max_frame_bytes
        """The largest frame parsed, in bytes of UTF-8."""
        self.max_number_digits = max_number_digits
        """The most digits an integer may have."""
        self.traffic = TrafficChecker(
            version=version, max_frame_bytes=max_frame_bytes, max_number_digits=max_number_digits
        )
        """The checker of the connections' frames, keyed by :class:`Connection`."""

    @property
    def summary(self) -> Summary:
        """Counts so far."""
        return self.traffic.summary

    # Public methods for feeding items

    def check(self, item: CaptureItem) -> list[Diagnostic]:
        """Check one item of a capture; return what it broke (usually nothing)."""
        return list(self.check_all((item,)))

    def check_all(self, items: Iterable[CaptureItem]) -> Generator[Diagnostic, None, None]:
        """Check every item of a capture in turn; yield what they break, as it is found.

        Connections left open when ``items`` runs out stay open: call
        :meth:`finish` once the capture has ended.
        """
        check = self.traffic.check
        frame_type = Frame
        for item in items:
            if type(item) is not frame_type:
                yield from self._check_other(item)
                continue
            connection, _, direction, data, binary, _, position = item
            found = check(connection, direction, data, binary)
            for f in found:
                yield Diagnostic(
                    f.rule, f.message, connection, f.frame, position, f.type, f.pointer, f.keyword
                )

    def bad_record(
        self, connection: Connection, position: int, reason: str, error_event: bool = False
    ) -> list[Diagnostic]:
        """Record a record that is not in its format (C001; C002 for a HAR error event)."""
        summary = self.traffic.summary
        summary.records_skipped += 1
        rule = RULES["C002" if error_event else "C001"]
        summary.counts[rule.id] += 1
        return [Diagnostic(rule, reason, connection, None, position)]

    def end(self, connection: Connection) -> list[Diagnostic]:
        """Record that a connection ended; return what its end broke (P007, T002...)."""
        return [
            Diagnostic(f.rule, f.message, connection, None, None)
            for f in self.traffic.end(connection)
        ]

    def finish(self) -> list[Diagnostic]:
        """End every connection still open (the capture ended); return what that broke."""
        return [d for key in self.traffic.open_keys() for d in self.end(key)]  # type: ignore[arg-type]

    def _check_other(self, item: CaptureItem) -> list[Diagnostic]:
        if type(item) is ConnectionEnd:
            return self.end(item.connection)
        if type(item) is not BadRecord:
            raise TypeError(f"not an item of a capture: {type(item).__name__}")
        return self.bad_record(item.connection, item.position, item.reason, item.error_event)


def validate(items: Iterable[CaptureItem], protocol: str | None = None) -> ValidationResult:
    """Check a whole capture against ``protocol`` (default: the current version).

    Return every diagnostic and the summary. For large captures, drive a
    :class:`Checker` instead: this keeps every diagnostic.

    Raises:
        ValueError: ``protocol`` is not a released version.
    """
    checker = Checker(protocol)
    diagnostics = [d for item in items for d in checker.check(item)]
    diagnostics += checker.finish()
    return ValidationResult(diagnostics, checker.summary)
