"""The asyncio adapters on ``websockets``: they own sockets, tasks and timeouts.

- :mod:`~lambda_agent_api.transport.agent_api`: ``AgentApi``, the client;
- :mod:`~lambda_agent_api.transport.proxy`: ``RecordingProxy``, the recording proxy
  behind ``lambda-agent-api record``.

What each frame means is decided by the sans-I/O core, :mod:`lambda_agent_api.protocol`.
"""
