"""Misbehaving WebSocket clients, byte by byte, against the test server and the recording proxy.

The servers run as child processes of their own: ``mock-server``, and ``record
--validate`` in front of another ``mock-server``, so that a server's peak memory
(``VmHWM``, reset before each case) is its alone. Each case
(tests/support/hostile_clients.py) misbehaves on one raw connection while a
well-behaved client chats through the same server. The case passes when the server
deals with the bad connection as RFC 6455 says (the close code, or a refusal), the chat
completes meanwhile, and the server's peak memory grows by tens of MiB at most. Every
wait is a guard against a hang (:data:`~support.inbox.WAIT`, or the server's own
handshake timeout), never a measure of speed: bench/bench_hostile.py measures.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator

import pytest
from support.hostile_clients import (
    CASES,
    Chat,
    Target,
    chat,
    ping_flood_never_read,
    running_targets,
    slowloris_handshake,
)
from support.raw_client import RawClient, peak_kib, reset_peak

GROWTH_MIB = 64
"""How much a server's peak memory may grow on one case: a 16 MiB frame, assembled and
copied, fits."""
FLOOD_GROWTH_MIB = 16
"""How much a server's peak memory may grow while a client floods pings and never reads
(FLOOD_MIB of them: a pong queued for each grew it by about 0.8 of that)."""


@pytest.fixture(scope="module")
def targets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Target]]:
    with running_targets(tmp_path_factory.mktemp("hostile-clients")) as running:
        yield running


async def _attack(target: Target, case: Callable[[int, Chat], Awaitable[None]]) -> None:
    """Run ``case`` against ``target``; check the chat, the process and its peak memory."""
    # Where the peak cannot be reset, it is bounded from the server's start: stricter.
    before = peak_kib(target.pid) if reset_peak(target.pid) else target.startup_kib
    chats: list[str] = []

    async def well_behaved() -> str:
        chats.append(await chat(target.port))
        return chats[-1]

    await case(target.port, well_behaved)
    assert chats, "the case let no well-behaved client chat"
    assert target.process.poll() is None, target.log.read_text(errors="replace")[-2000:]
    grown = (peak_kib(target.pid) - before) / 1024
    limit = FLOOD_GROWTH_MIB if case is ping_flood_never_read else GROWTH_MIB
    assert grown < limit, f"{target.name}'s peak memory grew {grown:.0f} MiB on {case.__name__}"
    assert "Traceback" not in target.log.read_text(errors="replace")


QUICK_CASES = [case for case in CASES if case is not slowloris_handshake]


@pytest.mark.timeout(180)
@pytest.mark.parametrize("case", QUICK_CASES, ids=[case.__name__ for case in QUICK_CASES])
@pytest.mark.parametrize("name", ["mock-server", "record"])
async def test_a_misbehaving_client_is_dealt_with_while_others_chat(
    targets: dict[str, Target], name: str, case: Callable[[int, Chat], Awaitable[None]]
) -> None:
    try:
        await _attack(targets[name], case)
    finally:
        RawClient.close_all()


@pytest.mark.timeout(180)
async def test_slowloris_handshakes_are_cut_by_both_servers(
    targets: dict[str, Target],
) -> None:
    # Both at once: each waits for its server's handshake timeout (10 s, 15 s).
    try:
        await asyncio.gather(*(_attack(target, slowloris_handshake) for target in targets.values()))
    finally:
        RawClient.close_all()


def test_the_record_proxy_validated_the_long_numbers(targets: dict[str, Target]) -> None:
    # Runs after the cases (module order): record --validate reported each long number.
    log = targets["record"].log.read_text(errors="replace")
    assert "F006" in log, log[-2000:]
    assert os.path.getsize(targets["record"].log) < 1 << 20  # findings, not frames
