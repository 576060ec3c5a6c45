"""The v1.1 client module, kept so that v1.1 code runs unchanged.

``from lambda_agent_api.agent_api import AgentApi, AgentException, AgentBusyException``
works as it did in v1.1. The client lives in :mod:`lambda_agent_api.transport.agent_api`;
new code may import it from there, or ``from lambda_agent_api import AgentApi``.
"""

from lambda_agent_api.exceptions import AgentBusyException, AgentException
from lambda_agent_api.transport.agent_api import (
    AgentApi,
    Callback,
    CaptureTarget,
    DisconnectCallback,
    ResponseStream,
    UnknownMessage,
    agent_url,
)

__all__ = [
    "AgentApi",
    "AgentBusyException",
    "AgentException",
    "Callback",
    "CaptureTarget",
    "DisconnectCallback",
    "ResponseStream",
    "UnknownMessage",
    "agent_url",
]
