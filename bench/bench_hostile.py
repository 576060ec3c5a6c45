"""What hostile inputs cost: time and peak memory on each nasty capture and each misbehaving client.

    python bench/bench_hostile.py [--quick]

Captures: each capture of ``tests/support/nasty.py`` (a million-digit integer, a 200 MB
HAR key, a value nested 30 M deep, a million connections with and without close
records) is written to a temporary directory, then checked by ``lambda-agent-api
validate`` in a child process that reports its own peak RSS. The baseline, measured in
the same run, is the least a user would do: ``wc -c`` in Python (reading the file in
1 MiB blocks), whose peak is the interpreter's own; the ratio is validate's peak over it.

Clients: each misbehaving client of ``tests/support/hostile_clients.py`` attacks
``mock-server`` and ``record --validate`` (child processes) while a well-behaved client
chats through the same server. Recorded: the case's time, the slowest chat during it
against a chat with no attack (measured in the same run, the median of 5), and the
server's peak memory during the case (``VmHWM``, reset before it) against its peak when
idle. ``--quick`` leaves out the slowloris case (it waits for the servers' 10-15 s
handshake timeouts). Results go to bench/results/hostile.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.nasty import GENERATORS, measure  # noqa: E402

_READ_ALL = "import sys\nwith open(sys.argv[1], 'rb') as f:\n    while f.read(1 << 20): pass\n"


async def _clients(quick: bool) -> list[dict[str, object]]:
    from support.hostile_clients import CASES, chat, running_targets, slowloris_handshake
    from support.raw_client import RawClient, peak_kib, reset_peak

    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as directory, running_targets(Path(directory)) as targets:
        for name, target in targets.items():
            idle_kib = peak_kib(target.pid)
            alone = []
            for _ in range(5):
                started = time.perf_counter()
                await chat(target.port)
                alone.append(time.perf_counter() - started)
            baseline = statistics.median(alone)
            for case in CASES:
                if quick and case is slowloris_handshake:
                    continue
                reset_peak(target.pid)
                before_kib = peak_kib(target.pid)
                chats: list[float] = []

                async def well_behaved(port: int = target.port, chats: list[float] = chats) -> str:
                    started = time.perf_counter()
                    text = await chat(port)
                    chats.append(time.perf_counter() - started)
                    return text

                started = time.perf_counter()
                try:
                    await case(target.port, well_behaved)
                finally:
                    RawClient.close_all()
                seconds = time.perf_counter() - started
                peak = peak_kib(target.pid)
                row = {
                    "case": case.__name__,
                    "server": name,
                    "seconds": round(seconds, 2),
                    "chat_seconds": round(max(chats), 4),
                    "baseline_chat_seconds": round(baseline, 4),
                    "chat_ratio": round(max(chats) / baseline, 1),
                    "peak_growth_mib": round((peak - before_kib) / 1024, 1),
                    "peak_mib": round(peak / 1024, 1),
                    "idle_peak_mib": round(idle_kib / 1024, 1),
                    "peak_ratio": round(peak / idle_kib, 2),
                }
                rows.append(row)
                print(
                    f"{name:12} {case.__name__:30} {seconds:6.2f} s  chat {max(chats):6.3f} s "
                    f"(alone: {baseline:.3f} s, x{row['chat_ratio']})  peak "
                    f"{peak / 1024:6.1f} MiB (idle: {idle_kib / 1024:5.1f} MiB, "
                    f"{(peak - before_kib) / 1024:+.1f})",
                    flush=True,
                )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as directory:
        reader = Path(directory) / "read_all.py"
        reader.write_text(_READ_ALL, encoding="utf-8")
        sys.path.insert(0, directory)
        for name, generate in GENERATORS.items():
            path = Path(directory) / name
            if args.quick:
                from support import nasty

                small = {
                    "long_number_line.jsonl": lambda p: nasty.long_number_line(p, 100_000),
                    "har_long_key.har": lambda p: nasty.har_long_key(p, 10_000_000),
                    "har_deep.har": lambda p: nasty.har_deep(p, 1_000_000),
                    "many_connections.jsonl": lambda p: nasty.many_connections(p, 100_000),
                    "many_connections_closed.jsonl": lambda p: nasty.many_connections(
                        p, 100_000, close=True
                    ),
                }
                small[name](path)
            else:
                generate(path)
            size_mib = path.stat().st_size / 2**20
            baseline = measure("read_all", str(path), cwd=Path(directory))
            cost = measure("lambda_agent_api", "validate", "--format", "json", str(path))
            summary = json.loads(cost.stdout.splitlines()[-1]) if cost.stdout else {}
            row = {
                "case": name,
                "input_mib": round(size_mib, 1),
                "exit_code": cost.code,
                "rules": summary.get("rules"),
                "seconds": round(cost.seconds, 2),
                "peak_mib": round(cost.peak_mib, 1),
                "baseline_seconds": round(baseline.seconds, 2),
                "baseline_peak_mib": round(baseline.peak_mib, 1),
                "peak_ratio": round(cost.peak_mib / baseline.peak_mib, 2),
                "time_ratio": round(cost.seconds / max(baseline.seconds, 1e-3), 1),
            }
            results.append(row)
            print(
                f"{name:32} {size_mib:8.1f} MiB in  exit {cost.code}  {cost.seconds:7.2f} s "
                f"(read: {baseline.seconds:5.2f} s)  peak {cost.peak_mib:7.1f} MiB "
                f"(read: {baseline.peak_mib:5.1f} MiB, x{row['peak_ratio']})",
                flush=True,
            )
            path.unlink()
    clients = asyncio.run(_clients(args.quick))
    out = ROOT / "bench" / "results" / "hostile.json"
    out.write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "machine": platform.machine(),
                "quick": args.quick,
                "results": results,
                "clients": clients,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
