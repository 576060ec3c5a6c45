# Generated from schema/v1.1/*.json by codegen/generate.py. Do not edit:
# change the schema or the generator, then run `nox -s codegen`.

from __future__ import annotations

from typing import Any, Literal, TypeAlias

from pydantic import BaseModel as _BaseModel
from pydantic import ConfigDict, Field

from lambda_agent_api.protocol._enums import EClientMessage, EServerMessage
from lambda_agent_api.protocol.json_types import JsonInteger


class BaseModel(_BaseModel):
    model_config = ConfigDict(
        extra="allow",
    )


class MsgError(BaseModel):
    """
    An unspecified failure of the agent. While a response is in flight it ends that response; the client raises it as `AgentException(code, details)`.
    """

    type: Literal[EServerMessage.ERROR] = EServerMessage.ERROR
    """
    Message type discriminator; always `ERROR`.
    """
    code: str = Field(..., examples=["INTERNAL_ERROR"])
    """
    A short machine-readable error code.
    """
    details: str = Field(..., examples=["The model provider timed out"])
    """
    A human-readable explanation of the failure.
    """


class MsgEventCustomUpdate(BaseModel):
    """
    Progress reported from inside a tool, such as the state of a download.
    """

    type: Literal[EServerMessage.AGENT_EVENT_CUSTOM_UPDATE] = (
        EServerMessage.AGENT_EVENT_CUSTOM_UPDATE
    )
    """
    Message type discriminator; always `AGENT_EVENT_CUSTOM_UPDATE`.
    """
    payload: dict[str, Any] = Field(..., examples=[{"status": "downloading", "progress": 0.4}])
    """
    Any progress data, such as `status` or `progress`.
    """
    source: str = Field("main", examples=["main", "tools:web_search"])
    """
    Which agent produced the event: `main` for the main agent, `tools:...` for a sub-agent running inside a tool.
    """


class MsgEventEnd(BaseModel):
    """
    The answer is complete; it ends the response.
    """

    type: Literal[EServerMessage.AGENT_EVENT_END] = EServerMessage.AGENT_EVENT_END
    """
    Message type discriminator; always `AGENT_EVENT_END`.
    """
    tokens_used: JsonInteger = Field(..., examples=[1234])
    """
    Tokens the agent used for this response.
    """


class MsgEventSendFile(BaseModel):
    """
    The agent sends a file to the user. This event has no `source` field.
    """

    type: Literal[EServerMessage.AGENT_EVENT_SEND_FILE] = EServerMessage.AGENT_EVENT_SEND_FILE
    """
    Message type discriminator; always `AGENT_EVENT_SEND_FILE`.
    """
    path: str = Field(..., examples=["reports/2024/report.pdf"])
    """
    The file's path, relative to `/workspace`.
    """


class MsgEventTextChunk(BaseModel):
    """
    A chunk of the agent's answer. The answer's text is the concatenation of the chunks of one source, in order.
    """

    type: Literal[EServerMessage.AGENT_EVENT_TEXT_CHUNK] = EServerMessage.AGENT_EVENT_TEXT_CHUNK
    """
    Message type discriminator; always `AGENT_EVENT_TEXT_CHUNK`.
    """
    text: str = Field(..., examples=["Hello"])
    """
    The chunk's text.
    """
    source: str = Field("main", examples=["main", "tools:web_search"])
    """
    Which agent produced the event: `main` for the main agent, `tools:...` for a sub-agent running inside a tool.
    """


class MsgEventToolCallChunk(BaseModel):
    """
    The agent is calling a tool and streams the call: the first chunk of a call usually names the tool, and the `args_chunk`s of the call join into its JSON arguments.
    """

    type: Literal[EServerMessage.AGENT_EVENT_TOOL_CALL_CHUNK] = (
        EServerMessage.AGENT_EVENT_TOOL_CALL_CHUNK
    )
    """
    Message type discriminator; always `AGENT_EVENT_TOOL_CALL_CHUNK`.
    """
    tool_name: str | None = Field(None, examples=["web_search"])
    """
    The tool's name; usually only in the first chunk of a call.
    """
    args_chunk: str | None = Field(None, examples=['{"query": '])
    """
    A piece of the call's JSON-encoded arguments.
    """
    source: str = Field("main", examples=["main", "tools:web_search"])
    """
    Which agent produced the event: `main` for the main agent, `tools:...` for a sub-agent running inside a tool.
    """


class MsgEventToolResult(BaseModel):
    """
    A tool finished and returned its result.
    """

    type: Literal[EServerMessage.AGENT_EVENT_TOOL_RESULT] = EServerMessage.AGENT_EVENT_TOOL_RESULT
    """
    Message type discriminator; always `AGENT_EVENT_TOOL_RESULT`.
    """
    tool_name: str = Field(..., examples=["web_search"])
    """
    The name of the tool that ran.
    """
    result: Any = Field(..., examples=["Sunny, 21 °C", {"hits": 3}])
    """
    What the tool returned: any JSON value.
    """
    source: str = Field("main", examples=["main", "tools:web_search"])
    """
    Which agent produced the event: `main` for the main agent, `tools:...` for a sub-agent running inside a tool.
    """


AgentEventUnion: TypeAlias = (
    MsgEventTextChunk
    | MsgEventToolCallChunk
    | MsgEventToolResult
    | MsgEventCustomUpdate
    | MsgEventSendFile
    | MsgEventEnd
)
"""One of the six agent events that make up a response, told apart by `type`."""


class MsgGracefulDisconnect(BaseModel):
    """
    Sent before the agent's container shuts down. Nothing follows it; the client closes the connection.
    """

    type: Literal[EServerMessage.GRACEFUL_DISCONNECT] = EServerMessage.GRACEFUL_DISCONNECT
    """
    Message type discriminator; always `GRACEFUL_DISCONNECT`.
    """


class MsgStatus(BaseModel):
    """
    Sent by the server when the connection opens, as its first frame: the agent is ready for a `USER_MESSAGE`.
    """

    type: Literal[EServerMessage.STATUS] = EServerMessage.STATUS
    """
    Message type discriminator; always `STATUS`.
    """


class MsgUserMessage(BaseModel):
    """
    The user's message to the agent. It starts a response: the server answers with agent events ending in `AGENT_EVENT_END` or `ERROR`. Only one response may be in flight per connection.
    """

    type: Literal[EClientMessage.USER_MESSAGE] = EClientMessage.USER_MESSAGE
    """
    Message type discriminator; always `USER_MESSAGE`.
    """
    text: str = Field(..., examples=["Hello, agent!"])
    """
    The message's text.
    """
    attachments: list[str] = Field([], examples=[["reports/q3.pdf"]])
    """
    Files attached to the message: paths relative to `/workspace` of files already uploaded there.
    """


ClientMessage: TypeAlias = MsgUserMessage
"""Any message the client sends to the server, told apart by `type`."""


ServerMessage: TypeAlias = (
    MsgStatus
    | MsgError
    | MsgGracefulDisconnect
    | MsgEventTextChunk
    | MsgEventToolCallChunk
    | MsgEventToolResult
    | MsgEventCustomUpdate
    | MsgEventSendFile
    | MsgEventEnd
)
"""Any message the server sends to the client, told apart by `type`."""
