"""lambda_agent_api: the schema-first package for the Lambda Agent WebSocket protocol.

- :class:`AgentApi` (:mod:`lambda_agent_api.agent_api`): the asyncio client;
- :mod:`lambda_agent_api.replies`: whole replies added up from a response's events;
- :mod:`lambda_agent_api.testing`: a real protocol server on 127.0.0.1 for tests;
- :mod:`lambda_agent_api.messages`: the message models and parsers (generated from the schema);
- :mod:`lambda_agent_api.schemas`: the JSON Schema files themselves;
- :mod:`lambda_agent_api.exceptions`: every exception the package raises;
- :mod:`lambda_agent_api.server` and :mod:`lambda_agent_api.client`: the v1.1 modules.
"""

from lambda_agent_api.agent_api import AgentApi
from lambda_agent_api.exceptions import AgentBusyException, AgentException, LambdaAgentApiError

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
