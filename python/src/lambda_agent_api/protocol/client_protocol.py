"""The client's side of a connection without I/O: frames in, routed messages out.

:class:`ClientProtocol` turns each frame the server sends into a
:class:`Received` that says where it goes: to the caller waiting for the
response in flight, to the user's callback, or both; whether it ends the
response; and which :class:`~lambda_agent_api.exceptions.AgentException` to
raise. What may follow what is decided by the
:class:`~lambda_agent_api.protocol.conversation.Conversation` it drives; this module
only adds the client's routing and its error codes. It never touches a socket:
:class:`lambda_agent_api.transport.agent_api.AgentApi` is the asyncio adapter around it.

    protocol = ClientProtocol()
    protocol.receive_status('{"type": "STATUS"}')
    frame = protocol.send_user_message("hi")  # the text to send
    received = protocol.receive('{"type": "AGENT_EVENT_END", "tokens_used": 3}')
    received.for_response, received.ends_response  # (True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from pydantic import TypeAdapter, ValidationError

from lambda_agent_api.exceptions import AgentBusyException, AgentException
from lambda_agent_api.protocol import strict_json
from lambda_agent_api.protocol.conversation import QUIET_EVENTS, Conversation, Step
from lambda_agent_api.protocol.limits import MAX_NUMBER_DIGITS, PYDANTIC_MAX_INT_DIGITS
from lambda_agent_api.protocol.message_set import CURRENT, message_set
from lambda_agent_api.protocol.messages import (
    CLIENT_MESSAGE_CLASSES,
    SERVER_MESSAGE_CLASSES,
    AgentEventUnion,
    EClientMessage,
    EServerMessage,
    MsgError,
    MsgStatus,
    ServerMessage,
    ServerMessageUnion,
    _after_refusal,
    parse_server_message,
)
from lambda_agent_api.protocol.text import quote
from lambda_agent_api.protocol.transitions import Role, State, violation

__all__ = ["ClientProtocol", "Received", "UnknownMessage", "describe_validation_error"]

_GRACEFUL = EServerMessage.GRACEFUL_DISCONNECT.value
_USER_MESSAGE = EClientMessage.USER_MESSAGE.value
_WHILE_RESPONDING = "P004"  # the rule a USER_MESSAGE breaks while a response is in flight
_SERVER, _RESPONDING = Role.SERVER, State.RESPONDING
_TYPE_OF = {cls: type_ for type_, cls in SERVER_MESSAGE_CLASSES.items()}
_TAGS = frozenset(SERVER_MESSAGE_CLASSES) | frozenset(CLIENT_MESSAGE_CLASSES)


@dataclass(frozen=True)
class UnknownMessage:
    """A well-formed frame whose ``type`` this version of the protocol does not know.

    Servers may add message types; a client hands such a frame to its callback
    as this object instead of failing. ``data`` is the whole JSON object.
    """

    type: str
    data: dict[str, Any]


@dataclass(slots=True)
class Received:
    """What one frame from the server means to the client.

    ``message`` is the parsed message (``None`` for a frame that did not
    parse). ``for_response``: hand it (or ``error``) to the caller waiting for
    the response in flight; ``ends_response``: that response is over;
    ``for_callback``: hand ``message`` to the user's callback; ``disconnect``:
    the server said ``GRACEFUL_DISCONNECT``, close the connection. ``error`` is
    what the caller gets instead of a message (a server ``ERROR``, or
    ``PARSE_ERROR``); ``step`` is what the frame did to the conversation.
    """

    message: ServerMessageUnion | UnknownMessage | None
    step: Step | None = None
    error: AgentException | None = None
    for_response: bool = False
    ends_response: bool = False
    for_callback: bool = False
    disconnect: bool = False


class ClientProtocol:
    """The client's side of one connection, as a state machine without I/O.

    ``protocol`` picks the protocol version it speaks (``"1.0"``; default: the
    current one): that version's models parse what the server sends (a later
    version's message type is an :class:`UnknownMessage`) and build what the
    client sends.
    """

    def __init__(self, protocol: str | None = None) -> None:
        """Speak ``protocol`` (a released version; default: the current one).

        Raises:
            ValueError: ``protocol`` is not a released version.
        """
        self.conversation = Conversation()
        known = message_set(protocol)
        self.version = known.version
        """The protocol version spoken, ``MAJOR.MINOR``."""
        if known.version == CURRENT:
            self._parse: Callable[[str], Any] = parse_server_message
            self._adapter: TypeAdapter[Any] = ServerMessage
            self._type_of = _TYPE_OF
        else:
            self._parse = known.parse_server_message
            self._adapter = known.server
            self._type_of = {cls: type_ for type_, cls in known.server_classes.items()}
        # receive_event's fast path: pydantic-core itself, and the classes of the events
        # that the conversation records as changing nothing while no tool call is open.
        self._validate_json: Callable[[str], Any] = (
            self._adapter.validator.validate_json
            if MAX_NUMBER_DIGITS >= PYDANTIC_MAX_INT_DIGITS
            else self._parse  # a lower limit needs the check of its own that _parse makes
        )
        self._quiet = frozenset(cls for cls, t in self._type_of.items() if t in QUIET_EVENTS)
        self._server_classes = known.server_classes
        self._status = known.server_classes["STATUS"]
        self._error = known.server_classes["ERROR"]
        self._user_message = known.client_classes["USER_MESSAGE"]
        self._takes_attachments = "attachments" in self._user_message.model_fields

    @property
    def state(self) -> State:
        """Where the conversation stands."""
        return self.conversation.state

    @property
    def responding(self) -> bool:
        """Whether a response is in flight: the server has not ended it yet."""
        return self.conversation.state is State.RESPONDING

    # Opening the connection

    def receive_status(self, frame: str | bytes) -> MsgStatus:
        """Check the server's first frame, which must be ``STATUS``.

        Raises:
            AgentException: ``UNEXPECTED_MSG_TYPE`` for a binary frame,
                ``PARSE_ERROR`` for a frame that is not a message,
                ``INVALID_STATUS`` for a message of another type.
        """
        if not isinstance(frame, str):
            raise AgentException(
                "UNEXPECTED_MSG_TYPE",
                f"Unexpected message type: a binary frame of {len(frame)} bytes instead of STATUS",
            )
        received = self.receive(frame)
        if type(received.message) is self._status:
            return cast(MsgStatus, received.message)
        if received.message is None:
            detail = received.error.details if received.error else "not a message"
            raise AgentException("PARSE_ERROR", f"Expected STATUS: {detail}")
        got = received.message.type
        # The wire name ("ERROR"), never the enum's repr ("EServerMessage.ERROR").
        name = got.value if isinstance(got, EServerMessage) else got
        raise AgentException("INVALID_STATUS", f"Expected STATUS, got {name}")

    # Sending

    def send_user_message(self, text: str, attachments: Sequence[str] | None = None) -> str:
        """Return the JSON text of a ``USER_MESSAGE``, recording that it is sent.

        Raises:
            AgentException: ``NOT_CONNECTED`` before ``STATUS`` or after the conversation ended.
            AgentBusyException: a response is still in flight.
            TypeError: ``text`` is not a string, or ``attachments`` not a list of strings.
            ValueError: attachments given, and the protocol version spoken has none (1.0).
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        if isinstance(attachments, (str, bytes)) or not all(
            isinstance(path, str) for path in attachments or ()
        ):
            raise TypeError("attachments must be a list of str (paths relative to /workspace)")
        refused = violation(Role.CLIENT, self.state, _USER_MESSAGE)
        if refused == _WHILE_RESPONDING:
            raise AgentBusyException("Agent is currently processing another request")
        if refused is not None:  # before STATUS, or after the conversation ended
            raise AgentException("NOT_CONNECTED", "Not connected. Call connect() first.")
        if self._takes_attachments:
            message = self._user_message(text=text, attachments=list(attachments or ()))
        elif attachments:
            raise ValueError(f"protocol {self.version} has no attachments; 1.1 added them")
        else:
            message = self._user_message(text=text)
        self.conversation.observe(Role.CLIENT, _USER_MESSAGE, message.__dict__)
        return message.model_dump_json()

    # Receiving

    def receive(self, frame: str | bytes) -> Received:
        """Parse one frame from the server and say where it goes."""
        if not isinstance(frame, str):
            return self._malformed(f"a binary frame of {len(frame)} bytes, not JSON text")
        try:
            message = self._parse(frame)
        except ValidationError as invalid:
            return self._invalid(frame, invalid)
        return self._route(message)

    def receive_event(self, frame: str | bytes) -> Received | AgentEventUnion:
        """Like :meth:`receive`, with a shortcut for most of a response's frames.

        A frame that is an agent event of the response in flight and does not
        end it (most text chunks) is returned as the bare message, to be handed
        to the caller: no :class:`Received` is built for it. Anything else gets
        the :class:`Received` that :meth:`receive` gives. The conversation
        records every frame alike, and the checks are the same.
        """
        # The hot path of the client, once per frame: the checks of parse_server_message
        # inlined (strict_json.pydantic_reads_as_json, its digit rule settled in
        # __init__: text without NaN or Infinity that pydantic takes is what the strict
        # parser gives), and a text chunk of the response in flight with no tool call
        # open, which the conversation would record as changing nothing, not recorded.
        if type(frame) is not str or "NaN" in frame or "Infinity" in frame:
            return self._event_or_received(self.receive(frame))
        try:
            message = self._validate_json(frame)
        except ValidationError as refused:
            try:
                message = _after_refusal(self._adapter, frame, refused, MAX_NUMBER_DIGITS)
            except ValidationError as invalid:
                return self._invalid(frame, invalid)
        conversation = self.conversation
        if (
            type(message) in self._quiet
            and conversation.state is _RESPONDING
            and not conversation._calls
        ):
            return message  # type: ignore[no-any-return]  # an agent event; cast() costs a call
        step = conversation.observe(_SERVER, self._type_of[type(message)], message.__dict__)
        if step.after is _RESPONDING and step.in_response:
            return message  # type: ignore[no-any-return]
        return self._routed(message, step)

    @staticmethod
    def _event_or_received(received: Received) -> Received | AgentEventUnion:
        """Turn what :meth:`receive` said about a frame into what :meth:`receive_event` says."""
        if (
            received.for_response
            and received.error is None
            and not (received.ends_response or received.for_callback or received.disconnect)
        ):
            return cast(AgentEventUnion, received.message)
        return received

    def _route(self, message: ServerMessageUnion) -> Received:
        step = self.conversation.observe(_SERVER, self._type_of[type(message)], message.__dict__)
        return self._routed(message, step)

    def _routed(self, message: ServerMessageUnion, step: Step) -> Received:
        if step.in_response:
            if type(message) is self._error:
                error = cast(MsgError, message)
                failed = AgentException(error.code, error.details, server_error=error)
                # v1.1 hands ERROR to the callback too, even when it ends a response.
                return Received(message, step, failed, True, True, True)
            return Received(message, step, None, True, step.ends_response)
        if step.type == _GRACEFUL:
            cut = None
            if step.before is State.RESPONDING:
                cut = AgentException(
                    "CONNECTION_CLOSED",
                    "The server sent GRACEFUL_DISCONNECT before the response ended",
                )
            return Received(message, step, cut, cut is not None, cut is not None, True, True)
        return Received(message, step, for_callback=True)

    def connection_lost(self, code: int | None, reason: str | None) -> AgentException | None:
        """Record that the connection ended; return the error for a response it cut short."""
        step = self.conversation.end()
        if step.before is not State.RESPONDING:
            return None
        how = f"code {code}" if code is not None else "no close code"
        if reason:
            how += f", reason {reason!r}"
        return AgentException(
            "CONNECTION_CLOSED",
            f"The connection closed before the response ended ({how})",
            close_code=code,
            close_reason=reason or None,
        )

    # Frames that are not valid server messages

    def _invalid(self, frame: str, error: ValidationError) -> Received:
        try:
            # RFC 8259, as the schema and the validator read it: NaN is no JSON, and an
            # integer too long to convert stands in, so a malformed END still ends.
            data = strict_json.loads(frame, stand_in=True)
        except ValueError:
            return self._malformed(f"not JSON: {quote(frame)}")
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            return self._malformed(f"not an object with a string 'type': {quote(frame)}")
        type_ = data["type"]
        if type_ not in self._server_classes:
            # Not an error: servers may add types. The conversation records a warning.
            step = self.conversation.observe(Role.SERVER, type_, data)
            return Received(UnknownMessage(type_, data), step, for_callback=True)
        # A known type that breaks its schema still moves the conversation, so
        # that a malformed AGENT_EVENT_END still ends the response.
        step = self.conversation.observe(Role.SERVER, type_, data)
        problem = AgentException(
            "PARSE_ERROR", f"Validation failed: {type_}: {describe_validation_error(error)}"
        )
        if step.in_response:
            return Received(None, step, problem, True, True)
        return Received(None, step, problem)

    def _malformed(self, what: str) -> Received:
        problem = AgentException("PARSE_ERROR", f"Validation failed: {what}")
        # Which response the frame belonged to is unknown; the caller waiting
        # for one gets the error, the conversation's state does not move.
        return Received(None, None, problem, self.responding, self.responding)


def describe_validation_error(error: ValidationError) -> str:
    """Return one line saying what the first problem of a pydantic error is, and how many more."""
    problems = error.errors(include_url=False)
    first = problems[0]
    location = list(first["loc"])
    if location and location[0] in _TAGS:
        del location[0]  # the union's tag: the type is said elsewhere
    where = ".".join(str(part) for part in location) or "message"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{where}: {first['msg']}{more}"
