"""What hostile inputs cost: time and peak memory of ``validate`` on each nasty capture.

    python bench/bench_hostile.py [--quick]

Each capture of ``tests/support/nasty.py`` (a million-digit integer, a 200 MB HAR key,
a value nested 30 M deep, a million connections with and without close records) is
written to a temporary directory, then checked by ``lambda-agent-api validate`` in a
child process that reports its own peak RSS. The baseline, measured in the same run,
is the least a user would do: ``wc -c`` in Python (reading the file in 1 MiB blocks),
whose peak is the interpreter's own; the ratio is validate's peak over it. Results go
to bench/results/hostile.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.nasty import GENERATORS, measure  # noqa: E402

_READ_ALL = "import sys\nwith open(sys.argv[1], 'rb') as f:\n    while f.read(1 << 20): pass\n"


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
    out = ROOT / "bench" / "results" / "hostile.json"
    out.write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "machine": platform.machine(),
                "quick": args.quick,
                "results": results,
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
