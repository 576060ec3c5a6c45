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
from websockets.asyncio.client import connect

from lambda_agent_api import __version__
from lambda_agent_api.agent_api import AgentApi
from lambda_agent_api.messages import MsgEventEnd, MsgEventTextChunk, parse_server_message
from lambda_agent_api.testing import MockServer, Raw

RESULTS = Path(__file__).parent / "results" / "client.json"
TARGET = 0.80
USER_MESSAGE = '{"type":"USER_MESSAGE","text":"go","attachments":[]}'
EXPECTED = [0]  # events per response, set by main()


# The server, in its own process


async def serve(events: int) -> None:
    # Frames are serialised once, up front: the server's cost is not what is measured.
    chunks = [Raw(MsgEventTextChunk(text=f"chunk {i} ").model_dump_json()) for i in range(events)]
    script = [*chunks, Raw(MsgEventEnd(tokens_used=events).model_dump_json())]
    async with MockServer(script) as server:
        print(server.port, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until EOF


# The two clients


class Round:
    """Events per second of one response, by the wall clock and per CPU second of this process."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def rates(self, count: int) -> tuple[float, float]:
        wall = time.perf_counter() - self.wall
        cpu = time.process_time() - self.cpu
        if count != EXPECTED[0]:  # a loop that missed events must not look fast
            raise SystemExit(f"bench_client: got {count} events, expected {EXPECTED[0]}")
        return count / wall, count / cpu


async def raw_round(base: str, chat: str) -> tuple[float, float]:
    async with connect(f"{base}v1/agent_ws/{chat}/") as ws:
        parse_server_message(await ws.recv())
        start = Round()
        await ws.send(USER_MESSAGE)
        count = 0
        async for frame in ws:
            message = parse_server_message(frame)
            count += 1
            if isinstance(message, MsgEventEnd):
                break
        return start.rates(count)


async def client_round(base: str, chat: str) -> tuple[float, float]:
    async with AgentApi("bench", base, chat_id=chat) as api:
        start = Round()
        count = 0
        async for _ in api.send_message("go"):
            count += 1
        return start.rates(count)


async def raw_connect(base: str) -> float:
    start = time.perf_counter()
    async with connect(f"{base}v1/agent_ws/latency/") as ws:
        parse_server_message(await ws.recv())
        return time.perf_counter() - start


async def client_connect(base: str) -> float:
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
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        "--events",
        str(args.events),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert server.stdout is not None
    assert server.stdin is not None
    port = int((await server.stdout.readline()).decode())
    base = f"ws://127.0.0.1:{port}/"
    try:
        raw: list[float] = []
        client: list[float] = []
        raw_cpu: list[float] = []
        client_cpu: list[float] = []
        await raw_round(base, "warm-up")
        await client_round(base, "warm-up-client")
        for i in range(args.rounds):
            # Alternate, so that drift in the machine's speed hits both alike.
            for rates, cpu_rates, measure_round, name in (
                (raw, raw_cpu, raw_round, "raw"),
                (client, client_cpu, client_round, "client"),
            ):
                wall_rate, cpu_rate = await measure_round(base, f"{name}-{i}")
                rates.append(wall_rate)
                cpu_rates.append(cpu_rate)
            print(
                f"  round {i + 1}: raw {raw[-1]:9.0f} ev/s   AgentApi {client[-1]:9.0f} ev/s"
                f"   (per CPU second: {raw_cpu[-1]:9.0f} / {client_cpu[-1]:9.0f})"
            )
        raw_connects = [await raw_connect(base) for _ in range(args.connects)]
        client_connects = [await client_connect(base) for _ in range(args.connects)]
    finally:
        server.stdin.close()
        await server.wait()
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
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.events))
        return 0
    EXPECTED[0] = args.events + 1
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
