"""Misbehaving WebSocket clients against the test server and the recording proxy.

Each case of :data:`CASES` misbehaves on one raw connection (:mod:`support.raw_client`)
against a server at 127.0.0.1:``port``, calls ``well_behaved()`` (a chat through the
same server) while it misbehaves, and checks how the server dealt with it (the close
code of RFC 6455, or a refusal). :func:`running_targets` starts the servers as child
processes: ``mock-server``, and ``record --validate`` in front of another
``mock-server``, so that each one's peak memory (``VmHWM``) is its own. Shared by
tests/test_hostile_clients.py and bench/bench_hostile.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lambda_agent_api.transport.agent_api import AgentApi, AgentException
from support.inbox import WAIT
from support.raw_client import (
    CLOSE,
    CONT,
    PING,
    PONG,
    TEXT,
    RawClient,
    frame,
    handshake,
    peak_kib,
)

COMMAND = [sys.executable, "-m", "lambda_agent_api"]
FLOOD_MIB = 32
"""The pings of the flood case: a server that queued a pong for each would grow by as much."""
HANDSHAKE_GUARD = 60.0
"""Long enough for the servers' handshake timeouts (10 s; the proxy's 15 s) on a loaded
machine, short enough to catch a connection that is never closed."""

_chats = itertools.count(1000)


@dataclass
class Target:
    """A server under attack: its name, process and port."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    startup_kib: int

    @property
    def pid(self) -> int:
        return self.process.pid


def start(args: list[str], log: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Start a command whose first output line says where it listens; return it and its port."""
    # Output goes to a file: a pipe nobody reads could fill and block the server.
    with log.open("wb") as out:
        process = subprocess.Popen([*COMMAND, *args], stdout=out, stderr=subprocess.STDOUT)
    deadline = WAIT * 3
    try:
        # Poll the log for the banner: bounded by a guard against a server that never starts.
        for _ in range(int(deadline / 0.05)):
            match = re.search(r"ws://127\.0\.0\.1:(\d+)/", log.read_text(errors="replace"))
            if match:
                return process, int(match.group(1))
            if process.poll() is not None:
                break
            time.sleep(0.05)
    except BaseException:
        process.kill()
        raise
    process.kill()
    raise AssertionError(f"{args[0]} did not start: {log.read_text(errors='replace')!r}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def running_targets(directory: Path) -> Iterator[dict[str, Target]]:
    """Run ``mock-server``, and ``record --validate`` in front of another one; yield them
    by name (``mock-server``, ``record``); stop them all at the end."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        mock, mock_port = start(["mock-server", "--port", "0"], directory / "mock.log")
        started.append(mock)
        upstream, upstream_port = start(
            ["mock-server", "--port", "0", "-q"], directory / "upstream.log"
        )
        started.append(upstream)
        record_args = [
            "record",
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            f"ws://127.0.0.1:{upstream_port}/",
            "--validate",
            "-o",
            str(directory / "capture.jsonl"),
        ]
        proxy, proxy_port = start(record_args, directory / "record.log")
        started.append(proxy)
        yield {
            "mock-server": Target(
                "mock-server", mock, mock_port, directory / "mock.log", peak_kib(mock.pid)
            ),
            "record": Target(
                "record", proxy, proxy_port, directory / "record.log", peak_kib(proxy.pid)
            ),
        }
    finally:
        for process in started:
            stop(process)


async def chat(port: int, chat_id: int | None = None) -> str:
    """A well-behaved client's chat: connect, ask, get the whole reply; return its text."""
    chat_id = next(_chats) if chat_id is None else chat_id
    api = AgentApi(
        "well-behaved", f"ws://127.0.0.1:{port}/", chat_id=chat_id, response_timeout=WAIT
    )
    async with api:
        reply = await asyncio.wait_for(api.ask(f"hello {chat_id}"), WAIT)
    assert reply.text == f"You said: hello {chat_id}"
    return reply.text


Chat = Callable[[], Awaitable[str]]


def _path(chat_id: int) -> str:
    return f"/v1/agent_ws/{chat_id}/"


async def _open(port: int, receive_buffer: int | None = None) -> RawClient:
    client = await RawClient.open(port, _path(next(_chats)), receive_buffer)
    status = json.loads(await client.read_text())
    assert status["type"] == "STATUS"
    return client


async def _closed_with(client: RawClient, code: int) -> None:
    """Read until the server closes with ``code`` and ends the connection."""
    answer = await client.until_closed()
    assert answer.close_code == code, answer
    assert answer.ended


# The cases: each misbehaves, lets the well-behaved chat run meanwhile, and checks the end.


async def garbage_before_handshake(port: int, well_behaved: Chat) -> None:
    client = await RawClient.connect(port)
    await client.send(b"\x16\x03\x01\x02\x00" + bytes(range(256)) * 16 + b"\r\n\r\n")
    await well_behaved()
    assert await client.read_status() in (400, None)  # refused, or cut
    assert (await client.until_closed()).ended


async def garbage_after_handshake(port: int, well_behaved: Chat) -> None:
    client = await _open(port)
    await client.send(b"GARBAGE\r\n" * 1000)  # 'G': reserved bits set
    await well_behaved()
    await _closed_with(client, 1002)


async def huge_length_header(port: int, well_behaved: Chat) -> None:
    client = await _open(port)
    # Claims 2**63 - 1 bytes; only the header and a few bytes follow.
    await client.send(frame(b"{", length=2**63 - 1))
    await well_behaved()
    await _closed_with(client, 1009)


async def fragments_never_finished(port: int, well_behaved: Chat) -> None:
    client = await _open(port)
    piece = b"x" * (1 << 20)
    await client.send(frame(b'{"type":"USER_MESSAGE","text":"' + piece, TEXT, fin=False))
    chatted = False
    try:
        for count in range(24):  # never FIN: 24 MiB in all, over the 16 MiB limit
            await client.send(frame(piece, CONT, fin=False))
            if count == 3:
                await well_behaved()
                chatted = True
    except ConnectionError:
        pass  # closed under the writes: the answer says how
    if not chatted:
        await well_behaved()
    await _closed_with(client, 1009)


async def fragment_left_open_then_reset(port: int, well_behaved: Chat) -> None:
    chat_id = next(_chats)
    client = await RawClient.open(port, _path(chat_id))
    await client.read_text()  # STATUS
    await client.send(frame(b'{"type":"USER_MESSAGE","text":"' + b"x" * 65536, TEXT, fin=False))
    await well_behaved()
    client.reset()
    # The chat it held is released: a well-behaved client gets it (a held chat is refused).
    refusals: list[str] = []
    for _ in range(100):
        try:
            await chat(port, chat_id)
            break
        except AgentException as error:
            refusals.append(str(error))
        await asyncio.sleep(0.1)  # the server has not seen the reset yet
    else:
        raise AssertionError(f"chat {chat_id} is still held after its client's reset")
    assert all("busy" in refusal for refusal in refusals), refusals


async def slowloris_handshake(port: int, well_behaved: Chat) -> None:
    client = await RawClient.connect(port)
    request = handshake(_path(next(_chats)), port)[:-2]  # never the blank line

    async def drip() -> None:
        for byte in itertools.chain(request, itertools.cycle(b"X-Slow: 1\r\n")):
            await client.send(bytes([byte]))
            await asyncio.sleep(0.2)

    dripping = asyncio.create_task(drip())
    try:
        await well_behaved()
        # The server gives up on the handshake (its open timeout) and cuts the connection.
        answer = await asyncio.wait_for(client.until_closed(HANDSHAKE_GUARD), HANDSHAKE_GUARD)
        assert answer.ended
    finally:
        dripping.cancel()
        await asyncio.gather(dripping, return_exceptions=True)


async def unmasked_frame(port: int, well_behaved: Chat) -> None:
    client = await _open(port)
    await client.send(frame(b'{"type":"USER_MESSAGE","text":"hi"}', mask=False))
    await well_behaved()
    await _closed_with(client, 1002)


async def invalid_utf8_text(port: int, well_behaved: Chat) -> None:
    client = await _open(port)
    await client.send(frame(b'{"type":"USER_MESSAGE","text":"\xff\xfe\xc0\xaf"}'))
    await well_behaved()
    await _closed_with(client, 1007)


async def control_frame_too_long(port: int, well_behaved: Chat) -> None:
    client = await _open(port)
    await client.send(frame(b"p" * 126, PING))  # a control frame holds 125 bytes at most
    await well_behaved()
    await _closed_with(client, 1002)


async def fragmented_ping(port: int, well_behaved: Chat) -> None:
    client = await _open(port)
    await client.send(frame(b"p", PING, fin=False))  # control frames are never fragmented
    await well_behaved()
    await _closed_with(client, 1002)


async def ping_flood_never_read(port: int, well_behaved: Chat) -> None:
    client = await _open(port, receive_buffer=16 * 1024)
    block = frame(b"p" * 125, PING) * 8192  # 1 MiB of pings, each answered by a pong
    sent = 0

    async def flood() -> None:
        nonlocal sent
        # FLOOD_MIB, or until the server stops reading (TCP pushes back: the drain waits).
        while sent < FLOOD_MIB << 20:
            client.writer.write(block)
            try:
                await asyncio.wait_for(client.writer.drain(), 2.0)
            except (TimeoutError, asyncio.TimeoutError):
                return
            sent += len(block)

    flooding = asyncio.create_task(flood())
    try:
        await well_behaved()
        await asyncio.wait_for(flooding, WAIT * 12)
        # RFC 6455 5.5.3: the pongs of older pings may be left out, never the latest's.
        await client.send(frame(b"the last ping", PING))
        await client.sent_all(WAIT * 6)  # read by the server while its writes are held
        assert await asyncio.wait_for(_pong(client, b"the last ping"), WAIT)
    finally:
        flooding.cancel()
        await asyncio.gather(flooding, return_exceptions=True)
        client.reset()
    await well_behaved()  # and after it


async def _pong(client: RawClient, payload: bytes) -> bool:
    """Read frames until the pong of ``payload``; False if the connection ends first."""
    while (got := await client.read_frame()) is not None:
        if got == (PONG, payload):
            return True
    return False


async def _long_number(port: int, well_behaved: Chat, digits: int) -> None:
    client = await _open(port)
    message = b'{"type":"USER_MESSAGE","text":"hi","n":' + b"7" * digits + b"}"
    big = frame(message)
    await client.send(big)
    # Once the server has read it all, the other chat runs: a server converting the
    # number (seconds to minutes) could not even answer its handshake meanwhile.
    await client.sent_all()
    await well_behaved()
    answer = json.loads(await client.read_text())
    assert (answer["type"], answer["code"]) == ("ERROR", "INVALID_MESSAGE"), answer
    await client.send(frame(b"\x03\xe8", CLOSE))
    await _closed_with(client, 1000)


async def million_digit_number(port: int, well_behaved: Chat) -> None:
    await _long_number(port, well_behaved, 1_000_000)


async def four_million_digit_number(port: int, well_behaved: Chat) -> None:
    # Converting it would take minutes (the time grows with the square of the digits).
    await _long_number(port, well_behaved, 4_000_000)


async def reset_mid_handshake(port: int, well_behaved: Chat) -> None:
    client = await RawClient.connect(port)
    await client.send(handshake(_path(next(_chats)), port)[:40])
    client.reset()
    await well_behaved()


async def reset_mid_frame(port: int, well_behaved: Chat) -> None:
    client = await _open(port)
    await client.send(frame(b"x" * 1000)[:200])
    client.reset()
    await well_behaved()


CASES = [
    garbage_before_handshake,
    garbage_after_handshake,
    huge_length_header,
    fragments_never_finished,
    fragment_left_open_then_reset,
    slowloris_handshake,
    unmasked_frame,
    invalid_utf8_text,
    control_frame_too_long,
    fragmented_ping,
    ping_flood_never_read,
    million_digit_number,
    four_million_digit_number,
    reset_mid_handshake,
    reset_mid_frame,
]
