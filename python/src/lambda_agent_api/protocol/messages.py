"""The protocol's messages: models, unions and parsers.

Every class here is generated from ``schema/`` (see ``_models.py``); this
module adds what a schema cannot say: pydantic ``TypeAdapter``s that dispatch
on ``type``, a lookup from a type to its class, and JSON parsers that accept
exactly what the schema accepts.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, get_args

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from lambda_agent_api.protocol import strict_json
from lambda_agent_api.protocol._enums import EClientMessage, EServerMessage
from lambda_agent_api.protocol._models import (
    AgentEventUnion,
    MsgError,
    MsgEventCustomUpdate,
    MsgEventEnd,
    MsgEventSendFile,
    MsgEventTextChunk,
    MsgEventToolCallChunk,
    MsgEventToolResult,
    MsgGracefulDisconnect,
    MsgStatus,
    MsgUserMessage,
)
from lambda_agent_api.protocol._models import ClientMessage as ClientMessageUnion
from lambda_agent_api.protocol._models import ServerMessage as ServerMessageUnion
from lambda_agent_api.protocol.limits import (
    MAX_NUMBER_DIGITS,
    PYDANTIC_MAX_INT_DIGITS,
)

__all__ = [
    "AGENT_EVENT_CLASSES",
    "CLIENT_MESSAGE_CLASSES",
    "DISCRIMINATOR",
    "SERVER_MESSAGE_CLASSES",
    "AgentEvent",
    "AgentEventUnion",
    "ClientMessage",
    "ClientMessageUnion",
    "EClientMessage",
    "EServerMessage",
    "MsgError",
    "MsgEventCustomUpdate",
    "MsgEventEnd",
    "MsgEventSendFile",
    "MsgEventTextChunk",
    "MsgEventToolCallChunk",
    "MsgEventToolResult",
    "MsgGracefulDisconnect",
    "MsgStatus",
    "MsgUserMessage",
    "ServerMessage",
    "ServerMessageUnion",
    "message_class",
    "parse_client_message",
    "parse_server_message",
]

DISCRIMINATOR: Final = "type"
"""The property every union in ``schema/`` discriminates on."""

ServerMessage: TypeAdapter[ServerMessageUnion] = TypeAdapter(
    Annotated[ServerMessageUnion, Field(discriminator=DISCRIMINATOR)]
)
"""Validates any server message, picking its class by ``type`` (as in v1.1).

``ServerMessage.validate_json(text)`` returns a ``MsgStatus``, ``MsgError``, ...
"""

_validate_server_json: Final = ServerMessage.validator.validate_json

ClientMessage: TypeAdapter[ClientMessageUnion] = TypeAdapter(
    Annotated[ClientMessageUnion, Field(discriminator=DISCRIMINATOR)]
)
"""Validates any client message, picking its class by ``type`` (as in v1.1)."""

AgentEvent: TypeAdapter[AgentEventUnion] = TypeAdapter(
    Annotated[AgentEventUnion, Field(discriminator=DISCRIMINATOR)]
)
"""Validates one of the six agent events, picking its class by ``type``."""


def _classes_by_type(union: Any) -> dict[str, type[BaseModel]]:
    members: tuple[type[BaseModel], ...] = get_args(union) or (union,)
    return {member.model_fields[DISCRIMINATOR].default.value: member for member in members}


SERVER_MESSAGE_CLASSES: Final[dict[str, type[BaseModel]]] = _classes_by_type(ServerMessageUnion)
"""Each server message type (``"STATUS"``, ...) and its class."""

CLIENT_MESSAGE_CLASSES: Final[dict[str, type[BaseModel]]] = _classes_by_type(ClientMessageUnion)
"""Each client message type (``"USER_MESSAGE"``) and its class."""

AGENT_EVENT_CLASSES: Final[dict[str, type[BaseModel]]] = _classes_by_type(AgentEventUnion)
"""Each agent event type (``"AGENT_EVENT_TEXT_CHUNK"``, ...) and its class: the members of
the schema's agent-event union, which are the events of a response."""


def message_class(type_: str) -> type[BaseModel] | None:
    """Return the class of the message whose ``type`` is ``type_``, or ``None`` if unknown."""
    return SERVER_MESSAGE_CLASSES.get(type_) or CLIENT_MESSAGE_CLASSES.get(type_)


def _invalid_json(title: str, data: str | bytes | bytearray, reason: str) -> ValidationError:
    return ValidationError.from_exception_data(
        title, [{"type": "json_invalid", "loc": (), "input": data, "ctx": {"error": reason}}]
    )


def _strict_loads(data: str | bytes | bytearray, title: str, max_number_digits: int) -> Any:
    try:
        return strict_json.loads(
            bytes(data) if isinstance(data, bytearray) else data,
            max_number_digits=max_number_digits,
        )
    except ValueError as error:
        raise _invalid_json(title, data, str(error)) from None


def _parse(adapter: TypeAdapter[Any], data: str | bytes | bytearray, max_number_digits: int) -> Any:
    title = "message"
    # NaN, Infinity or an integer beyond the limit: parsed by RFC 8259's rules instead.
    if not strict_json.pydantic_reads_as_json(data, max_number_digits):
        return adapter.validate_python(_strict_loads(data, title, max_number_digits))
    try:
        return adapter.validate_json(data)
    except ValidationError as error:
        return _after_refusal(adapter, data, error, max_number_digits)


def _after_refusal(
    adapter: TypeAdapter[Any],
    data: str | bytes | bytearray,
    error: ValidationError,
    max_number_digits: int,
) -> Any:
    """Finish :func:`_parse` for text without ``NaN`` or ``Infinity`` that pydantic refused.

    Raises ``error`` again unless it is a JSON syntax error: pydantic's JSON parser
    also refuses a lone surrogate escape (a backslash, ``ud800``), which JSON (RFC 8259) and so
    the schema allow, and an integer of more than 4300 digits; only then the text is
    parsed again, by the package's own limits.
    """
    if not any(e["type"] == "json_invalid" for e in error.errors()):
        raise error
    return adapter.validate_python(_strict_loads(data, "message", max_number_digits))


def parse_server_message(
    data: str | bytes | bytearray, *, max_number_digits: int = MAX_NUMBER_DIGITS
) -> ServerMessageUnion:
    """Parse one frame of JSON text from the server into its message class.

    Accepts exactly what ``schema/server_message.json`` accepts, within the input
    limits: an integer of more than ``max_number_digits`` digits is refused in
    linear time (see :mod:`lambda_agent_api.protocol.limits`).

    Raises:
        pydantic.ValidationError: the text is not JSON (or breaks a limit), or not a
            valid server message.

    """
    if (
        type(data) is str
        and max_number_digits >= PYDANTIC_MAX_INT_DIGITS
        and "NaN" not in data
        and "Infinity" not in data
    ):
        # _parse's common case, inlined, and straight to pydantic-core (the
        # TypeAdapter's wrapper only passes its defaults on). Text pydantic takes
        # here is what _parse would return; what it refuses is told apart as
        # _parse does: a schema error, or RFC 8259 JSON that pydantic's parser refuses.
        try:
            message: ServerMessageUnion = _validate_server_json(data)
        except ValidationError as error:
            message = _after_refusal(ServerMessage, data, error, max_number_digits)
        return message
    return _parse(ServerMessage, data, max_number_digits)  # type: ignore[no-any-return]


def parse_client_message(
    data: str | bytes | bytearray, *, max_number_digits: int = MAX_NUMBER_DIGITS
) -> ClientMessageUnion:
    """Parse one frame of JSON text from the client into its message class.

    Accepts exactly what ``schema/client_message.json`` accepts, within the input
    limits: an integer of more than ``max_number_digits`` digits is refused in
    linear time (see :mod:`lambda_agent_api.protocol.limits`).

    Raises:
        pydantic.ValidationError: the text is not JSON (or breaks a limit), or not a
            valid client message.

    """
    message: ClientMessageUnion = _parse(ClientMessage, data, max_number_digits)
    return message
