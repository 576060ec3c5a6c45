"""Benchmark `lambda-agent-api validate` end to end, against two baselines measured in the same run.

    python bench/bench_validate.py              # 1 000 000 frames (what `nox -s bench` runs)
    python bench/bench_validate.py --frames 200000

It writes a realistic capture (mostly text chunks, some tool calls with
progress updates and results, sub-agent chunks, a few ERRORs, ten
connections) to a temporary directory, then measures:

- the command: `python -m lambda_agent_api validate --format json FILE` in a
  subprocess, wall time from start to exit (interpreter start included), and
  its peak RSS; also on a tenth of the capture, to show that memory is flat;
- baseline (a): jsonschema validating each frame, already parsed, against
  its own message schema (a validator per type, picked by `type`: the fast
  way to use jsonschema); only the validation calls are timed, on an evenly
  spread sample of 100 000 frames (every tenth of a million), to keep the
  run short;
- baseline (b): `json.loads` of every line of the capture, and nothing else.

Each is measured --rounds times (3), in turn, and the best run counts, so
that a moment of load on the machine does not skew one side of a ratio.

Targets: the command >= 10x (a) and >= 0.5x (b), with flat memory. Results
go to bench/results/validate.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lambda_agent_api.capture import CaptureWriter
from lambda_agent_api.schemas import message_schema_path, validator_for

RESULTS = Path(__file__).resolve().parent / "results" / "validate.json"
TARGET_VS_JSONSCHEMA = 10.0
TARGET_VS_JSON_LOADS = 0.5
SCHEMA_SAMPLE = 100_000  # frames jsonschema validates per round: at ~25k/s, a few seconds
WORDS = (  # noqa: SIM905 - a sentence reads better than a list of words
    "the agent looked at your question and found that a few of these results may be useful "
    "weather Berlin report revenue grew costs stayed flat while the team shipped on time "
    "данные результат 結果 🙂 café"
).split()
TOOLS = ["web_search", "calculator", "read_file", "write_file", "run_python"]


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _chunk(rng: random.Random, source: str = "main") -> str:
    text = " " + " ".join(rng.choices(WORDS, k=rng.randint(1, 6)))
    return _dumps({"type": "AGENT_EVENT_TEXT_CHUNK", "text": text, "source": source})


def _response(rng: random.Random) -> list[tuple[str, str]]:
    """One request and its response: (dir, frame text) pairs."""
    frames = [
        (
            "send",
            _dumps(
                {
                    "type": "USER_MESSAGE",
                    "text": "Please " + " ".join(rng.choices(WORDS, k=8)),
                    "attachments": rng.choice([[], [], ["reports/q3.pdf"]]),
                }
            ),
        )
    ]
    recv = []
    for _ in range(rng.randint(10, 60)):
        recv.append(_chunk(rng))
    if rng.random() < 0.3:
        tool = rng.choice(TOOLS)
        args = json.dumps({"query": " ".join(rng.choices(WORDS, k=4)), "limit": rng.randint(1, 9)})
        cut = sorted(rng.sample(range(1, len(args)), 3))
        pieces = [args[i:j] for i, j in zip([0, *cut], [*cut, len(args)], strict=True)]
        recv.append(
            _dumps(
                {"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "tool_name": tool, "args_chunk": pieces[0]}
            )
        )
        recv += [
            _dumps({"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "tool_name": None, "args_chunk": p})
            for p in pieces[1:]
        ]
        recv.append(
            _dumps(
                {
                    "type": "AGENT_EVENT_CUSTOM_UPDATE",
                    "payload": {"status": "running", "progress": round(rng.random(), 2)},
                }
            )
        )
        if rng.random() < 0.3:
            recv += [_chunk(rng, f"tools:{tool}") for _ in range(rng.randint(2, 8))]
        recv.append(
            _dumps(
                {
                    "type": "AGENT_EVENT_TOOL_RESULT",
                    "tool_name": tool,
                    "result": {
                        "hits": rng.randint(0, 9),
                        "text": " ".join(rng.choices(WORDS, k=10)),
                    },
                }
            )
        )
        recv += [_chunk(rng) for _ in range(rng.randint(5, 20))]
    if rng.random() < 0.05:
        recv.append(_dumps({"type": "AGENT_EVENT_SEND_FILE", "path": "reports/out.md"}))
    if rng.random() < 0.02:
        recv.append(
            _dumps({"type": "ERROR", "code": "RATE_LIMITED", "details": "Too many requests"})
        )
    else:
        recv.append(_dumps({"type": "AGENT_EVENT_END", "tokens_used": rng.randint(50, 5000)}))
    return frames + [("recv", r) for r in recv]


def write_capture(path: Path, frames: int, connections: int = 10) -> int:
    """Write about ``frames`` frames (whole responses) over ``connections``; return the count."""
    rng = random.Random(1234)
    per_connection = frames // connections
    written = 0
    ts = 1_760_000_000.0
    with path.open("w", encoding="utf-8") as file:
        for conn in range(connections):
            writer = CaptureWriter(file, conn=f"c{conn}")
            writer.write("recv", '{"type":"STATUS"}', ts=ts)
            count = 1
            while count < per_connection and written + count < frames:
                for direction, data in _response(rng):
                    ts += 0.01
                    writer.write(direction, data, ts=round(ts, 3))  # type: ignore[arg-type]
                    count += 1
            written += count
    return written


def run_cli(path: Path) -> tuple[float, float, dict[str, Any]]:
    """Run the command; return (seconds, peak RSS in MiB, its summary line)."""
    command = [sys.executable, "-m", "lambda_agent_api", "validate", "--format", "json", str(path)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stderr is not None
    out = process.stdout.read()  # the report is one summary line: no risk of a full stderr pipe
    err = process.stderr.read()
    # Reap the child ourselves to get its own resource usage, peak RSS included.
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    process.stderr.close()
    peak_mib = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 1024**2
    lines = out.decode().splitlines()
    if process.returncode != 0 or not lines:
        sys.exit(
            f"validate failed ({process.returncode}): {err.decode()[:500]} {out.decode()[:500]}"
        )
    summary = json.loads(lines[-1])
    return seconds, peak_mib, summary


def baseline_jsonschema(path: Path, every: int) -> tuple[float, int]:
    """Validate every ``every``-th frame, parsed, with jsonschema; time only the validation."""
    validators = {}
    total = 0.0
    count = 0
    clock = time.perf_counter
    with path.open(encoding="utf-8") as file:
        for number, line in enumerate(file):
            if number % every:
                continue
            message = json.loads(json.loads(line)["data"])
            type_ = message["type"]
            validator = validators.get(type_)
            if validator is None:
                schema_path = message_schema_path(type_)
                assert schema_path is not None
                validator = validators[type_] = validator_for(schema_path)
            start = clock()
            ok = validator.is_valid(message)
            total += clock() - start
            assert ok, message
            count += 1
    return total, count


def baseline_json_loads(path: Path) -> tuple[float, int]:
    """json.loads every line of the capture, and nothing else."""
    loads = json.loads
    count = 0
    start = time.perf_counter()
    with path.open(encoding="utf-8") as file:
        for line in file:
            loads(line)
            count += 1
    return time.perf_counter() - start, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1_000_000)
    parser.add_argument(
        "--rounds", type=int, default=3, help="measurements of each; the best counts"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    cli_runs: list[float] = []
    loads_runs: list[float] = []
    schema_runs: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        capture = Path(tmp) / "capture.jsonl"
        frames = write_capture(capture, args.frames)
        small = Path(tmp) / "small.jsonl"
        write_capture(small, frames // 10)
        size_mib = capture.stat().st_size / 1024 / 1024
        print(f"capture: {frames:,} frames, {size_mib:.0f} MiB")
        every = max(1, frames // SCHEMA_SAMPLE)

        _, small_rss, _ = run_cli(small)
        cli_rss = 0.0
        # Round robin, best of each: a machine busy for a moment slows one
        # measurement, not one side of a ratio.
        for _ in range(args.rounds):
            seconds, rss, summary = run_cli(capture)
            assert summary["frames"] == frames, summary
            assert summary["errors"] == 0, summary
            cli_runs.append(frames / seconds)
            cli_rss = max(cli_rss, rss)
            seconds, count = baseline_json_loads(capture)
            loads_runs.append(count / seconds)
            seconds, count = baseline_jsonschema(capture, every)
            schema_runs.append(count / seconds)

    cli_rate, loads_rate, schema_rate = max(cli_runs), max(loads_runs), max(schema_runs)
    vs_schema = cli_rate / schema_rate
    vs_loads = cli_rate / loads_rate
    results = {
        "frames": frames,
        "capture_mib": round(size_mib, 1),
        "rounds": args.rounds,
        "validate_frames_per_s": round(cli_rate),
        "jsonschema_frames_per_s": round(schema_rate),
        "jsonschema_sample_every": every,
        "json_loads_frames_per_s": round(loads_rate),
        "ratio_vs_jsonschema": round(vs_schema, 2),
        "ratio_vs_json_loads": round(vs_loads, 2),
        "target_vs_jsonschema": TARGET_VS_JSONSCHEMA,
        "target_vs_json_loads": TARGET_VS_JSON_LOADS,
        "peak_rss_mib": round(cli_rss, 1),
        "peak_rss_mib_tenth": round(small_rss, 1),
        "runs": {
            "validate": [round(r) for r in cli_runs],
            "jsonschema": [round(r) for r in schema_runs],
            "json_loads": [round(r) for r in loads_runs],
        },
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(f"validate (CLI, end to end): {cli_rate:>10,.0f} frames/s  (best of {args.rounds})")
    print(f"(a) jsonschema per message: {schema_rate:>10,.0f} frames/s  (every {every}th frame)")
    print(f"(b) json.loads per line:    {loads_rate:>10,.0f} frames/s")
    ok_a = "ok" if vs_schema >= TARGET_VS_JSONSCHEMA else "BELOW TARGET"
    ok_b = "ok" if vs_loads >= TARGET_VS_JSON_LOADS else "BELOW TARGET"
    print(f"ratio vs (a): {vs_schema:.1f}x (target >= {TARGET_VS_JSONSCHEMA:g}x) {ok_a}")
    print(f"ratio vs (b): {vs_loads:.2f}x (target >= {TARGET_VS_JSON_LOADS:g}x) {ok_b}")
    print(f"peak RSS: {cli_rss:.0f} MiB for all frames, {small_rss:.0f} MiB for a tenth")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
