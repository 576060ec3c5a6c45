"""What recording costs: the record proxy against a direct connection, and AgentApi's capture.

    python bench/bench_record.py [--events 50000] [--rounds 5] [--connects 100]

A minimal websockets server (``streaming.py``) runs in a child process and
answers every message with ``--events`` text chunks and an ``AGENT_EVENT_END``;
``lambda-agent-api record`` runs as its own process in front of it (as it is
used), once recording to a file and once recording and validating live (``--validate``); a bare
``RecordingProxy`` that records nothing runs in a third process, to tell the
cost of the extra hop from the cost of recording. Each round streams one
response to a raw ``websockets`` receive-and-parse loop in this process,
directly from the server and through each proxy, alternating; the medians give
the ratios proxied / direct. The proxy's added connect-to-STATUS latency is
measured the same way. Then AgentApi streams with ``capture=`` a file against
AgentApi without it. Results go to bench/results/record.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import websockets
from streaming import (
    Rate,
    client_round,
    raw_connect,
    raw_round,
    start_server,
    stop,
    until_stdin_closes,
)

from lambda_agent_api import __version__
from lambda_agent_api.transport.proxy import RecordingProxy

RESULTS = Path(__file__).parent / "results" / "record.json"


async def forward(upstream: str) -> None:
    async with RecordingProxy(upstream) as proxy:  # no capture, no observer: the hop alone
        print(proxy.base_url, flush=True)
        await until_stdin_closes()


async def start_record(upstream: str, output: Path, *extra: str) -> tuple[object, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lambda_agent_api",
        "record",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        upstream,
        "-o",
        str(output),
        "--quiet",
        *extra,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    match = re.search(r"listening on (\S+)", (await process.stdout.readline()).decode())
    if match is None:
        raise SystemExit("bench_record: the record command did not start")
    return process, match.group(1)


async def alternate(
    rounds: int, ways: dict[str, Callable[[str], Awaitable[Rate]]]
) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {name: [] for name in ways}
    for name, way in ways.items():  # warm up
        await way(f"warm-{name}")
    for i in range(rounds):
        for name, way in ways.items():  # alternate: drift hits every way alike
            results[name].append((await way(f"{name}-{i}")).per_s)
        print("  round", i + 1, "  ".join(f"{n} {r[-1]:9.0f}" for n, r in results.items()))
    return results


async def measure(args: argparse.Namespace, tmp: Path) -> dict[str, object]:
    server = await start_server(args.events)
    direct = server.base
    expected = args.events + 1
    forwarder = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--forward",
        direct,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert forwarder.stdout is not None
    assert forwarder.stdin is not None
    forwarding = (await forwarder.stdout.readline()).decode().strip()
    recorder, recording = await start_record(direct, tmp / "proxy.jsonl")
    validator, validating = await start_record(direct, tmp / "validated.jsonl", "--validate")
    try:
        print("events/s, raw websockets loop:")
        proxy = await alternate(
            args.rounds,
            {
                "direct": lambda chat: raw_round(direct, chat, expected),
                "forward-only": lambda chat: raw_round(forwarding, chat, expected),
                "record": lambda chat: raw_round(recording, chat, expected),
                "record+validate": lambda chat: raw_round(validating, chat, expected),
            },
        )
        latency = {
            name: [
                await raw_connect(base, f"latency-{name}-{i}") * 1000 for i in range(args.connects)
            ]
            for name, base in (("direct", direct), ("record", recording))
        }
        print("events/s, AgentApi:")
        capture = tmp / "client.jsonl"
        client = await alternate(
            args.rounds,
            {
                "AgentApi": lambda chat: client_round(direct, chat, expected),
                "AgentApi+capture": lambda chat: client_round(
                    direct, chat, expected, capture=capture
                ),
            },
        )
    finally:
        for process in (recorder, validator):
            process.terminate()  # type: ignore[attr-defined]
            await process.wait()  # type: ignore[attr-defined]
        await stop(forwarder)
        await stop(server)

    def median(name: str, table: dict[str, list[float]]) -> float:
        return statistics.median(table[name])

    return {
        "benchmark": "record",
        "package_version": __version__,
        "python": platform.python_version(),
        "websockets": websockets.__version__,
        "machine": f"{platform.machine()} {platform.system()}",
        "cpus": os.cpu_count(),  # shared by the server, one proxy and the client at a time
        "events_per_response": args.events + 1,
        "rounds": args.rounds,
        "events_per_s": {name: [round(x) for x in rates] for name, rates in proxy.items()},
        "median_events_per_s": {name: round(median(name, proxy)) for name in proxy},
        "ratio_forward_only_to_direct": round(
            median("forward-only", proxy) / median("direct", proxy), 3
        ),
        "ratio_record_to_direct": round(median("record", proxy) / median("direct", proxy), 3),
        "ratio_record_to_forward_only": round(
            median("record", proxy) / median("forward-only", proxy), 3
        ),
        "ratio_record_validate_to_direct": round(
            median("record+validate", proxy) / median("direct", proxy), 3
        ),
        "connect_to_status_median_ms": {
            name: round(statistics.median(samples), 3) for name, samples in latency.items()
        },
        "client_events_per_s": {name: [round(x) for x in rates] for name, rates in client.items()},
        "client_median_events_per_s": {name: round(median(name, client)) for name in client},
        "ratio_client_capture_to_none": round(
            median("AgentApi+capture", client) / median("AgentApi", client), 3
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000, help="text chunks per response")
    parser.add_argument("--rounds", type=int, default=5, help="responses per way")
    parser.add_argument("--connects", type=int, default=100, help="connections for latency")
    parser.add_argument("--forward", metavar="UPSTREAM", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.forward:
        asyncio.run(forward(args.forward))
        return 0
    print(f"bench_record: {args.events + 1} events per response, {args.rounds} rounds")
    with tempfile.TemporaryDirectory() as tmp:
        results = asyncio.run(measure(args, Path(tmp)))
    medians = results["median_events_per_s"]
    latency = results["connect_to_status_median_ms"]
    assert isinstance(medians, dict)
    assert isinstance(latency, dict)
    print(
        f"events/s (median): direct {medians['direct']}, through a bare proxy "
        f"{medians['forward-only']}, through record {medians['record']}, "
        f"through record --validate {medians['record+validate']}"
    )
    print(
        f"ratio forward only / direct = {results['ratio_forward_only_to_direct']:.3f}; "
        f"record / direct = {results['ratio_record_to_direct']:.3f}; "
        f"record / forward only = {results['ratio_record_to_forward_only']:.3f}; "
        f"record --validate / direct = {results['ratio_record_validate_to_direct']:.3f}"
    )
    print(f"connect-to-STATUS median: direct {latency['direct']} ms, record {latency['record']} ms")
    print(f"ratio AgentApi with capture / without = {results['ratio_client_capture_to_none']:.3f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results: {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
