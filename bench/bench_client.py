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

Rounds alternate, so that drift in the machine's speed hits every loop alike;
the medians give the ratios (target: AgentApi >= 0.90x raw), and the same
ratios per CPU second of this process are printed too (less moved by whatever
else the machine runs). The hand-written v1.1 SDK (aiohttp) is not measured:
it is not part of this repository. Then connect-to-STATUS latency:
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


async def client_connect(base: str) -> float:
    """Seconds from AgentApi.connect() to its return (STATUS received)."""
    api = AgentApi("bench", base, chat_id="latency")
    start = time.perf_counter()
    await api.connect()
    elapsed = time.perf_counter() - start
    await api.close()
    return elapsed


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
        for i in range(args.rounds):
            for name, loop in LOOPS.items():
                rate = await loop(base, f"{name.replace(' ', '-')}-{i}", expected)
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
    median = {name: statistics.median(rates) for name, rates in wall.items()}
    median_cpu = {name: statistics.median(rates) for name, rates in cpu.items()}
    server_median = statistics.median(server_rates)
    ratio = median["AgentApi"] / median["raw"]
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
        "ratio": round(ratio, 3),
        "ratio_per_round": [
            round(c / r, 3) for c, r in zip(wall["AgentApi"], wall["raw"], strict=True)
        ],
        "ratio_strict_raw_to_raw": round(median["strict raw"] / median["raw"], 3),
        "ratio_to_strict_raw": round(median["AgentApi"] / median["strict raw"], 3),
        "cpu_ratio": round(median_cpu["AgentApi"] / median_cpu["raw"], 3),
        "target_ratio": TARGET,
        "meets_target": ratio >= TARGET,
        "connects": args.connects,
        "connect_to_status_ms": {
            "raw": summary_ms(raw_connects),
            "client": summary_ms(client_connects),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="text chunks per response")
    parser.add_argument("--rounds", type=int, default=7, help="responses per loop")
    parser.add_argument("--connects", type=int, default=200, help="connections for latency")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args()
    print(f"bench_client: {args.events + 1} events per response, {args.rounds} rounds")
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
    print(
        f"ratio AgentApi / raw = {results['ratio']:.3f} "
        f"(target >= {TARGET:.2f}: {'met' if results['meets_target'] else 'NOT met'}); "
        f"per round {results['ratio_per_round']}; per CPU second of this process: "
        f"{results['cpu_ratio']:.3f}"
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
