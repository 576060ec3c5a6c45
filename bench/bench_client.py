"""How fast AgentApi streams, against a raw websockets loop over the same server in the same run.

    python bench/bench_client.py [--events 100000] [--rounds 7] [--connects 200]

A minimal ``websockets`` server runs in a child process and answers every
message with ``--events`` pre-encoded ``AGENT_EVENT_TEXT_CHUNK`` frames and an
``AGENT_EVENT_END`` (see ``streaming.py``). First its own send rate is
measured, read by a bare socket that does no per-frame work: the baseline must
run clearly below it, or the server would cap both sides and hide the client's
cost (the benchmark says so and fails the check). Then each round streams one
response through:

- raw: ``websockets`` ``recv()`` and pydantic ``TypeAdapter(ServerMessage)
  .validate_json`` per frame, the least a v1.1 client does (the baseline);
- strict raw: ``recv()`` and the package's strict ``parse_server_message``;
- AgentApi: ``async for`` over ``AgentApi.send_message``.

Rounds interleave the loops, and the order within a round rotates, so that
drift in the machine's speed and the place in a round hit every loop alike. The
ratio is the median of the per-round ratios (AgentApi over the raw round next to
it; target: AgentApi >= 0.90x raw), printed with its spread (min, quartiles,
max); the same by CPU time of this process (user + system, less moved by
whatever else the machine runs), with the CPU microseconds per event of each
loop. The load average is recorded before and after: numbers from a machine
with a load of 2 or more (two cores) are marked as not quiet. The hand-written
v1.1 SDK (aiohttp) is not measured: it is not part of this repository (its
source is not available to the benchmark). Then connect-to-STATUS latency:
``AgentApi.connect()`` against a raw connect and first ``recv()``. Results go
to bench/results/client.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import websockets
from streaming import (
    client_round,
    drain_round,
    raw_connect,
    raw_round,
    start_server,
    stop,
    strict_raw_round,
)

from lambda_agent_api import __version__
from lambda_agent_api.transport.agent_api import AgentApi

RESULTS = Path(__file__).parent / "results" / "client.json"
TARGET = 0.90
SERVER_HEADROOM = 0.8  # the baseline must run at most this fraction of the server's rate
QUIET_LOAD = 2.0  # a 1-minute load average below this (two cores): a quiet machine


async def client_connect(base: str) -> float:
    """Seconds from AgentApi.connect() to its return (STATUS received)."""
    api = AgentApi("bench", base, chat_id="latency")
    start = time.perf_counter()
    await api.connect()
    elapsed = time.perf_counter() - start
    await api.close()
    return elapsed


def spread(samples: list[float]) -> dict[str, float]:
    """Median, min, quartiles and max of ``samples``."""
    ordered = sorted(samples)
    low, _, high = statistics.quantiles(ordered, n=4) if len(ordered) > 1 else ordered * 3
    return {
        "median": round(statistics.median(ordered), 3),
        "min": round(ordered[0], 3),
        "q1": round(low, 3),
        "q3": round(high, 3),
        "max": round(ordered[-1], 3),
    }


def summary_ms(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {
        "median": round(statistics.median(ms), 3),
        "p95": round(ms[max(int(len(ms) * 0.95) - 1, 0)], 3),
        "min": round(ms[0], 3),
    }


LOOPS = {"raw": raw_round, "strict raw": strict_raw_round, "AgentApi": client_round}


async def measure(args: argparse.Namespace) -> dict[str, object]:
    server = await start_server(args.events)
    base = server.base
    expected = args.events + 1
    try:
        await drain_round(server, "warm-up-drain")
        server_rates = [await drain_round(server, f"drain-{i}") for i in range(3)]
        wall: dict[str, list[float]] = {name: [] for name in LOOPS}
        cpu: dict[str, list[float]] = {name: [] for name in LOOPS}
        for name, loop in LOOPS.items():
            await loop(base, f"warm-up-{name.replace(' ', '-')}", expected)
        names = list(LOOPS)
        for i in range(args.rounds):
            # Each loop runs first, second and last in turn.
            for name in names[i % len(names) :] + names[: i % len(names)]:
                rate = await LOOPS[name](base, f"{name.replace(' ', '-')}-{i}", expected)
                wall[name].append(rate.per_s)
                cpu[name].append(rate.per_cpu_s)
            # The server's ceiling is measured between rounds too: the machine's load drifts.
            server_rates.append(await drain_round(server, f"drain-{i}"))
            print(
                f"  round {i + 1}: "
                + "   ".join(f"{name} {wall[name][-1]:8.0f}" for name in LOOPS)
                + f"   server {server_rates[-1]:8.0f} ev/s"
            )
        raw_connects = [await raw_connect(base, "latency") for _ in range(args.connects)]
        client_connects = [await client_connect(base) for _ in range(args.connects)]
    finally:
        await stop(server)
    load_after = os.getloadavg()[0]
    median = {name: statistics.median(rates) for name, rates in wall.items()}
    median_cpu = {name: statistics.median(rates) for name, rates in cpu.items()}
    server_median = statistics.median(server_rates)
    per_round = [c / r for c, r in zip(wall["AgentApi"], wall["raw"], strict=True)]
    per_round_cpu = [c / r for c, r in zip(cpu["AgentApi"], cpu["raw"], strict=True)]
    ratio = statistics.median(per_round)
    headroom = median["raw"] / server_median
    return {
        "benchmark": "client",
        "package_version": __version__,
        "python": platform.python_version(),
        "websockets": websockets.__version__,
        "machine": f"{platform.machine()} {platform.system()}",
        "cpus": os.cpu_count(),
        "events_per_response": expected,
        "rounds": args.rounds,
        "baseline": "websockets recv() + TypeAdapter(ServerMessage).validate_json per frame",
        "server_send_events_per_s": [round(x) for x in server_rates],
        "server_median_events_per_s": round(server_median),
        "raw_to_server": round(headroom, 3),
        "server_not_the_limit": headroom <= SERVER_HEADROOM,
        "events_per_s": {name: [round(x) for x in rates] for name, rates in wall.items()},
        "median_events_per_s": {name: round(rate) for name, rate in median.items()},
        "events_per_cpu_s": {name: [round(x) for x in rates] for name, rates in cpu.items()},
        "cpu_us_per_event": {name: round(1e6 / rate, 2) for name, rate in median_cpu.items()},
        "ratio": round(ratio, 3),
        "ratio_is": "median of the per-round ratios AgentApi / raw (events per second)",
        "ratio_spread": spread(per_round),
        "ratio_per_round": [round(x, 3) for x in per_round],
        "ratio_of_medians": round(median["AgentApi"] / median["raw"], 3),
        "ratio_strict_raw_to_raw": round(median["strict raw"] / median["raw"], 3),
        "ratio_to_strict_raw": round(median["AgentApi"] / median["strict raw"], 3),
        "cpu_ratio": round(statistics.median(per_round_cpu), 3),
        "cpu_ratio_spread": spread(per_round_cpu),
        "target_ratio": TARGET,
        "meets_target": ratio >= TARGET,
        "load_average_before": round(args.load_before, 2),
        "load_average_after": round(load_after, 2),
        "quiet": max(args.load_before, load_after) < QUIET_LOAD,
        "connects": args.connects,
        "connect_to_status_ms": {
            "raw": summary_ms(raw_connects),
            "client": summary_ms(client_connects),
        },
    }


def _spread_text(spread: object) -> str:
    assert isinstance(spread, dict)
    return f"min {spread['min']} q1 {spread['q1']} q3 {spread['q3']} max {spread['max']}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="text chunks per response")
    parser.add_argument("--rounds", type=int, default=12, help="responses per loop")
    parser.add_argument("--connects", type=int, default=200, help="connections for latency")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args()
    args.load_before = os.getloadavg()[0]
    print(
        f"bench_client: {args.events + 1} events per response, {args.rounds} rounds, "
        f"load average {args.load_before:.2f}"
    )
    results = asyncio.run(measure(args))
    medians = results["median_events_per_s"]
    latency = results["connect_to_status_ms"]
    assert isinstance(medians, dict)
    assert isinstance(latency, dict)
    verdict = (
        "not the limit"
        if results["server_not_the_limit"]
        else "TOO CLOSE: the server may cap the loops"
    )
    print(
        f"server send rate (median, read by a bare socket): "
        f"{results['server_median_events_per_s']} ev/s; raw loop runs at "
        f"{results['raw_to_server']:.2f}x of it "
        f"({verdict})"
    )
    print("events/s (median): " + ", ".join(f"{name} {rate}" for name, rate in medians.items()))
    cpu_us = results["cpu_us_per_event"]
    assert isinstance(cpu_us, dict)
    print("CPU us per event (median): " + ", ".join(f"{n} {us}" for n, us in cpu_us.items()))
    print(
        f"ratio AgentApi / raw = {results['ratio']:.3f}, median of rounds "
        f"(target >= {TARGET:.2f}: {'met' if results['meets_target'] else 'NOT met'}); "
        f"spread {_spread_text(results['ratio_spread'])}; "
        f"per CPU time {results['cpu_ratio']:.3f} "
        f"(spread {_spread_text(results['cpu_ratio_spread'])})"
    )
    print(f"per round {results['ratio_per_round']}")
    print(
        f"load average {results['load_average_before']} before, "
        f"{results['load_average_after']} after: "
        + ("quiet" if results["quiet"] else "NOT quiet, the numbers are noisy")
    )
    print(
        f"ratio strict raw / raw = {results['ratio_strict_raw_to_raw']:.3f}; "
        f"AgentApi / strict raw = {results['ratio_to_strict_raw']:.3f}"
    )
    print(
        f"connect-to-STATUS median: raw {latency['raw']['median']} ms, "
        f"AgentApi {latency['client']['median']} ms "
        f"(p95 {latency['raw']['p95']} / {latency['client']['p95']} ms)"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results: {args.output}")
    return 0 if results["server_not_the_limit"] else 1


if __name__ == "__main__":
    sys.exit(main())
