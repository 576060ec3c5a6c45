"""lambda_agent_api: the schema-first package for the Lambda Agent WebSocket protocol.

- :mod:`lambda_agent_api.messages`: the message models and parsers (generated from the schema);
- :mod:`lambda_agent_api.schemas`: the JSON Schema files themselves;
- :mod:`lambda_agent_api.exceptions`: every exception the package raises;
- :mod:`lambda_agent_api.server` and :mod:`lambda_agent_api.client`: the v1.1 modules.
"""

from lambda_agent_api.exceptions import AgentBusyException, AgentException, LambdaAgentApiError

__all__ = [
    "PROTOCOL_VERSION",
    "AgentBusyException",
    "AgentException",
    "LambdaAgentApiError",
    "__version__",
]

__version__ = "1.2.0.dev0"
"""The package's version."""

PROTOCOL_VERSION = "1.1"
"""The version of the protocol this package speaks."""
