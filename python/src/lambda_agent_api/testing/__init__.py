"""Test your client against a real server: ``MockServer`` speaks the protocol on 127.0.0.1.

::

    from lambda_agent_api.testing import MockServer, text_reply

    async with MockServer([*text_reply("Hello!", tokens_used=3)]) as server:
        async with AgentApi("bot", server.base_url, chat_id=1) as api:
            reply = await api.ask("hi")
    assert reply.text == "Hello!"

A script is a list of actions (server messages, and :class:`Raw`,
:class:`Binary`, :class:`Drop`, :class:`Freeze`, :class:`Close` to misbehave on demand) or a
function of the user's message that returns one. See ``docs/python/testing.md``.

:func:`probe` tests the other side: it scores a live agent server against the protocol
(``docs/python/probe.md``).
"""

from lambda_agent_api.probe.runner import probe
from lambda_agent_api.testing.actions import (
    Action,
    Binary,
    Close,
    Drop,
    Freeze,
    Raw,
    text_reply,
    tool_call,
)
from lambda_agent_api.testing.replay import Difference, ReplayServer, load_recording
from lambda_agent_api.testing.server import BusyShape, ChatFinding, MockServer, Script, echo_script

__all__ = [
    "Action",
    "Binary",
    "BusyShape",
    "ChatFinding",
    "Close",
    "Difference",
    "Drop",
    "Freeze",
    "MockServer",
    "Raw",
    "ReplayServer",
    "Script",
    "echo_script",
    "load_recording",
    "probe",
    "text_reply",
    "tool_call",
]
