"""Messages the client sends (the v1.1 module, kept for compatibility).

New code may import the same names from :mod:`lambda_agent_api.protocol.messages`.
"""

from lambda_agent_api.protocol.messages import ClientMessage, EClientMessage, MsgUserMessage

__all__ = ["ClientMessage", "EClientMessage", "MsgUserMessage"]
