"""How fast AgentApi streams, against a raw websockets loop over the same server in the same run.

    python bench/bench_client.py [--events 100000] [--rounds 7] [--connects 200]

A MockServer runs in a child process (so that its work does not share this
interpreter) and answers every message with ``--events`` text chunks and an
``AGENT_EVENT_END``. Each round streams one response through a raw
``websockets`` receive-and-parse loop (``parse_server_message`` on every
frame: the least a correct client must do) and one through
``AgentApi.send_message``; the medians give the ratio (target: >= 0.80).
The same ratio per second of this process's CPU is printed too: it is less
moved by whatever else the machine runs at the time.
Then connect-to-STATUS latency: ``AgentApi.connect()`` against a raw connect
and first ``recv()``. Results go to bench/results/client.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import websockets
from streaming import client_round, raw_connect, raw_round, start_server, stop

from lambda_agent_api import __version__
from lambda_agent_api.transport.agent_api import AgentApi

RESULTS = Path(__file__).parent / "results" / "client.json"
TARGET = 0.80


# The measurements


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
        "p95": round(ms[int(len(ms) * 0.95) - 1], 3),
        "min": round(ms[0], 3),
    }


async def measure(args: argparse.Namespace) -> dict[str, object]:
    server, base = await start_server(args.events)
    expected = args.events + 1
    try:
        raw: list[float] = []
        client: list[float] = []
        raw_cpu: list[float] = []
        client_cpu: list[float] = []
        await raw_round(base, "warm-up", expected)
        await client_round(base, "warm-up-client", expected)
        for i in range(args.rounds):
            # Alternate, so that drift in the machine's speed hits both alike.
            for rates, cpu_rates, measure_round, name in (
                (raw, raw_cpu, raw_round, "raw"),
                (client, client_cpu, client_round, "client"),
            ):
                wall_rate, cpu_rate = await measure_round(base, f"{name}-{i}", expected)
                rates.append(wall_rate)
                cpu_rates.append(cpu_rate)
            print(
                f"  round {i + 1}: raw {raw[-1]:9.0f} ev/s   AgentApi {client[-1]:9.0f} ev/s"
                f"   (per CPU second: {raw_cpu[-1]:9.0f} / {client_cpu[-1]:9.0f})"
            )
        raw_connects = [await raw_connect(base, "latency") for _ in range(args.connects)]
        client_connects = [await client_connect(base) for _ in range(args.connects)]
    finally:
        await stop(server)
    ratio = statistics.median(client) / statistics.median(raw)
    cpu_ratio = statistics.median(client_cpu) / statistics.median(raw_cpu)
    return {
        "benchmark": "client",
        "package_version": __version__,
        "python": platform.python_version(),
        "websockets": websockets.__version__,
        "machine": f"{platform.machine()} {platform.system()}",
        "events_per_response": args.events + 1,
        "rounds": args.rounds,
        "raw_events_per_s": [round(x) for x in raw],
        "client_events_per_s": [round(x) for x in client],
        "raw_median_events_per_s": round(statistics.median(raw)),
        "client_median_events_per_s": round(statistics.median(client)),
        "ratio": round(ratio, 3),
        "raw_events_per_cpu_s": [round(x) for x in raw_cpu],
        "client_events_per_cpu_s": [round(x) for x in client_cpu],
        "cpu_ratio": round(cpu_ratio, 3),
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
    parser.add_argument("--rounds", type=int, default=7, help="responses per client")
    parser.add_argument("--connects", type=int, default=200, help="connections for latency")
    args = parser.parse_args()
    print(f"bench_client: {args.events + 1} events per response, {args.rounds} rounds")
    results = asyncio.run(measure(args))
    latency = results["connect_to_status_ms"]
    assert isinstance(latency, dict)
    print(
        f"events/s (median): raw websockets {results['raw_median_events_per_s']}, "
        f"AgentApi {results['client_median_events_per_s']}"
    )
    print(
        f"ratio AgentApi / raw = {results['ratio']:.3f} "
        f"(target >= {TARGET:.2f}: {'met' if results['meets_target'] else 'NOT met'}); "
        f"per CPU second of this process: {results['cpu_ratio']:.3f}"
    )
    print(
        f"connect-to-STATUS median: raw {latency['raw']['median']} ms, "
        f"AgentApi {latency['client']['median']} ms "
        f"(p95 {latency['raw']['p95']} / {latency['client']['p95']} ms)"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results: {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
