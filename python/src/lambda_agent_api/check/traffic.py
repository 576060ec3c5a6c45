"""The traffic checker's core: frames of keyed connections in, findings with frame indexes out.

:class:`TrafficChecker` knows nothing of files: it is fed (connection key,
direction, data) and keeps one
:class:`~lambda_agent_api.protocol.conversation.Conversation` per key. Each
:class:`Finding` says which connection and which frame (its index in the
connection, from 0) broke which rule; whoever read the frame adds where it
was (a line, a HAR entry, a live proxy's connection). The capture checker
(:class:`~lambda_agent_api.check.Checker`), the fast JSON Lines
checker and ``record --validate`` all drive this one::

    checker = TrafficChecker()
    checker.check("conn-1", "recv", '{"type": "STATUS"}')   # []
    checker.check("conn-1", "recv", '{"type": "AGENT_EVENT_END", "tokens_used": 1}')
    # [Finding(rule=P003 ..., key='conn-1', frame=1, ...)]
    checker.end("conn-1")
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Final

from lambda_agent_api.check.diagnostics import Summary
from lambda_agent_api.check.frames import UNREAD, Found, Inspection, inspect_frame
from lambda_agent_api.protocol.conversation import Conversation
from lambda_agent_api.protocol.limits import MAX_FRAME_BYTES, MAX_NUMBER_DIGITS
from lambda_agent_api.protocol.rules import RULES, Rule
from lambda_agent_api.protocol.transitions import Role

__all__ = ["Finding", "TrafficChecker"]

_SERVER: Final = Role.SERVER


@dataclass(frozen=True)
class Finding:
    """One broken rule on one connection, with the frame's index but not its place in a file."""

    rule: Rule
    """The broken rule."""
    message: str
    """A sentence saying what happened."""
    key: Hashable
    """The connection's key, as it was fed."""
    frame: int | None
    """The frame's index in its connection, from 0; None at the end of the connection."""
    type: str | None = None
    """The message's ``type``, when it has one."""
    pointer: str | None = None
    """A JSON pointer into the message, for S001 and W rules."""
    keyword: str | None = None
    """The JSON Schema keyword that failed, for S001."""


class _Connection:
    __slots__ = ("conversation", "frames")

    def __init__(self) -> None:
        self.conversation = Conversation()
        self.frames = 0


class TrafficChecker:
    """Check the frames of any number of connections, each by its key (see the module's doc).

    It holds only the state of the open connections: flat memory over any
    number of frames. :attr:`summary` counts frames, connections and findings.
    """

    def __init__(
        self,
        *,
        version: str | None = None,
        max_frame_bytes: int = MAX_FRAME_BYTES,
        max_number_digits: int = MAX_NUMBER_DIGITS,
    ) -> None:
        """Check against a released protocol ``version`` (default: the current one).

        ``version`` is ``MAJOR.MINOR``; the limits are those of
        :mod:`lambda_agent_api.protocol.limits`.
        """
        self.summary = Summary()
        """Counts so far (``records_skipped`` is the readers' to count)."""
        self.version = version
        """The protocol version checked against; None for the current one."""
        self.max_frame_bytes = max_frame_bytes
        """The largest frame parsed, in bytes of UTF-8 (a larger one is F006)."""
        self.max_number_digits = max_number_digits
        """The most digits an integer may have (a longer one is F006)."""
        self._open: dict[Hashable, _Connection] = {}

    def check(
        self, key: Hashable, direction: str | None, data: str | bytes, binary: bool = False
    ) -> list[Finding]:
        """Check the next frame of connection ``key``; return what it broke (usually nothing).

        ``direction`` is ``send`` (from the client), ``recv`` (to it), or None
        when unknown (the sender is then told by the message's ``type``).
        """
        inspection = inspect_frame(
            direction,
            data,
            binary,
            version=self.version,
            max_frame_bytes=self.max_frame_bytes,
            max_number_digits=self.max_number_digits,
        )
        return self.take(key, inspection)

    def take(self, key: Hashable, inspection: Inspection) -> list[Finding]:
        """Take the next frame of connection ``key``, already inspected on its own."""
        connection = self._open.get(key)
        if connection is None:
            connection = self._connect(key)
        index = connection.frames
        connection.frames = index + 1
        self.summary.frames += 1
        found, role, type_, fields = inspection
        result = [self._finding(f, key, index) for f in found] if found else []
        if role is not None:
            step = connection.conversation.observe(role, type_ or "", fields)
            for finding in step.findings:
                result.append(
                    self._counted(Finding(finding.rule, finding.message, key, index, type_))
                )
        elif type_ == UNREAD:  # a frame was here: what follows must not seem out of order
            connection.conversation.unread()
        return result

    def take_quiet(self, key: Hashable, type_: str, count: int) -> bool:
        """Take ``count`` frames of ``key`` at once, if the conversation says they change nothing.

        The frames must be events of type ``type_`` sent by the server that found
        nothing on their own. In the common case (text chunks of a response in
        flight, no tool call open) this costs one check for all of them and
        returns True; otherwise it takes nothing and returns False, and the
        caller must :meth:`take` each of them in turn.
        """
        connection = self._open.get(key)
        if connection is None or not connection.conversation.is_quiet(type_):
            return False
        connection.frames += count
        self.summary.frames += count
        return True

    def end(self, key: Hashable) -> list[Finding]:
        """Record that connection ``key`` ended; return what its end broke (P007, T002...)."""
        connection = self._open.pop(key, None)
        if connection is None:
            return []
        return [
            self._counted(Finding(f.rule, f.message, key, None))
            for f in connection.conversation.end().findings
        ]

    def open_keys(self) -> list[Hashable]:
        """Return the keys of the connections still open, in the order they opened."""
        return list(self._open)

    def frames_of(self, key: Hashable) -> int:
        """How many frames connection ``key`` has had (0 when it is not open)."""
        connection = self._open.get(key)
        return 0 if connection is None else connection.frames

    def _connect(self, key: Hashable) -> _Connection:
        self.summary.connections += 1
        connection = self._open[key] = _Connection()
        return connection

    def _finding(self, found: Found, key: Hashable, index: int) -> Finding:
        rule_id, message, type_, pointer, keyword = found
        return self._counted(Finding(RULES[rule_id], message, key, index, type_, pointer, keyword))

    def _counted(self, finding: Finding) -> Finding:
        self.summary.counts[finding.rule.id] += 1
        return finding
