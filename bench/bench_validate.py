"""Benchmark `lambda-agent-api validate` as whole processes, against `json.loads` in the same run.

    python bench/bench_validate.py                 # what `nox -s bench` runs
    python bench/bench_validate.py --frames 100000 --repeats 3 --memory-mib 64
    python bench/bench_validate.py --memory-mib 1024   # the 1 GB memory check, once

It writes, to a temporary directory, one realistic stream of traffic (mostly
40-character text chunks, some tool calls with their results, progress
updates, ends, errors and user messages, over ten connections) twice: as bare
JSON Lines (one message per line, the ``messages`` format) and in the capture
format (``{"ts", "dir", "conn", "data"}`` per line). Then, for each file, it
times whole processes by the wall clock, interpreter start and imports
included, several times in turn (the median counts, the spread is printed):

- the command: ``lambda-agent-api validate FILE``, and with ``--jobs 2``;
- the baseline, the least a user would do otherwise: a Python process that
  reads the file and parses every line with ``json.loads`` (and, for the
  capture format, the frame inside each record too), and nothing else.

Nothing else caps both sides: the files are read from the page cache (read once
before timing), the command's report is one summary line, and the machine's
load average is recorded. Last, it measures the command's peak RSS on a large
capture (``--memory-mib``; the goal is flat memory, at most 150 MiB on 1 GiB).

Goals (issue 13, on the bare frames): >= 1.0x the baseline in one process,
>= 1.8x with ``--jobs 2`` on two cores. The capture format's ratios are printed
against the same figures, for information: its baseline parses two JSON texts
per line. Results go to bench/results/validate.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "validate.json"
GOAL_ONE_JOB = 1.0
GOAL_TWO_JOBS = 1.8
GOAL_RSS_MIB = 150.0
CONNECTIONS = 10

# The baselines: what a user would write to read every frame of the file.
BARE_BASELINE = "import json,sys; [json.loads(l) for l in open(sys.argv[1])]"
CAPTURE_BASELINE = "import json,sys; [json.loads(json.loads(l)['data']) for l in open(sys.argv[1])]"

WORDS = (  # noqa: SIM905 - a sentence reads better than a list of words
    "the agent looked at your question and found that a few of these results may be useful "
    "weather Berlin report revenue grew costs stayed flat while the team shipped on time "
    "данные результат 結果 🙂 café"
).split()
TOOLS = ["web_search", "calculator", "read_file", "run_python"]


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _text(rng: random.Random, length: int = 40) -> str:
    text = ""
    while len(text) < length:
        text += " " + rng.choice(WORDS)
    return text[:length]


def _chunk(rng: random.Random, source: str | None = None) -> str:
    message = {"type": "AGENT_EVENT_TEXT_CHUNK", "text": _text(rng)}
    if source is not None:
        message["source"] = source
    return _dumps(message)


def _response(rng: random.Random) -> Iterator[tuple[str, str]]:
    """One user message and the response to it, as (direction, frame text)."""
    attachments = rng.choice([[], [], [], ["reports/q3.pdf"]])
    yield (
        "send",
        _dumps({"type": "USER_MESSAGE", "text": _text(rng, 60), "attachments": attachments}),
    )
    for _ in range(rng.randint(10, 60)):
        yield "recv", _chunk(rng)
    if rng.random() < 0.3:
        tool = rng.choice(TOOLS)
        args = json.dumps({"query": _text(rng, 20).strip(), "limit": rng.randint(1, 9)})
        cut = sorted(rng.sample(range(1, len(args)), 2))
        pieces = [args[: cut[0]], args[cut[0] : cut[1]], args[cut[1] :]]
        chunk = {"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "tool_name": tool, "args_chunk": pieces[0]}
        yield "recv", _dumps(chunk)
        for piece in pieces[1:]:
            yield "recv", _dumps({"type": "AGENT_EVENT_TOOL_CALL_CHUNK", "args_chunk": piece})
        progress = {"status": "running", "progress": round(rng.random(), 2)}
        yield "recv", _dumps({"type": "AGENT_EVENT_CUSTOM_UPDATE", "payload": progress})
        if rng.random() < 0.3:
            for _ in range(rng.randint(2, 8)):
                yield "recv", _chunk(rng, f"tools:{tool}")
        result = {"hits": rng.randint(0, 9), "text": _text(rng, 30)}
        yield (
            "recv",
            _dumps({"type": "AGENT_EVENT_TOOL_RESULT", "tool_name": tool, "result": result}),
        )
        for _ in range(rng.randint(5, 20)):
            yield "recv", _chunk(rng)
    if rng.random() < 0.03:
        yield "recv", _dumps({"type": "AGENT_EVENT_SEND_FILE", "path": "reports/out.md"})
    if rng.random() < 0.02:
        error = {"type": "ERROR", "code": "RATE_LIMITED", "details": "Too many requests"}
        yield "recv", _dumps(error)
    else:
        yield "recv", _dumps({"type": "AGENT_EVENT_END", "tokens_used": rng.randint(50, 5000)})


def traffic(frames: int, seed: int = 1234) -> Iterator[tuple[str, str, str]]:
    """About ``frames`` frames as (connection, direction, text): whole responses, interleaved.

    Each connection opens with STATUS; responses of the connections take turns,
    as a proxy in front of several clients records them.
    """
    rng = random.Random(seed)
    count = 0
    for conn in range(CONNECTIONS):
        yield f"c{conn}", "recv", '{"type":"STATUS"}'
        count += 1
    while count < frames:
        conn = f"c{rng.randrange(CONNECTIONS)}"
        for direction, text in _response(rng):
            yield conn, direction, text
            count += 1


def write_files(directory: Path, frames: int) -> dict[str, tuple[Path, int]]:
    """Write the bare and the capture file of the same traffic: {name: (path, frames)}."""
    bare = directory / "bare.jsonl"
    capture = directory / "capture.jsonl"
    # The bare format has no connection ids (a file is one connection), so the bare
    # file holds the same frames, connection after connection, with one STATUS.
    by_connection: dict[str, list[str]] = {}
    count = 0
    ts = 1_760_000_000.0
    with capture.open("w", encoding="utf-8") as file:
        for conn, direction, text in traffic(frames):
            ts += 0.003
            record = {"ts": round(ts, 3), "dir": direction, "conn": conn, "data": text}
            file.write(_dumps(record) + "\n")
            by_connection.setdefault(conn, []).append(text)
            count += 1
    bare_count = count - len(by_connection) + 1
    with bare.open("w", encoding="utf-8") as file:
        for index, texts in enumerate(by_connection.values()):
            file.write("\n".join(texts[1:] if index else texts) + "\n")
    return {"bare": (bare, bare_count), "capture": (capture, count)}


def write_large(path: Path, mib: int, source: Path) -> int:
    """Fill ``path`` with about ``mib`` MiB of the capture ``source``, renaming its connections."""
    block = source.read_bytes()
    frames_per_block = block.count(b"\n")
    target = mib * 1024 * 1024
    written = 0
    copies = 0
    with path.open("wb") as file:
        while written < target:
            data = block.replace(b'"conn":"c', f'"conn":"r{copies}c'.encode())
            file.write(data)
            written += len(data)
            copies += 1
    return copies * frames_per_block


def command() -> list[str]:
    """How to run the command: the installed script next to this interpreter, or ``-m``."""
    script = Path(sys.executable).with_name("lambda-agent-api")
    if script.exists():
        return [sys.executable, str(script)]
    found = shutil.which("lambda-agent-api")
    return [found] if found else [sys.executable, "-m", "lambda_agent_api"]


def run(argv: list[str]) -> tuple[float, float, bytes]:
    """Run a process to its end; return (wall seconds, CPU seconds of it and its children,
    its stdout)."""
    before = _children_cpu()
    start = time.perf_counter()
    process = subprocess.run(argv, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    cpu = _children_cpu() - before
    if process.returncode != 0:
        out, err = process.stdout.decode()[:500], process.stderr.decode()[:500]
        sys.exit(f"{argv[-1]}: exit {process.returncode}: {err} {out}")
    return seconds, cpu, process.stdout


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def validate_argv(path: Path, jobs: int) -> list[str]:
    extra = ["--jobs", str(jobs)] if jobs > 1 else []
    return [*command(), "validate", "--format", "json", "--no-progress", *extra, str(path)]


def check_summary(out: bytes, frames: int) -> None:
    summary = json.loads(out.decode().splitlines()[-1])
    if summary.get("frames") != frames or summary.get("errors") != 0:
        sys.exit(f"validate did not check the benchmark's traffic as expected: {summary}")


def peak_rss(path: Path, jobs: int) -> tuple[float, float]:
    """Run validate once in a fresh child that reports its own children; return (s, MiB)."""
    probe = (
        "import resource,subprocess,sys,time;"
        "t=time.perf_counter();"
        "p=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL);"
        "t=time.perf_counter()-t;"
        "r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
        "print(t, r/1024);"
        "sys.exit(p.returncode)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *validate_argv(path, jobs)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    seconds, mib = out.split()
    return float(seconds), float(mib)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300_000)
    parser.add_argument("--repeats", type=int, default=5, help="runs of each; the median counts")
    parser.add_argument(
        "--memory-mib", type=int, default=256, help="size of the capture for the peak RSS"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args, _ = parser.parse_known_args()  # `nox -s bench -- ...` passes its arguments to every bench

    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        files = write_files(Path(tmp), args.frames)
        for name, (path, frames) in files.items():
            path.read_bytes()  # into the page cache: the disk caps neither side
            size = path.stat().st_size / 2**20
            print(f"{name}: {frames:,} frames, {size:.0f} MiB")
        baselines = {"bare": BARE_BASELINE, "capture": CAPTURE_BASELINE}
        runs: dict[str, dict[str, list[float]]] = {
            name: {"baseline": [], "jobs1": [], "jobs2": []} for name in files
        }
        cpu: dict[str, dict[str, list[float]]] = {
            name: {"baseline": [], "jobs1": [], "jobs2": []} for name in files
        }
        # In turn, so that a busy moment of the machine slows one round, not one side.
        for _ in range(args.repeats):
            for name, (path, frames) in files.items():
                seconds, used, _ = run([sys.executable, "-c", baselines[name], str(path)])
                runs[name]["baseline"].append(seconds)
                cpu[name]["baseline"].append(used)
                for jobs in (1, 2):
                    seconds, used, out = run(validate_argv(path, jobs))
                    check_summary(out, frames)
                    runs[name][f"jobs{jobs}"].append(seconds)
                    cpu[name][f"jobs{jobs}"].append(used)

        large = Path(tmp) / "large.jsonl"
        large_frames = write_large(large, args.memory_mib, files["capture"][0])
        large_mib = large.stat().st_size / 2**20
        memory = {}
        for jobs in (1, 2):
            seconds, mib = peak_rss(large, jobs)
            memory[f"jobs{jobs}"] = {"seconds": round(seconds, 2), "peak_rss_mib": round(mib, 1)}

    results: dict[str, Any] = {
        "repeats": args.repeats,
        "goals": {"jobs1": GOAL_ONE_JOB, "jobs2": GOAL_TWO_JOBS, "peak_rss_mib": GOAL_RSS_MIB},
    }
    print(f"{'':8} {'frames/s (median, min-max of ' + str(args.repeats) + ')':>44}   ratio")
    for name, times in runs.items():
        frames = files[name][1]
        base = statistics.median(times["baseline"])
        entry: dict[str, Any] = {
            "frames": frames,
            "baseline_frames_per_s": round(frames / base),
            "baseline_runs_s": [round(t, 3) for t in times["baseline"]],
            # CPU seconds (process and workers): less sensitive to a busy machine than
            # the wall clock, but not the measure of the goals.
            "baseline_cpu_s": [round(t, 3) for t in cpu[name]["baseline"]],
        }
        print(f"{name:8} {'json.loads':12} {_rate(frames, times['baseline'])}")
        for jobs in (1, 2):
            key = f"jobs{jobs}"
            median = statistics.median(times[key])
            ratio = base / median
            # The spread of the ratio over the rounds, each against its own baseline.
            per_round = [b / t for b, t in zip(times["baseline"], times[key], strict=True)]
            goal = GOAL_ONE_JOB if jobs == 1 else GOAL_TWO_JOBS
            entry[key] = {
                "frames_per_s": round(frames / median),
                "runs_s": [round(t, 3) for t in times[key]],
                "ratio": round(ratio, 2),
                "ratio_spread": [round(min(per_round), 2), round(max(per_round), 2)],
                "goal": goal if name == "bare" else None,
                "cpu_s": [round(t, 3) for t in cpu[name][key]],
            }
            verdict = "ok" if ratio >= goal else "BELOW GOAL"
            if name != "bare":  # the goals are the bare frames'
                verdict = "(for information)"
            label = "validate" if jobs == 1 else "--jobs 2"
            against = f"; goal {goal:g}x" if name == "bare" else ""
            print(
                f"{name:8} {label:12} {_rate(frames, times[key])}   {ratio:.2f}x "
                f"(rounds {min(per_round):.2f}-{max(per_round):.2f}{against}) {verdict}"
            )
        results[name] = entry
    results["memory"] = {"capture_mib": round(large_mib), "frames": large_frames, **memory}
    for jobs in (1, 2):
        mib = memory[f"jobs{jobs}"]["peak_rss_mib"]
        verdict = "ok" if mib <= GOAL_RSS_MIB else "ABOVE GOAL"
        print(f"peak RSS, {large_mib:.0f} MiB capture, --jobs {jobs}: {mib:.0f} MiB {verdict}")
    results["python"] = platform.python_version()
    results["machine"] = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    results["load_average"] = [round(x, 2) for x in os.getloadavg()]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"load average {results['load_average']}; written to {args.output}")
    return 0


def _rate(frames: int, times: list[float]) -> str:
    rates = sorted(frames / t for t in times)
    return f"{frames / statistics.median(times):>10,.0f} ({rates[0]:,.0f}-{rates[-1]:,.0f})"


if __name__ == "__main__":
    sys.exit(main())
