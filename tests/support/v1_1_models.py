"""The hand-written v1.1 SDK's message models, kept as the reference for compatibility tests.

Reconstructed from the v1.1 sources (server.py and client.py); only the
comments are translated. Tests compare the generated models against these.
"""

from enum import Enum
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, Field, TypeAdapter


class EServerMessage(str, Enum):
    STATUS = "STATUS"
    ERROR = "ERROR"
    GRACEFUL_DISCONNECT = "GRACEFUL_DISCONNECT"
    AGENT_EVENT_TEXT_CHUNK = "AGENT_EVENT_TEXT_CHUNK"
    AGENT_EVENT_TOOL_CALL_CHUNK = "AGENT_EVENT_TOOL_CALL_CHUNK"
    AGENT_EVENT_TOOL_RESULT = "AGENT_EVENT_TOOL_RESULT"
    AGENT_EVENT_CUSTOM_UPDATE = "AGENT_EVENT_CUSTOM_UPDATE"
    AGENT_EVENT_SEND_FILE = "AGENT_EVENT_SEND_FILE"
    AGENT_EVENT_END = "AGENT_EVENT_END"


class EClientMessage(str, Enum):
    USER_MESSAGE = "USER_MESSAGE"


class MsgStatus(BaseModel):
    type: Literal[EServerMessage.STATUS] = EServerMessage.STATUS


class MsgError(BaseModel):
    type: Literal[EServerMessage.ERROR] = EServerMessage.ERROR
    code: str
    details: str


class MsgGracefulDisconnect(BaseModel):
    type: Literal[EServerMessage.GRACEFUL_DISCONNECT] = EServerMessage.GRACEFUL_DISCONNECT


class MsgEventTextChunk(BaseModel):
    type: Literal[EServerMessage.AGENT_EVENT_TEXT_CHUNK] = EServerMessage.AGENT_EVENT_TEXT_CHUNK
    text: str
    source: str = "main"


class MsgEventToolCallChunk(BaseModel):
    type: Literal[EServerMessage.AGENT_EVENT_TOOL_CALL_CHUNK] = (
        EServerMessage.AGENT_EVENT_TOOL_CALL_CHUNK
    )
    tool_name: str | None = Field(None, description="Tool name (usually only in the first chunk)")
    args_chunk: Optional[str] = Field(None, description="A piece of the JSON arguments")  # noqa: UP045
    source: str = "main"


class MsgEventToolResult(BaseModel):
    type: Literal[EServerMessage.AGENT_EVENT_TOOL_RESULT] = EServerMessage.AGENT_EVENT_TOOL_RESULT
    tool_name: str
    result: Any
    source: str = "main"


class MsgEventCustomUpdate(BaseModel):
    type: Literal[EServerMessage.AGENT_EVENT_CUSTOM_UPDATE] = (
        EServerMessage.AGENT_EVENT_CUSTOM_UPDATE
    )
    payload: dict[str, Any] = Field(..., description="Any progress data (status, progress, ...)")
    source: str = "main"


class MsgEventSendFile(BaseModel):
    type: Literal[EServerMessage.AGENT_EVENT_SEND_FILE] = EServerMessage.AGENT_EVENT_SEND_FILE
    path: str = Field(..., description="Path of the file relative to /workspace")


class MsgEventEnd(BaseModel):
    type: Literal[EServerMessage.AGENT_EVENT_END] = EServerMessage.AGENT_EVENT_END
    tokens_used: int


AgentEventUnion = Union[  # noqa: UP007
    MsgEventTextChunk,
    MsgEventToolCallChunk,
    MsgEventToolResult,
    MsgEventCustomUpdate,
    MsgEventSendFile,
    MsgEventEnd,
]

ServerMessage = TypeAdapter(
    Annotated[
        Union[MsgStatus, MsgError, MsgGracefulDisconnect, AgentEventUnion],  # noqa: UP007
        Field(discriminator="type"),
    ]
)


class MsgUserMessage(BaseModel):
    type: Literal[EClientMessage.USER_MESSAGE] = EClientMessage.USER_MESSAGE
    text: str
    attachments: list[str] = Field(default_factory=list)


ClientMessage = TypeAdapter(Annotated[Union[MsgUserMessage], Field(discriminator="type")])  # noqa: UP007
