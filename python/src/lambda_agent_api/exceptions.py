"""Every exception the package raises.

::

    LambdaAgentApiError              root: catch this to catch everything below
    ├── CaptureError                 a capture of traffic cannot be read at all
    ├── ProbeError                   the server probe cannot run (bad URL, bad baseline)
    ├── ReplayError                  a capture cannot be replayed, or the client strayed from it
    └── AgentException               talking to an agent failed (code, details), as in v1.1
        └── AgentBusyException       the chat, or this connection, is busy

An :class:`AgentException` may also say how the connection ended
(``close_code``, ``close_reason``), how the handshake was refused
(``http_status``, ``http_body``), or which ``ERROR`` message of the server it
reports (``server_error``); these are ``None`` when they do not apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lambda_agent_api.protocol.messages import MsgError

__all__ = [
    "AgentBusyException",
    "AgentException",
    "CaptureError",
    "LambdaAgentApiError",
    "ProbeError",
    "ReplayError",
]


class LambdaAgentApiError(Exception):
    """The root of every exception raised by lambda_agent_api."""


class CaptureError(LambdaAgentApiError):
    """A capture of traffic cannot be read at all: unreadable, or not in the format it claims.

    A single bad record is not an error: readers report it and go on.
    """


class ProbeError(LambdaAgentApiError):
    """The server probe cannot run: an unusable URL, an unreadable baseline, an unknown check."""


class ReplayError(LambdaAgentApiError):
    """A capture cannot be replayed, or (``strict``) a client sent other than the capture did."""


class AgentException(LambdaAgentApiError):
    """Talking to the agent failed.

    ``code`` is machine-readable: ``TIMEOUT``, ``INVALID_STATUS``,
    ``UNEXPECTED_MSG_TYPE``, ``CONNECTION_ERROR``, ``CONNECTION_CLOSED``,
    ``NOT_CONNECTED``, ``PARSE_ERROR``, or the code of the server's ``ERROR``
    message; ``details`` says what happened.

    ``close_code`` and ``close_reason`` are the WebSocket close code and reason
    when the connection ended (1006 when it dropped without a close frame);
    ``http_status`` and ``http_body`` are the server's answer when it refused
    the handshake. ``server_error`` is the server's ``ERROR`` message when the
    exception reports one (the very object the client's callback is given too),
    so that a server's ``TIMEOUT`` is told apart from the client's own.
    """

    def __init__(
        self,
        code: str,
        details: str,
        *,
        close_code: int | None = None,
        close_reason: str | None = None,
        http_status: int | None = None,
        http_body: str | None = None,
        server_error: MsgError | None = None,
    ) -> None:
        super().__init__(code, details)
        self.code = code
        self.details = details
        self.close_code = close_code
        self.close_reason = close_reason
        self.http_status = http_status
        self.http_body = http_body
        self.server_error = server_error

    def __str__(self) -> str:
        return f"{self.code}: {self.details}"


class AgentBusyException(AgentException):
    """The chat is held by another client, or this connection already has a request in flight.

    Raised as ``AgentBusyException("...")`` as in v1.1; its ``code`` is ``AGENT_BUSY``.
    When a busy chat refused the connection, ``close_code`` (1008) and
    ``close_reason``, or ``http_status`` (403) and ``http_body``, say how.
    """

    def __init__(
        self,
        details: str,
        code: str = "AGENT_BUSY",
        *,
        close_code: int | None = None,
        close_reason: str | None = None,
        http_status: int | None = None,
        http_body: str | None = None,
    ) -> None:
        super().__init__(
            code,
            details,
            close_code=close_code,
            close_reason=close_reason,
            http_status=http_status,
            http_body=http_body,
        )
