"""lambda_agent_api: the schema-first package for the Lambda Agent WebSocket protocol.

The package is laid out by layer, each importing only the layers above it:

- :mod:`lambda_agent_api.protocol`: the sans-I/O core: the message models (generated
  from the schema), the transition table, the rules, the conversation, the client
  protocol and whole replies; no asyncio, no sockets;
- :mod:`lambda_agent_api.capture`: the capture format, its writer, and streaming
  readers for JSON Lines and HAR;
- :mod:`lambda_agent_api.check`: the traffic checker and its diagnostics;
- :mod:`lambda_agent_api.transport`: the asyncio adapters on ``websockets``: the
  client :class:`~lambda_agent_api.transport.agent_api.AgentApi` and the recording proxy;
- :mod:`lambda_agent_api.testing`: a real protocol server on 127.0.0.1 for tests;
- :mod:`lambda_agent_api.cli`: the ``lambda-agent-api`` command;
- :mod:`lambda_agent_api.schemas`: the JSON Schema files themselves;
- :mod:`lambda_agent_api.exceptions`: every exception the package raises;
- :mod:`lambda_agent_api.agent_api`, :mod:`lambda_agent_api.server` and
  :mod:`lambda_agent_api.client`: the v1.1 modules, kept for compatibility.

``from lambda_agent_api import AgentApi`` works, but the package imports it
(and ``websockets``) only when it is first asked for, so that importing the
core loads no I/O stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lambda_agent_api.exceptions import (
        AgentBusyException,
        AgentException,
        LambdaAgentApiError,
    )
    from lambda_agent_api.transport.agent_api import AgentApi

__all__ = [
    "PROTOCOL_VERSION",
    "AgentApi",
    "AgentBusyException",
    "AgentException",
    "LambdaAgentApiError",
    "__version__",
]

__version__ = "1.2.0.dev0"
"""The package's version."""

PROTOCOL_VERSION = "1.1"
"""The version of the protocol this package speaks."""

# Each lazily imported name, and the module that defines it (PEP 562).
_LAZY = {
    "AgentApi": "lambda_agent_api.transport.agent_api",
    "AgentBusyException": "lambda_agent_api.exceptions",
    "AgentException": "lambda_agent_api.exceptions",
    "LambdaAgentApiError": "lambda_agent_api.exceptions",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup skips __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
