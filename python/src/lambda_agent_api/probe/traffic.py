"""The validator's rules on every frame the probe sends and receives.

Each probe connection is one connection of the traffic checker
(:class:`~lambda_agent_api.check.Checker`), so every rule that
``lambda-agent-api validate`` applies to a capture also runs on live probe
traffic. Only findings on the *server's* frames (and at the end of a
connection) count against the server: the probe breaks the rules on purpose
in some scenarios (invalid messages, a second message in flight), and those
connections can also turn off the ordering rules, which such a scenario
leaves meaningless.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from lambda_agent_api.capture import CaptureFormat, Connection, Frame
from lambda_agent_api.check import Checker, Diagnostic

__all__ = ["Finding", "Traffic", "TrafficConnection"]

_ORDER_RULE_PREFIXES: Final = ("P", "T")


@dataclass(frozen=True)
class Finding:
    """A validator finding on the server's traffic, with where the probe saw it."""

    label: str
    """The connection's label: the scenario, and which of its connections."""
    diagnostic: Diagnostic


class TrafficConnection:
    """The traffic of one probe connection, fed to the checker frame by frame."""

    def __init__(self, traffic: Traffic, label: str, url: str) -> None:
        self._traffic = traffic
        self.label = label
        self.connection = Connection("probe", CaptureFormat.JSONL, label, None, url)
        self.ordered = True
        """Whether findings of the ordering rules (P, T) count; a scenario that breaks
        the order on purpose turns this off."""
        self.server_frames = 0
        """Frames received from the server."""
        self._seq = itertools.count()
        self._ended = False

    def sent(self, data: str | bytes) -> None:
        """Check a frame the probe sent (its findings are the probe's own, and not kept)."""
        self._check("send", data)

    def received(self, data: str | bytes) -> None:
        """Check a frame the server sent."""
        self.server_frames += 1
        for diagnostic in self._check("recv", data):
            self._report(diagnostic)

    def end(self) -> None:
        """Record that the connection ended."""
        if self._ended:
            return
        self._ended = True
        for diagnostic in self._traffic.checker.end(self.connection):
            self._report(diagnostic)

    def _check(self, direction: str, data: str | bytes) -> list[Diagnostic]:
        binary = isinstance(data, bytes)
        seq = next(self._seq)
        frame = Frame(self.connection, seq, direction, data, binary, None, seq + 1)  # type: ignore[arg-type]
        return self._traffic.checker.check(frame)

    def _report(self, diagnostic: Diagnostic) -> None:
        if not self.ordered and diagnostic.rule.id.startswith(_ORDER_RULE_PREFIXES):
            return
        self._traffic.sink(Finding(self.label, diagnostic))


@dataclass
class Traffic:
    """The checker shared by every connection of a probe run."""

    sink: Callable[[Finding], None]
    """Gets every finding on the server's traffic, as it is found."""
    checker: Checker = field(default_factory=Checker)
    connections: list[TrafficConnection] = field(default_factory=list)

    def open(self, label: str, url: str) -> TrafficConnection:
        """Start the traffic of a new connection."""
        connection = TrafficConnection(self, label, url)
        self.connections.append(connection)
        return connection
