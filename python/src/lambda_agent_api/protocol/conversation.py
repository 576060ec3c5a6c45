"""The protocol's logic without I/O: messages in, state and findings out.

A :class:`Conversation` follows one connection. Feed it every message, from
either side, in the order they were sent; it moves through the states of
:mod:`lambda_agent_api.protocol.transitions` and reports what breaks the protocol as
:class:`Finding`s. It never touches a socket or a file: the asyncio client,
the test server and the traffic validator all drive the same machine.

    conversation = Conversation()
    conversation.observe(Role.SERVER, "STATUS")
    step = conversation.observe(Role.SERVER, "AGENT_EVENT_TEXT_CHUNK", {"text": "hi"})
    step.findings  # (Finding(rule=P003 event-outside-response, ...),)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lambda_agent_api.protocol._enums import EServerMessage
from lambda_agent_api.protocol.rules import Rule, rule
from lambda_agent_api.protocol.text import quote
from lambda_agent_api.protocol.tool_calls import (
    MAIN_SOURCE,
    OpenToolCall,
    ToolCallTracker,
    arguments_error,
)
from lambda_agent_api.protocol.transitions import (
    END_OF_CONVERSATION,
    RESPONSE_TYPES,
    TRANSITIONS,
    VIOLATIONS,
    Role,
    State,
    role_of,
)

__all__ = ["QUIET_EVENTS", "Conversation", "Finding", "Step", "fields_observed"]

_S = EServerMessage


def _plain(type_: str) -> str:
    return str(getattr(type_, "value", type_))


# The table with plain-string keys: the lookup runs once per frame, and a string
# key finds an enum key more slowly than another string.
_NEXT: dict[Role, dict[State, dict[str, State]]] = {
    role: {
        state: {_plain(t): after for t, after in moves.items()} for state, moves in states.items()
    }
    for role, states in TRANSITIONS.items()
}
_RESPONSE_TYPES = frozenset(map(_plain, RESPONSE_TYPES))
# Plain strings: an enum's .value is a descriptor call, and observe() runs once per frame.
_TOOL_CALL_CHUNK: str = _S.AGENT_EVENT_TOOL_CALL_CHUNK.value
_TOOL_RESULT: str = _S.AGENT_EVENT_TOOL_RESULT.value
_TOOL_TYPES = frozenset((_TOOL_CALL_CHUNK, _TOOL_RESULT))
_SERVER, _RESPONDING = Role.SERVER, State.RESPONDING


@dataclass(frozen=True)
class Finding:
    """One broken rule: which, and a sentence saying what happened."""

    rule: Rule
    message: str


@dataclass(frozen=True)
class Step:
    """What one message did to the conversation."""

    role: Role
    type: str
    before: State
    after: State
    findings: tuple[Finding, ...] = ()

    @property
    def in_response(self) -> bool:
        """Whether the message belongs to the response that was in flight.

        True for the server's agent events, ``AGENT_EVENT_END`` and ``ERROR``
        while a response was in flight: a client hands these to the caller
        that is waiting for the response, and everything else to its callback.
        """
        return self.role is _SERVER and self.before is _RESPONDING and self.type in _RESPONSE_TYPES

    @property
    def ends_response(self) -> bool:
        """Whether the message ended the response in flight."""
        return self.in_response and self.after is not State.RESPONDING


@dataclass
class Conversation:
    """The state of one connection, as both sides see it."""

    state: State = State.CONNECTING
    _tools: ToolCallTracker = field(default_factory=ToolCallTracker, repr=False)
    _maybe: tuple[State, ...] | None = field(default=None, repr=False)
    """After a frame that was not read (:meth:`unread`): the states the conversation may be
    in; None when the state is known."""

    def __post_init__(self) -> None:
        self._calls = self._tools.open  # read on every frame: no tool call open is the fast path

    # Public methods for feeding messages

    def observe(self, role: Role, type_: str, message: Mapping[str, Any] | None = None) -> Step:
        """Record that ``role`` sent a message of type ``type_``; return what it did.

        ``message`` (the message's fields, parsed or as raw JSON) lets the
        conversation check tool calls; without it only the order is checked.
        """
        before = self.state
        if before is _RESPONDING and type_ in _QUIET_EVENTS and role is _SERVER and not self._calls:
            # The common case, kept fast for the validator: an event of the response
            # in flight that no table entry or tool call can object to.
            return _QUIET_EVENTS[type_]
        findings: list[Finding] = []
        owner = role_of(type_)
        if owner is None:
            findings.append(_finding("W001", f"{role.value} sent unknown message type {type_!r}"))
            return Step(role, type_, before, before, tuple(findings))
        if owner is not role:
            findings.append(
                _finding("P008", f"the {role.value} sent {type_}, a {owner.value} message")
            )
            return Step(role, type_, before, before, tuple(findings))

        after = _NEXT[role][before].get(type_)
        if after is None and self._maybe is not None:
            # The unread frame may have made this move legal: take the state it leads to.
            legal = (_NEXT[role][s][type_] for s in self._maybe if type_ in _NEXT[role][s])
            after = next(legal, None)
        if after is None:
            rule_id, after = VIOLATIONS[role, before, type_]
            findings.append(_finding(rule_id, _explain(rule_id, role, before, type_)))

        # Most frames of a response are text chunks with no tool call open: skip those.
        # After an unread frame, the response's tool calls may have begun in it: unchecked.
        if (
            role is _SERVER
            and before is _RESPONDING
            and (self._calls or type_ in _TOOL_TYPES)
            and self._maybe is None
        ):
            findings.extend(self._check_tools(type_, message or {}))
        if self._maybe is not None and after is not _RESPONDING:
            self._maybe = None  # between responses, the state is known again
        if after is not _RESPONDING:
            if self._calls:
                findings.extend(self._closed(*self._tools.finish()))
            elif self._tools.called:
                self._tools.called.clear()
        self.state = after
        if not findings:
            return _clean_step(role, type_, before, after)
        return Step(role, type_, before, after, tuple(findings))

    def unread(self) -> None:
        """Record that a frame was here that was not read (larger than the frame limit).

        Its sender and type are unknown, so what follows is judged leniently until the
        state is known again: the next frame that would break the order from the state
        so far is taken as legal if the unread frame could have led to it (a server's
        events after an unread ``USER_MESSAGE``), the tool calls of the response in
        flight are not checked (they may have begun in the unread frame), and a
        connection that ends in that response is not reported (P007). Once no response
        is in flight, every check applies again. No finding is made up for what the
        unread frame may have held.
        """
        maybe = self._maybe if self._maybe is not None else (self.state,)
        later = {after for state in maybe for after in _ONE_FRAME_LATER[state]}
        self._maybe = tuple(state for state in State if state in later)  # a fixed order
        self._tools.finish()  # the open calls may go on in the frame: not judged

    def is_quiet(self, type_: str) -> bool:
        """Whether the server's event ``type_`` would change nothing and find nothing now.

        True for the events of :data:`QUIET_EVENTS` while a response is in flight
        and no tool call is open: the text chunks of an answer, most of the time.
        """
        return self.state is _RESPONDING and not self._calls and type_ in _QUIET_EVENTS

    def end(self) -> Step:
        """Record that the connection closed or the capture ended; return what it did."""
        before = self.state
        findings = self._closed(*self._tools.finish())
        after = _NEXT[Role.SERVER][before].get(END_OF_CONVERSATION)
        # The unread frame may have ended the response (or said GRACEFUL_DISCONNECT).
        if after is None and any(
            END_OF_CONVERSATION in _NEXT[Role.SERVER][s] for s in self._maybe or ()
        ):
            after = State.CLOSED
        if after is None:
            rule_id, after = VIOLATIONS[Role.SERVER, before, END_OF_CONVERSATION]
            findings.insert(0, _finding(rule_id, _explain(rule_id, Role.SERVER, before, "")))
        self.state = after
        return Step(Role.SERVER, END_OF_CONVERSATION, before, after, tuple(findings))

    # Tool calls within a response

    def _check_tools(self, type_: str, message: Mapping[str, Any]) -> list[Finding]:
        source = str(message.get("source", MAIN_SOURCE))
        if type_ == _TOOL_CALL_CHUNK:
            name = message.get("tool_name")
            chunk = message.get("args_chunk")
            read = self._tools.chunk(
                source,
                None if name is None else str(name),
                chunk if isinstance(chunk, str) else None,
            )
            findings = self._closed(read.closed)
            if read.started and read.call.tool_name is None:
                findings.append(
                    _finding("T001", f"a tool call from source {source!r} starts without tool_name")
                )
            return findings
        findings = self._closed(self._tools.other_event(source))
        if type_ == _TOOL_RESULT:
            name = message.get("tool_name")
            if isinstance(name, str) and name not in self._tools.called:
                findings.append(
                    _finding(
                        "T003", f"a result for tool {name!r}, which no call in this response used"
                    )
                )
        return findings

    @staticmethod
    def _closed(*calls: OpenToolCall | None) -> list[Finding]:
        """T002 for each ended call whose arguments are not JSON."""
        findings = []
        for call in calls:
            if call is None:
                continue
            text = call.arguments_text
            error = arguments_error(text)
            if error is not None:
                tool = call.tool_name or "an unnamed tool"
                findings.append(
                    _finding(
                        "T002",
                        f"the arguments of the call to {tool} do not join into JSON ({error}): "
                        f"{quote(text)}",
                    )
                )
        return findings


_CLEAN_STEPS: dict[tuple[Role, str, State, State], Step] = {}


def _clean_step(role: Role, type_: str, before: State, after: State) -> Step:
    # Steps are immutable, and a step without findings depends only on these
    # four: it is made once and shared (the validator observes millions).
    key = (role, type_, before, after)
    step = _CLEAN_STEPS.get(key)
    if step is None:
        step = _CLEAN_STEPS[key] = Step(role, type_, before, after)
    return step


# The server's events that leave the response in flight as it is, when no tool
# call is open: observing one changes nothing and finds nothing.
_QUIET_EVENTS: dict[str, Step] = {
    type_: _clean_step(_SERVER, type_, _RESPONDING, _RESPONDING)
    for type_, after in _NEXT[_SERVER][_RESPONDING].items()
    if after is _RESPONDING and type_ not in _TOOL_TYPES
}


def _one_frame_later() -> dict[State, tuple[State, ...]]:
    """Return the states one frame, of either side and any type, may lead to from each."""
    later: dict[State, tuple[State, ...]] = {}
    for state in State:
        afters = {state}
        for states in _NEXT.values():
            afters.update(after for t, after in states[state].items() if t != END_OF_CONVERSATION)
        later[state] = tuple(s for s in State if s in afters)  # in a fixed order
    return later


_ONE_FRAME_LATER = _one_frame_later()


def _finding(rule_id: str, message: str) -> Finding:
    return Finding(rule(rule_id), message)


def _explain(rule_id: str, role: Role, state: State, type_: str) -> str:
    sentences = {
        "P001": f"the server's first frame is {type_}, not STATUS",
        "P002": f"the client sent {type_} before the server's STATUS",
        "P003": f"{type_} arrived while no response was in flight",
        "P004": f"the client sent {type_} while a response was still in flight",
        "P005": f"the {role.value} sent {type_} after GRACEFUL_DISCONNECT",
        "P006": "GRACEFUL_DISCONNECT arrived while a response was in flight",
        "P007": "the conversation ended while a response was in flight",
        "P009": "the server sent STATUS again",
    }
    return sentences.get(rule_id, f"{role.value} sent {type_} in state {state.value}")


QUIET_EVENTS: frozenset[str] = frozenset(str(getattr(t, "value", t)) for t in _QUIET_EVENTS)
"""The server's events that leave a response in flight as it is (text chunks, progress
updates, files): see :meth:`Conversation.is_quiet`."""


_NO_FIELDS: Mapping[str, Any] = {}


def fields_observed(type_: str, message: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return the fields of ``message`` that :meth:`Conversation.observe` reads.

    Every field of a tool call's chunk or result; of any other message, its
    ``source`` only. What a checker hands to another process shrinks to this.
    """
    if type_ in _TOOL_TYPES:
        return message
    source = message.get("source")
    return _NO_FIELDS if source is None else {"source": source}
