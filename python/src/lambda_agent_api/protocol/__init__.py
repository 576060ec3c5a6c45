"""The sans-I/O core of the protocol: every rule of the protocol, written once.

- :mod:`~lambda_agent_api.protocol.messages`: the message models (generated from the
  schema into ``_models.py``) and their strict parsers;
- :mod:`~lambda_agent_api.protocol.transitions`: the conversation's states and the
  transition table (generated into ``state_machine.py`` by ``codegen/state_machine.py``);
- :mod:`~lambda_agent_api.protocol.rules`: every rule that traffic is checked against
  (data: ``rules.json``);
- :mod:`~lambda_agent_api.protocol.conversation`: one conversation, observed frame by frame;
- :mod:`~lambda_agent_api.protocol.client_protocol`: the client's side of a conversation;
- :mod:`~lambda_agent_api.protocol.replies`: whole replies added up from a response's events;
- :mod:`~lambda_agent_api.protocol.strict_json` and
  :mod:`~lambda_agent_api.protocol.json_types`: JSON as RFC 8259 and the schema define it;
- :mod:`~lambda_agent_api.protocol.limits`: the input limits;
  :mod:`~lambda_agent_api.protocol.text`: text for people (cut, escaped, counted).

Nothing here imports asyncio, sockets or the CLI: the adapters in
:mod:`lambda_agent_api.transport` and :mod:`lambda_agent_api.testing` do the I/O.
"""
