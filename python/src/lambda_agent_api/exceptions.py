"""Every exception the package raises.

::

    LambdaAgentApiError              root: catch this to catch everything below
    ├── CaptureError                 a capture of traffic cannot be read at all
    └── AgentException               talking to an agent failed (code, details), as in v1.1
        └── AgentBusyException       the chat, or this connection, is busy
"""

from __future__ import annotations

__all__ = ["AgentBusyException", "AgentException", "CaptureError", "LambdaAgentApiError"]


class LambdaAgentApiError(Exception):
    """The root of every exception raised by lambda_agent_api."""


class CaptureError(LambdaAgentApiError):
    """A capture of traffic cannot be read at all: unreadable, or not in the format it claims.

    A single bad record is not an error: readers report it and go on.
    """


class AgentException(LambdaAgentApiError):
    """Talking to the agent failed.

    ``code`` is machine-readable (``TIMEOUT``, ``INVALID_STATUS``,
    ``UNEXPECTED_MSG_TYPE``, ``CONNECTION_ERROR``, ``NOT_CONNECTED``,
    ``PARSE_ERROR``, or the code of the server's ``ERROR`` message);
    ``details`` says what happened.
    """

    def __init__(self, code: str, details: str) -> None:
        super().__init__(code, details)
        self.code = code
        self.details = details

    def __str__(self) -> str:
        return f"{self.code}: {self.details}"


class AgentBusyException(AgentException):
    """The chat is held by another client, or this connection already has a request in flight.

    Raised as ``AgentBusyException("...")`` as in v1.1; its ``code`` is ``AGENT_BUSY``.
    """

    def __init__(self, details: str, code: str = "AGENT_BUSY") -> None:
        super().__init__(code, details)
