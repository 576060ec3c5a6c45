"""A small agent server on websockets' sans-I/O core, for misbehaviours MockServer cannot show.

It answers every valid USER_MESSAGE with an echo in one chunk and
AGENT_EVENT_END, greets with STATUS and refuses busy chats with 403, like a
good server, unless told to misbehave: send STATUS late, accept a busy chat,
ignore invalid messages, or answer the client's close wrongly (another code,
or no close frame at all). Being sans-I/O, every byte it writes is its own
decision: the asyncio server would answer a close correctly by itself.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field

from websockets.frames import Opcode
from websockets.http11 import Request
from websockets.server import ServerProtocol

_PATH = re.compile(r"/v1/agent_ws/([^/]+)/$")


@dataclass
class RawAgentServer:
    status_delay: float = 0.0
    """Seconds between the handshake and STATUS."""
    accept_busy: bool = False
    """Accept a second connection to a held chat (and greet it) instead of HTTP 403."""
    answer_invalid: bool = True
    """Answer an invalid client message with ERROR INVALID_MESSAGE (else ignore it)."""
    close_reply: int | None = 1000
    """The code that answers the client's close; None cuts the connection instead."""
    silent: bool = False
    """Open the WebSocket, then never send anything nor answer a close."""
    refuse_fields: frozenset[str] = frozenset()
    """Answer a USER_MESSAGE holding one of these fields with ERROR INVALID_MESSAGE."""
    answer_pings: bool = True
    """Answer pings with pongs (else drop them, as a hung server would)."""
    port: int = 0
    held: set[str] = field(default_factory=set)
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    async def __aenter__(self) -> RawAgentServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        protocol = ServerProtocol(max_size=None)
        chat: str | None = None
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    protocol.receive_eof()
                else:
                    protocol.receive_data(data)
                for event in protocol.events_received():
                    if isinstance(event, Request):
                        chat = self._handshake(protocol, event)
                        _flush(protocol, writer)
                        if chat is not None and not self.silent:
                            self._spawn(self._greet(protocol, writer))
                    elif event.opcode is Opcode.TEXT and not self.silent:
                        self._answer(protocol, event.data.decode())
                    elif event.opcode is Opcode.PING and not self.answer_pings:
                        protocol.data_to_send()  # drop websockets' pong
                    elif event.opcode is Opcode.CLOSE:
                        protocol.data_to_send()  # drop websockets' own, correct, answer
                        if self.close_reply is not None and not self.silent:
                            payload = self.close_reply.to_bytes(2, "big")
                            writer.write(bytes([0x88, len(payload)]) + payload)
                            await writer.drain()
                        if not self.silent:
                            return
                        continue
                if not self.silent:
                    _flush(protocol, writer)
                if not data:
                    return
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if chat is not None:
                self.held.discard(chat)
            writer.close()
            self._tasks.discard(task)

    def _handshake(self, protocol: ServerProtocol, request: Request) -> str | None:
        match = _PATH.fullmatch(request.path)
        chat = match.group(1) if match else None
        if chat is None or (chat in self.held and not self.accept_busy):
            protocol.send_response(protocol.reject(403, ""))
            return None
        protocol.send_response(protocol.accept(request))
        self.held.add(chat)
        return chat

    async def _greet(self, protocol: ServerProtocol, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(self.status_delay)
        if protocol.state.name == "OPEN":  # the client may have left meanwhile
            _send(protocol, writer, {"type": "STATUS"})

    def _answer(self, protocol: ServerProtocol, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        if (
            isinstance(message, dict)
            and message.get("type") == "USER_MESSAGE"
            and isinstance(message.get("text"), str)
            and not self.refuse_fields & set(message)
        ):
            for reply in (
                {"type": "AGENT_EVENT_TEXT_CHUNK", "text": f"You said: {message['text']}"},
                {"type": "AGENT_EVENT_END", "tokens_used": 1},
            ):
                protocol.send_text(json.dumps(reply).encode())
        elif self.answer_invalid:
            error = {"type": "ERROR", "code": "INVALID_MESSAGE", "details": "not a USER_MESSAGE"}
            protocol.send_text(json.dumps(error).encode())

    def _spawn(self, coroutine: object) -> None:
        task = asyncio.ensure_future(coroutine)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _send(
    protocol: ServerProtocol, writer: asyncio.StreamWriter, message: dict[str, object]
) -> None:
    protocol.send_text(json.dumps(message).encode())
    _flush(protocol, writer)


def _flush(protocol: ServerProtocol, writer: asyncio.StreamWriter) -> None:
    for chunk in protocol.data_to_send():
        if chunk:
            writer.write(chunk)
