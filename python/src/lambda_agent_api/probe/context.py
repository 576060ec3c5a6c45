"""What the scenarios share: the evidence, the checker, and judging connections and responses.

A :class:`Context` opens connections (judging the handshake and the first
frame), reads responses (:class:`Response`) and judges how they ended, and
follows up ``GRACEFUL_DISCONNECT`` and closes. It routes every finding of
the validator on the server's frames to the check that owns its rule.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, Final

from websockets.exceptions import ConnectionClosed

from lambda_agent_api.probe.checks import owner_of_rule
from lambda_agent_api.probe.connection import (
    Closed,
    HandshakeFailed,
    ProbeConnection,
    Received,
    Unreachable,
)
from lambda_agent_api.probe.options import ProbeOptions
from lambda_agent_api.probe.results import Ledger
from lambda_agent_api.probe.traffic import Finding, Traffic
from lambda_agent_api.protocol.strict_json import show
from lambda_agent_api.protocol.text import plural
from lambda_agent_api.protocol.transitions import ends_response, is_agent_event
from lambda_agent_api.transport.agent_api import agent_url

__all__ = ["Context", "Response", "user_message"]

_END, _ERROR, _STATUS = "AGENT_EVENT_END", "ERROR", "STATUS"
_GRACEFUL = "GRACEFUL_DISCONNECT"
_TOOL_CALL = "AGENT_EVENT_TOOL_CALL_CHUNK"

# Rules a scenario checks itself, with a better sentence: the validator's
# finding would only say the same again.
_CHECKED_DIRECTLY: Final = frozenset({"P001", "P007"})


def user_message(text: str, **extra: Any) -> str:
    """Return a USER_MESSAGE frame's text, with any extra fields."""
    return json.dumps({"type": "USER_MESSAGE", "text": text, **extra}, ensure_ascii=False)


@dataclass
class Response:
    """How the server answered one USER_MESSAGE."""

    events: int = 0
    """Agent events before the end."""
    end: str = "timeout"
    """``END``, ``ERROR``, ``timeout``, ``closed`` or ``graceful`` (GRACEFUL_DISCONNECT)."""
    message: dict[str, Any] | None = None
    """The AGENT_EVENT_END or ERROR message."""
    closed: Closed | None = None
    waited: float = 0.0

    @property
    def error_code(self) -> str | None:
        """The ERROR's code, if the response ended with one."""
        code = (self.message or {}).get("code") if self.end == "ERROR" else None
        return code if isinstance(code, str) else None

    def describe(self) -> str:
        """Say how the response went, safe to print."""
        events = plural(self.events, "agent event")
        if self.end == "END":
            return f"{events}, then AGENT_EVENT_END"
        if self.end == "ERROR":
            return f"{events}, then ERROR {show(self.error_code)}"
        if self.end == "closed" and self.closed is not None:
            return f"{events}, then {self.closed.describe()}"
        if self.end == "graceful":
            return f"{events}, then GRACEFUL_DISCONNECT"
        return f"{events} and no AGENT_EVENT_END or ERROR within {self.waited:g} s"


@dataclass
class Context:
    """What the scenarios share: the options, the evidence, the checker."""

    base_url: str
    options: ProbeOptions
    ledger: Ledger
    scenario: str = ""
    status_wait: float = 0.0
    """How long a connection waits for STATUS; shortened once a server is seen to send none."""
    plain_error_codes: set[str] = field(default_factory=set)
    """ERROR codes a plain message got: an ERROR with one of these says nothing about a field."""
    tool_calls: int = 0
    connected_once: bool = False
    traffic: Traffic = field(init=False)
    open_connections: list[ProbeConnection] = field(default_factory=list)
    _labels: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.traffic = Traffic(self._finding)
        self.status_wait = max(self.options.status_timeout, self.options.timeout)

    # Evidence

    def passed(self, check_id: str, message: str = "") -> None:
        """Record that a check held in the current scenario."""
        self.ledger.passed(check_id, self.scenario, message)

    def failed(self, check_id: str, message: str) -> None:
        """Record that a check failed in the current scenario."""
        self.ledger.failed(check_id, self.scenario, message)

    def note(self, check_id: str, message: str) -> None:
        """Record an observation that decides nothing."""
        self.ledger.note(check_id, self.scenario, message)

    def _finding(self, finding: Finding) -> None:
        diagnostic = finding.diagnostic
        rule_id = diagnostic.rule.id
        if rule_id in _CHECKED_DIRECTLY or _is_tokens_used(finding):
            return
        owner = owner_of_rule(rule_id)
        if owner is None:
            return
        where = (
            f"{finding.label}, frame {diagnostic.frame}"
            if diagnostic.frame is not None
            else finding.label
        )
        scenario = finding.label.split("#", 1)[0]
        self.ledger.failed(owner, scenario, f"{where}: {rule_id} {diagnostic.message}")

    # Connections

    def chat(self, name: str | None = None) -> str:
        """Return the chat id of the current scenario."""
        return f"{self.options.chat_prefix}-{name or self.scenario}"

    def _label(self) -> str:
        number = self._labels.get(self.scenario, 0) + 1
        self._labels[self.scenario] = number
        return f"{self.scenario}#{number}"

    async def open(self, chat: str) -> ProbeConnection:
        """Open a connection without judging anything.

        Raises:
            Unreachable: the server cannot be reached.
            HandshakeFailed: it refused or did not finish the handshake.
            ConnectionClosed: it closed the WebSocket during the handshake.
        """
        connection = await ProbeConnection.open(
            agent_url(self.base_url, chat),
            self.traffic,
            self._label(),
            timeout=self.options.timeout,
            headers=self.options.headers,
            ssl=self.options.ssl,
        )
        self.connected_once = True
        self.open_connections.append(connection)
        return connection

    async def connect(self, *, ordered: bool = True) -> ProbeConnection | None:
        """Open the scenario's connection and wait for STATUS; judge both.

        Returns None when there is no connection (the failure is recorded).

        Raises:
            Unreachable: the server cannot be reached, and never could in this run.
        """
        try:
            connection = await self.open(self.chat())
        except Unreachable as error:
            if not self.connected_once:
                raise
            self.failed("handshake-path", f"cannot connect: {error}")
            return None
        except HandshakeFailed as error:
            self.failed("handshake-path", f"the handshake failed: {error}")
            return None
        except ConnectionClosed as error:
            self.failed("handshake-path", f"the server closed during the handshake: {error}")
            return None
        self.passed("handshake-path")
        connection.traffic.ordered = ordered
        await self.await_status(connection)
        return connection

    async def await_status(self, connection: ProbeConnection) -> None:
        """Wait for the first frame and judge it: STATUS, in time."""
        limit = self.options.status_timeout
        first = await connection.next(self.status_wait)
        if first is None:
            self.failed("status-first", f"no frame within {self.status_wait:g} s of the handshake")
            self.status_wait = limit  # a server that sends none: do not wait as long again
        elif isinstance(first, Closed):
            self.failed("status-first", f"{first.describe()} before STATUS")
        elif first.type != _STATUS or isinstance(first.data, bytes):
            self.failed("status-first", f"the first frame is {first.describe()}, not STATUS")
        elif first.at > limit:
            self.failed(
                "status-first",
                f"STATUS came {first.at:.2f} s after the handshake, later than {limit:g} s",
            )
        else:
            self.passed("status-first", f"STATUS after {first.at:.3f} s")

    async def finish(self, connection: ProbeConnection) -> None:
        """Read stray frames for a moment, then close normally and judge the server's answer."""
        if connection.closed is None:
            await asyncio.sleep(self.options.settle)
        await self.drain(connection)
        already = connection.closed is not None
        close = await connection.close()
        self.open_connections.remove(connection)
        if already:
            return
        if close is None:
            self.failed(
                "close-answered",
                f"no close frame came back within {self.options.timeout:g} s (it ended with 1006)",
            )
        elif close.code in (1000, 1005):
            self.passed("close-answered")
        else:
            self.failed(
                "close-answered", f"the server answered the close with code {close.code}, not 1000"
            )

    async def drain(self, connection: ProbeConnection) -> bool:
        """Read what has arrived between responses; return whether it ended the connection.

        A GRACEFUL_DISCONNECT among it is followed up as the protocol says.
        """
        for frame in connection.pending():
            if isinstance(frame, Received) and frame.type == _GRACEFUL:
                await self.graceful(connection)
                return True
        return connection.closed is not None

    # Responses

    async def read_response(self, connection: ProbeConnection) -> Response:
        """Read one response to its end, for at most ``reply_timeout`` seconds."""
        limit = self.options.reply_timeout
        loop = asyncio.get_running_loop()
        started = loop.time()
        response = Response(waited=limit)
        while True:
            frame = await connection.next(started + limit - loop.time())
            if frame is None:
                return response
            if isinstance(frame, Closed):
                response.end, response.closed = "closed", frame
                return response
            type_ = frame.type
            if type_ is not None and ends_response(type_):
                response.end, response.message = (
                    ("END" if type_ == _END else "ERROR"),
                    frame.message,
                )
                return response
            if type_ == _GRACEFUL:
                response.end = "graceful"
                await self.graceful(connection)
                return response
            if type_ is not None and is_agent_event(type_):
                response.events += 1
                if type_ == _TOOL_CALL and (frame.message or {}).get("tool_name") is not None:
                    self.tool_calls += 1

    def judge_response(self, response: Response) -> None:
        """Judge how a response ended (response-ends) and its AGENT_EVENT_END (tokens-used)."""
        if response.end in ("END", "ERROR"):
            self.passed("response-ends")
        elif response.end != "graceful":  # GRACEFUL_DISCONNECT mid-response is its own check's
            self.failed("response-ends", response.describe())
        if response.end == "END":
            tokens = (response.message or {}).get("tokens_used", _MISSING)
            if tokens is _MISSING:
                self.failed("tokens-used", "AGENT_EVENT_END has no tokens_used")
            elif type(tokens) is not int or tokens < 0:
                self.failed("tokens-used", f"tokens_used is {show(tokens)}, not an integer >= 0")
            else:
                self.passed("tokens-used", f"tokens_used {tokens}")

    def judge_answered(
        self, check_id: str, response: Response, rejecting_codes: tuple[str, ...] = ()
    ) -> None:
        """Judge whether a message was read and answered like any other.

        An ERROR before any event is a refusal; with ``rejecting_codes`` only
        those codes are (other ERRORs are answers); an ERROR code that a plain
        message got too shows nothing either way.
        """
        code = response.error_code
        if response.end == "END" or response.events:
            self.passed(check_id, response.describe())
        elif response.end == "ERROR" and rejecting_codes:
            if code in rejecting_codes:
                self.failed(check_id, f"refused: {response.describe()}")
            else:
                self.passed(check_id, f"answered ERROR {show(code)}: the message was read")
        elif response.end == "ERROR" and code in self.plain_error_codes:
            self.note(check_id, f"ERROR {show(code)}, as a plain message got: inconclusive")
        elif response.end == "graceful":
            self.note(check_id, "the server said GRACEFUL_DISCONNECT instead of answering")
        else:
            self.failed(check_id, response.describe())

    async def graceful(self, connection: ProbeConnection) -> None:
        """After GRACEFUL_DISCONNECT: see that nothing follows and that the connection closes."""
        # Anything the server sends now breaks P005, which the validator reports.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.settle
        frame = await connection.next(self.options.settle)
        while isinstance(frame, Received):
            frame = await connection.next(deadline - loop.time())
        if isinstance(frame, Closed):
            self.passed("graceful-disconnect-close", f"then {frame.describe()}")
            return
        # As a client does: close, and the server must answer.
        close = await connection.close()
        if close is None:
            self.failed(
                "graceful-disconnect-close",
                f"after GRACEFUL_DISCONNECT the connection did not close within "
                f"{self.options.timeout:g} s",
            )
        else:
            self.passed("graceful-disconnect-close", "the client closed, and the server answered")


_MISSING: Final = object()


def _is_tokens_used(finding: Finding) -> bool:
    """Whether a finding is a schema error about tokens_used, which tokens-used reports."""
    diagnostic = finding.diagnostic
    if diagnostic.rule.id != "S001" or diagnostic.type != _END:
        return False
    return diagnostic.pointer == "/tokens_used" or (
        diagnostic.keyword == "required" and '"tokens_used"' in diagnostic.message
    )
