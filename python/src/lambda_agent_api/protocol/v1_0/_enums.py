# Generated from schema/v1.0/*.json by codegen/generate.py. Do not edit:
# change the schema or the generator, then run `nox -s codegen`.
"""The enums of message types and the types of each union, from the schema.

Standard library only: the sans-I/O core imports them without pydantic.
"""

from enum import Enum
from typing import Final


class EClientMessage(str, Enum):
    """
    The `type` of every message the client sends to the server.

    - `USER_MESSAGE`: the user's message, which starts a response.
    """

    USER_MESSAGE = "USER_MESSAGE"


class EServerMessage(str, Enum):
    """
    The `type` of every message the server sends to the client.

    - `STATUS`: Sent by the server once, as the first frame after the connection opens.
    - `ERROR`: An unspecified failure of the agent; ends the response in flight.
    - `GRACEFUL_DISCONNECT`: Sent before the agent's container shuts down; the connection closes after it.
    - `AGENT_EVENT_TEXT_CHUNK`: A chunk of the answer's text.
    - `AGENT_EVENT_TOOL_CALL_CHUNK`: A piece of a tool call: the tool's name and/or a chunk of its JSON arguments.
    - `AGENT_EVENT_TOOL_RESULT`: A tool finished and returned its result.
    - `AGENT_EVENT_CUSTOM_UPDATE`: Progress reported from inside a tool.
    - `AGENT_EVENT_END`: The answer is complete.
    """

    STATUS = "STATUS"
    ERROR = "ERROR"
    GRACEFUL_DISCONNECT = "GRACEFUL_DISCONNECT"
    AGENT_EVENT_TEXT_CHUNK = "AGENT_EVENT_TEXT_CHUNK"
    AGENT_EVENT_TOOL_CALL_CHUNK = "AGENT_EVENT_TOOL_CALL_CHUNK"
    AGENT_EVENT_TOOL_RESULT = "AGENT_EVENT_TOOL_RESULT"
    AGENT_EVENT_CUSTOM_UPDATE = "AGENT_EVENT_CUSTOM_UPDATE"
    AGENT_EVENT_END = "AGENT_EVENT_END"


AGENT_EVENT_TYPES: Final = (
    EServerMessage.AGENT_EVENT_TEXT_CHUNK,
    EServerMessage.AGENT_EVENT_TOOL_CALL_CHUNK,
    EServerMessage.AGENT_EVENT_TOOL_RESULT,
    EServerMessage.AGENT_EVENT_CUSTOM_UPDATE,
    EServerMessage.AGENT_EVENT_END,
)
"""The message types of ``agent_event.json`` (``AgentEventUnion``), in its order."""


CLIENT_MESSAGE_TYPES: Final = (EClientMessage.USER_MESSAGE,)
"""The message types of ``client_message.json`` (``ClientMessage``), in its order."""


SERVER_MESSAGE_TYPES: Final = (
    EServerMessage.STATUS,
    EServerMessage.ERROR,
    EServerMessage.GRACEFUL_DISCONNECT,
    EServerMessage.AGENT_EVENT_TEXT_CHUNK,
    EServerMessage.AGENT_EVENT_TOOL_CALL_CHUNK,
    EServerMessage.AGENT_EVENT_TOOL_RESULT,
    EServerMessage.AGENT_EVENT_CUSTOM_UPDATE,
    EServerMessage.AGENT_EVENT_END,
)
"""The message types of ``server_message.json`` (``ServerMessage``), in its order."""
