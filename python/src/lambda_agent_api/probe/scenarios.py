"""The probe's scenarios: each opens its own chat and connection, acts, and records evidence.

A scenario exists to show some checks (:attr:`Scenario.checks`); every
scenario also adds evidence to the checks that hold on all traffic (the
first frame, the validator's rules, how responses end, how closes are
answered). Every wait is bounded by an option of :class:`ProbeOptions`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from websockets.exceptions import ConnectionClosed

from lambda_agent_api.probe.checks import INVALID_MESSAGE_CODE
from lambda_agent_api.probe.connection import (
    Closed,
    HandshakeFailed,
    ProbeConnection,
    Received,
    Unreachable,
)
from lambda_agent_api.probe.context import Context, user_message
from lambda_agent_api.probe.options import ProbeOptions
from lambda_agent_api.protocol.strict_json import show

__all__ = ["INVALID_FRAMES", "SCENARIOS", "Scenario"]

_END, _ERROR = "AGENT_EVENT_END", "ERROR"

INVALID_FRAMES: Final = (
    ("a frame that is not JSON", "this is not JSON"),
    ("a server message type", json.dumps({"type": _END, "tokens_used": 0})),
    ("a USER_MESSAGE without text", json.dumps({"type": "USER_MESSAGE"})),
)
"""The invalid client messages the probe sends: what each is, and its text."""


# The scenarios


async def handshake(ctx: Context) -> None:
    """Connect, wait for STATUS, close."""
    connection = await ctx.connect()
    if connection is not None:
        await ctx.finish(connection)


async def conversation(ctx: Context) -> None:
    """Send every prompt in turn, each after the previous response ended."""
    connection = await ctx.connect()
    if connection is None:
        return
    for number, text in enumerate(ctx.options.messages, 1):
        if await ctx.drain(connection) or not await connection.send(user_message(text)):
            ctx.note(
                "response-ends",
                f"prompts {number} and later were not sent: the connection is closed",
            )
            break
        response = await ctx.read_response(connection)
        ctx.judge_response(response)
        if response.error_code is not None:
            ctx.plain_error_codes.add(response.error_code)
        if response.end not in ("END", "ERROR"):
            break
    await ctx.finish(connection)


async def extra_fields(ctx: Context) -> None:
    """Send a USER_MESSAGE with a field the protocol does not define."""
    await _one_message(
        ctx,
        "extra-fields-tolerated",
        user_message(
            ctx.options.messages[0], probe_extension={"note": "an unknown field; ignore it"}
        ),
    )


async def attachments(ctx: Context) -> None:
    """Send a USER_MESSAGE with attachments (files that need not exist)."""
    await _one_message(
        ctx,
        "attachments-accepted",
        user_message(
            ctx.options.messages[0], attachments=["lambda-agent-api-probe/attachment.txt"]
        ),
        rejecting_codes=(INVALID_MESSAGE_CODE,),
    )


async def _one_message(
    ctx: Context, check_id: str, frame: str, rejecting_codes: tuple[str, ...] = ()
) -> None:
    connection = await ctx.connect()
    if connection is None:
        return
    if await connection.send(frame):
        response = await ctx.read_response(connection)
        ctx.judge_response(response)
        ctx.judge_answered(check_id, response, rejecting_codes)
    else:
        ctx.failed(check_id, f"the connection closed before the message: {_closed(connection)}")
    await ctx.finish(connection)


async def invalid_messages(ctx: Context) -> None:
    """Invalid client messages, each to be answered with ERROR; then a valid one."""
    connection = await ctx.connect()
    if connection is None:
        return
    for what, frame in INVALID_FRAMES:
        if not await connection.send(frame):
            break
        answer = await _await_error(connection, ctx.options.timeout)
        if isinstance(answer, Closed):
            ctx.failed("invalid-message-error", f"{what}: {answer.describe()} instead of ERROR")
            break
        if answer is None:
            ctx.failed(
                "invalid-message-error", f"{what}: no ERROR within {ctx.options.timeout:g} s"
            )
            continue
        code = (answer.message or {}).get("code")
        ctx.passed("invalid-message-error", f"{what}: ERROR {show(code)}")
        if code == INVALID_MESSAGE_CODE:
            ctx.passed("invalid-message-code")
        else:
            ctx.failed(
                "invalid-message-code",
                f"{what}: the ERROR's code is {show(code)}, not {INVALID_MESSAGE_CODE}",
            )
    if connection.closed is not None:
        ctx.failed(
            "invalid-message-usable",
            f"the connection did not stay open: {connection.closed.describe()}",
        )
        await ctx.finish(connection)
        return
    if await connection.send(user_message(ctx.options.messages[0])):
        response = await ctx.read_response(connection)
        ctx.judge_response(response)
        ctx.judge_answered("invalid-message-usable", response)
    else:
        ctx.failed(
            "invalid-message-usable", f"the connection did not stay open: {_closed(connection)}"
        )
    await ctx.finish(connection)


async def _await_error(connection: ProbeConnection, timeout: float) -> Received | Closed | None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        frame = await connection.next(deadline - loop.time())
        if frame is None or isinstance(frame, Closed) or frame.type == _ERROR:
            return frame


async def busy_chat(ctx: Context) -> None:
    """Open a second connection to a chat the first one holds: it must be refused."""
    first = await ctx.connect()
    if first is None:
        return
    check = "busy-refused"
    try:
        second = await ctx.open(ctx.chat())
    except HandshakeFailed as error:
        if error.status == 403:
            ctx.passed(check, "refused with HTTP 403 during the handshake")
        else:
            ctx.failed(
                check,
                f"the second connection failed otherwise: {error}; expected HTTP 403 or close 1008",
            )
    except ConnectionClosed as error:
        _judge_busy_close(
            ctx, Closed(error.rcvd.code, error.rcvd.reason) if error.rcvd else Closed(1006, "")
        )
    except Unreachable as error:
        ctx.failed(check, f"the second connection failed: {error}")
    else:
        frame = await second.next(ctx.status_wait)
        if isinstance(frame, Closed):
            _judge_busy_close(ctx, frame)
        elif frame is None:
            ctx.failed(
                check, f"the second connection was accepted and left open ({ctx.status_wait:g} s)"
            )
        else:
            ctx.failed(
                check, f"the second connection was accepted: its first frame is {frame.describe()}"
            )
        await ctx.finish(second)
    await ctx.finish(first)


def _judge_busy_close(ctx: Context, closed: Closed) -> None:
    if closed.code == 1008:
        reason = f" ({show(closed.reason, 60)})" if closed.reason else " (no reason given)"
        ctx.passed("busy-refused", f"closed with 1008{reason}")
    else:
        ctx.failed("busy-refused", f"{closed.describe()}; expected close code 1008 or HTTP 403")


async def message_in_flight(ctx: Context) -> None:
    """Two USER_MESSAGEs back to back: report what the server does with the second."""
    connection = await ctx.connect(ordered=False)
    if connection is None:
        return
    check = "message-in-flight"
    text = ctx.options.messages[0]
    if not (
        await connection.send(user_message(text)) and await connection.send(user_message(text))
    ):
        ctx.failed(check, f"the connection closed: {_closed(connection)}")
        await ctx.finish(connection)
        return
    ends: list[str] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ctx.options.reply_timeout
    closed: Closed | None = None
    while len(ends) < 2:
        frame = await connection.next(deadline - loop.time())
        if frame is None:
            break
        if isinstance(frame, Closed):
            closed = frame
            break
        if frame.type == _END:
            ends.append("AGENT_EVENT_END")
        elif frame.type == _ERROR:
            ends.append(f"ERROR {show((frame.message or {}).get('code'))}")
        if len(ends) == 1:  # a second end, if any, comes soon after
            deadline = min(deadline, loop.time() + ctx.options.timeout)
    if closed is not None and not ends:
        ctx.passed(check, f"closed the connection: {closed.describe()}")
    elif not ends:  # how a response ends is response-ends' to judge
        ctx.note(
            check, f"no response ended within {ctx.options.reply_timeout:g} s: nothing to tell"
        )
    elif len(ends) == 2:
        if ends[0].startswith("ERROR") and ends[1] == "AGENT_EVENT_END":
            ctx.passed(
                check, f"refused the second message ({ends[0]}), then ended the first response"
            )
        else:
            ctx.passed(check, f"answered both, one after the other ({ends[0]}, then {ends[1]})")
    else:
        then = f"; then {closed.describe()}" if closed else ""
        ctx.passed(check, f"one response only ({ends[0]}): the second message was ignored{then}")
    await ctx.finish(connection)


async def ping(ctx: Context) -> None:
    """Send a WebSocket ping: it must get its pong."""
    connection = await ctx.connect()
    if connection is None:
        return
    took = await connection.ping(ctx.options.timeout)
    if took is None:
        ctx.failed("ping-answered", f"no pong within {ctx.options.timeout:g} s")
    else:
        ctx.passed("ping-answered", f"pong after {took:.3f} s")
    await ctx.finish(connection)


async def idle(ctx: Context) -> None:
    """Stay idle (no message, no ping), then send a message."""
    connection = await ctx.connect()
    if connection is None:
        return
    check = "idle-tolerated"
    seconds = ctx.options.idle
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while connection.closed is None and loop.time() < deadline:
        await connection.next(deadline - loop.time())  # whatever comes is checked as it comes
    if connection.closed is not None:
        ctx.failed(check, f"idle for {seconds:g} s: {connection.closed.describe()}")
    elif await connection.send(user_message(ctx.options.messages[0])):
        response = await ctx.read_response(connection)
        ctx.judge_response(response)
        ctx.judge_answered(check, response)
    else:
        ctx.failed(check, f"idle for {seconds:g} s: {_closed(connection)}")
    await ctx.finish(connection)


def _closed(connection: ProbeConnection) -> str:
    return connection.closed.describe() if connection.closed else "the connection is closed"


@dataclass(frozen=True)
class Scenario:
    """One scripted exchange with the server, on its own chat and connection."""

    name: str
    """Its name, also the end of its chat id."""
    checks: tuple[str, ...]
    """The checks it exists to show: it runs when one of them is selected."""
    run: Callable[[Context], Awaitable[None]]
    budget: Callable[[ProbeOptions], float]
    """The longest it may take, from the options: past it, it is stopped."""


def _base(o: ProbeOptions) -> float:
    # The handshake, STATUS, settling, and the close; and a second for scheduling.
    return 2 * o.timeout + max(o.status_timeout, o.timeout) + o.settle + 1.0


SCENARIOS: Final[tuple[Scenario, ...]] = (
    Scenario("handshake", ("handshake-path", "status-first", "close-answered"), handshake, _base),
    Scenario(
        "conversation",
        (
            "response-ends",
            "tokens-used",
            "tool-call-json",
            "frames-valid",
            "frames-clean",
            "graceful-disconnect-close",
        ),
        conversation,
        lambda o: _base(o) + len(o.messages) * o.reply_timeout,
    ),
    Scenario(
        "extra-fields",
        ("extra-fields-tolerated",),
        extra_fields,
        lambda o: _base(o) + o.reply_timeout,
    ),
    Scenario(
        "attachments", ("attachments-accepted",), attachments, lambda o: _base(o) + o.reply_timeout
    ),
    Scenario(
        "invalid-messages",
        ("invalid-message-error", "invalid-message-code", "invalid-message-usable"),
        invalid_messages,
        lambda o: _base(o) + len(INVALID_FRAMES) * o.timeout + o.reply_timeout,
    ),
    Scenario("busy-chat", ("busy-refused",), busy_chat, lambda o: 2 * _base(o)),
    Scenario(
        "message-in-flight",
        ("message-in-flight",),
        message_in_flight,
        lambda o: _base(o) + o.reply_timeout,
    ),
    Scenario("ping", ("ping-answered",), ping, lambda o: _base(o) + o.timeout),
    Scenario("idle", ("idle-tolerated",), idle, lambda o: _base(o) + o.idle + o.reply_timeout),
)
"""Every scenario, in the order they run."""
