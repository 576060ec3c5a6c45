"""Messages the server sends (the v1.1 module, kept for compatibility).

New code may import the same names from :mod:`lambda_agent_api.protocol.messages`.
"""

from lambda_agent_api.protocol.messages import (
    AgentEventUnion,
    EServerMessage,
    MsgError,
    MsgEventCustomUpdate,
    MsgEventEnd,
    MsgEventSendFile,
    MsgEventTextChunk,
    MsgEventToolCallChunk,
    MsgEventToolResult,
    MsgGracefulDisconnect,
    MsgStatus,
    ServerMessage,
)

__all__ = [
    "AgentEventUnion",
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
    "ServerMessage",
]
