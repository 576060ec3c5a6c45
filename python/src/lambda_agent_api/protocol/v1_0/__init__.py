# Generated from schema/v1.0/*.json by codegen/generate.py. Do not edit:
# change the schema or the generator, then run `nox -s codegen`.
"""Protocol 1.0's messages: the models generated from ``schema/v1.0/``.

``MESSAGES`` holds its unions and parsers (a
:class:`~lambda_agent_api.protocol.message_set.MessageSet`).
"""

import lambda_agent_api.protocol.v1_0._models as _models
from lambda_agent_api.protocol.message_set import MessageSet
from lambda_agent_api.protocol.v1_0._enums import EClientMessage, EServerMessage
from lambda_agent_api.protocol.v1_0._models import (
    AgentEventUnion,
    ClientMessage,
    MsgError,
    MsgEventCustomUpdate,
    MsgEventEnd,
    MsgEventTextChunk,
    MsgEventToolCallChunk,
    MsgEventToolResult,
    MsgGracefulDisconnect,
    MsgStatus,
    MsgUserMessage,
    ServerMessage,
)

__all__ = [
    "MESSAGES",
    "AgentEventUnion",
    "ClientMessage",
    "EClientMessage",
    "EServerMessage",
    "MsgError",
    "MsgEventCustomUpdate",
    "MsgEventEnd",
    "MsgEventTextChunk",
    "MsgEventToolCallChunk",
    "MsgEventToolResult",
    "MsgGracefulDisconnect",
    "MsgStatus",
    "MsgUserMessage",
    "ServerMessage",
    "parse_client_message",
    "parse_server_message",
]

MESSAGES = MessageSet("1.0", _models)
"""Protocol 1.0's unions and parsers."""

parse_server_message = MESSAGES.parse_server_message
parse_client_message = MESSAGES.parse_client_message
