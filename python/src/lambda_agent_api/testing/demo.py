"""The demo script of ``lambda-agent-api mock-server``: a little of everything the protocol has.

The user's message picks the reply: ``tool`` streams a tool call and its
result, ``progress`` sends custom updates, ``file`` sends a file, ``error``
fails with ``ERROR``, ``bye`` answers, ends the response, and then says
``GRACEFUL_DISCONNECT`` (between responses, as a server shutting down does: rule
P006 forbids it in the middle of one); anything else is echoed in chunks.
"""

from __future__ import annotations

from lambda_agent_api.protocol.messages import (
    MsgError,
    MsgEventCustomUpdate,
    MsgEventSendFile,
    MsgGracefulDisconnect,
    MsgUserMessage,
)
from lambda_agent_api.testing.actions import Action, text_reply, tool_call

__all__ = ["HELP", "demo_script"]

HELP = (
    "say 'tool', 'progress', 'file', 'error' or 'bye' to see those messages; "
    "anything else is echoed"
)
"""One line that tells a user what the demo answers to."""


def demo_script(message: MsgUserMessage) -> list[Action]:
    """Answer a user message as the demo server does."""
    text = message.text.strip().lower()
    tokens = len(message.text.split())
    if "tool" in text:
        return [
            *tool_call("web_search", {"query": message.text}, {"hits": 3, "top": "example.org"}),
            *text_reply("I searched the web: 3 hits.", tokens_used=tokens),
        ]
    if "progress" in text:
        updates: list[Action] = [
            MsgEventCustomUpdate(payload={"status": "working", "progress": p / 4})
            for p in range(1, 5)
        ]
        return [*updates, *text_reply("Done.", tokens_used=tokens)]
    if "file" in text:
        return [MsgEventSendFile(path="demo/report.txt"), *text_reply("Here is your file.")]
    if "error" in text:
        return [MsgError(code="DEMO_ERROR", details="You asked for an error.")]
    if text == "bye":
        # After AGENT_EVENT_END, not instead of it: in the middle of a response it breaks P006.
        return [*text_reply("Goodbye.", tokens_used=tokens), MsgGracefulDisconnect()]
    attachments = f" (attachments: {', '.join(message.attachments)})" if message.attachments else ""
    return text_reply(f"You said: {message.text}{attachments}", tokens_used=tokens)
