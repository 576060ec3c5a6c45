"""The asyncio adapters on ``websockets``: they own sockets, tasks and timeouts.

- :mod:`~lambda_agent_api.transport.agent_api`: ``AgentApi``, the client: the socket,
  its reader task, the callbacks;
- :mod:`~lambda_agent_api.transport.response_stream`: ``ResponseStream``, one response as
  an async iterator, which sees its client through a narrow interface;
- :mod:`~lambda_agent_api.transport.mailbox`: the bounded hand-off from the reader to the
  caller and the callback (backpressure);
- :mod:`~lambda_agent_api.transport.proxy`: ``RecordingProxy``, the recording proxy
  behind ``lambda-agent-api record``;
- :mod:`~lambda_agent_api.transport.urls`: the one place that builds WebSocket URLs, for
  the client and the proxy;
- :mod:`~lambda_agent_api.transport.capture_sink`: ``CaptureSink``, the capture of both
  the client and the proxy, which a failure to write never breaks.

What each frame means is decided by the sans-I/O core, :mod:`lambda_agent_api.protocol`.
"""
